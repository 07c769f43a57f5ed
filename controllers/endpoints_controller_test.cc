#include "controllers/endpoints_controller.h"

#include <algorithm>
#include <catch2/catch.hpp>

#include "controllers/endpoints_test_util.h"

namespace ksim::controllers {
namespace {

using namespace endpoints_testing;  // NOLINT

Json WebService() {
  return Service("web", {{"app", "web"}},
                 Json::array({ServicePort("", 80, 8080)}));
}

Json Address(const std::string& pod, const std::string& ip,
             const std::string& node) {
  return {{"ip", ip},
          {"nodeName", node},
          {"targetRef",
           {{"kind", "Pod"},
            {"namespace", "default"},
            {"name", pod},
            {"uid", "uid-" + pod}}}};
}

// Reconciles `key` once and runs the loop: the Kubernetes unit-test shape.
void Sync(Env& env, EndpointsController& c, const std::string& key) {
  REQUIRE(c.Reconcile(key).ok());
  env.loop->RunUntilIdle();
}

// Loads what the last create or update wrote as the cached Endpoints.
Json AdoptLastWrite(Env& env) {
  const std::vector<Action>& actions = env.fake.actions();
  for (auto it = actions.rbegin(); it != actions.rend(); ++it) {
    if (!(it->resource == client::kEndpoints)) continue;
    auto stored =
        env.fake.Get(client::kEndpoints, "default",
                     base::GetString(it->object, {"metadata", "name"}));
    REQUIRE(stored.ok());
    env.informers.For(client::kEndpoints)->Apply(EventType::kAdded, *stored);
    return *stored;
  }
  FAIL("no endpoints write");
  return nullptr;
}

TEST_CASE("ready pods in addresses, unready in notReadyAddresses",
          "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  env.Load(client::kPods, Pod("b", "web", "10.244.2.3", "node-2", false));
  env.Load(client::kPods, Pod("no-ip", "web", "", "node-2", true));
  env.Load(client::kPods, Pod("other", "db", "10.244.2.9", "node-2", true));
  Sync(env, c, "default/web");

  auto creates = env.Writes(Verb::kCreate, client::kEndpoints);
  REQUIRE(creates.size() == 1);
  REQUIRE(env.WriteCount() == 1);
  const Json& ep = creates[0].object;
  CHECK(ep["metadata"]["name"] == "web");
  CHECK(creates[0].ns == "default");
  CHECK(ep["metadata"]["labels"] == Json{{"app", "web"}});
  CHECK(ep["metadata"]["annotations"] ==
        Json{{"endpoints.kubernetes.io/last-change-trigger-time", kStartText}});
  Json want = Json::array(
      {{{"addresses", {Address("a", "10.244.1.2", "node-1")}},
        {"notReadyAddresses", {Address("b", "10.244.2.3", "node-2")}},
        {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}});
  CHECK(ep["subsets"] == want);
  CHECK(env.Events().empty());
}

TEST_CASE("named targetPort resolves per pod into separate subsets",
          "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices,
           Service("web", {{"app", "web"}},
                   Json::array({ServicePort("http", 80, "web"),
                                ServicePort("metrics", 9000, 9100)})));
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true,
                              {{{"name", "web"}, {"containerPort", 8080}}}));
  env.Load(client::kPods, Pod("b", "web", "10.244.1.3", "node-1", true,
                              {{{"name", "web"}, {"containerPort", 9090}}}));
  env.Load(client::kPods, Pod("c", "web", "10.244.1.4", "node-1", true,
                              {{{"name", "web"}, {"containerPort", 8080}}}));
  // No port named "web": only the numeric port reaches it.
  env.Load(client::kPods, Pod("d", "web", "10.244.1.5", "node-1", true));
  Sync(env, c, "default/web");

  auto creates = env.Writes(Verb::kCreate, client::kEndpoints);
  REQUIRE(creates.size() == 1);
  Json http8080 = {{"name", "http"}, {"port", 8080}, {"protocol", "TCP"}};
  Json http9090 = {{"name", "http"}, {"port", 9090}, {"protocol", "TCP"}};
  Json metrics = {{"name", "metrics"}, {"port", 9100}, {"protocol", "TCP"}};
  // RepackSubsets: one subset per set of addresses offering the same ports.
  Json want =
      Json::array({{{"addresses",
                     {Address("a", "10.244.1.2", "node-1"),
                      Address("c", "10.244.1.4", "node-1")}},
                    {"ports", {http8080}}},
                   {{"addresses", {Address("b", "10.244.1.3", "node-1")}},
                    {"ports", {http9090}}},
                   {{"addresses",
                     {Address("a", "10.244.1.2", "node-1"),
                      Address("b", "10.244.1.3", "node-1"),
                      Address("c", "10.244.1.4", "node-1"),
                      Address("d", "10.244.1.5", "node-1")}},
                    {"ports", {metrics}}}});
  Json got = creates[0].object["subsets"];
  REQUIRE(got.size() == 3);
  for (const Json& ss : want) {
    CHECK(std::find(got.begin(), got.end(), ss) != got.end());
  }
}

TEST_CASE("no write when nothing changed", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/web");
  AdoptLastWrite(env);
  env.fake.ClearActions();
  Sync(env, c, "default/web");
  CHECK(env.fake.actions().empty());
}

TEST_CASE("a pod becoming ready moves to addresses", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", false));
  Sync(env, c, "default/web");
  AdoptLastWrite(env);
  env.fake.ClearActions();

  Json ready = Pod("a", "web", "10.244.1.2", "node-1", true);
  ready["metadata"]["resourceVersion"] = "21";
  ready["status"]["conditions"][0]["lastTransitionTime"] =
      "2023-11-14T22:13:30Z";
  env.Update(client::kPods, ready);
  Sync(env, c, "default/web");

  auto updates = env.Writes(Verb::kUpdate, client::kEndpoints);
  REQUIRE(updates.size() == 1);
  CHECK(env.WriteCount() == 1);
  const Json& ep = updates[0].object;
  CHECK(ep["subsets"] ==
        Json::array({{{"addresses", {Address("a", "10.244.1.2", "node-1")}},
                      {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}}));
  CHECK(!ep["metadata"]["resourceVersion"].get<std::string>().empty());
  CHECK(ep["metadata"]["annotations"]
          ["endpoints.kubernetes.io/last-change-trigger-time"] ==
        "2023-11-14T22:13:30Z");
}

TEST_CASE("a deleted pod leaves the endpoints", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  Json pod = Pod("a", "web", "10.244.1.2", "node-1", true);
  env.Load(client::kPods, pod);
  Sync(env, c, "default/web");
  AdoptLastWrite(env);
  env.fake.ClearActions();
  env.Remove(client::kPods, pod);
  Sync(env, c, "default/web");
  auto updates = env.Writes(Verb::kUpdate, client::kEndpoints);
  REQUIRE(updates.size() == 1);
  CHECK(!updates[0].object.contains("subsets"));
}

TEST_CASE("terminating pods are left out unless publishNotReadyAddresses",
          "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  Json svc = WebService();
  env.Load(client::kServices, svc);
  Json leaving = Pod("a", "web", "10.244.1.2", "node-1", true);
  leaving["metadata"]["deletionTimestamp"] = kStartText;
  env.Load(client::kPods, leaving);
  env.Load(client::kPods, Pod("b", "web", "10.244.1.3", "node-1", false));
  Sync(env, c, "default/web");
  auto creates = env.Writes(Verb::kCreate, client::kEndpoints);
  REQUIRE(creates.size() == 1);
  CHECK(creates[0].object["subsets"][0]["notReadyAddresses"] ==
        Json::array({Address("b", "10.244.1.3", "node-1")}));
  CHECK(!creates[0].object["subsets"][0].contains("addresses"));

  AdoptLastWrite(env);
  env.fake.ClearActions();
  svc["spec"]["publishNotReadyAddresses"] = true;
  svc["metadata"]["resourceVersion"] = "11";
  env.Update(client::kServices, svc);
  Sync(env, c, "default/web");
  auto updates = env.Writes(Verb::kUpdate, client::kEndpoints);
  REQUIRE(updates.size() == 1);
  CHECK(updates[0].object["subsets"] ==
        Json::array({{{"addresses",
                       {Address("a", "10.244.1.2", "node-1"),
                        Address("b", "10.244.1.3", "node-1")}},
                      {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}}));
}

TEST_CASE("headless service: label, and addresses without ports",
          "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices,
           Service("db", {{"app", "db"}}, Json::array(), "None"));
  Json pod = Pod("db-0", "db", "10.244.1.7", "node-1", true);
  pod["spec"]["hostname"] = "db-0";
  pod["spec"]["subdomain"] = "db";
  env.Load(client::kPods, pod);
  Sync(env, c, "default/db");
  auto creates = env.Writes(Verb::kCreate, client::kEndpoints);
  REQUIRE(creates.size() == 1);
  const Json& ep = creates[0].object;
  CHECK(ep["metadata"]["labels"] ==
        Json{{"app", "db"}, {"service.kubernetes.io/headless", ""}});
  Json addr = Address("db-0", "10.244.1.7", "node-1");
  addr["hostname"] = "db-0";
  CHECK(ep["subsets"] == Json::array({{{"addresses", {addr}}}}));
}

TEST_CASE("the endpoints go with the service", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  Json svc = WebService();
  env.Load(client::kServices, svc);
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/web");
  AdoptLastWrite(env);
  env.fake.ClearActions();
  env.Remove(client::kServices, svc);
  Sync(env, c, "default/web");
  auto deletes = env.Writes(Verb::kDelete, client::kEndpoints);
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].name == "web");
  CHECK(deletes[0].ns == "default");
  CHECK(env.WriteCount() == 1);
}

TEST_CASE("services without a selector or of type ExternalName are left alone",
          "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices,
           Service("manual", nullptr, Json::array({ServicePort("", 80, 80)})));
  Json ext = WebService();
  ext["spec"]["type"] = "ExternalName";
  env.Load(client::kServices, ext);
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/manual");
  Sync(env, c, "default/web");
  CHECK(env.fake.actions().empty());
}

TEST_CASE("over 1000 addresses are truncated and annotated", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  for (int i = 0; i < 1200; ++i) {
    std::string ip =
        "10.244." + std::to_string(i / 250) + "." + std::to_string(i % 250 + 1);
    env.Load(client::kPods,
             Pod("p" + std::to_string(i), "web", ip, "node-1", i % 3 != 0));
  }
  Sync(env, c, "default/web");
  auto creates = env.Writes(Verb::kCreate, client::kEndpoints);
  REQUIRE(creates.size() == 1);
  const Json& ep = creates[0].object;
  CHECK(
      ep["metadata"]["annotations"]["endpoints.kubernetes.io/over-capacity"] ==
      "truncated");
  const Json& ss = ep["subsets"][0];
  // 800 ready kept whole, not-ready cut to what is left.
  CHECK(ss["addresses"].size() == 800);
  CHECK(ss["notReadyAddresses"].size() == 200);

  AdoptLastWrite(env);
  env.fake.ClearActions();
  Sync(env, c, "default/web");
  CHECK(env.fake.actions().empty());
}

TEST_CASE("a failed update is reported and retried", "[endpoints]") {
  Env env;
  EndpointsController c(env.ctx);
  env.Load(client::kServices, WebService());
  env.Load(client::kPods, Pod("a", "web", "10.244.1.2", "node-1", true));
  Sync(env, c, "default/web");
  AdoptLastWrite(env);
  env.fake.ClearActions();
  int failures = 1;
  env.fake.AddReactor(
      [&failures](const Action& a) -> std::optional<base::Status> {
        if (a.resource == client::kEndpoints && a.verb == Verb::kUpdate &&
            failures-- > 0) {
          return base::Status(base::Code::kInternal, "etcd is sulking");
        }
        return std::nullopt;
      });
  Json b = Pod("b", "web", "10.244.1.3", "node-1", true);
  env.Load(client::kPods, b);
  Sync(env, c, "default/web");
  std::vector<Json> events = env.Events();
  REQUIRE(events.size() == 1);
  CHECK(events[0]["reason"] == "FailedToUpdateEndpoint");
  CHECK(events[0]["type"] == "Warning");
  CHECK(events[0]["message"] ==
        "Failed to update endpoint default/web: etcd is sulking");
  CHECK(events[0]["source"]["component"] == "endpoint-controller");
  // The retry after the backoff succeeds.
  env.loop->RunFor(std::chrono::seconds(1));
  CHECK(env.Writes(Verb::kUpdate, client::kEndpoints).size() == 2);
}

}  // namespace
}  // namespace ksim::controllers
