#include "controllers/node_lifecycle.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <chrono>
#include <memory>

#include "client/fake_client.h"
#include "controllers/node_lifecycle_eviction.h"

namespace ksim::controllers {
namespace {

using base::Json;
using client::Verb;
using std::chrono::seconds;

const base::Time kStart{std::chrono::seconds(1700000000)};

Json ReadyCondition(const std::string& status, base::Time t) {
  std::string ts = base::FormatRfc3339(t);
  return {{"type", "Ready"},
          {"status", status},
          {"reason", status == "True" ? "KubeletReady" : "KubeletNotReady"},
          {"message", "kubelet is posting ready status"},
          {"lastHeartbeatTime", ts},
          {"lastTransitionTime", ts}};
}

Json Node(const std::string& name, base::Time t) {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"uid", "uid-" + name},
            {"creationTimestamp", base::FormatRfc3339(t)}}},
          {"spec", Json::object()},
          {"status",
           {{"conditions",
             {ReadyCondition("True", t),
              {{"type", "MemoryPressure"},
               {"status", "False"},
               {"lastHeartbeatTime", base::FormatRfc3339(t)},
               {"lastTransitionTime", base::FormatRfc3339(t)}}}}}}};
}

Json Lease(const std::string& node, base::Time t) {
  return {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", node}, {"namespace", "kube-node-lease"}}},
      {"spec",
       {{"holderIdentity", node}, {"renewTime", base::FormatRfc3339Micro(t)}}}};
}

Json Pod(const std::string& name, const std::string& node,
         std::optional<int64_t> toleration_seconds) {
  Json p = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
      {"spec",
       {{"nodeName", node},
        {"containers", {{{"name", "c"}, {"image", "nginx"}}}}}},
      {"status",
       {{"phase", "Running"},
        {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
  if (toleration_seconds) {
    p["spec"]["tolerations"] = Json::array();
    for (const char* key :
         {"node.kubernetes.io/not-ready", "node.kubernetes.io/unreachable"}) {
      p["spec"]["tolerations"].push_back(
          {{"key", key},
           {"operator", "Exists"},
           {"effect", "NoExecute"},
           {"tolerationSeconds", *toleration_seconds}});
    }
  }
  return p;
}

struct Env {
  Env() : clock(kStart), rng(1) {
    loop = base::EventLoop::NewVirtual(&clock);
    fake = std::make_unique<client::FakeClient>(loop.get());
    informers =
        std::make_unique<client::InformerFactory>(fake.get(), loop.get());
    ctx = {loop.get(), &clock, &rng, fake.get(), informers.get()};
    lifecycle = std::make_unique<NodeLifecycleController>(ctx);
    eviction = lifecycle->taint_eviction();
    REQUIRE(informers->StartAll().ok());
    // Two healthy nodes keep the zone out of full disruption.
    for (const char* n : {"n1", "n2", "n3"}) {
      fake->Seed(client::kNodes, Node(n, kStart));
      fake->Seed(client::kLeases, Lease(n, kStart));
    }
    loop->RunUntilIdle();
  }
  // The kubelets of the named nodes renew their leases every 10 s.
  void Heartbeat(std::vector<std::string> nodes, base::Duration d) {
    base::Time end = clock.Now() + d;
    while (clock.Now() < end) {
      loop->RunFor(std::min<base::Duration>(seconds(10), end - clock.Now()));
      for (const std::string& n : nodes) {
        fake->Seed(client::kLeases, Lease(n, clock.Now()));
      }
    }
  }
  Json Get(const client::Resource& r, const std::string& ns,
           const std::string& name) {
    auto o = fake->Get(r, ns, name);
    REQUIRE(o.ok());
    return *o;
  }
  std::vector<std::string> Taints(const std::string& node) {
    std::vector<std::string> out;
    Json n = Get(client::kNodes, "", node);
    const Json* t = base::Find(n, {"spec", "taints"});
    if (t == nullptr || !t->is_array()) return out;
    for (const Json& e : *t) {
      out.push_back(e.value("key", "") + ":" + e.value("effect", ""));
    }
    std::sort(out.begin(), out.end());
    return out;
  }
  std::vector<Json> Events(const std::string& reason) {
    std::vector<Json> out;
    for (const auto& a : fake->ActionsFor(Verb::kCreate, client::kEvents)) {
      if (a.object.value("reason", "") == reason) out.push_back(a.object);
    }
    return out;
  }
  bool Deleted(const std::string& pod) {
    for (const auto& a : fake->ActionsFor(Verb::kDelete, client::kPods)) {
      if (a.name == pod) return true;
    }
    return false;
  }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::FakeClient> fake;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<NodeLifecycleController> lifecycle;
  TaintEvictionController* eviction = nullptr;
};

TEST_CASE("node lifecycle: lease expiry turns the node Unknown and taints it",
          "[node-lifecycle]") {
  Env env;
  env.fake->Seed(client::kPods, Pod("tolerant", "n1", 300));
  env.fake->Seed(client::kPods, Pod("intolerant", "n1", std::nullopt));
  env.loop->RunUntilIdle();
  env.Heartbeat({"n2", "n3"}, seconds(40));
  CHECK(env.fake->ActionsFor(Verb::kUpdate, client::kNodes).empty());
  CHECK(env.Events("RegisteredNode").size() == 3);
  CHECK(env.Events("RegisteredNode")[0]["message"] ==
        "Node n1 event: Registered Node n1 in Controller");
  // The first check saw n1 at 5 s; 50 s later it is Unknown.
  env.Heartbeat({"n2", "n3"}, seconds(20));
  Json n1 = env.Get(client::kNodes, "", "n1");
  const Json* ready = base::Find(n1, {"status", "conditions"});
  REQUIRE(ready != nullptr);
  CHECK((*ready)[0]["status"] == "Unknown");
  CHECK((*ready)[0]["reason"] == "NodeStatusUnknown");
  CHECK((*ready)[0]["message"] == "Kubelet stopped posting node status.");
  CHECK((*ready)[0]["lastHeartbeatTime"] == base::FormatRfc3339(kStart));
  CHECK((*ready)[1]["status"] == "Unknown");  // MemoryPressure too
  auto not_ready = env.Events("NodeNotReady");
  REQUIRE(not_ready.size() == 3);  // the node's and its two pods'
  CHECK(env.Events("NodeNotReady")[0]["message"] ==
        "Node n1 status is now: NodeNotReady");
  CHECK(env.Get(client::kPods, "default",
                "tolerant")["status"]["conditions"][0]["status"] == "False");
  // The next check queues the NoExecute taint; the intolerant pod goes.
  env.Heartbeat({"n2", "n3"}, seconds(10));
  CHECK(env.Taints("n1") ==
        std::vector<std::string>{"node.kubernetes.io/unreachable:NoExecute",
                                 "node.kubernetes.io/unreachable:NoSchedule"});
  CHECK(env.Taints("n2").empty());
  CHECK(env.Deleted("intolerant"));
  CHECK(!env.Deleted("tolerant"));
  auto evictions = env.Events("TaintManagerEviction");
  REQUIRE(evictions.size() == 1);
  CHECK(evictions[0]["message"] ==
        "Marking for deletion Pod default/intolerant");
  CHECK(evictions[0]["source"]["component"] == "taint-eviction-controller");
  // tolerationSeconds later the tolerant one goes too.
  std::optional<base::Time> at =
      env.eviction->ScheduledEviction("default/tolerant");
  REQUIRE(at.has_value());
  env.Heartbeat({"n2", "n3"}, *at - env.clock.Now() - seconds(1));
  CHECK(!env.Deleted("tolerant"));
  env.Heartbeat({"n2", "n3"}, seconds(2));
  CHECK(env.Deleted("tolerant"));
  auto patches = env.fake->ActionsFor(Verb::kPatch, client::kPods);
  REQUIRE(!patches.empty());
  CHECK(patches.back().object["status"]["conditions"][0]["reason"] ==
        "DeletionByTaintManager");
}

TEST_CASE("node lifecycle: recovery removes the taints and cancels evictions",
          "[node-lifecycle]") {
  Env env;
  env.fake->Seed(client::kPods, Pod("tolerant", "n1", 300));
  env.loop->RunUntilIdle();
  env.Heartbeat({"n2", "n3"}, seconds(80));
  REQUIRE(env.Taints("n1").size() == 2);
  REQUIRE(env.eviction->ScheduledEviction("default/tolerant").has_value());
  // The kubelet comes back: Ready with a fresh heartbeat, a renewed lease.
  Json n1 = env.Get(client::kNodes, "", "n1");
  n1["status"]["conditions"][0] = ReadyCondition("True", env.clock.Now());
  env.fake->UpdateStatus(client::kNodes, n1);
  env.Heartbeat({"n1", "n2", "n3"}, seconds(10));
  CHECK(env.Taints("n1").empty());
  CHECK(!env.eviction->ScheduledEviction("default/tolerant").has_value());
  auto ev = env.Events("TaintManagerEviction");
  REQUIRE(ev.size() == 1);
  CHECK(ev[0]["message"] == "Cancelling deletion of Pod default/tolerant");
  env.Heartbeat({"n1", "n2", "n3"}, seconds(400));
  CHECK(!env.Deleted("tolerant"));
}

TEST_CASE("node lifecycle: every node down stops tainting",
          "[node-lifecycle]") {
  Env env;
  env.fake->Seed(client::kPods, Pod("intolerant", "n1", std::nullopt));
  env.loop->RunUntilIdle();
  env.Heartbeat({}, seconds(120));
  Json n1 = env.Get(client::kNodes, "", "n1");
  CHECK(n1["status"]["conditions"][0]["status"] == "Unknown");
  // Only the NoSchedule taint mirrors the condition; no NoExecute taint.
  CHECK(env.Taints("n1") ==
        std::vector<std::string>{"node.kubernetes.io/unreachable:NoSchedule"});
  CHECK(!env.Deleted("intolerant"));
}

TEST_CASE("node lifecycle: conditions and cordon become NoSchedule taints",
          "[node-lifecycle]") {
  Env env;
  Json n2 = env.Get(client::kNodes, "", "n2");
  n2["spec"]["unschedulable"] = true;
  n2["status"]["conditions"][1]["status"] = "True";  // MemoryPressure
  env.fake->Update(client::kNodes, n2);
  env.loop->RunUntilIdle();
  CHECK(env.Taints("n2") == std::vector<std::string>{
                                "node.kubernetes.io/memory-pressure:NoSchedule",
                                "node.kubernetes.io/unschedulable:NoSchedule"});
  n2 = env.Get(client::kNodes, "", "n2");
  CHECK(!base::GetString(n2["spec"]["taints"][0], {"timeAdded"}).empty());
  n2["spec"]["unschedulable"] = false;
  env.fake->Update(client::kNodes, n2);
  env.loop->RunUntilIdle();
  CHECK(env.Taints("n2") ==
        std::vector<std::string>{
            "node.kubernetes.io/memory-pressure:NoSchedule"});
}

TEST_CASE(
    "taint eviction: a NoExecute taint evicts pods that do not "
    "tolerate it at once",
    "[node-lifecycle]") {
  Env env;
  env.fake->Seed(client::kPods, Pod("a", "n2", std::nullopt));
  Json b = Pod("b", "n2", std::nullopt);
  b["spec"]["tolerations"] = {{{"key", "dedicated"}, {"operator", "Exists"}}};
  env.fake->Seed(client::kPods, b);
  env.loop->RunUntilIdle();
  Json n2 = env.Get(client::kNodes, "", "n2");
  n2["spec"]["taints"] = {
      {{"key", "dedicated"}, {"value", "db"}, {"effect", "NoExecute"}}};
  env.fake->Update(client::kNodes, n2);
  env.loop->RunUntilIdle();
  CHECK(env.Deleted("a"));
  CHECK(!env.Deleted("b"));  // tolerates it forever
}

}  // namespace
}  // namespace ksim::controllers
