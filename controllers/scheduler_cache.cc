#include "controllers/scheduler_cache.h"

#include <algorithm>

namespace ksim::controllers::sched {

void SchedulerCache::SetNode(NodeStatic node) {
  NodeInfo& info = nodes_[node.name];
  if (!info.has_node) node_list_dirty_ = true;
  info.node = std::move(node);
  info.has_node = true;
}

void SchedulerCache::RemoveNode(const std::string& name) {
  auto it = nodes_.find(name);
  if (it == nodes_.end()) return;
  node_list_dirty_ = true;
  // Pods still bound to it keep their entry until they are removed; a node
  // that comes back under the same name sees them again.
  if (it->second.pod_count == 0) {
    nodes_.erase(it);
  } else {
    it->second.has_node = false;
    it->second.node = NodeStatic{name, {}, {}, false, {}, 0};
  }
}

void SchedulerCache::Account(const Entry& e, int sign) {
  NodeInfo& n = nodes_[e.node];
  if (!n.has_node && n.node.name.empty()) n.node.name = e.node;
  if (sign > 0) {
    n.requested.Add(e.requests);
    n.nonzero_requested.Add(e.nonzero);
    n.used_ports.insert(n.used_ports.end(), e.ports.begin(), e.ports.end());
  } else {
    n.requested.Sub(e.requests);
    n.nonzero_requested.Sub(e.nonzero);
    for (const HostPort& p : e.ports) {
      auto it = std::find_if(
          n.used_ports.begin(), n.used_ports.end(), [&](const HostPort& u) {
            return u.port == p.port && u.ip == p.ip && u.protocol == p.protocol;
          });
      if (it != n.used_ports.end()) n.used_ports.erase(it);
    }
  }
  n.pod_count += sign;
  if (!e.owner_uid.empty() && !e.terminating) {
    int& c = n.owner_counts[e.owner_uid];
    c += sign;
    if (c == 0) n.owner_counts.erase(e.owner_uid);
  }
  int& pc = n.priority_counts[e.priority];
  pc += sign;
  if (pc == 0) n.priority_counts.erase(e.priority);
  if (!n.has_node && n.pod_count == 0) {
    nodes_.erase(e.node);
    node_list_dirty_ = true;
  }
}

void SchedulerCache::Assume(const PodInfo& pod, const std::string& node) {
  RemovePod(pod.key);
  Entry e{node,          pod.requests,    pod.nonzero, pod.host_ports,
          pod.owner_uid, pod.terminating, pod.priority};
  Account(e, +1);
  pods_.emplace(pod.key, std::move(e));
}

void SchedulerCache::AddPod(const PodInfo& pod) {
  auto it = pods_.find(pod.key);
  if (it != pods_.end() && it->second.node == pod.node_name &&
      it->second.terminating == pod.terminating) {
    return;  // confirms what was assumed or already known
  }
  Assume(pod, pod.node_name);
}

void SchedulerCache::RemovePod(const std::string& pod_key) {
  auto it = pods_.find(pod_key);
  if (it == pods_.end()) return;
  Entry e = std::move(it->second);
  pods_.erase(it);
  Account(e, -1);
}

std::string SchedulerCache::NodeOf(const std::string& pod_key) const {
  auto it = pods_.find(pod_key);
  return it == pods_.end() ? "" : it->second.node;
}

const NodeInfo* SchedulerCache::Get(const std::string& name) const {
  auto it = nodes_.find(name);
  return it == nodes_.end() || !it->second.has_node ? nullptr : &it->second;
}

const std::vector<const NodeInfo*>& SchedulerCache::Nodes() const {
  if (node_list_dirty_) {
    node_list_.clear();
    for (const auto& [name, info] : nodes_) {
      if (info.has_node) node_list_.push_back(&info);
    }
    node_list_dirty_ = false;
  }
  return node_list_;
}

size_t SchedulerCache::NodeCount() const { return Nodes().size(); }

}  // namespace ksim::controllers::sched
