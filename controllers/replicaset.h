// ReplicaSetController: keeps spec.replicas pods running for every
// ReplicaSet, as kube-controller-manager's replicaset controller (v1.32,
// pkg/controller/replicaset/replica_set.go) does.
//
// - Pods are claimed through ownerReferences; an orphan whose labels match
//   is adopted (strategic merge patch), an owned pod whose labels stopped
//   matching is released.
// - Missing pods are created from spec.template with generateName
//   "<rs>-" (the API server appends 5 characters of kube's alphabet) and a
//   controller ownerReference, in slow-start batches of 1, 2, 4, ... that
//   stop at the first failure. Surplus pods are deleted in kube's order
//   (controller_utils.h PodsToDelete). At most 500 per sync (burstReplicas).
// - Expectations (replicaset_expectations.h) keep a sync from acting again
//   until the pod informer has shown its creates and deletes.
// - status (replicas, fullyLabeledReplicas, readyReplicas,
//   availableReplicas, observedGeneration, the ReplicaFailure condition) is
//   written with UpdateStatus only when it changed.
// - Events from "replicaset-controller": SuccessfulCreate "Created pod: x",
//   SuccessfulDelete "Deleted pod: x", FailedCreate "Error creating: ...",
//   FailedDelete "Error deleting: ...".
//
// Writes are asynchronous (client.h): a failed create or delete is reported
// when its `done` runs; it lowers the expectations, requeues the key with
// backoff and shows up as ReplicaFailure in the next sync's status (kube
// reports it in the same sync, because its writes block).
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_REPLICASET_H_
#define KSIM_CONTROLLERS_REPLICASET_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/controller_utils.h"
#include "controllers/replicaset_expectations.h"

namespace ksim::controllers {

struct ReplicaSetControllerOptions {
  int burst_replicas = 500;
  base::WorkQueue::Options queue{.name = "replicaset"};
};

class ReplicaSetController {
 public:
  // Registers handlers on the ReplicaSet and Pod informers of ctx.informers.
  // REQUIRES: everything in ctx outlives the controller.
  explicit ReplicaSetController(const client::ClusterContext& ctx,
                                ReplicaSetControllerOptions options = {});
  ~ReplicaSetController();

  // Level-triggered sync of the ReplicaSet "ns/name".
  base::Status Reconcile(const std::string& key);

  base::WorkQueue& queue() { return *queue_; }
  Expectations& expectations() { return expectations_; }

 private:
  struct CreateBatch;  // replicaset.cc: one slow-start run

  void Enqueue(const Json& rs);
  void OnPodAdd(const ObjectPtr& pod);
  void OnPodUpdate(const ObjectPtr& old_pod, const ObjectPtr& cur_pod);
  void OnPodDelete(const ObjectPtr& pod);
  // The ReplicaSet named by the pod's controller ref, if it is one of ours.
  ObjectPtr ResolveControllerRef(const Json& pod) const;
  // Every ReplicaSet of the pod's namespace whose selector matches it.
  std::vector<ObjectPtr> ReplicaSetsMatching(const Json& pod) const;

  // ClaimPods: active pods owned by `rs` or adopted by it now.
  std::vector<ObjectPtr> ClaimPods(const Json& rs);
  void ManageReplicas(const Json& rs, const std::vector<ObjectPtr>& pods);
  void CreatePods(const Json& rs, int count);
  void StartBatch(std::shared_ptr<CreateBatch> run);
  void DeletePods(const Json& rs, const std::vector<ObjectPtr>& pods, int diff);
  std::vector<ObjectPtr> IndirectlyRelatedPods(const Json& rs) const;
  Json CalculateStatus(const Json& rs, const std::vector<ObjectPtr>& pods,
                       const std::string& manage_error) const;
  void UpdateStatus(const Json& rs, const Json& status);
  void OnWriteError(const std::string& key, const base::Status& st);

  client::ClusterContext ctx_;
  ReplicaSetControllerOptions options_;
  client::Informer* rs_informer_;
  client::Informer* pod_informer_;
  client::EventRecorder recorder_;
  Expectations expectations_;
  // The last error of a create/delete issued for a key, reported in its
  // next status (ReplicaFailure) and cleared by a sync without one.
  std::map<std::string, std::string> manage_errors_;
  std::unique_ptr<base::WorkQueue> queue_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_REPLICASET_H_
