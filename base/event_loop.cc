#include "base/event_loop.h"

#include <utility>

#include "base/event_loop_internal.h"

namespace ksim::base {

void EventLoopBase::Post(std::function<void()> task) {
  std::lock_guard<std::mutex> l(mu_);
  posted_.push_back(std::move(task));
  NotifyLocked();
}

void EventLoopBase::PostIdle(std::function<void()> task) {
  std::lock_guard<std::mutex> l(mu_);
  idle_.push_back(std::move(task));
  NotifyLocked();
}

void EventLoopBase::PostDelayed(Duration delay, std::function<void()> task) {
  // The clock is thread-safe; the timer map is guarded below.
  RunAt(clock().Now() + delay, std::move(task));
}

EventLoop::TimerId EventLoopBase::RunAt(Time when, std::function<void()> fn) {
  std::lock_guard<std::mutex> l(mu_);
  TimerId id = next_seq_++;
  TimerKey key{when, id};
  timers_.emplace(key, std::move(fn));
  timer_keys_.emplace(id, key);
  NotifyLocked();
  return id;
}

bool EventLoopBase::Cancel(TimerId id) {
  std::lock_guard<std::mutex> l(mu_);
  auto it = timer_keys_.find(id);
  if (it == timer_keys_.end()) return false;
  timers_.erase(it->second);
  timer_keys_.erase(it);
  return true;
}

size_t EventLoopBase::PendingCount() const {
  std::lock_guard<std::mutex> l(mu_);
  return posted_.size() + timers_.size() + idle_.size();
}

void EventLoopBase::Quit() {
  std::lock_guard<std::mutex> l(mu_);
  quit_ = true;
  NotifyLocked();
}

void EventLoopBase::RunUntilIdle() {
  while (true) {
    std::function<void()> task;
    {
      std::lock_guard<std::mutex> l(mu_);
      if (quit_) return;
      task = TakeRunnableLocked(clock().Now(), nullptr);
    }
    if (!task) return;
    task();
  }
}

std::function<void()> EventLoopBase::TakeRunnableLocked(
    Time now, std::optional<Time>* next_timer) {
  auto take = [](std::deque<std::function<void()>>& q) {
    std::function<void()> task = std::move(q.front());
    q.pop_front();
    return task;
  };
  bool idle_first = !idle_.empty() && normal_streak_ >= kMaxNormalStreak;
  if (!idle_first) {
    if (!posted_.empty()) {
      ++normal_streak_;
      return take(posted_);
    }
    auto it = timers_.begin();
    if (it != timers_.end() && it->first.first <= now) {
      ++normal_streak_;
      std::function<void()> fn = std::move(it->second);
      timer_keys_.erase(it->first.second);
      timers_.erase(it);
      return fn;
    }
  }
  if (!idle_.empty()) {
    normal_streak_ = 0;
    return take(idle_);
  }
  if (!timers_.empty() && next_timer)
    *next_timer = timers_.begin()->first.first;
  return nullptr;
}

namespace {

// Virtual time: the caller's thread is the loop thread while it runs one of
// the Run* methods; the clock jumps to the next timer when nothing else is
// runnable.
class VirtualEventLoop : public EventLoopBase {
 public:
  explicit VirtualEventLoop(VirtualClock* clock) : clock_(clock) {}

  const Clock& clock() const override { return *clock_; }
  bool is_virtual() const override { return true; }

  void RunUntil(Time deadline) override {
    RunUntilCondition(nullptr, deadline);
    if (clock_->Now() < deadline) clock_->Set(deadline);
  }

  bool RunUntilCondition(const std::function<bool()>& done,
                         Time deadline) override {
    while (true) {
      if (done && done()) return true;
      std::function<void()> task;
      {
        std::lock_guard<std::mutex> l(mu_);
        if (quit_) return false;
        std::optional<Time> next;
        task = TakeRunnableLocked(clock_->Now(), &next);
        if (!task) {
          if (!next || *next > deadline) return false;
          // Idle: jump to the next timer and look again.
          clock_->Set(*next);
          continue;
        }
      }
      task();
    }
  }

  void Run() override {
    // A virtual loop never waits: Run is RunUntil(forever), i.e. until Quit
    // or until nothing at all is left.
    RunUntilCondition(nullptr, Time::max());
  }

 private:
  VirtualClock* clock_;
};

}  // namespace

std::unique_ptr<EventLoop> EventLoop::NewVirtual(VirtualClock* clock) {
  return std::make_unique<VirtualEventLoop>(clock);
}

}  // namespace ksim::base
