// JSON helpers over nlohmann::json. Objects keep their keys sorted (std::map),
// which is also the order Go's encoding/json gives maps, so our output is
// deterministic and matches what kubectl re-serialises.
#ifndef KSIM_BASE_JSON_H_
#define KSIM_BASE_JSON_H_

#include <nlohmann/json.hpp>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ksim::base {

using Json = nlohmann::json;

// Parses `text`; a syntax error becomes BadRequest with the parser's position.
StatusOr<Json> ParseJson(std::string_view text);

// Returns j[path...] or nullptr when any step is missing or not an object.
const Json* Find(const Json& j, std::initializer_list<std::string_view> path);

// String/int at a path, or the fallback when missing or of another type.
std::string GetString(const Json& j,
                      std::initializer_list<std::string_view> path,
                      std::string fallback = "");
int64_t GetInt(const Json& j, std::initializer_list<std::string_view> path,
               int64_t fallback = 0);

// apiequality.Semantic.DeepEqual on JSON: empty lists and maps and nulls
// equal missing fields, as nil and empty Go slices/maps compare equal there.
bool SemanticEqual(const Json& a, const Json& b);

}  // namespace ksim::base

#endif  // KSIM_BASE_JSON_H_
