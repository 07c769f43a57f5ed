// Evaluation of the checks on the cluster's state (wait and assert): object
// counts, Service endpoints, jsonpath values, Deployment rollouts, node
// readiness, deletions. Traffic and elapsed-time checks depend on the run's
// own records and are evaluated by the runner.
//
// Thread-safety: loop thread (the client's reads).
#ifndef KSIM_SCENARIO_CHECKS_H_
#define KSIM_SCENARIO_CHECKS_H_

#include <string>

#include "client/client.h"
#include "scenario/scenario.h"

namespace ksim::scenario {

struct CheckOutcome {
  bool ok = false;
  std::string observed;  // what was seen, for messages: "1 pod", "Unknown"
};

// REQUIRES: c.kind is not kTraffic or kElapsed.
CheckOutcome EvalStateCheck(const Check& c, client::Client* client);

// Counts pods the way the checks do: `phase` "Terminating" means pods being
// deleted; any other phase counts only pods not being deleted.
bool PodMatches(const base::Json& pod, const std::string& phase,
                std::optional<bool> ready);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_CHECKS_H_
