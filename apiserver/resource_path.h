// The parts of a resource URL, as kube-apiserver's request-info resolver
// reads them: /api/v1/[watch/][namespaces/NS/]RESOURCE[/NAME[/SUB[/...]]]
// and /apis/GROUP/VERSION/... . One parser for the handlers, the request
// metrics and the request recorder.
//
// Thread-safety: a pure function.
#ifndef KSIM_APISERVER_RESOURCE_PATH_H_
#define KSIM_APISERVER_RESOURCE_PATH_H_

#include <cstddef>
#include <string_view>

#include "apiserver/resources.h"

namespace ksim::apiserver {

struct ResourcePath {
  const ResourceInfo* resource = nullptr;
  // Views into the parsed path.
  std::string_view group, version, ns, name, subresource;
  bool watch = false;  // the legacy /watch/ prefix
  // Segments after the resource (name, subresource, then e.g. a proxied
  // path): callers decide how many they accept.
  size_t rest = 0;
};

// False when `path` is not of that shape or names no served resource. The
// namespace is taken only when RESOURCE is a namespaced one (so
// /api/v1/namespaces/NAME is the namespace object). The subresource is not
// checked against the resource's.
bool ParseResourcePath(std::string_view path, ResourcePath* out);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_RESOURCE_PATH_H_
