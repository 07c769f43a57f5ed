#include "controllers/endpointslice_reconciler.h"

#include <catch2/catch.hpp>

#include "controllers/endpoints_test_util.h"
#include "controllers/endpointslice_objects.h"

namespace ksim::controllers {
namespace {

using namespace endpoints_testing;  // NOLINT

Json WebService() {
  return Service("web", {{"app", "web"}},
                 Json::array({ServicePort("", 80, 8080)}));
}

// A slice as the API would hold it after NewSlice + create.
Json Existing(const Json& svc, const std::string& name, const std::string& type,
              const std::string& owner_uid) {
  Json s = NewSlice(svc, Json::array(), type);
  s["metadata"].erase("generateName");
  s["metadata"]["name"] = name;
  s["metadata"]["resourceVersion"] = "7";
  s["metadata"]["ownerReferences"][0]["uid"] = owner_uid;
  return s;
}

TEST_CASE("slices of another owner or address type are replaced",
          "[endpointslice]") {
  Json svc = WebService();
  Json node = Node("node-1");
  Json pod = Pod("a", "web", "10.244.1.2", "node-1", true);
  // Left by an older service of the same name, and an IPv6 slice of this
  // IPv4-only service.
  Json old_owner = Existing(svc, "web-old", "IPv4", "uid-previous");
  Json v6 = Existing(svc, "web-v6", "IPv6", "uid-svc-web");
  EndpointSliceReconciler r;
  EndpointSlicePlan plan =
      r.Plan(svc, {&pod}, {&old_owner, &v6}, std::nullopt,
             [&node](const std::string&) { return &node; });
  // The new slice does not take over a slice owned by another service.
  REQUIRE(plan.to_create.size() == 1);
  CHECK(plan.to_create[0]["endpoints"].size() == 1);
  CHECK(plan.to_update.empty());
  REQUIRE(plan.to_delete.size() == 2);
  CHECK(plan.to_delete[0]["metadata"]["name"] == "web-old");
  CHECK(plan.to_delete[1]["metadata"]["name"] == "web-v6");
  CHECK(plan.errors.empty());
}

TEST_CASE("an owned slice about to go is reused for a new one",
          "[endpointslice]") {
  Json svc = WebService();
  Json node = Node("node-1");
  // An owned slice whose ports no longer match (the service's targetPort
  // changed): its port mapping goes, the new one takes its name.
  Json stale = Existing(svc, "web-abcde", "IPv4", "uid-svc-web");
  stale["ports"] = {{{"name", ""}, {"port", 9999}, {"protocol", "TCP"}}};
  stale["endpoints"] = {
      {{"addresses", {"10.244.1.2"}},
       {"conditions", {{"ready", true}}},
       {"targetRef",
        {{"kind", "Pod"}, {"namespace", "default"}, {"name", "a"}}}}};
  Json pod = Pod("a", "web", "10.244.1.2", "node-1", true);
  EndpointSliceReconciler r;
  base::Time t = kStart + std::chrono::seconds(5);
  EndpointSlicePlan plan = r.Plan(
      svc, {&pod}, {&stale}, t, [&node](const std::string&) { return &node; });
  CHECK(plan.to_create.empty());
  CHECK(plan.to_delete.empty());
  REQUIRE(plan.to_update.size() == 1);
  const Json& s = plan.to_update[0];
  CHECK(s["metadata"]["name"] == "web-abcde");
  CHECK(s["metadata"]["resourceVersion"] == "7");
  CHECK(s["ports"][0]["port"] == 8080);
  CHECK(s["metadata"]["annotations"]
         ["endpoints.kubernetes.io/last-change-trigger-time"] ==
        "2023-11-14T22:13:25Z");
}

TEST_CASE("a headless service without families publishes both types",
          "[endpointslice]") {
  Json svc = Service("db", {{"app", "db"}}, Json::array(), "None");
  CHECK(AddressTypes(svc) == std::set<std::string>{"IPv4", "IPv6"});
  Json node = Node("node-1");
  Json pod = Pod("db-0", "db", "10.244.1.7", "node-1", true);
  EndpointSliceReconciler r;
  EndpointSlicePlan plan =
      r.Plan(svc, {&pod}, {}, std::nullopt,
             [&node](const std::string&) { return &node; });
  // IPv4 gets the pod; IPv6 (no IPv6 address) gets a placeholder.
  REQUIRE(plan.to_create.size() == 2);
  CHECK(plan.to_create[0]["addressType"] == "IPv4");
  CHECK(plan.to_create[0]["endpoints"].size() == 1);
  CHECK(plan.to_create[0]["metadata"]["labels"]
                      ["service.kubernetes.io/headless"] == "");
  CHECK(plan.to_create[1]["addressType"] == "IPv6");
  CHECK(plan.to_create[1]["endpoints"].empty());
}

}  // namespace
}  // namespace ksim::controllers
