#include "controllers/endpointslice_controller.h"

#include <algorithm>
#include <catch2/catch.hpp>
#include <set>

#include "controllers/endpoints_test_util.h"

namespace ksim::controllers {
namespace {

using namespace endpoints_testing;  // NOLINT

Json WebService() {
  return Service("web", {{"app", "web"}},
                 Json::array({ServicePort("", 80, 8080)}));
}

void Sync(Env& env, EndpointSliceController& c, const std::string& key) {
  REQUIRE(c.Reconcile(key).ok());
  env.loop->RunUntilIdle();
}

// Loads every slice the fake holds into the informer cache, as the watch
// would; returns them by name.
std::map<std::string, Json> AdoptSlices(Env& env) {
  auto list = env.fake.List(client::kEndpointSlices, "default", {});
  REQUIRE(list.ok());
  std::map<std::string, Json> out;
  for (const Json& s : list->items) {
    env.informers.For(client::kEndpointSlices)->Apply(EventType::kAdded, s);
    out[s["metadata"]["name"].get<std::string>()] = s;
  }
  return out;
}

std::string PodIP(int i) {
  return "10.244." + std::to_string(i / 200) + "." +
         std::to_string(i % 200 + 1);
}

void LoadPods(Env& env, int n) {
  for (int i = 0; i < n; ++i) {
    env.Load(client::kPods,
             Pod("p" + std::to_string(i), "web", PodIP(i), "node-1", true));
  }
}

std::set<std::string> PodNames(const Json& slice) {
  std::set<std::string> out;
  for (const Json& e : slice["endpoints"]) {
    out.insert(e["targetRef"]["name"].get<std::string>());
  }
  return out;
}

TEST_CASE("a slice with conditions, zone, ports and owner", "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1", "zone-a"));
  env.Load(client::kNodes, Node("node-2"));
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  env.Load(client::kPods, Pod("b", "web", "10.244.2.3", "node-2", false));
  Json leaving = Pod("c", "web", "10.244.2.4", "node-2", true);
  leaving["metadata"]["deletionTimestamp"] = kStartText;
  env.Load(client::kPods, leaving);
  Sync(env, c, "default/web");

  auto creates = env.Writes(Verb::kCreate, client::kEndpointSlices);
  REQUIRE(creates.size() == 1);
  CHECK(env.WriteCount() == 1);
  const Json& s = creates[0].object;
  CHECK(s["metadata"]["generateName"] == "web-");
  CHECK(s["metadata"]["labels"] ==
        Json{{"app", "web"},
             {"kubernetes.io/service-name", "web"},
             {"endpointslice.kubernetes.io/managed-by",
              "endpointslice-controller.k8s.io"}});
  CHECK(s["metadata"]["ownerReferences"] ==
        Json::array({{{"apiVersion", "v1"},
                      {"kind", "Service"},
                      {"name", "web"},
                      {"uid", "uid-svc-web"},
                      {"controller", true},
                      {"blockOwnerDeletion", true}}}));
  CHECK(s["metadata"]["annotations"] ==
        Json{{"endpoints.kubernetes.io/last-change-trigger-time", kStartText}});
  CHECK(s["addressType"] == "IPv4");
  // The name is present even when the service port has none.
  CHECK(s["ports"] ==
        Json::array({{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}}));
  auto ref = [](const std::string& pod) {
    return Json{{"kind", "Pod"},
                {"namespace", "default"},
                {"name", pod},
                {"uid", "uid-" + pod}};
  };
  Json want = Json::array(
      {{{"addresses", {"10.244.1.2"}},
        {"conditions",
         {{"ready", true}, {"serving", true}, {"terminating", false}}},
        {"nodeName", "node-1"},
        {"zone", "zone-a"},
        {"targetRef", ref("a")}},
       {{"addresses", {"10.244.2.3"}},
        {"conditions",
         {{"ready", false}, {"serving", false}, {"terminating", false}}},
        {"nodeName", "node-2"},
        {"targetRef", ref("b")}},
       {{"addresses", {"10.244.2.4"}},
        {"conditions",
         {{"ready", false}, {"serving", true}, {"terminating", true}}},
        {"nodeName", "node-2"},
        {"targetRef", ref("c")}}});
  CHECK(s["endpoints"] == want);
  auto slices = AdoptSlices(env);
  REQUIRE(slices.size() == 1);
  std::string name = slices.begin()->first;
  CHECK(name.rfind("web-", 0) == 0);
  CHECK(name.size() == 9);
}

TEST_CASE("250 endpoints make 3 slices; nothing changed, nothing written",
          "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kServices, WebService());
  LoadPods(env, 250);
  Sync(env, c, "default/web");
  auto creates = env.Writes(Verb::kCreate, client::kEndpointSlices);
  REQUIRE(creates.size() == 3);
  std::multiset<size_t> sizes;
  for (const Action& a : creates) sizes.insert(a.object["endpoints"].size());
  CHECK(sizes == std::multiset<size_t>{50, 100, 100});

  AdoptSlices(env);
  env.fake.ClearActions();
  Sync(env, c, "default/web");
  CHECK(env.fake.actions().empty());
}

TEST_CASE("churn updates one slice in place", "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kServices, WebService());
  LoadPods(env, 250);
  Sync(env, c, "default/web");
  std::map<std::string, Json> before = AdoptSlices(env);
  env.fake.ClearActions();

  // One pod goes, another comes.
  env.Remove(client::kPods, Pod("p7", "web", PodIP(7), "node-1", true));
  env.Load(client::kPods, Pod("new", "web", "10.244.9.9", "node-1", true));
  Sync(env, c, "default/web");
  CHECK(env.WriteCount() == 1);
  auto updates = env.Writes(Verb::kUpdate, client::kEndpointSlices);
  REQUIRE(updates.size() == 1);
  const Json& s = updates[0].object;
  std::string name = s["metadata"]["name"];
  REQUIRE(before.count(name));
  CHECK(PodNames(before[name]).count("p7") == 1);
  std::set<std::string> now = PodNames(s);
  CHECK(now.count("p7") == 0);
  CHECK(now.count("new") == 1);
  CHECK(now.size() == before[name]["endpoints"].size());
  CHECK(s["metadata"]["resourceVersion"] ==
        before[name]["metadata"]["resourceVersion"]);
}

TEST_CASE("a pod turning ready updates its endpoint's conditions",
          "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", false));
  Sync(env, c, "default/web");
  auto before = AdoptSlices(env);
  env.fake.ClearActions();
  Json ready = Pod("a", "web", "10.244.1.2", "node-1", true);
  ready["metadata"]["resourceVersion"] = "21";
  env.Update(client::kPods, ready);
  Sync(env, c, "default/web");
  auto updates = env.Writes(Verb::kUpdate, client::kEndpointSlices);
  REQUIRE(updates.size() == 1);
  CHECK(env.WriteCount() == 1);
  CHECK(updates[0].object["metadata"]["name"] == before.begin()->first);
  CHECK(updates[0].object["endpoints"][0]["conditions"] ==
        Json{{"ready", true}, {"serving", true}, {"terminating", false}});
}

TEST_CASE("a service without endpoints keeps one placeholder slice",
          "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kServices, WebService());
  Sync(env, c, "default/web");
  auto creates = env.Writes(Verb::kCreate, client::kEndpointSlices);
  REQUIRE(creates.size() == 1);
  CHECK(creates[0].object["endpoints"] == Json::array());
  CHECK(creates[0].object["ports"] == Json::array());
  AdoptSlices(env);
  env.fake.ClearActions();
  Sync(env, c, "default/web");
  CHECK(env.fake.actions().empty());

  // The first endpoint replaces the placeholder in place.
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/web");
  CHECK(env.WriteCount() == 1);
  auto updates = env.Writes(Verb::kUpdate, client::kEndpointSlices);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].object["endpoints"].size() == 1);
  CHECK(updates[0].object["ports"].size() == 1);
}

TEST_CASE("pods resolving a named port differently get separate slices",
          "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kServices,
           Service("web", {{"app", "web"}},
                   Json::array({ServicePort("http", 80, "web")})));
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true,
                              {{{"name", "web"}, {"containerPort", 8080}}}));
  env.Load(client::kPods, Pod("b", "web", "10.244.1.3", "node-1", true,
                              {{{"name", "web"}, {"containerPort", 9090}}}));
  Sync(env, c, "default/web");
  auto creates = env.Writes(Verb::kCreate, client::kEndpointSlices);
  REQUIRE(creates.size() == 2);
  std::map<int64_t, std::string> pod_by_port;
  for (const Action& a : creates) {
    REQUIRE(a.object["ports"].size() == 1);
    CHECK(a.object["ports"][0]["name"] == "http");
    REQUIRE(a.object["endpoints"].size() == 1);
    pod_by_port[a.object["ports"][0]["port"]] =
        a.object["endpoints"][0]["targetRef"]["name"];
  }
  CHECK(pod_by_port ==
        std::map<int64_t, std::string>{{8080, "a"}, {9090, "b"}});
}

TEST_CASE("a pod on an unknown node is left out and reported",
          "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  env.Load(client::kPods, Pod("lost", "web", "10.244.3.2", "node-9", true));
  base::Status s = c.Reconcile("default/web");
  CHECK(!s.ok());
  env.loop->RunUntilIdle();
  auto creates = env.Writes(Verb::kCreate, client::kEndpointSlices);
  REQUIRE(creates.size() == 1);
  CHECK(PodNames(creates[0].object) == std::set<std::string>{"a"});
  std::vector<Json> events = env.Events();
  REQUIRE(!events.empty());
  CHECK(events[0]["reason"] == "FailedToUpdateEndpointSlices");
  CHECK(events[0]["message"] ==
        "Error updating Endpoint Slices for Service default/web: skipping Pod "
        "lost for Service default/web: Node node-9 Not Found");
  CHECK(events[0]["source"]["component"] == "endpointslice-controller");
}

TEST_CASE("service label changes reach the slices", "[endpointslice]") {
  Env env;
  EndpointSliceController c(env.ctx);
  env.Load(client::kNodes, Node("node-1"));
  Json svc = WebService();
  env.Load(client::kServices, svc);
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/web");
  AdoptSlices(env);
  env.fake.ClearActions();
  svc["metadata"]["labels"]["tier"] = "front";
  svc["metadata"]["resourceVersion"] = "11";
  env.Update(client::kServices, svc);
  Sync(env, c, "default/web");
  auto updates = env.Writes(Verb::kUpdate, client::kEndpointSlices);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].object["metadata"]["labels"]["tier"] == "front");
  CHECK(updates[0].object["metadata"]["labels"]["kubernetes.io/service-name"] ==
        "web");
}

}  // namespace
}  // namespace ksim::controllers
