// DeploymentController: finding / creating the new ReplicaSet, scaling,
// cleanup and status (sync.go, v1.32), and the asynchronous writes.
#include <algorithm>

#include "controllers/deployment.h"
#include "controllers/deployment_hash.h"
#include "controllers/deployment_util.h"

namespace ksim::controllers {

std::vector<const Json*> DeploymentController::AllRss(const Sync& s) const {
  std::vector<const Json*> out = OldRss(s);
  if (s.new_rs >= 0) out.push_back(&s.rss[s.new_rs]);
  return out;
}

std::vector<const Json*> DeploymentController::OldRss(const Sync& s) const {
  std::vector<const Json*> out;
  for (int i : s.old_rss) out.push_back(&s.rss[i]);
  return out;
}

// getAllReplicaSetsAndSyncRevision + getNewReplicaSet.
base::Status DeploymentController::GetAllReplicaSetsAndSyncRevision(
    Sync& s, bool create) {
  std::vector<int> order(s.rss.size());
  for (size_t i = 0; i < order.size(); ++i) order[i] = static_cast<int>(i);
  std::stable_sort(order.begin(), order.end(), [&s](int a, int b) {
    return CreatedBefore(s.rss[a], s.rss[b]);
  });
  const Json& tmpl = s.d["spec"]["template"];
  s.new_rs = -1;
  for (int i : order) {
    if (EqualIgnoreHash(s.rss[i]["spec"]["template"], tmpl)) {
      s.new_rs = i;  // the oldest one, should there be several
      break;
    }
  }
  s.old_rss.clear();
  for (int i = 0; i < static_cast<int>(s.rss.size()); ++i) {
    if (i != s.new_rs) s.old_rss.push_back(i);
  }
  std::string revision = std::to_string(MaxRevision(OldRss(s)) + 1);
  if (s.new_rs < 0) {
    return create ? CreateNewReplicaSet(s, revision) : base::Status::Ok();
  }
  Json& rs = s.rss[s.new_rs];
  Json copy = rs;
  bool annotations = SetNewReplicaSetAnnotations(s.d, copy, revision, true);
  int64_t min_ready = base::GetInt(s.d, {"spec", "minReadySeconds"});
  if (annotations ||
      base::GetInt(copy, {"spec", "minReadySeconds"}) != min_ready) {
    copy["spec"]["minReadySeconds"] = min_ready;
    rs = std::move(copy);
    WriteReplicaSet(s, s.new_rs, "");
    return base::Status::Ok();
  }
  bool needs_update = SetDeploymentRevision(
      s.d,
      base::GetString(rs, {"metadata", "annotations", kRevisionAnnotation}));
  if (HasProgressDeadline(s.d) &&
      GetDeploymentCondition(s.d["status"], "Progressing") == nullptr) {
    SetDeploymentCondition(
        s.d["status"],
        NewDeploymentCondition("Progressing", "True", kFoundNewRSReason,
                               "Found new replica set \"" + NameOf(rs) + "\"",
                               ctx_.clock->Now()));
    needs_update = true;
  }
  if (needs_update) WriteDeploymentStatus(s);
  return base::Status::Ok();
}

base::Status DeploymentController::CreateNewReplicaSet(
    Sync& s, const std::string& revision) {
  Json tmpl = s.d["spec"]["template"];
  std::optional<int32_t> collisions;
  if (const Json* c = base::Find(s.d, {"status", "collisionCount"});
      c && c->is_number_integer()) {
    collisions = c->get<int32_t>();
  }
  std::string hash = ComputeHash(tmpl, collisions);
  tmpl["metadata"]["labels"][kPodTemplateHashLabel] = hash;
  Json selector = s.d["spec"]["selector"];
  selector["matchLabels"][kPodTemplateHashLabel] = hash;
  std::string ns = NamespaceOf(s.d);
  Json rs = {
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata",
       {{"name", NameOf(s.d) + "-" + hash},
        {"namespace", ns},
        {"labels", tmpl["metadata"]["labels"]},
        {"ownerReferences",
         Json::array({NewControllerRef(s.d, "apps/v1", "Deployment")})}}},
      {"spec",
       {{"replicas", 0},
        {"minReadySeconds", base::GetInt(s.d, {"spec", "minReadySeconds"})},
        {"selector", selector},
        {"template", tmpl}}}};
  std::vector<const Json*> all = OldRss(s);
  all.push_back(&rs);
  int32_t replicas = NewRSNewReplicas(s.d, all, rs);
  rs["spec"]["replicas"] = replicas;
  SetNewReplicaSetAnnotations(s.d, rs, revision, false);

  std::string key = s.key;
  Json d = s.d;
  std::string name = NameOf(rs);
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Create(
      client::kReplicaSets, ns, rs,
      [this, alive, key, d, name, replicas](base::StatusOr<Json> r) {
        if (alive.expired()) return;
        if (r.ok()) {
          if (replicas > 0) {
            Event(d, "Normal", "ScalingReplicaSet",
                  "Scaled up replica set " + name + " from 0 to " +
                      std::to_string(replicas));
          }
          return;
        }
        OnCreateFailed(key, name, r.status());
      });

  // The rest of this sync goes on as if the create succeeded (kube's
  // create returns before it continues); a failure is handled above.
  rs["metadata"]["creationTimestamp"] = base::FormatRfc3339(ctx_.clock->Now());
  s.rss.push_back(std::move(rs));
  s.new_rs = static_cast<int>(s.rss.size()) - 1;
  s.rs_written.insert(name);
  bool needs_update = SetDeploymentRevision(s.d, revision);
  if (HasProgressDeadline(s.d)) {
    SetDeploymentCondition(
        s.d["status"],
        NewDeploymentCondition("Progressing", "True", kNewReplicaSetReason,
                               "Created new replica set \"" + name + "\"",
                               ctx_.clock->Now()));
    needs_update = true;
  }
  if (needs_update) WriteDeploymentStatus(s);
  return base::Status::Ok();
}

// The create of the new ReplicaSet failed. AlreadyExists with another
// template is a hash collision: bump status.collisionCount so the next
// sync picks another name. Other errors become Progressing=False.
void DeploymentController::OnCreateFailed(const std::string& key,
                                          const std::string& name,
                                          const base::Status& st) {
  ObjectPtr cached = d_informer_->Get(key);
  if (cached == nullptr) return;
  Json d = *cached;
  d["kind"] = "Deployment";
  d["apiVersion"] = "apps/v1";
  if (st.code() == base::Code::kAlreadyExists) {
    ObjectPtr rs = rs_informer_->Get(NamespaceOf(d), name);
    const Json* ref = rs ? ControllerOf(*rs) : nullptr;
    if (rs == nullptr) {
      queue_->AddRateLimited(key);  // the cache is behind: look again later
      return;
    }
    if (ref && ref->value("uid", "") == UidOf(d) &&
        EqualIgnoreHash(d["spec"]["template"], (*rs)["spec"]["template"])) {
      return;  // ours after all; its informer event syncs again
    }
    d["status"]["collisionCount"] =
        base::GetInt(d, {"status", "collisionCount"}) + 1;
    ctx_.client->UpdateStatus(client::kDeployments, d);
    queue_->AddRateLimited(key);
    return;
  }
  if (HasNamespaceTerminatingCause(st)) return;
  std::string msg =
      "Failed to create new replica set \"" + name + "\": " + st.message();
  if (HasProgressDeadline(d)) {
    SetDeploymentCondition(
        d["status"],
        NewDeploymentCondition("Progressing", "False", kFailedRSCreateReason,
                               msg, ctx_.clock->Now()));
    ctx_.client->UpdateStatus(client::kDeployments, d);
  }
  Event(d, "Warning", kFailedRSCreateReason, msg);
  queue_->AddRateLimited(key);
}

bool DeploymentController::IsScalingEvent(Sync& s) {
  GetAllReplicaSetsAndSyncRevision(s, false);
  int32_t want = SpecReplicas(s.d);
  for (const Json* rs : AllRss(s)) {
    if (SpecReplicas(*rs) <= 0) continue;
    std::optional<int32_t> desired = DesiredReplicasAnnotation(*rs);
    if (desired && *desired != want) return true;
  }
  return false;
}

base::Status DeploymentController::SyncStatusOnly(Sync& s) {
  KSIM_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false));
  SyncDeploymentStatus(s);
  return base::Status::Ok();
}

// sync(): a scaling event, or a paused Deployment.
base::Status DeploymentController::ScaleSync(Sync& s) {
  KSIM_RETURN_IF_ERROR(GetAllReplicaSetsAndSyncRevision(s, false));
  Scale(s);
  if (s.d["spec"].value("paused", false)) CleanupDeployment(s);
  SyncDeploymentStatus(s);
  return base::Status::Ok();
}

void DeploymentController::CheckPausedConditions(Sync& s) {
  if (!HasProgressDeadline(s.d)) return;
  Json& status = s.d["status"];
  const Json* cond = GetDeploymentCondition(status, "Progressing");
  if (cond && cond->value("reason", "") == kTimedOutReason) return;
  bool paused_exists = cond && cond->value("reason", "") == kPausedDeployReason;
  bool paused = s.d["spec"].value("paused", false);
  if (paused && !paused_exists) {
    SetDeploymentCondition(
        status,
        NewDeploymentCondition("Progressing", "Unknown", kPausedDeployReason,
                               "Deployment is paused", ctx_.clock->Now()));
  } else if (!paused && paused_exists) {
    SetDeploymentCondition(
        status,
        NewDeploymentCondition("Progressing", "Unknown", kResumedDeployReason,
                               "Deployment is resumed", ctx_.clock->Now()));
  } else {
    return;
  }
  WriteDeploymentStatus(s);
}

void DeploymentController::CleanupDeployment(Sync& s) {
  const Json* limit_json = base::Find(s.d, {"spec", "revisionHistoryLimit"});
  if (limit_json == nullptr || !limit_json->is_number_integer() ||
      limit_json->get<int64_t>() == INT32_MAX) {
    return;
  }
  std::vector<int> cleanable;
  for (int i : s.old_rss) {
    if (!IsBeingDeleted(s.rss[i])) cleanable.push_back(i);
  }
  int64_t diff =
      static_cast<int64_t>(cleanable.size()) - limit_json->get<int64_t>();
  if (diff <= 0) return;
  std::stable_sort(cleanable.begin(), cleanable.end(), [&s](int a, int b) {
    int64_t ra = RevisionOf(s.rss[a]), rb = RevisionOf(s.rss[b]);
    if (ra == rb) return CreatedBefore(s.rss[a], s.rss[b]);
    return ra < rb;
  });
  for (int64_t i = 0; i < diff; ++i) {
    const Json& rs = s.rss[cleanable[i]];
    if (StatusCount(rs, "replicas") != 0 || SpecReplicas(rs) != 0 ||
        GenerationOf(rs) > base::GetInt(rs, {"status", "observedGeneration"})) {
      continue;  // still has pods, or its controller has not caught up
    }
    std::string key = s.key;
    std::weak_ptr<bool> alive = alive_;
    ctx_.client->Delete(client::kReplicaSets, NamespaceOf(rs), NameOf(rs), {},
                        [this, alive, key](base::StatusOr<Json> r) {
                          if (!alive.expired() && !r.ok()) {
                            OnWriteError(key, r.status());
                          }
                        });
  }
}

void DeploymentController::WriteReplicaSet(Sync& s, int idx,
                                           std::string event_message) {
  Json obj = s.rss[idx];
  std::string name = NameOf(obj);
  if (!s.rs_written.insert(name).second) {
    // Written earlier in this sync: the cached resourceVersion is stale,
    // and this copy already carries the earlier change.
    obj["metadata"].erase("resourceVersion");
  }
  // The API keeps status on an update of the main resource; not sending it
  // keeps a stale copy from ever looking current.
  obj.erase("status");
  std::string key = s.key;
  Json d = s.d;
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Update(client::kReplicaSets, std::move(obj),
                      [this, alive, key, d,
                       msg = std::move(event_message)](base::StatusOr<Json> r) {
                        if (alive.expired()) return;
                        if (!r.ok()) {
                          OnWriteError(key, r.status());
                        } else if (!msg.empty()) {
                          Event(d, "Normal", "ScalingReplicaSet", msg);
                        }
                      });
}

void DeploymentController::WriteDeploymentStatus(Sync& s) {
  Json obj = s.d;
  if (s.d_status_written) obj["metadata"].erase("resourceVersion");
  s.d_status_written = true;
  std::string key = s.key;
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->UpdateStatus(client::kDeployments, std::move(obj),
                            [this, alive, key](base::StatusOr<Json> r) {
                              if (!alive.expired() && !r.ok()) {
                                OnWriteError(key, r.status());
                              }
                            });
}

}  // namespace ksim::controllers
