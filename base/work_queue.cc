#include "base/work_queue.h"

#include <algorithm>
#include <utility>

namespace ksim::base {

WorkQueue::WorkQueue(EventLoop* loop, Options options, ReconcileFunc reconcile)
    : loop_(loop),
      options_(std::move(options)),
      reconcile_(std::move(reconcile)),
      alive_(std::make_shared<bool>(true)) {}

WorkQueue::~WorkQueue() { ShutDown(); }

void WorkQueue::ShutDown() {
  if (shut_down_) return;
  shut_down_ = true;
  *alive_ = false;
  for (auto& [key, when_id] : delayed_) loop_->Cancel(when_id.second);
  delayed_.clear();
  queue_.clear();
  queued_.clear();
}

void WorkQueue::Add(const std::string& key) {
  if (shut_down_) return;
  if (!queued_.insert(key).second) return;
  queue_.push_back(key);
  Schedule();
}

void WorkQueue::AddAfter(const std::string& key, Duration delay) {
  if (shut_down_) return;
  if (delay <= Duration::zero()) {
    Add(key);
    return;
  }
  Time when = loop_->Now() + delay;
  auto it = delayed_.find(key);
  if (it != delayed_.end()) {
    if (it->second.first <= when) return;  // the earlier add wins
    loop_->Cancel(it->second.second);
    delayed_.erase(it);
  }
  std::weak_ptr<bool> alive = alive_;
  EventLoop::TimerId id = loop_->RunAt(when, [this, alive, key] {
    auto a = alive.lock();
    if (!a || !*a) return;
    delayed_.erase(key);
    Add(key);
  });
  delayed_[key] = {when, id};
}

void WorkQueue::AddRateLimited(const std::string& key) {
  int failures = failures_[key]++;
  // base_delay * 2^failures, capped; the exponent is capped first so the
  // shift cannot overflow.
  Duration delay = options_.max_delay;
  if (failures < 40) {
    auto scaled = options_.base_delay * (int64_t{1} << failures);
    if (scaled / (int64_t{1} << failures) == options_.base_delay) {
      delay = std::min(scaled, options_.max_delay);
    }
  }
  AddAfter(key, delay);
}

void WorkQueue::Forget(const std::string& key) { failures_.erase(key); }

int WorkQueue::NumRequeues(const std::string& key) const {
  auto it = failures_.find(key);
  return it == failures_.end() ? 0 : it->second;
}

void WorkQueue::Schedule() {
  if (drain_posted_ || queue_.empty()) return;
  drain_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  // Idle priority: the watch events already posted are delivered (and their
  // keys deduplicated here) before this drain runs; see event_loop.h.
  loop_->PostIdle([this, alive] {
    auto a = alive.lock();
    if (!a || !*a) return;
    drain_posted_ = false;
    Drain();
  });
}

void WorkQueue::Drain() {
  for (int i = 0; i < options_.batch && !queue_.empty() && !shut_down_; ++i) {
    std::string key = std::move(queue_.front());
    queue_.pop_front();
    queued_.erase(key);
    // A key re-added while it is reconciled is queued again (it is no longer
    // in queued_), as client-go's dirty set does.
    Status s = reconcile_(key);
    if (shut_down_) return;
    if (s.ok()) {
      Forget(key);
    } else {
      AddRateLimited(key);
    }
  }
  Schedule();
}

}  // namespace ksim::base
