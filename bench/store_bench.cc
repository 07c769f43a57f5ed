// ksim_store_bench: throughput of the SQLite store on this machine.
//
//   ksim_store_bench [DIR]   (default: a fresh directory under /tmp)
//
// Measures: concurrent creates of ~1 KiB values with group commit and
// synchronous=FULL (32 writer threads), concurrent CAS updates, single-writer
// creates, Get from the cache on one thread, List of 10,000 keys from the
// cache and from the log (an older revision), and watch replay.
#include <stdlib.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <string>
#include <thread>
#include <vector>

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

// Runs `threads` threads doing `per_thread` calls of fn(thread, i); returns
// calls per second.
template <typename Fn>
double Parallel(int threads, int per_thread, Fn fn) {
  std::atomic<int> failures{0};
  std::vector<std::thread> ts;
  auto start = Clock::now();
  for (int t = 0; t < threads; ++t) {
    ts.emplace_back([&, t] {
      for (int i = 0; i < per_thread; ++i) {
        if (!fn(t, i)) ++failures;
      }
    });
  }
  for (auto& t : ts) t.join();
  double secs = Seconds(start);
  if (failures > 0) std::printf("  (%d calls failed)\n", failures.load());
  return threads * per_thread / secs;
}

void Run(const std::string& dir) {
  Attributes attrs;
  attrs.labels["app"] = "bench";
  {
    auto s = Open(dir + "/creates.db", /*full_sync=*/true);
    double rate = Parallel(32, 5000, [&](int t, int i) {
      return s
          ->Create("/registry/pods/ns" + std::to_string(t) + "/p" +
                       std::to_string(i),
                   Value(i), attrs)
          .ok();
    });
    std::printf("creates, 32 threads, 1 KiB, synchronous=FULL: %9.0f /s\n",
                rate);
    rate = Parallel(32, 3000, [&](int t, int i) {
      return s
          ->Update("/registry/pods/ns" + std::to_string(t) + "/p" +
                       std::to_string(i),
                   Value(i + 1), attrs, 0)
          .ok();
    });
    std::printf("updates, 32 threads, 1 KiB, synchronous=FULL: %9.0f /s\n",
                rate);
    rate = Parallel(1, 1000, [&](int, int i) {
      return s
          ->Create("/registry/single/p" + std::to_string(i), Value(i), attrs)
          .ok();
    });
    std::printf("creates, 1 thread, synchronous=FULL:          %9.0f /s\n",
                rate);
  }
  {
    // The CPU cost of the write path, without waiting for the disk.
    auto s = Open(dir + "/normal.db", /*full_sync=*/false);
    double rate = Parallel(32, 5000, [&](int t, int i) {
      return s
          ->Create("/registry/pods/ns" + std::to_string(t) + "/p" +
                       std::to_string(i),
                   Value(i), attrs)
          .ok();
    });
    std::printf("creates, 32 threads, 1 KiB, synchronous=NORMAL:%8.0f /s\n",
                rate);
  }
  auto s = Open(dir + "/reads.db", /*full_sync=*/false);
  constexpr int kKeys = 10000;
  Parallel(8, kKeys / 8, [&](int t, int i) {
    return s
        ->Create("/registry/pods/default/p" + std::to_string(t * 10000 + i),
                 Value(i), attrs)
        .ok();
  });
  const int64_t snapshot = s->CurrentRevision();
  std::vector<std::string> keys;
  auto all = s->List({});
  for (const Object& o : all->items) keys.push_back(o.key);

  constexpr int kGets = 2000000;
  auto start = Clock::now();
  int64_t found = 0;
  for (int i = 0; i < kGets; ++i) {
    found += s->Get(keys[(i * size_t{7919}) % keys.size()]).ok();
  }
  std::printf("get from cache, 1 thread:                     %9.0f /s\n",
              kGets / Seconds(start));
  if (found != kGets)
    std::printf("  (%lld gets failed)\n",
                static_cast<long long>(kGets - found));

  ListOptions lo;
  lo.prefix = "/registry/pods/";
  start = Clock::now();
  constexpr int kLists = 200;
  size_t items = 0;
  for (int i = 0; i < kLists; ++i) items += s->List(lo)->items.size();
  std::printf("list %zu keys from cache:                  %9.3f ms\n",
              items / kLists, Seconds(start) * 1000 / kLists);
  lo.filter = [](const Attributes& a) { return a.labels.count("app") > 0; };
  start = Clock::now();
  for (int i = 0; i < kLists; ++i) s->List(lo);
  std::printf("list %d keys from cache, with a filter:     %9.3f ms\n", kKeys,
              Seconds(start) * 1000 / kLists);
  lo.filter = nullptr;

  // Make the snapshot an older revision, then list it from the log.
  for (int i = 0; i < 100; ++i) {
    (void)s->Update(keys[i], Value(-i), attrs, 0);
  }
  lo.revision = snapshot;
  start = Clock::now();
  constexpr int kOldLists = 10;
  for (int i = 0; i < kOldLists; ++i) items = s->List(lo)->items.size();
  std::printf("list %zu keys at an older revision (log):  %9.3f ms\n", items,
              Seconds(start) * 1000 / kOldLists);

  WatchOptions wo;
  wo.prefix = "/registry/pods/";
  auto w = s->Watch(wo);
  std::vector<Event> events;
  start = Clock::now();
  while (events.size() < static_cast<size_t>(s->CurrentRevision())) {
    (*w)->Poll(&events, 1000);
  }
  std::printf("watch replay from revision 0:                 %9.0f events/s\n",
              events.size() / Seconds(start));
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
