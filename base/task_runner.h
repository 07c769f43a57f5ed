// TaskRunner: somewhere to run work later, in order. The API server uses it
// for work that must not run on a request's thread (namespace draining,
// compaction). In virtual time the cluster EventLoop implements it; in real
// time NewRealTaskRunner does, with one thread.
//
// Thread-safety: Post/PostDelayed may be called from any thread. Tasks run
// one at a time, in (due time, post order).
#ifndef KSIM_BASE_TASK_RUNNER_H_
#define KSIM_BASE_TASK_RUNNER_H_

#include <functional>
#include <memory>

#include "base/clock.h"

namespace ksim::base {

class TaskRunner {
 public:
  virtual ~TaskRunner() = default;
  virtual void Post(std::function<void()> task) = 0;
  virtual void PostDelayed(Duration delay, std::function<void()> task) = 0;
};

// A runner with its own thread that sleeps in real time until the next task
// is due. Destroying it drops pending tasks and joins the thread (a task in
// progress finishes first).
std::unique_ptr<TaskRunner> NewRealTaskRunner();

}  // namespace ksim::base

#endif  // KSIM_BASE_TASK_RUNNER_H_
