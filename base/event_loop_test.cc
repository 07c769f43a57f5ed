#include "base/event_loop.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <thread>
#include <vector>

namespace ksim::base {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Time T0() { return Time(seconds(1'700'000'000)); }

TEST_CASE("idle tasks run after posted work and due timers, before time moves",
          "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<std::string> log;
  loop->PostIdle([&] {
    log.push_back("idle1");
    loop->Post([&] { log.push_back("posted-by-idle1"); });
  });
  loop->PostIdle([&] { log.push_back("idle2"); });
  loop->RunAfter(seconds(1), [&] {
    log.push_back("t1");
    loop->PostIdle([&] { log.push_back("idle-at-t1"); });
  });
  loop->RunAt(T0(), [&] { log.push_back("t0"); });
  loop->Post([&] { log.push_back("p1"); });
  CHECK(loop->PendingCount() == 5);

  loop->RunUntilIdle();
  CHECK(log == std::vector<std::string>{"p1", "t0", "idle1",
                                        "posted-by-idle1", "idle2"});
  CHECK(clock.Now() == T0());
  loop->RunFor(seconds(2));
  CHECK(log.back() == "idle-at-t1");
  CHECK(log[log.size() - 2] == "t1");
}

TEST_CASE("a stream of posted work cannot starve idle tasks", "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int posted = 0;
  int posted_when_idle_ran = -1;
  std::function<void()> again = [&] {
    if (++posted < 10 * EventLoop::kMaxNormalStreak) loop->Post(again);
  };
  loop->Post(again);
  loop->PostIdle([&] { posted_when_idle_ran = posted; });
  loop->RunUntilIdle();
  CHECK(posted == 10 * EventLoop::kMaxNormalStreak);
  CHECK(posted_when_idle_ran == EventLoop::kMaxNormalStreak);
}

TEST_CASE("virtual loop runs posted work before timers, timers in order",
          "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<std::string> log;
  loop->RunAfter(seconds(2), [&] { log.push_back("t2"); });
  loop->RunAfter(seconds(1), [&] { log.push_back("t1a"); });
  loop->RunAfter(seconds(1), [&] {
    log.push_back("t1b");
    loop->Post([&] { log.push_back("posted-by-t1b"); });
  });
  loop->RunAt(T0(), [&] { log.push_back("t0"); });
  loop->Post([&] { log.push_back("p1"); });
  loop->Post([&] { log.push_back("p2"); });

  loop->RunUntilIdle();  // no time passes
  CHECK(log == std::vector<std::string>{"p1", "p2", "t0"});
  CHECK(clock.Now() == T0());

  loop->RunFor(seconds(5));
  CHECK(log == std::vector<std::string>{"p1", "p2", "t0", "t1a", "t1b",
                                        "posted-by-t1b", "t2"});
  CHECK(clock.Now() == T0() + seconds(5));
}

TEST_CASE("virtual loop jumps the clock to each timer", "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<Time> seen;
  for (int i = 1; i <= 3; ++i) {
    loop->RunAfter(seconds(10 * i), [&] { seen.push_back(clock.Now()); });
  }
  loop->RunUntil(T0() + seconds(25));
  REQUIRE(seen.size() == 2);
  CHECK(seen[0] == T0() + seconds(10));
  CHECK(seen[1] == T0() + seconds(20));
  CHECK(clock.Now() == T0() + seconds(25));
  CHECK(loop->PendingCount() == 1);
}

TEST_CASE("cancelled timers do not run", "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int runs = 0;
  auto id = loop->RunAfter(seconds(1), [&] { ++runs; });
  CHECK(loop->Cancel(id));
  CHECK_FALSE(loop->Cancel(id));
  loop->RunFor(seconds(2));
  CHECK(runs == 0);
}

TEST_CASE("RunUntilCondition stops when the condition holds", "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int ticks = 0;
  std::function<void()> tick = [&] {
    ++ticks;
    loop->RunAfter(seconds(1), tick);
  };
  loop->Post(tick);
  CHECK(
      loop->RunUntilCondition([&] { return ticks == 5; }, T0() + seconds(60)));
  CHECK(clock.Now() == T0() + seconds(4));
  CHECK_FALSE(loop->RunUntilCondition([&] { return ticks == 1000; },
                                      T0() + seconds(10)));
  CHECK(clock.Now() <= T0() + seconds(10));
}

TEST_CASE("Quit ends a virtual run", "[event_loop]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int runs = 0;
  loop->RunAfter(seconds(1), [&] {
    ++runs;
    loop->Quit();
  });
  loop->RunAfter(seconds(2), [&] { ++runs; });
  loop->Run();
  CHECK(runs == 1);
}

TEST_CASE("real loop runs posts from other threads and timers",
          "[event_loop]") {
  auto clock = NewScaledRealClock(100.0);  // 1 s of clock = 10 ms of wall
  auto loop = EventLoop::NewReal(clock.get(), 100.0);
  std::atomic<int> posted{0};
  std::atomic<bool> timer_ran{false};
  Time start = clock->Now();
  Time fired;
  {
    auto thread = StartLoopThread(loop.get());
    loop->PostDelayed(seconds(1), [&] {
      fired = clock->Now();
      timer_ran = true;
    });
    std::vector<std::thread> posters;
    for (int t = 0; t < 4; ++t) {
      posters.emplace_back([&] {
        for (int i = 0; i < 100; ++i) loop->Post([&] { ++posted; });
      });
    }
    for (auto& t : posters) t.join();
    for (int i = 0; i < 500 && !(timer_ran && posted == 400); ++i) {
      std::this_thread::sleep_for(milliseconds(10));
    }
  }  // joins the loop thread
  CHECK(posted == 400);
  REQUIRE(timer_ran);
  CHECK(fired - start >= seconds(1));
}

}  // namespace
}  // namespace ksim::base
