// YAML -> JSON conversion through yaml-cpp, with YAML 1.2 core-schema typing
// of plain scalars (null, booleans, integers, floats); quoted scalars stay
// strings. Used for server-side apply bodies (application/apply-patch+yaml).
#ifndef KSIM_BASE_YAML_JSON_H_
#define KSIM_BASE_YAML_JSON_H_

#include <yaml-cpp/yaml.h>

#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace ksim::base {

// Parses one YAML document. Syntax errors are BadRequest with yaml-cpp's
// position ("yaml: line 3: ...").
StatusOr<Json> ParseYaml(std::string_view text);
// One parsed yaml-cpp node as JSON, with the same core-schema typing (for
// callers that need the node's marks, e.g. for line numbers in errors).
Json YamlToJson(const YAML::Node& node);

}  // namespace ksim::base

#endif  // KSIM_BASE_YAML_JSON_H_
