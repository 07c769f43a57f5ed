#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <mutex>
#include <random>
#include <thread>

#include "store/store.h"
#include "store/store_test_util.h"

namespace ksim::store {
namespace {

using testing::Collector;
using testing::LabelIs;
using testing::MustOpen;
using testing::ParseAttrs;
using testing::Put;
using testing::TempDir;
using testing::TestOptions;

StatusOr<Object> Set(Store* s, const std::string& key, const std::string& v) {
  return s->Update(key, v, ParseAttrs(key, v), 0);
}

std::unique_ptr<Watcher> MustWatch(Store* s, WatchOptions o) {
  auto w = s->Watch(std::move(o));
  REQUIRE(w.ok());
  return std::move(w).value();
}

TEST_CASE("watch replays history and then streams live events", "[store]") {
  auto s = MustOpen(TestOptions(":memory:"));
  REQUIRE(Put(s.get(), "/p/a", "1").ok());      // 1
  REQUIRE(Set(s.get(), "/p/a", "2").ok());      // 2
  REQUIRE(Put(s.get(), "/q/x", "other").ok());  // 3
  REQUIRE(s->Delete("/p/a", 0).ok());           // 4

  Collector col;
  WatchOptions o;
  o.prefix = "/p/";
  o.after_revision = 1;
  o.on_ready = col.Callback();
  auto w = MustWatch(s.get(), o);
  REQUIRE(col.WaitFor(w.get(), 2));
  REQUIRE(col.events.size() == 2);
  CHECK(col.events[0].type == EventType::kModified);
  CHECK(col.events[0].object.mod_revision == 2);
  CHECK(*col.events[0].object.value == "2");
  CHECK(col.events[0].prev.mod_revision == 1);
  CHECK(*col.events[0].prev.value == "1");
  CHECK(col.events[1].type == EventType::kDeleted);
  CHECK(col.events[1].object.mod_revision == 4);
  CHECK(col.events[1].object.create_revision == 1);
  CHECK(*col.events[1].object.value == "2");  // the last version's content
  CHECK(col.events[1].prev.mod_revision == 2);

  REQUIRE(Put(s.get(), "/p/b", "live").ok());   // 5
  REQUIRE(Put(s.get(), "/q/y", "other").ok());  // 6, not under the prefix
  REQUIRE(col.WaitFor(w.get(), 3));
  REQUIRE(col.events.size() == 3);
  CHECK(col.events[2].type == EventType::kAdded);
  CHECK(col.events[2].object.key == "/p/b");
  CHECK(col.events[2].object.mod_revision == 5);

  // Nothing more: Poll returns true with nothing.
  std::vector<Event> none;
  CHECK(w->Poll(&none, 10));
  CHECK(none.empty());
  w->Stop();
  CHECK(!w->Poll(&none, 10));
  CHECK(w->status().ok());
}

TEST_CASE("a watch from a future revision starts after it", "[store]") {
  auto s = MustOpen(TestOptions(":memory:"));
  REQUIRE(Put(s.get(), "/a", "1").ok());
  WatchOptions o;
  o.after_revision = 3;
  auto w = MustWatch(s.get(), o);
  for (int i = 0; i < 4; ++i) {
    REQUIRE(Put(s.get(), "/b" + std::to_string(i), "v").ok());  // 2..5
  }
  std::vector<Event> got;
  CHECK(w->Poll(&got, 10));
  REQUIRE(got.size() == 2);
  CHECK(got[0].object.mod_revision == 4);
  CHECK(got[1].object.mod_revision == 5);
}

// Runs writers that create, update and delete keys, and checks that watches
// started at many points, replaying from the ring and from the log, see
// exactly the events after their start: no gap, no duplicate, in order.
void CheckReplayThenLive(size_t ring) {
  TempDir dir;
  SqliteOptions opts = TestOptions(dir.File("db"));
  opts.watch_cache_events = ring;
  auto s = MustOpen(opts);
  for (int i = 0; i < 200; ++i) {
    REQUIRE(Put(s.get(), "/w/" + std::to_string(i), "v0").ok());
  }
  constexpr int kWriters = 6, kOps = 400;
  std::atomic<int> running{kWriters};
  std::vector<std::thread> writers;
  for (int t = 0; t < kWriters; ++t) {
    writers.emplace_back([&, t] {
      std::mt19937 rng(t);
      for (int i = 0; i < kOps; ++i) {
        std::string key = "/w/" + std::to_string(rng() % 250);
        std::string v = "t" + std::to_string(t) + "i" + std::to_string(i);
        switch (rng() % 3) {
          case 0:
            (void)Put(s.get(), key, v);
            break;
          case 1:
            (void)Set(s.get(), key, v);
            break;
          default:
            (void)s->Delete(key, 0);
            break;
        }
      }
      --running;
    });
  }
  struct Started {
    int64_t after;
    std::unique_ptr<Watcher> w;
    Collector col;
  };
  std::vector<std::unique_ptr<Started>> watches;
  while (running > 0 || watches.size() < 4) {
    auto st = std::make_unique<Started>();
    int64_t cur = s->CurrentRevision();
    st->after = watches.size() % 2 ? cur : cur / 2;  // live, and from history
    WatchOptions o;
    o.prefix = "/w/";
    o.after_revision = st->after;
    o.on_ready = st->col.Callback();
    st->w = MustWatch(s.get(), o);
    watches.push_back(std::move(st));
    std::this_thread::sleep_for(std::chrono::milliseconds(15));
  }
  for (auto& t : writers) t.join();
  // The truth: one watch from the beginning, after all writes.
  const int64_t final_rev = s->CurrentRevision();
  Collector all;
  WatchOptions o;
  o.prefix = "/w/";
  o.on_ready = all.Callback();
  auto full = MustWatch(s.get(), o);
  REQUIRE(all.WaitFor(full.get(), final_rev));
  REQUIRE(static_cast<int64_t>(all.events.size()) == final_rev);
  for (size_t i = 0; i < all.events.size(); ++i) {
    REQUIRE(all.events[i].object.mod_revision == static_cast<int64_t>(i + 1));
  }
  for (auto& st : watches) {
    size_t want = final_rev - st->after;
    REQUIRE(st->col.WaitFor(st->w.get(), want));
    INFO("watch after " << st->after);
    REQUIRE(st->col.events.size() == want);
    for (size_t i = 0; i < want; ++i) {
      const Event& got = st->col.events[i];
      const Event& exp = all.events[st->after + i];
      REQUIRE(got.object.mod_revision == exp.object.mod_revision);
      CHECK(got.type == exp.type);
      CHECK(got.object.key == exp.object.key);
      CHECK(*got.object.value == *exp.object.value);
      CHECK(got.object.create_revision == exp.object.create_revision);
      if (got.type != EventType::kAdded) {
        CHECK(got.prev.mod_revision == exp.prev.mod_revision);
        CHECK(*got.prev.value == *exp.prev.value);
      }
    }
  }
}

TEST_CASE("watch replay meets the live stream with no gap or duplicate",
          "[store]") {
  SECTION("history from the in-memory ring") { CheckReplayThenLive(100000); }
  SECTION("history mostly from the log") { CheckReplayThenLive(50); }
}

TEST_CASE("filtered watches see kube's transitions", "[store]") {
  auto s = MustOpen(TestOptions(":memory:"));
  Collector col;
  WatchOptions o;
  o.prefix = "/f/";
  o.filter = LabelIs("app", "web");
  o.on_ready = col.Callback();
  auto w = MustWatch(s.get(), o);
  REQUIRE(Put(s.get(), "/f/a", "1;app=db").ok());   // 1 skipped
  REQUIRE(Set(s.get(), "/f/a", "2;app=web").ok());  // 2 starts matching
  REQUIRE(Set(s.get(), "/f/a", "3;app=web").ok());  // 3 modified
  REQUIRE(Set(s.get(), "/f/a", "4;app=db").ok());   // 4 stops matching
  REQUIRE(Set(s.get(), "/f/a", "5;app=db").ok());   // 5 skipped
  REQUIRE(Put(s.get(), "/f/b", "6;app=web").ok());  // 6 added
  REQUIRE(s->Delete("/f/a", 0).ok());               // 7 skipped
  REQUIRE(s->Delete("/f/b", 0).ok());               // 8 deleted
  REQUIRE(col.WaitFor(w.get(), 5));
  REQUIRE(col.events.size() == 5);
  const auto& e = col.events;
  CHECK(e[0].type == EventType::kAdded);
  CHECK(e[0].object.mod_revision == 2);
  CHECK(e[1].type == EventType::kModified);
  CHECK(e[1].object.mod_revision == 3);
  CHECK(e[2].type == EventType::kDeleted);
  CHECK(e[2].object.mod_revision == 4);
  CHECK(*e[2].object.value == "3;app=web");  // the content that matched
  CHECK(e[3].type == EventType::kAdded);
  CHECK(e[3].object.key == "/f/b");
  CHECK(e[4].type == EventType::kDeleted);
  CHECK(e[4].object.mod_revision == 8);

  // Replay (from the ring and from the log) classifies the same way.
  for (size_t ring : {size_t{100}, size_t{1}}) {
    SqliteOptions opts = TestOptions(":memory:");
    opts.watch_cache_events = ring;
    auto s2 = MustOpen(opts);
    REQUIRE(Put(s2.get(), "/f/a", "1;app=db").ok());
    REQUIRE(Set(s2.get(), "/f/a", "2;app=web").ok());
    REQUIRE(Set(s2.get(), "/f/a", "3;app=db").ok());
    REQUIRE(Put(s2.get(), "/f/z", "4;app=db").ok());
    Collector c2;
    o.on_ready = c2.Callback();
    auto w2 = MustWatch(s2.get(), o);
    REQUIRE(c2.WaitFor(w2.get(), 2));
    REQUIRE(c2.events.size() == 2);
    CHECK(c2.events[0].type == EventType::kAdded);
    CHECK(c2.events[1].type == EventType::kDeleted);
    CHECK(*c2.events[1].object.value == "2;app=web");
    CHECK(c2.events[1].object.mod_revision == 3);
  }
}

TEST_CASE("a watcher that falls too far behind is cut off", "[store]") {
  SqliteOptions opts = TestOptions(":memory:");
  opts.max_pending_events = 10;
  auto s = MustOpen(opts);
  WatchOptions o;
  auto slow = MustWatch(s.get(), o);
  Collector col;
  o.on_ready = col.Callback();
  auto fast = MustWatch(s.get(), o);
  for (int i = 0; i < 30; ++i) {
    REQUIRE(Put(s.get(), "/k" + std::to_string(i), "v").ok());
    REQUIRE(col.WaitFor(fast.get(), i + 1));
  }
  // The slow one gets what was queued before the cut, then the end.
  std::vector<Event> got;
  while (slow->Poll(&got, 3)) {
  }
  REQUIRE(got.size() == 10);
  for (int i = 0; i < 10; ++i) CHECK(got[i].object.mod_revision == i + 1);
  CHECK(slow->status().code() == base::Code::kTooManyRequests);
  CHECK(col.events.size() == 30);
  CHECK(fast->status().ok());
}

TEST_CASE("compaction removes history and expires older reads", "[store]") {
  TempDir dir;
  SqliteOptions opts = TestOptions(dir.File("db"));
  opts.watch_cache_events = 4;
  auto s = MustOpen(opts);
  for (int i = 0; i < 10; ++i) {
    REQUIRE(Put(s.get(), "/c/" + std::to_string(i), "a").ok());  // 1..10
  }
  for (int i = 0; i < 10; ++i) {
    REQUIRE(Set(s.get(), "/c/" + std::to_string(i), "b").ok());  // 11..20
  }
  REQUIRE(s->Delete("/c/0", 0).ok());       // 21
  REQUIRE(Set(s.get(), "/c/1", "c").ok());  // 22

  // A watch replaying from the log, half read when the compaction comes.
  WatchOptions o;
  o.after_revision = 2;
  auto early = MustWatch(s.get(), o);
  std::vector<Event> early_got;
  REQUIRE(early->Poll(&early_got, 3));
  REQUIRE(early_got.size() == 3);

  CHECK(s->Compact(s->CurrentRevision() + 1).code() == base::Code::kBadRequest);
  REQUIRE(s->Compact(15).ok());
  CHECK(s->CompactedRevision() == 15);
  CHECK(s->Compact(10).ok());  // at or below: nothing to do
  CHECK(s->CompactedRevision() == 15);

  while (early->Poll(&early_got, 100)) {
  }
  CHECK(early->status().code() == base::Code::kExpired);

  o.after_revision = 14;
  auto expired = s->Watch(o);
  REQUIRE(expired.status().code() == base::Code::kExpired);
  CHECK(expired.status().message() == "too old resource version: 14 (15)");

  ListOptions lo;
  lo.revision = 14;
  auto l = s->List(lo);
  REQUIRE(l.status().code() == base::Code::kExpired);
  CHECK(l.status().message() ==
        "The resourceVersion for the provided list is too old.");

  // At the compaction point the state is intact: keys 0..4 at their second
  // version, 5..9 at their first.
  lo.revision = 15;
  l = s->List(lo);
  REQUIRE(l.ok());
  REQUIRE(l->items.size() == 10);
  for (int i = 0; i < 10; ++i) {
    CHECK(l->items[i].mod_revision == (i < 5 ? 11 + i : 1 + i));
  }
  // Watching from the compaction point replays everything after it.
  o.after_revision = 15;
  Collector col;
  o.on_ready = col.Callback();
  auto w = MustWatch(s.get(), o);
  REQUIRE(col.WaitFor(w.get(), 7));
  REQUIRE(col.events.size() == 7);
  CHECK(col.events[0].object.mod_revision == 16);
  CHECK(col.events[0].prev.mod_revision == 6);  // kept: latest at 15
  CHECK(col.events[6].object.mod_revision == 22);
  CHECK(col.events[6].prev.mod_revision == 12);

  // Compacting everything leaves only the latest version of live keys.
  REQUIRE(s->Compact(22).ok());
  lo.revision = 22;
  l = s->List(lo);
  REQUIRE(l.ok());
  CHECK(l->items.size() == 9);
  s.reset();
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(dir.File("db").c_str(), &db) == SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db, "SELECT COUNT(*), SUM(deleted) FROM log", -1,
                             &st, nullptr) == SQLITE_OK);
  REQUIRE(sqlite3_step(st) == SQLITE_ROW);
  CHECK(sqlite3_column_int64(st, 0) == 9);
  CHECK(sqlite3_column_int64(st, 1) == 0);
  sqlite3_finalize(st);
  sqlite3_close(db);
  auto reopened = MustOpen(opts);
  CHECK(reopened->CompactedRevision() == 22);
  CHECK(reopened->CurrentRevision() == 22);
}

TEST_CASE("stopping watchers and closing the store are safe under load",
          "[store]") {
  auto s = MustOpen(TestOptions(":memory:"));
  std::atomic<bool> stop{false};
  std::vector<std::thread> writers;
  for (int t = 0; t < 4; ++t) {
    writers.emplace_back([&, t] {
      for (int i = 0; !stop; ++i) {
        (void)Put(s.get(), "/s/" + std::to_string(t) + "/" + std::to_string(i),
                  "v");
      }
    });
  }
  // Many short-lived watchers whose callbacks touch state that dies with
  // them: a callback after Stop() returned would touch freed memory.
  for (int i = 0; i < 300; ++i) {
    // Keep the writers publishing while watchers come and go.
    while (s->CurrentRevision() < i * 5) std::this_thread::yield();
    auto flag = std::make_unique<std::atomic<int>>(0);
    WatchOptions o;
    o.after_revision = s->CurrentRevision();
    o.on_ready = [p = flag.get()] { p->fetch_add(1); };
    auto w = MustWatch(s.get(), o);
    std::vector<Event> got;
    w->Poll(&got, 5);
    if (i % 2) w->Stop();
    w.reset();
    flag.reset();
  }
  stop = true;
  for (auto& t : writers) t.join();

  // Watchers outliving the store end cleanly.
  Collector col;
  WatchOptions o;
  o.after_revision = s->CurrentRevision();
  o.on_ready = col.Callback();
  auto w = MustWatch(s.get(), o);
  REQUIRE(Put(s.get(), "/s/last", "v").ok());
  s.reset();
  std::vector<Event> got;
  while (w->Poll(&got, 10)) {
  }
  CHECK(got.size() == 1);
  CHECK(w->status().ok());
}

}  // namespace
}  // namespace ksim::store
