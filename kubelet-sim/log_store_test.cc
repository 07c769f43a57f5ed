#include "kubelet-sim/log_store.h"

#include <atomic>
#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

namespace ksim::kubelet {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;
using State = ContainerLogState::State;

const base::Time kT0{seconds(1764011034)};

apiserver::LogRequest Req(std::string c = "web") {
  apiserver::LogRequest r;
  r.container = std::move(c);
  return r;
}

void Running(ContainerLogStore& s, const std::string& id,
             const std::string& last = "") {
  s.SetContainer("default", "web-1", "uid-1", "web",
                 {State::kRunning, "", id, last});
}

TEST_CASE("logs: waiting container errors carry the kubelet's wording",
          "[kubelet]") {
  ContainerLogStore s;
  s.SetContainer("default", "web-1", "uid-1", "web",
                 {State::kWaiting, "ContainerCreating", "", ""});
  auto r = s.Read("default", "web-1", "uid-1", Req());
  REQUIRE_FALSE(r.ok());
  CHECK(r.status().code() == base::Code::kBadRequest);
  CHECK(r.status().message() ==
        "container \"web\" in pod \"web-1\" is waiting to start: "
        "ContainerCreating");
  auto prev = Req();
  prev.previous = true;
  CHECK(s.Read("default", "web-1", "uid-1", prev).status().message() ==
        "previous terminated container \"web\" in pod \"web-1\" not found");
  CHECK(s.Read("default", "web-1", "uid-1", Req("db")).status().message() ==
        "container \"db\" in pod \"web-1\" is not available");
  CHECK(s.Read("default", "web-1", "other-uid", Req()).status().code() ==
        base::Code::kNotFound);
}

TEST_CASE("logs: tail, limitBytes, timestamps, previous", "[kubelet]") {
  ContainerLogStore s;
  Running(s, "c1");
  for (int i = 0; i < 5; ++i) {
    s.Append("default", "web-1", "c1", kT0 + milliseconds(i * 250),
             "line " + std::to_string(i));
  }
  CHECK(*s.Read("default", "web-1", "uid-1", Req()) ==
        "line 0\nline 1\nline 2\nline 3\nline 4\n");
  auto tail = Req();
  tail.tail_lines = 2;
  CHECK(*s.Read("default", "web-1", "uid-1", tail) == "line 3\nline 4\n");
  auto limit = Req();
  limit.limit_bytes = 9;
  CHECK(*s.Read("default", "web-1", "uid-1", limit) == "line 0\nli");
  auto ts = Req();
  ts.timestamps = true;
  ts.tail_lines = 2;
  CHECK(*s.Read("default", "web-1", "uid-1", ts) ==
        "2025-11-24T19:03:54.75Z line 3\n2025-11-24T19:03:55Z line 4\n");
  // The container crashed and restarted: previous is the first instance.
  s.EndInstance("default", "web-1", "c1");
  Running(s, "c2", "c1");
  s.Append("default", "web-1", "c2", kT0 + seconds(20), "again");
  CHECK(*s.Read("default", "web-1", "uid-1", Req()) == "again\n");
  auto prev = Req();
  prev.previous = true;
  prev.tail_lines = 1;
  CHECK(*s.Read("default", "web-1", "uid-1", prev) == "line 4\n");
  // Waiting in CrashLoopBackOff: the last attempt's log is served.
  s.SetContainer("default", "web-1", "uid-1", "web",
                 {State::kWaiting, "CrashLoopBackOff", "", "c2"});
  CHECK(*s.Read("default", "web-1", "uid-1", Req()) == "again\n");
}

TEST_CASE("logs: Follow streams new lines until the instance ends",
          "[kubelet]") {
  ContainerLogStore s;
  Running(s, "c1");
  s.Append("default", "web-1", "c1", kT0, "first");
  std::mutex mu;
  std::string got;
  std::atomic<bool> done{false};
  std::thread follower([&] {
    base::Status st = s.Follow("default", "web-1", "uid-1", Req(),
                               [&](std::string_view chunk) {
                                 std::lock_guard<std::mutex> l(mu);
                                 got += chunk;
                                 return true;
                               });
    CHECK(st.ok());
    done = true;
  });
  auto wait_for = [&](const std::string& want) {
    for (int i = 0; i < 2000; ++i) {
      {
        std::lock_guard<std::mutex> l(mu);
        if (got == want) return true;
      }
      std::this_thread::sleep_for(milliseconds(1));
    }
    return false;
  };
  CHECK(wait_for("first\n"));
  s.Append("default", "web-1", "c1", kT0 + seconds(1), "second");
  CHECK(wait_for("first\nsecond\n"));
  CHECK_FALSE(done.load());
  s.EndInstance("default", "web-1", "c1");
  follower.join();
  CHECK(done.load());
}

TEST_CASE("logs: Follow ends when the sink refuses or the pod goes",
          "[kubelet]") {
  ContainerLogStore s;
  Running(s, "c1");
  int calls = 0;
  std::thread t([&] {
    s.Follow("default", "web-1", "uid-1", Req(), [&](std::string_view) {
      ++calls;
      return false;  // the client left
    });
  });
  // Nothing to send yet: the follower waits for a line, then stops.
  std::this_thread::sleep_for(milliseconds(20));
  s.Append("default", "web-1", "c1", kT0, "x");
  t.join();
  CHECK(calls == 1);
  std::thread t2([&] {
    s.Follow("default", "web-1", "uid-1", Req(),
             [](std::string_view) { return true; });
  });
  std::this_thread::sleep_for(milliseconds(20));
  s.RemovePod("default", "web-1", "uid-1");
  t2.join();
}

}  // namespace
}  // namespace ksim::kubelet
