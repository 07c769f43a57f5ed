// Whole rollouts in virtual time: the Deployment and ReplicaSet controllers
// run on informers over a real API server; the test plays the
// kubelet by marking pods Ready one at a time.
#include <catch2/catch.hpp>
#include <set>

#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "client/in_process_client.h"
#include "controllers/deployment.h"
#include "controllers/deployment_util.h"
#include "controllers/replicaset.h"
#include "controllers/replicaset_test_util.h"
#include "store/store.h"

namespace ksim::controllers {
namespace {

using client::kDeployments;
using client::kPods;
using client::kReplicaSets;

// A real API server (Registry on an in-memory SQLite store) behind an
// InProcessClient, so defaulting, generation and the status subresource
// behave as kubectl would see them.
struct Cluster {
  Cluster() : clock(testing::kStart), rng(7) {
    store::SqliteOptions so;
    so.path = ":memory:";
    so.attrs_func = apiserver::AttributesFromStored;
    store = std::move(store::OpenSqliteStore(so)).value();
    registry = std::make_unique<apiserver::Registry>(store.get(), &clock, &rng);
    loop = base::EventLoop::NewVirtual(&clock);
    client =
        std::make_unique<client::InProcessClient>(registry.get(), loop.get());
    client->set_field_manager("kube-controller-manager");
    informers =
        std::make_unique<client::InformerFactory>(client.get(), loop.get());
    ctx.loop = loop.get();
    ctx.clock = &clock;
    ctx.rng = &rng;
    ctx.client = client.get();
    ctx.informers = informers.get();
    client->Create(client::kNamespaces, "",
                   Json{{"metadata", {{"name", "default"}}}});
    loop->RunUntilIdle();
    rsc = std::make_unique<ReplicaSetController>(ctx);
    dc = std::make_unique<DeploymentController>(ctx);
    REQUIRE(informers->StartAll().ok());
    loop->RunUntilIdle();
  }

  std::vector<Json> List(const client::Resource& r) {
    auto l = client->List(r, "default", {});
    REQUIRE(l.ok());
    return l->items;
  }
  Json Deployment() {
    auto d = client->Get(kDeployments, "default", "webapp");
    REQUIRE(d.ok());
    return *d;
  }
  // The kubelet: up to n pods that are not Ready become Running and Ready.
  void MarkReady(int n) {
    for (Json pod : List(kPods)) {
      if (n == 0) break;
      if (PodIsReady(pod) || IsBeingDeleted(pod)) continue;
      pod["status"]["phase"] = "Running";
      pod["status"]["conditions"] = Json::array(
          {{{"type", "Ready"},
            {"status", "True"},
            {"lastTransitionTime", base::FormatRfc3339(clock.Now())}}});
      client->UpdateStatus(kPods, pod, [this](base::StatusOr<Json> r) {
        if (!r.ok()) kubelet_error = r.status().ToString();
      });
      --n;
    }
  }
  int ReadyPods() {
    int n = 0;
    for (const Json& p : List(kPods)) n += PodIsReady(p) ? 1 : 0;
    return n;
  }
  std::vector<std::string> EventMessages() {
    std::vector<std::string> out;
    for (const Json& e : List(client::kEvents)) {
      out.push_back(e.value("reason", "") + ": " + e.value("message", ""));
    }
    return out;
  }
  void Step() { loop->RunFor(std::chrono::seconds(1)); }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<apiserver::Registry> registry;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::InProcessClient> client;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<ReplicaSetController> rsc;
  std::unique_ptr<DeploymentController> dc;
  std::string kubelet_error;
};

Json NewDeployment(int replicas, const std::string& image) {
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata", {{"name", "webapp"}, {"namespace", "default"}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec",
           {{"containers",
             Json::array({{{"name", "web"}, {"image", image}}})}}}}},
        {"strategy",
         {{"type", "RollingUpdate"},
          {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}}},
        {"revisionHistoryLimit", 10},
        {"progressDeadlineSeconds", 600}}}};
}

bool RolledOut(Cluster& c, int replicas) {
  Json d = c.Deployment();
  auto count = [&d](const char* f) { return base::GetInt(d, {"status", f}); };
  return count("observedGeneration") >=
             base::GetInt(d, {"metadata", "generation"}) &&
         count("updatedReplicas") == replicas &&
         count("replicas") == replicas &&
         count("availableReplicas") == replicas &&
         static_cast<int>(c.List(kPods).size()) == replicas;
}

TEST_CASE("rolling update respects maxSurge and maxUnavailable at every step",
          "[deployment]") {
  Cluster c;
  c.client->Create(kDeployments, "default", NewDeployment(4, "nginx:1"));
  for (int i = 0; i < 30 && !RolledOut(c, 4); ++i) {
    c.Step();
    c.MarkReady(100);
  }
  INFO("deployment " << c.Deployment().dump());
  INFO("replicasets " << Json(c.List(kReplicaSets)).dump());
  INFO("pods " << c.List(kPods).size() << " ready " << c.ReadyPods());
  INFO("kubelet " << c.kubelet_error);
  REQUIRE(RolledOut(c, 4));
  REQUIRE(c.List(kReplicaSets).size() == 1);
  std::string first_rs = c.List(kReplicaSets)[0]["metadata"]["name"];

  Json d = c.Deployment();
  d["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  c.client->Update(kDeployments, d);
  int steps = 0;
  for (; steps < 60 && !RolledOut(c, 4); ++steps) {
    c.Step();
    INFO("step " << steps);
    // 4 replicas, 25%: at most 5 pods, at least 3 of them ready.
    CHECK(c.List(kPods).size() <= 5);
    CHECK(c.ReadyPods() >= 3);
    c.MarkReady(1);
  }
  c.Step();
  INFO("steps " << steps << " deployment status "
                << c.Deployment()["status"].dump());
  for (const Json& rs : c.List(kReplicaSets)) {
    INFO("rs " << rs["metadata"]["name"] << " " << rs["spec"]["replicas"] << " "
               << rs["status"].dump());
  }
  INFO("pods " << c.List(kPods).size() << " ready " << c.ReadyPods());
  REQUIRE(RolledOut(c, 4));
  CHECK(steps > 3);  // it really went step by step
  auto rss = c.List(kReplicaSets);
  REQUIRE(rss.size() == 2);
  for (const Json& rs : rss) {
    bool old = rs["metadata"]["name"] == first_rs;
    CHECK(rs["spec"]["replicas"] == (old ? 0 : 4));
    CHECK(rs["metadata"]["annotations"][kRevisionAnnotation] ==
          (old ? "1" : "2"));
  }
  Json st = c.Deployment()["status"];
  const Json* progressing = GetDeploymentCondition(st, "Progressing");
  REQUIRE(progressing != nullptr);
  CHECK((*progressing)["reason"] == "NewReplicaSetAvailable");
  const Json* available = GetDeploymentCondition(st, "Available");
  REQUIRE(available != nullptr);
  CHECK((*available)["status"] == "True");
  CHECK((*available)["reason"] == "MinimumReplicasAvailable");
  auto events = c.EventMessages();
  CHECK(std::find(events.begin(), events.end(),
                  "ScalingReplicaSet: Scaled down replica set " + first_rs +
                      " from 4 to 3") != events.end());
}

TEST_CASE("rollout restart makes a new ReplicaSet and revision",
          "[deployment]") {
  Cluster c;
  c.client->Create(kDeployments, "default", NewDeployment(2, "nginx:1"));
  for (int i = 0; i < 30 && !RolledOut(c, 2); ++i) {
    c.Step();
    c.MarkReady(100);
  }
  REQUIRE(RolledOut(c, 2));
  // What `kubectl rollout restart` patches.
  Json d = c.Deployment();
  d["spec"]["template"]["metadata"]["annotations"]
   ["kubectl.kubernetes.io/restartedAt"] = "2023-11-14T22:20:00Z";
  c.client->Update(kDeployments, d);
  c.Step();
  for (int i = 0; i < 30 && !RolledOut(c, 2); ++i) {
    c.MarkReady(1);
    c.Step();
  }
  REQUIRE(RolledOut(c, 2));
  auto rss = c.List(kReplicaSets);
  REQUIRE(rss.size() == 2);
  std::set<std::string> revisions;
  for (const Json& rs : rss) {
    revisions.insert(rs["metadata"]["annotations"][kRevisionAnnotation]);
  }
  CHECK(revisions == std::set<std::string>{"1", "2"});
  CHECK(c.Deployment()["metadata"]["annotations"][kRevisionAnnotation] == "2");
}

TEST_CASE("rollout without progress hits progressDeadlineSeconds",
          "[deployment]") {
  Cluster c;
  Json d = NewDeployment(1, "nginx:1");
  d["spec"]["progressDeadlineSeconds"] = 60;
  c.client->Create(kDeployments, "default", d);
  c.Step();
  Json before = c.Deployment();
  const Json* p = GetDeploymentCondition(before["status"], "Progressing");
  REQUIRE(p != nullptr);
  CHECK((*p)["status"] ==
        "True");  // NewReplicaSetCreated, then ReplicaSetUpdated
  // No pod ever becomes ready; the deadline timer alone moves it on.
  c.loop->RunFor(std::chrono::seconds(90));
  Json after = c.Deployment();
  p = GetDeploymentCondition(after["status"], "Progressing");
  REQUIRE(p != nullptr);
  CHECK((*p)["status"] == "False");
  CHECK((*p)["reason"] == "ProgressDeadlineExceeded");
  std::string rs = c.List(kReplicaSets)[0]["metadata"]["name"];
  CHECK((*p)["message"] ==
        "ReplicaSet \"" + rs + "\" has timed out progressing.");
}

}  // namespace
}  // namespace ksim::controllers
