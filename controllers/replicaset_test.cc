#include "controllers/replicaset.h"

#include <catch2/catch.hpp>

#include "controllers/replicaset_test_util.h"

namespace ksim::controllers {
namespace {

using client::EventType;
using client::kPods;
using client::kReplicaSets;
using client::Verb;
using testing::Fixture;
using testing::MakePod;
using testing::MakeReplicaSet;

std::vector<std::string> PodNamesDeleted(const Fixture& f) {
  std::vector<std::string> out;
  for (const auto& a : f.Writes(Verb::kDelete, kPods)) out.push_back(a.name);
  return out;
}

TEST_CASE("replicaset creates missing pods from its template", "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 3);
  rs["spec"]["template"]["metadata"]["annotations"] = {{"note", "x"}};
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();

  auto creates = f.Writes(Verb::kCreate, kPods);
  REQUIRE(creates.size() == 3);  // slow start: 1, then 2
  for (const auto& a : creates) {
    const Json& meta = a.object["metadata"];
    CHECK(meta["generateName"] == "web-abc-");
    CHECK_FALSE(meta.contains("name"));
    CHECK(meta["labels"] == Json{{"app", "web"}});
    CHECK(meta["annotations"] == Json{{"note", "x"}});
    CHECK(meta["ownerReferences"] ==
          Json::array({{{"apiVersion", "apps/v1"},
                        {"kind", "ReplicaSet"},
                        {"name", "web-abc"},
                        {"uid", "uid-web-abc"},
                        {"controller", true},
                        {"blockOwnerDeletion", true}}}));
    CHECK(a.object["spec"]["containers"][0]["image"] == "nginx");
  }
  auto events = f.EventMessages();
  REQUIRE(events.size() == 3);
  CHECK(events[0].rfind("SuccessfulCreate: Created pod: web-abc-", 0) == 0);
  CHECK(c.expectations().Pending("default/web-abc") == std::make_pair(3, 0));

  // Status: observedGeneration catches up, counts are all zero.
  auto statuses = f.Writes(Verb::kUpdate, kReplicaSets, "status");
  REQUIRE(statuses.size() == 1);
  CHECK(statuses[0].object["status"] ==
        Json{{"replicas", 0}, {"observedGeneration", 1}});
}

TEST_CASE("replicaset expectations prevent duplicate creates", "[replicaset]") {
  Fixture f;
  f.ReplicaSets()->Apply(EventType::kAdded, MakeReplicaSet("web-abc", 2));
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  REQUIRE(f.Writes(Verb::kCreate, kPods).size() == 2);

  // The informer has not seen the pods yet: a second sync creates nothing.
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  CHECK(f.Writes(Verb::kCreate, kPods).size() == 2);

  // Once the pods are observed the expectations are met and nothing is due.
  auto stored = f.fake.List(kPods, "default", {});
  REQUIRE(stored.ok());
  REQUIRE(stored->items.size() == 2);
  for (const Json& pod : stored->items) f.Pods()->Apply(EventType::kAdded, pod);
  CHECK(c.expectations().Satisfied("default/web-abc"));
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  CHECK(f.Writes(Verb::kCreate, kPods).size() == 2);
  CHECK(f.Writes(Verb::kDelete, kPods).empty());
}

TEST_CASE("replicaset slow start stops at the first failed batch",
          "[replicaset]") {
  Fixture f;
  f.ReplicaSets()->Apply(EventType::kAdded, MakeReplicaSet("web-abc", 10));
  int calls = 0;
  f.fake.AddReactor(
      [&calls](const client::Action& a) -> std::optional<base::Status> {
        if (a.verb != Verb::kCreate || !(a.resource == kPods))
          return std::nullopt;
        if (++calls == 1) return std::nullopt;
        return base::Status(base::Code::kForbidden,
                            "pods \"x\" is forbidden: exceeded quota");
      });
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  // Batch 1 (1 pod) succeeds, batch 2 (2 pods) fails: no batch 3.
  CHECK(calls == 3);
  // 9 creates will never be observed: 1 remains expected.
  CHECK(c.expectations().Pending("default/web-abc").first == 1);
  auto events = f.EventMessages();
  CHECK(std::count(events.begin(), events.end(),
                   "FailedCreate: Error creating: pods \"x\" is forbidden: "
                   "exceeded quota") >= 1);

  // The next sync reports the failure as the ReplicaFailure condition.
  f.fake.ClearActions();
  Json rs = MakeReplicaSet("web-abc", 10);
  rs["metadata"]["resourceVersion"] = "11";
  f.ReplicaSets()->Apply(EventType::kModified, rs);
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  auto statuses = f.Writes(Verb::kUpdate, kReplicaSets, "status");
  REQUIRE_FALSE(statuses.empty());
  const Json& cond = statuses[0].object["status"]["conditions"][0];
  CHECK(cond["type"] == "ReplicaFailure");
  CHECK(cond["status"] == "True");
  CHECK(cond["reason"] == "FailedCreate");
  CHECK(cond["message"] == "pods \"x\" is forbidden: exceeded quota");
}

TEST_CASE("replicaset scale-down deletes pods in kube's order",
          "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 1);
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  // a: ready long ago; b: running, not ready; c: pending on a node;
  // d: unassigned; e: ready recently.
  for (const Json& p :
       {MakePod("a", &rs, "n1", "Running", 0),
        MakePod("b", &rs, "n1", "Running"), MakePod("c", &rs, "n2", "Pending"),
        MakePod("d", &rs, "", "Pending"),
        MakePod("e", &rs, "n2", "Running", 5000)}) {
    f.Pods()->Apply(EventType::kAdded, p);
    f.fake.Seed(kPods, p);  // so that the deletes succeed
  }
  f.clock.Set(testing::kStart + std::chrono::hours(2));
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  CHECK(PodNamesDeleted(f) == std::vector<std::string>{"d", "c", "b", "e"});
  CHECK(c.expectations().Pending("default/web-abc") == std::make_pair(0, 4));
  auto events = f.EventMessages();
  CHECK(std::find(events.begin(), events.end(),
                  "SuccessfulDelete: Deleted pod: d") != events.end());

  // Observing a deletion twice counts once.
  Json d = MakePod("d", &rs, "", "Pending");
  f.Pods()->Apply(EventType::kDeleted, d);
  f.Pods()->Apply(EventType::kDeleted, d);
  CHECK(c.expectations().Pending("default/web-abc") == std::make_pair(0, 3));
}

TEST_CASE("replicaset scale-down honours pod-deletion-cost and restarts",
          "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 1);
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  Json cheap = MakePod("x-cheap", &rs, "n1", "Running", 10);
  cheap["metadata"]["annotations"] = {
      {"controller.kubernetes.io/pod-deletion-cost", "-5"}};
  Json crashy = MakePod("y-crashy", &rs, "n1", "Running", 10);
  crashy["status"]["containerStatuses"] =
      Json::array({{{"name", "web"}, {"restartCount", 7}}});
  Json plain = MakePod("z-plain", &rs, "n1", "Running", 10);
  for (const Json& p : {plain, crashy, cheap})
    f.Pods()->Apply(EventType::kAdded, p);
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  CHECK(PodNamesDeleted(f) == std::vector<std::string>{"x-cheap", "y-crashy"});
}

TEST_CASE("replicaset status is written only when it changed", "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 2);
  rs["status"] = {
      {"replicas", 2}, {"fullyLabeledReplicas", 2}, {"observedGeneration", 1}};
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  f.Pods()->Apply(EventType::kAdded, MakePod("a", &rs, "n1", "Running"));
  f.Pods()->Apply(EventType::kAdded, MakePod("b", &rs, "n2", "Running"));
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  CHECK(f.fake.actions().empty());

  Json ready = MakePod("a", &rs, "n1", "Running", 0);
  ready["metadata"]["resourceVersion"] = "21";
  f.Pods()->Apply(EventType::kModified, ready);
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  auto statuses = f.Writes(Verb::kUpdate, kReplicaSets, "status");
  REQUIRE(statuses.size() == 1);
  CHECK(statuses[0].object["status"] == Json{{"replicas", 2},
                                             {"fullyLabeledReplicas", 2},
                                             {"readyReplicas", 1},
                                             {"availableReplicas", 1},
                                             {"observedGeneration", 1}});
}

TEST_CASE("replicaset minReadySeconds delays availability", "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 1);
  rs["spec"]["minReadySeconds"] = 30;
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  f.Pods()->Apply(EventType::kAdded, MakePod("a", &rs, "n1", "Running", 0));
  f.clock.Set(testing::kStart + std::chrono::seconds(10));
  ReplicaSetController c(f.ctx);
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  auto statuses = f.Writes(Verb::kUpdate, kReplicaSets, "status");
  REQUIRE(!statuses.empty());
  CHECK(statuses[0].object["status"].value("readyReplicas", 0) == 1);
  CHECK(statuses[0].object["status"].value("availableReplicas", 0) == 0);
  // The controller looks again after minReadySeconds by itself.
  Json updated = rs;
  updated["status"] = statuses[0].object["status"];
  updated["metadata"]["resourceVersion"] = "12";
  f.ReplicaSets()->Apply(EventType::kModified, updated);
  f.loop->RunFor(std::chrono::seconds(31));
  statuses = f.Writes(Verb::kUpdate, kReplicaSets, "status");
  REQUIRE(statuses.size() >= 2);
  CHECK(statuses.back().object["status"].value("availableReplicas", 0) == 1);
}

TEST_CASE("replicaset adopts matching orphans and releases the rest",
          "[replicaset]") {
  Fixture f;
  Json rs = MakeReplicaSet("web-abc", 2);
  f.fake.Seed(kReplicaSets, rs);
  f.ReplicaSets()->Apply(EventType::kAdded, rs);
  f.Pods()->Apply(EventType::kAdded,
                  MakePod("orphan", nullptr, "n1", "Running"));
  Json strayed = MakePod("strayed", &rs, "n1", "Running", -1, 0, "other");
  f.Pods()->Apply(EventType::kAdded, strayed);
  f.Pods()->Apply(EventType::kAdded, MakePod("mine", &rs, "n1", "Running"));
  ReplicaSetController c(f.ctx);
  c.queue().ShutDown();  // this test drives Reconcile itself
  REQUIRE(c.Reconcile("default/web-abc").ok());
  f.loop->RunUntilIdle();
  auto patches = f.fake.ActionsFor(Verb::kPatch, kPods);
  REQUIRE(patches.size() == 2);
  CHECK(patches[0].name == "orphan");
  CHECK(patches[0].patch_type == client::PatchType::kStrategicMerge);
  CHECK(patches[0].object["metadata"]["uid"] == "uid-orphan");
  CHECK(patches[0].object["metadata"]["ownerReferences"][0]["uid"] ==
        "uid-web-abc");
  CHECK(patches[1].name == "strayed");
  CHECK(patches[1].object ==
        Json{{"metadata",
              {{"ownerReferences",
                Json::array({{{"$patch", "delete"}, {"uid", "uid-web-abc"}}})},
               {"uid", "uid-strayed"}}}});
  // The adopted orphan counts: two pods, nothing to create.
  CHECK(f.Writes(Verb::kCreate, kPods).empty());
}

}  // namespace
}  // namespace ksim::controllers
