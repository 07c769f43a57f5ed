#include "controllers/node_ipam.h"

#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "client/fake_client.h"

namespace ksim::controllers {
namespace {

using base::Json;
using client::Verb;

const base::Time kStart{std::chrono::seconds(1700000000)};

Json Node(const std::string& name, const std::string& cidr = "") {
  Json n = {{"apiVersion", "v1"},
            {"kind", "Node"},
            {"metadata", {{"name", name}, {"uid", "uid-" + name}}},
            {"spec", Json::object()}};
  if (!cidr.empty()) {
    n["spec"]["podCIDR"] = cidr;
    n["spec"]["podCIDRs"] = {cidr};
  }
  return n;
}

struct Env {
  explicit Env(NodeIpamOptions o = {}) : clock(kStart), rng(1) {
    loop = base::EventLoop::NewVirtual(&clock);
    fake = std::make_unique<client::FakeClient>(loop.get());
    informers =
        std::make_unique<client::InformerFactory>(fake.get(), loop.get());
    ctx = {loop.get(), &clock, &rng, fake.get(), informers.get()};
    ipam = std::make_unique<NodeIpamController>(ctx, o);
    REQUIRE(informers->StartAll().ok());
  }
  std::string CidrOf(const std::string& node) {
    auto n = fake->Get(client::kNodes, "", node);
    REQUIRE(n.ok());
    return base::GetString(*n, {"spec", "podCIDR"});
  }
  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::FakeClient> fake;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<NodeIpamController> ipam;
};

TEST_CASE("cidr set carves /24s and wraps its cursor", "[node-ipam]") {
  auto set = CidrSet::Create("10.244.0.0/16", 24);
  REQUIRE(set.ok());
  CHECK(set->Size() == 256);
  CHECK(*set->AllocateNext() == "10.244.0.0/24");
  CHECK(*set->AllocateNext() == "10.244.1.0/24");
  set->Release("10.244.0.0/24");
  // cidrset's cursor moves on: the released block waits for the wrap.
  CHECK(*set->AllocateNext() == "10.244.2.0/24");
  CHECK(set->Occupy("10.245.0.0/24").code() == base::Code::kBadRequest);
  CHECK(set->Occupy("10.244.3.0/25").code() == base::Code::kBadRequest);
  CHECK(!CidrSet::Create("10.244.0.0/16", 8).ok());
  CHECK(!CidrSet::Create("bogus", 24).ok());
}

TEST_CASE("node ipam assigns a /24 per node, lowest first", "[node-ipam]") {
  Env env;
  env.fake->Seed(client::kNodes, Node("k8s-master"));
  env.fake->Seed(client::kNodes, Node("k8s-node-1"));
  env.fake->Seed(client::kNodes, Node("k8s-node-2"));
  env.loop->RunUntilIdle();
  CHECK(env.CidrOf("k8s-master") == "10.244.0.0/24");
  CHECK(env.CidrOf("k8s-node-1") == "10.244.1.0/24");
  CHECK(env.CidrOf("k8s-node-2") == "10.244.2.0/24");
  auto patches = env.fake->ActionsFor(Verb::kPatch, client::kNodes);
  REQUIRE(patches.size() == 3);
  CHECK(patches[0].patch_type == client::PatchType::kStrategicMerge);
  CHECK(patches[0].object == Json{{"spec",
                                   {{"podCIDR", "10.244.0.0/24"},
                                    {"podCIDRs", {"10.244.0.0/24"}}}}});
  // Reconciling again writes nothing.
  env.fake->ClearActions();
  REQUIRE(env.ipam->Reconcile("k8s-node-1").ok());
  env.loop->RunUntilIdle();
  CHECK(env.fake->actions().empty());
}

TEST_CASE("node ipam keeps existing CIDRs and releases on delete",
          "[node-ipam]") {
  Env env;
  env.fake->Seed(client::kNodes, Node("a", "10.244.1.0/24"));
  env.loop->RunUntilIdle();
  env.fake->Seed(client::kNodes, Node("b"));
  env.fake->Seed(client::kNodes, Node("c"));
  env.loop->RunUntilIdle();
  CHECK(env.CidrOf("a") == "10.244.1.0/24");
  CHECK(env.CidrOf("b") == "10.244.0.0/24");
  CHECK(env.CidrOf("c") == "10.244.2.0/24");
  CHECK(env.ipam->cidrs()->Used() == 3);
  env.fake->Delete(client::kNodes, "", "b");
  env.loop->RunUntilIdle();
  CHECK(env.ipam->cidrs()->Used() == 2);
}

TEST_CASE("node ipam reports an exhausted range and retries", "[node-ipam]") {
  NodeIpamOptions o;
  o.cluster_cidr = "10.0.0.0/23";
  o.node_mask_size = 24;
  Env env(o);
  env.fake->Seed(client::kNodes, Node("a"));
  env.fake->Seed(client::kNodes, Node("b"));
  env.fake->Seed(client::kNodes, Node("c"));
  env.loop->RunUntilIdle();
  CHECK(env.CidrOf("a") == "10.0.0.0/24");
  CHECK(env.CidrOf("b") == "10.0.1.0/24");
  CHECK(env.CidrOf("c").empty());
  auto events = env.fake->ActionsFor(Verb::kCreate, client::kEvents);
  REQUIRE(!events.empty());
  CHECK(events[0].object["reason"] == "CIDRNotAvailable");
  CHECK(events[0].object["message"] ==
        "Node c status is now: CIDRNotAvailable");
  CHECK(events[0].object["involvedObject"]["kind"] == "Node");
  // Deleting a node frees a block; the retry (backoff) picks it up.
  env.fake->Delete(client::kNodes, "", "a");
  env.loop->RunFor(std::chrono::seconds(10));
  CHECK(env.CidrOf("c") == "10.0.0.0/24");
}

}  // namespace
}  // namespace ksim::controllers
