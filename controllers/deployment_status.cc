// DeploymentController: proportional scaling (sync.go scale), status and
// progress (sync.go calculateStatus, progress.go, v1.32).
#include <algorithm>
#include <cmath>
#include <map>

#include "controllers/deployment.h"
#include "controllers/deployment_util.h"

namespace ksim::controllers {

namespace {

// getReplicaSetFraction: this RS's share of a change of the deployment's
// size, estimated from the max-replicas annotation it was last sized for.
int32_t ReplicaSetFraction(const Json& rs, const Json& d) {
  int32_t want = SpecReplicas(d);
  if (want == 0) return -SpecReplicas(rs);
  int32_t max_now = want + MaxSurge(d);
  std::string ann =
      base::GetString(rs, {"metadata", "annotations", kMaxReplicasAnnotation});
  int64_t before = 0;
  try {
    before = ann.empty() ? 0 : std::stoll(ann);
  } catch (...) {
    before = 0;
  }
  if (before == 0) {
    before = StatusCount(d, "replicas");
    if (before == 0) return 0;
  }
  double size = static_cast<double>(SpecReplicas(rs)) * max_now / before;
  // integer.RoundToInt32: half away from zero.
  int32_t rounded = static_cast<int32_t>(size < 0 ? size - 0.5 : size + 0.5);
  return rounded - SpecReplicas(rs);
}

int32_t Proportion(const Json& rs, const Json& d, int32_t to_add,
                   int32_t added) {
  if (SpecReplicas(rs) == 0 || to_add == 0 || to_add == added) return 0;
  int32_t fraction = ReplicaSetFraction(rs, d);
  int32_t allowed = to_add - added;
  return to_add > 0 ? std::min(fraction, allowed) : std::max(fraction, allowed);
}

// reflect.DeepEqual on the Go status, read from JSON: zero counts and empty
// condition lists are how the API leaves them out.
Json NormalizedStatus(const Json* status) {
  Json out = Json::object();
  if (status == nullptr || !status->is_object()) return out;
  for (const auto& [k, v] : status->items()) {
    if (k == "collisionCount" && !v.is_null()) {
      out[k] = v;
    } else if (v.is_number() && v != 0) {
      out[k] = v;
    } else if ((v.is_array() && !v.empty()) || v.is_string()) {
      out[k] = v;
    }
  }
  return out;
}

}  // namespace

void DeploymentController::Scale(Sync& s) {
  int32_t want = SpecReplicas(s.d);
  // FindActiveOrLatest: the only active RS, or the newest when none is.
  std::vector<int> old = s.old_rss;
  std::stable_sort(old.begin(), old.end(), [&s](int a, int b) {
    return CreatedBefore(s.rss[b], s.rss[a]);
  });
  std::vector<int> active;
  for (int i : old) {
    if (SpecReplicas(s.rss[i]) > 0) active.push_back(i);
  }
  if (s.new_rs >= 0 && SpecReplicas(s.rss[s.new_rs]) > 0)
    active.push_back(s.new_rs);
  int only = -1;
  if (active.size() == 1) only = active[0];
  if (active.empty() && (s.new_rs >= 0 || !old.empty())) {
    only = s.new_rs >= 0 ? s.new_rs : old[0];
  }
  if (only >= 0) {
    if (SpecReplicas(s.rss[only]) != want) {
      ScaleReplicaSetAndRecordEvent(s, only, want);
    }
    return;
  }
  if (active.empty()) return;
  // A saturated new RS: the old ones go to zero (adoption during a
  // finished rollout).
  if (IsSaturated(s.d, s.new_rs >= 0 ? &s.rss[s.new_rs] : nullptr)) {
    for (int i : active) {
      if (i != s.new_rs) ScaleReplicaSetAndRecordEvent(s, i, 0);
    }
    return;
  }
  if (!IsRollingUpdate(s.d)) return;
  std::vector<const Json*> all;
  for (int i : active) all.push_back(&s.rss[i]);
  int32_t allowed = want > 0 ? want + MaxSurge(s.d) : 0;
  int32_t to_add = allowed - SumSpecReplicas(all);
  const char* op = to_add > 0 ? "up" : to_add < 0 ? "down" : "";
  // Larger first; equal sizes: newer first when growing, older first when
  // shrinking.
  std::stable_sort(active.begin(), active.end(), [&s, to_add](int a, int b) {
    int32_t ra = SpecReplicas(s.rss[a]), rb = SpecReplicas(s.rss[b]);
    if (ra != rb) return ra > rb;
    return to_add > 0 ? CreatedBefore(s.rss[b], s.rss[a])
                      : CreatedBefore(s.rss[a], s.rss[b]);
  });
  std::map<int, int32_t> size;
  int32_t added = 0;
  for (int i : active) {
    int32_t p = to_add != 0 ? Proportion(s.rss[i], s.d, to_add, added) : 0;
    size[i] = SpecReplicas(s.rss[i]) + p;
    added += p;
  }
  for (size_t k = 0; k < active.size(); ++k) {
    int i = active[k];
    if (k == 0 && to_add != 0) {
      size[i] = std::max(0, size[i] + to_add - added);  // leftovers
    }
    ScaleReplicaSet(s, i, size[i], op);
  }
}

Json DeploymentController::CalculateStatus(const Sync& s) const {
  std::vector<const Json*> all = AllRss(s);
  int32_t available = SumStatus(all, "availableReplicas");
  int32_t unavailable = std::max(0, SumSpecReplicas(all) - available);
  Json status = Json::object();
  auto set = [&status](const char* f, int64_t v) {
    if (v != 0) status[f] = v;
  };
  set("observedGeneration", GenerationOf(s.d));
  set("replicas", SumStatus(all, "replicas"));
  set("updatedReplicas",
      s.new_rs >= 0 ? StatusCount(s.rss[s.new_rs], "replicas") : 0);
  set("readyReplicas", SumStatus(all, "readyReplicas"));
  set("availableReplicas", available);
  set("unavailableReplicas", unavailable);
  if (const Json* c = base::Find(s.d, {"status", "collisionCount"});
      c && !c->is_null()) {
    status["collisionCount"] = *c;
  }
  if (const Json* c = base::Find(s.d, {"status", "conditions"});
      c && c->is_array() && !c->empty()) {
    status["conditions"] = *c;
  }
  base::Time now = ctx_.clock->Now();
  if (available >= SpecReplicas(s.d) - MaxUnavailable(s.d)) {
    SetDeploymentCondition(
        status,
        NewDeploymentCondition("Available", "True", kMinimumReplicasAvailable,
                               "Deployment has minimum availability.", now));
  } else {
    SetDeploymentCondition(
        status, NewDeploymentCondition(
                    "Available", "False", kMinimumReplicasUnavailable,
                    "Deployment does not have minimum availability.", now));
  }
  return status;
}

void DeploymentController::SyncDeploymentStatus(Sync& s) {
  Json status = CalculateStatus(s);
  if (NormalizedStatus(base::Find(s.d, {"status"})) ==
      NormalizedStatus(&status)) {
    return;
  }
  s.d["status"] = std::move(status);
  WriteDeploymentStatus(s);
}

void DeploymentController::SyncRolloutStatus(Sync& s) {
  Json status = CalculateStatus(s);
  const Json& d = s.d;
  if (!HasProgressDeadline(d)) RemoveDeploymentCondition(status, "Progressing");
  const Json* cur = GetDeploymentCondition(d["status"], "Progressing");
  bool complete_already =
      status.value("replicas", 0) == status.value("updatedReplicas", 0) &&
      cur && cur->value("reason", "") == kNewRSAvailableReason;
  std::string subject = s.new_rs >= 0
                            ? "ReplicaSet \"" + NameOf(s.rss[s.new_rs]) + "\""
                            : "Deployment \"" + NameOf(d) + "\"";
  base::Time now = ctx_.clock->Now();
  if (HasProgressDeadline(d) && !complete_already) {
    if (DeploymentComplete(d, status)) {
      SetDeploymentCondition(
          status, NewDeploymentCondition(
                      "Progressing", "True", kNewRSAvailableReason,
                      subject + " has successfully progressed.", now));
    } else if (DeploymentProgressing(d, status)) {
      Json cond = NewDeploymentCondition("Progressing", "True",
                                         kReplicaSetUpdatedReason,
                                         subject + " is progressing.", now);
      // Progress moves lastUpdateTime even when the reason stays.
      if (cur != nullptr) {
        if (cur->value("status", "") == "True") {
          cond["lastTransitionTime"] = cur->value("lastTransitionTime", Json());
        }
        RemoveDeploymentCondition(status, "Progressing");
      }
      SetDeploymentCondition(status, std::move(cond));
    } else if (DeploymentTimedOut(d, status, now)) {
      SetDeploymentCondition(
          status,
          NewDeploymentCondition("Progressing", "False", kTimedOutReason,
                                 subject + " has timed out progressing.", now));
    }
  }
  // getReplicaFailures: the new RS's ReplicaFailure first, else any.
  std::vector<const Json*> order;
  if (s.new_rs >= 0) order.push_back(&s.rss[s.new_rs]);
  for (const Json* rs : AllRss(s)) order.push_back(rs);
  const Json* failure = nullptr;
  for (const Json* rs : order) {
    const Json* st = base::Find(*rs, {"status"});
    if (st && (failure = FindCondition(*st, "ReplicaFailure"))) break;
  }
  if (failure != nullptr) {
    Json cond = *failure;
    cond["lastUpdateTime"] = cond.value("lastTransitionTime", Json());
    SetDeploymentCondition(status, std::move(cond));
  } else {
    RemoveDeploymentCondition(status, "ReplicaFailure");
  }
  if (NormalizedStatus(base::Find(d, {"status"})) ==
      NormalizedStatus(&status)) {
    RequeueStuckDeployment(s, status);
    return;
  }
  s.d["status"] = std::move(status);
  WriteDeploymentStatus(s);
}

// A rollout that shows no progress must still time out: look again when
// its progress deadline passes.
void DeploymentController::RequeueStuckDeployment(const Sync& s,
                                                  const Json& status) {
  const Json* cur = GetDeploymentCondition(s.d["status"], "Progressing");
  if (!HasProgressDeadline(s.d) || cur == nullptr) return;
  if (DeploymentComplete(s.d, status) ||
      cur->value("reason", "") == kTimedOutReason) {
    return;
  }
  std::optional<base::Time> updated =
      base::ParseRfc3339(cur->value("lastUpdateTime", ""));
  if (!updated) return;
  auto deadline = std::chrono::seconds(
      base::GetInt(s.d, {"spec", "progressDeadlineSeconds"}));
  base::Duration after = *updated + deadline - ctx_.clock->Now();
  if (after < std::chrono::seconds(1)) {
    queue_->AddRateLimited(s.key);
    return;
  }
  // One more second against sub-second skew (kubernetes#39785).
  queue_->AddAfter(s.key, after + std::chrono::seconds(1));
}

}  // namespace ksim::controllers
