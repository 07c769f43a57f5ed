// ksim_registry_bench: CPU cost of the create path without HTTP.
//
//   ksim_registry_bench [--creates N] [--data DIR]
//
// Creates N pods (the same body as ksim_api_bench's create phase) through
// apiserver::Registry on one thread, and prints the CPU microseconds per
// create. The store is SQLite in memory unless --data names a directory
// (then a file with synchronous=FULL, one commit per create). On one thread
// CPU time hardly depends on how busy the machine is, so this is the figure
// to compare across commits; `perf record` of it profiles the registry.
#include <sys/resource.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <string>

#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "base/clock.h"
#include "base/rng.h"
#include "bench/api_load.h"
#include "store/sqlite_store.h"

namespace ksim::bench {
namespace {

double CpuSeconds() {
  rusage u;
  getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

const apiserver::ResourceInfo* Resource(const std::string& name) {
  for (const auto& r : apiserver::AllResources()) {
    if (r.resource == name) return &r;
  }
  std::fprintf(stderr, "no resource %s\n", name.c_str());
  std::exit(1);
}

int Run(int64_t creates, const std::string& data) {
  store::SqliteOptions so;
  so.path = data.empty() ? ":memory:" : data + "/bench.db";
  so.attrs_func = apiserver::AttributesFromStored;
  auto st = store::OpenSqliteStore(so);
  if (!st.ok()) {
    std::fprintf(stderr, "store: %s\n", st.status().ToString().c_str());
    return 1;
  }
  base::VirtualClock clock(base::Time(std::chrono::seconds(1700000000)));
  base::Rng rng(7);
  apiserver::Registry registry(st->get(), &clock, &rng);
  const std::string ns = "bench";
  auto made = registry.Create({Resource("namespaces"), "", "", ""},
                              "{\"metadata\":{\"name\":\"bench\"}}", {});
  if (!made.ok()) {
    std::fprintf(stderr, "namespace: %s\n", made.status().ToString().c_str());
    return 1;
  }
  PodTemplate pod(ns);
  apiserver::Target pods{Resource("pods"), ns, "", ""};
  apiserver::WriteOptions o;
  o.field_manager = "ksim_registry_bench";
  std::vector<std::string> bodies;
  bodies.reserve(creates);
  for (int64_t i = 0; i < creates; ++i) {
    bodies.push_back(pod.Body("pod-" + std::to_string(i)));
  }
  size_t stored = 0;
  auto t0 = std::chrono::steady_clock::now();
  double cpu0 = CpuSeconds();
  for (int64_t i = 0; i < creates; ++i) {
    auto r = registry.Create(pods, bodies[i], o);
    if (!r.ok()) {
      std::fprintf(stderr, "create: %s\n", r.status().ToString().c_str());
      return 1;
    }
    stored = r->body.size();
  }
  double cpu = CpuSeconds() - cpu0;
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - t0)
          .count();
  std::printf(
      "creates %lld  store %s  wall %.2f s  %.0f creates/s  cpu %.2f s  "
      "%.1f us/create  response %zu bytes\n",
      static_cast<long long>(creates), data.empty() ? "memory" : "file", secs,
      creates / secs, cpu, cpu * 1e6 / creates, stored);
  return 0;
}

}  // namespace
}  // namespace ksim::bench

int main(int argc, char** argv) {
  int64_t creates = 20000;
  std::string data;
  for (int i = 1; i < argc; ++i) {
    if (!std::strcmp(argv[i], "--creates") && i + 1 < argc) {
      creates = std::atoll(argv[++i]);
    } else if (!std::strcmp(argv[i], "--data") && i + 1 < argc) {
      data = argv[++i];
    } else {
      std::fprintf(stderr, "usage: %s [--creates N] [--data DIR]\n", argv[0]);
      return 2;
    }
  }
  return ksim::bench::Run(creates, data);
}
