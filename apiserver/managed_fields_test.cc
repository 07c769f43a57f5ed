#include "apiserver/managed_fields.h"

#include <catch2/catch.hpp>

#include "apiserver/apply.h"
#include "apiserver/patch_testdata.h"

namespace ksim::apiserver {
namespace {

using base::Json;

const SchemaRegistry& Registry() {
  static const auto* reg =
      SchemaRegistry::FromYaml(testdata::kPatchSchemas).value().release();
  return *reg;
}
const Json& DeploymentSchema() { return *Registry().ByName("t.Deployment"); }

base::Time At(const char* t) { return *base::ParseRfc3339(t); }

ManagerInfo Who(const char* manager, const char* time,
                const char* subresource = "") {
  return {manager, "Update", "apps/v1", subresource, At(time)};
}

Json Deployment() {
  return Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "namespace": "default", "uid": "u1",
                 "generation": 1, "creationTimestamp": "2025-01-01T00:00:00Z",
                 "labels": {"app": "web"}},
    "spec": {"replicas": 1, "selector": {"matchLabels": {"app": "web"}},
             "strategy": {"type": "RollingUpdate",
                          "rollingUpdate": {"maxSurge": "25%",
                                            "maxUnavailable": "25%"}},
             "template": {"metadata": {"labels": {"app": "web"}},
                          "spec": {"containers": [{"name": "web",
                            "image": "nginx",
                            "ports": [{"containerPort": 80,
                                       "protocol": "TCP"}]}]}}},
    "status": {}})");
}

Json Created() {
  Json obj = Deployment();
  UpdateManagedFields(Registry(), DeploymentSchema(), nullptr, obj,
                      Who("kubectl-create", "2025-01-01T00:00:00Z"));
  return obj;
}

TEST_CASE("create records the creator's fields as kube-apiserver does",
          "[apply]") {
  Json obj = Created();
  Json want = Json::parse(R"([{
    "manager": "kubectl-create", "operation": "Update",
    "apiVersion": "apps/v1", "time": "2025-01-01T00:00:00Z",
    "fieldsType": "FieldsV1",
    "fieldsV1": {
      "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
      "f:spec": {
        "f:replicas": {}, "f:selector": {},
        "f:strategy": {"f:rollingUpdate": {".": {}, "f:maxSurge": {},
                                           "f:maxUnavailable": {}},
                       "f:type": {}},
        "f:template": {
          "f:metadata": {"f:labels": {".": {}, "f:app": {}}},
          "f:spec": {"f:containers": {"k:{\"name\":\"web\"}": {
            ".": {}, "f:image": {}, "f:name": {},
            "f:ports": {".": {},
              "k:{\"containerPort\":80,\"protocol\":\"TCP\"}": {
                ".": {}, "f:containerPort": {}, "f:protocol": {}}}}}}}}}}])");
  CHECK(obj["metadata"]["managedFields"] == want);
}

TEST_CASE("an update takes changed fields from the other managers", "[apply]") {
  Json old = Created();
  Json obj = old;
  obj["spec"]["replicas"] = 3;
  obj["spec"]["template"]["spec"]["containers"][0]["image"] = "nginx:2";
  obj["metadata"]["labels"].erase("app");
  UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                      Who("kubectl-edit", "2025-01-02T00:00:00Z"));
  const Json& mf = obj["metadata"]["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[0]["manager"] == "kubectl-create");  // older first
  CHECK(mf[1]["manager"] == "kubectl-edit");
  CHECK(mf[1]["time"] == "2025-01-02T00:00:00Z");
  CHECK(mf[1]["fieldsV1"] == Json::parse(R"({"f:spec":{"f:replicas":{},
        "f:template":{"f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{
        "f:image":{}}}}}}})"));
  const Json& create = mf[0]["fieldsV1"];
  CHECK_FALSE(create["f:spec"].contains("f:replicas"));
  CHECK_FALSE(create["f:spec"]["f:template"]["f:spec"]["f:containers"]
                    ["k:{\"name\":\"web\"}"]
                        .contains("f:image"));
  // The removed label left its owner, who still owns the (empty) map.
  CHECK(create["f:metadata"]["f:labels"] == Json::object());
}

TEST_CASE("a no-op update keeps entries and times", "[apply]") {
  Json old = Created();
  Json obj = old;
  UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                      Who("kubectl-edit", "2025-01-02T00:00:00Z"));
  CHECK(obj["metadata"]["managedFields"] == old["metadata"]["managedFields"]);
}

TEST_CASE("the same manager's updates merge into one entry", "[apply]") {
  Json old = Created();
  Json obj = old;
  obj["spec"]["replicas"] = 2;
  UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                      Who("kubectl-create", "2025-01-03T00:00:00Z"));
  const Json& mf = obj["metadata"]["managedFields"];
  REQUIRE(mf.size() == 1);
  CHECK(mf[0]["time"] == "2025-01-03T00:00:00Z");
  CHECK(mf[0]["fieldsV1"]["f:spec"].contains("f:replicas"));
  CHECK(mf[0]["fieldsV1"]["f:spec"].contains("f:strategy"));
}

TEST_CASE("status is owned through /status only", "[apply]") {
  Json old = Created();
  Json obj = old;
  obj["status"]["replicas"] = 1;
  // Through the main resource, status changes are nobody's.
  Json main = obj;
  UpdateManagedFields(Registry(), DeploymentSchema(), &old, main,
                      Who("kubectl-edit", "2025-01-02T00:00:00Z"));
  CHECK(main["metadata"]["managedFields"] == old["metadata"]["managedFields"]);
  UpdateManagedFields(
      Registry(), DeploymentSchema(), &old, obj,
      Who("kube-controller-manager", "2025-01-02T00:00:00Z", "status"));
  const Json& mf = obj["metadata"]["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[1]["subresource"] == "status");
  CHECK(mf[1]["fieldsV1"] == Json::parse(R"({"f:status":{"f:replicas":{}}})"));
}

TEST_CASE("managedFields sent with an update", "[apply]") {
  Json old = Created();
  SECTION("[] resets them: the object is no longer tracked") {
    Json obj = old;
    obj["metadata"]["managedFields"] = Json::array();
    obj["spec"]["replicas"] = 5;
    UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                        Who("x", "2025-01-02T00:00:00Z"));
    CHECK_FALSE(obj["metadata"].contains("managedFields"));
  }
  SECTION("broken entries fall back to the stored ones") {
    Json obj = old;
    obj["metadata"]["managedFields"] = Json::parse(R"([{"operation":"X"}])");
    UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                        Who("x", "2025-01-02T00:00:00Z"));
    CHECK(obj["metadata"]["managedFields"] == old["metadata"]["managedFields"]);
  }
}

TEST_CASE("more than ten updaters fold into ancient-changes", "[apply]") {
  Json obj = Created();
  for (int i = 0; i < 11; ++i) {
    Json old = obj;
    obj["metadata"]["labels"]["k" + std::to_string(i)] = "v";
    std::string t = "2025-01-02T00:00:" + std::string(i < 10 ? "0" : "") +
                    std::to_string(i) + "Z";
    UpdateManagedFields(Registry(), DeploymentSchema(), &old, obj,
                        Who(("m" + std::to_string(i)).c_str(), t.c_str()));
  }
  const Json& mf = obj["metadata"]["managedFields"];
  CHECK(mf.size() == 10);
  bool ancient = false;
  for (const Json& e : mf) {
    if (e["manager"] == "ancient-changes") {
      ancient = true;
      // kubectl-create's fields and m0's label, merged.
      CHECK(e["fieldsV1"]["f:metadata"]["f:labels"].contains("f:k0"));
      CHECK(e["fieldsV1"]["f:spec"].contains("f:replicas"));
    }
  }
  CHECK(ancient);
}

TEST_CASE("managedFields decoding errors are kube's", "[apply]") {
  CHECK(smd::DecodeManagedFields(Json::parse(R"([{"operation":"Get"}])"))
            .status()
            .message() == "operation must be `Apply` or `Update`");
  CHECK(smd::DecodeManagedFields(
            Json::parse(R"([{"operation":"Apply","apiVersion":"v1"}])"))
            .status()
            .message() == "missing fieldsType in managed fields entry 0");
  CHECK(
      smd::ManagerIdentifier("kubectl", "Update", "apps/v1", "status") ==
      R"({"manager":"kubectl","operation":"Update","apiVersion":"apps/v1","subresource":"status"})");
  CHECK(smd::ManagerIdentifier("kubectl", "Apply", "apps/v1", "") ==
        R"({"manager":"kubectl","operation":"Apply"})");
}

}  // namespace
}  // namespace ksim::apiserver
