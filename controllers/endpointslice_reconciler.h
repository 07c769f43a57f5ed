// EndpointSliceReconciler: what k8s.io/endpointslice's Reconciler decides
// for one Service: which EndpointSlices to create, update and delete so
// that the selected pods are published, at most `max_endpoints_per_slice`
// endpoints per slice, one group of slices per distinct set of resolved
// ports and per address type.
//
// It keeps existing slices stable as kube does: endpoints stay in the slice
// that holds them (updated in place when their conditions change), slices
// that changed are filled up first, leftovers go into the unchanged slice
// they fit best, and only then are new slices made; a would-be create
// reuses a slice that would be deleted; a Service with no endpoints gets one
// empty placeholder slice. Where kube picks at random (map order) we pick
// in name or key order, so the same inputs give the same plan.
//
// Pure: reads its inputs, returns a plan; the controller does the writes.
#ifndef KSIM_CONTROLLERS_ENDPOINTSLICE_RECONCILER_H_
#define KSIM_CONTROLLERS_ENDPOINTSLICE_RECONCILER_H_

#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"

namespace ksim::controllers {

struct EndpointSlicePlan {
  // New slices (metadata.generateName "<service>-"), ready to create.
  std::vector<base::Json> to_create;
  // Existing slices with their new content (metadata.name and
  // resourceVersion kept), ready to update.
  std::vector<base::Json> to_update;
  // Existing slices to delete.
  std::vector<base::Json> to_delete;
  // Pods left out for a reason kube reports as an error (a missing Node);
  // the sync is retried.
  std::vector<std::string> errors;

  bool empty() const {
    return to_create.empty() && to_update.empty() && to_delete.empty();
  }
};

class EndpointSliceReconciler {
 public:
  // The Node of that name, or null when the cache has none.
  using NodeLookup = std::function<const base::Json*(const std::string&)>;

  explicit EndpointSliceReconciler(int max_endpoints_per_slice = 100)
      : max_endpoints_(max_endpoints_per_slice) {}

  // `pods`: the pods the service selects. `existing`: the slices labelled
  // for the service and managed by the controller, not being deleted.
  // `trigger_time` becomes the last-change-trigger-time annotation of
  // every created or updated slice (removed when nullopt).
  EndpointSlicePlan Plan(const base::Json& service,
                         const std::vector<const base::Json*>& pods,
                         const std::vector<const base::Json*>& existing,
                         std::optional<base::Time> trigger_time,
                         const NodeLookup& nodes) const;

 private:
  void PlanAddressType(const base::Json& service,
                       const std::vector<const base::Json*>& pods,
                       const std::vector<const base::Json*>& existing,
                       const std::string& address_type, const NodeLookup& nodes,
                       EndpointSlicePlan* plan) const;

  int max_endpoints_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTSLICE_RECONCILER_H_
