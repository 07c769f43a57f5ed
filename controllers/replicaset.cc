#include "controllers/replicaset.h"

#include <algorithm>

namespace ksim::controllers {

namespace {

constexpr char kComponent[] = "replicaset-controller";
// Pods filed by the UID of their controller; orphans under kOrphan.
constexpr char kPodsByController[] = "replicaset/controllerUID";
// ReplicaSets filed by the UID of their controller (a Deployment).
constexpr char kRsByController[] = "replicaset/rsControllerUID";
constexpr char kOrphan[] = "<orphan>";

std::vector<std::string> ControllerUidIndex(const Json& obj) {
  const Json* ref = ControllerOf(obj);
  return {ref ? ref->value("uid", "") : std::string(kOrphan)};
}

// The involved object as kube's recorder references it.
Json WithKind(const Json& rs) {
  Json o = rs;
  o["kind"] = "ReplicaSet";
  o["apiVersion"] = "apps/v1";
  return o;
}

}  // namespace

// One slow-start run (controller.slowStartBatch): batches of 1, 2, 4, ...
// pods, each started when the previous one fully succeeded.
struct ReplicaSetController::CreateBatch {
  std::string key;
  Json rs;   // with kind, for events
  Json pod;  // the pod to create
  int remaining = 0;
  int batch = 1;
  int outstanding = 0;
  int failed = 0;
  base::Status error;
};

ReplicaSetController::ReplicaSetController(const client::ClusterContext& ctx,
                                           ReplicaSetControllerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      rs_informer_(ctx.informers->For(client::kReplicaSets)),
      pod_informer_(ctx.informers->For(client::kPods)),
      recorder_(ctx.client, ctx.clock, kComponent),
      expectations_(ctx.clock),
      alive_(std::make_shared<bool>(true)) {
  queue_ = std::make_unique<base::WorkQueue>(
      ctx.loop, options_.queue,
      [this](const std::string& key) { return Reconcile(key); });
  pod_informer_->AddIndex(kPodsByController, ControllerUidIndex);
  rs_informer_->AddIndex(kRsByController, ControllerUidIndex);
  rs_informer_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& rs) { Enqueue(*rs); },
      .on_update = [this](const ObjectPtr&,
                          const ObjectPtr& rs) { Enqueue(*rs); },
      .on_delete =
          [this](const ObjectPtr& rs) {
            expectations_.Delete(client::KeyOf(*rs));
            Enqueue(*rs);
          },
  });
  pod_informer_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& p) { OnPodAdd(p); },
      .on_update = [this](const ObjectPtr& o,
                          const ObjectPtr& n) { OnPodUpdate(o, n); },
      .on_delete = [this](const ObjectPtr& p) { OnPodDelete(p); },
  });
}

ReplicaSetController::~ReplicaSetController() {
  *alive_ = false;
  queue_->ShutDown();
}

void ReplicaSetController::Enqueue(const Json& rs) {
  queue_->Add(client::KeyOf(rs));
}

ObjectPtr ReplicaSetController::ResolveControllerRef(const Json& pod) const {
  return controllers::ResolveControllerRef(*rs_informer_, "ReplicaSet",
                                           NamespaceOf(pod), ControllerOf(pod));
}

std::vector<ObjectPtr> ReplicaSetController::ReplicaSetsMatching(
    const Json& pod) const {
  return OwnersSelecting(*rs_informer_, pod);
}

void ReplicaSetController::OnPodAdd(const ObjectPtr& pod) {
  if (IsBeingDeleted(*pod)) {
    // A pod that shows up terminating (e.g. after a re-list) counts as
    // deleted, so expectations do not wait for it.
    OnPodDelete(pod);
    return;
  }
  if (ControllerOf(*pod) != nullptr) {
    ObjectPtr rs = ResolveControllerRef(*pod);
    if (rs == nullptr) return;
    expectations_.CreationObserved(client::KeyOf(*rs));
    Enqueue(*rs);
    return;
  }
  for (const ObjectPtr& rs : ReplicaSetsMatching(*pod)) Enqueue(*rs);
}

void ReplicaSetController::OnPodUpdate(const ObjectPtr& old_pod,
                                       const ObjectPtr& cur_pod) {
  const Json& cur = *cur_pod;
  const Json& old = *old_pod;
  if (base::GetString(cur, {"metadata", "resourceVersion"}) ==
      base::GetString(old, {"metadata", "resourceVersion"})) {
    return;  // a re-list resync: nothing changed
  }
  bool labels_changed = LabelsOf(cur) != LabelsOf(old);
  if (IsBeingDeleted(cur)) {
    // Terminating pods no longer count: let the RS replace it now rather
    // than after the grace period.
    OnPodDelete(cur_pod);
    if (labels_changed) OnPodDelete(old_pod);
    return;
  }
  const Json* cur_ref = ControllerOf(cur);
  const Json* old_ref = ControllerOf(old);
  bool ref_changed =
      (cur_ref ? *cur_ref : Json()) != (old_ref ? *old_ref : Json());
  if (ref_changed && old_ref != nullptr) {
    if (ObjectPtr rs = ResolveControllerRef(old)) Enqueue(*rs);
  }
  if (cur_ref != nullptr) {
    ObjectPtr rs = ResolveControllerRef(cur);
    if (rs == nullptr) return;
    Enqueue(*rs);
    int64_t min_ready = base::GetInt(*rs, {"spec", "minReadySeconds"});
    if (min_ready > 0 && !PodIsReady(old) && PodIsReady(cur)) {
      // Availability changes with time alone: look again once it may have.
      queue_->AddAfter(client::KeyOf(*rs), std::chrono::seconds(min_ready + 1));
    }
    return;
  }
  if (labels_changed || ref_changed) {
    for (const ObjectPtr& rs : ReplicaSetsMatching(cur)) Enqueue(*rs);
  }
}

void ReplicaSetController::OnPodDelete(const ObjectPtr& pod) {
  if (ControllerOf(*pod) == nullptr) return;
  ObjectPtr rs = ResolveControllerRef(*pod);
  if (rs == nullptr) return;
  std::string key = client::KeyOf(*rs);
  expectations_.DeletionObserved(key, PodKey(*pod));
  queue_->Add(key);
}

base::Status ReplicaSetController::Reconcile(const std::string& key) {
  ObjectPtr cached = rs_informer_->Get(key);
  if (cached == nullptr) {
    expectations_.Delete(key);
    manage_errors_.erase(key);
    return base::Status::Ok();
  }
  const Json& rs = *cached;
  bool needs_sync = expectations_.Satisfied(key);
  std::vector<ObjectPtr> pods = ClaimPods(rs);
  std::string manage_error;
  if (auto it = manage_errors_.find(key); it != manage_errors_.end()) {
    manage_error = it->second;
    manage_errors_.erase(it);
  }
  if (needs_sync && !IsBeingDeleted(rs)) ManageReplicas(rs, pods);
  Json status = CalculateStatus(rs, pods, manage_error);
  UpdateStatus(rs, status);
  int64_t replicas = base::GetInt(rs, {"spec", "replicas"}, 1);
  int64_t min_ready = base::GetInt(rs, {"spec", "minReadySeconds"});
  if (manage_error.empty() && min_ready > 0 &&
      status.value("readyReplicas", int64_t{0}) == replicas &&
      status.value("availableReplicas", int64_t{0}) != replicas) {
    queue_->AddAfter(key, std::chrono::seconds(min_ready));
  }
  return base::Status::Ok();
}

std::vector<ObjectPtr> ReplicaSetController::ClaimPods(const Json& rs) {
  std::string ns = NamespaceOf(rs);
  std::string uid = UidOf(rs);
  apiserver::LabelSelector sel = SpecSelectorOf(rs);
  std::vector<ObjectPtr> candidates =
      pod_informer_->ByIndex(kPodsByController, uid);
  for (ObjectPtr& p : pod_informer_->ByIndex(kPodsByController, kOrphan)) {
    if (NamespaceOf(*p) == ns) candidates.push_back(std::move(p));
  }
  // Key order, as the informer lists; each key is built once (building it
  // in the comparator dominated large syncs).
  std::vector<std::pair<std::string, ObjectPtr>> keyed;
  keyed.reserve(candidates.size());
  for (ObjectPtr& p : candidates) {
    keyed.emplace_back(client::KeyOf(*p), std::move(p));
  }
  std::sort(keyed.begin(), keyed.end(),
            [](const auto& a, const auto& b) { return a.first < b.first; });
  for (size_t i = 0; i < keyed.size(); ++i) {
    candidates[i] = std::move(keyed[i].second);
  }
  std::vector<ObjectPtr> claimed;
  std::optional<bool> can_adopt;  // checked once, against the API
  Json ref = NewControllerRef(rs, "apps/v1", "ReplicaSet");
  for (ObjectPtr& pod : candidates) {
    if (!IsPodActive(*pod) || NamespaceOf(*pod) != ns) continue;
    bool matches = sel.Matches(LabelsOf(*pod));
    if (ControllerOf(*pod) != nullptr) {
      if (matches) {
        claimed.push_back(pod);
      } else if (!IsBeingDeleted(rs)) {
        ctx_.client->Patch(client::kPods, ns, NameOf(*pod),
                           client::PatchType::kStrategicMerge,
                           ReleasePatch(*pod, uid));
      }
      continue;
    }
    if (IsBeingDeleted(rs) || !matches) continue;
    if (!can_adopt.has_value()) {
      // RecheckDeletionTimestamp: the cache may be stale, ask the API.
      auto fresh = ctx_.client->Get(client::kReplicaSets, ns, NameOf(rs));
      can_adopt = fresh.ok() && UidOf(*fresh) == uid && !IsBeingDeleted(*fresh);
    }
    if (!*can_adopt) continue;
    ctx_.client->Patch(client::kPods, ns, NameOf(*pod),
                       client::PatchType::kStrategicMerge,
                       AdoptPatch(*pod, ref));
    claimed.push_back(pod);
  }
  return claimed;
}

void ReplicaSetController::ManageReplicas(const Json& rs,
                                          const std::vector<ObjectPtr>& pods) {
  int64_t want = base::GetInt(rs, {"spec", "replicas"}, 1);
  int diff = static_cast<int>(pods.size()) - static_cast<int>(want);
  if (diff < 0) {
    CreatePods(rs, std::min(-diff, options_.burst_replicas));
  } else if (diff > 0) {
    DeletePods(rs, pods, std::min(diff, options_.burst_replicas));
  }
}

void ReplicaSetController::CreatePods(const Json& rs, int count) {
  std::string key = client::KeyOf(rs);
  expectations_.ExpectCreations(key, count);
  auto run = std::make_shared<CreateBatch>();
  run->key = key;
  run->rs = WithKind(rs);
  run->remaining = count;
  run->batch = std::min(count, 1);
  // controller.GetPodFromTemplate: labels, annotations, finalizers of the
  // template; generateName "<rs>-"; the controller ref.
  const Json* tmeta = base::Find(rs, {"spec", "template", "metadata"});
  Json meta = {{"generateName", NameOf(rs) + "-"},
               {"namespace", NamespaceOf(rs)},
               {"ownerReferences",
                Json::array({NewControllerRef(rs, "apps/v1", "ReplicaSet")})}};
  for (const char* field : {"labels", "annotations", "finalizers"}) {
    if (tmeta && tmeta->contains(field) && !(*tmeta)[field].empty()) {
      meta[field] = (*tmeta)[field];
    }
  }
  const Json* spec = base::Find(rs, {"spec", "template", "spec"});
  run->pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", meta},
              {"spec", spec ? *spec : Json::object()}};
  StartBatch(std::move(run));
}

void ReplicaSetController::StartBatch(std::shared_ptr<CreateBatch> run) {
  int n = run->batch;
  run->outstanding = n;
  std::weak_ptr<bool> alive = alive_;
  for (int i = 0; i < n; ++i) {
    ctx_.client->Create(
        client::kPods, NamespaceOf(run->rs), run->pod,
        [this, alive, run](base::StatusOr<Json> result) {
          if (alive.expired()) return;
          if (result.ok()) {
            recorder_.Event(run->rs, "Normal", "SuccessfulCreate",
                            "Created pod: " + NameOf(*result));
          } else if (HasNamespaceTerminatingCause(result.status())) {
            // kube counts these as done: every later create fails too.
          } else {
            recorder_.Event(run->rs, "Warning", "FailedCreate",
                            "Error creating: " + result.status().message());
            ++run->failed;
            run->error = result.status();
          }
          if (--run->outstanding > 0) return;
          run->remaining -= run->batch;
          if (run->failed > 0) {
            // Creates never attempted or failed will not be observed.
            for (int k = 0; k < run->failed + run->remaining; ++k) {
              expectations_.CreationObserved(run->key);
            }
            OnWriteError(run->key, run->error);
            return;
          }
          run->batch = std::min(2 * run->batch, run->remaining);
          if (run->batch > 0) StartBatch(run);
        });
  }
}

void ReplicaSetController::DeletePods(const Json& rs,
                                      const std::vector<ObjectPtr>& pods,
                                      int diff) {
  std::string key = client::KeyOf(rs);
  std::vector<ObjectPtr> victims =
      PodsToDelete(pods, IndirectlyRelatedPods(rs), diff, ctx_.clock->Now());
  std::vector<std::string> keys;
  for (const ObjectPtr& p : victims) keys.push_back(PodKey(*p));
  expectations_.ExpectDeletions(key, keys);
  Json involved = WithKind(rs);
  std::weak_ptr<bool> alive = alive_;
  for (const ObjectPtr& p : victims) {
    std::string name = NameOf(*p);
    std::string pod_key = PodKey(*p);
    ctx_.client->Delete(
        client::kPods, NamespaceOf(rs), name, {},
        [this, alive, key, pod_key, name, involved](base::StatusOr<Json> r) {
          if (alive.expired()) return;
          if (r.ok()) {
            recorder_.Event(involved, "Normal", "SuccessfulDelete",
                            "Deleted pod: " + name);
            return;
          }
          expectations_.DeletionObserved(key, pod_key);
          if (r.status().code() == base::Code::kNotFound) return;
          recorder_.Event(involved, "Warning", "FailedDelete",
                          "Error deleting: " + r.status().message());
          OnWriteError(key, r.status());
        });
  }
}

std::vector<ObjectPtr> ReplicaSetController::IndirectlyRelatedPods(
    const Json& rs) const {
  std::vector<ObjectPtr> related;
  const Json* ref = ControllerOf(rs);
  if (ref == nullptr) return related;
  std::set<std::string> seen;
  for (const ObjectPtr& sibling :
       rs_informer_->ByIndex(kRsByController, ref->value("uid", ""))) {
    if (NamespaceOf(*sibling) != NamespaceOf(rs)) continue;
    apiserver::LabelSelector sel = SpecSelectorOf(*sibling);
    for (const ObjectPtr& pod : pod_informer_->List(NamespaceOf(rs))) {
      if (sel.Matches(LabelsOf(*pod)) && seen.insert(UidOf(*pod)).second) {
        related.push_back(pod);
      }
    }
  }
  return related;
}

void ReplicaSetController::OnWriteError(const std::string& key,
                                        const base::Status& st) {
  manage_errors_[key] = st.message();
  queue_->AddRateLimited(key);
}

}  // namespace ksim::controllers
