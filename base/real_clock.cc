// The only file that reads the system clock (see DESIGN.md: time).
#include <chrono>

#include "base/clock.h"

namespace ksim::base {
namespace {

class RealClock : public Clock {
 public:
  Time Now() const override {
    return std::chrono::time_point_cast<Duration>(
        std::chrono::system_clock::now());
  }
};

// Clock time = start + (wall time since start) * speed. Anchored on the
// steady clock so that wall-clock steps do not make it jump.
class ScaledRealClock : public Clock {
 public:
  explicit ScaledRealClock(double speed)
      : speed_(speed),
        start_(std::chrono::time_point_cast<Duration>(
            std::chrono::system_clock::now())),
        steady_start_(std::chrono::steady_clock::now()) {}

  Time Now() const override {
    auto elapsed = std::chrono::steady_clock::now() - steady_start_;
    return start_ + std::chrono::duration_cast<Duration>(elapsed * speed_);
  }

 private:
  double speed_;
  Time start_;
  std::chrono::steady_clock::time_point steady_start_;
};

}  // namespace

std::unique_ptr<Clock> NewScaledRealClock(double speed) {
  return std::make_unique<ScaledRealClock>(speed);
}

std::unique_ptr<Clock> NewRealClock() { return std::make_unique<RealClock>(); }

}  // namespace ksim::base
