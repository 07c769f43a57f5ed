// Server-side apply and managed fields (metadata.managedFields), after
// sigs.k8s.io/structured-merge-diff as kube-apiserver uses it.
//
// Every write records which manager owns which fields (fieldsV1 sets, "f:"
// and "k:" keys as the real server writes them). Apply merges the applied
// configuration into the live object: fields the manager applied before but
// omits now are removed (unless another manager owns them too); a field owned
// by another manager with a different value is a conflict (409, reason
// Conflict, message "Apply failed with 1 conflict: conflict with \"mgr\"
// using apps/v1: .spec.replicas", one cause per field) unless force is set,
// in which case ownership moves to the applier.
//
// The resource's reset fields are not owned through it: status on the main
// resource (when the kind has one), spec through the status subresource.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_APPLY_H_
#define KSIM_APISERVER_APPLY_H_

#include <string>

#include "apiserver/schema.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

struct ManagerInfo {
  std::string manager;      // fieldManager, e.g. "kubectl-client-side-apply"
  std::string operation;    // "Apply" or "Update"
  std::string api_version;  // "apps/v1"
  std::string subresource;  // "" or "status", "scale"
  base::Time time;
};

// After a create/update/patch (operation "Update"), once the new object is
// final (defaulted, prepared): sets obj's metadata.managedFields so that
// `manager` owns the fields it set or changed (old is null on create).
// Entries of other managers lose the fields changed. As kube: managedFields
// sent in `obj` are kept as the starting point ([] resets them), except on a
// subresource; an existing object without managedFields stays without; an
// empty manager is "unknown" (the caller maps a missing fieldManager to the
// user agent's prefix, as kube does). Not for apply: ServerSideApply already
// records the applier.
void UpdateManagedFields(const SchemaRegistry& registry, const Json& schema,
                         const Json* old, Json& obj, const ManagerInfo& who);

// Server-side apply of `applied` (the decoded YAML/JSON body) onto `live`
// (null when the object does not exist yet). Returns the new object with
// managedFields updated (live itself when nothing changed); the caller then
// runs the usual update path (defaulting, validation, storage) without
// calling UpdateManagedFields again. Errors, as kube-apiserver's:
//  - no field manager: 422 `PatchOptions.meta.k8s.io "" is invalid: ...`;
//  - apiVersion/kind other than the endpoint's: 400 "invalid object type:
//    apps/v1, Kind=Deployment"; managedFields in the body: 400
//    "metadata.managedFields must be nil"; another name than live's: 400
//    "the name of the object (a) does not match the name on the URL (b)";
//  - fields the schema lacks, wrong types, duplicate list keys: 500 "failed
//    to create typed patch object (ns/name; apps/v1, Kind=Deployment):
//    .spec.foo: field not declared in schema";
//  - conflicts: 409 Conflict with causes {FieldManagerConflict, "conflict
//    with \"mgr\" using apps/v1", ".spec.replicas"}.
// For manager "kubectl", values set by the last client-side apply (the
// last-applied-configuration annotation) do not conflict, and that
// annotation is kept up to date, as kube does for kubectl --server-side.
base::StatusOr<Json> ServerSideApply(const SchemaRegistry& registry,
                                     const Json& schema, const Json* live,
                                     const Json& applied,
                                     const ManagerInfo& who, bool force);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_APPLY_H_
