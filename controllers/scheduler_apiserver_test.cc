// The scheduler against the real registry (in-process client): the
// binding and the PodScheduled=False status patch as kube-apiserver applies
// them.
#include <catch2/catch.hpp>

#include "client/informer.h"
#include "client/test_cluster.h"
#include "controllers/scheduler.h"
#include "controllers/scheduler_test_util.h"

namespace ksim::controllers {
namespace {

using base::Json;

TEST_CASE("scheduler binds and reports unschedulable pods through the API",
          "[scheduler]") {
  client::testing::TestCluster tc;
  client::InformerFactory informers(tc.client.get(), tc.loop.get());
  client::ClusterContext ctx{tc.loop.get(), &tc.clock, &tc.rng, tc.client.get(),
                             &informers};
  Scheduler scheduler(ctx);
  REQUIRE(informers.StartAll().ok());
  auto create = [&](const client::Resource& r, const std::string& ns,
                    Json obj) {
    auto res = tc.Sync([&](client::WriteCallback done) {
      tc.client->Create(r, ns, std::move(obj), std::move(done));
    });
    INFO(res.status().ToString());
    REQUIRE(res.ok());
  };
  create(client::kNodes, "", scheduler_testing::Node("k8s-node-1", "1"));
  // No owner: the API server's garbage collector would delete orphans.
  Json small = scheduler_testing::Pod("small", "500m", "");
  small["metadata"].erase("uid");
  Json big = small;
  big["metadata"]["name"] = "big";
  big["spec"]["containers"][0]["resources"]["requests"]["cpu"] = "800m";
  create(client::kPods, "default", small);
  create(client::kPods, "default", big);
  auto pod = [&](const std::string& name) {
    auto p = tc.client->Get(client::kPods, "default", name);
    REQUIRE(p.ok());
    return *p;
  };
  auto condition = [&](const std::string& name) {
    Json p = pod(name);
    const Json* conds = base::Find(p, {"status", "conditions"});
    if (conds == nullptr) return Json();
    for (const Json& c : *conds) {
      if (c.value("type", "") == "PodScheduled") return c;
    }
    return Json();
  };
  bool ok = tc.RunUntil([&] {
    return base::GetString(pod("small"), {"spec", "nodeName"}) ==
               "k8s-node-1" &&
           condition("big").is_object();
  });
  if (!ok) {
    auto pods = tc.client->List(client::kPods, "default", {});
    REQUIRE(pods.ok());
    for (const Json& p : pods->items) {
      WARN(p["metadata"]["name"] << " node=" << p["spec"].value("nodeName", "")
                                 << " status=" << p["status"].dump());
    }
    auto events = tc.client->List(client::kEvents, "default", {});
    for (const Json& e : events->items) WARN(e.value("message", ""));
  }
  REQUIRE(ok);
  Json c = condition("big");
  CHECK(c["status"] == "False");
  CHECK(c["reason"] == "Unschedulable");
  CHECK(c["message"] ==
        "0/1 nodes are available: 1 Insufficient cpu. preemption: 0/1 nodes "
        "are available: 1 No preemption victims found for incoming pod.");
  CHECK(base::GetString(pod("big"), {"spec", "nodeName"}).empty());
}

}  // namespace
}  // namespace ksim::controllers
