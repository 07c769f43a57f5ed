// Building blocks of the /openapi/v3 operations (parameters, request bodies,
// responses, naming), shared by openapi.cc. Internal to apiserver/.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_OPENAPI_PARTS_H_
#define KSIM_APISERVER_OPENAPI_PARTS_H_

#include <initializer_list>
#include <string>
#include <string_view>
#include <utility>

#include "base/json.h"

namespace ksim::apiserver::openapi_parts {

using base::Json;

inline constexpr std::string_view kRefPrefix = "#/components/schemas/";

std::string Capitalize(std::string_view s);
// "discovery.k8s.io", "v1" -> "DiscoveryV1" (operation ids); "" -> "CoreV1".
std::string GroupVersionId(std::string_view group, std::string_view version);
// The operation tag: "core_v1", "apps_v1", "discovery_v1".
std::string Tag(std::string_view group, std::string_view version);
// {"$ref": "#/components/schemas/<component>"}
Json Ref(std::string_view component);
// One parameter, inline as kube-apiserver writes it; `in` is query or path.
Json Param(std::string_view name, std::string_view type,
           std::string_view description, std::string_view in = "query");
// The named query parameters, in the given order.
// REQUIRES: every name is a known list, write, delete or log parameter.
Json QueryParams(std::initializer_list<std::string_view> names);
// Parameters of list and watch operations.
Json ListParams();
// Parameters of create and replace (patch adds force). All carry
// fieldValidation, which is how kubectl learns that the server validates.
Json WriteParams(bool patch);
// Responses with the given codes, each returning `component`; watchable
// lists add the streaming content types. 401 is always listed.
Json Responses(std::initializer_list<std::pair<const char*, const char*>> codes,
               std::string_view component, bool watchable = false);
// A request body of any content type (DELETE's is optional).
Json Body(std::string_view component, bool required = true);
// The body of a PATCH: the four patch content types.
Json PatchBody();

}  // namespace ksim::apiserver::openapi_parts

#endif  // KSIM_APISERVER_OPENAPI_PARTS_H_
