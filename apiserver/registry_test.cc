#include "apiserver/registry.h"

#include <catch2/catch.hpp>
#include <mutex>
#include <thread>

#include "apiserver/object_codec.h"

namespace ksim::apiserver {
namespace {

using base::Code;

// A registry over a throwaway in-memory store, with the default namespace.
struct Fixture {
  Fixture() : clock(base::Time(std::chrono::seconds(1700000000))), rng(7) {
    store::SqliteOptions so;
    so.path = ":memory:";
    so.attrs_func = AttributesFromStored;
    store = std::move(store::OpenSqliteStore(so)).value();
    registry = std::make_unique<Registry>(store.get(), &clock, &rng);
    REQUIRE(Create("namespaces", "", Json{{"metadata", {{"name", "default"}}}})
                .ok());
  }

  const ResourceInfo* R(const std::string& resource) {
    for (const auto& r : AllResources()) {
      if (r.resource == resource) return &r;
    }
    FAIL("no resource " << resource);
    return nullptr;
  }

  StatusOr<WriteResult> Create(const std::string& resource,
                               const std::string& ns, Json obj,
                               WriteOptions o = {}) {
    const ResourceInfo* r = R(resource);
    obj["apiVersion"] = r->GroupVersion();
    obj["kind"] = r->kind;
    return registry->Create(Target{r, ns, "", ""}, obj.dump(), o);
  }

  Json GetJson(const std::string& resource, const std::string& ns,
               const std::string& name) {
    auto got = registry->Get(Target{R(resource), ns, name, ""});
    REQUIRE(got.ok());
    return Json::parse(*got);
  }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<store::Store> store;
  std::unique_ptr<Registry> registry;
};

Json ConfigMap(const std::string& name) {
  return {{"metadata", {{"name", name}, {"labels", {{"app", "web"}}}}},
          {"data", {{"k", "v"}}}};
}

TEST_CASE("create sets server metadata and rejects duplicates", "[registry]") {
  Fixture f;
  auto created = f.Create("configmaps", "default", ConfigMap("a"));
  REQUIRE(created.ok());
  REQUIRE(created->http_code == 201);
  Json obj = Json::parse(created->body);
  REQUIRE(obj["metadata"]["namespace"] == "default");
  REQUIRE(obj["metadata"]["uid"].get<std::string>().size() == 36);
  REQUIRE(obj["metadata"]["creationTimestamp"] == "2023-11-14T22:13:20Z");
  REQUIRE(obj["metadata"]["resourceVersion"].is_string());

  auto again = f.Create("configmaps", "default", ConfigMap("a"));
  REQUIRE(again.status().code() == Code::kAlreadyExists);
  REQUIRE(again.status().message() == "configmaps \"a\" already exists");
}

TEST_CASE("generateName and missing namespaces", "[registry]") {
  Fixture f;
  Json obj = {{"metadata", {{"generateName", "web-"}}}};
  auto created = f.Create("configmaps", "default", obj);
  REQUIRE(created.ok());
  std::string name = Json::parse(created->body)["metadata"]["name"];
  REQUIRE(name.size() == 9);
  REQUIRE(name.rfind("web-", 0) == 0);

  auto missing = f.Create("configmaps", "nope", ConfigMap("a"));
  REQUIRE(missing.status().code() == Code::kNotFound);
  REQUIRE(missing.status().message() == "namespaces \"nope\" not found");
}

TEST_CASE("updates are compare-and-swap; no-op writes keep the version",
          "[registry]") {
  Fixture f;
  Json obj =
      Json::parse(f.Create("configmaps", "default", ConfigMap("a"))->body);
  Target t{f.R("configmaps"), "default", "a", ""};
  std::string rv = obj["metadata"]["resourceVersion"];

  auto same = f.registry->Update(t, obj.dump(), {});
  REQUIRE(same.ok());
  REQUIRE(Json::parse(same->body)["metadata"]["resourceVersion"] == rv);

  obj["data"]["k"] = "v2";
  auto changed = f.registry->Update(t, obj.dump(), {});
  REQUIRE(changed.ok());
  REQUIRE(Json::parse(changed->body)["metadata"]["resourceVersion"] != rv);

  obj["data"]["k"] = "v3";  // still carries the old resourceVersion
  auto stale = f.registry->Update(t, obj.dump(), {});
  REQUIRE(stale.status().code() == Code::kConflict);
  REQUIRE(stale.status().message() ==
          "Operation cannot be fulfilled on configmaps \"a\": the object has "
          "been modified; please apply your changes to the latest version and "
          "try again");
  REQUIRE(f.GetJson("configmaps", "default", "a")["data"]["k"] == "v2");
}

TEST_CASE("unpinned patches retry when another write lands in between",
          "[registry]") {
  // Two writers on one object: every patch without a resourceVersion must
  // succeed (kube re-applies it on the newer version); only a patch that
  // names a resourceVersion may conflict. Bounded: 300 writes each.
  Fixture f;
  REQUIRE(f.Create("configmaps", "default", ConfigMap("a")).ok());
  Target t{f.R("configmaps"), "default", "a", ""};
  std::mutex mu;
  std::vector<std::string> errors;
  auto writer = [&](const std::string& field) {
    for (int i = 0; i < 300; ++i) {
      std::string body =
          R"({"data":{")" + field + R"(":")" + std::to_string(i) + R"("}})";
      auto r = f.registry->Patch(t, "application/merge-patch+json", body, {});
      if (!r.ok()) {
        std::lock_guard<std::mutex> l(mu);
        errors.push_back(r.status().ToString());
      }
    }
  };
  std::thread other(writer, "x");
  writer("y");
  other.join();
  CHECK(errors == std::vector<std::string>{});
  Json got = f.GetJson("configmaps", "default", "a");
  CHECK(got["data"]["x"] == "299");
  CHECK(got["data"]["y"] == "299");
  // A pinned patch at a stale version still conflicts.
  auto stale = f.registry->Patch(
      t, "application/merge-patch+json",
      R"({"metadata":{"resourceVersion":"2"},"data":{"z":"1"}})", {});
  REQUIRE_FALSE(stale.ok());
  CHECK(stale.status().code() == base::Code::kConflict);
}

TEST_CASE("patches of every type", "[registry]") {
  Fixture f;
  REQUIRE(f.Create("configmaps", "default", ConfigMap("a")).ok());
  Target t{f.R("configmaps"), "default", "a", ""};
  REQUIRE(f.registry
              ->Patch(t, "application/merge-patch+json",
                      R"({"data":{"m":"1"}})", {})
              .ok());
  REQUIRE(f.registry
              ->Patch(t, "application/json-patch+json",
                      R"([{"op":"add","path":"/data/j","value":"2"}])", {})
              .ok());
  REQUIRE(f.registry
              ->Patch(t, "application/strategic-merge-patch+json",
                      R"({"data":{"s":"3"}})", {})
              .ok());
  Json got = f.GetJson("configmaps", "default", "a");
  REQUIRE(got["data"] == Json{{"k", "v"}, {"m", "1"}, {"j", "2"}, {"s", "3"}});
  auto bad = f.registry->Patch(t, "text/plain", "{}", {});
  REQUIRE(bad.status().code() == Code::kUnsupportedMediaType);
}

TEST_CASE("delete: preconditions, finalizers, not found", "[registry]") {
  Fixture f;
  Json cm = ConfigMap("a");
  cm["metadata"]["finalizers"] = {"example.com/keep"};
  REQUIRE(f.Create("configmaps", "default", cm).ok());
  Target t{f.R("configmaps"), "default", "a", ""};

  DeleteOptions wrong;
  wrong.precondition_uid = "nope";
  REQUIRE(f.registry->Delete(t, wrong).status().code() == Code::kConflict);

  REQUIRE(f.registry->Delete(t, {}).ok());
  Json pending = f.GetJson("configmaps", "default", "a");
  REQUIRE(pending["metadata"].contains("deletionTimestamp"));

  // Removing the last finalizer completes the deletion.
  REQUIRE(f.registry
              ->Patch(t, "application/merge-patch+json",
                      R"({"metadata":{"finalizers":null}})", {})
              .ok());
  auto gone = f.registry->Get(t);
  REQUIRE(gone.status().code() == Code::kNotFound);
  REQUIRE(gone.status().message() == "configmaps \"a\" not found");
}

TEST_CASE("list: selectors, paging at one revision", "[registry]") {
  Fixture f;
  for (int i = 0; i < 5; ++i) {
    Json cm = ConfigMap("cm" + std::to_string(i));
    if (i % 2) cm["metadata"]["labels"]["app"] = "db";
    REQUIRE(f.Create("configmaps", "default", cm).ok());
  }
  Target all{f.R("configmaps"), "default", "", ""};
  ListQuery q;
  q.labels = LabelSelector::Parse("app=web").value();
  auto web = f.registry->List(all, q);
  REQUIRE(web.ok());
  REQUIRE(web->items.size() == 3);

  ListQuery page;
  page.limit = 2;
  auto p1 = f.registry->List(all, page);
  REQUIRE(p1->items.size() == 2);
  REQUIRE_FALSE(p1->continue_token.empty());
  // A write between pages does not show up in later pages.
  REQUIRE(f.Create("configmaps", "default", ConfigMap("cm9")).ok());
  std::vector<std::string> names;
  ListPage cur = *p1;
  for (;;) {
    for (const auto& item : cur.items) names.push_back(item.key);
    if (cur.continue_token.empty()) break;
    page.continue_token = cur.continue_token;
    auto next = f.registry->List(all, page);
    REQUIRE(next.ok());
    cur = *next;
  }
  REQUIRE(names.size() == 5);

  ListQuery bad;
  bad.fields = FieldSelector::Parse("spec.nope=1").value();
  REQUIRE(f.registry->List(all, bad).status().code() == Code::kBadRequest);
}

TEST_CASE("services get unique ClusterIPs; taken ones are rejected",
          "[registry]") {
  Fixture f;
  Json svc = {
      {"metadata", {{"name", "a"}}},
      {"spec", {{"ports", {{{"port", 80}}}}, {"selector", {{"app", "a"}}}}}};
  auto a = f.Create("services", "default", svc);
  REQUIRE(a.ok());
  std::string ip = Json::parse(a->body)["spec"]["clusterIP"];
  REQUIRE(ip.rfind("10.1.", 0) == 0);
  REQUIRE(Json::parse(a->body)["spec"]["clusterIPs"] == Json::array({ip}));
  svc["metadata"]["name"] = "b";
  svc["spec"]["clusterIP"] = ip;
  auto b = f.Create("services", "default", svc);
  REQUIRE(b.status().code() == Code::kInvalid);
  REQUIRE(b.status().message().find("provided IP is already allocated") !=
          std::string::npos);
}

TEST_CASE("scale subresource and dry run", "[registry]") {
  Fixture f;
  Json d = {
      {"metadata", {{"name", "web"}}},
      {"spec",
       {{"replicas", 2},
        {"selector", {{"matchLabels", {{"app", "web"}}}}},
        {"template",
         {{"metadata", {{"labels", {{"app", "web"}}}}},
          {"spec",
           {{"containers", {{{"name", "web"}, {"image", "nginx"}}}}}}}}}}};
  WriteOptions dry;
  dry.dry_run = true;
  REQUIRE(f.Create("deployments", "default", d, dry).ok());
  REQUIRE_FALSE(
      f.registry->Get(Target{f.R("deployments"), "default", "web", ""}).ok());
  REQUIRE(f.Create("deployments", "default", d).ok());
  Target scale{f.R("deployments"), "default", "web", "scale"};
  auto s = f.registry->Get(scale);
  REQUIRE(s.ok());
  Json sj = Json::parse(*s);
  REQUIRE(sj["kind"] == "Scale");
  REQUIRE(sj["spec"]["replicas"] == 2);
  REQUIRE(sj["status"]["selector"] == "app=web");
  REQUIRE(f.registry
              ->Patch(scale, "application/merge-patch+json",
                      R"({"spec":{"replicas":5}})", {})
              .ok());
  Json got = f.GetJson("deployments", "default", "web");
  REQUIRE(got["spec"]["replicas"] == 5);
  REQUIRE(got["metadata"]["generation"] == 2);
}

TEST_CASE("watch from a revision sees only later changes", "[registry]") {
  Fixture f;
  Json first =
      Json::parse(f.Create("configmaps", "default", ConfigMap("a"))->body);
  REQUIRE(f.Create("configmaps", "default", ConfigMap("b")).ok());
  ListQuery q;
  q.resource_version = first["metadata"]["resourceVersion"];
  std::vector<store::Event> initial;
  auto w = f.registry->Watch(
      Target{f.R("configmaps"), "default", "", ""}, q, [] {}, &initial);
  REQUIRE(w.ok());
  REQUIRE(initial.empty());
  std::vector<store::Event> events;
  (*w)->Poll(&events, 100);
  REQUIRE(events.size() == 1);
  REQUIRE(events[0].object.key == "/registry/configmaps/default/b");
}

TEST_CASE("binding assigns a pod's node once", "[registry]") {
  Fixture f;
  Json pod = {
      {"metadata", {{"name", "web"}}},
      {"spec", {{"containers", {{{"name", "web"}, {"image", "nginx"}}}}}}};
  REQUIRE(f.Create("pods", "default", pod).ok());
  const ResourceInfo* pods = f.R("pods");
  Json binding = {
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata", {{"name", "web"}}},
      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", "node-1"}}}};
  auto bound = f.registry->Bind(Target{pods, "default", "web", "binding"},
                                binding.dump(), {});
  REQUIRE(bound.ok());
  CHECK(bound->http_code == 201);
  Json got = f.GetJson("pods", "default", "web");
  CHECK(got["spec"]["nodeName"] == "node-1");

  binding["target"]["name"] = "node-2";
  auto again = f.registry->Bind(Target{pods, "default", "web", "binding"},
                                binding.dump(), {});
  REQUIRE(again.status().code() == Code::kConflict);
  CHECK(again.status().message().find(
            "pod web is already assigned to node \"node-1\"") !=
        std::string::npos);
}

TEST_CASE("generated names and ClusterIPs do not depend on other draws",
          "[registry]") {
  // Same seed; the writes of other kinds come in another order.
  Fixture a, b;
  auto name = [](Fixture& f, const std::string& prefix) {
    auto r = f.Create("configmaps", "default",
                      {{"metadata", {{"generateName", prefix}}}});
    REQUIRE(r.ok());
    return Json::parse(r->body)["metadata"]["name"].get<std::string>();
  };
  auto cluster_ip = [](Fixture& f, const std::string& svc) {
    Json s = {{"metadata", {{"name", svc}}},
              {"spec", {{"ports", {{{"port", 80}}}}}}};
    auto r = f.Create("services", "default", s);
    REQUIRE(r.ok());
    return Json::parse(r->body)["spec"]["clusterIP"].get<std::string>();
  };
  std::string a1 = name(a, "web-");
  std::string a2 = name(a, "db-");
  std::string a_ip = cluster_ip(a, "s");
  std::string b_ip = cluster_ip(b, "s");
  name(b, "other-");
  std::string b2 = name(b, "db-");
  std::string b1 = name(b, "web-");
  CHECK(a1 == b1);
  CHECK(a2 == b2);
  CHECK(a_ip == b_ip);
  CHECK(name(a, "web-") != a1);  // the next draw of a prefix differs
}

}  // namespace
}  // namespace ksim::apiserver
