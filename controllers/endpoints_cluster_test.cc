// Both controllers against the real API server (Registry on an in-memory
// store, InProcessClient, started informers): what they write passes kube's
// validation, follows pod readiness through real watches, and settles (no
// further writes once the caches caught up).
#include <catch2/catch.hpp>

#include "client/informer.h"
#include "client/test_cluster.h"
#include "controllers/endpoints_controller.h"
#include "controllers/endpointslice_controller.h"

namespace ksim::controllers {
namespace {

using base::Json;
using client::testing::TestCluster;

struct Cluster {
  Cluster() : informers(tc.client.get(), tc.loop.get()) {
    ctx.loop = tc.loop.get();
    ctx.clock = &tc.clock;
    ctx.rng = &tc.rng;
    ctx.client = tc.client.get();
    ctx.informers = &informers;
    endpoints = std::make_unique<EndpointsController>(ctx);
    slices = std::make_unique<EndpointSliceController>(ctx);
    REQUIRE(informers.StartAll().ok());
    Settle();
  }
  ~Cluster() {
    slices.reset();
    endpoints.reset();
    informers.StopAll();
  }
  Json Write(std::function<void(client::WriteCallback)> issue) {
    auto r = tc.Sync(std::move(issue));
    INFO(r.status().ToString());
    REQUIRE(r.ok());
    Settle();
    return *r;
  }
  void Settle() {
    for (int i = 0; i < 5; ++i) tc.loop->RunFor(std::chrono::seconds(2));
  }
  Json Get(const client::Resource& r, const std::string& name) {
    auto got = tc.client->Get(r, "default", name);
    return got.ok() ? *got : Json(nullptr);
  }
  std::vector<Json> Slices() {
    auto list = tc.client->List(client::kEndpointSlices, "default", {});
    REQUIRE(list.ok());
    return list->items;
  }
  void SetPodStatus(const std::string& name, const std::string& ip,
                    bool ready) {
    Json pod = Get(client::kPods, name);
    pod["status"]["phase"] = "Running";
    pod["status"]["podIP"] = ip;
    pod["status"]["podIPs"] = {{{"ip", ip}}};
    pod["status"]["conditions"] = {
        {{"type", "Ready"},
         {"status", ready ? "True" : "False"},
         {"lastTransitionTime", base::FormatRfc3339(tc.clock.Now())}}};
    Write([&](client::WriteCallback done) {
      tc.client->UpdateStatus(client::kPods, pod, std::move(done));
    });
  }

  TestCluster tc;
  client::InformerFactory informers;
  client::ClusterContext ctx;
  std::unique_ptr<EndpointsController> endpoints;
  std::unique_ptr<EndpointSliceController> slices;
};

Json NamedPortPod(const std::string& name, const std::string& node) {
  return {{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
          {"spec",
           {{"nodeName", node},
            {"containers",
             {{{"name", "web"},
               {"image", "nginx"},
               {"ports", {{{"name", "http"}, {"containerPort", 8080}}}}}}}}}};
}

TEST_CASE("endpoints and slices follow pods through the API server",
          "[endpoints][endpointslice]") {
  Cluster c;
  for (const char* node : {"node-1", "node-2"}) {
    c.Write([&](client::WriteCallback done) {
      c.tc.client->Create(client::kNodes, "", {{"metadata", {{"name", node}}}},
                          std::move(done));
    });
  }
  Json svc = c.Write([&](client::WriteCallback done) {
    c.tc.client->Create(
        client::kServices, "default",
        {{"metadata", {{"name", "web"}}},
         {"spec",
          {{"selector", {{"app", "web"}}},
           {"ports", {{{"port", 80}, {"targetPort", "http"}}}}}}},
        std::move(done));
  });
  // An Endpoints without subsets and a placeholder slice.
  Json ep = c.Get(client::kEndpoints, "web");
  REQUIRE(ep.is_object());
  CHECK(!ep.contains("subsets"));
  REQUIRE(c.Slices().size() == 1);

  for (auto [pod, node] : {std::pair{"web-a", "node-1"}, {"web-b", "node-2"}}) {
    c.Write([&, pod = pod, node = node](client::WriteCallback done) {
      c.tc.client->Create(client::kPods, "default", NamedPortPod(pod, node),
                          std::move(done));
    });
  }
  c.SetPodStatus("web-a", "10.244.1.5", true);
  c.SetPodStatus("web-b", "10.244.2.5", false);

  ep = c.Get(client::kEndpoints, "web");
  REQUIRE(ep["subsets"].size() == 1);
  const Json& ss = ep["subsets"][0];
  REQUIRE(ss["addresses"].size() == 1);
  CHECK(ss["addresses"][0]["ip"] == "10.244.1.5");
  REQUIRE(ss["notReadyAddresses"].size() == 1);
  CHECK(ss["notReadyAddresses"][0]["ip"] == "10.244.2.5");
  CHECK(ss["ports"] == Json::array({{{"port", 8080}, {"protocol", "TCP"}}}));

  std::vector<Json> slices = c.Slices();
  REQUIRE(slices.size() == 1);  // the placeholder, reused
  CHECK(slices[0]["endpoints"].size() == 2);
  CHECK(slices[0]["ports"] ==
        Json::array({{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}}));
  CHECK(slices[0]["metadata"]["ownerReferences"][0]["uid"] ==
        svc["metadata"]["uid"]);

  // Settled: nothing more is written.
  std::string ep_rv = ep["metadata"]["resourceVersion"];
  std::string slice_rv = slices[0]["metadata"]["resourceVersion"];
  c.Settle();
  CHECK(c.Get(client::kEndpoints, "web")["metadata"]["resourceVersion"] ==
        ep_rv);
  CHECK(c.Slices()[0]["metadata"]["resourceVersion"] == slice_rv);

  // web-b turns ready.
  c.SetPodStatus("web-b", "10.244.2.5", true);
  ep = c.Get(client::kEndpoints, "web");
  CHECK(ep["subsets"][0]["addresses"].size() == 2);
  CHECK(!ep["subsets"][0].contains("notReadyAddresses"));
  for (const Json& e : c.Slices()[0]["endpoints"]) {
    CHECK(e["conditions"]["ready"] == true);
  }

  // The service goes: so do its Endpoints.
  c.Write([&](client::WriteCallback done) {
    c.tc.client->Delete(client::kServices, "default", "web", {},
                        std::move(done));
  });
  CHECK(c.Get(client::kEndpoints, "web").is_null());
}

}  // namespace
}  // namespace ksim::controllers
