// Whole behaviours of the cluster in virtual time: rolling updates, node
// failure, crash loops, determinism. Each prints its seed on failure; rerun
// one with KSIM_TEST_SEED=<n>.
#include <catch2/catch.hpp>
#include <cstdlib>
#include <map>
#include <set>
#include <string>

#include "cluster/cluster_test_util.h"

namespace ksim::cluster {
namespace {

using namespace testing;  // NOLINT: test helpers
using std::chrono::minutes;
using std::chrono::seconds;

uint64_t TestSeed(uint64_t fallback) {
  const char* env = std::getenv("KSIM_TEST_SEED");
  return env ? std::strtoull(env, nullptr, 10) : fallback;
}

std::string DeploymentState(Cluster& c) {
  std::string out;
  for (const auto& rs : ListObjects(c, client::kReplicaSets, "default")) {
    out += rs["metadata"]["name"].get<std::string>() +
           " spec=" + std::to_string(base::GetInt(rs, {"spec", "replicas"})) +
           " ready=" +
           std::to_string(base::GetInt(rs, {"status", "readyReplicas"})) + "\n";
  }
  for (const auto& p : ListObjects(c, client::kPods, "default")) {
    out += p["metadata"]["name"].get<std::string>() + " " +
           base::GetString(p, {"spec", "containers"}) +
           base::GetString(p, {"status", "phase"}) +
           (PodRunningReady(p) ? " ready" : "") +
           (Terminating(p) ? " terminating" : "") + "\n";
  }
  return out;
}

TEST_CASE(
    "a rolling update respects maxSurge and maxUnavailable at every "
    "step",
    "[cluster][behaviour]") {
  uint64_t seed = TestSeed(11);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json d = Deployment("web", 4, "nginx:1.25");
  d["spec"]["strategy"] = {
      {"type", "RollingUpdate"},
      {"rollingUpdate", {{"maxSurge", 1}, {"maxUnavailable", 1}}}};
  c->client()->Create(client::kDeployments, "default", d);
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return CountRunningReady(*c, "default", "app=web") == 4; },
      c->loop()->Now() + minutes(2)));

  c->client()->Patch(client::kDeployments, "default", "web",
                     client::PatchType::kStrategicMerge,
                     Json::parse(R"({"spec":{"template":{"spec":{"containers":
                       [{"name":"web","image":"nginx:1.27"}]}}}})"));
  int steps = 0;
  int64_t max_total = 0;
  size_t min_ready = 4;
  std::string violation;
  auto done = [&] {
    ++steps;
    int64_t total = 0;
    for (const auto& rs : ListObjects(*c, client::kReplicaSets, "default")) {
      total += base::GetInt(rs, {"spec", "replicas"});
    }
    size_t ready = 0, new_ready = 0;
    for (const auto& p : ListObjects(*c, client::kPods, "default", "app=web")) {
      if (!PodRunningReady(p)) continue;
      ++ready;
      new_ready += p["spec"]["containers"][0]["image"] == "nginx:1.27";
    }
    max_total = std::max(max_total, total);
    min_ready = std::min(min_ready, ready);
    if ((total > 5 || ready < 3) && violation.empty()) {
      violation = DeploymentState(*c);
    }
    return new_ready == 4 && ready == 4 && total == 4;
  };
  bool finished =
      c->loop()->RunUntilCondition(done, c->loop()->Now() + minutes(5));
  INFO(DeploymentState(*c));
  REQUIRE(finished);
  INFO("first violation:\n" << violation);
  CHECK(max_total == 5);  // it did surge, by exactly maxSurge
  CHECK(min_ready == 3);  // and went down to exactly maxUnavailable
  CHECK(steps > 10);
  CHECK(ListObjects(*c, client::kReplicaSets, "default").size() == 2);
  auto dep = c->client()->Get(client::kDeployments, "default", "web");
  REQUIRE(dep.ok());
  CHECK(
      (*dep)["metadata"]["annotations"]["deployment.kubernetes.io/revision"] ==
      "2");
}

TEST_CASE("a node failure leads to eviction and rescheduling",
          "[cluster][behaviour]") {
  uint64_t seed = TestSeed(5);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  c->client()->Create(client::kDeployments, "default",
                      Deployment("web", 2, "nginx:1.25"));
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return CountRunningReady(*c, "default", "app=web") == 2; },
      c->loop()->Now() + minutes(2)));
  std::string lost;
  for (const auto& p : ListObjects(*c, client::kPods, "default", "app=web")) {
    if (p["spec"]["nodeName"] == "k8s-node-1") lost = p["metadata"]["name"];
  }
  REQUIRE_FALSE(lost.empty());

  base::Time down_at = c->loop()->Now();
  REQUIRE(c->SetNodeDown("k8s-node-1", true).ok());
  auto node_not_ready = [&] {
    auto n = c->client()->Get(client::kNodes, "", "k8s-node-1");
    return n.ok() && HasCondition(*n, "Ready", "Unknown");
  };
  REQUIRE(c->loop()->RunUntilCondition(node_not_ready,
                                       c->loop()->Now() + minutes(2)));
  base::Time not_ready_at = c->loop()->Now();
  // kube-controller-manager's node-monitor-grace-period (50 s in 1.32),
  // plus up to a monitor period and a lease renewal.
  CHECK(not_ready_at - down_at >= seconds(40));
  CHECK(not_ready_at - down_at <= seconds(70));
  // The unreachable NoExecute taint follows the condition.
  REQUIRE(c->loop()->RunUntilCondition(
      [&] {
        auto n = c->client()->Get(client::kNodes, "", "k8s-node-1");
        return n.ok() && n->dump().find("node.kubernetes.io/unreachable") !=
                             std::string::npos;
      },
      c->loop()->Now() + seconds(10)));

  auto evicted = [&] {
    auto p = c->client()->Get(client::kPods, "default", lost);
    return !p.ok() || Terminating(*p);
  };
  REQUIRE(
      c->loop()->RunUntilCondition(evicted, c->loop()->Now() + minutes(10)));
  base::Time evicted_at = c->loop()->Now();
  // The pod tolerated the unreachable taint for its default 300 s.
  CHECK(evicted_at - not_ready_at >= seconds(295));
  CHECK(evicted_at - not_ready_at <= seconds(320));

  auto replaced = [&] {
    size_t on_node2 = 0;
    for (const auto& p : ListObjects(*c, client::kPods, "default", "app=web")) {
      if (PodRunningReady(p) && p["spec"]["nodeName"] == "k8s-node-2") {
        ++on_node2;
      }
    }
    return on_node2 == 2;
  };
  INFO(DeploymentState(*c));
  REQUIRE(
      c->loop()->RunUntilCondition(replaced, c->loop()->Now() + minutes(2)));

  // The node comes back: it turns Ready and loses its taints.
  REQUIRE(c->SetNodeDown("k8s-node-1", false).ok());
  REQUIRE(c->loop()->RunUntilCondition(
      [&] {
        auto n = c->client()->Get(client::kNodes, "", "k8s-node-1");
        return n.ok() && HasCondition(*n, "Ready") &&
               n->dump().find("node.kubernetes.io/unreachable") ==
                   std::string::npos;
      },
      c->loop()->Now() + minutes(2)));
}

TEST_CASE("a crash-looping container backs off as CrashLoopBackOff does",
          "[cluster][behaviour]") {
  uint64_t seed = TestSeed(3);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json pod = Json::parse(R"({"apiVersion":"v1","kind":"Pod",
    "metadata":{"name":"crasher"},
    "spec":{"containers":[{"name":"c","image":"busybox",
      "command":["sh","-c","exit 1"]}]}})");
  c->client()->Create(client::kPods, "default", pod);
  std::vector<base::Time> restarts;  // when restartCount went up
  int64_t last_count = 0;
  bool saw_backoff = false;
  auto watch = [&] {
    auto p = c->client()->Get(client::kPods, "default", "crasher");
    if (!p.ok()) return false;
    const Json* cs = base::Find(*p, {"status", "containerStatuses"});
    if (!cs || cs->empty()) return false;
    int64_t count = (*cs)[0].value("restartCount", int64_t{0});
    if (count > last_count) {
      restarts.push_back(c->loop()->Now());
      last_count = count;
    }
    saw_backoff |= base::GetString((*cs)[0], {"state", "waiting", "reason"}) ==
                   "CrashLoopBackOff";
    return count >= 5;
  };
  REQUIRE(c->loop()->RunUntilCondition(watch, c->loop()->Now() + minutes(10)));
  CHECK(saw_backoff);
  REQUIRE(restarts.size() >= 5);
  // The kubelet's backoff doubles: 10 s, 20 s, 40 s, 80 s between restarts
  // (plus the container's start time).
  for (size_t i = 1; i + 1 < restarts.size(); ++i) {
    auto gap = restarts[i + 1] - restarts[i];
    auto expected = seconds(10) * (1 << i);
    INFO("restart " << i << " gap " << gap.count() / 1e9 << " s");
    CHECK(gap >= expected);
    CHECK(gap <= expected + seconds(5));
  }
  std::set<std::string> reasons;
  for (const auto& e : ListObjects(*c, client::kEvents, "default")) {
    reasons.insert(e.value("reason", ""));
  }
  CHECK(reasons.count("BackOff"));
}

// The names, IPs and ClusterIP a seed gives.
std::vector<std::string> SeedHistory(uint64_t seed) {
  auto c = NewVirtualCluster(seed);
  c->client()->Create(client::kDeployments, "default",
                      Deployment("webapp", 2, "kubeguide/tomcat-app:v1"));
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return CountRunningReady(*c, "default", "app=webapp") == 2; },
      c->loop()->Now() + minutes(2)));
  Json svc = Json::parse(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"webapp"},"spec":{"selector":{"app":"webapp"},
    "ports":[{"port":8080}]}})");
  c->client()->Create(client::kServices, "default", svc);
  c->loop()->RunFor(seconds(5));
  std::vector<std::string> h;
  for (const auto& p : ListObjects(*c, client::kPods, "default")) {
    h.push_back(p["metadata"]["name"].get<std::string>() + " " +
                base::GetString(p, {"status", "podIP"}) + " " +
                base::GetString(p, {"spec", "nodeName"}) + " " +
                base::GetString(p, {"metadata", "uid"}));
  }
  auto s = c->client()->Get(client::kServices, "default", "webapp");
  REQUIRE(s.ok());
  h.push_back(base::GetString(*s, {"spec", "clusterIP"}));
  return h;
}

TEST_CASE("same seed, same history; another seed, another one",
          "[cluster][behaviour]") {
  uint64_t seed = TestSeed(2024);
  INFO("seed " << seed);
  auto a = SeedHistory(seed);
  auto b = SeedHistory(seed);
  CHECK(a == b);
  auto other = SeedHistory(seed + 1);
  CHECK(a != other);
  REQUIRE(a.size() == 3);
}

}  // namespace
}  // namespace ksim::cluster
