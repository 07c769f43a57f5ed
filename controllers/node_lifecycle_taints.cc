// NodeLifecycleController: taints. NoSchedule taints mirror node
// conditions (doNoScheduleTaintingPass); NoExecute not-ready/unreachable
// taints go through rate-limited per-zone queues (doNoExecuteTaintingPass,
// processTaintBaseEviction, handleDisruption).
#include <algorithm>

#include "controllers/node_lifecycle.h"

namespace ksim::controllers {

using base::Json;
using client::ObjectPtr;
using lifecycle::kNotReadyTaint;
using lifecycle::kUnreachableTaint;

namespace {

Json TaintOf(const std::string& key, const std::string& effect) {
  return {{"key", key}, {"effect", effect}};
}

bool SameTaint(const Json& a, const Json& b) {
  return a.value("key", "") == b.value("key", "") &&
         a.value("effect", "") == b.value("effect", "");
}

// nodeConditionToTaintKeyStatusMap.
std::string ConditionTaintKey(const std::string& type,
                              const std::string& status) {
  if (type == "Ready") {
    if (status == "False") return kNotReadyTaint;
    if (status == "Unknown") return kUnreachableTaint;
    return "";
  }
  if (status != "True") return "";
  if (type == "MemoryPressure") return "node.kubernetes.io/memory-pressure";
  if (type == "DiskPressure") return "node.kubernetes.io/disk-pressure";
  if (type == "NetworkUnavailable") {
    return "node.kubernetes.io/network-unavailable";
  }
  if (type == "PIDPressure") return "node.kubernetes.io/pid-pressure";
  return "";
}

bool IsConditionTaintKey(const std::string& key) {
  for (const char* k :
       {kNotReadyTaint, kUnreachableTaint, "node.kubernetes.io/memory-pressure",
        "node.kubernetes.io/disk-pressure",
        "node.kubernetes.io/network-unavailable",
        "node.kubernetes.io/pid-pressure"}) {
    if (key == k) return true;
  }
  return false;
}

}  // namespace

bool NodeLifecycleController::SwapTaints(const Json& node,
                                         const std::vector<Json>& add,
                                         const std::vector<Json>& remove) {
  Json taints = Json::array();
  bool changed = false;
  if (const Json* cur = base::Find(node, {"spec", "taints"})) {
    for (const Json& t : cur->is_array() ? *cur : Json::array()) {
      bool drop = std::any_of(remove.begin(), remove.end(),
                              [&](const Json& r) { return SameTaint(r, t); });
      if (drop) {
        changed = true;
      } else {
        taints.push_back(t);
      }
    }
  }
  const std::string now = base::FormatRfc3339(ctx_.clock->Now());
  for (const Json& a : add) {
    bool have = std::any_of(taints.begin(), taints.end(),
                            [&](const Json& t) { return SameTaint(a, t); });
    if (have) continue;
    Json t = a;
    t["timeAdded"] = now;
    taints.push_back(std::move(t));
    changed = true;
  }
  if (!changed) return false;
  // PatchNodeTaints: the whole list, guarded by the resourceVersion.
  Json patch = {
      {"metadata",
       {{"resourceVersion",
         base::GetString(node, {"metadata", "resourceVersion"})}}},
      {"spec", {{"taints", taints.empty() ? Json(nullptr) : taints}}}};
  std::string name = client::KeyOf(node);
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Patch(client::kNodes, "", name,
                     client::PatchType::kStrategicMerge, std::move(patch), "",
                     [this, alive, name](base::StatusOr<Json> r) {
                       // A conflict or a lost write: look again.
                       if (!alive.expired() && !r.ok()) {
                         queue_.AddRateLimited(name);
                       }
                     });
  return true;
}

base::Status NodeLifecycleController::Reconcile(const std::string& name) {
  ObjectPtr node = nodes_->Get(name);
  if (node == nullptr) return base::Status::Ok();
  std::vector<Json> desired;
  if (const Json* conds = base::Find(*node, {"status", "conditions"})) {
    for (const Json& c : conds->is_array() ? *conds : Json::array()) {
      std::string key =
          ConditionTaintKey(c.value("type", ""), c.value("status", ""));
      if (!key.empty()) desired.push_back(TaintOf(key, "NoSchedule"));
    }
  }
  const Json* unsched = base::Find(*node, {"spec", "unschedulable"});
  if (unsched != nullptr && unsched->is_boolean() && unsched->get<bool>()) {
    desired.push_back(TaintOf(lifecycle::kUnschedulableTaint, "NoSchedule"));
  }
  std::vector<Json> remove;
  if (const Json* cur = base::Find(*node, {"spec", "taints"})) {
    for (const Json& t : cur->is_array() ? *cur : Json::array()) {
      std::string key = t.value("key", "");
      if (t.value("effect", "") != "NoSchedule") continue;
      if (key != lifecycle::kUnschedulableTaint && !IsConditionTaintKey(key)) {
        continue;
      }
      bool wanted = std::any_of(desired.begin(), desired.end(),
                                [&](const Json& d) { return SameTaint(d, t); });
      if (!wanted) remove.push_back(t);
    }
  }
  SwapTaints(*node, desired, remove);
  return base::Status::Ok();
}

lifecycle::RateLimitedTimedQueue& NodeLifecycleController::Tainter(
    const std::string& zone) {
  auto& q = tainters_[zone];
  if (q == nullptr) {
    q = std::make_unique<lifecycle::RateLimitedTimedQueue>(
        options_.node_eviction_rate, ctx_.clock->Now());
    zone_states_.emplace(zone, ZoneState::kInitial);
  }
  return *q;
}

void NodeLifecycleController::ProcessTaintBaseEviction(
    const Json& node, const std::string& observed) {
  if (observed == "False") {
    if (lifecycle::HasTaint(node, kUnreachableTaint, "NoExecute")) {
      SwapTaints(node, {TaintOf(kNotReadyTaint, "NoExecute")},
                 {TaintOf(kUnreachableTaint, "NoExecute")});
    } else {
      MarkNodeForTainting(node, observed);
    }
  } else if (observed == "Unknown") {
    if (lifecycle::HasTaint(node, kNotReadyTaint, "NoExecute")) {
      SwapTaints(node, {TaintOf(kUnreachableTaint, "NoExecute")},
                 {TaintOf(kNotReadyTaint, "NoExecute")});
    } else {
      MarkNodeForTainting(node, observed);
    }
  } else if (observed == "True") {
    MarkNodeAsReachable(node);
  }
}

void NodeLifecycleController::MarkNodeForTainting(const Json& node,
                                                  const std::string& status) {
  std::string name = client::KeyOf(node);
  lifecycle::RateLimitedTimedQueue& q = Tainter(lifecycle::ZoneKey(node));
  const char* key = status == "False" ? kNotReadyTaint : kUnreachableTaint;
  if (!lifecycle::HasTaint(node, key, "NoExecute")) q.Remove(name);
  q.Add(name, ctx_.clock->Now());
  ArmNoExecutePass();
}

void NodeLifecycleController::MarkNodeAsReachable(const Json& node) {
  SwapTaints(node, {},
             {TaintOf(kUnreachableTaint, "NoExecute"),
              TaintOf(kNotReadyTaint, "NoExecute")});
  Tainter(lifecycle::ZoneKey(node)).Remove(client::KeyOf(node));
}

void NodeLifecycleController::NoExecuteTaintingPass() {
  base::Time now = ctx_.clock->Now();
  for (auto& [zone, q] : tainters_) {
    q->Try(now, [&](const std::string& name) -> std::optional<base::Duration> {
      ObjectPtr node = nodes_->Get(name);
      if (node == nullptr) return std::nullopt;
      const Json* ready = lifecycle::FindCondition(*node, "Ready");
      if (ready == nullptr) return std::chrono::milliseconds(50);
      std::string status = ready->value("status", "");
      if (status == "False") {
        SwapTaints(*node, {TaintOf(kNotReadyTaint, "NoExecute")},
                   {TaintOf(kUnreachableTaint, "NoExecute")});
      } else if (status == "Unknown") {
        SwapTaints(*node, {TaintOf(kUnreachableTaint, "NoExecute")},
                   {TaintOf(kNotReadyTaint, "NoExecute")});
      }
      return std::nullopt;
    });
  }
  ArmNoExecutePass();
}

void NodeLifecycleController::ArmNoExecutePass() {
  if (no_execute_timer_ != 0) return;
  bool pending = std::any_of(tainters_.begin(), tainters_.end(),
                             [](const auto& z) { return !z.second->empty(); });
  if (!pending) return;
  std::weak_ptr<bool> alive = alive_;
  no_execute_timer_ =
      ctx_.loop->RunAfter(options_.node_eviction_period, [this, alive] {
        if (alive.expired()) return;
        no_execute_timer_ = 0;
        NoExecuteTaintingPass();
      });
}

void NodeLifecycleController::SetLimiterInZone(const std::string& zone,
                                               size_t size, ZoneState state) {
  double qps = options_.node_eviction_rate;
  if (state == ZoneState::kPartialDisruption) {
    qps = static_cast<int>(size) > options_.large_cluster_size_threshold
              ? options_.secondary_node_eviction_rate
              : 0;
  }
  Tainter(zone).SwapLimiter(qps, ctx_.clock->Now());
}

void NodeLifecycleController::HandleDisruption(
    const std::map<std::string, std::vector<std::string>>& zone_to_ready,
    const std::vector<ObjectPtr>& nodes) {
  std::map<std::string, ZoneState> new_states;
  bool all_fully_disrupted = true;
  for (const auto& [zone, statuses] : zone_to_ready) {
    size_t ready = std::count(statuses.begin(), statuses.end(), "True");
    size_t not_ready = statuses.size() - ready;
    ZoneState s = ZoneState::kNormal;
    if (ready == 0 && not_ready > 0) {
      s = ZoneState::kFullDisruption;
    } else if (not_ready > 2 &&
               static_cast<double>(not_ready) / statuses.size() >=
                   options_.unhealthy_zone_threshold) {
      s = ZoneState::kPartialDisruption;
    }
    if (s != ZoneState::kFullDisruption) all_fully_disrupted = false;
    new_states[zone] = s;
    Tainter(zone);
  }
  bool all_were_fully_disrupted = true;
  for (auto it = zone_states_.begin(); it != zone_states_.end();) {
    if (!zone_to_ready.count(it->first)) {
      it = zone_states_.erase(it);
      continue;
    }
    if (it->second != ZoneState::kFullDisruption)
      all_were_fully_disrupted = false;
    ++it;
  }
  if (all_fully_disrupted && all_were_fully_disrupted) return;
  base::Time now = ctx_.clock->Now();
  if (all_fully_disrupted) {
    // Every node is down: more likely the control plane lost them than
    // they all died, so nothing is evicted ("master disruption mode").
    for (const ObjectPtr& n : nodes) MarkNodeAsReachable(*n);
    for (auto& [zone, state] : zone_states_) {
      Tainter(zone).SwapLimiter(0, now);
      state = ZoneState::kFullDisruption;
    }
    return;
  }
  if (all_were_fully_disrupted) {
    for (const ObjectPtr& n : nodes) {
      Health& h = health_[client::KeyOf(*n)];
      h.probe = now;
      h.ready_transition = now;
    }
  }
  for (auto& [zone, state] : zone_states_) {
    ZoneState s = new_states[zone];
    if (!all_were_fully_disrupted && state == s) continue;
    SetLimiterInZone(zone, zone_to_ready.at(zone).size(), s);
    state = s;
  }
}

}  // namespace ksim::controllers
