// SchedulerCache: kube-scheduler's internal cache. Per node it keeps the
// aggregates every filter and score reads (requested and non-zero requested
// resources, pod count, host ports in use, pods per owner, pods per
// priority), updated incrementally as pods are assumed, bound, confirmed by
// the informer or removed, so a decision never scans pods.
//
// Assume-then-bind: a pod is accounted on its node as soon as it is chosen
// (Assume); the informer's update confirms it (AddPod on the same node is a
// no-op), a failed bind forgets it (RemovePod).
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_SCHEDULER_CACHE_H_
#define KSIM_CONTROLLERS_SCHEDULER_CACHE_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "controllers/scheduler_types.h"

namespace ksim::controllers::sched {

struct NodeInfo {
  NodeStatic node;
  bool has_node = false;  // false while only pods name it (node not seen)
  Resources requested;
  Resources nonzero_requested;
  int64_t pod_count = 0;
  std::vector<HostPort> used_ports;  // one entry per pod port
  // Pods per controller owner uid, not counting terminating pods
  // (PodTopologySpread's countPodsMatchSelector skips them).
  std::map<std::string, int> owner_counts;
  std::map<int32_t, int> priority_counts;
};

class SchedulerCache {
 public:
  // Adds or replaces a node's static part.
  void SetNode(NodeStatic node);
  void RemoveNode(const std::string& name);

  // Accounts `pod` on `node` (assumed). Replaces an earlier entry of the
  // same pod key on any node.
  void Assume(const PodInfo& pod, const std::string& node);
  // An assigned pod as the informer sees it: accounted on pod.node_name.
  void AddPod(const PodInfo& pod);
  void RemovePod(const std::string& pod_key);
  // The node a pod is accounted on, or "".
  std::string NodeOf(const std::string& pod_key) const;

  const NodeInfo* Get(const std::string& name) const;
  // Nodes that exist (has_node), in name order.
  const std::vector<const NodeInfo*>& Nodes() const;
  size_t NodeCount() const;

 private:
  struct Entry {
    std::string node;
    Resources requests;
    Resources nonzero;
    std::vector<HostPort> ports;
    std::string owner_uid;
    bool terminating = false;
    int32_t priority = 0;
  };
  void Account(const Entry& e, int sign);

  std::map<std::string, NodeInfo> nodes_;
  std::map<std::string, Entry> pods_;
  mutable std::vector<const NodeInfo*> node_list_;
  mutable bool node_list_dirty_ = true;
};

}  // namespace ksim::controllers::sched

#endif  // KSIM_CONTROLLERS_SCHEDULER_CACHE_H_
