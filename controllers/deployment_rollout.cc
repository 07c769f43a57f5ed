// DeploymentController: the RollingUpdate and Recreate strategies
// (rolling.go, recreate.go, v1.32).
#include <algorithm>

#include "controllers/deployment.h"
#include "controllers/deployment_util.h"

namespace ksim::controllers {

base::Status DeploymentController::RolloutRolling(Sync& s) {
  KSIM_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, true));
  if (ReconcileNewReplicaSet(s) || ReconcileOldReplicaSets(s)) {
    SyncRolloutStatus(s);
    return base::Status::Ok();
  }
  if (DeploymentComplete(s.d, s.d["status"])) CleanupDeployment(s);
  SyncRolloutStatus(s);
  return base::Status::Ok();
}

bool DeploymentController::ReconcileNewReplicaSet(Sync& s) {
  const Json& rs = s.rss[s.new_rs];
  int32_t want = SpecReplicas(s.d);
  int32_t have = SpecReplicas(rs);
  if (have == want) return false;
  if (have > want) return ScaleReplicaSetAndRecordEvent(s, s.new_rs, want);
  int32_t size = NewRSNewReplicas(s.d, AllRss(s), rs);
  return ScaleReplicaSetAndRecordEvent(s, s.new_rs, size);
}

bool DeploymentController::ReconcileOldReplicaSets(Sync& s) {
  std::vector<int> old;
  for (int i : s.old_rss) {
    if (SpecReplicas(s.rss[i]) > 0) old.push_back(i);
  }
  std::vector<const Json*> active;
  for (int i : old) active.push_back(&s.rss[i]);
  if (SumSpecReplicas(active) == 0) return false;
  int32_t all_pods = SumSpecReplicas(AllRss(s));
  int32_t min_available = SpecReplicas(s.d) - MaxUnavailable(s.d);
  const Json& new_rs = s.rss[s.new_rs];
  int32_t new_unavailable =
      SpecReplicas(new_rs) - StatusCount(new_rs, "availableReplicas");
  int32_t max_scaled_down = all_pods - min_available - new_unavailable;
  if (max_scaled_down <= 0) return false;
  // Unhealthy replicas first: they would otherwise block the rollout
  // (kubernetes#16737).
  int32_t cleaned = CleanupUnhealthyReplicas(s, old, max_scaled_down);
  int32_t scaled = ScaleDownOldReplicaSetsForRollingUpdate(s, old);
  return cleaned + scaled > 0;
}

int32_t DeploymentController::CleanupUnhealthyReplicas(Sync& s,
                                                       std::vector<int>& old,
                                                       int32_t max_cleanup) {
  std::stable_sort(old.begin(), old.end(), [&s](int a, int b) {
    return CreatedBefore(s.rss[a], s.rss[b]);
  });
  int32_t total = 0;
  for (int i : old) {
    if (total >= max_cleanup) break;
    int32_t replicas = SpecReplicas(s.rss[i]);
    int32_t available = StatusCount(s.rss[i], "availableReplicas");
    if (replicas == 0 || replicas == available) continue;
    int32_t down = std::min(max_cleanup - total, replicas - available);
    if (replicas - down > replicas) continue;  // more available than wanted
    ScaleReplicaSetAndRecordEvent(s, i, replicas - down);
    total += down;
  }
  return total;
}

int32_t DeploymentController::ScaleDownOldReplicaSetsForRollingUpdate(
    Sync& s, std::vector<int>& old) {
  int32_t min_available = SpecReplicas(s.d) - MaxUnavailable(s.d);
  std::vector<const Json*> all;
  for (int i : old) all.push_back(&s.rss[i]);
  all.push_back(&s.rss[s.new_rs]);
  int32_t available = SumStatus(all, "availableReplicas");
  if (available <= min_available) return 0;
  std::stable_sort(old.begin(), old.end(), [&s](int a, int b) {
    return CreatedBefore(s.rss[a], s.rss[b]);
  });
  int32_t total = 0;
  int32_t to_scale = available - min_available;
  for (int i : old) {
    if (total >= to_scale) break;
    int32_t replicas = SpecReplicas(s.rss[i]);
    if (replicas == 0) continue;
    int32_t down = std::min(replicas, to_scale - total);
    ScaleReplicaSetAndRecordEvent(s, i, replicas - down);
    total += down;
  }
  return total;
}

base::Status DeploymentController::RolloutRecreate(Sync& s) {
  KSIM_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false));
  bool scaled_down = false;
  for (int i : std::vector<int>(s.old_rss)) {
    if (SpecReplicas(s.rss[i]) == 0) continue;
    if (ScaleReplicaSetAndRecordEvent(s, i, 0)) scaled_down = true;
  }
  if (scaled_down) {
    SyncRolloutStatus(s);
    return base::Status::Ok();
  }
  // Old pods still running (even terminating): wait, so that old and new
  // never run side by side. OnPodDelete looks again when they are gone.
  std::string new_uid = s.new_rs >= 0 ? UidOf(s.rss[s.new_rs]) : "";
  std::vector<Json> rss_copy = s.rss;
  if (SumStatus(OldRss(s), "replicas") > 0 ||
      PodsOfReplicaSets(s.d, rss_copy, new_uid, true) > 0) {
    SyncRolloutStatus(s);
    return base::Status::Ok();
  }
  if (s.new_rs < 0) {
    KSIM_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, true));
  }
  ScaleReplicaSetAndRecordEvent(s, s.new_rs, SpecReplicas(s.d));
  if (DeploymentComplete(s.d, s.d["status"])) CleanupDeployment(s);
  SyncRolloutStatus(s);
  return base::Status::Ok();
}

bool DeploymentController::ScaleReplicaSetAndRecordEvent(Sync& s, int idx,
                                                         int32_t size) {
  int32_t have = SpecReplicas(s.rss[idx]);
  if (have == size) return false;
  return ScaleReplicaSet(s, idx, size, have < size ? "up" : "down");
}

bool DeploymentController::ScaleReplicaSet(Sync& s, int idx, int32_t size,
                                           const char* op) {
  Json& rs = s.rss[idx];
  int32_t want = SpecReplicas(s.d);
  int32_t max = want + MaxSurge(s.d);
  int32_t have = SpecReplicas(rs);
  bool size_changes = have != size;
  if (!size_changes && !ReplicasAnnotationsNeedUpdate(rs, want, max)) {
    return false;
  }
  rs["spec"]["replicas"] = size;
  SetReplicasAnnotations(rs, want, max);
  std::string msg;
  if (size_changes) {
    msg = std::string("Scaled ") + op + " replica set " + NameOf(rs) +
          " from " + std::to_string(have) + " to " + std::to_string(size);
  }
  WriteReplicaSet(s, idx, std::move(msg));
  return size_changes;
}

}  // namespace ksim::controllers
