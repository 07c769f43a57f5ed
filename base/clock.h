// Clock: the only source of time in ksim. Simulated components read time
// through a Clock so the same code runs in real time (RealClock) and in
// virtual time (VirtualClock), where a scenario replays deterministically.
//
// Thread-safety: every Clock implementation is safe for concurrent use.
#ifndef KSIM_BASE_CLOCK_H_
#define KSIM_BASE_CLOCK_H_

#include <atomic>
#include <chrono>
#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

namespace ksim::base {

using Duration = std::chrono::nanoseconds;
// Wall time since the Unix epoch (UTC). A sys_time, so it formats as RFC 3339.
using Time = std::chrono::sys_time<Duration>;

class Clock {
 public:
  virtual ~Clock() = default;
  virtual Time Now() const = 0;
};

// The process's wall clock. Defined in real_clock.cc (the one place allowed to
// read the system clock).
std::unique_ptr<Clock> NewRealClock();
// A clock that starts at the wall clock's time and then runs `speed` times
// faster than it (ksim up --speed 10: a 5-minute eviction takes 30 s).
// REQUIRES: speed > 0.
std::unique_ptr<Clock> NewScaledRealClock(double speed);

// A clock that only moves when told to. Starts at `start`.
class VirtualClock : public Clock {
 public:
  explicit VirtualClock(Time start) : now_(start.time_since_epoch().count()) {}
  Time Now() const override { return Time(Duration(now_.load())); }
  void Set(Time t) { now_.store(t.time_since_epoch().count()); }
  void Advance(Duration d) { now_.fetch_add(d.count()); }

 private:
  std::atomic<int64_t> now_;
};

// RFC 3339 in UTC with second precision, as metav1.Time marshals:
// "2025-11-24T19:03:54Z".
std::string FormatRfc3339(Time t);
// RFC 3339 with microseconds, as metav1.MicroTime marshals:
// "2025-11-24T19:03:54.123456Z".
std::string FormatRfc3339Micro(Time t);
// Parses both forms above (and a numeric offset such as +02:00).
std::optional<Time> ParseRfc3339(std::string_view s);

// Kubernetes' duration.HumanDuration ("45s", "5m30s", "3h20m", "120d", ...),
// used for AGE columns.
std::string HumanDuration(Duration d);

}  // namespace ksim::base

#endif  // KSIM_BASE_CLOCK_H_
