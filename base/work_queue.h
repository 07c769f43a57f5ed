// WorkQueue: client-go's rate-limited work queue, driving one reconcile
// function on the EventLoop (the sample-controller shape, with the worker
// built in).
//
// Keys are deduplicated: a key added while it waits is queued once. Keys are
// reconciled one at a time, in the order they were first added, by tasks
// posted to the loop as idle tasks (EventLoop::PostIdle: after the events
// already posted, so bursts coalesce). When the reconcile function fails the
// key is retried after a per-key exponential backoff (base_delay * 2^failures,
// capped at max_delay), as workqueue.DefaultControllerRateLimiter's per-item
// limiter does; success forgets the key's failures.
//
// Thread-safety: loop thread only.
#ifndef KSIM_BASE_WORK_QUEUE_H_
#define KSIM_BASE_WORK_QUEUE_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <set>
#include <string>

#include "base/event_loop.h"
#include "base/status.h"

namespace ksim::base {

class WorkQueue {
 public:
  struct Options {
    std::string name;  // for logs and metrics
    Duration base_delay = std::chrono::milliseconds(5);
    Duration max_delay = std::chrono::seconds(1000);
    // Keys reconciled per posted task before yielding to other loop work.
    int batch = 64;
  };
  using ReconcileFunc = std::function<Status(const std::string& key)>;

  // REQUIRES: `loop` outlives the queue.
  WorkQueue(EventLoop* loop, Options options, ReconcileFunc reconcile);
  ~WorkQueue();
  WorkQueue(const WorkQueue&) = delete;
  WorkQueue& operator=(const WorkQueue&) = delete;

  void Add(const std::string& key);
  // Adds the key once `delay` of clock time has passed (an earlier pending
  // AddAfter of the same key wins).
  void AddAfter(const std::string& key, Duration delay);
  // Adds the key after its backoff and counts one more failure.
  void AddRateLimited(const std::string& key);
  // Clears the key's failure count.
  void Forget(const std::string& key);
  int NumRequeues(const std::string& key) const;

  // Whether `key` waits to be reconciled now (not counting delayed keys).
  bool Queued(const std::string& key) const { return queued_.count(key) > 0; }
  // Keys waiting to be reconciled now (not counting delayed ones).
  size_t Len() const { return queue_.size(); }
  // Stops scheduling reconciles; pending keys and timers are dropped.
  void ShutDown();

 private:
  void Schedule();
  void Drain();

  EventLoop* loop_;
  Options options_;
  ReconcileFunc reconcile_;
  std::deque<std::string> queue_;
  std::set<std::string> queued_;
  std::map<std::string, std::pair<Time, EventLoop::TimerId>> delayed_;
  std::map<std::string, int> failures_;
  bool drain_posted_ = false;
  bool shut_down_ = false;
  // Shared with posted tasks so that a task outliving the queue does nothing.
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::base

#endif  // KSIM_BASE_WORK_QUEUE_H_
