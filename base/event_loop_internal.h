// The state both EventLoop implementations share: the posted-task queue and
// the timer heap, behind one mutex so that Post may come from any thread.
// Not part of the public contract; see event_loop.h.
#ifndef KSIM_BASE_EVENT_LOOP_INTERNAL_H_
#define KSIM_BASE_EVENT_LOOP_INTERNAL_H_

#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <utility>

#include "base/event_loop.h"

namespace ksim::base {

class EventLoopBase : public EventLoop {
 public:
  void Post(std::function<void()> task) override;
  void PostDelayed(Duration delay, std::function<void()> task) override;
  void PostIdle(std::function<void()> task) override;
  TimerId RunAt(Time when, std::function<void()> fn) override;
  bool Cancel(TimerId id) override;
  size_t PendingCount() const override;
  void Quit() override;
  // Runs posted work and the timers due at clock().Now(), in both modes.
  void RunUntilIdle() override;

 protected:
  // What to do next at time `now`: a posted task first, else the earliest
  // timer due at or before `now`, else an idle task (or an idle task first
  // after kMaxNormalStreak others). When nothing is runnable, `*next_timer`
  // (if not null) gets the earliest timer's time, if any.
  // REQUIRES: mu_ held.
  std::function<void()> TakeRunnableLocked(Time now,
                                           std::optional<Time>* next_timer);
  // Called with mu_ held after new work arrived (wakes a sleeping Run).
  virtual void NotifyLocked() {}

  mutable std::mutex mu_;
  bool quit_ = false;

 private:
  using TimerKey = std::pair<Time, uint64_t>;  // (due time, creation order)
  std::deque<std::function<void()>> posted_;
  std::deque<std::function<void()>> idle_;
  int normal_streak_ = 0;  // tasks run since the last idle one
  std::map<TimerKey, std::function<void()>> timers_;
  std::map<TimerId, TimerKey> timer_keys_;
  uint64_t next_seq_ = 1;
};

}  // namespace ksim::base

#endif  // KSIM_BASE_EVENT_LOOP_INTERNAL_H_
