// YAML -> JSON conversion through yaml-cpp, with YAML 1.2 core-schema typing
// of plain scalars (null, booleans, integers, floats); quoted scalars stay
// strings. Used for server-side apply bodies (application/apply-patch+yaml).
#ifndef KSIM_BASE_YAML_JSON_H_
#define KSIM_BASE_YAML_JSON_H_

#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace ksim::base {

// Parses one YAML document. Syntax errors are BadRequest with yaml-cpp's
// position ("yaml: line 3: ...").
StatusOr<Json> ParseYaml(std::string_view text);

}  // namespace ksim::base

#endif  // KSIM_BASE_YAML_JSON_H_
