// WriteQueue: group commit without a dedicated thread, after LevelDB's
// DBImpl::Write. Every writer enqueues itself; the writer at the front becomes
// the leader, takes a batch of the writers queued behind it, does their work
// in one transaction, completes them and hands leadership to the next front
// writer. Writers that arrive while a batch commits form the next batch, so
// the cost of one durable commit is shared by everyone who waited for it.
//
// Thread-safety: all methods are safe to call concurrently; TakeBatch and
// Complete only from the leader (the thread whose Enter returned true).
#ifndef KSIM_STORE_WRITE_QUEUE_H_
#define KSIM_STORE_WRITE_QUEUE_H_

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <vector>

namespace ksim::store {

class WriteQueue {
 public:
  // Base of a queued write; the owner keeps it alive until Enter returns.
  struct Writer {
    virtual ~Writer() = default;
    // Whether this writer must be the only one of its batch.
    bool solo = false;

   private:
    friend class WriteQueue;
    // Each writer sleeps on its own mutex and condition variable, so waking
    // a batch does not make every writer fight for the queue's mutex.
    std::mutex mu;
    std::condition_variable cv;
    bool done = false;    // guarded by mu
    bool leader = false;  // guarded by mu
  };

  // Enqueues w and blocks until a leader has completed it (returns false) or
  // it reached the front of the queue (returns true: the caller is the leader
  // and must call TakeBatch and then Complete).
  bool Enter(Writer* w);

  // Leader only: the writers of the next batch, the leader first, in queue
  // order: at most max_writers, never a solo writer with others.
  std::vector<Writer*> TakeBatch(size_t max_writers);

  // Leader only: appends to batch the writers queued after it (up to
  // max_writers in all, stopping at a solo writer). Returns whether it added
  // any. Lets the leader cut its batch as late as possible.
  bool TakeMore(std::vector<Writer*>* batch, size_t max_writers);

  // Leader only: removes the batch from the queue, wakes its writers and the
  // writer now at the front (the next leader).
  void Complete(const std::vector<Writer*>& batch);

 private:
  std::mutex mu_;
  std::deque<Writer*> queue_;  // guarded by mu_
  // Lock order: mu_ is never held while taking a Writer's mu.
};

}  // namespace ksim::store

#endif  // KSIM_STORE_WRITE_QUEUE_H_
