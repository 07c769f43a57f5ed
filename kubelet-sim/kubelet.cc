// The node half of the Kubelet: registration, Lease, node status, SetDown,
// and informer wiring.
#include "kubelet-sim/kubelet.h"

#include "base/json.h"
#include "client/resource.h"

namespace ksim::kubelet {

using base::Json;

namespace {

// The kubelet retries a failed registration with backoff up to 7 s.
constexpr auto kRegisterRetry = std::chrono::seconds(7);

// A status without its heartbeat times, to tell a change from a heartbeat.
Json WithoutHeartbeats(Json status) {
  if (status.contains("conditions")) {
    for (auto& c : status["conditions"]) c.erase("lastHeartbeatTime");
  }
  return status;
}

}  // namespace

Kubelet::Kubelet(const client::ClusterContext& ctx, NodeConfig config,
                 ContainerLogStore* logs, bool own_handlers)
    : ctx_(ctx),
      config_(std::move(config)),
      logs_(logs),
      recorder_(ctx.client, ctx.clock, "kubelet", config_.name),
      queue_(ctx.loop, {.name = "kubelet-" + config_.name},
             [this](const std::string& key) { return Reconcile(key); }),
      identity_(NewNodeIdentity(ctx.rng)),
      alive_(std::make_shared<bool>(true)) {
  if (!config_.pod_cidr.empty()) {
    pod_cidr_ = config_.pod_cidr;
    ips_ = IpPool::Create(pod_cidr_);
  }
  if (!own_handlers) return;
  std::string me = config_.name;
  client::EventHandlers pods;
  auto mine = [me](const client::ObjectPtr& o) {
    return base::GetString(*o, {"spec", "nodeName"}) == me;
  };
  pods.on_add = [this, mine](const client::ObjectPtr& o) {
    if (mine(o)) OnPodEvent(client::KeyOf(*o));
  };
  pods.on_update = [this, mine](const client::ObjectPtr& old,
                                const client::ObjectPtr& o) {
    if (mine(o) || mine(old)) OnPodEvent(client::KeyOf(*o));
  };
  pods.on_delete = [this, mine](const client::ObjectPtr& o) {
    if (mine(o)) OnPodEvent(client::KeyOf(*o));
  };
  ctx_.informers->For(client::kPods)->AddEventHandlers(std::move(pods));
  client::EventHandlers nodes;
  nodes.on_add = [this, me](const client::ObjectPtr& o) {
    if (base::GetString(*o, {"metadata", "name"}) == me) OnNodeEvent(o);
  };
  nodes.on_update = [this, me](const client::ObjectPtr&,
                               const client::ObjectPtr& o) {
    if (base::GetString(*o, {"metadata", "name"}) == me) OnNodeEvent(o);
  };
  ctx_.informers->For(client::kNodes)->AddEventHandlers(std::move(nodes));
}

Kubelet::~Kubelet() { queue_.ShutDown(); }

void Kubelet::After(base::Duration d, std::function<void()> fn) {
  std::weak_ptr<bool> alive = alive_;
  ctx_.loop->RunAfter(d, [this, alive, fn = std::move(fn)]() mutable {
    if (alive.expired()) return;
    if (down_) {
      deferred_.push_back(std::move(fn));
      return;
    }
    fn();
  });
}

Json Kubelet::NodeRef() const {
  // The kubelet's nodeRef: the node's name doubles as its UID.
  return {{"kind", "Node"},
          {"metadata", {{"name", config_.name}, {"uid", config_.name}}}};
}

void Kubelet::Start() {
  if (started_) return;
  started_ = true;
  Register();
}

void Kubelet::Register() {
  if (down_) return;
  Json node = InitialNode(config_, identity_, ctx_.clock->Now());
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Create(
      client::kNodes, "", node, [this, alive](base::StatusOr<Json> r) {
        if (alive.expired()) return;
        if (r.ok()) {
          node_uid_ = base::GetString(*r, {"metadata", "uid"});
        } else if (r.status().code() == base::Code::kAlreadyExists) {
          // Adopt the node of an earlier run (kubelet
          // tryRegisterWithAPIServer).
          auto cur = ctx_.client->Get(client::kNodes, "", config_.name);
          if (!cur.ok()) {
            After(kRegisterRetry, [this] { Register(); });
            return;
          }
          node_uid_ = base::GetString(*cur, {"metadata", "uid"});
          OnNodeEvent(std::make_shared<const Json>(*cur));
        } else {
          After(kRegisterRetry, [this] { Register(); });
          return;
        }
        RecordNodeStartEvents();
        loops_running_ = true;
        RenewLease();
        SyncNodeStatus(true);
      });
}

void Kubelet::RecordNodeStartEvents() {
  Json ref = NodeRef();
  recorder_.Event(ref, "Normal", "Starting", "Starting kubelet.");
  for (const char* reason : {"NodeHasSufficientMemory", "NodeHasNoDiskPressure",
                             "NodeHasSufficientPID"}) {
    recorder_.Event(ref, "Normal", reason,
                    "Node " + config_.name + " status is now: " + reason);
  }
  recorder_.Event(ref, "Normal", "NodeAllocatableEnforced",
                  "Updated Node Allocatable limit across pods");
}

void Kubelet::RenewLease() {
  if (down_ || !loops_running_) return;
  uint64_t epoch = epoch_;
  std::weak_ptr<bool> alive = alive_;
  auto done = [this, alive](base::StatusOr<Json> r) {
    if (alive.expired()) return;
    if (r.ok()) {
      lease_ = *r;
    } else {
      lease_.reset();  // conflict or gone: start again from a fresh read
    }
  };
  base::Time now = ctx_.clock->Now();
  if (!lease_) {
    auto cur =
        ctx_.client->Get(client::kLeases, "kube-node-lease", config_.name);
    if (cur.ok()) lease_ = *cur;
  }
  if (lease_) {
    Json lease = *lease_;
    lease["spec"]["holderIdentity"] = config_.name;
    lease["spec"]["leaseDurationSeconds"] = config_.lease_duration_seconds;
    lease["spec"]["renewTime"] = base::FormatRfc3339Micro(now);
    ctx_.client->Update(client::kLeases, lease, done);
  } else {
    ctx_.client->Create(client::kLeases, "kube-node-lease",
                        NewLease(config_, node_uid_, now), done);
  }
  ctx_.loop->RunAfter(config_.lease_renew_interval, [this, alive, epoch] {
    if (!alive.expired() && epoch == epoch_) RenewLease();
  });
}

void Kubelet::SyncNodeStatus(bool force) {
  if (down_ || !loops_running_) return;
  uint64_t epoch = epoch_;
  std::weak_ptr<bool> alive = alive_;
  base::Time now = ctx_.clock->Now();
  client::ObjectPtr cur =
      ctx_.informers->For(client::kNodes)->Get(config_.name);
  Json current = cur ? *cur : Json::object();
  Json status = NodeStatus(config_, identity_, current, images_, now);
  Json plain = WithoutHeartbeats(status);
  // A Ready condition that is not True in the stored node (the node
  // lifecycle controller marked it Unknown while we were away) is a change,
  // as nodeStatusHasChanged compares against the stored node.
  bool was_ready = true;
  if (const Json* conds = base::Find(current, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      if (c.value("type", "") == "Ready") {
        was_ready = c.value("status", "") == "True";
      }
    }
  }
  if (force || !was_ready || plain != last_node_status_ ||
      now - last_status_report_ >= config_.status_report_frequency) {
    if (!was_ready) {
      recorder_.Event(NodeRef(), "Normal", "NodeReady",
                      "Node " + config_.name + " status is now: NodeReady");
    }
    last_node_status_ = plain;
    last_status_report_ = now;
    ctx_.client->Patch(client::kNodes, "", config_.name,
                       client::PatchType::kStrategicMerge,
                       Json{{"status", status}}, "status");
  }
  ctx_.loop->RunAfter(config_.status_update_frequency, [this, alive, epoch] {
    if (!alive.expired() && epoch == epoch_) SyncNodeStatus(false);
  });
}

void Kubelet::OnNodeEvent(const client::ObjectPtr& node) {
  if (pod_cidr_.empty()) {
    std::string cidr = base::GetString(*node, {"spec", "podCIDR"});
    if (!cidr.empty()) {
      pod_cidr_ = cidr;
      ips_ = IpPool::Create(cidr);
      // Pods waiting for a sandbox can go on now.
      for (auto& [key, p] : pods_) {
        if (!p.sandbox_ready) queue_.Add(key);
      }
    }
  }
}

void Kubelet::SetDown(bool down) {
  if (down == down_) return;
  down_ = down;
  ++epoch_;
  if (down) return;
  // Back up: a restarted kubelet announces itself and resumes everything,
  // including the container timers that came due meanwhile, in order.
  auto deferred = std::move(deferred_);
  deferred_.clear();
  for (auto& fn : deferred) fn();
  if (!started_) return;
  if (node_uid_.empty()) {
    Register();
    return;
  }
  RecordNodeStartEvents();
  loops_running_ = true;
  lease_.reset();
  RenewLease();
  SyncNodeStatus(true);
  for (const auto& [key, p] : pods_) queue_.Add(key);
  for (const auto& obj : ctx_.informers->For(client::kPods)->List()) {
    if (base::GetString(*obj, {"spec", "nodeName"}) == config_.name) {
      queue_.Add(client::KeyOf(*obj));
    }
  }
}

std::string Kubelet::PodIP(const std::string& key) const {
  auto it = pods_.find(key);
  return it == pods_.end() ? "" : it->second.ip;
}

}  // namespace ksim::kubelet
