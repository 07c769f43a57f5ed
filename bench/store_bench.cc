// ksim_store_bench: throughput of the SQLite store on this machine.
//
//   ksim_store_bench [DIR]   (default: a fresh directory under /tmp)
//
// Measures: concurrent creates of ~1 KiB values with group commit and
// synchronous=FULL (32 writer threads), concurrent CAS updates, single-writer
// creates, Get from the cache on one thread, List of 10,000 keys from the
// cache and from the log (an older revision), and watch replay.
#include <stdlib.h>
#include <sys/resource.h>

#include <algorithm>
#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

#include "store/sqlite_store.h"
#include "store/store.h"

namespace ksim::store {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::time_point since) {
  return std::chrono::duration<double>(Clock::now() - since).count();
}

std::string Value(int i) {
  std::string v =
      "{\"kind\":\"Pod\",\"i\":" + std::to_string(i) + ",\"pad\":\"";
  v.append(1000, 'x');
  return v + "\"}";
}

std::unique_ptr<Store> Open(const std::string& path, bool full_sync) {
  SqliteOptions o;
  o.path = path;
  o.full_sync = full_sync;
  o.attrs_func = [](std::string_view, std::string_view) {
    Attributes a;
    a.labels["app"] = "bench";
    return a;
  };
  auto s = OpenSqliteStore(o);
  if (!s.ok()) {
    std::fprintf(stderr, "open %s: %s\n", path.c_str(),
                 s.status().ToString().c_str());
    std::exit(1);
  }
  return std::move(s).value();
}

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

// Runs `threads` threads doing `per_thread` calls of fn(thread, i) and prints
// calls per second and the process's CPU time per call (a figure that other
// load on the machine disturbs less than the rate).
// With a store, also the writes per transaction of its group commits.
template <typename Fn>
void Parallel(const char* what, int threads, int per_thread, Fn fn,
              Store* store = nullptr) {
  auto* sqlite = dynamic_cast<SqliteStore*>(store);
  SqliteStore::CommitStats before;
  if (sqlite != nullptr) before = sqlite->commit_stats();
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  auto start = Clock::now();
  double cpu = CpuSeconds();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!fn(t, i)) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  double secs = Seconds(start);
  double calls = static_cast<double>(threads) * per_thread;
  std::printf("%-48s %9.0f /s  %6.1f us cpu/op", what, calls / secs,
              (CpuSeconds() - cpu) * 1e6 / calls);
  if (sqlite != nullptr) {
    SqliteStore::CommitStats after = sqlite->commit_stats();
    std::printf(
        "  %5.1f writes/txn",
        static_cast<double>(after.writes - before.writes) /
            std::max<int64_t>(1, after.transactions - before.transactions));
  }
  std::printf("\n");
  if (failures > 0) std::printf("  (%d calls failed)\n", failures.load());
}

std::string PodKey(const char* ns, int t, int i) {
  return std::string("/registry/pods/") + ns + std::to_string(t) + "/p" +
         std::to_string(i);
}

// Calls fn n times on this thread; prints calls per second and CPU per call.
template <typename Fn>
void Serial(const char* what, int n, Fn fn) {
  Parallel(what, 1, n, [&](int, int i) { return fn(i); });
}

void Writes(const std::string& dir, const Attributes& attrs) {
  {
    auto s = Open(dir + "/creates.db", /*full_sync=*/true);
    Parallel(
        "creates, 32 threads, 1 KiB, synchronous=FULL", 32, 5000,
        [&](int t, int i) {
          return s->Create(PodKey("ns", t, i), Value(i), attrs).ok();
        },
        s.get());
    Parallel(
        "updates, 32 threads, 1 KiB, synchronous=FULL", 32, 3000,
        [&](int t, int i) {
          return s->Update(PodKey("ns", t, i), Value(i + 1), attrs, 0).ok();
        },
        s.get());
    Serial("creates, 1 thread, synchronous=FULL", 1000, [&](int i) {
      return s->Create(PodKey("single", 0, i), Value(i), attrs).ok();
    });
  }
  // The CPU cost of the write path, without waiting for the disk.
  auto s = Open(dir + "/normal.db", /*full_sync=*/false);
  Parallel(
      "creates, 32 threads, 1 KiB, synchronous=NORMAL", 32, 5000,
      [&](int t, int i) {
        return s->Create(PodKey("ns", t, i), Value(i), attrs).ok();
      },
      s.get());
}

void Reads(const std::string& dir, const Attributes& attrs) {
  auto s = Open(dir + "/reads.db", /*full_sync=*/false);
  constexpr int kKeys = 10000;
  Parallel("creates, 8 threads, synchronous=NORMAL", 8, kKeys / 8,
           [&](int t, int i) {
             return s->Create(PodKey("default", t, i), Value(i), attrs).ok();
           });
  const int64_t snapshot = s->CurrentRevision();
  std::vector<std::string> keys;
  ListResult all = std::move(s->List({})).value();
  for (const Object& o : all.items) keys.push_back(o.key);

  Serial("get from cache, 1 thread", 2000000, [&](int i) {
    return s->Get(keys[(i * size_t{7919}) % keys.size()]).ok();
  });
  ListOptions lo;
  lo.prefix = "/registry/pods/";
  Serial("list 10,000 keys from cache", 200,
         [&](int) { return s->List(lo)->items.size() == kKeys; });
  lo.filter = [](const Attributes& a) { return a.labels.count("app") > 0; };
  Serial("list 10,000 keys from cache, with a filter", 200,
         [&](int) { return s->List(lo)->items.size() == kKeys; });
  lo.filter = nullptr;
  lo.limit = 500;
  Serial("list 500 of 10,000 keys from cache", 2000,
         [&](int) { return s->List(lo)->items.size() == 500; });
  lo.limit = 0;

  // Make the snapshot an older revision, then list it from the log.
  for (int i = 0; i < 100; ++i) (void)s->Update(keys[i], Value(-i), attrs, 0);
  lo.revision = snapshot;
  Serial("list 10,000 keys at an older revision (log)", 10,
         [&](int) { return s->List(lo)->items.size() == kKeys; });

  WatchOptions wo;
  wo.prefix = "/registry/pods/";
  const size_t total = static_cast<size_t>(s->CurrentRevision());
  // From the in-memory ring, then (after reopening, the ring empty) from the
  // log.
  for (const char* from : {"ring", "log"}) {
    if (std::string(from) == "log") {
      s.reset();
      s = Open(dir + "/reads.db", /*full_sync=*/false);
    }
    auto w = s->Watch(wo);
    std::vector<Event> events;
    auto start = Clock::now();
    while (events.size() < total) (*w)->Poll(&events, 1000);
    std::printf("watch replay of %zu events from the %-12s %9.0f events/s\n",
                events.size(), from, events.size() / Seconds(start));
  }
}

void Run(const std::string& dir) {
  Attributes attrs;
  attrs.labels["app"] = "bench";
  Writes(dir, attrs);
  Reads(dir, attrs);
}

}  // namespace
}  // namespace ksim::store

int main(int argc, char** argv) {
  setvbuf(stdout, nullptr, _IOLBF, 0);
  std::string dir;
  bool temp = argc < 2;
  if (temp) {
    char tmpl[] = "/tmp/ksim_store_bench_XXXXXX";
    dir = mkdtemp(tmpl);
  } else {
    dir = argv[1];
  }
  ksim::store::Run(dir);
  if (temp) std::filesystem::remove_all(dir);
  return 0;
}
