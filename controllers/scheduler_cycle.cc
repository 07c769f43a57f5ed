// Scheduler: one scheduling cycle (schedule_one.go) — find feasible nodes,
// score them, pick the best, assume, bind; or record why the pod fits
// nowhere.
#include <algorithm>

#include "base/clock.h"
#include "controllers/scheduler.h"

namespace ksim::controllers {

using base::Json;

namespace {

// minFeasibleNodesToFind and the adaptive percentageOfNodesToScore.
size_t NumFeasibleNodesToFind(size_t all) {
  constexpr size_t kMinFeasible = 100;
  if (all < kMinFeasible) return all;
  int64_t percentage = 50 - static_cast<int64_t>(all) / 125;
  if (percentage < 5) percentage = 5;
  size_t n = all * percentage / 100;
  return n < kMinFeasible ? kMinFeasible : n;
}

// The involved object of the scheduler's events.
Json PodRef(const sched::PodInfo& pod, const Json* obj) {
  Json ref = {{"kind", "Pod"},
              {"apiVersion", "v1"},
              {"metadata", {{"namespace", pod.ns}, {"name", pod.name}}}};
  if (!pod.uid.empty()) ref["metadata"]["uid"] = pod.uid;
  if (obj != nullptr) {
    std::string rv = base::GetString(*obj, {"metadata", "resourceVersion"});
    if (!rv.empty()) ref["metadata"]["resourceVersion"] = rv;
  }
  return ref;
}

}  // namespace

bool Scheduler::ScheduleOne() {
  std::string key;
  int attempts = 0;
  if (!queue_.Pop(&key, &attempts)) return false;
  client::ObjectPtr obj = pods_->Get(key);
  if (obj == nullptr) {
    queue_.Forget(key);
    return true;
  }
  sched::PodInfo pod = sched::ParsePod(*obj);
  // skipPodSchedule: deleted, or already bound while it waited.
  if (pod.terminating || !pod.node_name.empty() ||
      !cache_.NodeOf(key).empty()) {
    queue_.Forget(key);
    return true;
  }
  sched::Diagnosis diag;
  std::string node = SelectNode(pod, &diag);
  if (node.empty()) {
    std::string msg = cache_.NodeCount() == 0
                          ? "no nodes available to schedule pods"
                          : sched::FitErrorMessage(pod, diag, cache_);
    HandleFailure(pod, "Unschedulable", msg, /*unschedulable=*/true);
    return true;
  }
  cache_.Assume(pod, node);
  Bind(pod, node);
  return true;
}

std::vector<const sched::NodeInfo*> Scheduler::FindFeasible(
    const sched::PodInfo& pod, sched::Diagnosis* diag) {
  const std::vector<const sched::NodeInfo*>& all = cache_.Nodes();
  diag->num_all_nodes = all.size();
  std::vector<const sched::NodeInfo*> candidates;
  std::optional<std::set<std::string>> pinned = PreFilterNodeNames(pod);
  if (pinned) {
    if (pinned->empty()) {
      diag->pre_filter_msg = "pod affinity terms conflict";
      return {};
    }
    for (const std::string& name : *pinned) {
      if (const sched::NodeInfo* n = cache_.Get(name)) candidates.push_back(n);
    }
    diag->absent = sched::FilterStatus{
        false, true, {"node(s) didn't satisfy plugin(s) [NodeAffinity]"}};
  }
  const std::vector<const sched::NodeInfo*>& nodes = pinned ? candidates : all;
  std::vector<const sched::NodeInfo*> feasible;
  if (nodes.empty()) return feasible;
  size_t want = NumFeasibleNodesToFind(nodes.size());
  size_t start = next_start_node_ % nodes.size(), processed = 0;
  for (; processed < nodes.size() && feasible.size() < want; ++processed) {
    const sched::NodeInfo* n = nodes[(start + processed) % nodes.size()];
    sched::FilterStatus st = sched::RunFilters(pod, *n);
    if (st.ok) {
      feasible.push_back(n);
    } else {
      diag->statuses.emplace(n->node.name, std::move(st));
    }
  }
  next_start_node_ = (start + processed) % nodes.size();
  return feasible;
}

std::string Scheduler::SelectNode(const sched::PodInfo& pod,
                                  sched::Diagnosis* diag) {
  std::vector<const sched::NodeInfo*> feasible = FindFeasible(pod, diag);
  if (feasible.empty()) return "";
  if (feasible.size() == 1) return feasible[0]->node.name;
  std::vector<int64_t> scores = sched::ScoreNodes(pod, feasible);
  // selectHost: uniformly among the best (reservoir sampling in kube); the
  // candidates are taken in name order so a seed replays.
  std::vector<size_t> best;
  int64_t top = *std::max_element(scores.begin(), scores.end());
  for (size_t i = 0; i < feasible.size(); ++i) {
    if (scores[i] == top) best.push_back(i);
  }
  std::sort(best.begin(), best.end(), [&](size_t a, size_t b) {
    return feasible[a]->node.name < feasible[b]->node.name;
  });
  size_t pick = best.size() == 1 ? 0 : ctx_.rng->Uniform(best.size());
  return feasible[best[pick]]->node.name;
}

void Scheduler::Bind(const sched::PodInfo& pod, const std::string& node) {
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Bind(pod.ns, pod.name, pod.uid, node,
                    [this, alive, pod, node](base::StatusOr<Json> result) {
                      if (alive.expired()) return;
                      OnBindDone(pod, node, result.status());
                    });
}

void Scheduler::OnBindDone(const sched::PodInfo& pod, const std::string& node,
                           const base::Status& status) {
  client::ObjectPtr obj = pods_->Get(pod.key);
  if (status.ok()) {
    queue_.Forget(pod.key);
    recorder_.Event(
        PodRef(pod, obj.get()), "Normal", "Scheduled",
        "Successfully assigned " + pod.ns + "/" + pod.name + " to " + node);
    return;
  }
  // Forgetting an assumed pod frees its place, as a pod delete would.
  if (cache_.NodeOf(pod.key) == node) cache_.RemovePod(pod.key);
  ClusterChanged();
  if (status.code() == base::Code::kNotFound || obj == nullptr) {
    queue_.Forget(pod.key);
    return;
  }
  sched::PodInfo current = sched::ParsePod(*obj);
  if (!current.node_name.empty() || current.terminating) {
    queue_.Forget(pod.key);
    return;
  }
  HandleFailure(current, "SchedulerError",
                "running Bind plugin \"DefaultBinder\": " + status.message(),
                /*unschedulable=*/false);
}

void Scheduler::HandleFailure(const sched::PodInfo& pod,
                              const std::string& reason,
                              const std::string& message, bool unschedulable) {
  base::Time now = ctx_.clock->Now();
  if (unschedulable) {
    queue_.AddUnschedulable(pod.key, pod.priority, now);
  } else {
    queue_.AddBackoff(pod.key, pod.priority, now);
  }
  ArmWakeup();
  client::ObjectPtr obj = pods_->Get(pod.key);
  recorder_.Event(PodRef(pod, obj.get()), "Warning", "FailedScheduling",
                  message);
  PatchScheduledCondition(pod, reason, message);
}

// updatePod: PodScheduled=False, written only when it differs from what
// the pod already carries (podutil.UpdatePodCondition).
void Scheduler::PatchScheduledCondition(const sched::PodInfo& pod,
                                        const std::string& reason,
                                        const std::string& message) {
  client::ObjectPtr obj = pods_->Get(pod.key);
  if (obj == nullptr) return;
  std::string transition = base::FormatRfc3339(ctx_.clock->Now());
  if (const Json* conds = base::Find(*obj, {"status", "conditions"})) {
    for (const Json& c : conds->is_array() ? *conds : Json::array()) {
      if (c.value("type", "") != "PodScheduled") continue;
      if (c.value("status", "") == "False") {
        if (c.value("reason", "") == reason &&
            c.value("message", "") == message) {
          return;
        }
        transition = c.value("lastTransitionTime", transition);
      }
    }
  }
  Json cond = {{"type", "PodScheduled"},   {"status", "False"},
               {"reason", reason},         {"message", message},
               {"lastProbeTime", nullptr}, {"lastTransitionTime", transition}};
  Json patch = {{"status", {{"conditions", Json::array({cond})}}}};
  ctx_.client->Patch(client::kPods, pod.ns, pod.name,
                     client::PatchType::kStrategicMerge, std::move(patch),
                     "status");
}

}  // namespace ksim::controllers
