// Measures what the writer pool is for: many writes sharing the store's
// durable group commits. Hidden ([.]); run with
//   ksim_client_test "[client-perf]"
#include <catch2/catch.hpp>
#include <chrono>

#include "base/testing/temp_dir.h"
#include "client/test_cluster.h"

namespace ksim::client {
namespace {

double CreatesPerSecond(int writer_threads, int count) {
  ksim::testing::TempDir dir("ksim-client-perf");
  testing::TestCluster c(writer_threads, 100000, (dir.path() / "db").string());
  int done = 0;
  auto start = std::chrono::steady_clock::now();
  for (int i = 0; i < count; ++i) {
    c.client->Create(kConfigMaps, "default",
                     testing::ConfigMap("cm-" + std::to_string(i)),
                     [&](StatusOr<Json> r) {
                       REQUIRE(r.ok());
                       ++done;
                     });
  }
  REQUIRE(c.RunUntil([&] { return done == count; }));
  std::chrono::duration<double> took = std::chrono::steady_clock::now() - start;
  return count / took.count();
}

TEST_CASE("write throughput, inline and on writer threads",
          "[.][client-perf]") {
  constexpr int kCount = 2000;
  double inline_rate = CreatesPerSecond(0, kCount);
  double pool_rate = CreatesPerSecond(16, kCount);
  WARN("durable creates/s: inline " << inline_rate << ", 16 writer threads "
                                    << pool_rate);
}

}  // namespace
}  // namespace ksim::client
