// TaintEvictionController: kube-controller-manager's taint-eviction-controller
// (pkg/controller/tainteviction, 1.32). Pods bound to a node with NoExecute
// taints are deleted: at once when some taint is not tolerated; after the
// smallest tolerationSeconds of the tolerations in use otherwise (never when
// they tolerate forever). Before deleting it adds the DisruptionTarget
// condition (reason DeletionByTaintManager) and records "TaintManagerEviction"
// "Marking for deletion Pod <ns>/<name>". A scheduled eviction is cancelled
// ("Cancelling deletion of Pod <ns>/<name>") when the taints go away.
// Timers are loop timers, so evictions happen in virtual time too.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_NODE_LIFECYCLE_EVICTION_H_
#define KSIM_CONTROLLERS_NODE_LIFECYCLE_EVICTION_H_

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/node_lifecycle_util.h"
#include "controllers/scheduler_types.h"

namespace ksim::controllers {

class TaintEvictionController {
 public:
  // REQUIRES: ctx's pointers outlive it.
  explicit TaintEvictionController(const client::ClusterContext& ctx);
  ~TaintEvictionController();
  TaintEvictionController(const TaintEvictionController&) = delete;
  TaintEvictionController& operator=(const TaintEvictionController&) = delete;

  // Keys are "node:<name>" (handleNodeUpdate) or "pod:<ns>/<name>"
  // (handlePodUpdate).
  base::Status Reconcile(const std::string& key);

  // When the eviction of `pod_key` fires, if one is scheduled.
  std::optional<base::Time> ScheduledEviction(const std::string& pod_key) const;

 private:
  struct Work {
    base::Time created{};
    base::Time fire_at{};
    base::EventLoop::TimerId timer = 0;  // 0 once fired
  };
  void HandleNode(const std::string& name);
  void HandlePod(const std::string& key);
  void ProcessPodOnNode(const std::string& pod_key,
                        const std::vector<sched::Toleration>& tolerations,
                        const std::vector<sched::Taint>& taints);
  void AddWork(const std::string& pod_key, base::Time created,
               base::Time fire_at);
  void CancelWorkWithEvent(const std::string& pod_key);
  void Evict(const std::string& pod_key);

  client::ClusterContext ctx_;
  client::Informer* nodes_;
  client::Informer* pods_;
  client::EventRecorder recorder_;
  lifecycle::PodsByNode pods_by_node_;
  std::map<std::string, std::vector<sched::Taint>> tainted_nodes_;
  std::map<std::string, Work> work_;
  std::shared_ptr<bool> alive_;
  base::WorkQueue queue_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_NODE_LIFECYCLE_EVICTION_H_
