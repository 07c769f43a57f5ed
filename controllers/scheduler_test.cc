#include "controllers/scheduler.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <cstdio>
#include <map>
#include <memory>

#include "client/fake_client.h"
#include "controllers/scheduler_test_util.h"

namespace ksim::controllers {
namespace {

using base::Json;
using client::Verb;
using namespace scheduler_testing;  // NOLINT: test helpers

TEST_CASE("scheduler spreads two replicas over the two workers",
          "[scheduler]") {
  for (uint64_t seed : {1, 2, 3, 42, 1234}) {
    INFO("seed " << seed);
    Env env(seed);
    env.AddNode(ControlPlane("k8s-master"));
    env.AddNode(Node("k8s-node-1"));
    env.AddNode(Node("k8s-node-2"));
    env.AddPod(Pod("webapp-1"));
    env.AddPod(Pod("webapp-2"));
    auto b = env.Bindings();
    REQUIRE(b.size() == 2);
    CHECK(b["webapp-1"] != b["webapp-2"]);
    CHECK(b["webapp-1"] != "k8s-master");
    CHECK(b["webapp-2"] != "k8s-master");
    auto ev = env.Events("Scheduled");
    REQUIRE(ev.size() == 2);
    CHECK(ev[0]["message"] ==
          "Successfully assigned default/webapp-1 to " + b["webapp-1"]);
    CHECK(ev[0]["source"]["component"] == "default-scheduler");
    CHECK(ev[0]["type"] == "Normal");
  }
}

TEST_CASE("scheduler is deterministic for a seed", "[scheduler]") {
  auto run = [](uint64_t seed) {
    Env env(seed);
    for (int i = 0; i < 5; ++i) env.AddNode(Node("n" + std::to_string(i)));
    for (int i = 0; i < 7; ++i) {
      env.AddPod(
          Pod("p" + std::to_string(i), "", "owner-" + std::to_string(i)));
    }
    return env.Bindings();
  };
  for (uint64_t seed : {5, 77}) {
    INFO("seed " << seed);
    CHECK(run(seed) == run(seed));
  }
}

TEST_CASE("scheduler: untolerated taint, resources and the message",
          "[scheduler]") {
  Env env;
  env.AddNode(ControlPlane("k8s-master"));
  env.AddNode(Node("k8s-node-1", "1"));
  env.AddNode(Node("k8s-node-2", "1"));
  env.AddPod(Pod("big", "2"));
  CHECK(env.Bindings().empty());
  // Requests beyond a node's whole allocatable are unresolvable: preemption
  // cannot help anywhere.
  auto failed = env.Events("FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["type"] == "Warning");
  CHECK(failed[0]["message"] ==
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 3 Preemption is not helpful "
        "for scheduling.");
  auto patches = env.fake->ActionsFor(Verb::kPatch, client::kPods);
  REQUIRE(patches.size() == 1);
  CHECK(patches[0].subresource == "status");
  const Json& cond = patches[0].object["status"]["conditions"][0];
  CHECK(cond["type"] == "PodScheduled");
  CHECK(cond["status"] == "False");
  CHECK(cond["reason"] == "Unschedulable");
  CHECK(cond["message"] == failed[0]["message"]);
}

TEST_CASE("scheduler: insufficient cpu that preemption could free",
          "[scheduler]") {
  Env env;
  env.AddNode(ControlPlane("k8s-master"));
  env.AddNode(Node("k8s-node-1", "1"));
  env.AddNode(Node("k8s-node-2", "1"));
  env.AddPod(Pod("a", "600m", "o1"));
  env.AddPod(Pod("b", "600m", "o2"));
  env.AddPod(Pod("c", "600m", "o3"));
  CHECK(env.Bindings().size() == 2);
  auto failed = env.Events("FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["message"] ==
        "0/3 nodes are available: 1 node(s) had untolerated taint "
        "{node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. "
        "preemption: 0/3 nodes are available: 1 Preemption is not helpful "
        "for scheduling, 2 No preemption victims found for incoming pod.");
}

TEST_CASE("scheduler retries an unschedulable pod when a node is added",
          "[scheduler]") {
  Env env;
  env.AddNode(ControlPlane("k8s-master"));
  env.AddPod(Pod("web"));
  CHECK(env.Bindings().empty());
  CHECK(env.scheduler->queue().UnschedulableLen() == 1);
  env.AddNode(Node("k8s-node-1"));
  // Its 1 s backoff runs first.
  env.loop->RunFor(std::chrono::seconds(1));
  CHECK(env.Bindings() ==
        std::map<std::string, std::string>{{"web", "k8s-node-1"}});
}

TEST_CASE(
    "scheduler retries after backoff when nothing changes once 5 min "
    "passed, and rewrites no unchanged condition",
    "[scheduler]") {
  Env env;
  env.AddNode(ControlPlane("k8s-master"));
  env.AddPod(Pod("web"));
  env.loop->RunFor(std::chrono::minutes(5) + std::chrono::seconds(1));
  // The recorder aggregates the identical second event into a patch.
  CHECK(env.Events("FailedScheduling").size() == 1);
  CHECK(env.fake->ActionsFor(Verb::kPatch, client::kEvents).size() == 1);
  // The second failure carries the same message: no second status write.
  CHECK(env.fake->ActionsFor(Verb::kPatch, client::kPods).size() == 1);
}

TEST_CASE("scheduler: nodeSelector and required node affinity", "[scheduler]") {
  Env env;
  Json ssd = Node("fast");
  ssd["metadata"]["labels"]["disk"] = "ssd";
  ssd["metadata"]["labels"]["gen"] = "5";
  env.AddNode(ssd);
  env.AddNode(Node("slow"));
  Json p1 = Pod("sel");
  p1["spec"]["nodeSelector"] = {{"disk", "ssd"}};
  env.AddPod(p1);
  Json p2 = Pod("aff", "", "o2");
  p2["spec"]["affinity"]["nodeAffinity"]
    ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = {
        {{"matchExpressions",
          {{{"key", "gen"}, {"operator", "Gt"}, {"values", {"4"}}}}}}};
  env.AddPod(p2);
  Json p3 = Pod("none", "", "o3");
  p3["spec"]["affinity"]["nodeAffinity"]
    ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = {
        {{"matchExpressions",
          {{{"key", "disk"}, {"operator", "DoesNotExist"}},
           {{"key", "gen"}, {"operator", "Exists"}}}}}};
  env.AddPod(p3);
  Json p4 = Pod("byname", "", "o4");
  p4["spec"]["affinity"]["nodeAffinity"]
    ["requiredDuringSchedulingIgnoredDuringExecution"]["nodeSelectorTerms"] = {
        {{"matchFields",
          {{{"key", "metadata.name"},
            {"operator", "In"},
            {"values", {"slow"}}}}}}};
  env.AddPod(p4);
  auto b = env.Bindings();
  CHECK(b["sel"] == "fast");
  CHECK(b["aff"] == "fast");
  CHECK(b.count("none") == 0);
  CHECK(b["byname"] == "slow");
  auto failed = env.Events("FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["message"] ==
        "0/2 nodes are available: 2 node(s) didn't match Pod's node "
        "affinity/selector. preemption: 0/2 nodes are available: 2 "
        "Preemption is not helpful for scheduling.");
}

TEST_CASE("scheduler: tolerations, unschedulable nodes and host ports",
          "[scheduler]") {
  Env env;
  env.AddNode(ControlPlane("k8s-master"));
  Json cordoned = Node("cordoned");
  cordoned["spec"]["unschedulable"] = true;
  env.AddNode(cordoned);
  Json p = Pod("tolerant");
  p["spec"]["tolerations"] = {{{"key", "node-role.kubernetes.io/control-plane"},
                               {"operator", "Exists"},
                               {"effect", "NoSchedule"}}};
  p["spec"]["containers"][0]["ports"] = {
      {{"containerPort", 80}, {"hostPort", 8080}}};
  env.AddPod(p);
  CHECK(env.Bindings()["tolerant"] == "k8s-master");
  Json q = Pod("second", "", "o2");
  q["spec"]["tolerations"] = p["spec"]["tolerations"];
  q["spec"]["containers"][0]["ports"] = p["spec"]["containers"][0]["ports"];
  env.AddPod(q);
  auto failed = env.Events("FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["message"] ==
        "0/2 nodes are available: 1 node(s) didn't have free ports for the "
        "requested pod ports, 1 node(s) were unschedulable. preemption: 0/2 "
        "nodes are available: 1 No preemption victims found for incoming "
        "pod, 1 Preemption is not helpful for scheduling.");
}

TEST_CASE("scheduler: pod count limit", "[scheduler]") {
  Env env;
  env.AddNode(Node("tiny", "2", "4Gi", "1"));
  env.AddPod(Pod("one"));
  env.AddPod(Pod("two", "", "o2"));
  CHECK(env.Bindings().size() == 1);
  auto failed = env.Events("FailedScheduling");
  REQUIRE(failed.size() == 1);
  CHECK(failed[0]["message"] ==
        "0/1 nodes are available: 1 Too many pods. preemption: 0/1 nodes are "
        "available: 1 No preemption victims found for incoming pod.");
  // Deleting the bound pod frees the slot; the waiting pod lands.
  env.fake->Delete(client::kPods, "default", "one");
  env.loop->RunFor(std::chrono::seconds(2));
  CHECK(env.Bindings()["two"] == "tiny");
}

TEST_CASE("scheduler: init containers count by the max rule", "[scheduler]") {
  Env env;
  env.AddNode(Node("n", "1"));
  Json p = Pod("init");
  p["spec"]["containers"][0]["resources"] = {{"requests", {{"cpu", "300m"}}}};
  p["spec"]["initContainers"] = {
      {{"name", "setup"},
       {"image", "busybox"},
       {"resources", {{"requests", {{"cpu", "800m"}}}}}}};
  env.AddPod(p);
  REQUIRE(env.Bindings().size() == 1);
  const sched::NodeInfo* n = env.scheduler->cache().Get("n");
  REQUIRE(n != nullptr);
  CHECK(n->requested.milli_cpu == 800);
  env.AddPod(Pod("next", "300m", "o2"));
  CHECK(env.Bindings().size() == 1);  // 800m + 300m > 1
}

TEST_CASE("scheduler: 10000 pods on 100 nodes", "[scheduler][perf]") {
  Env env;
  for (int i = 0; i < 100; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "node-%03d", i);
    env.AddNode(Node(name, "64", "256Gi", "110"));
  }
  for (int i = 0; i < 10000; ++i) {
    env.fake->Seed(client::kPods, Pod("p" + std::to_string(i), "100m"));
  }
  auto start = std::chrono::steady_clock::now();
  env.loop->RunUntilIdle();
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  WARN("scheduled 10000 pods in " << secs << " s (incl. fake writes)");
  auto b = env.Bindings();
  CHECK(b.size() == 10000);
  std::map<std::string, int> per_node;
  for (const auto& [pod, node] : b) ++per_node[node];
  CHECK(per_node.size() == 100);
  for (const auto& [node, n] : per_node) CHECK(n == 100);
}

TEST_CASE("scheduler: decision cost for 10000 pods on 100 nodes",
          "[scheduler][perf]") {
  // The scheduling algorithm alone (filters, scores, assume), without the
  // client, informers and events around it.
  sched::SchedulerCache cache;
  for (int i = 0; i < 100; ++i) {
    char name[16];
    std::snprintf(name, sizeof(name), "node-%03d", i);
    cache.SetNode(sched::ParseNode(Node(name, "64", "256Gi", "110")));
  }
  std::vector<sched::PodInfo> pods;
  for (int i = 0; i < 10000; ++i) {
    pods.push_back(sched::ParsePod(Pod("p" + std::to_string(i), "100m")));
  }
  auto start = std::chrono::steady_clock::now();
  for (const sched::PodInfo& pod : pods) {
    std::vector<const sched::NodeInfo*> feasible;
    for (const sched::NodeInfo* n : cache.Nodes()) {
      if (sched::RunFilters(pod, *n).ok) feasible.push_back(n);
    }
    REQUIRE(!feasible.empty());
    std::vector<int64_t> scores = sched::ScoreNodes(pod, feasible);
    size_t best =
        std::max_element(scores.begin(), scores.end()) - scores.begin();
    cache.Assume(pod, feasible[best]->node.name);
  }
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - start)
          .count();
  WARN("10000 scheduling decisions over 100 nodes: " << secs << " s");
  // Timing is reported, not asserted (timing goals live in bench/).
  for (const sched::NodeInfo* n : cache.Nodes()) CHECK(n->pod_count == 100);
}

}  // namespace
}  // namespace ksim::controllers
