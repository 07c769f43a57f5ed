// Helpers shared by the workload controllers, after
// k8s.io/kubernetes/pkg/controller/controller_utils.go and
// k8s.io/kubernetes/pkg/api/v1/pod (v1.32): owner references, label
// selectors over JSON objects, pod activity / readiness / availability and
// the order in which a ReplicaSet gives up its pods on scale-down.
//
// Everything here is a pure function of its arguments (time is passed in).
// Thread-safety: stateless; safe anywhere.
#ifndef KSIM_CONTROLLERS_CONTROLLER_UTILS_H_
#define KSIM_CONTROLLERS_CONTROLLER_UTILS_H_

#include <optional>
#include <string>
#include <vector>

#include "apiserver/selector.h"
#include "base/clock.h"
#include "base/json.h"
#include "client/informer.h"

namespace ksim::controllers {

using base::Json;
using client::ObjectPtr;

// --- metadata ------------------------------------------------------------

std::string NameOf(const Json& obj);
std::string NamespaceOf(const Json& obj);
std::string UidOf(const Json& obj);
int64_t GenerationOf(const Json& obj);
bool IsBeingDeleted(const Json& obj);  // metadata.deletionTimestamp set
// metadata.labels / metadata.annotations (or a template's) as a map.
apiserver::StringMap StringMapOf(const Json& obj,
                                 std::initializer_list<std::string_view> path);
apiserver::StringMap LabelsOf(const Json& obj);
std::optional<base::Time> CreationTimeOf(const Json& obj);

// --- owner references (metav1.GetControllerOf / NewControllerRef) --------

// The ownerReference with controller=true, or null.
const Json* ControllerOf(const Json& obj);
// {apiVersion, kind, name, uid, controller: true, blockOwnerDeletion: true}
// for `owner` of kind `kind` in group/version `api_version`.
Json NewControllerRef(const Json& owner, const std::string& api_version,
                      const std::string& kind);
// Strategic merge patches the ControllerRefManager sends to adopt / release
// an object (metadata.uid pins the object as kube's patches do).
Json AdoptPatch(const Json& obj, const Json& controller_ref);
Json ReleasePatch(const Json& obj, const std::string& owner_uid);

// --- selectors -----------------------------------------------------------

// metav1.LabelSelectorAsSelector of obj.spec.selector. An invalid selector
// selects nothing (kube logs and skips the object).
apiserver::LabelSelector SpecSelectorOf(const Json& obj);

// The object of `kind` in `owners` that the controller ownerReference `ref`
// names, or null when there is none or it was replaced (another uid): kube's
// resolveControllerRef.
ObjectPtr ResolveControllerRef(const client::Informer& owners,
                               const std::string& kind, const std::string& ns,
                               const Json* ref);
// The objects in `owners`, in `obj`'s namespace, whose non-empty
// spec.selector matches obj's labels (getPodReplicaSets,
// getDeploymentsForReplicaSet).
std::vector<ObjectPtr> OwnersSelecting(const client::Informer& owners,
                                       const Json& obj);
// True when `selector` is the empty metav1.LabelSelector{} (selects all).
bool IsEmptySelectorObject(const Json* selector);

// --- pods ----------------------------------------------------------------

// controller.IsPodActive: not Succeeded/Failed and not being deleted.
bool IsPodActive(const Json& pod);
// podutil.IsPodReady: the Ready condition is True.
bool PodIsReady(const Json& pod);
// The Ready condition's lastTransitionTime when Ready, else nullopt.
std::optional<base::Time> PodReadyTime(const Json& pod);
// podutil.IsPodAvailable: ready for at least minReadySeconds at `now`.
bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds, base::Time now);
// controller.PodKey: "ns/name".
std::string PodKey(const Json& pod);

// controller.ActivePodsWithRanks.Less with the 1.32 default feature gates
// (PodDeletionCost and LogarithmicScaleDown on): true when pod `a` (with
// rank ra: colocated related pods) should be deleted before `b`.
bool DeletePodBefore(const Json& a, int ra, const Json& b, int rb,
                     base::Time now);

// replica_set.go getPodsToDelete: the first `diff` pods in deletion order,
// ranking each by how many active `related` pods share its node.
std::vector<ObjectPtr> PodsToDelete(std::vector<ObjectPtr> pods,
                                    const std::vector<ObjectPtr>& related,
                                    int diff, base::Time now);

// --- errors --------------------------------------------------------------

// apierrors.HasStatusCause(err, NamespaceTerminatingCause): a create in a
// namespace being deleted.
bool HasNamespaceTerminatingCause(const base::Status& st);

// --- conditions ----------------------------------------------------------

// The condition of `type` in obj.status.conditions, or null.
const Json* FindCondition(const Json& status, const std::string& type);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_CONTROLLER_UTILS_H_
