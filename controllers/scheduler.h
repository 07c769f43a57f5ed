// Scheduler: kube-scheduler's default profile ("default-scheduler") on the
// cluster loop. It watches pods and nodes through the shared informers:
// pending pods naming this scheduler go to the SchedulingQueue; assigned
// pods are accounted in the SchedulerCache. Each pod is scheduled in one
// synchronous cycle (filters, scores, the best node with ties broken by the
// seeded Rng as selectHost does), assumed on its node at once so the next
// pod sees it, then bound through pods/binding. A pod that fits nowhere gets
// PodScheduled=False (reason Unschedulable) with kube-scheduler's message and
// a FailedScheduling event, and waits for a cluster change or its backoff.
//
// Thread-safety: loop thread only. Time from ctx.clock, randomness from
// ctx.rng.
#ifndef KSIM_CONTROLLERS_SCHEDULER_H_
#define KSIM_CONTROLLERS_SCHEDULER_H_

#include <memory>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "controllers/scheduler_cache.h"
#include "controllers/scheduler_framework.h"
#include "controllers/scheduler_queue.h"

namespace ksim::controllers {

struct SchedulerOptions {
  std::string scheduler_name = "default-scheduler";
  sched::SchedulingQueue::Options queue;
  // Pods scheduled per posted loop task before yielding to other work.
  int batch = 256;
};

class Scheduler {
 public:
  // Registers its informer handlers. REQUIRES: ctx's pointers outlive it.
  explicit Scheduler(const client::ClusterContext& ctx,
                     SchedulerOptions options = {});
  ~Scheduler();
  Scheduler(const Scheduler&) = delete;
  Scheduler& operator=(const Scheduler&) = delete;

  // One scheduling cycle for the next pod of activeQ (ScheduleOne). Returns
  // false when activeQ was empty. Writes (binding, status, events) complete
  // later on the loop.
  bool ScheduleOne();

  const sched::SchedulerCache& cache() const { return cache_; }
  const sched::SchedulingQueue& queue() const { return queue_; }

 private:
  void OnPodAdd(const client::ObjectPtr& obj);
  void OnPodUpdate(const client::ObjectPtr& old_obj,
                   const client::ObjectPtr& new_obj);
  void OnPodDelete(const client::ObjectPtr& obj);
  void OnNodeAdd(const client::ObjectPtr& obj);
  void OnNodeUpdate(const client::ObjectPtr& old_obj,
                    const client::ObjectPtr& new_obj);
  void OnNodeDelete(const client::ObjectPtr& obj);
  bool Responsible(const base::Json& pod) const;
  void Enqueue(const sched::PodInfo& pod);
  void ClusterChanged();
  void ScheduleSoon();
  void Drain();
  void ArmWakeup();

  // The node for `pod`, or "" with `diag` filled.
  std::string SelectNode(const sched::PodInfo& pod, sched::Diagnosis* diag);
  std::vector<const sched::NodeInfo*> FindFeasible(const sched::PodInfo& pod,
                                                   sched::Diagnosis* diag);
  void Bind(const sched::PodInfo& pod, const std::string& node);
  void OnBindDone(const sched::PodInfo& pod, const std::string& node,
                  const base::Status& status);
  void HandleFailure(const sched::PodInfo& pod, const std::string& reason,
                     const std::string& message, bool unschedulable);
  void PatchScheduledCondition(const sched::PodInfo& pod,
                               const std::string& reason,
                               const std::string& message);

  client::ClusterContext ctx_;
  SchedulerOptions options_;
  client::Informer* pods_;
  client::Informer* nodes_;
  client::EventRecorder recorder_;
  sched::SchedulerCache cache_;
  sched::SchedulingQueue queue_;
  size_t next_start_node_ = 0;
  bool drain_posted_ = false;
  base::EventLoop::TimerId wakeup_timer_ = 0;
  base::Time wakeup_at_{};
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_SCHEDULER_H_
