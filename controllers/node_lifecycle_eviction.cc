#include "controllers/node_lifecycle_eviction.h"

#include <algorithm>
#include <limits>

namespace ksim::controllers {

using base::Json;
using client::ObjectPtr;

namespace {

bool IsNoExecute(const std::string& effect) { return effect == "NoExecute"; }

std::vector<sched::Taint> NoExecuteTaints(const Json& node) {
  std::vector<sched::Taint> out;
  for (sched::Taint& t :
       sched::ParseTaints(base::Find(node, {"spec", "taints"}))) {
    if (IsNoExecute(t.effect)) out.push_back(std::move(t));
  }
  return out;
}

bool SameTaints(const std::vector<sched::Taint>& a,
                const std::vector<sched::Taint>& b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (a[i].key != b[i].key || a[i].value != b[i].value ||
        a[i].time_added != b[i].time_added) {
      return false;
    }
  }
  return true;
}

Json Tolerations(const Json& pod) {
  const Json* t = base::Find(pod, {"spec", "tolerations"});
  return t != nullptr ? *t : Json();
}

// getMinTolerationTime: -1 tolerates forever.
int64_t MinTolerationSeconds(const std::vector<sched::Toleration>& used) {
  if (used.empty()) return 0;
  int64_t min = std::numeric_limits<int64_t>::max();
  for (const sched::Toleration& t : used) {
    if (!t.seconds) continue;
    if (*t.seconds <= 0) return 0;
    min = std::min(min, *t.seconds);
  }
  return min == std::numeric_limits<int64_t>::max() ? -1 : min;
}

}  // namespace

TaintEvictionController::TaintEvictionController(
    const client::ClusterContext& ctx)
    : ctx_(ctx),
      nodes_(ctx.informers->For(client::kNodes)),
      pods_(ctx.informers->For(client::kPods)),
      recorder_(ctx.client, ctx.clock, "taint-eviction-controller"),
      alive_(std::make_shared<bool>(true)),
      queue_(ctx.loop, {.name = "taint-eviction"},
             [this](const std::string& key) { return Reconcile(key); }) {
  std::weak_ptr<bool> alive = alive_;
  auto node_key = [](const Json& n) { return "node:" + client::KeyOf(n); };
  nodes_->AddEventHandlers(client::EventHandlers{
      [=, this](const ObjectPtr& n) {
        if (!alive.expired() && !NoExecuteTaints(*n).empty()) {
          queue_.Add(node_key(*n));
        }
      },
      [=, this](const ObjectPtr& o, const ObjectPtr& n) {
        if (!alive.expired() &&
            !SameTaints(NoExecuteTaints(*o), NoExecuteTaints(*n))) {
          queue_.Add(node_key(*n));
        }
      },
      [=, this](const ObjectPtr& n) {
        if (!alive.expired()) queue_.Add(node_key(*n));
      }});
  pods_->AddEventHandlers(client::EventHandlers{
      [=, this](const ObjectPtr& p) {
        if (alive.expired()) return;
        pods_by_node_.Update(client::KeyOf(*p), p.get());
        if (!base::GetString(*p, {"spec", "nodeName"}).empty()) {
          queue_.Add("pod:" + client::KeyOf(*p));
        }
      },
      [=, this](const ObjectPtr& o, const ObjectPtr& p) {
        if (alive.expired()) return;
        pods_by_node_.Update(client::KeyOf(*p), p.get());
        if (base::GetString(*o, {"spec", "nodeName"}) !=
                base::GetString(*p, {"spec", "nodeName"}) ||
            Tolerations(*o) != Tolerations(*p)) {
          queue_.Add("pod:" + client::KeyOf(*p));
        }
      },
      [=, this](const ObjectPtr& p) {
        if (alive.expired()) return;
        pods_by_node_.Update(client::KeyOf(*p), nullptr);
        queue_.Add("pod:" + client::KeyOf(*p));
      }});
}

TaintEvictionController::~TaintEvictionController() {
  alive_.reset();
  queue_.ShutDown();
  for (auto& [key, w] : work_) {
    if (w.timer != 0) ctx_.loop->Cancel(w.timer);
  }
}

base::Status TaintEvictionController::Reconcile(const std::string& key) {
  if (key.rfind("node:", 0) == 0) {
    HandleNode(key.substr(5));
  } else if (key.rfind("pod:", 0) == 0) {
    HandlePod(key.substr(4));
  }
  return base::Status::Ok();
}

std::optional<base::Time> TaintEvictionController::ScheduledEviction(
    const std::string& pod_key) const {
  auto it = work_.find(pod_key);
  if (it == work_.end() || it->second.timer == 0) return std::nullopt;
  return it->second.fire_at;
}

void TaintEvictionController::HandleNode(const std::string& name) {
  ObjectPtr node = nodes_->Get(name);
  if (node == nullptr) {
    tainted_nodes_.erase(name);
    return;
  }
  std::vector<sched::Taint> taints = NoExecuteTaints(*node);
  if (taints.empty()) {
    tainted_nodes_.erase(name);
  } else {
    tainted_nodes_[name] = taints;
  }
  // A copy: cancelling and evicting do not change the index, but stay safe.
  std::set<std::string> pods = pods_by_node_.On(name);
  for (const std::string& key : pods) {
    if (taints.empty()) {
      CancelWorkWithEvent(key);
      continue;
    }
    ObjectPtr pod = pods_->Get(key);
    if (pod == nullptr) continue;
    ProcessPodOnNode(
        key, sched::ParseTolerations(base::Find(*pod, {"spec", "tolerations"})),
        taints);
  }
}

void TaintEvictionController::HandlePod(const std::string& key) {
  ObjectPtr pod = pods_->Get(key);
  if (pod == nullptr) {
    CancelWorkWithEvent(key);
    return;
  }
  std::string node = base::GetString(*pod, {"spec", "nodeName"});
  if (node.empty()) return;
  auto it = tainted_nodes_.find(node);
  if (it == tainted_nodes_.end()) return;
  ProcessPodOnNode(
      key, sched::ParseTolerations(base::Find(*pod, {"spec", "tolerations"})),
      it->second);
}

void TaintEvictionController::ProcessPodOnNode(
    const std::string& pod_key,
    const std::vector<sched::Toleration>& tolerations,
    const std::vector<sched::Taint>& taints) {
  base::Time now = ctx_.clock->Now();
  if (taints.empty()) CancelWorkWithEvent(pod_key);
  // GetMatchingTolerations: the first toleration of each taint.
  std::vector<sched::Toleration> used;
  for (const sched::Taint& taint : taints) {
    auto t = std::find_if(tolerations.begin(), tolerations.end(),
                          [&](const sched::Toleration& tol) {
                            return sched::ToleratesTaint(tol, taint);
                          });
    if (t == tolerations.end()) {
      CancelWorkWithEvent(pod_key);
      AddWork(pod_key, now, now);
      return;
    }
    used.push_back(*t);
  }
  int64_t seconds = MinTolerationSeconds(used);
  if (seconds < 0) {
    CancelWorkWithEvent(pod_key);
    return;
  }
  base::Time start = now;
  base::Time trigger = now + std::chrono::seconds(seconds);
  auto it = work_.find(pod_key);
  if (it != work_.end()) {
    start = it->second.created;
    if (start + std::chrono::seconds(seconds) < trigger) return;
    CancelWorkWithEvent(pod_key);
  }
  AddWork(pod_key, start, trigger);
}

void TaintEvictionController::AddWork(const std::string& pod_key,
                                      base::Time created, base::Time fire_at) {
  if (work_.count(pod_key)) return;  // already scheduled or done
  std::weak_ptr<bool> alive = alive_;
  Work& w = work_[pod_key];
  w.created = created;
  w.fire_at = fire_at;
  w.timer = ctx_.loop->RunAt(fire_at, [this, alive, pod_key] {
    if (!alive.expired()) Evict(pod_key);
  });
}

void TaintEvictionController::CancelWorkWithEvent(const std::string& pod_key) {
  auto it = work_.find(pod_key);
  if (it == work_.end()) return;
  bool pending = it->second.timer != 0;
  if (pending) ctx_.loop->Cancel(it->second.timer);
  work_.erase(it);
  if (!pending) return;
  std::string ns, name;
  client::SplitKey(pod_key, &ns, &name);
  recorder_.Event(lifecycle::PodRef(ns, name), "Normal", "TaintManagerEviction",
                  "Cancelling deletion of Pod " + pod_key);
}

// deletePodHandler: the event, then DisruptionTarget, then the delete.
void TaintEvictionController::Evict(const std::string& pod_key) {
  auto it = work_.find(pod_key);
  if (it != work_.end()) it->second.timer = 0;
  std::string ns, name;
  client::SplitKey(pod_key, &ns, &name);
  recorder_.Event(lifecycle::PodRef(ns, name), "Normal", "TaintManagerEviction",
                  "Marking for deletion Pod " + pod_key);
  ObjectPtr pod = pods_->Get(pod_key);
  if (pod == nullptr) return;
  const Json* cond = lifecycle::FindCondition(*pod, "DisruptionTarget");
  if (cond == nullptr || cond->value("status", "") != "True" ||
      cond->value("reason", "") != "DeletionByTaintManager") {
    Json c = {{"type", "DisruptionTarget"},
              {"status", "True"},
              {"reason", "DeletionByTaintManager"},
              {"message", "Taint manager: deleting due to NoExecute taint"},
              {"lastProbeTime", nullptr},
              {"lastTransitionTime", base::FormatRfc3339(ctx_.clock->Now())}};
    ctx_.client->Patch(
        client::kPods, ns, name, client::PatchType::kStrategicMerge,
        {{"status", {{"conditions", Json::array({c})}}}}, "status");
  }
  ctx_.client->Delete(client::kPods, ns, name);
}

}  // namespace ksim::controllers
