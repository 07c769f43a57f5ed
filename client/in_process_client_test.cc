#include "client/in_process_client.h"

#include <catch2/catch.hpp>
#include <map>

#include "client/test_cluster.h"

namespace ksim::client {
namespace {

using base::Code;
using testing::ConfigMap;
using testing::Pod;
using testing::TestCluster;

std::vector<std::string> Names(const ObjectList& list) {
  std::vector<std::string> out;
  for (const auto& o : list.items) out.push_back(o["metadata"]["name"]);
  return out;
}

TEST_CASE("in-process create, get and list with selectors", "[client]") {
  TestCluster c;
  auto created = c.Sync([&](WriteCallback d) {
    c.client->Create(kConfigMaps, "default", ConfigMap("a"), d);
  });
  REQUIRE(created.ok());
  CHECK(created->value("kind", "") == "ConfigMap");
  CHECK((*created)["metadata"]["resourceVersion"].is_string());
  // The write's manager is the client's field manager.
  CHECK((*created)["metadata"]["managedFields"][0]["manager"] == "test");
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Create(kConfigMaps, "default", ConfigMap("b", "db"), d);
           }).ok());

  auto got = c.client->Get(kConfigMaps, "default", "a");
  REQUIRE(got.ok());
  CHECK((*got)["metadata"]["uid"] == (*created)["metadata"]["uid"]);
  CHECK((*got)["metadata"]["resourceVersion"] ==
        (*created)["metadata"]["resourceVersion"]);
  CHECK(c.client->Get(kConfigMaps, "default", "zz").status().code() ==
        Code::kNotFound);

  auto all = c.client->List(kConfigMaps, "default", {});
  REQUIRE(all.ok());
  CHECK(Names(*all) == std::vector<std::string>{"a", "b"});
  CHECK(all->items[1]["metadata"]["resourceVersion"].is_string());
  CHECK(std::stoll(all->resource_version) >=
        std::stoll(
            all->items[1]["metadata"]["resourceVersion"].get<std::string>()));

  ListOptions by_label;
  by_label.label_selector = "app in (db)";
  CHECK(Names(*c.client->List(kConfigMaps, "", by_label)) ==
        std::vector<std::string>{"b"});
  ListOptions by_field;
  by_field.field_selector = "metadata.name!=b";
  CHECK(Names(*c.client->List(kConfigMaps, "default", by_field)) ==
        std::vector<std::string>{"a"});
  ListOptions bad;
  bad.label_selector = "app in";
  CHECK(c.client->List(kConfigMaps, "", bad).status().code() ==
        Code::kBadRequest);
  ListOptions paged;
  paged.limit = 1;
  auto page = c.client->List(kConfigMaps, "default", paged);
  REQUIRE(page.ok());
  CHECK(Names(*page) == std::vector<std::string>{"a"});
  CHECK_FALSE(page->continue_token.empty());
}

TEST_CASE("in-process update, conflicts, patches and delete", "[client]") {
  TestCluster c;
  auto created = c.Sync([&](WriteCallback d) {
    c.client->Create(kConfigMaps, "default", ConfigMap("a"), d);
  });
  REQUIRE(created.ok());
  Json changed = *created;
  changed["data"]["k"] = "v2";
  auto updated = c.Sync(
      [&](WriteCallback d) { c.client->Update(kConfigMaps, changed, d); });
  REQUIRE(updated.ok());
  CHECK((*updated)["data"]["k"] == "v2");

  // `changed` still carries the old resourceVersion.
  auto stale = c.Sync(
      [&](WriteCallback d) { c.client->Update(kConfigMaps, changed, d); });
  CHECK(stale.status().code() == Code::kConflict);
  CHECK(stale.status().message() ==
        "Operation cannot be fulfilled on configmaps \"a\": the object has "
        "been modified; please apply your changes to the latest version and "
        "try again");

  auto merged = c.Sync([&](WriteCallback d) {
    c.client->Patch(kConfigMaps, "default", "a", PatchType::kMerge,
                    {{"data", {{"m", "1"}}}}, "", d);
  });
  REQUIRE(merged.ok());
  CHECK((*merged)["data"] == Json{{"k", "v2"}, {"m", "1"}});
  auto strategic = c.Sync([&](WriteCallback d) {
    c.client->Patch(kConfigMaps, "default", "a", PatchType::kStrategicMerge,
                    {{"metadata", {{"labels", {{"tier", "x"}}}}}}, "", d);
  });
  REQUIRE(strategic.ok());
  CHECK((*strategic)["metadata"]["labels"] ==
        Json{{"app", "web"}, {"tier", "x"}});
  auto json_patch = c.Sync([&](WriteCallback d) {
    c.client->Patch(kConfigMaps, "default", "a", PatchType::kJson,
                    Json::array({{{"op", "remove"}, {"path", "/data/m"}}}), "",
                    d);
  });
  REQUIRE(json_patch.ok());
  CHECK((*json_patch)["data"] == Json{{"k", "v2"}});
  auto missing = c.Sync([&](WriteCallback d) {
    c.client->Patch(kConfigMaps, "default", "nope", PatchType::kMerge,
                    {{"data", {{"m", "1"}}}}, "", d);
  });
  CHECK(missing.status().code() == Code::kNotFound);
  CHECK(missing.status().message() == "configmaps \"nope\" not found");

  auto deleted = c.Sync([&](WriteCallback d) {
    c.client->Delete(kConfigMaps, "default", "a", {}, d);
  });
  REQUIRE(deleted.ok());
  CHECK(c.client->Get(kConfigMaps, "default", "a").status().code() ==
        Code::kNotFound);
  DeleteOptions wrong_uid;
  wrong_uid.precondition_uid = "nope";
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Create(kConfigMaps, "default", ConfigMap("b"), d);
           }).ok());
  auto refused = c.Sync([&](WriteCallback d) {
    c.client->Delete(kConfigMaps, "default", "b", wrong_uid, d);
  });
  CHECK(refused.status().code() == Code::kConflict);
}

TEST_CASE("in-process status update", "[client]") {
  TestCluster c;
  auto pod = c.Sync([&](WriteCallback d) {
    c.client->Create(kPods, "default", Pod("web-1"), d);
  });
  REQUIRE(pod.ok());
  CHECK((*pod)["status"]["phase"] == "Pending");
  Json status = *pod;
  status["status"]["phase"] = "Running";
  status["spec"]["activeDeadlineSeconds"] = 5;  // ignored by a status write
  auto updated = c.Sync(
      [&](WriteCallback d) { c.client->UpdateStatus(kPods, status, d); });
  REQUIRE(updated.ok());
  CHECK((*updated)["status"]["phase"] == "Running");
  CHECK_FALSE((*updated)["spec"].contains("activeDeadlineSeconds"));
  ListOptions running;
  running.field_selector = "status.phase=Running";
  CHECK(c.client->List(kPods, "", running)->items.size() == 1);
}

// [!mayfail] until apiserver's Registry::Bind stops running the pod update
// validation (it refuses the spec.nodeName it sets: "pod updates may not
// change fields other than ..."); reported to the lead.
TEST_CASE("in-process bind", "[client]") {
  TestCluster c;
  auto pod = c.Sync([&](WriteCallback d) {
    c.client->Create(kPods, "default", Pod("web-1"), d);
  });
  REQUIRE(pod.ok());
  auto bound = c.Sync([&](WriteCallback d) {
    c.client->Bind("default", "web-1", (*pod)["metadata"]["uid"], "node-1", d);
  });
  INFO(bound.status().ToString());
  REQUIRE(bound.ok());
  CHECK((*bound)["status"] == "Success");
  auto got = c.client->Get(kPods, "default", "web-1");
  REQUIRE(got.ok());
  CHECK((*got)["spec"]["nodeName"] == "node-1");
  auto again = c.Sync([&](WriteCallback d) {
    c.client->Bind("default", "web-1", "", "node-2", d);
  });
  CHECK(again.status().code() == Code::kConflict);
  ListOptions on_node;
  on_node.field_selector = "spec.nodeName=node-1";
  CHECK(c.client->List(kPods, "", on_node)->items.size() == 1);
}

TEST_CASE("writes run in issue order and done never runs inside Do",
          "[client]") {
  TestCluster c;
  std::vector<std::string> order;
  c.client->Create(
      kConfigMaps, "default", ConfigMap("a"),
      [&](StatusOr<Json> r) { order.push_back(r.ok() ? "a" : "!"); });
  c.client->Create(
      kConfigMaps, "default", ConfigMap("a"), [&](StatusOr<Json> r) {
        order.push_back(r.status().code() == Code::kAlreadyExists ? "exists"
                                                                  : "?");
      });
  CHECK(order.empty());
  c.loop->RunUntilIdle();
  CHECK(order == std::vector<std::string>{"a", "exists"});
}

TEST_CASE("in-process watch delivers decoded events", "[client]") {
  TestCluster c;
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Create(kConfigMaps, "default", ConfigMap("a"), d);
           }).ok());
  auto list = c.client->List(kConfigMaps, "default", {});
  REQUIRE(list.ok());
  int wakes = 0;
  ListOptions from;
  from.resource_version = list->resource_version;
  auto w = c.client->Watch(kConfigMaps, "default", from, [&] { ++wakes; });
  REQUIRE(w.ok());

  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Create(kConfigMaps, "default", ConfigMap("b"), d);
           }).ok());
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Patch(kConfigMaps, "default", "a", PatchType::kMerge,
                             {{"data", {{"k", "v2"}}}}, "", d);
           }).ok());
  auto deleted = c.Sync([&](WriteCallback d) {
    c.client->Delete(kConfigMaps, "default", "b", {}, d);
  });
  REQUIRE(deleted.ok());
  CHECK(wakes >= 1);

  std::vector<WatchEvent> events;
  CHECK((*w)->Poll(&events, 100));
  REQUIRE(events.size() == 3);
  CHECK(events[0].type == EventType::kAdded);
  CHECK(events[0].object["metadata"]["name"] == "b");
  CHECK(events[1].type == EventType::kModified);
  CHECK(events[1].object["data"]["k"] == "v2");
  CHECK(events[2].type == EventType::kDeleted);
  // A delete is reported at the deletion's revision.
  CHECK(
      std::stoll(
          events[2].object["metadata"]["resourceVersion"].get<std::string>()) >
      std::stoll(
          events[1].object["metadata"]["resourceVersion"].get<std::string>()));

  // From "": the current state first, as ADDED events.
  auto fresh = c.client->Watch(kConfigMaps, "", {}, [] {});
  REQUIRE(fresh.ok());
  events.clear();
  CHECK((*fresh)->Poll(&events, 100));
  REQUIRE(events.size() == 1);
  CHECK(events[0].type == EventType::kAdded);
  CHECK(events[0].object["metadata"]["name"] == "a");
}

TEST_CASE("in-process watch from a compacted revision is expired", "[client]") {
  TestCluster c;
  auto list = c.client->List(kConfigMaps, "default", {});
  REQUIRE(list.ok());
  for (const char* name : {"a", "b", "c"}) {
    REQUIRE(c.Sync([&](WriteCallback d) {
               c.client->Create(kConfigMaps, "default", ConfigMap(name), d);
             }).ok());
  }
  REQUIRE(c.store->Compact(c.store->CurrentRevision()).ok());
  ListOptions from;
  from.resource_version = list->resource_version;
  auto w = c.client->Watch(kConfigMaps, "default", from, [] {});
  REQUIRE_FALSE(w.ok());
  CHECK(w.status().code() == Code::kExpired);
  CHECK(w.status().message().rfind("too old resource version: ", 0) == 0);
}

TEST_CASE("WithFieldManager writes as another manager", "[client]") {
  TestCluster c;
  auto scheduler = c.client->WithFieldManager("kube-scheduler");
  auto created = c.Sync([&](WriteCallback d) {
    scheduler->Create(kConfigMaps, "default", ConfigMap("a"), d);
  });
  REQUIRE(created.ok());
  CHECK((*created)["metadata"]["managedFields"][0]["manager"] ==
        "kube-scheduler");
}

TEST_CASE("pool mode keeps per-object order under concurrent writes",
          "[client]") {
  TestCluster c(/*writer_threads=*/4);
  constexpr int kObjects = 8;
  constexpr int kWrites = 40;
  for (int i = 0; i < kObjects; ++i) {
    REQUIRE(c.Sync([&](WriteCallback d) {
               c.client->Create(kConfigMaps, "default",
                                ConfigMap("cm-" + std::to_string(i)), d);
             }).ok());
  }
  // Every object gets kWrites patches at once; each must land after the
  // previous one issued for it.
  std::map<std::string, std::vector<int>> seen;
  int done = 0;
  for (int n = 0; n < kWrites; ++n) {
    for (int i = 0; i < kObjects; ++i) {
      std::string name = "cm-" + std::to_string(i);
      c.client->Patch(kConfigMaps, "default", name, PatchType::kMerge,
                      {{"data", {{"seq", std::to_string(n)}}}}, "",
                      [&, name](StatusOr<Json> r) {
                        ++done;
                        REQUIRE(r.ok());
                        seen[name].push_back(std::stoi(
                            r->at("data").at("seq").get<std::string>()));
                      });
    }
  }
  REQUIRE(c.RunUntil([&] { return done == kObjects * kWrites; }));
  for (int i = 0; i < kObjects; ++i) {
    std::string name = "cm-" + std::to_string(i);
    std::vector<int> expected(kWrites);
    for (int n = 0; n < kWrites; ++n) expected[n] = n;
    CHECK(seen[name] == expected);
    auto got = c.client->Get(kConfigMaps, "default", name);
    CHECK((*got)["data"]["seq"] == std::to_string(kWrites - 1));
  }
}

}  // namespace
}  // namespace ksim::client
