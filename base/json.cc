#include "base/json.h"

namespace ksim::base {

StatusOr<Json> ParseJson(std::string_view text) {
  Json j = Json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    // Re-parse with exceptions only on the error path, for the position.
    try {
      (void)Json::parse(text);
    } catch (const Json::parse_error& e) {
      return BadRequest(e.what());
    }
    return BadRequest("invalid JSON");
  }
  return j;
}

const Json* Find(const Json& j, std::initializer_list<std::string_view> path) {
  const Json* cur = &j;
  for (std::string_view key : path) {
    if (!cur->is_object()) return nullptr;
    auto it = cur->find(key);
    if (it == cur->end()) return nullptr;
    cur = &*it;
  }
  return cur;
}

std::string GetString(const Json& j,
                      std::initializer_list<std::string_view> path,
                      std::string fallback) {
  const Json* v = Find(j, path);
  return v && v->is_string() ? v->get<std::string>() : fallback;
}

int64_t GetInt(const Json& j, std::initializer_list<std::string_view> path,
               int64_t fallback) {
  const Json* v = Find(j, path);
  return v && v->is_number_integer() ? v->get<int64_t>() : fallback;
}

// apiequality.Semantic.DeepEqual on JSON: empty lists, maps and nulls equal
// missing fields (a nil and an empty slice compare equal there).
static bool BlankValue(const Json& v) {
  return v.is_null() || ((v.is_array() || v.is_object()) && v.empty());
}

bool SemanticEqual(const Json& a, const Json& b) {
  if (BlankValue(a) && BlankValue(b)) return true;
  if (a.is_object() && b.is_object()) {
    for (const auto& [k, v] : a.items()) {
      if (!SemanticEqual(v, b.contains(k) ? b[k] : Json())) return false;
    }
    for (const auto& [k, v] : b.items()) {
      if (!a.contains(k) && !BlankValue(v)) return false;
    }
    return true;
  }
  if (a.is_array() && b.is_array()) {
    if (a.size() != b.size()) return false;
    for (size_t i = 0; i < a.size(); ++i) {
      if (!SemanticEqual(a[i], b[i])) return false;
    }
    return true;
  }
  return a == b;
}

}  // namespace ksim::base
