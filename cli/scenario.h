// `ksim scenario run FILE [--seed N] [--report DIR] [--speed max|N]`:
// runs a scenario (scenario/) on an in-process cluster — in virtual time as
// fast as the CPU allows (--speed max, the default), or in real time N
// times faster than the wall clock with the HTTP API up so kubectl can
// watch it play (--speed N, with --port/--address/--kubeconfig as for
// `ksim up`).
#ifndef KSIM_CLI_SCENARIO_H_
#define KSIM_CLI_SCENARIO_H_

#include <string>
#include <vector>

namespace ksim::cli {

// The arguments after "scenario". Exit status: 0 when every assertion
// held, 1 when one failed (or the run could not go on), 2 on bad flags or a
// malformed scenario.
int RunScenario(const std::vector<std::string>& args);

}  // namespace ksim::cli

#endif  // KSIM_CLI_SCENARIO_H_
