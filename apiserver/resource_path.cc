#include "apiserver/resource_path.h"

#include <vector>

namespace ksim::apiserver {

bool ParseResourcePath(std::string_view path, ResourcePath* out) {
  std::vector<std::string_view> s;
  for (size_t pos = 0; pos < path.size();) {
    size_t next = path.find('/', pos);
    if (next == std::string_view::npos) next = path.size();
    if (next > pos) s.push_back(path.substr(pos, next - pos));
    pos = next + 1;
  }
  ResourcePath r;
  size_t i;
  if (s.size() >= 3 && s[0] == "api") {
    r.version = s[1];
    i = 2;
  } else if (s.size() >= 4 && s[0] == "apis") {
    r.group = s[1];
    r.version = s[2];
    i = 3;
  } else {
    return false;
  }
  if (s[i] == "watch") {
    r.watch = true;
    ++i;
  }
  if (s.size() >= i + 3 && s[i] == "namespaces") {
    const ResourceInfo* inner = FindResource(r.group, r.version, s[i + 2]);
    if (inner != nullptr && inner->namespaced) {
      r.ns = s[i + 1];
      i += 2;
    }
  }
  if (i >= s.size()) return false;
  r.resource = FindResource(r.group, r.version, s[i]);
  if (r.resource == nullptr) return false;
  r.rest = s.size() - i - 1;
  if (r.rest >= 1) r.name = s[i + 1];
  if (r.rest >= 2) r.subresource = s[i + 2];
  *out = r;
  return true;
}

}  // namespace ksim::apiserver
