#include "controllers/node_lifecycle_util.h"

#include <algorithm>
#include <chrono>

namespace ksim::controllers::lifecycle {

void TokenBucket::Reset(double qps, base::Time now) {
  qps_ = qps;
  tokens_ = 1;
  last_ = now;
}

bool TokenBucket::TryAccept(base::Time now) {
  if (qps_ <= 0) return false;
  double elapsed = std::chrono::duration<double>(now - last_).count();
  if (elapsed > 0) tokens_ = std::min(1.0, tokens_ + elapsed * qps_);
  last_ = now;
  if (tokens_ < 1) return false;
  tokens_ -= 1;
  return true;
}

bool RateLimitedTimedQueue::Add(const std::string& node, base::Time now) {
  if (!set_.insert(node).second) return false;
  queue_.push_back({node, now});
  return true;
}

void RateLimitedTimedQueue::Remove(const std::string& node) {
  if (set_.erase(node) == 0) return;
  queue_.erase(std::remove_if(queue_.begin(), queue_.end(),
                              [&](const Item& i) { return i.node == node; }),
               queue_.end());
}

void RateLimitedTimedQueue::SwapLimiter(double qps, base::Time now) {
  if (limiter_.qps() == qps) return;
  bool was_waiting = !TokenBucket(limiter_).TryAccept(now);
  limiter_.Reset(qps, now);
  if (was_waiting) limiter_.TryAccept(now);
}

Json NodeRef(const Json& node) {
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"name", base::GetString(node, {"metadata", "name"})},
            {"uid", base::GetString(node, {"metadata", "uid"})}}}};
}

Json PodRef(const std::string& ns, const std::string& name,
            const std::string& uid) {
  Json ref = {{"kind", "Pod"},
              {"apiVersion", "v1"},
              {"metadata", {{"namespace", ns}, {"name", name}}}};
  if (!uid.empty()) ref["metadata"]["uid"] = uid;
  return ref;
}

std::string ZoneKey(const Json& node) {
  auto label = [&](const char* a, const char* b) {
    std::string v = base::GetString(node, {"metadata", "labels", a});
    return v.empty() ? base::GetString(node, {"metadata", "labels", b}) : v;
  };
  std::string region = label("topology.kubernetes.io/region",
                             "failure-domain.beta.kubernetes.io/region");
  std::string zone = label("topology.kubernetes.io/zone",
                           "failure-domain.beta.kubernetes.io/zone");
  if (region.empty() && zone.empty()) return "";
  return region + ":" + std::string(1, '\0') + ":" + zone;
}

const Json* FindCondition(const Json& obj, const std::string& type) {
  const Json* conds = base::Find(obj, {"status", "conditions"});
  if (conds == nullptr || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

bool HasTaint(const Json& node, const std::string& key,
              const std::string& effect) {
  const Json* taints = base::Find(node, {"spec", "taints"});
  if (taints == nullptr || !taints->is_array()) return false;
  for (const Json& t : *taints) {
    if (t.value("key", "") == key && t.value("effect", "") == effect) {
      return true;
    }
  }
  return false;
}

void PodsByNode::Update(const std::string& pod_key, const Json* pod) {
  std::string node =
      pod != nullptr ? base::GetString(*pod, {"spec", "nodeName"}) : "";
  auto it = node_of_.find(pod_key);
  if (it != node_of_.end()) {
    if (it->second == node) return;
    auto set = by_node_.find(it->second);
    set->second.erase(pod_key);
    if (set->second.empty()) by_node_.erase(set);
    node_of_.erase(it);
  }
  if (node.empty()) return;
  node_of_[pod_key] = node;
  by_node_[node].insert(pod_key);
}

const std::set<std::string>& PodsByNode::On(const std::string& node) const {
  static const std::set<std::string> kNone;
  auto it = by_node_.find(node);
  return it == by_node_.end() ? kNone : it->second;
}

}  // namespace ksim::controllers::lifecycle
