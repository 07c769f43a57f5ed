// EventLoop: the cluster loop. One loop owns every controller, the
// scheduler, the kubelets and the netsim; they run only as tasks and timers
// of this loop, so none of them needs a lock and, in virtual time, the whole
// cluster is deterministic.
//
// Work comes in two forms:
//  - posted tasks (Post), run in post order as soon as the loop is free;
//  - timers (RunAt / RunAfter), run when the clock reaches their time, in
//    (time, creation order).
// Posted tasks run before timers: a timer runs only when no posted task is
// waiting. Timers due at the same instant run in creation order.
//
// A third, lowest class: idle tasks (PostIdle), run when no posted task and
// no due timer waits. Controllers' work queues drain as idle tasks, so that
// a burst of watch events at one instant is delivered (and its keys
// deduplicated) before any reconcile runs — as in a real cluster, where
// informers deliver faster than controllers reconcile. Without it, in
// virtual time every event would get a reconcile of its own. So that a
// steady stream of posted work cannot starve them, an idle task also runs
// after kMaxNormalStreak other tasks in a row (a count, so virtual time
// stays deterministic).
//
// Two ways to drive it:
//  - Virtual time: the loop owns a VirtualClock. RunUntil(t) runs every task
//    and timer up to t, jumping the clock to each timer's time as soon as
//    nothing else is runnable; with the same inputs it gives the same
//    history. Nothing waits in real time.
//  - Real time: Run() blocks, sleeping until the next timer or posted task,
//    until Quit(). The clock may run faster than the wall clock
//    (NewScaledRealClock): the loop then sleeps 1/speed of the clock's
//    durations.
//
// Thread-safety: Post, PostDelayed, RunAt, Cancel and Quit may be called
// from any thread (the HTTP front and store watches post into the loop).
// Everything else
// must be called from the loop's own thread (from inside a task or timer,
// or from the thread driving RunUntil/Run).
#ifndef KSIM_BASE_EVENT_LOOP_H_
#define KSIM_BASE_EVENT_LOOP_H_

#include <cstdint>
#include <functional>
#include <memory>

#include "base/clock.h"
#include "base/task_runner.h"

namespace ksim::base {

class EventLoop : public TaskRunner {
 public:
  using TimerId = uint64_t;  // never 0; 0 means "no timer"

  // A loop in virtual time on `clock`, which it alone advances.
  // REQUIRES: `clock` outlives the loop.
  static std::unique_ptr<EventLoop> NewVirtual(VirtualClock* clock);
  // A loop in real time on `clock` (NewRealClock or NewScaledRealClock with
  // the same `speed`). REQUIRES: `clock` outlives the loop; speed > 0.
  static std::unique_ptr<EventLoop> NewReal(const Clock* clock,
                                            double speed = 1.0);

  ~EventLoop() override = default;

  virtual const Clock& clock() const = 0;
  Time Now() const { return clock().Now(); }
  virtual bool is_virtual() const = 0;

  // TaskRunner. Thread-safe. PostDelayed's delay is in clock time.
  void Post(std::function<void()> task) override = 0;
  void PostDelayed(Duration delay, std::function<void()> task) override = 0;
  // Thread-safe. Runs `task` once nothing else is runnable now (see above);
  // idle tasks run in post order.
  virtual void PostIdle(std::function<void()> task) = 0;
  static constexpr int kMaxNormalStreak = 512;

  // Timers. A timer at or before Now() runs once no posted work waits.
  // RunAt is thread-safe (PostDelayed uses it); the returned id is for
  // Cancel, which is thread-safe too.
  virtual TimerId RunAt(Time when, std::function<void()> fn) = 0;
  TimerId RunAfter(Duration delay, std::function<void()> fn) {
    return RunAt(Now() + delay, std::move(fn));
  }
  // Returns false if the timer already ran or was cancelled.
  virtual bool Cancel(TimerId id) = 0;

  // Virtual time only (loop thread = the caller). Runs every task and timer
  // due up to `deadline`, then leaves the clock at `deadline` (it never moves
  // backwards). Returns early once Quit() was called.
  virtual void RunUntil(Time deadline) = 0;
  void RunFor(Duration d) { RunUntil(Now() + d); }
  // Runs all posted work and every timer due at Now(), without moving the
  // clock.
  virtual void RunUntilIdle() = 0;
  // Runs until `done()` holds (checked after every task and timer) or the
  // clock would pass `deadline`. Returns whether done() held.
  virtual bool RunUntilCondition(const std::function<bool()>& done,
                                 Time deadline) = 0;

  // Real time only: runs tasks and timers until Quit(). The calling thread
  // becomes the loop thread.
  virtual void Run() = 0;
  // Thread-safe. Makes Run (or RunUntil*) return after the current task.
  virtual void Quit() = 0;

  // Number of pending timers and posted tasks (for tests and metrics).
  virtual size_t PendingCount() const = 0;
};

// Runs a real-time EventLoop on a thread of its own (the one place, with the
// HTTP front, allowed to start one). Destroying it quits the loop and joins.
class LoopThread {
 public:
  virtual ~LoopThread() = default;
};
std::unique_ptr<LoopThread> StartLoopThread(EventLoop* loop);

}  // namespace ksim::base

#endif  // KSIM_BASE_EVENT_LOOP_H_
