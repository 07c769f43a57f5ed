#include "controllers/scheduler_queue.h"

#include <algorithm>

namespace ksim::controllers::sched {

base::Time SchedulingQueue::BackoffExpiry(const Entry& e) const {
  if (e.attempts == 0) return e.last_attempt;
  base::Duration d = options_.initial_backoff;
  for (int i = 1; i < e.attempts && d < options_.max_backoff; ++i) d *= 2;
  return e.last_attempt + std::min(d, options_.max_backoff);
}

void SchedulingQueue::Unlink(const std::string& key, const Entry& e) {
  switch (e.where) {
    case Where::kActive:
      active_.erase({-e.priority, e.seq, key});
      break;
    case Where::kBackoff:
      backoff_.erase({BackoffExpiry(e), key});
      break;
    case Where::kUnschedulable:
      unschedulable_.erase({e.entered, key});
      break;
  }
}

void SchedulingQueue::ToActive(const std::string& key, Entry& e) {
  e.where = Where::kActive;
  e.seq = ++seq_;
  active_.insert({-e.priority, e.seq, key});
}

void SchedulingQueue::ToActiveOrBackoff(const std::string& key, Entry& e,
                                        base::Time now) {
  if (e.attempts > 0 && BackoffExpiry(e) > now) {
    e.where = Where::kBackoff;
    e.entered = now;
    backoff_.insert({BackoffExpiry(e), key});
  } else {
    ToActive(key, e);
  }
}

void SchedulingQueue::Add(const std::string& key, int32_t priority,
                          base::Time now) {
  auto it = pods_.find(key);
  if (it == pods_.end()) {
    Entry& e = pods_[key];
    e.priority = priority;
    e.entered = now;
    ToActive(key, e);
    return;
  }
  Entry& e = it->second;
  if (e.where == Where::kActive) return;
  Unlink(key, e);
  e.priority = priority;
  ToActiveOrBackoff(key, e, now);
}

void SchedulingQueue::Delete(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) return;
  Unlink(key, it->second);
  pods_.erase(it);
}

bool SchedulingQueue::Pop(std::string* key, int* attempts) {
  if (active_.empty()) return false;
  auto first = active_.begin();
  *key = std::get<2>(*first);
  active_.erase(first);
  auto it = pods_.find(*key);
  *attempts = it->second.attempts;
  pods_.erase(it);
  // The failure path re-adds it with attempts + 1.
  popped_attempts_[*key] = *attempts;
  return true;
}

void SchedulingQueue::AddUnschedulable(const std::string& key, int32_t priority,
                                       base::Time now) {
  Delete(key);
  Entry& e = pods_[key];
  e.priority = priority;
  auto pa = popped_attempts_.find(key);
  e.attempts = (pa == popped_attempts_.end() ? 0 : pa->second) + 1;
  if (pa != popped_attempts_.end()) popped_attempts_.erase(pa);
  e.last_attempt = now;
  e.where = Where::kUnschedulable;
  e.entered = now;
  unschedulable_.insert({now, key});
}

void SchedulingQueue::AddBackoff(const std::string& key, int32_t priority,
                                 base::Time now) {
  AddUnschedulable(key, priority, now);
  Entry& e = pods_[key];
  Unlink(key, e);
  ToActiveOrBackoff(key, e, now);
}

void SchedulingQueue::Forget(const std::string& key) {
  popped_attempts_.erase(key);
}

void SchedulingQueue::MoveAllToActiveOrBackoff(base::Time now) {
  while (!unschedulable_.empty()) {
    std::string key = unschedulable_.begin()->second;
    unschedulable_.erase(unschedulable_.begin());
    ToActiveOrBackoff(key, pods_[key], now);
  }
}

void SchedulingQueue::Flush(base::Time now) {
  while (!backoff_.empty() && backoff_.begin()->first <= now) {
    std::string key = backoff_.begin()->second;
    backoff_.erase(backoff_.begin());
    ToActive(key, pods_[key]);
  }
  while (!unschedulable_.empty() &&
         unschedulable_.begin()->first + options_.max_in_unschedulable <= now) {
    std::string key = unschedulable_.begin()->second;
    unschedulable_.erase(unschedulable_.begin());
    ToActiveOrBackoff(key, pods_[key], now);
  }
}

std::optional<base::Time> SchedulingQueue::NextWakeup() const {
  std::optional<base::Time> t;
  if (!backoff_.empty()) t = backoff_.begin()->first;
  if (!unschedulable_.empty()) {
    base::Time u =
        unschedulable_.begin()->first + options_.max_in_unschedulable;
    if (!t || u < *t) t = u;
  }
  return t;
}

}  // namespace ksim::controllers::sched
