#include "base/work_queue.h"

#include <catch2/catch.hpp>
#include <string>
#include <vector>

namespace ksim::base {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

Time T0() { return Time(seconds(1'700'000'000)); }

TEST_CASE("work queue deduplicates keys and keeps first-add order",
          "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<std::string> seen;
  WorkQueue q(loop.get(), {.name = "test"}, [&](const std::string& k) {
    seen.push_back(k);
    return Status();
  });
  q.Add("b");
  q.Add("a");
  q.Add("b");
  CHECK(q.Len() == 2);
  loop->RunUntilIdle();
  CHECK(seen == std::vector<std::string>{"b", "a"});
  CHECK(q.Len() == 0);
}

TEST_CASE("a key added during its reconcile runs again", "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int runs = 0;
  WorkQueue* qp = nullptr;
  WorkQueue q(loop.get(), {}, [&](const std::string& k) {
    if (++runs == 1) qp->Add(k);
    return Status();
  });
  qp = &q;
  q.Add("x");
  loop->RunUntilIdle();
  CHECK(runs == 2);
}

TEST_CASE("failures back off exponentially; success forgets", "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<Duration> at;
  int fail_times = 4;
  WorkQueue q(loop.get(), {.base_delay = milliseconds(5)},
              [&](const std::string&) {
                at.push_back(clock.Now() - T0());
                if (fail_times-- > 0) return Status(Code::kConflict, "again");
                return Status();
              });
  q.Add("k");
  loop->RunFor(seconds(10));
  REQUIRE(at.size() == 5);
  CHECK(at[0] == Duration::zero());
  CHECK(at[1] == milliseconds(5));
  CHECK(at[2] == milliseconds(15));  // +10
  CHECK(at[3] == milliseconds(35));  // +20
  CHECK(at[4] == milliseconds(75));  // +40
  CHECK(q.NumRequeues("k") == 0);
}

TEST_CASE("backoff is capped at max_delay", "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  WorkQueue q(loop.get(), {.base_delay = seconds(1), .max_delay = seconds(3)},
              [&](const std::string&) { return Status(); });
  for (int i = 0; i < 60; ++i) q.AddRateLimited("k");
  CHECK(q.NumRequeues("k") == 60);
  loop->RunFor(seconds(3));
  CHECK(q.NumRequeues("k") == 0);  // reconciled once, succeeded, forgotten
}

TEST_CASE("AddAfter keeps the earliest time and ShutDown drops work",
          "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<Duration> at;
  WorkQueue q(loop.get(), {}, [&](const std::string&) {
    at.push_back(clock.Now() - T0());
    return Status();
  });
  q.AddAfter("k", seconds(5));
  q.AddAfter("k", seconds(2));
  q.AddAfter("k", seconds(9));
  loop->RunFor(seconds(20));
  CHECK(at == std::vector<Duration>{seconds(2)});

  q.AddAfter("k", seconds(1));
  q.Add("j");
  q.ShutDown();
  loop->RunFor(seconds(5));
  CHECK(at.size() == 1);
}

TEST_CASE("batches yield to other loop work", "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  std::vector<std::string> log;
  WorkQueue q(loop.get(), {.batch = 2}, [&](const std::string& k) {
    log.push_back(k);
    // Work a reconcile posts (a write's completion) runs before the next
    // batch.
    if (k == "1") loop->Post([&] { log.push_back("other"); });
    return Status();
  });
  for (auto k : {"1", "2", "3", "4"}) q.Add(k);
  loop->RunUntilIdle();
  CHECK(log == std::vector<std::string>{"1", "2", "other", "3", "4"});
}

TEST_CASE("keys added by events already posted coalesce before a drain",
          "[work_queue]") {
  VirtualClock clock(T0());
  auto loop = EventLoop::NewVirtual(&clock);
  int reconciles = 0;
  WorkQueue q(loop.get(), {}, [&](const std::string&) {
    ++reconciles;
    return Status();
  });
  // A burst of watch events, each asking for the same key: one reconcile.
  for (int i = 0; i < 100; ++i) loop->Post([&] { q.Add("svc"); });
  loop->RunUntilIdle();
  CHECK(reconciles == 1);
}

}  // namespace
}  // namespace ksim::base
