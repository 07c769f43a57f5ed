#include "cli/commands.h"

#include <cstdio>
#include <string>
#include <vector>

#include "cli/curl.h"
#include "cli/fault.h"
#include "cli/scenario.h"
#include "cli/up.h"

namespace ksim::cli {
namespace {

constexpr char kUsage[] =
    "ksim: a Kubernetes cluster in one process.\n"
    "\n"
    "Usage: ksim <command> [flags]\n"
    "\n"
    "Commands:\n"
    "  up      run the cluster in the foreground and write its kubeconfig\n"
    "  curl    send an HTTP request through the cluster's network, as curl\n"
    "  fault   add, list and remove network and node faults\n"
    "  scenario run a scenario in virtual time (ksim scenario run FILE)\n"
    "\n"
    "Run 'ksim <command> --help' for the flags of a command.\n";

}  // namespace

int Main(int argc, char** argv) {
  if (argc < 2) {
    std::fputs(kUsage, stderr);
    return 2;
  }
  std::string command = argv[1];
  std::vector<std::string> args(argv + 2, argv + argc);
  if (command == "help" || command == "--help" || command == "-h") {
    std::fputs(kUsage, stdout);
    return 0;
  }
  if (command == "up") return RunUp(args);
  if (command == "curl") return RunCurl(args);
  if (command == "fault") return RunFault(args);
  if (command == "scenario") return RunScenario(args);
  std::fprintf(stderr,
               "ksim: unknown command \"%s\"\nRun 'ksim --help' for usage.\n",
               command.c_str());
  return 2;
}

}  // namespace ksim::cli
