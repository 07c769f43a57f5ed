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

}  // namespace ksim::base
