#include "controllers/deployment.h"

#include <catch2/catch.hpp>

#include "controllers/deployment_hash.h"
#include "controllers/deployment_util.h"
#include "controllers/replicaset_test_util.h"

namespace ksim::controllers {
namespace {

using client::EventType;
using client::kDeployments;
using client::kReplicaSets;
using client::Verb;
using testing::At;
using testing::Fixture;

Json Template(const std::string& image) {
  return Json{
      {"metadata", {{"labels", {{"app", "web"}}}}},
      {"spec",
       {{"containers", Json::array({{{"name", "web"}, {"image", image}}})}}}};
}

Json MakeDeployment(int replicas, const std::string& image = "nginx:1") {
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "Deployment"},
      {"metadata",
       {{"name", "webapp"},
        {"namespace", "default"},
        {"uid", "uid-webapp"},
        {"resourceVersion", "5"},
        {"generation", 1},
        {"creationTimestamp", At(0)}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template", Template(image)},
        {"strategy",
         {{"type", "RollingUpdate"},
          {"rollingUpdate", {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}}},
        {"revisionHistoryLimit", 10},
        {"progressDeadlineSeconds", 600}}}};
}

// A ReplicaSet the controller would have made for `image`.
Json OwnedReplicaSet(const std::string& image, int replicas, int revision,
                     int available, int created_at) {
  std::string hash = ComputeHash(Template(image), std::nullopt);
  Json tmpl = Template(image);
  tmpl["metadata"]["labels"]["pod-template-hash"] = hash;
  std::string name = "webapp-" + hash;
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata",
       {{"name", name},
        {"namespace", "default"},
        {"uid", "uid-" + name},
        {"resourceVersion", "7"},
        {"generation", 1},
        {"creationTimestamp", At(created_at)},
        {"labels", tmpl["metadata"]["labels"]},
        {"annotations",
         {{kRevisionAnnotation, std::to_string(revision)},
          {kDesiredReplicasAnnotation, std::to_string(replicas)},
          {kMaxReplicasAnnotation, std::to_string(replicas + 1)}}},
        {"ownerReferences", Json::array({{{"apiVersion", "apps/v1"},
                                          {"kind", "Deployment"},
                                          {"name", "webapp"},
                                          {"uid", "uid-webapp"},
                                          {"controller", true},
                                          {"blockOwnerDeletion", true}}})}}},
      {"spec",
       {{"replicas", replicas},
        {"selector",
         {{"matchLabels", {{"app", "web"}, {"pod-template-hash", hash}}}}},
        {"template", tmpl}}},
      {"status",
       {{"replicas", replicas},
        {"readyReplicas", available},
        {"availableReplicas", available},
        {"observedGeneration", 1}}}};
}

std::vector<Json> RsUpdates(const Fixture& f, const std::string& name) {
  std::vector<Json> out;
  for (const auto& a : f.Writes(Verb::kUpdate, kReplicaSets)) {
    if (a.object["metadata"]["name"] == name) out.push_back(a.object);
  }
  return out;
}

TEST_CASE("deployment creates its ReplicaSet named by the template hash",
          "[deployment]") {
  Fixture f;
  Json d = MakeDeployment(2);
  f.Deployments()->Apply(EventType::kAdded, d);
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();

  auto creates = f.Writes(Verb::kCreate, kReplicaSets);
  REQUIRE(creates.size() == 1);
  const Json& rs = creates[0].object;
  std::string hash = ComputeHash(d["spec"]["template"], std::nullopt);
  CHECK(hash.size() == 10);
  CHECK(rs["metadata"]["name"] == "webapp-" + hash);
  Json labels = {{"app", "web"}, {"pod-template-hash", hash}};
  CHECK(rs["metadata"]["labels"] == labels);
  CHECK(rs["spec"]["selector"]["matchLabels"] == labels);
  CHECK(rs["spec"]["template"]["metadata"]["labels"] == labels);
  CHECK(rs["spec"]["replicas"] == 2);
  CHECK(rs["metadata"]["annotations"] == Json{{kRevisionAnnotation, "1"},
                                              {kDesiredReplicasAnnotation, "2"},
                                              {kMaxReplicasAnnotation, "3"}});
  CHECK(rs["metadata"]["ownerReferences"][0]["kind"] == "Deployment");
  CHECK(rs["metadata"]["ownerReferences"][0]["controller"] == true);

  auto statuses = f.Writes(Verb::kUpdate, kDeployments, "status");
  REQUIRE(statuses.size() == 2);
  const Json& first = statuses[0].object;
  CHECK(first["metadata"]["annotations"][kRevisionAnnotation] == "1");
  const Json& st = statuses[1].object["status"];
  CHECK(st["unavailableReplicas"] == 2);
  CHECK(st["observedGeneration"] == 1);
  const Json* progressing = GetDeploymentCondition(st, "Progressing");
  REQUIRE(progressing != nullptr);
  CHECK((*progressing)["reason"] == "NewReplicaSetCreated");
  CHECK((*progressing)["message"] ==
        "Created new replica set \"webapp-" + hash + "\"");
  const Json* available = GetDeploymentCondition(st, "Available");
  REQUIRE(available != nullptr);
  CHECK((*available)["status"] == "False");
  CHECK((*available)["message"] ==
        "Deployment does not have minimum availability.");
  CHECK(f.EventMessages() ==
        std::vector<std::string>{
            "ScalingReplicaSet: Scaled up replica set webapp-" + hash +
            " from 0 to 2"});
}

TEST_CASE("deployment hash: FNV-32a and SafeEncodeString", "[deployment]") {
  CHECK(Fnv32a("") == 0x811c9dc5u);
  CHECK(Fnv32a("a") == 0xe40c292cu);
  CHECK(Fnv32a("foobar") == 0xbf9cf968u);
  CHECK(SafeEncodeString("0123456789") == "456789bcdf");
  Json t = Template("nginx:1");
  CHECK(ComputeHash(t, std::nullopt) == ComputeHash(t, std::nullopt));
  CHECK(ComputeHash(t, std::nullopt) != ComputeHash(t, 1));
  CHECK(ComputeHash(t, 1) != ComputeHash(t, 2));
  CHECK(ComputeHash(t, std::nullopt) !=
        ComputeHash(Template("nginx:2"), std::nullopt));
  Json restarted = t;
  restarted["metadata"]["annotations"]["kubectl.kubernetes.io/restartedAt"] =
      "2025-01-01T00:00:00Z";
  CHECK(ComputeHash(t, std::nullopt) != ComputeHash(restarted, std::nullopt));
}

TEST_CASE(
    "deployment rollback brings an old ReplicaSet back as the newest "
    "revision",
    "[deployment]") {
  Fixture f;
  // `kubectl rollout undo` patched the template back to nginx:1.
  Json d = MakeDeployment(2, "nginx:1");
  d["metadata"]["annotations"] = {{kRevisionAnnotation, "2"}};
  Json v1 = OwnedReplicaSet("nginx:1", 0, 1, 0, 0);
  Json v2 = OwnedReplicaSet("nginx:2", 2, 2, 2, 100);
  f.Deployments()->Apply(EventType::kAdded, d);
  for (const Json& rs : {v1, v2}) {
    f.ReplicaSets()->Apply(EventType::kAdded, rs);
    f.fake.Seed(kReplicaSets, rs);
  }
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();

  CHECK(f.Writes(Verb::kCreate, kReplicaSets).empty());
  auto updates = RsUpdates(f, v1["metadata"]["name"]);
  REQUIRE(!updates.empty());
  const Json& last = updates.back();
  CHECK(last["metadata"]["annotations"][kRevisionAnnotation] == "3");
  CHECK(last["metadata"]["annotations"][kRevisionHistoryAnnotation] == "1");
  CHECK(last["spec"]["replicas"] == 1);  // maxSurge 1 over 2 running
  // The second write of the same object in one sync is unconditional.
  CHECK(updates.front()["metadata"].contains("resourceVersion"));
  if (updates.size() > 1) {
    CHECK_FALSE(last["metadata"].contains("resourceVersion"));
  }
  auto statuses = f.Writes(Verb::kUpdate, kDeployments, "status");
  REQUIRE(!statuses.empty());
  CHECK(statuses[0].object["metadata"]["annotations"][kRevisionAnnotation] ==
        "3");
  auto events = f.EventMessages();
  CHECK(std::find(events.begin(), events.end(),
                  "ScalingReplicaSet: Scaled up replica set " +
                      v1["metadata"]["name"].get<std::string>() +
                      " from 0 to 1") != events.end());
}

TEST_CASE("deployment paused: no rollout, Progressing is DeploymentPaused",
          "[deployment]") {
  Fixture f;
  Json d = MakeDeployment(2, "nginx:2");
  d["spec"]["paused"] = true;
  f.Deployments()->Apply(EventType::kAdded, d);
  f.ReplicaSets()->Apply(EventType::kAdded,
                         OwnedReplicaSet("nginx:1", 2, 1, 2, 0));
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  CHECK(f.Writes(Verb::kCreate, kReplicaSets).empty());
  CHECK(f.Writes(Verb::kUpdate, kReplicaSets).empty());
  auto statuses = f.Writes(Verb::kUpdate, kDeployments, "status");
  REQUIRE(!statuses.empty());
  const Json* p =
      GetDeploymentCondition(statuses.back().object["status"], "Progressing");
  REQUIRE(p != nullptr);
  CHECK((*p)["status"] == "Unknown");
  CHECK((*p)["reason"] == "DeploymentPaused");
  CHECK((*p)["message"] == "Deployment is paused");
}

TEST_CASE("deployment scaling event resizes ReplicaSets proportionally",
          "[deployment]") {
  Fixture f;
  Json d = MakeDeployment(8, "nginx:2");
  Json old_rs = OwnedReplicaSet("nginx:1", 3, 1, 3, 0);
  Json new_rs = OwnedReplicaSet("nginx:2", 2, 2, 0, 100);
  for (Json* rs : {&old_rs, &new_rs}) {
    (*rs)["metadata"]["annotations"][kDesiredReplicasAnnotation] = "4";
    (*rs)["metadata"]["annotations"][kMaxReplicasAnnotation] = "5";
  }
  f.Deployments()->Apply(EventType::kAdded, d);
  f.ReplicaSets()->Apply(EventType::kAdded, old_rs);
  f.ReplicaSets()->Apply(EventType::kAdded, new_rs);
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  auto old_updates = RsUpdates(f, old_rs["metadata"]["name"]);
  auto new_updates = RsUpdates(f, new_rs["metadata"]["name"]);
  REQUIRE(old_updates.size() == 1);
  REQUIRE(new_updates.size() == 1);
  CHECK(old_updates[0]["spec"]["replicas"] == 6);
  CHECK(new_updates[0]["spec"]["replicas"] == 4);
  CHECK(old_updates[0]["metadata"]["annotations"][kDesiredReplicasAnnotation] ==
        "8");
  CHECK(old_updates[0]["metadata"]["annotations"][kMaxReplicasAnnotation] ==
        "10");
}

TEST_CASE("deployment Recreate scales old to zero before creating the new",
          "[deployment]") {
  Fixture f;
  Json d = MakeDeployment(2, "nginx:2");
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  Json old_rs = OwnedReplicaSet("nginx:1", 2, 1, 2, 0);
  f.Deployments()->Apply(EventType::kAdded, d);
  f.ReplicaSets()->Apply(EventType::kAdded, old_rs);
  Json pod = testing::MakePod("old-pod", &old_rs, "n1", "Running", 0);
  f.Pods()->Apply(EventType::kAdded, pod);
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  REQUIRE(RsUpdates(f, old_rs["metadata"]["name"]).size() == 1);
  CHECK(RsUpdates(f, old_rs["metadata"]["name"])[0]["spec"]["replicas"] == 0);
  CHECK(f.Writes(Verb::kCreate, kReplicaSets).empty());

  // Scaled down, but a pod is still there (terminating): wait.
  old_rs["spec"]["replicas"] = 0;
  old_rs["status"] = {{"replicas", 0}, {"observedGeneration", 1}};
  old_rs["metadata"]["resourceVersion"] = "8";
  f.ReplicaSets()->Apply(EventType::kModified, old_rs);
  f.fake.ClearActions();
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  CHECK(f.Writes(Verb::kCreate, kReplicaSets).empty());

  // The last old pod is gone: the new ReplicaSet comes at full size.
  f.Pods()->Apply(EventType::kDeleted, pod);
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  auto creates = f.Writes(Verb::kCreate, kReplicaSets);
  REQUIRE(creates.size() == 1);
  CHECK(creates[0].object["spec"]["replicas"] == 2);
  CHECK(creates[0].object["metadata"]["annotations"][kRevisionAnnotation] ==
        "2");
  CHECK(creates[0].object["metadata"]["annotations"][kMaxReplicasAnnotation] ==
        "2");
}

TEST_CASE("deployment cleans up ReplicaSets beyond revisionHistoryLimit",
          "[deployment]") {
  Fixture f;
  Json d = MakeDeployment(2, "nginx:4");
  d["spec"]["revisionHistoryLimit"] = 1;
  d["status"] = {{"observedGeneration", 1},
                 {"replicas", 2},
                 {"updatedReplicas", 2},
                 {"readyReplicas", 2},
                 {"availableReplicas", 2}};
  f.Deployments()->Apply(EventType::kAdded, d);
  for (int v = 1; v <= 3; ++v) {
    f.ReplicaSets()->Apply(
        EventType::kAdded,
        OwnedReplicaSet("nginx:" + std::to_string(v), 0, v, 0, v * 10));
  }
  f.ReplicaSets()->Apply(EventType::kAdded,
                         OwnedReplicaSet("nginx:4", 2, 4, 2, 40));
  DeploymentController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/webapp").ok());
  f.loop->RunUntilIdle();
  std::vector<std::string> deleted;
  for (const auto& a : f.Writes(Verb::kDelete, kReplicaSets))
    deleted.push_back(a.name);
  CHECK(deleted ==
        std::vector<std::string>{
            "webapp-" + ComputeHash(Template("nginx:1"), std::nullopt),
            "webapp-" + ComputeHash(Template("nginx:2"), std::nullopt)});
}

TEST_CASE("deployment fenceposts round surge up and unavailability down",
          "[deployment]") {
  Json d = MakeDeployment(10);
  CHECK(MaxSurge(d) == 3);        // ceil(2.5)
  CHECK(MaxUnavailable(d) == 2);  // floor(2.5)
  d["spec"]["strategy"]["rollingUpdate"] = {{"maxSurge", 0},
                                            {"maxUnavailable", "5%"}};
  CHECK(MaxSurge(d) == 0);
  CHECK(MaxUnavailable(d) == 1);  // both resolve to 0: one may be unavailable
  d["spec"]["strategy"] = {{"type", "Recreate"}};
  CHECK(MaxSurge(d) == 0);
  CHECK(MaxUnavailable(d) == 0);
}

}  // namespace
}  // namespace ksim::controllers
