// NodeLifecycleController: kube-controller-manager's node-lifecycle
// controller ("node-controller" in events), 1.32 behaviour:
//  - every node_monitor_period it checks each node's health: a node whose
//    Ready heartbeat and kube-node-lease Lease were not renewed within
//    node_monitor_grace_period (node_startup_grace_period before its first
//    status) gets Ready, MemoryPressure, DiskPressure and PIDPressure set to
//    Unknown ("NodeStatusUnknown", "Kubelet stopped posting node status."),
//    a "NodeNotReady" event, and its pods' Ready condition set False;
//  - TaintNodesByCondition: NoSchedule taints mirror the conditions
//    (not-ready, unreachable, memory/disk/pid-pressure, network-unavailable)
//    and spec.unschedulable;
//  - NoExecute taints not-ready / unreachable are added through per-zone
//    rate-limited queues (node_eviction_rate; zone disruption states stop
//    or slow them; when every node is down nothing is tainted) and removed
//    as soon as the node is Ready again.
// Evicting pods from NoExecute-tainted nodes is TaintEvictionController's
// job (node_lifecycle_eviction.h); this controller runs one unless
// options.run_taint_eviction is false.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_NODE_LIFECYCLE_H_
#define KSIM_CONTROLLERS_NODE_LIFECYCLE_H_

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/node_lifecycle_eviction.h"
#include "controllers/node_lifecycle_util.h"

namespace ksim::controllers {

struct NodeLifecycleOptions {
  base::Duration node_monitor_period = std::chrono::seconds(5);
  base::Duration node_monitor_grace_period = std::chrono::seconds(50);
  base::Duration node_startup_grace_period = std::chrono::seconds(60);
  double node_eviction_rate = 0.1;  // nodes per second
  double secondary_node_eviction_rate = 0.01;
  int large_cluster_size_threshold = 50;
  double unhealthy_zone_threshold = 0.55;
  // How often the NoExecute taint queues are tried (nodeEvictionPeriod).
  base::Duration node_eviction_period = std::chrono::milliseconds(100);
  // Also run the taint-eviction-controller (kube-controller-manager runs
  // both by default), so wiring this one controller evicts pods too.
  bool run_taint_eviction = true;
};

class NodeLifecycleController {
 public:
  using Json = base::Json;

  // REQUIRES: ctx's pointers outlive it. The first health check runs one
  // node_monitor_period after construction.
  explicit NodeLifecycleController(const client::ClusterContext& ctx,
                                   NodeLifecycleOptions options = {});
  ~NodeLifecycleController();
  NodeLifecycleController(const NodeLifecycleController&) = delete;
  NodeLifecycleController& operator=(const NodeLifecycleController&) = delete;

  // One monitorNodeHealth pass over every node.
  void MonitorNodeHealth();
  // doNoScheduleTaintingPass for one node (the work queue's reconcile).
  base::Status Reconcile(const std::string& node);
  // doNoExecuteTaintingPass: tries the per-zone taint queues.
  void NoExecuteTaintingPass();
  // The taint eviction controller it runs, or nullptr.
  TaintEvictionController* taint_eviction() { return taint_eviction_.get(); }

 private:
  enum class ZoneState {
    kInitial,
    kNormal,
    kFullDisruption,
    kPartialDisruption
  };
  struct Health {
    base::Time probe{};
    base::Time ready_transition{};
    std::optional<Json> saved_ready;  // the Ready condition last seen
    std::optional<base::Time> lease_renew;
  };
  struct NodeResult {
    std::string observed;  // Ready status before this pass
    std::string current;   // after ("" when the node has no Ready condition)
  };

  NodeResult TryUpdateNodeHealth(Json node);
  // Sets the kubelet-owned conditions Unknown; true when Ready changed.
  bool MarkConditionsUnknown(Json& node, const Json& observed_ready);
  void ProcessTaintBaseEviction(const Json& node, const std::string& observed);
  void MarkNodeForTainting(const Json& node, const std::string& status);
  void MarkNodeAsReachable(const Json& node);
  void MarkPodsNotReady(const std::string& node);
  void HandleDisruption(
      const std::map<std::string, std::vector<std::string>>& zone_to_ready,
      const std::vector<client::ObjectPtr>& nodes);
  void SetLimiterInZone(const std::string& zone, size_t size, ZoneState state);
  lifecycle::RateLimitedTimedQueue& Tainter(const std::string& zone);
  // Adds `add` (with timeAdded now) and removes `remove` taints (by key and
  // effect) in one patch guarded by the node's resourceVersion. False when
  // nothing needed to change.
  bool SwapTaints(const Json& node, const std::vector<Json>& add,
                  const std::vector<Json>& remove);
  void ArmNoExecutePass();
  void ArmMonitor();
  void OnPodChanged(const client::ObjectPtr& pod, bool deleted);

  client::ClusterContext ctx_;
  NodeLifecycleOptions options_;
  client::Informer* nodes_;
  client::Informer* pods_;
  client::Informer* leases_;
  client::EventRecorder recorder_;
  std::map<std::string, Health> health_;
  std::map<std::string, std::string> known_nodes_;  // name -> uid
  std::map<std::string, ZoneState> zone_states_;
  std::map<std::string, std::unique_ptr<lifecycle::RateLimitedTimedQueue>>
      tainters_;
  lifecycle::PodsByNode pods_by_node_;
  base::EventLoop::TimerId monitor_timer_ = 0;
  base::EventLoop::TimerId no_execute_timer_ = 0;
  std::shared_ptr<bool> alive_;
  base::WorkQueue queue_;
  std::unique_ptr<TaintEvictionController> taint_eviction_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_NODE_LIFECYCLE_H_
