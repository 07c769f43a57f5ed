// `ksim fault`: faults on the running cluster's network and nodes, through
// the ksim API (/ksim/v1/faults, docs/ksim-api.md).
//
//   ksim fault add node-down NODE
//   ksim fault add partition --group NODE[,NODE...] --group ...
//   ksim fault add latency node/NAME|pod/NAME|pod/NS/NAME DURATION
//                          [--jitter DURATION]
//   ksim fault add loss node/NAME|pod/NAME|pod/NS/NAME PROBABILITY
//   ksim fault list [-o json]
//   ksim fault rm ID [ID...]
// with --server, --kubeconfig, --context as for `ksim curl`, and
// -n/--namespace for pod/NAME targets.
//
// Thread-safety: the functions share no state.
#ifndef KSIM_CLI_FAULT_H_
#define KSIM_CLI_FAULT_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::cli {

// The fault spec (NetGateway::AddFault's JSON) for the words after
// `ksim fault add` and the namespace of pod/NAME targets. BadRequest with a
// usage hint when the words do not form a fault.
base::StatusOr<base::Json> BuildFaultSpec(const std::vector<std::string>& args,
                                          const std::string& ns);

// {"items": [...]} as a table: ID, KIND, TARGET, EFFECT.
std::string FormatFaultTable(const base::Json& list);

std::string FaultUsage();

// `ksim fault ...`; returns the process exit status.
int RunFault(const std::vector<std::string>& args);

}  // namespace ksim::cli

#endif  // KSIM_CLI_FAULT_H_
