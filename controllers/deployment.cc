// DeploymentController: event handlers, claiming ReplicaSets and the
// top of syncDeployment (deployment_controller.go, v1.32).
#include "controllers/deployment.h"

#include <algorithm>

#include "controllers/deployment_util.h"

namespace ksim::controllers {

namespace {

constexpr char kComponent[] = "deployment-controller";
constexpr char kRsByController[] = "deployment/rsControllerUID";
constexpr char kPodsByController[] = "deployment/podControllerUID";
constexpr char kOrphan[] = "<orphan>";

std::vector<std::string> ControllerUidIndex(const Json& obj) {
  const Json* ref = ControllerOf(obj);
  return {ref ? ref->value("uid", "") : std::string(kOrphan)};
}

}  // namespace

DeploymentController::DeploymentController(const client::ClusterContext& ctx,
                                           DeploymentControllerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      d_informer_(ctx.informers->For(client::kDeployments)),
      rs_informer_(ctx.informers->For(client::kReplicaSets)),
      pod_informer_(ctx.informers->For(client::kPods)),
      recorder_(ctx.client, ctx.clock, kComponent),
      alive_(std::make_shared<bool>(true)) {
  queue_ = std::make_unique<base::WorkQueue>(
      ctx.loop, options_.queue,
      [this](const std::string& key) { return Reconcile(key); });
  rs_informer_->AddIndex(kRsByController, ControllerUidIndex);
  pod_informer_->AddIndex(kPodsByController, ControllerUidIndex);
  d_informer_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& d) { Enqueue(*d); },
      .on_update = [this](const ObjectPtr&,
                          const ObjectPtr& d) { Enqueue(*d); },
      .on_delete = [this](const ObjectPtr& d) { Enqueue(*d); },
  });
  rs_informer_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& rs) { OnReplicaSetAdd(rs); },
      .on_update = [this](const ObjectPtr& o,
                          const ObjectPtr& n) { OnReplicaSetUpdate(o, n); },
      .on_delete = [this](const ObjectPtr& rs) { OnReplicaSetDelete(rs); },
  });
  client::EventHandlers pod_handlers;
  pod_handlers.on_delete = [this](const ObjectPtr& p) { OnPodDelete(p); };
  pod_informer_->AddEventHandlers(std::move(pod_handlers));
}

DeploymentController::~DeploymentController() {
  *alive_ = false;
  queue_->ShutDown();
}

void DeploymentController::Enqueue(const Json& d) {
  queue_->Add(client::KeyOf(d));
}

ObjectPtr DeploymentController::ResolveControllerRef(const std::string& ns,
                                                     const Json* ref) const {
  return controllers::ResolveControllerRef(*d_informer_, "Deployment", ns, ref);
}

std::vector<ObjectPtr> DeploymentController::DeploymentsMatching(
    const Json& rs) const {
  return OwnersSelecting(*d_informer_, rs);
}

void DeploymentController::OnReplicaSetAdd(const ObjectPtr& rs) {
  if (IsBeingDeleted(*rs)) {
    OnReplicaSetDelete(rs);
    return;
  }
  if (const Json* ref = ControllerOf(*rs)) {
    if (ObjectPtr d = ResolveControllerRef(NamespaceOf(*rs), ref)) Enqueue(*d);
    return;
  }
  for (const ObjectPtr& d : DeploymentsMatching(*rs)) Enqueue(*d);
}

void DeploymentController::OnReplicaSetUpdate(const ObjectPtr& old_rs,
                                              const ObjectPtr& cur_rs) {
  const Json& cur = *cur_rs;
  const Json& old = *old_rs;
  if (base::GetString(cur, {"metadata", "resourceVersion"}) ==
      base::GetString(old, {"metadata", "resourceVersion"})) {
    return;
  }
  const Json* cur_ref = ControllerOf(cur);
  const Json* old_ref = ControllerOf(old);
  bool ref_changed =
      (cur_ref ? *cur_ref : Json()) != (old_ref ? *old_ref : Json());
  if (ref_changed && old_ref != nullptr) {
    if (ObjectPtr d = ResolveControllerRef(NamespaceOf(old), old_ref)) {
      Enqueue(*d);
    }
  }
  if (cur_ref != nullptr) {
    if (ObjectPtr d = ResolveControllerRef(NamespaceOf(cur), cur_ref)) {
      Enqueue(*d);
    }
    return;
  }
  if (ref_changed || LabelsOf(cur) != LabelsOf(old)) {
    for (const ObjectPtr& d : DeploymentsMatching(cur)) Enqueue(*d);
  }
}

void DeploymentController::OnReplicaSetDelete(const ObjectPtr& rs) {
  if (ObjectPtr d = ResolveControllerRef(NamespaceOf(*rs), ControllerOf(*rs))) {
    Enqueue(*d);
  }
}

// A Recreate rollout waits for the old pods to be gone: look again when
// the last pod of a Deployment disappears.
void DeploymentController::OnPodDelete(const ObjectPtr& pod) {
  const Json* ref = ControllerOf(*pod);
  if (ref == nullptr || ref->value("kind", "") != "ReplicaSet") return;
  ObjectPtr rs = rs_informer_->Get(NamespaceOf(*pod), ref->value("name", ""));
  if (rs == nullptr || UidOf(*rs) != ref->value("uid", "")) return;
  ObjectPtr d = ResolveControllerRef(NamespaceOf(*rs), ControllerOf(*rs));
  if (d == nullptr || !IsRecreate(*d)) return;
  std::vector<Json> rss;
  for (const ObjectPtr& r : rs_informer_->ByIndex(kRsByController, UidOf(*d))) {
    rss.push_back(*r);
  }
  if (PodsOfReplicaSets(*d, rss, "", false) == 0) Enqueue(*d);
}

int DeploymentController::PodsOfReplicaSets(const Json& d,
                                            const std::vector<Json>& rss,
                                            const std::string& except_uid,
                                            bool running_only) const {
  apiserver::LabelSelector sel = SpecSelectorOf(d);
  int n = 0;
  for (const Json& rs : rss) {
    if (UidOf(rs) == except_uid) continue;
    for (const ObjectPtr& pod :
         pod_informer_->ByIndex(kPodsByController, UidOf(rs))) {
      if (NamespaceOf(*pod) != NamespaceOf(d) || !sel.Matches(LabelsOf(*pod))) {
        continue;
      }
      std::string phase = base::GetString(*pod, {"status", "phase"});
      if (running_only && (phase == "Failed" || phase == "Succeeded")) continue;
      ++n;
    }
  }
  return n;
}

// ClaimReplicaSets (ReplicaSetControllerRefManager): owned and matching are
// kept, owned and no longer matching are released, matching orphans are
// adopted unless the Deployment is going away.
std::vector<Json> DeploymentController::ClaimReplicaSets(const Json& d) {
  std::string ns = NamespaceOf(d);
  std::string uid = UidOf(d);
  apiserver::LabelSelector sel = SpecSelectorOf(d);
  std::vector<ObjectPtr> candidates =
      rs_informer_->ByIndex(kRsByController, uid);
  for (ObjectPtr& rs : rs_informer_->ByIndex(kRsByController, kOrphan)) {
    if (NamespaceOf(*rs) == ns) candidates.push_back(std::move(rs));
  }
  std::sort(candidates.begin(), candidates.end(),
            [](const ObjectPtr& a, const ObjectPtr& b) {
              return NameOf(*a) < NameOf(*b);
            });
  std::vector<Json> claimed;
  std::optional<bool> can_adopt;
  for (const ObjectPtr& rs : candidates) {
    if (NamespaceOf(*rs) != ns) continue;
    bool matches = sel.Matches(LabelsOf(*rs));
    if (ControllerOf(*rs) != nullptr) {
      if (matches) {
        claimed.push_back(*rs);
      } else if (!IsBeingDeleted(d)) {
        ctx_.client->Patch(client::kReplicaSets, ns, NameOf(*rs),
                           client::PatchType::kStrategicMerge,
                           ReleasePatch(*rs, uid));
      }
      continue;
    }
    if (IsBeingDeleted(d) || !matches || IsBeingDeleted(*rs)) continue;
    if (!can_adopt.has_value()) {
      auto fresh = ctx_.client->Get(client::kDeployments, ns, NameOf(d));
      can_adopt = fresh.ok() && UidOf(*fresh) == uid && !IsBeingDeleted(*fresh);
    }
    if (!*can_adopt) continue;
    ctx_.client->Patch(
        client::kReplicaSets, ns, NameOf(*rs),
        client::PatchType::kStrategicMerge,
        AdoptPatch(*rs, NewControllerRef(d, "apps/v1", "Deployment")));
    Json adopted = *rs;
    adopted["metadata"]["ownerReferences"] =
        Json::array({NewControllerRef(d, "apps/v1", "Deployment")});
    claimed.push_back(std::move(adopted));
  }
  return claimed;
}

base::Status DeploymentController::Reconcile(const std::string& key) {
  ObjectPtr cached = d_informer_->Get(key);
  if (cached == nullptr) return base::Status::Ok();
  Sync s;
  s.key = key;
  s.d = *cached;
  s.d["kind"] = "Deployment";
  s.d["apiVersion"] = "apps/v1";
  if (IsEmptySelectorObject(base::Find(s.d, {"spec", "selector"}))) {
    Event(s.d, "Warning", "SelectingAll",
          "This deployment is selecting all pods. A non-empty selector is "
          "required.");
    if (base::GetInt(s.d, {"status", "observedGeneration"}) <
        GenerationOf(s.d)) {
      s.d["status"]["observedGeneration"] = GenerationOf(s.d);
      WriteDeploymentStatus(s);
    }
    return base::Status::Ok();
  }
  s.rss = ClaimReplicaSets(s.d);
  if (IsBeingDeleted(s.d)) return SyncStatusOnly(s);
  CheckPausedConditions(s);
  if (base::Find(s.d, {"spec", "paused"}) &&
      base::Find(s.d, {"spec", "paused"})->is_boolean() &&
      s.d["spec"]["paused"].get<bool>()) {
    return ScaleSync(s);
  }
  if (IsScalingEvent(s)) return ScaleSync(s);
  if (IsRecreate(s.d)) return RolloutRecreate(s);
  return RolloutRolling(s);
}

void DeploymentController::Event(const Json& d, const char* type,
                                 const char* reason,
                                 const std::string& message) {
  recorder_.Event(d, type, reason, message);
}

void DeploymentController::OnWriteError(const std::string& key,
                                        const base::Status& st) {
  if (st.code() == base::Code::kNotFound) return;
  queue_->AddRateLimited(key);
}

}  // namespace ksim::controllers
