// For the client tests only: a Registry on an in-memory store, a virtual
// loop and an InProcessClient, with the "default" namespace.
#ifndef KSIM_CLIENT_TEST_CLUSTER_H_
#define KSIM_CLIENT_TEST_CLUSTER_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>
#include <optional>
#include <thread>

#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "base/event_loop.h"
#include "client/in_process_client.h"

namespace ksim::client::testing {

inline const base::Time kStart{std::chrono::seconds(1700000000)};

struct TestCluster {
  explicit TestCluster(int writer_threads = 0, size_t max_pending = 100000,
                       const std::string& path = ":memory:")
      : clock(kStart), rng(7) {
    store::SqliteOptions so;
    so.path = path;
    so.attrs_func = apiserver::AttributesFromStored;
    so.max_pending_events = max_pending;
    store = std::move(store::OpenSqliteStore(so)).value();
    registry = std::make_unique<apiserver::Registry>(store.get(), &clock, &rng);
    loop = base::EventLoop::NewVirtual(&clock);
    client = std::make_unique<InProcessClient>(
        registry.get(), loop.get(), InProcessOptions{writer_threads});
    client->set_field_manager("test");
    REQUIRE(Sync([&](WriteCallback done) {
              client->Create(kNamespaces, "",
                             Json{{"metadata", {{"name", "default"}}}},
                             std::move(done));
            }).ok());
  }

  // Issues a write and runs the loop until its `done` ran.
  template <typename F>
  StatusOr<Json> Sync(F&& issue) {
    std::optional<StatusOr<Json>> result;
    issue([&result](StatusOr<Json> r) { result = std::move(r); });
    RunUntil([&] { return result.has_value(); });
    REQUIRE(result.has_value());
    return *result;
  }

  // Runs the loop until cond() holds; writer threads (pool mode) post from
  // outside, so this also waits in real time, up to 20 s.
  template <typename C>
  bool RunUntil(C&& cond) {
    auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
    while (true) {
      loop->RunUntilIdle();
      if (cond()) return true;
      if (std::chrono::steady_clock::now() > deadline) return false;
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
  }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<apiserver::Registry> registry;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<InProcessClient> client;
};

inline Json ConfigMap(const std::string& name, const std::string& app = "web") {
  return {{"metadata", {{"name", name}, {"labels", {{"app", app}}}}},
          {"data", {{"k", "v"}}}};
}

inline Json Pod(const std::string& name) {
  return {
      {"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
      {"spec",
       {{"containers", Json::array({{{"name", "web"}, {"image", "nginx"}}})}}}};
}

}  // namespace ksim::client::testing

#endif  // KSIM_CLIENT_TEST_CLUSTER_H_
