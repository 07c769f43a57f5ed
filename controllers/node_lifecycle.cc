// NodeLifecycleController: informer wiring and the health monitor
// (monitorNodeHealth, tryUpdateNodeHealth, MarkPodsNotReady). Taints are in
// node_lifecycle_taints.cc.
#include "controllers/node_lifecycle.h"

#include <utility>

namespace ksim::controllers {

using base::Json;
using client::ObjectPtr;

namespace {

constexpr char kNodeLeaseNamespace[] = "kube-node-lease";

base::Time ParseTime(const Json* v, base::Time fallback) {
  if (v == nullptr || !v->is_string()) return fallback;
  return base::ParseRfc3339(v->get<std::string>()).value_or(fallback);
}

}  // namespace

NodeLifecycleController::NodeLifecycleController(
    const client::ClusterContext& ctx, NodeLifecycleOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      nodes_(ctx.informers->For(client::kNodes)),
      pods_(ctx.informers->For(client::kPods)),
      leases_(ctx.informers->For(client::kLeases)),
      recorder_(ctx.client, ctx.clock, "node-controller"),
      alive_(std::make_shared<bool>(true)),
      queue_(ctx.loop, {.name = "node-lifecycle-taints"},
             [this](const std::string& key) { return Reconcile(key); }) {
  std::weak_ptr<bool> alive = alive_;
  auto node_changed = [this, alive](const ObjectPtr& o) {
    if (!alive.expired()) queue_.Add(client::KeyOf(*o));
  };
  nodes_->AddEventHandlers(client::EventHandlers{
      node_changed,
      [node_changed](const ObjectPtr&, const ObjectPtr& n) { node_changed(n); },
      nullptr});
  pods_->AddEventHandlers(client::EventHandlers{
      [this, alive](const ObjectPtr& p) {
        if (!alive.expired()) OnPodChanged(p, false);
      },
      [this, alive](const ObjectPtr&, const ObjectPtr& p) {
        if (!alive.expired()) OnPodChanged(p, false);
      },
      [this, alive](const ObjectPtr& p) {
        if (!alive.expired()) OnPodChanged(p, true);
      }});
  if (options_.run_taint_eviction) {
    taint_eviction_ = std::make_unique<TaintEvictionController>(ctx);
  }
  ArmMonitor();
}

void NodeLifecycleController::ArmMonitor() {
  std::weak_ptr<bool> alive = alive_;
  monitor_timer_ =
      ctx_.loop->RunAfter(options_.node_monitor_period, [this, alive] {
        if (alive.expired()) return;
        monitor_timer_ = 0;
        MonitorNodeHealth();
      });
}

NodeLifecycleController::~NodeLifecycleController() {
  alive_.reset();
  queue_.ShutDown();
  if (monitor_timer_ != 0) ctx_.loop->Cancel(monitor_timer_);
  if (no_execute_timer_ != 0) ctx_.loop->Cancel(no_execute_timer_);
}

// processPod: a pod that lands on (or changes on) a node that is not Ready
// is marked not ready at once.
void NodeLifecycleController::OnPodChanged(const ObjectPtr& pod, bool deleted) {
  std::string key = client::KeyOf(*pod);
  pods_by_node_.Update(key, deleted ? nullptr : pod.get());
  if (deleted) return;
  std::string node_name = base::GetString(*pod, {"spec", "nodeName"});
  if (node_name.empty()) return;
  ObjectPtr node = nodes_->Get(node_name);
  if (node == nullptr) return;
  const Json* ready = lifecycle::FindCondition(*node, "Ready");
  if (ready == nullptr || ready->value("status", "") == "True") return;
  const Json* pod_ready = lifecycle::FindCondition(*pod, "Ready");
  if (pod_ready != nullptr && pod_ready->value("status", "") != "False") {
    MarkPodsNotReady(node_name);
  }
}

void NodeLifecycleController::MonitorNodeHealth() {
  std::vector<ObjectPtr> nodes = nodes_->List();
  std::set<std::string> seen;
  for (const ObjectPtr& n : nodes) {
    std::string name = client::KeyOf(*n);
    seen.insert(name);
    if (known_nodes_.count(name)) continue;
    std::string uid = base::GetString(*n, {"metadata", "uid"});
    known_nodes_[name] = uid;
    recorder_.Event(
        lifecycle::NodeRef(*n), "Normal", "RegisteredNode",
        "Node " + name + " event: Registered Node " + name + " in Controller");
    Tainter(lifecycle::ZoneKey(*n));
    MarkNodeAsReachable(*n);
  }
  for (auto it = known_nodes_.begin(); it != known_nodes_.end();) {
    if (seen.count(it->first)) {
      ++it;
      continue;
    }
    Json ref = {{"metadata", {{"name", it->first}, {"uid", it->second}}}};
    recorder_.Event(lifecycle::NodeRef(ref), "Normal", "RemovingNode",
                    "Node " + it->first + " event: Removing Node " + it->first +
                        " from Controller");
    health_.erase(it->first);
    it = known_nodes_.erase(it);
  }
  std::map<std::string, std::vector<std::string>> zone_to_ready;
  for (const ObjectPtr& n : nodes) {
    NodeResult r = TryUpdateNodeHealth(*n);
    if (base::Find(*n, {"metadata", "labels",
                        "node.kubernetes.io/exclude-disruption"}) == nullptr) {
      zone_to_ready[lifecycle::ZoneKey(*n)].push_back(r.current);
    }
    if (r.current.empty()) continue;
    ProcessTaintBaseEviction(*n, r.observed);
    if (r.current != "True" && r.observed == "True") {
      recorder_.Event(
          lifecycle::NodeRef(*n), "Normal", "NodeNotReady",
          "Node " + client::KeyOf(*n) + " status is now: NodeNotReady");
      MarkPodsNotReady(client::KeyOf(*n));
    }
  }
  HandleDisruption(zone_to_ready, nodes);
  if (monitor_timer_ == 0) ArmMonitor();
}

NodeLifecycleController::NodeResult
NodeLifecycleController::TryUpdateNodeHealth(Json node) {
  const std::string name = client::KeyOf(node);
  const base::Time now = ctx_.clock->Now();
  const base::Time created =
      ParseTime(base::Find(node, {"metadata", "creationTimestamp"}), now);
  auto hit = health_.find(name);
  Health* h = hit == health_.end() ? nullptr : &hit->second;
  const Json* cur = lifecycle::FindCondition(node, "Ready");
  Json observed;
  base::Duration grace = options_.node_monitor_grace_period;
  if (cur == nullptr) {
    std::string ts = base::FormatRfc3339(created);
    observed = {{"type", "Ready"},
                {"status", "Unknown"},
                {"lastHeartbeatTime", ts},
                {"lastTransitionTime", ts}};
    grace = options_.node_startup_grace_period;
    if (h != nullptr) {
      h->saved_ready.reset();
    } else {
      h = &health_[name];
      *h = Health{created, created, std::nullopt, std::nullopt};
    }
  } else {
    observed = *cur;
  }
  std::optional<Json> saved = h != nullptr ? h->saved_ready : std::nullopt;
  std::optional<base::Time> saved_lease =
      h != nullptr ? h->lease_renew : std::nullopt;
  std::optional<Json> cur_copy;
  if (cur != nullptr) cur_copy = *cur;
  auto fresh = [&](base::Time transition) {
    health_[name] = Health{now, transition, cur_copy, std::nullopt};
    h = &health_[name];
  };
  if (h == nullptr) {
    fresh(now);
  } else if (!saved && cur != nullptr) {
    fresh(now);
  } else if (saved && cur == nullptr) {
    fresh(now);
  } else if (saved && cur != nullptr &&
             saved->value("lastHeartbeatTime", "") !=
                 cur->value("lastHeartbeatTime", "")) {
    bool changed = saved->value("lastTransitionTime", "") !=
                   cur->value("lastTransitionTime", "");
    fresh(changed ? now : h->ready_transition);
  }
  // Always refresh the probe time when the node's Lease was renewed.
  ObjectPtr lease = leases_->Get(kNodeLeaseNamespace, name);
  if (lease != nullptr) {
    std::optional<base::Time> renew =
        base::ParseRfc3339(base::GetString(*lease, {"spec", "renewTime"}));
    if (renew && (!saved_lease || *saved_lease < *renew)) {
      h->lease_renew = renew;
      h->probe = now;
    }
  }
  NodeResult result{observed.value("status", ""),
                    cur != nullptr ? cur->value("status", "") : ""};
  if (now > h->probe + grace) {
    if (MarkConditionsUnknown(node, observed)) {
      const Json* ready = lifecycle::FindCondition(node, "Ready");
      result.current = ready->value("status", "");
      ctx_.client->UpdateStatus(client::kNodes, node);
      h->saved_ready = *ready;
      h->ready_transition = now;
    }
  }
  return result;
}

bool NodeLifecycleController::MarkConditionsUnknown(Json& node,
                                                    const Json& observed) {
  const std::string now = base::FormatRfc3339(ctx_.clock->Now());
  Json& conds = node["status"]["conditions"];
  if (!conds.is_array()) conds = Json::array();
  for (const char* type :
       {"Ready", "MemoryPressure", "DiskPressure", "PIDPressure"}) {
    Json* c = nullptr;
    for (Json& e : conds) {
      if (e.value("type", "") == type) c = &e;
    }
    if (c == nullptr) {
      conds.push_back(
          {{"type", type},
           {"status", "Unknown"},
           {"reason", "NodeStatusNeverUpdated"},
           {"message", "Kubelet never posted node status."},
           {"lastHeartbeatTime",
            base::GetString(node, {"metadata", "creationTimestamp"})},
           {"lastTransitionTime", now}});
    } else if (c->value("status", "") != "Unknown") {
      (*c)["status"] = "Unknown";
      (*c)["reason"] = "NodeStatusUnknown";
      (*c)["message"] = "Kubelet stopped posting node status.";
      (*c)["lastTransitionTime"] = now;
    }
  }
  const Json* ready = lifecycle::FindCondition(node, "Ready");
  return ready != nullptr && *ready != observed;
}

// controllerutil.MarkPodsNotReady for every pod bound to `node`.
void NodeLifecycleController::MarkPodsNotReady(const std::string& node) {
  const std::string now = base::FormatRfc3339(ctx_.clock->Now());
  for (const std::string& key : pods_by_node_.On(node)) {
    ObjectPtr pod = pods_->Get(key);
    if (pod == nullptr) continue;
    Json copy = *pod;
    Json* conds = &copy["status"]["conditions"];
    if (!conds->is_array()) continue;
    bool changed = false;
    for (Json& c : *conds) {
      if (c.value("type", "") != "Ready") continue;
      if (c.value("status", "") != "False") {
        c["status"] = "False";
        c["lastTransitionTime"] = now;
        changed = true;
      }
      break;
    }
    if (!changed) continue;
    ctx_.client->UpdateStatus(client::kPods, copy);
    recorder_.Event(
        lifecycle::PodRef(base::GetString(*pod, {"metadata", "namespace"}),
                          base::GetString(*pod, {"metadata", "name"}),
                          base::GetString(*pod, {"metadata", "uid"})),
        "Warning", "NodeNotReady", "Node is not ready");
  }
}

}  // namespace ksim::controllers
