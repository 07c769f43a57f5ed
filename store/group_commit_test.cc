// Group commit: failed transactions and concurrent writers.
#include <sqlite3.h>

#include <atomic>
#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "store/store.h"
#include "store/store_test_util.h"

namespace ksim::store {
namespace {

using testing::MustOpen;
using testing::Put;
using testing::TempDir;
using testing::TestOptions;

// Makes every insert of key "poison" fail inside SQLite, from outside the
// store, with a trigger.
void Poison(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open(path.c_str(), &db) == SQLITE_OK);
  char* err = nullptr;
  int rc = sqlite3_exec(db,
                        "CREATE TRIGGER poison BEFORE INSERT ON log "
                        "WHEN NEW.name = 'poison' "
                        "BEGIN SELECT RAISE(ABORT, 'injected failure'); END;",
                        nullptr, nullptr, &err);
  INFO((err ? err : ""));
  REQUIRE(rc == SQLITE_OK);
  sqlite3_close(db);
}

TEST_CASE("a failed transaction fails its whole batch and changes nothing",
          "[store]") {
  TempDir dir;
  std::string path = dir.File("db");
  auto s = MustOpen(TestOptions(path));
  REQUIRE(Put(s.get(), "/a", "1").ok());
  Poison(path);

  auto p = Put(s.get(), "poison", "x");
  CHECK(p.status().code() == base::Code::kInternal);
  CHECK(p.status().message().find("injected failure") != std::string::npos);
  CHECK(s->CurrentRevision() == 1);
  CHECK(s->Get("poison").status().code() == base::Code::kNotFound);

  // Concurrent writers around the poison: whoever shares its batch fails with
  // it; everyone else succeeds; the store reflects exactly the successes.
  std::vector<Event> seen;
  testing::Collector col;
  WatchOptions wo;
  wo.after_revision = 1;
  wo.on_ready = col.Callback();
  auto w = s->Watch(wo);
  REQUIRE(w.ok());
  constexpr int kThreads = 8, kPerThread = 200;
  std::vector<std::vector<StatusOr<Object>>> results(kThreads);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < kPerThread; ++i) {
        std::string key = t == 0 && i % 10 == 5 ? "poison"
                                                : "/t" + std::to_string(t) +
                                                      "/" + std::to_string(i);
        results[t].push_back(Put(s.get(), key, "v"));
      }
    });
  }
  for (auto& t : threads) t.join();
  std::set<int64_t> revisions;
  int failed_others = 0;
  for (int t = 0; t < kThreads; ++t) {
    for (int i = 0; i < kPerThread; ++i) {
      const auto& r = results[t][i];
      bool poison = t == 0 && i % 10 == 5;
      std::string key =
          poison ? "poison"
                 : "/t" + std::to_string(t) + "/" + std::to_string(i);
      if (poison) REQUIRE(!r.ok());
      if (r.ok()) {
        CHECK(revisions.insert(r->mod_revision).second);
        auto g = s->Get(key);
        REQUIRE(g.ok());
        CHECK(g->mod_revision == r->mod_revision);
      } else {
        CHECK(r.status().code() == base::Code::kInternal);
        if (!poison) ++failed_others;
        CHECK(s->Get(key).status().code() == base::Code::kNotFound);
      }
    }
  }
  // Revisions of the successes are exactly 2..current: failed batches left
  // no hole and no row.
  CHECK(static_cast<int64_t>(revisions.size()) == s->CurrentRevision() - 1);
  CHECK(*revisions.begin() == 2);
  CHECK(*revisions.rbegin() == s->CurrentRevision());
  REQUIRE(col.WaitFor(w->get(), revisions.size()));
  REQUIRE(col.events.size() == revisions.size());
  auto it = revisions.begin();
  for (const Event& e : col.events) CHECK(e.object.mod_revision == *it++);
  UNSCOPED_INFO(
      "writes that shared a batch with the poison: " << failed_others);

  // The log agrees after reopening.
  w->get()->Stop();
  int64_t current = s->CurrentRevision();
  s.reset();
  s = MustOpen(TestOptions(path));
  CHECK(s->CurrentRevision() == current);
  auto all = s->List({});
  REQUIRE(all.ok());
  CHECK(all->items.size() == revisions.size() + 1);
}

TEST_CASE("concurrent writers are all acknowledged with unique revisions",
          "[store]") {
  TempDir dir;
  auto s = MustOpen(TestOptions(dir.File("db")));
  constexpr int kThreads = 16, kPerThread = 300;
  std::vector<std::vector<int64_t>> revs(kThreads);
  std::atomic<int> unexpected{0};
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      // Half the threads fight over shared keys with CAS updates.
      for (int i = 0; i < kPerThread; ++i) {
        if (t % 2) {
          auto r =
              Put(s.get(), "/c/" + std::to_string(t) + "/" + std::to_string(i),
                  "v");
          if (r.ok()) revs[t].push_back(r->mod_revision);
          continue;
        }
        std::string key = "/shared/" + std::to_string(i % 4);
        while (true) {
          auto cur = s->Get(key);
          auto r = cur.ok() ? s->Update(key, "u", {}, cur->mod_revision)
                            : s->Create(key, "c", {});
          if (r.ok()) {
            revs[t].push_back(r->mod_revision);
            break;
          }
          if (r.status().code() != base::Code::kConflict &&
              r.status().code() != base::Code::kAlreadyExists) {
            ++unexpected;
            break;
          }
        }
      }
    });
  }
  for (auto& t : threads) t.join();
  REQUIRE(unexpected == 0);
  std::set<int64_t> all;
  for (const auto& v : revs) {
    REQUIRE(v.size() == kPerThread);
    for (size_t i = 1; i < v.size(); ++i) CHECK(v[i] > v[i - 1]);
    for (int64_t r : v) CHECK(all.insert(r).second);
  }
  CHECK(static_cast<int64_t>(all.size()) == kThreads * kPerThread);
  CHECK(s->CurrentRevision() == kThreads * kPerThread);
}

}  // namespace
}  // namespace ksim::store
