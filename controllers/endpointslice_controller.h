// EndpointSliceController: kube-controller-manager's endpointslice
// controller ("endpointslice-controller", pkg/controller/endpointslice).
// For every Service with a selector it keeps the EndpointSlices labelled
// kubernetes.io/service-name=<service> and
// endpointslice.kubernetes.io/managed-by=endpointslice-controller.k8s.io,
// owned by the service (the garbage collector deletes them with it), named
// "<service>-<5 random chars>", holding the selected pods as endpoints with
// their conditions {ready, serving, terminating}, nodeName, zone and
// targetRef, at most 100 per slice; EndpointSliceReconciler decides the
// writes. Services of type ExternalName or without a selector are left
// alone.
//
// Shape: informer handlers map Service, Pod, Node and EndpointSlice events
// to service keys ("ns/name") on a WorkQueue whose reconcile is
// Reconcile(key). Writes are asynchronous: while some are in flight for a
// service, or while the slice cache has not caught up with what they wrote
// (kube's EndpointSliceTracker), Reconcile waits and the key is re-queued
// when the writes return or the cache moves.
//
// Thread-safety: cluster loop only.
#ifndef KSIM_CONTROLLERS_ENDPOINTSLICE_CONTROLLER_H_
#define KSIM_CONTROLLERS_ENDPOINTSLICE_CONTROLLER_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/endpoints_util.h"
#include "controllers/endpointslice_reconciler.h"

namespace ksim::controllers {

struct EndpointSliceControllerOptions {
  // --max-endpoints-per-slice.
  int max_endpoints_per_slice = 100;
  // --endpointslice-updates-batch-period (kube's default 0).
  base::Duration batch_period{0};
};

class EndpointSliceController {
 public:
  // Registers handlers (and an index of pods by node and of slices by
  // service) on the informers of ctx.informers. REQUIRES: everything in ctx
  // outlives the controller; the informers are not started yet.
  explicit EndpointSliceController(const client::ClusterContext& ctx,
                                   EndpointSliceControllerOptions options = {});
  ~EndpointSliceController();
  EndpointSliceController(const EndpointSliceController&) = delete;
  EndpointSliceController& operator=(const EndpointSliceController&) = delete;

  // syncService: level-triggered, idempotent. An error (a pod on a node the
  // cache does not know) makes the queue retry the key with backoff.
  base::Status Reconcile(const std::string& key);

  base::WorkQueue& queue() { return *queue_; }

 private:
  // What our writes for one service left to be seen in the slice cache.
  struct WriteState {
    int in_flight = 0;
    bool reconcile_when_done = false;
    // Waiting for the slice cache to show our writes.
    bool awaiting_cache = false;
    // Slice name -> the resourceVersion we wrote ("" once deleted).
    std::map<std::string, std::string> expected;
    int failures = 0;
  };

  void OnPodEvent(const std::set<std::string>& keys);
  void OnNodeEvent(const base::Json& node);
  void OnSliceEvent(const base::Json& slice, bool deleted);
  std::vector<const base::Json*> SlicesOf(const std::string& key,
                                          std::vector<client::ObjectPtr>* hold);
  bool CacheIsStale(const std::string& key,
                    const std::vector<const base::Json*>& slices);
  void IssueWrites(const std::string& key, const base::Json& svc,
                   EndpointSlicePlan plan);
  void OnWriteDone(const std::string& key, const std::string& what,
                   const std::string& slice_name, bool deletion,
                   const base::StatusOr<base::Json>& result);
  void MaybeForget(const std::string& key);

  client::ClusterContext ctx_;
  EndpointSliceControllerOptions options_;
  client::Informer* services_;
  client::Informer* pods_;
  client::Informer* nodes_;
  client::Informer* slices_;
  client::EventRecorder recorder_;
  EndpointSliceReconciler reconciler_;
  ServiceSelectorIndex selectors_;
  TriggerTimeTracker trigger_times_;
  std::map<std::string, WriteState> writes_;
  std::unique_ptr<base::WorkQueue> queue_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTSLICE_CONTROLLER_H_
