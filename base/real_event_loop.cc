// The real-time EventLoop and its thread: one of the few places allowed a
// thread and condition-variable waits (DESIGN.md: time, randomness,
// threads).
#include <chrono>
#include <condition_variable>
#include <thread>

#include "base/event_loop.h"
#include "base/event_loop_internal.h"

namespace ksim::base {
namespace {

class RealEventLoop : public EventLoopBase {
 public:
  RealEventLoop(const Clock* clock, double speed)
      : clock_(clock), speed_(speed) {}

  const Clock& clock() const override { return *clock_; }
  bool is_virtual() const override { return false; }

  void Run() override {
    std::unique_lock<std::mutex> l(mu_);
    while (!quit_) {
      std::optional<Time> next;
      std::function<void()> task = TakeRunnableLocked(clock_->Now(), &next);
      if (task) {
        l.unlock();
        task();
        task = nullptr;  // destroy captures outside the lock
        l.lock();
        continue;
      }
      if (!next) {
        cv_.wait(l);
        continue;
      }
      // Sleep until the next timer, in wall time (clock time / speed).
      auto wait = std::chrono::duration_cast<std::chrono::nanoseconds>(
          (*next - clock_->Now()) / speed_);
      if (wait > Duration::zero()) cv_.wait_for(l, wait);
    }
  }

  // Real time has no "later" to run to: these run what is due now.
  void RunUntil(Time) override { RunUntilIdle(); }
  bool RunUntilCondition(const std::function<bool()>& done, Time) override {
    RunUntilIdle();
    return done && done();
  }

 protected:
  void NotifyLocked() override { cv_.notify_all(); }

 private:
  const Clock* clock_;
  double speed_;
  std::condition_variable cv_;
};

class RealLoopThread : public LoopThread {
 public:
  explicit RealLoopThread(EventLoop* loop)
      : loop_(loop), thread_([this] { loop_->Run(); }) {}
  ~RealLoopThread() override {
    loop_->Quit();
    thread_.join();
  }

 private:
  EventLoop* loop_;
  std::thread thread_;
};

}  // namespace

std::unique_ptr<EventLoop> EventLoop::NewReal(const Clock* clock,
                                              double speed) {
  return std::make_unique<RealEventLoop>(clock, speed);
}

std::unique_ptr<LoopThread> StartLoopThread(EventLoop* loop) {
  return std::make_unique<RealLoopThread>(loop);
}

}  // namespace ksim::base
