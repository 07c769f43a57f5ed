// WorkerPool: a few real threads that run submitted tasks (the in-process
// client's writer threads, so that many writes share one durable group
// commit of the store instead of the cluster loop waiting on each fsync).
// Only real-time code uses it; virtual time keeps every write on the loop.
//
// Tasks run in no particular order relative to each other; callers that need
// an order (writes to one object) chain their tasks themselves.
//
// Thread-safety: Submit and WaitIdle may be called from any thread.
#ifndef KSIM_BASE_WORKER_POOL_H_
#define KSIM_BASE_WORKER_POOL_H_

#include <functional>
#include <memory>

namespace ksim::base {

class WorkerPool {
 public:
  // Runs every task already submitted, then joins the threads.
  virtual ~WorkerPool() = default;
  virtual void Submit(std::function<void()> task) = 0;
  // Blocks until no task is queued or running (tasks submitted by running
  // tasks included). REQUIRES: not called from a pool thread.
  virtual void WaitIdle() = 0;
};

// A pool of `threads` real threads (base/real_worker_pool.cc).
// REQUIRES: threads > 0.
std::unique_ptr<WorkerPool> NewRealWorkerPool(int threads);

}  // namespace ksim::base

#endif  // KSIM_BASE_WORKER_POOL_H_
