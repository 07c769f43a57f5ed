// `ksim up`: runs the cluster in the foreground until SIGINT or SIGTERM.
#ifndef KSIM_CLI_UP_H_
#define KSIM_CLI_UP_H_

#include <string>
#include <vector>

namespace ksim::cli {

// Runs `ksim up` with the arguments that follow "up". Returns the exit
// status: 0 after a clean stop on SIGINT/SIGTERM (or --help), 1 when the
// cluster cannot start (port in use, data dir unwritable, kubeconfig not
// writable), 2 on bad flags.
// REQUIRES: called from the main thread before any other thread exists:
// it blocks SIGINT and SIGTERM so that the server's threads inherit the
// mask and the signals reach only this thread's sigwait().
int RunUp(const std::vector<std::string>& args);

}  // namespace ksim::cli

#endif  // KSIM_CLI_UP_H_
