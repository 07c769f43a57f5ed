#include "apiserver/apply.h"

#include <catch2/catch.hpp>

#include "apiserver/patch_testdata.h"

namespace ksim::apiserver {
namespace {

using base::Code;
using base::Json;

const SchemaRegistry& Registry() {
  static const auto* reg =
      SchemaRegistry::FromYaml(testdata::kPatchSchemas).value().release();
  return *reg;
}
const Json& Schema(const char* name) { return *Registry().ByName(name); }

ManagerInfo Who(const char* manager, const char* time,
                const char* api_version = "apps/v1") {
  return {manager, "Apply", api_version, "", *base::ParseRfc3339(time)};
}

const char kConfig[] = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "web", "namespace": "default",
               "labels": {"app": "web"}},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "web"}},
           "template": {"metadata": {"labels": {"app": "web"}},
                        "spec": {"containers": [{"name": "web",
                                                 "image": "nginx"}]}}}})";

base::StatusOr<Json> Apply(const Json* live, const Json& config,
                           const ManagerInfo& who, bool force = false) {
  return ServerSideApply(Registry(), Schema("t.Deployment"), live, config, who,
                         force);
}

Json Applied(const char* manager = "kubectl") {
  auto r = Apply(nullptr, Json::parse(kConfig),
                 Who(manager, "2025-01-01T00:00:00Z"));
  REQUIRE(r.ok());
  return *r;
}

// An object whose replicas belong to another manager (an Update).
Json UpdatedBy(const Json& live, const char* manager, int replicas) {
  Json obj = live;
  obj["spec"]["replicas"] = replicas;
  UpdateManagedFields(Registry(), Schema("t.Deployment"), &live, obj,
                      {manager, "Update", "apps/v1", "",
                       *base::ParseRfc3339("2025-01-02T00:00:00Z")});
  return obj;
}

TEST_CASE("apply creates the object and owns what it applied", "[apply]") {
  Json obj = Applied();
  CHECK(obj["spec"]["replicas"] == 2);
  CHECK(obj["metadata"]["name"] == "web");
  Json want = Json::parse(R"([{"manager":"kubectl","operation":"Apply",
    "apiVersion":"apps/v1","time":"2025-01-01T00:00:00Z",
    "fieldsType":"FieldsV1","fieldsV1":{
      "f:metadata":{"f:labels":{"f:app":{}}},
      "f:spec":{"f:replicas":{},"f:selector":{},
        "f:template":{"f:metadata":{"f:labels":{"f:app":{}}},
          "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{
            ".":{},"f:image":{},"f:name":{}}}}}}}}])");
  CHECK(obj["metadata"]["managedFields"] == want);
}

TEST_CASE("a changed value owned by another manager conflicts", "[apply]") {
  Json live = UpdatedBy(Applied(), "kubectl-client-side-apply", 1);
  Json config = Json::parse(kConfig);
  config["spec"]["replicas"] = 3;
  auto r = Apply(&live, config, Who("kubectl", "2025-01-03T00:00:00Z"));
  REQUIRE(r.status().code() == Code::kConflict);
  CHECK(r.status().message() ==
        "Apply failed with 1 conflict: conflict with "
        "\"kubectl-client-side-apply\" using apps/v1: .spec.replicas");
  REQUIRE(r.status().details() != nullptr);
  REQUIRE(r.status().details()->causes.size() == 1);
  const base::Cause& c = r.status().details()->causes[0];
  CHECK(c.reason == "FieldManagerConflict");
  CHECK(c.message ==
        "conflict with \"kubectl-client-side-apply\" using "
        "apps/v1");
  CHECK(c.field == ".spec.replicas");

  SECTION("force takes the field over") {
    auto forced =
        Apply(&live, config, Who("kubectl", "2025-01-03T00:00:00Z"), true);
    REQUIRE(forced.ok());
    CHECK(forced->at("spec")["replicas"] == 3);
    const Json& mf = forced->at("metadata")["managedFields"];
    REQUIRE(mf.size() == 1);  // the updater's only field is gone, so is it
    CHECK(mf[0]["manager"] == "kubectl");
    CHECK(mf[0]["time"] == "2025-01-03T00:00:00Z");
  }
  SECTION("applying the live value shares ownership instead") {
    config["spec"]["replicas"] = 1;
    auto shared = Apply(&live, config, Who("kubectl", "2025-01-03T00:00:00Z"));
    REQUIRE(shared.ok());
    CHECK(shared->at("metadata")["managedFields"].size() == 2);
  }
}

TEST_CASE("several conflicts are listed by manager", "[apply]") {
  Json live = UpdatedBy(Applied(), "a-manager", 1);
  Json obj = live;
  obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:1";
  obj["metadata"]["labels"]["app"] = "other";
  UpdateManagedFields(Registry(), Schema("t.Deployment"), &live, obj,
                      {"b-manager", "Update", "apps/v1", "",
                       *base::ParseRfc3339("2025-01-02T00:00:00Z")});
  Json config = Json::parse(kConfig);
  config["spec"]["replicas"] = 5;
  config["metadata"]["labels"]["app"] = "web2";
  config["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  auto r = Apply(&obj, config, Who("kubectl", "2025-01-03T00:00:00Z"));
  REQUIRE(r.status().code() == Code::kConflict);
  CHECK(r.status().message() ==
        "Apply failed with 3 conflicts: conflicts with \"a-manager\" using "
        "apps/v1:\n- .spec.replicas\nconflicts with \"b-manager\" using "
        "apps/v1:\n- .metadata.labels.app\n"
        "- .spec.template.spec.containers[name=\"web\"].image");
  CHECK(r.status().details()->causes.size() == 3);
}

TEST_CASE("fields no longer applied are removed unless owned by others",
          "[apply]") {
  Json config = Json::parse(kConfig);
  config["metadata"]["labels"]["tier"] = "fe";
  auto first = Apply(nullptr, config, Who("kubectl", "2025-01-01T00:00:00Z"));
  REQUIRE(first.ok());
  config["metadata"]["labels"].erase("tier");
  config["spec"].erase("replicas");
  auto second = Apply(&*first, config, Who("kubectl", "2025-01-02T00:00:00Z"));
  REQUIRE(second.ok());
  CHECK(second->at("metadata")["labels"] == Json({{"app", "web"}}));
  CHECK_FALSE(second->at("spec").contains("replicas"));

  SECTION("a field another manager owns stays") {
    Json shared = UpdatedBy(*first, "hpa", 4);
    auto r = Apply(&shared, config, Who("kubectl", "2025-01-03T00:00:00Z"));
    REQUIRE(r.ok());
    CHECK(r->at("spec")["replicas"] == 4);
    CHECK_FALSE(r->at("metadata")["labels"].contains("tier"));
  }
}

TEST_CASE("pruning leaves server-set and unowned fields alone", "[apply]") {
  Json config = Json::parse(kConfig);
  config["metadata"]["labels"]["tier"] = "fe";
  auto first = Apply(nullptr, config, Who("kubectl", "2025-01-01T00:00:00Z"));
  REQUIRE(first.ok());
  // What the server adds: system metadata, defaults nobody applied, status.
  Json live = *first;
  live["metadata"]["uid"] = "u1";
  live["metadata"]["resourceVersion"] = "7";
  live["metadata"]["creationTimestamp"] = "2025-01-01T00:00:00Z";
  live["spec"]["strategy"] = {{"type", "RollingUpdate"}};
  live["status"] = {{"replicas", 2}};
  config["metadata"]["labels"].erase("tier");
  auto r = Apply(&live, config, Who("kubectl", "2025-01-02T00:00:00Z"));
  REQUIRE(r.ok());
  Json want = live;
  want["metadata"]["labels"].erase("tier");
  want["metadata"].erase("managedFields");
  Json got = *r;
  got["metadata"].erase("managedFields");
  CHECK(got == want);
}

TEST_CASE("list-maps merge by key; atomic lists are replaced", "[apply]") {
  Json live = Applied();
  // Another manager adds a sidecar container and args to web.
  Json obj = live;
  Json& containers = obj["spec"]["template"]["spec"]["containers"];
  containers[0]["args"] = {"a", "b"};
  containers.push_back({{"name", "sidecar"}, {"image", "envoy"}});
  UpdateManagedFields(Registry(), Schema("t.Deployment"), &live, obj,
                      {"injector", "Update", "apps/v1", "",
                       *base::ParseRfc3339("2025-01-02T00:00:00Z")});
  Json config = Json::parse(kConfig);
  config["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  auto r = Apply(&obj, config, Who("kubectl", "2025-01-03T00:00:00Z"));
  REQUIRE(r.ok());
  const Json& got = r->at("spec")["template"]["spec"]["containers"];
  REQUIRE(got.size() == 2);
  CHECK(got[0] ==
        Json::parse(R"({"name":"web","image":"nginx:2","args":["a","b"]})"));
  CHECK(got[1]["name"] == "sidecar");
  // The applier's list item and the atomic args are replaced by a new
  // configuration that sets args itself, taking them over (force).
  config["spec"]["template"]["spec"]["containers"][0]["args"] = {"z"};
  auto forced =
      Apply(&*r, config, Who("kubectl", "2025-01-04T00:00:00Z"), true);
  REQUIRE(forced.ok());
  CHECK(forced->at("spec")["template"]["spec"]["containers"][0]["args"] ==
        Json({"z"}));
}

TEST_CASE("list-map keys take their schema defaults", "[apply]") {
  Json config = Json::parse(R"({"apiVersion":"v1","kind":"Service",
    "metadata":{"name":"s"},
    "spec":{"ports":[{"port":80,"targetPort":8080}]}})");
  auto r = ServerSideApply(Registry(), Schema("t.Service"), nullptr, config,
                           Who("kubectl", "2025-01-01T00:00:00Z", "v1"), false);
  REQUIRE(r.ok());
  CHECK(r->at("metadata")["managedFields"][0]["fieldsV1"]["f:spec"] ==
        Json::parse(R"({"f:ports":{"k:{\"port\":80,\"protocol\":\"TCP\"}":{
          ".":{},"f:port":{},"f:targetPort":{}}}})"));
}

TEST_CASE("apply requests kube-apiserver refuses", "[apply]") {
  Json live = Applied();
  Json wrong_version = Json::parse(kConfig);
  wrong_version["apiVersion"] = "apps/v1beta1";
  auto r1 = Apply(&live, wrong_version, Who("kubectl", "2025-01-02T00:00:00Z"));
  CHECK(r1.status().code() == Code::kBadRequest);
  CHECK(r1.status().message() ==
        "invalid object type: apps/v1beta1, Kind=Deployment");

  Json with_mf = Json::parse(kConfig);
  with_mf["metadata"]["managedFields"] = Json::array();
  auto r2 = Apply(&live, with_mf, Who("kubectl", "2025-01-02T00:00:00Z"));
  CHECK(r2.status().message() == "metadata.managedFields must be nil");

  Json renamed = Json::parse(kConfig);
  renamed["metadata"]["name"] = "other";
  auto r3 = Apply(&live, renamed, Who("kubectl", "2025-01-02T00:00:00Z"));
  CHECK(r3.status().message() ==
        "the name of the object (other) does not match the name on the URL "
        "(web)");

  Json unknown = Json::parse(kConfig);
  unknown["spec"]["foo"] = 1;
  auto r4 = Apply(&live, unknown, Who("kubectl", "2025-01-02T00:00:00Z"));
  CHECK(r4.status().code() == Code::kInternal);
  CHECK(r4.status().message() ==
        "failed to create typed patch object (default/web; apps/v1, "
        "Kind=Deployment): .spec.foo: field not declared in schema");

  Json dup = Json::parse(kConfig);
  dup["spec"]["template"]["spec"]["containers"].push_back({{"name", "web"}});
  auto r5 = Apply(&live, dup, Who("kubectl", "2025-01-02T00:00:00Z"));
  CHECK(r5.status().message() ==
        "failed to create typed patch object (default/web; apps/v1, "
        "Kind=Deployment): .spec.template.spec.containers: duplicate entries "
        "for key [name=\"web\"]");

  auto r6 = Apply(&live, Json::parse(kConfig), Who("", "2025-01-02T00:00:00Z"));
  CHECK(r6.status().code() == Code::kInvalid);
  CHECK(r6.status().message() ==
        "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: Required "
        "value: is required for apply patch");
}

TEST_CASE("kubectl --server-side takes over from client-side apply",
          "[apply]") {
  // Created by client-side apply: an Update entry and the annotation.
  Json config = Json::parse(kConfig);
  Json live = config;
  live["metadata"]["uid"] = "u1";
  live["metadata"]["annotations"]
      ["kubectl.kubernetes.io/last-applied-configuration"] =
          config.dump() + "\n";
  UpdateManagedFields(Registry(), Schema("t.Deployment"), nullptr, live,
                      {"kubectl-client-side-apply", "Update", "apps/v1", "",
                       *base::ParseRfc3339("2025-01-01T00:00:00Z")});
  config["spec"]["replicas"] = 3;
  // Another manager would conflict; kubectl may take what it applied before.
  auto other = Apply(&live, config, Who("someone", "2025-01-02T00:00:00Z"));
  CHECK(other.status().code() == Code::kConflict);
  auto r = Apply(&live, config, Who("kubectl", "2025-01-02T00:00:00Z"));
  REQUIRE(r.ok());
  CHECK(r->at("spec")["replicas"] == 3);
  CHECK(r->at("metadata")["annotations"]
                         ["kubectl.kubernetes.io/last-applied-configuration"] ==
        config.dump() + "\n");
}

TEST_CASE("apply to an untracked object and a repeated apply", "[apply]") {
  Json live = Json::parse(kConfig);
  live["metadata"]["uid"] = "u1";
  live["spec"]["replicas"] = 1;
  auto r = Apply(&live, Json::parse(kConfig),
                 Who("kubectl", "2025-01-02T00:00:00Z"), true);
  REQUIRE(r.ok());
  const Json& mf = r->at("metadata")["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[0]["manager"] == "kubectl");
  CHECK(mf[1]["manager"] == "before-first-apply");
  CHECK(mf[1]["operation"] == "Update");
  // The same configuration again changes nothing, not even the time.
  auto again =
      Apply(&*r, Json::parse(kConfig), Who("kubectl", "2025-01-05T00:00:00Z"));
  REQUIRE(again.ok());
  CHECK(*again == *r);
}

}  // namespace
}  // namespace ksim::apiserver
