// DeploymentController: rolls Deployments out through ReplicaSets, as
// kube-controller-manager's deployment controller (v1.32,
// pkg/controller/deployment) does.
//
// - ReplicaSets are named "<deployment>-<pod-template-hash>"
//   (deployment_hash.h); the hash label is added to their selector, labels
//   and template labels. Orphan ReplicaSets matching the selector are
//   adopted, owned ones that stop matching are released.
// - RollingUpdate honours maxSurge / maxUnavailable (ints or percentages,
//   surge rounded up, unavailable down); Recreate scales old ReplicaSets to
//   0 and waits for their pods to be gone before creating the new one.
// - A change of spec.replicas alone scales the ReplicaSets proportionally.
// - Annotations deployment.kubernetes.io/revision (+ revision-history),
//   desired-replicas and max-replicas; old ReplicaSets beyond
//   revisionHistoryLimit are deleted once scaled to 0.
// - `kubectl rollout undo` patches an old ReplicaSet's template back into
//   the Deployment (client-side: apps/v1 has no rollback subresource); the
//   old ReplicaSet is found again and gets the next revision (its earlier
//   ones go to revision-history). The deprecated
//   deprecated.deployment.rollback.to annotation is not acted on. `rollout
//   restart` changes a template annotation, so a new ReplicaSet. spec.paused
//   stops rollouts (scaling still works) with Progressing reason
//   DeploymentPaused, then DeploymentResumed.
// - status: replicas, updatedReplicas, readyReplicas, availableReplicas,
//   unavailableReplicas, observedGeneration, collisionCount and the
//   Available / Progressing / ReplicaFailure conditions with kube's reasons
//   and messages; progressDeadlineSeconds is checked by a timer
//   (WorkQueue::AddAfter), giving ProgressDeadlineExceeded.
// - Events from "deployment-controller": ScalingReplicaSet "Scaled up
//   replica set web-5d8f4c7b9c from 0 to 2", ReplicaSetCreateError.
//
// Writes are asynchronous (client.h). One sync works on private copies of
// the Deployment and its ReplicaSets, so later steps of the same sync see
// what earlier steps wrote (as kube's code sees the objects its synchronous
// writes return); an object written twice in one sync is written the
// second time without a resourceVersion precondition. A failed write
// requeues the Deployment with backoff; events are recorded when a write
// succeeds.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_DEPLOYMENT_H_
#define KSIM_CONTROLLERS_DEPLOYMENT_H_

#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/controller_utils.h"

namespace ksim::controllers {

struct DeploymentControllerOptions {
  base::WorkQueue::Options queue{.name = "deployment"};
};

class DeploymentController {
 public:
  // Registers handlers on the Deployment, ReplicaSet and Pod informers.
  // REQUIRES: everything in ctx outlives the controller.
  explicit DeploymentController(const client::ClusterContext& ctx,
                                DeploymentControllerOptions options = {});
  ~DeploymentController();

  // Level-triggered sync of the Deployment "ns/name".
  base::Status Reconcile(const std::string& key);

  base::WorkQueue& queue() { return *queue_; }

 private:
  // One sync's view: private copies, and which of them it wrote already.
  struct Sync {
    std::string key;
    Json d;                 // the Deployment, with kind/apiVersion
    std::vector<Json> rss;  // claimed ReplicaSets
    int new_rs = -1;        // index into rss, -1 when none
    std::vector<int> old_rss;
    bool d_status_written = false;
    std::set<std::string> rs_written;
  };

  // Event handlers (deployment.cc).
  void Enqueue(const Json& d);
  void OnReplicaSetAdd(const ObjectPtr& rs);
  void OnReplicaSetUpdate(const ObjectPtr& old_rs, const ObjectPtr& cur_rs);
  void OnReplicaSetDelete(const ObjectPtr& rs);
  void OnPodDelete(const ObjectPtr& pod);
  ObjectPtr ResolveControllerRef(const std::string& ns, const Json* ref) const;
  std::vector<ObjectPtr> DeploymentsMatching(const Json& rs) const;
  std::vector<Json> ClaimReplicaSets(const Json& d);
  // Pods of the deployment's ReplicaSets (active or not), for Recreate.
  int PodsOfReplicaSets(const Json& d, const std::vector<Json>& rss,
                        const std::string& except_uid, bool running_only) const;

  // Sync steps (deployment_sync.cc).
  base::Status SyncStatusOnly(Sync& s);
  base::Status ScaleSync(Sync& s);
  void CheckPausedConditions(Sync& s);
  bool IsScalingEvent(Sync& s);
  base::Status GetAllReplicaSetsAndSyncRevision(Sync& s, bool create);
  base::Status CreateNewReplicaSet(Sync& s, const std::string& revision);
  void Scale(Sync& s);
  bool ScaleReplicaSet(Sync& s, int idx, int32_t size, const char* op);
  bool ScaleReplicaSetAndRecordEvent(Sync& s, int idx, int32_t size);
  void CleanupDeployment(Sync& s);
  Json CalculateStatus(const Sync& s) const;
  void SyncDeploymentStatus(Sync& s);
  std::vector<const Json*> AllRss(const Sync& s) const;
  std::vector<const Json*> OldRss(const Sync& s) const;

  // Rollouts (deployment_rollout.cc).
  base::Status RolloutRolling(Sync& s);
  bool ReconcileNewReplicaSet(Sync& s);
  bool ReconcileOldReplicaSets(Sync& s);
  int32_t CleanupUnhealthyReplicas(Sync& s, std::vector<int>& old,
                                   int32_t max_cleanup);
  int32_t ScaleDownOldReplicaSetsForRollingUpdate(Sync& s,
                                                  std::vector<int>& old);
  base::Status RolloutRecreate(Sync& s);
  void SyncRolloutStatus(Sync& s);
  void RequeueStuckDeployment(const Sync& s, const Json& status);

  // Writes (deployment_sync.cc).
  void WriteReplicaSet(Sync& s, int idx, std::string event_message);
  void WriteDeploymentStatus(Sync& s);
  void Event(const Json& d, const char* type, const char* reason,
             const std::string& message);
  void OnWriteError(const std::string& key, const base::Status& st);
  void OnCreateFailed(const std::string& key, const std::string& name,
                      const base::Status& st);

  client::ClusterContext ctx_;
  DeploymentControllerOptions options_;
  client::Informer* d_informer_;
  client::Informer* rs_informer_;
  client::Informer* pod_informer_;
  client::EventRecorder recorder_;
  std::unique_ptr<base::WorkQueue> queue_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_DEPLOYMENT_H_
