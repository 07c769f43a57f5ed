// FlagSet: the small command-line parser of ksim's sub-commands.
//
// Accepts `--name value` and `--name=value`; a single dash works too
// (`-v 3`, `-v=3`), as with Go's flag package, so `-v N` and `--v=N` mean
// the same. Boolean flags take no separate value (`--help`) but accept
// `--help=true|false`. `--` ends the flags; everything after it, and every
// argument that does not start with a dash, is positional. Unknown flags,
// missing values and malformed numbers are errors whose message names the
// flag, worded like kubectl's (spf13/pflag): "unknown flag: --x",
// "flag needs an argument: --port".
//
// Thread-safety: not thread-safe; build, parse and read from one thread.
// Ownership: the targets passed to the Add* methods are borrowed and must
// outlive Parse(); they keep their value when a flag is absent (defaults).
#ifndef KSIM_CLI_FLAGS_H_
#define KSIM_CLI_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/status.h"

namespace ksim::cli {

class FlagSet {
 public:
  // `usage_line` heads Usage(), e.g. "ksim up [flags]".
  explicit FlagSet(std::string usage_line);

  FlagSet(const FlagSet&) = delete;
  FlagSet& operator=(const FlagSet&) = delete;

  // Registers a flag named `name` (without dashes). REQUIRES: the name is
  // not registered yet and `target` outlives Parse().
  void AddString(std::string name, std::string* target, std::string help);
  void AddInt(std::string name, int* target, std::string help);
  void AddUint64(std::string name, uint64_t* target, std::string help);
  void AddBool(std::string name, bool* target, std::string help);

  // Parses the arguments that follow the sub-command name. On error returns
  // BadRequest whose message is one line for the user; targets already set
  // keep their new values.
  base::Status Parse(const std::vector<std::string>& args);

  // Arguments that are not flags, in order. Valid after Parse().
  const std::vector<std::string>& positional() const { return positional_; }

  // "Usage: <usage_line>\n\nFlags:\n  --name <type>   help (default ...)\n".
  std::string Usage() const;

 private:
  enum class Type { kString, kInt, kUint64, kBool };
  struct Flag {
    std::string name;
    Type type;
    void* target;
    std::string help;
    std::string default_text;
  };

  void Add(std::string name, Type type, void* target, std::string help,
           std::string default_text);
  const Flag* Lookup(const std::string& name) const;
  base::Status Set(const Flag& flag, const std::string& shown_name,
                   const std::string& value);

  std::string usage_line_;
  std::vector<Flag> flags_;  // in registration order, which Usage() keeps
  std::vector<std::string> positional_;
};

}  // namespace ksim::cli

#endif  // KSIM_CLI_FLAGS_H_
