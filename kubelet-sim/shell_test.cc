#include "kubelet-sim/shell.h"

#include <catch2/catch.hpp>

namespace ksim::kubelet {
namespace {

using std::chrono::seconds;
const base::Time kNow{seconds(1764011034)};  // 2025-11-24T19:03:54Z

ShellStep Run(ShellProcess& p) { return p.Run(kNow); }

TEST_CASE("shell: sleep then exit 0", "[kubelet]") {
  ShellProcess p({"sleep", "10"}, {});
  ShellStep s = Run(p);
  CHECK(s.kind == ShellStep::Kind::kSleep);
  CHECK(s.sleep == seconds(10));
  s = Run(p);
  CHECK(s.kind == ShellStep::Kind::kExit);
  CHECK(s.exit_code == 0);
}

TEST_CASE("shell: echo prints and exits; exit N; false", "[kubelet]") {
  ShellProcess echo({"echo", "hello", "world"}, {});
  ShellStep s = Run(echo);
  CHECK(s.kind == ShellStep::Kind::kExit);
  CHECK(s.output == std::vector<std::string>{"hello world"});
  ShellProcess exit3({"sh", "-c", "echo bye; exit 3; echo never"}, {});
  s = Run(exit3);
  CHECK(s.exit_code == 3);
  CHECK(s.output == std::vector<std::string>{"bye"});
  ShellProcess f({"/bin/sh", "-c", "false"}, {});
  CHECK(Run(f).exit_code == 1);
  ShellProcess bare({"sh"}, {});
  CHECK(Run(bare).kind == ShellStep::Kind::kExit);
}

TEST_CASE("shell: while loop with sleep resumes", "[kubelet]") {
  ShellProcess p({"sh", "-c",
                  "i=0; while true; do echo tick $i; i=$((i+1)); sleep 5; "
                  "done"},
                 {});
  for (int i = 0; i < 3; ++i) {
    ShellStep s = Run(p);
    REQUIRE(s.kind == ShellStep::Kind::kSleep);
    CHECK(s.sleep == seconds(5));
    CHECK(s.output == std::vector<std::string>{"tick " + std::to_string(i)});
  }
}

TEST_CASE("shell: files for exec probes (touch, rm, cat)", "[kubelet]") {
  ShellProcess p({"/bin/sh", "-c",
                  "touch /tmp/healthy; sleep 30; rm -f /tmp/healthy; sleep "
                  "600"},
                 {});
  CHECK(Run(p).sleep == seconds(30));
  std::string out;
  CHECK(p.Exec({"cat", "/tmp/healthy"}, kNow, &out) == 0);
  CHECK(Run(p).sleep == seconds(600));
  out.clear();
  CHECK(p.Exec({"cat", "/tmp/healthy"}, kNow, &out) == 1);
  CHECK(out == "cat: can't open '/tmp/healthy': No such file or directory\n");
  // The main process goes on where it was after an exec.
  CHECK(Run(p).kind == ShellStep::Kind::kExit);
}

TEST_CASE("shell: &&, ||, if, for, quotes, variables", "[kubelet]") {
  ShellProcess p({"sh", "-c",
                  "NAME=\"big world\"; false && echo no || echo 'yes sir'; "
                  "if [ -f /x ]; then echo f; else echo \"hi $NAME\"; fi; "
                  "for n in 1 2 3; do echo n=$n; done; echo $HOSTNAME"},
                 {{"HOSTNAME", "web-1"}});
  ShellStep s = Run(p);
  CHECK(s.output == std::vector<std::string>{"yes sir", "hi big world", "n=1",
                                             "n=2", "n=3", "web-1"});
  CHECK(s.exit_code == 0);
}

TEST_CASE("shell: unknown command is 127; sleep infinity blocks", "[kubelet]") {
  ShellProcess p({"sh", "-c", "frobnicate"}, {});
  ShellStep s = Run(p);
  CHECK(s.exit_code == 127);
  CHECK(s.output == std::vector<std::string>{"sh: frobnicate: not found"});
  ShellProcess inf({"sleep", "infinity"}, {});
  CHECK(Run(inf).kind == ShellStep::Kind::kForever);
  ShellProcess tail({"tail", "-f", "/dev/null"}, {});
  CHECK(Run(tail).kind == ShellStep::Kind::kForever);
}

TEST_CASE("shell: a loop that never sleeps is cut", "[kubelet]") {
  ShellProcess p({"sh", "-c", "while true; do :; done"}, {});
  ShellStep s = Run(p);
  CHECK(s.kind == ShellStep::Kind::kSleep);
  CHECK(s.sleep == seconds(1));
}

TEST_CASE("shell: redirection to a file and date", "[kubelet]") {
  ShellProcess p({"sh", "-c", "echo ok > /tmp/ready; cat /tmp/ready; date"},
                 {});
  ShellStep s = Run(p);
  CHECK(s.output ==
        std::vector<std::string>{"ok", "Mon Nov 24 19:03:54 UTC 2025"});
  CHECK(p.HasFile("/tmp/ready"));
}

}  // namespace
}  // namespace ksim::kubelet
