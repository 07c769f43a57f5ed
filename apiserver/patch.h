// Patches, as kube-apiserver applies them to a stored object:
//  - JSON patch (RFC 6902, application/json-patch+json)
//  - JSON merge patch (RFC 7386, application/merge-patch+json)
//  - strategic merge patch (application/strategic-merge-patch+json): lists
//    merged by their x-kubernetes-patch-merge-key, with the directives
//    $patch (replace|merge|delete), $setElementOrder/<list>, $retainKeys and
//    $deleteFromPrimitiveList/<list>, driven by the SchemaRegistry;
//  - server-side apply (application/apply-patch+yaml): see apply.h.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_PATCH_H_
#define KSIM_APISERVER_PATCH_H_

#include <string_view>

#include "apiserver/schema.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

// Errors are kube-apiserver's: a malformed patch document is BadRequest; a
// JSON patch "test" that fails or a path that does not exist is Invalid
// (422) in kube-apiserver, worded as its jsonpatch library words it, e.g.
// "the server rejected our request due to an error in our request".
base::StatusOr<Json> ApplyJsonPatch(const Json& original, const Json& patch);
base::StatusOr<Json> ApplyMergePatch(const Json& original, const Json& patch);
// `schema` is the (resolved) schema of the object's kind; fields without
// patch metadata merge as maps and replace as lists, as for unknown types.
base::StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& registry,
                                              const Json& schema,
                                              const Json& original,
                                              const Json& patch);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_PATCH_H_
