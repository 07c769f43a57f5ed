// ShellProcess: a container's main process when it runs a command rather
// than a server — `sleep 3600`, `echo hi`, `sh -c 'while true; do echo x;
// sleep 5; done'`, `exit 3`, `touch /tmp/healthy; sleep 30; rm
// /tmp/healthy; sleep 600`. A small interpreter of the POSIX shell forms pod
// specs use: lists (; && || newlines), while/until/for/if, variables,
// $VAR/${VAR}/$?/$((a+b))/$(cmd), quotes, > and >> redirections, and the
// busybox builtins echo, printf, sleep, exit, true, false, touch, rm, mkdir,
// cat, test/[, date, hostname, env, printenv, seq, tail -f. An unknown
// command fails with 127 as sh does.
//
// Execution is resumable: Run() executes until the process sleeps, blocks
// for ever or exits, and the kubelet calls it again when the sleep is over.
// A loop that never sleeps is cut after a bounded amount of work and
// treated as a one-second sleep, so it cannot hang the cluster loop.
//
// Thread-safety: none (loop thread only).
#ifndef KSIM_KUBELET_SIM_SHELL_H_
#define KSIM_KUBELET_SIM_SHELL_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"

namespace ksim::kubelet {

struct ShellStep {
  enum class Kind { kSleep, kExit, kForever };
  Kind kind = Kind::kExit;
  base::Duration sleep{};
  int exit_code = 0;
  std::vector<std::string> output;  // lines written to stdout/stderr
};

struct ShellNode;  // shell.cc

class ShellProcess {
 public:
  // argv: the process as started (command + args). `env`: its environment
  // (HOSTNAME included).
  ShellProcess(std::vector<std::string> argv,
               std::map<std::string, std::string> env);
  ~ShellProcess();
  ShellProcess(const ShellProcess&) = delete;
  ShellProcess& operator=(const ShellProcess&) = delete;

  // Runs until the next sleep, a block for ever or the exit. `now` is used
  // by `date`. After an exit, returns the exit again.
  ShellStep Run(base::Time now);

  // Runs `argv` (a probe's or preStop's exec command) against this
  // process's files and environment, without sleeping: returns its exit
  // code and output (a `sleep N` in it is reported through *slept).
  int Exec(const std::vector<std::string>& argv, base::Time now,
           std::string* output, base::Duration* slept = nullptr);

  bool HasFile(const std::string& path) const { return files_.count(path) > 0; }

 private:
  struct Frame;
  struct Outcome;
  Outcome Simple(const std::vector<std::string>& raw, base::Time now,
                 std::vector<std::string>* out);
  // Runs simple command `i` of `list`; true when Run must return `step`.
  bool RunSimple(const ShellNode& list, size_t i, base::Time now,
                 ShellStep* step);
  // Builtins of Simple, by family; false when `cmd` is not theirs.
  bool FileCommand(const std::string& cmd, const std::vector<std::string>& a,
                   std::vector<std::string>* out, int* status);
  bool InfoCommand(const std::string& cmd, const std::vector<std::string>& a,
                   base::Time now, std::vector<std::string>* out, int* status);
  std::string Expand(const std::string& word, base::Time now);
  std::vector<std::string> ExpandWords(const std::vector<std::string>& raw,
                                       base::Time now);

  std::shared_ptr<ShellNode> root_;
  std::vector<Frame> stack_;
  std::map<std::string, std::string> env_;
  std::map<std::string, std::string> files_;
  int status_ = 0;
  std::optional<int> exited_;
};

// Whether argv[0] names a shell that takes `-c script`.
bool IsShell(const std::string& arg0);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_SHELL_H_
