#include "store/write_queue.h"

namespace ksim::store {

bool WriteQueue::Enter(Writer* w) {
  std::unique_lock<std::mutex> lock(mu_);
  queue_.push_back(w);
  while (!w->done && w != queue_.front()) w->cv.wait(lock);
  return !w->done;
}

std::vector<WriteQueue::Writer*> WriteQueue::TakeBatch(size_t max_writers) {
  std::lock_guard<std::mutex> lock(mu_);
  std::vector<Writer*> batch;
  batch.push_back(queue_.front());
  if (batch[0]->solo) return batch;
  for (size_t i = 1; i < queue_.size() && batch.size() < max_writers; ++i) {
    if (queue_[i]->solo) break;
    batch.push_back(queue_[i]);
  }
  return batch;
}

void WriteQueue::Complete(const std::vector<Writer*>& batch) {
  std::lock_guard<std::mutex> lock(mu_);
  for (Writer* w : batch) {
    // The batch is the front of the queue, in order.
    queue_.pop_front();
    w->done = true;
    // The leader is not waiting; signalling it anyway is harmless.
    w->cv.notify_one();
  }
  if (!queue_.empty()) queue_.front()->cv.notify_one();
}

}  // namespace ksim::store
