// The part of kubectl's JSONPath that scenario checks use:
//   {.status.readyReplicas}   .spec.containers[0].image
//   .status.conditions[?(@.type=="Ready")].status   .items[*].metadata.name
//   ['key.with.dots']
// Braces are optional. Several matches print space-separated, as kubectl
// -o jsonpath does; strings print raw, other values as JSON.
//
// Thread-safety: pure functions.
#ifndef KSIM_SCENARIO_JSONPATH_H_
#define KSIM_SCENARIO_JSONPATH_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::scenario {

// The values `path` selects in `doc` (none when a step is missing).
// BadRequest for a path outside the subset above.
base::StatusOr<std::vector<base::Json>> JsonPathSelect(const base::Json& doc,
                                                       const std::string& path);
// The selected values printed as kubectl prints them.
base::StatusOr<std::string> JsonPathText(const base::Json& doc,
                                         const std::string& path);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_JSONPATH_H_
