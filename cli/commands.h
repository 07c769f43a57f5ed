// The ksim command line: `ksim up`, and later `curl`, `scenario`, `fault`.
#ifndef KSIM_CLI_COMMANDS_H_
#define KSIM_CLI_COMMANDS_H_

namespace ksim::cli {

// Dispatches on argv[1]; returns the process exit status.
int Main(int argc, char** argv);

}  // namespace ksim::cli

#endif  // KSIM_CLI_COMMANDS_H_
