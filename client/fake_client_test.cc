#include "client/fake_client.h"

#include <catch2/catch.hpp>

#include "client/test_cluster.h"

namespace ksim::client {
namespace {

using base::Code;

struct FakeFixture {
  FakeFixture()
      : clock(testing::kStart),
        loop(base::EventLoop::NewVirtual(&clock)),
        fake(loop.get()) {}

  StatusOr<Json> Sync(const std::function<void(WriteCallback)>& issue) {
    std::optional<StatusOr<Json>> result;
    issue([&result](StatusOr<Json> r) { result = std::move(r); });
    CHECK_FALSE(result.has_value());  // done runs from the loop, not inline
    loop->RunUntilIdle();
    REQUIRE(result.has_value());
    return *result;
  }

  base::VirtualClock clock;
  std::unique_ptr<base::EventLoop> loop;
  FakeClient fake;
};

TEST_CASE("fake create fills server metadata and records actions", "[client]") {
  FakeFixture f;
  f.fake.set_field_manager("replicaset-controller");
  Json pod = testing::Pod("");
  pod["metadata"].erase("name");
  pod["metadata"]["generateName"] = "web-";
  auto created =
      f.Sync([&](WriteCallback d) { f.fake.Create(kPods, "default", pod, d); });
  REQUIRE(created.ok());
  std::string name = (*created)["metadata"]["name"];
  REQUIRE(name.size() == 9);
  CHECK(name.rfind("web-", 0) == 0);
  for (char ch : name.substr(4)) {
    CHECK(std::string("bcdfghjklmnpqrstvwxz2456789").find(ch) !=
          std::string::npos);
  }
  CHECK((*created)["metadata"]["namespace"] == "default");
  CHECK((*created)["metadata"]["uid"] == "fake-uid-1");
  CHECK((*created)["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK((*created)["apiVersion"] == "v1");
  CHECK((*created)["kind"] == "Pod");

  auto second =
      f.Sync([&](WriteCallback d) { f.fake.Create(kPods, "default", pod, d); });
  REQUIRE(second.ok());
  CHECK((*second)["metadata"]["name"] != name);
  CHECK((*second)["metadata"]["uid"] == "fake-uid-2");
  CHECK(
      std::stoll((*second)["metadata"]["resourceVersion"].get<std::string>()) >
      std::stoll((*created)["metadata"]["resourceVersion"].get<std::string>()));

  // The same sequence of names on every run.
  FakeFixture g;
  auto again =
      g.Sync([&](WriteCallback d) { g.fake.Create(kPods, "default", pod, d); });
  CHECK((*again)["metadata"]["name"] == name);

  REQUIRE(f.fake.actions().size() == 2);
  const Action& a = f.fake.actions()[0];
  CHECK(a.verb == Verb::kCreate);
  CHECK(a.resource == kPods);
  CHECK(a.ns == "default");
  CHECK(a.field_manager == "replicaset-controller");
  CHECK(f.fake.ActionsFor(Verb::kCreate, kPods).size() == 2);
  CHECK(f.fake.ActionsFor(Verb::kDelete, kPods).empty());
  CHECK(f.fake.List(kPods, "default", {})->items.size() == 2);
  f.fake.ClearActions();
  CHECK(f.fake.actions().empty());
}

TEST_CASE("fake errors use kube's wording", "[client]") {
  FakeFixture f;
  Json rs = {{"metadata", {{"name", "web"}, {"namespace", "default"}}}};
  auto missing =
      f.Sync([&](WriteCallback d) { f.fake.Update(kReplicaSets, rs, d); });
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "replicasets.apps \"web\" not found");
  REQUIRE(f.Sync([&](WriteCallback d) {
             f.fake.Create(kReplicaSets, "default", rs, d);
           }).ok());
  auto exists = f.Sync(
      [&](WriteCallback d) { f.fake.Create(kReplicaSets, "default", rs, d); });
  CHECK(exists.status().code() == Code::kAlreadyExists);
  CHECK(exists.status().message() == "replicasets.apps \"web\" already exists");
  Json stale = rs;
  stale["metadata"]["resourceVersion"] = "999";
  auto conflict =
      f.Sync([&](WriteCallback d) { f.fake.Update(kReplicaSets, stale, d); });
  CHECK(conflict.status().code() == Code::kConflict);
  auto gone = f.Sync(
      [&](WriteCallback d) { f.fake.Delete(kPods, "default", "nope", {}, d); });
  CHECK(gone.status().message() == "pods \"nope\" not found");
}

TEST_CASE("fake update, status, patch, delete and bind", "[client]") {
  FakeFixture f;
  Json pod = testing::Pod("p");
  pod["metadata"]["namespace"] = "default";
  pod["status"] = {{"phase", "Pending"}};
  f.fake.Seed(kPods, pod);
  CHECK(f.fake.actions().empty());

  Json status = *f.fake.Get(kPods, "default", "p");
  status["status"]["phase"] = "Running";
  status["spec"]["nodeName"] = "ignored";
  auto updated =
      f.Sync([&](WriteCallback d) { f.fake.UpdateStatus(kPods, status, d); });
  REQUIRE(updated.ok());
  CHECK((*updated)["status"]["phase"] == "Running");
  CHECK_FALSE((*updated)["spec"].contains("nodeName"));

  auto patched = f.Sync([&](WriteCallback d) {
    f.fake.Patch(kPods, "default", "p", PatchType::kStrategicMerge,
                 {{"metadata", {{"labels", {{"x", "1"}, {"app", nullptr}}}}}},
                 "", d);
  });
  REQUIRE(patched.ok());
  CHECK((*patched)["metadata"]["labels"] == Json{{"x", "1"}});
  CHECK(f.fake.actions().back().patch_type == PatchType::kStrategicMerge);
  auto json_patch = f.Sync([&](WriteCallback d) {
    f.fake.Patch(kPods, "default", "p", PatchType::kJson,
                 Json::array({{{"op", "replace"},
                               {"path", "/status/phase"},
                               {"value", "Failed"}}}),
                 "status", d);
  });
  REQUIRE(json_patch.ok());
  CHECK((*json_patch)["status"]["phase"] == "Failed");

  auto bound = f.Sync(
      [&](WriteCallback d) { f.fake.Bind("default", "p", "", "node-1", d); });
  REQUIRE(bound.ok());
  CHECK((*f.fake.Get(kPods, "default", "p"))["spec"]["nodeName"] == "node-1");
  const Action& bind = f.fake.actions().back();
  CHECK(bind.subresource == "binding");
  CHECK(bind.object["target"] ==
        Json{{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-1"}});

  auto deleted = f.Sync(
      [&](WriteCallback d) { f.fake.Delete(kPods, "default", "p", {}, d); });
  REQUIRE(deleted.ok());
  CHECK(f.fake.Get(kPods, "default", "p").status().code() == Code::kNotFound);
}

TEST_CASE("fake reactors inject errors", "[client]") {
  FakeFixture f;
  f.fake.AddReactor([](const Action& a) -> std::optional<Status> {
    if (a.verb == Verb::kCreate && a.resource == kPods) {
      return Status(Code::kForbidden, "quota exceeded");
    }
    return std::nullopt;
  });
  auto refused = f.Sync([&](WriteCallback d) {
    f.fake.Create(kPods, "default", testing::Pod("p"), d);
  });
  CHECK(refused.status().code() == Code::kForbidden);
  CHECK(f.fake.actions().size() == 1);  // recorded all the same
  CHECK(f.fake.Get(kPods, "default", "p").status().code() == Code::kNotFound);
  auto cm = f.Sync([&](WriteCallback d) {
    f.fake.Create(kConfigMaps, "default", testing::ConfigMap("c"), d);
  });
  CHECK(cm.ok());
}

TEST_CASE("fake watches deliver later writes that match", "[client]") {
  FakeFixture f;
  int wakes = 0;
  ListOptions o;
  o.label_selector = "app=web";
  auto w = f.fake.Watch(kConfigMaps, "default", o, [&] { ++wakes; });
  REQUIRE(w.ok());
  f.fake.Create(kConfigMaps, "default", testing::ConfigMap("a"));
  f.fake.Create(kConfigMaps, "default", testing::ConfigMap("b", "db"));
  f.fake.Create(kConfigMaps, "other", testing::ConfigMap("c"));
  f.fake.Delete(kConfigMaps, "default", "a");
  std::vector<WatchEvent> events;
  CHECK((*w)->Poll(&events, 10));
  REQUIRE(events.size() == 2);
  CHECK(wakes == 2);
  CHECK(events[0].type == EventType::kAdded);
  CHECK(events[1].type == EventType::kDeleted);
  CHECK(events[1].object["metadata"]["name"] == "a");
  ListOptions by_field;
  by_field.field_selector = "metadata.namespace=other";
  CHECK(f.fake.List(kConfigMaps, "", by_field)->items.size() == 1);
}

}  // namespace
}  // namespace ksim::client
