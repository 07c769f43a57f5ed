#include "cluster/cluster.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "base/json.h"

namespace ksim::cluster {
namespace {

using base::Json;
using std::chrono::seconds;

std::unique_ptr<Cluster> NewVirtualCluster(uint64_t seed) {
  ClusterOptions o;
  o.virtual_time = true;
  o.seed = seed;
  auto c = Cluster::Create(o);
  REQUIRE(c.ok());
  REQUIRE((*c)->Start().ok());
  return std::move(c).value();
}

std::vector<Json> List(Cluster& c, const client::Resource& r,
                       const std::string& ns, const std::string& labels = "") {
  client::ListOptions o;
  o.label_selector = labels;
  auto l = c.client()->List(r, ns, o);
  REQUIRE(l.ok());
  return l->items;
}

bool NodeReady(const Json& node) {
  const Json* conds = base::Find(node, {"status", "conditions"});
  if (!conds) return false;
  for (const auto& c : *conds) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

TEST_CASE("the default cluster registers three Ready nodes with pod CIDRs",
          "[cluster]") {
  auto c = NewVirtualCluster(1);
  c->loop()->RunFor(seconds(30));
  auto nodes = List(*c, client::kNodes, "");
  REQUIRE(nodes.size() == 3);
  std::set<std::string> cidrs;
  for (const auto& n : nodes) {
    INFO(n.dump());
    CHECK(NodeReady(n));
    cidrs.insert(base::GetString(n, {"spec", "podCIDR"}));
  }
  CHECK(cidrs.size() == 3);
  CHECK(nodes[0]["metadata"]["name"] == "k8s-master");
  CHECK(nodes[0]["metadata"]["labels"].contains(
      "node-role.kubernetes.io/control-plane"));
  CHECK(List(*c, client::kLeases, "kube-node-lease").size() == 3);
}

Json WebappDeployment() {
  return Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "webapp"},
    "spec": {"replicas": 2,
      "selector": {"matchLabels": {"app": "webapp"}},
      "template": {"metadata": {"labels": {"app": "webapp"}},
        "spec": {"containers": [{"name": "webapp",
          "image": "kubeguide/tomcat-app:v1",
          "ports": [{"containerPort": 8080}]}]}}}})");
}

Json WebappService() {
  return Json::parse(R"({
    "apiVersion": "v1", "kind": "Service", "metadata": {"name": "webapp"},
    "spec": {"selector": {"app": "webapp"},
      "ports": [{"protocol": "TCP", "port": 8080, "targetPort": 8080}]}})");
}

bool PodRunningReady(const Json& pod) {
  if (base::GetString(pod, {"status", "phase"}) != "Running") return false;
  const Json* conds = base::Find(pod, {"status", "conditions"});
  if (!conds) return false;
  for (const auto& c : *conds) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

size_t EndpointAddresses(Cluster& c, const std::string& name) {
  auto ep = c.client()->Get(client::kEndpoints, "default", name);
  if (!ep.ok()) return 0;
  size_t n = 0;
  for (const auto& s : ep->value("subsets", Json::array())) {
    n += s.value("addresses", Json::array()).size();
  }
  return n;
}

TEST_CASE(
    "the seed runs in virtual time: deployment, pods, service, "
    "endpoints",
    "[cluster]") {
  uint64_t seed = 42;
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  c->loop()->RunFor(seconds(5));
  c->client()->Create(client::kDeployments, "default", WebappDeployment());
  auto running = [&] {
    auto pods = List(*c, client::kPods, "default", "app=webapp");
    size_t n = 0;
    for (const auto& p : pods) n += PodRunningReady(p);
    return n == 2 && pods.size() == 2;
  };
  bool ok =
      c->loop()->RunUntilCondition(running, c->loop()->Now() + seconds(60));
  if (!ok) {
    for (auto r : {client::kDeployments, client::kReplicaSets, client::kPods}) {
      for (const auto& o : List(*c, r, "default")) UNSCOPED_INFO(o.dump());
    }
    for (const auto& o : List(*c, client::kEvents, "default")) {
      UNSCOPED_INFO(o.value("reason", "") + ": " + o.value("message", ""));
    }
  }
  REQUIRE(ok);
  auto pods = List(*c, client::kPods, "default", "app=webapp");
  std::set<std::string> nodes;
  for (const auto& p : pods) {
    std::string name = p["metadata"]["name"];
    CHECK(name.rfind("webapp-", 0) == 0);
    CHECK(name.size() == std::string("webapp-8554f77548-cbs6r").size());
    CHECK(base::GetString(p, {"status", "podIP"}).rfind("10.244.", 0) == 0);
    nodes.insert(base::GetString(p, {"spec", "nodeName"}));
  }
  CHECK(nodes == std::set<std::string>{"k8s-node-1", "k8s-node-2"});

  c->client()->Create(client::kServices, "default", WebappService());
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return EndpointAddresses(*c, "webapp") == 2; },
      c->loop()->Now() + seconds(10)));

  // A deleted pod is replaced and the endpoints follow.
  std::string victim = pods[0]["metadata"]["name"];
  c->client()->Delete(client::kPods, "default", victim);
  REQUIRE(c->loop()->RunUntilCondition(
      [&] {
        auto now = List(*c, client::kPods, "default", "app=webapp");
        bool gone = true;
        for (const auto& p : now) gone &= p["metadata"]["name"] != victim;
        return gone && running() && EndpointAddresses(*c, "webapp") == 2;
      },
      c->loop()->Now() + seconds(120)));

  // The deployment's status catches up with its ReplicaSet's.
  auto deployment_ready = [&] {
    auto d = c->client()->Get(client::kDeployments, "default", "webapp");
    return d.ok() && base::GetInt(*d, {"status", "availableReplicas"}) == 2 &&
           base::GetInt(*d, {"status", "readyReplicas"}) == 2 &&
           base::GetInt(*d, {"status", "updatedReplicas"}) == 2;
  };
  CHECK(c->loop()->RunUntilCondition(deployment_ready,
                                     c->loop()->Now() + seconds(10)));
}

}  // namespace
}  // namespace ksim::cluster
