// Server-side apply and managed fields (metadata.managedFields), after
// sigs.k8s.io/structured-merge-diff as kube-apiserver uses it.
//
// Every write records which manager owns which fields (fieldsV1 sets, "f:"
// and "k:" keys as the real server writes them). Apply merges the applied
// configuration into the live object: fields the manager applied before but
// omits now are removed (unless another manager owns them too); a field owned
// by another manager with a different value is a conflict (409, reason
// Conflict, message "Apply failed with N conflict(s): conflict with \"mgr\"
// using v1: .spec.replicas") unless force is set, in which case ownership
// moves to the applier.
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

// After a create/update/patch (operation "Update"): sets obj's
// metadata.managedFields so that `manager` owns the fields it set or changed
// (old is null on create). Entries of other managers lose the fields changed.
void UpdateManagedFields(const SchemaRegistry& registry, const Json& schema,
                         const Json* old, Json& obj, const ManagerInfo& who);

// Server-side apply of `applied` (the decoded YAML/JSON body) onto `live`
// (null when the object does not exist yet). Returns the new object with
// managedFields updated; the caller then runs the usual update path
// (defaulting, validation, storage).
base::StatusOr<Json> ServerSideApply(const SchemaRegistry& registry,
                                     const Json& schema, const Json* live,
                                     const Json& applied,
                                     const ManagerInfo& who, bool force);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_APPLY_H_
