// Patches, as kube-apiserver applies them to a stored object:
//  - JSON patch (RFC 6902, application/json-patch+json)
//  - JSON merge patch (RFC 7386, application/merge-patch+json)
//  - strategic merge patch (application/strategic-merge-patch+json): lists
//    merged by their x-kubernetes-patch-merge-key, with the directives
//    $patch (replace|merge|delete), $setElementOrder/<list>, $retainKeys and
//    $deleteFromPrimitiveList/<list>, driven by the SchemaRegistry;
//  - server-side apply (application/apply-patch+yaml): see apply.h.
//
// The patch documents are decoded as kube-apiserver decodes them under its
// default fieldValidation (Warn, and Strict alike): a document of the wrong
// JSON type is rejected before it is applied, with the decoder's wording.
// The result is the patched object as JSON; decoding it into the kind
// (unknown fields, types, defaults) is the caller's job, as in kube.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_PATCH_H_
#define KSIM_APISERVER_PATCH_H_

#include <string_view>

#include "apiserver/schema.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

// Errors (as kube-apiserver answers them):
//  - patch not an array of operation objects: 400 BadRequest "error decoding
//    patch: json: cannot unmarshal object into Go value of type
//    []handlers.jsonPatchOp";
//  - more than 10000 operations: 413 RequestEntityTooLarge;
//  - an operation that fails (unknown op, missing path, failed "test", an
//    op other than "test" on the document root): 422 Invalid "the server
//    rejected our request due to an error in our request" (kube does not
//    pass the jsonpatch error text on).
base::StatusOr<Json> ApplyJsonPatch(const Json& original, const Json& patch);

// Errors: a patch that is not an object: 400 "error decoding patch: json:
// cannot unmarshal array into Go value of type map[string]interface {}";
// null: 400 "Invalid JSON Patch".
base::StatusOr<Json> ApplyMergePatch(const Json& original, const Json& patch);

// `schema` is the schema of the object's kind (a component of `registry`);
// fields without patch metadata merge as maps and replace as lists, as for
// unknown types. Errors are worded as k8s.io/apimachinery's strategicpatch
// words them: malformed directives are 400 BadRequest ("invalid patch format
// of setElementOrder list", ...), lists of lists and patches that contradict
// $retainKeys are 422, other failures (e.g. "map: map[port:80] does not
// contain declared merge key: name") are 500 as kube sends them.
base::StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& registry,
                                              const Json& schema,
                                              const Json& original,
                                              const Json& patch);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_PATCH_H_
