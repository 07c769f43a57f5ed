// Patches and server-side apply against the built-in schemas of the served
// kinds (SchemaRegistry::Default()), with the bodies real kubectl sends.
#include <catch2/catch.hpp>

#include "apiserver/apply.h"
#include "apiserver/patch.h"

namespace ksim::apiserver {
namespace {

using base::Code;
using base::Json;

const SchemaRegistry& Reg() { return SchemaRegistry::Default(); }
const Json& Kind(const char* group, const char* kind) {
  const Json* s = Reg().ForKind(group, "v1", kind);
  REQUIRE(s != nullptr);
  return *s;
}

base::Time At(const char* t) { return *base::ParseRfc3339(t); }

const char kService[] = R"({
  "apiVersion": "v1", "kind": "Service",
  "metadata": {"name": "webapp", "namespace": "default", "uid": "u1"},
  "spec": {"type": "ClusterIP", "clusterIP": "10.96.0.10",
           "selector": {"app": "webapp"},
           "ports": [{"port": 8080, "protocol": "TCP", "targetPort": 8080}]}})";

const char kDeployment[] = R"({
  "apiVersion": "apps/v1", "kind": "Deployment",
  "metadata": {"name": "webapp", "namespace": "default",
               "labels": {"app": "webapp"}},
  "spec": {"replicas": 2, "selector": {"matchLabels": {"app": "webapp"}},
           "template": {"metadata": {"labels": {"app": "webapp"}},
             "spec": {"containers": [{"name": "webapp",
               "image": "kubeguide/tomcat-app:v1",
               "ports": [{"containerPort": 8080}],
               "env": [{"name": "A", "value": "1"},
                       {"name": "B", "value": "2"}]}]}}}})";

TEST_CASE("real Service: kubectl apply's port change", "[smp]") {
  auto r = ApplyStrategicMergePatch(Reg(), Kind("", "Service"),
                                    Json::parse(kService),
                                    Json::parse(R"({"metadata":{"annotations":{
        "kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},
        "spec":{"$setElementOrder/ports":[{"port":8081}],
        "ports":[{"port":8081,"targetPort":8080},
                 {"$patch":"delete","port":8080}]}})"));
  REQUIRE(r.ok());
  CHECK(r->at("spec")["ports"] ==
        Json::parse(R"([{"port":8081,"targetPort":8080}])"));
  CHECK(r->at("spec")["selector"] == Json({{"app", "webapp"}}));
}

TEST_CASE("real Deployment: containers, env and ports merge by key", "[smp]") {
  auto r = ApplyStrategicMergePatch(Reg(), Kind("apps", "Deployment"),
                                    Json::parse(kDeployment),
                                    Json::parse(R"({"spec":{"template":{"spec":{
        "$setElementOrder/containers":[{"name":"webapp"}],
        "containers":[{"name":"webapp",
          "$setElementOrder/env":[{"name":"A"},{"name":"C"},{"name":"B"}],
          "env":[{"name":"C","value":"4"},{"name":"B","value":"3"}],
          "$setElementOrder/ports":[{"containerPort":8080},
                                   {"containerPort":8443}],
          "ports":[{"containerPort":8443}]}]}}}})"));
  REQUIRE(r.ok());
  const Json& c = r->at("spec")["template"]["spec"]["containers"][0];
  CHECK(c["env"] == Json::parse(R"([{"name":"A","value":"1"},
        {"name":"C","value":"4"},{"name":"B","value":"3"}])"));
  CHECK(c["ports"] ==
        Json::parse(R"([{"containerPort":8080},{"containerPort":8443}])"));
  CHECK(c["image"] == "kubeguide/tomcat-app:v1");
}

TEST_CASE("real Deployment: managedFields of a kubectl create", "[apply]") {
  Json obj = Json::parse(kDeployment);
  obj["spec"]["strategy"] = Json::parse(
      R"({"type":"RollingUpdate","rollingUpdate":{"maxSurge":"25%",
          "maxUnavailable":"25%"}})");
  obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["protocol"] =
      "TCP";
  obj["status"] = Json::object();
  UpdateManagedFields(
      Reg(), Kind("apps", "Deployment"), nullptr, obj,
      {"kubectl-create", "Update", "apps/v1", "", At("2025-01-01T00:00:00Z")});
  const Json& f = obj["metadata"]["managedFields"][0]["fieldsV1"];
  // Non-pointer structs exist in the zero object, so they carry no ".";
  // what was absent does.
  CHECK_FALSE(f["f:spec"].contains("."));
  CHECK(f["f:metadata"]["f:labels"].contains("."));
  CHECK(f["f:spec"]["f:selector"] == Json::object());
  CHECK(f["f:spec"]["f:strategy"] ==
        Json::parse(R"({"f:rollingUpdate":{".":{},"f:maxSurge":{},
          "f:maxUnavailable":{}},"f:type":{}})"));
  const Json& containers = f["f:spec"]["f:template"]["f:spec"]["f:containers"];
  CHECK_FALSE(containers.contains("."));
  const Json& web = containers["k:{\"name\":\"webapp\"}"];
  CHECK(web.contains("."));
  CHECK(web["f:ports"].contains(
      "k:{\"containerPort\":8080,\"protocol\":\"TCP\"}"));
  CHECK(web["f:env"].contains("k:{\"name\":\"A\"}"));
  CHECK_FALSE(f.contains("f:status"));
}

TEST_CASE("real Deployment: apply --server-side after client-side apply",
          "[apply]") {
  // kubectl apply (client side) created it; then someone scaled it.
  Json live = Json::parse(kDeployment);
  live["metadata"]["uid"] = "u1";
  UpdateManagedFields(Reg(), Kind("apps", "Deployment"), nullptr, live,
                      {"kubectl-client-side-apply", "Update", "apps/v1", "",
                       At("2025-01-01T00:00:00Z")});
  Json scaled = live;
  scaled["spec"]["replicas"] = 5;
  UpdateManagedFields(
      Reg(), Kind("apps", "Deployment"), &live, scaled,
      {"kubectl", "Update", "apps/v1", "scale", At("2025-01-02T00:00:00Z")});
  Json config = Json::parse(kDeployment);
  config["spec"]["replicas"] = 3;
  ManagerInfo who{"kubectl", "Apply", "apps/v1", "",
                  At("2025-01-03T00:00:00Z")};
  auto r = ServerSideApply(Reg(), Kind("apps", "Deployment"), &scaled, config,
                           who, false);
  REQUIRE(r.status().code() == Code::kConflict);
  CHECK(r.status().message() ==
        "Apply failed with 1 conflict: conflict with \"kubectl\" with "
        "subresource \"scale\" using apps/v1: .spec.replicas");
  auto forced = ServerSideApply(Reg(), Kind("apps", "Deployment"), &scaled,
                                config, who, true);
  REQUIRE(forced.ok());
  CHECK(forced->at("spec")["replicas"] == 3);
  const Json& mf = forced->at("metadata")["managedFields"];
  REQUIRE(mf.size() == 2);
  CHECK(mf[0]["manager"] == "kubectl");
  CHECK(mf[0]["operation"] == "Apply");
  CHECK(mf[1]["manager"] == "kubectl-client-side-apply");
  // The container port key takes protocol's default, as kube's does.
  CHECK(mf[0]["fieldsV1"]["f:spec"]["f:template"]["f:spec"]["f:containers"]
          ["k:{\"name\":\"webapp\"}"]["f:ports"]
              .contains("k:{\"containerPort\":8080,\"protocol\":\"TCP\"}"));
}

TEST_CASE("real Service: apply of an unknown field is refused as kube does",
          "[apply]") {
  Json config = Json::parse(kService);
  config["metadata"].erase("uid");
  config["spec"]["topologyKeys"] = {"a"};
  auto r = ServerSideApply(
      Reg(), Kind("", "Service"), nullptr, config,
      {"kubectl", "Apply", "v1", "", At("2025-01-01T00:00:00Z")}, false);
  CHECK(r.status().message() ==
        "failed to create typed patch object (default/webapp; /v1, "
        "Kind=Service): .spec.topologyKeys: field not declared in schema");
}

}  // namespace
}  // namespace ksim::apiserver
