// EndpointsController: kube-controller-manager's endpoint controller
// ("endpoint-controller", pkg/controller/endpoint). For every Service with a
// selector it keeps an Endpoints object of the same name: the selected
// pods' IPs, ready ones in `addresses` and the others in
// `notReadyAddresses` (all in `addresses` with publishNotReadyAddresses),
// one port per service port resolved on each pod (numeric or named
// targetPort), packed as endpoints.RepackSubsets packs them, truncated to
// 1000 addresses with the endpoints.kubernetes.io/over-capacity annotation,
// labelled with the service's labels (plus service.kubernetes.io/headless
// for a headless service) and annotated with
// endpoints.kubernetes.io/last-change-trigger-time. Written only when
// something changed; deleted with the service. A service without a
// selector, or of type ExternalName, is left alone.
//
// Shape: informer handlers map Service, Pod and Endpoints events to service
// keys ("ns/name") on a WorkQueue whose reconcile is Reconcile(key).
// Writes are asynchronous: while one is in flight for a key, or while the
// Endpoints cache has not yet caught up with our last write, Reconcile
// waits (the key is re-queued when the write returns or the cache moves)
// rather than write from a stale cache, as kube's staleEndpointsTracker.
//
// Thread-safety: cluster loop only.
#ifndef KSIM_CONTROLLERS_ENDPOINTS_CONTROLLER_H_
#define KSIM_CONTROLLERS_ENDPOINTS_CONTROLLER_H_

#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/endpoints_subsets.h"
#include "controllers/endpoints_util.h"

namespace ksim::controllers {

struct EndpointsControllerOptions {
  // maxCapacity: addresses kept in one Endpoints object.
  int max_capacity = 1000;
  // --endpoint-updates-batch-period: pod events queue their services after
  // this long, so a burst of pod changes makes one write (kube's default 0).
  base::Duration batch_period{0};
};

class EndpointsController {
 public:
  // Registers handlers on the Service, Pod and Endpoints informers of
  // ctx.informers. REQUIRES: everything in ctx outlives the controller; the
  // informers are not started yet (or the handlers get their objects as
  // adds).
  explicit EndpointsController(const client::ClusterContext& ctx,
                               EndpointsControllerOptions options = {});
  ~EndpointsController();
  EndpointsController(const EndpointsController&) = delete;
  EndpointsController& operator=(const EndpointsController&) = delete;

  // syncService: level-triggered, idempotent. An error makes the queue
  // retry the key with backoff.
  base::Status Reconcile(const std::string& key);

  base::WorkQueue& queue() { return *queue_; }

 private:
  // Per-key bookkeeping of our own writes (the staleness guard).
  struct WriteState {
    int in_flight = 0;
    bool reconcile_when_done = false;
    // A reconcile found the cache stale: the next Endpoints event re-queues.
    bool awaiting_cache = false;
    // The resourceVersion our last update replaced: a cached object still
    // at it is stale.
    std::string replaced_rv;
    // Our create succeeded but the cache has not shown the object yet.
    bool created = false;
    // Our delete succeeded but the cache still shows the object.
    bool deleted = false;
    // Consecutive failed writes (the retry backoff; kube's maxRetries).
    int failures = 0;
  };

  void OnServiceEvent(const client::ObjectPtr& svc, bool deleted);
  void OnPodEvent(const std::set<std::string>& keys);
  void OnEndpointsEvent(const base::Json& ep, bool deleted);
  bool CacheIsStale(const std::string& key, const base::Json* current);
  // Drops the key's bookkeeping once nothing is pending.
  void MaybeForget(const std::string& key);
  std::vector<EndpointSubset> DesiredSubsets(
      const base::Json& svc, const std::vector<const base::Json*>& pods) const;
  base::Status WriteEndpoints(const std::string& key, const base::Json& svc,
                              const base::Json* current,
                              std::vector<EndpointSubset> subsets,
                              std::optional<base::Time> trigger_time);
  void Issue(const std::string& key, bool create, base::Json endpoints);
  void OnWriteDone(const std::string& key, bool create, const base::Json& sent,
                   const std::string& old_rv,
                   const base::StatusOr<base::Json>& result);

  client::ClusterContext ctx_;
  EndpointsControllerOptions options_;
  client::Informer* services_;
  client::Informer* pods_;
  client::Informer* endpoints_;
  client::EventRecorder recorder_;
  ServiceSelectorIndex selectors_;
  TriggerTimeTracker trigger_times_;
  std::map<std::string, WriteState> writes_;
  std::unique_ptr<base::WorkQueue> queue_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTS_CONTROLLER_H_
