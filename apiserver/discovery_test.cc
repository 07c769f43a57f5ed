#include "apiserver/discovery.h"

#include <catch2/catch.hpp>

#include "apiserver/resources.h"
#include "base/json.h"

namespace ksim::apiserver {
namespace {

using base::Json;

// The Accept headers real kubectl sends (kubectl-wire.md section 1.1).
constexpr const char* kAccept127 =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr const char* kAccept133 =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList,"
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList,"
    "application/json";
constexpr const char* kLegacyAccept = "application/json, */*";
constexpr const char* kV2Type =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
constexpr const char* kV2Beta1Type =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

Json Body(const DiscoveryResponse& r) { return Json::parse(r.body); }

const Json* FindByKey(const Json& list, const char* key, std::string_view v) {
  for (const auto& item : list) {
    if (item.value(key, "") == v) return &item;
  }
  return nullptr;
}

TEST_CASE("discovery negotiation", "[discovery]") {
  using F = DiscoveryFormat;
  CHECK(NegotiateDiscovery(kAccept127) == F::kAggregatedV2Beta1);
  CHECK(NegotiateDiscovery(kAccept133) == F::kAggregatedV2);
  CHECK(NegotiateDiscovery(kLegacyAccept) == F::kLegacy);
  CHECK(NegotiateDiscovery("") == F::kLegacy);
  CHECK(NegotiateDiscovery("application/json") == F::kLegacy);
  // Order is preference: a plain JSON range listed first wins.
  CHECK(NegotiateDiscovery(std::string("application/json,") + kV2Type) ==
        F::kLegacy);
  CHECK(NegotiateDiscovery(std::string(kV2Beta1Type) + "," + kV2Type) ==
        F::kAggregatedV2Beta1);
  // q values reorder; q=0 refuses.
  CHECK(NegotiateDiscovery(std::string(kV2Beta1Type) + ";q=0.5," + kV2Type) ==
        F::kAggregatedV2);
  CHECK(NegotiateDiscovery(std::string(kV2Type) + ";q=0") == F::kLegacy);
  // Conversions the endpoint does not offer, and non-JSON encodings, are
  // skipped in favour of the next range.
  CHECK(NegotiateDiscovery("application/json;as=Table;v=v1;g=meta.k8s.io," +
                           std::string(kV2Type)) == F::kAggregatedV2);
  CHECK(NegotiateDiscovery(
            "application/vnd.kubernetes.protobuf;g=apidiscovery.k8s.io;v=v2;"
            "as=APIGroupDiscoveryList,application/json") == F::kLegacy);
  CHECK(NegotiateDiscovery("application/json;g=apidiscovery.k8s.io;v=v3;"
                           "as=APIGroupDiscoveryList") == F::kLegacy);
  CHECK(NegotiateDiscovery(" application/json ; g=apidiscovery.k8s.io ; "
                           "v=v2 ; as=APIGroupDiscoveryList") ==
        F::kAggregatedV2);
  // goautoneg ranks a specific type above */* at equal q.
  CHECK(NegotiateDiscovery(std::string("*/*,") + kV2Type) == F::kAggregatedV2);
}

TEST_CASE("legacy /api and /apis", "[discovery]") {
  DiscoveryResponse api =
      DiscoveryRoot("/api", kLegacyAccept, "127.0.0.1:6443");
  CHECK(api.content_type == "application/json");
  CHECK(Body(api) == Json::parse(R"({"kind":"APIVersions","versions":["v1"],
      "serverAddressByClientCIDRs":[{"clientCIDR":"0.0.0.0/0",
                                     "serverAddress":"127.0.0.1:6443"}]})"));

  DiscoveryResponse apis = DiscoveryRoot("/apis", "", "127.0.0.1:6443");
  CHECK(apis.content_type == "application/json");
  Json list = Body(apis);
  CHECK(list["kind"] == "APIGroupList");
  CHECK(list["apiVersion"] == "v1");
  const Json* apps = FindByKey(list["groups"], "name", "apps");
  REQUIRE(apps != nullptr);
  CHECK(*apps == Json::parse(R"({"name":"apps",
      "versions":[{"groupVersion":"apps/v1","version":"v1"}],
      "preferredVersion":{"groupVersion":"apps/v1","version":"v1"}})"));
  CHECK(FindByKey(list["groups"], "name", "discovery.k8s.io") != nullptr);
  CHECK(FindByKey(list["groups"], "name", "coordination.k8s.io") != nullptr);
  CHECK(FindByKey(list["groups"], "name", "") == nullptr);

  auto group = DiscoveryGroup("apps");
  REQUIRE(group);
  Json doc = Body(*group);
  CHECK(doc["kind"] == "APIGroup");
  CHECK(doc["name"] == "apps");
  CHECK(doc["preferredVersion"]["groupVersion"] == "apps/v1");
  CHECK_FALSE(DiscoveryGroup("batch"));
  CHECK_FALSE(DiscoveryGroup(""));
}

TEST_CASE("legacy resource lists", "[discovery]") {
  auto core = DiscoveryGroupVersion("v1");
  REQUIRE(core);
  Json list = Body(*core);
  CHECK(list["kind"] == "APIResourceList");
  CHECK(list["groupVersion"] == "v1");
  CHECK_FALSE(list.contains("apiVersion"));
  const Json& res = list["resources"];
  std::vector<std::string> names;
  for (const auto& r : res) names.push_back(r["name"]);
  CHECK(std::is_sorted(names.begin(), names.end()));

  const Json* pods = FindByKey(res, "name", "pods");
  REQUIRE(pods != nullptr);
  CHECK((*pods)["singularName"] == "pod");
  CHECK((*pods)["namespaced"] == true);
  CHECK((*pods)["kind"] == "Pod");
  CHECK((*pods)["shortNames"] == Json({"po"}));
  CHECK((*pods)["categories"] == Json({"all"}));
  CHECK((*pods)["verbs"] == Json({"create", "delete", "deletecollection", "get",
                                  "list", "patch", "update", "watch"}));
  CHECK((*pods)["storageVersionHash"] == "xPOwRZ+Yhw8=");
  CHECK(*FindByKey(res, "name", "pods/status") ==
        Json::parse(R"({"name":"pods/status","singularName":"",
            "namespaced":true,"kind":"Pod","verbs":["get","patch","update"]})"));
  CHECK((*FindByKey(res, "name", "pods/log"))["verbs"] == Json({"get"}));
  const Json* ns = FindByKey(res, "name", "namespaces");
  REQUIRE(ns != nullptr);
  CHECK((*ns)["namespaced"] == false);
  for (const char* short_name : {"svc", "ep", "ev", "ns", "no"}) {
    bool found = false;
    for (const auto& r : res) {
      for (const auto& s : r.value("shortNames", Json::array())) {
        found = found || s == short_name;
      }
    }
    CHECK(found);
  }

  auto apps = DiscoveryGroupVersion("apps/v1");
  REQUIRE(apps);
  Json apps_list = Body(*apps);
  CHECK(apps_list["apiVersion"] == "v1");
  CHECK(apps_list["groupVersion"] == "apps/v1");
  const Json* deploy = FindByKey(apps_list["resources"], "name", "deployments");
  REQUIRE(deploy != nullptr);
  CHECK((*deploy)["shortNames"] == Json({"deploy"}));
  CHECK((*deploy)["storageVersionHash"] == "8aSe+NMegvE=");
  CHECK(*FindByKey(apps_list["resources"], "name", "deployments/scale") ==
        Json::parse(R"({"name":"deployments/scale","singularName":"",
            "namespaced":true,"group":"autoscaling","version":"v1",
            "kind":"Scale","verbs":["get","patch","update"]})"));
  CHECK(FindByKey(apps_list["resources"], "name", "replicasets") != nullptr);
  CHECK_FALSE(DiscoveryGroupVersion("apps/v2"));
  CHECK_FALSE(DiscoveryGroupVersion("batch/v1"));
}

TEST_CASE("aggregated discovery documents", "[discovery]") {
  DiscoveryResponse api = DiscoveryRoot("/api", kAccept133, "h:1");
  CHECK(api.content_type == kV2Type);
  Json list = Body(api);
  CHECK(list["kind"] == "APIGroupDiscoveryList");
  CHECK(list["apiVersion"] == "apidiscovery.k8s.io/v2");
  CHECK(list["metadata"] == Json::object());
  REQUIRE(list["items"].size() == 1);
  const Json& core = list["items"][0];
  CHECK_FALSE(core["metadata"].contains("name"));
  REQUIRE(core["versions"].size() == 1);
  CHECK(core["versions"][0]["version"] == "v1");
  CHECK(core["versions"][0]["freshness"] == "Current");
  const Json* pods =
      FindByKey(core["versions"][0]["resources"], "resource", "pods");
  REQUIRE(pods != nullptr);
  CHECK((*pods)["responseKind"] ==
        Json({{"group", ""}, {"version", ""}, {"kind", "Pod"}}));
  CHECK((*pods)["scope"] == "Namespaced");
  CHECK((*pods)["singularResource"] == "pod");
  CHECK((*pods)["shortNames"] == Json({"po"}));
  CHECK((*pods)["subresources"][0]["subresource"] == "binding");
  CHECK((*pods)["subresources"][0]["responseKind"]["kind"] == "Binding");
  const Json* nodes =
      FindByKey(core["versions"][0]["resources"], "resource", "nodes");
  REQUIRE(nodes != nullptr);
  CHECK((*nodes)["scope"] == "Cluster");
  for (const auto& r : core["versions"][0]["resources"]) {
    CHECK(!r["responseKind"]["kind"].get<std::string>().empty());
    CHECK_FALSE(r.contains("storageVersionHash"));
  }

  DiscoveryResponse apis = DiscoveryRoot("/apis", kAccept127, "h:1");
  CHECK(apis.content_type == kV2Beta1Type);
  Json groups = Body(apis);
  CHECK(groups["apiVersion"] == "apidiscovery.k8s.io/v2beta1");
  std::vector<std::string> names;
  for (const auto& item : groups["items"]) {
    names.push_back(item["metadata"]["name"]);
  }
  std::vector<std::string> expected;  // the groups, in discovery order
  for (const auto& gv : AllGroupVersions()) {
    if (gv.find('/') != std::string::npos) {
      expected.push_back(gv.substr(0, gv.find('/')));
    }
  }
  CHECK(names == expected);
  const Json* apps_item = FindByKey(groups["items"], "kind", "");
  for (const auto& item : groups["items"]) {
    if (item["metadata"]["name"] == "apps") apps_item = &item;
  }
  REQUIRE(apps_item != nullptr);
  const Json& apps = (*apps_item)["versions"][0];
  const Json* deploy = FindByKey(apps["resources"], "resource", "deployments");
  REQUIRE(deploy != nullptr);
  CHECK((*deploy)["categories"] == Json({"all"}));
  CHECK((*deploy)["subresources"] == Json::parse(R"([
      {"subresource":"scale","verbs":["get","patch","update"],
       "responseKind":{"group":"autoscaling","version":"v1","kind":"Scale"}},
      {"subresource":"status","verbs":["get","patch","update"],
       "responseKind":{"group":"","version":"","kind":"Deployment"}}])"));

  // Same documents, only apiVersion differs between v2 and v2beta1.
  Json v2 = Body(DiscoveryRoot("/apis", kAccept133, "h:1"));
  v2["apiVersion"] = groups["apiVersion"];
  CHECK(v2 == groups);
}

TEST_CASE("storage version hash", "[discovery]") {
  // Values kube-apiserver serves for these kinds.
  CHECK(StorageVersionHash("", "v1", "Pod") == "xPOwRZ+Yhw8=");
  CHECK(StorageVersionHash("apps", "v1", "Deployment") == "8aSe+NMegvE=");
  CHECK(StorageVersionHash("", "v1", "Service").size() == 12);
}

}  // namespace
}  // namespace ksim::apiserver
