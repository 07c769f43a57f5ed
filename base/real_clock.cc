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

}  // namespace

std::unique_ptr<Clock> NewRealClock() { return std::make_unique<RealClock>(); }

}  // namespace ksim::base
