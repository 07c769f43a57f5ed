#include "client/informer.h"

#include <catch2/catch.hpp>

#include "client/fake_client.h"
#include "client/test_cluster.h"

namespace ksim::client {
namespace {

using testing::ConfigMap;
using testing::TestCluster;

// Mirrors what the handlers were told, to compare with the cache.
struct Recorder {
  std::vector<std::string> log;               // "add a", "update a", "delete a"
  std::map<std::string, std::string> mirror;  // key -> resourceVersion

  EventHandlers Handlers() {
    EventHandlers h;
    h.on_add = [this](const ObjectPtr& o) {
      log.push_back("add " + KeyOf(*o));
      mirror[KeyOf(*o)] = (*o)["metadata"]["resourceVersion"];
    };
    h.on_update = [this](const ObjectPtr& old_obj, const ObjectPtr& o) {
      REQUIRE(KeyOf(*old_obj) == KeyOf(*o));
      log.push_back("update " + KeyOf(*o));
      mirror[KeyOf(*o)] = (*o)["metadata"]["resourceVersion"];
    };
    h.on_delete = [this](const ObjectPtr& o) {
      log.push_back("delete " + KeyOf(*o));
      mirror.erase(KeyOf(*o));
    };
    return h;
  }
};

std::map<std::string, std::string> CacheOf(const Informer& inf) {
  std::map<std::string, std::string> out;
  for (const auto& o : inf.List()) {
    out[KeyOf(*o)] = (*o)["metadata"]["resourceVersion"];
  }
  return out;
}

void CreateCm(TestCluster& c, const std::string& name,
              const std::string& app = "web") {
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Create(kConfigMaps, "default", ConfigMap(name, app), d);
           }).ok());
}

TEST_CASE("keys", "[client]") {
  CHECK(MakeKey("default", "a") == "default/a");
  CHECK(MakeKey("", "node-1") == "node-1");
  CHECK(KeyOf(ConfigMap("x")) == "x");
  std::string ns, name;
  SplitKey("default/a", &ns, &name);
  CHECK((ns == "default" && name == "a"));
  SplitKey("node-1", &ns, &name);
  CHECK((ns.empty() && name == "node-1"));
}

TEST_CASE("informer lists, watches and calls handlers", "[client]") {
  TestCluster c;
  CreateCm(c, "a");
  CreateCm(c, "b", "db");
  Informer inf(c.client.get(), c.loop.get(), kConfigMaps);
  Recorder rec;
  inf.AddEventHandlers(rec.Handlers());
  inf.AddIndex("app", [](const Json& o) {
    return std::vector<std::string>{
        base::GetString(o, {"metadata", "labels", "app"})};
  });
  REQUIRE(inf.Start().ok());
  CHECK_FALSE(inf.HasSynced());
  CHECK(inf.size() == 2);  // the list fills the cache at once
  CHECK(rec.log.empty());  // handlers hear of it from a task
  c.loop->RunUntilIdle();
  CHECK(inf.HasSynced());
  CHECK(rec.log == std::vector<std::string>{"add default/a", "add default/b"});

  CreateCm(c, "c");
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Patch(kConfigMaps, "default", "a", PatchType::kMerge,
                             {{"metadata", {{"labels", {{"app", "db"}}}}}}, "",
                             d);
           }).ok());
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Delete(kConfigMaps, "default", "b", {}, d);
           }).ok());
  c.loop->RunUntilIdle();
  CHECK(rec.log == std::vector<std::string>{"add default/a", "add default/b",
                                            "add default/c", "update default/a",
                                            "delete default/b"});
  CHECK(rec.mirror == CacheOf(inf));
  CHECK(inf.Get("default", "b") == nullptr);
  REQUIRE(inf.Get("default/a") != nullptr);
  CHECK((*inf.Get("default/a"))["metadata"]["labels"]["app"] == "db");
  auto dbs = inf.ByIndex("app", "db");
  REQUIRE(dbs.size() == 1);
  CHECK((*dbs[0])["metadata"]["name"] == "a");
  CHECK(inf.ByIndex("app", "web").size() == 1);
  CHECK(inf.List("default").size() == 2);
  CHECK(inf.List("other").empty());

  // A late handler first gets the cache as adds.
  Recorder late;
  inf.AddEventHandlers(late.Handlers());
  CHECK(late.log.empty());
  c.loop->RunUntilIdle();
  CHECK(late.log == std::vector<std::string>{"add default/a", "add default/c"});
}

TEST_CASE("informer relists after its watch expired", "[client]") {
  // A store that cuts a watcher off after 4 undelivered events, so the
  // informer has to re-watch; compaction then makes that re-watch expire.
  TestCluster c(0, /*max_pending=*/4);
  CreateCm(c, "keep");
  CreateCm(c, "change");
  CreateCm(c, "gone");
  Informer inf(c.client.get(), c.loop.get(), kConfigMaps);
  Recorder rec;
  inf.AddEventHandlers(rec.Handlers());
  REQUIRE(inf.Start().ok());
  c.loop->RunUntilIdle();
  REQUIRE(rec.mirror.size() == 3);

  // Written straight to the registry so the loop does not run in between.
  auto target = [&](const std::string& name) {
    return apiserver::Target{apiserver::FindResource("", "v1", "configmaps"),
                             "default", name, ""};
  };
  for (int i = 0; i < 6; ++i) {
    Json cm = ConfigMap("new-" + std::to_string(i));
    cm["apiVersion"] = "v1";
    cm["kind"] = "ConfigMap";
    REQUIRE(c.registry->Create(target(""), cm.dump(), {}).ok());
  }
  REQUIRE(c.registry
              ->Patch(target("change"), "application/merge-patch+json",
                      R"({"data":{"k":"v9"}})", {})
              .ok());
  REQUIRE(c.registry->Delete(target("gone"), {}).ok());
  REQUIRE(c.store->Compact(c.store->CurrentRevision()).ok());

  c.loop->RunUntilIdle();
  auto listed = c.client->List(kConfigMaps, "", {});
  REQUIRE(listed.ok());
  std::map<std::string, std::string> truth;
  for (const auto& o : listed->items) {
    truth[KeyOf(o)] = o["metadata"]["resourceVersion"];
  }
  CHECK(truth.size() == 8);
  CHECK(CacheOf(inf) == truth);
  CHECK(rec.mirror == truth);
  CHECK(std::count(rec.log.begin(), rec.log.end(), "delete default/gone") == 1);
  CHECK(std::count(rec.log.begin(), rec.log.end(), "update default/change") ==
        1);

  // And it watches again after the relist.
  CreateCm(c, "after");
  c.loop->RunUntilIdle();
  CHECK(inf.Get("default", "after") != nullptr);
  CHECK(rec.log.back() == "add default/after");
}

TEST_CASE("informer Apply and stop", "[client]") {
  base::VirtualClock clock(testing::kStart);
  auto loop = base::EventLoop::NewVirtual(&clock);
  FakeClient fake(loop.get());
  Informer inf(&fake, loop.get(), kConfigMaps);
  Recorder rec;
  inf.AddEventHandlers(rec.Handlers());
  Json a = ConfigMap("a");
  a["metadata"]["namespace"] = "default";
  a["metadata"]["resourceVersion"] = "5";
  inf.Apply(EventType::kAdded, a);
  a["metadata"]["resourceVersion"] = "6";
  inf.Apply(EventType::kModified, a);
  inf.Apply(EventType::kDeleted, a);
  inf.Apply(EventType::kDeleted, a);  // unknown now: ignored
  CHECK(rec.log == std::vector<std::string>{"add default/a", "update default/a",
                                            "delete default/a"});
  CHECK(inf.size() == 0);
}

TEST_CASE("informer factory shares one informer per resource", "[client]") {
  base::VirtualClock clock(testing::kStart);
  auto loop = base::EventLoop::NewVirtual(&clock);
  FakeClient fake(loop.get());
  Json pod = testing::Pod("p");
  pod["metadata"]["namespace"] = "default";
  fake.Seed(kPods, pod);
  InformerFactory factory(&fake, loop.get());
  Informer* pods = factory.For(kPods);
  CHECK(factory.For(kPods) == pods);
  CHECK(factory.For(kNodes) != pods);
  REQUIRE(factory.StartAll().ok());
  CHECK_FALSE(factory.AllSynced());
  loop->RunUntilIdle();
  CHECK(factory.AllSynced());
  CHECK(pods->size() == 1);
  // Started at once when created after StartAll.
  Informer* cms = factory.For(kConfigMaps);
  loop->RunUntilIdle();
  CHECK(cms->HasSynced());
  // The fake's later writes reach the informer through its watch.
  fake.Create(kConfigMaps, "default", ConfigMap("x"));
  loop->RunUntilIdle();
  CHECK(cms->Get("default", "x") != nullptr);
  factory.StopAll();
  fake.Create(kConfigMaps, "default", ConfigMap("y"));
  loop->RunUntilIdle();
  CHECK(cms->Get("default", "y") == nullptr);
}

TEST_CASE("informer follows writes made on writer threads", "[client]") {
  // Pool mode: watch wake-ups come from the writer threads and are posted
  // to the loop while the test thread runs it.
  TestCluster c(/*writer_threads=*/4);
  Informer inf(c.client.get(), c.loop.get(), kConfigMaps);
  Recorder rec;
  inf.AddEventHandlers(rec.Handlers());
  REQUIRE(inf.Start().ok());
  int done = 0;
  constexpr int kCount = 60;
  for (int i = 0; i < kCount; ++i) {
    c.client->Create(kConfigMaps, "default",
                     ConfigMap("cm-" + std::to_string(i)),
                     [&](StatusOr<Json> r) {
                       REQUIRE(r.ok());
                       ++done;
                     });
  }
  for (int i = 0; i < kCount; i += 2) {
    c.client->Delete(kConfigMaps, "default", "cm-" + std::to_string(i), {},
                     [&](StatusOr<Json> r) {
                       REQUIRE(r.ok());
                       ++done;
                     });
  }
  REQUIRE(c.RunUntil(
      [&] { return done == kCount + kCount / 2 && inf.size() == kCount / 2; }));
  auto listed = c.client->List(kConfigMaps, "", {});
  std::map<std::string, std::string> truth;
  for (const auto& o : listed->items) {
    truth[KeyOf(o)] = o["metadata"]["resourceVersion"];
  }
  CHECK(CacheOf(inf) == truth);
  CHECK(rec.mirror == truth);
  CHECK(rec.log.size() == kCount + kCount / 2);
}

}  // namespace
}  // namespace ksim::client
