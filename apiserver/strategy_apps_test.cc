#include <catch2/catch.hpp>

#include "apiserver/resources.h"
#include "apiserver/strategy.h"

namespace ksim::apiserver {
namespace {

const Strategy& Deployments() {
  return StrategyFor(*FindResource("apps", "v1", "deployments"));
}
const Strategy& ReplicaSets() {
  return StrategyFor(*FindResource("apps", "v1", "replicasets"));
}

Json NewApp(const std::string& kind, Json selector_labels,
            Json template_labels) {
  return {
      {"apiVersion", "apps/v1"},
      {"kind", kind},
      {"metadata", {{"name", "web"}, {"namespace", "default"}, {"uid", "u"}}},
      {"spec",
       {{"selector", {{"matchLabels", std::move(selector_labels)}}},
        {"template",
         {{"metadata", {{"labels", std::move(template_labels)}}},
          {"spec",
           {{"containers", {{{"name", "web"}, {"image", "nginx:1.25"}}}}}}}}}}};
}

std::string Create(const Strategy& s, Json& obj) {
  s.Default(obj);
  s.PrepareForCreate(obj);
  FieldErrors errs = s.ValidateCreate(obj);
  if (errs.empty()) return "";
  return ToInvalidStatus("apps", obj["kind"], "web", errs).message();
}

std::string Update(const Strategy& s, Json& obj, const Json& old) {
  s.Default(obj);
  s.PrepareForUpdate(obj, old);
  FieldErrors errs = s.ValidateUpdate(obj, old);
  if (errs.empty()) return "";
  return ToInvalidStatus("apps", obj["kind"], "web", errs).message();
}

TEST_CASE("deployment defaults", "[strategy]") {
  Json d = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  REQUIRE(Create(Deployments(), d) == "");
  const Json& spec = d["spec"];
  CHECK(spec["replicas"] == 1);
  CHECK(spec["strategy"] ==
        Json{{"type", "RollingUpdate"},
             {"rollingUpdate",
              {{"maxSurge", "25%"}, {"maxUnavailable", "25%"}}}});
  CHECK(spec["revisionHistoryLimit"] == 10);
  CHECK(spec["progressDeadlineSeconds"] == 600);
  CHECK(spec["template"]["metadata"]["creationTimestamp"].is_null());
  const Json& pod = spec["template"]["spec"];
  CHECK(pod["restartPolicy"] == "Always");
  CHECK(pod["terminationGracePeriodSeconds"] == 30);
  CHECK(!pod.contains("enableServiceLinks"));  // SetDefaults_Pod is pods-only
  CHECK(pod["containers"][0]["imagePullPolicy"] == "IfNotPresent");
  CHECK(d["status"] == Json::object());
  CHECK(d["metadata"]["generation"] == 1);
}

TEST_CASE("deployment validation messages", "[strategy]") {
  Json mismatch = NewApp("Deployment", {{"app", "web"}}, {{"app", "other"}});
  CHECK(Create(Deployments(), mismatch) ==
        "Deployment.apps \"web\" is invalid: spec.template.metadata.labels: "
        "Invalid "
        "value: map[string]string{\"app\":\"other\"}: `selector` does not "
        "match template "
        "`labels`");

  Json zero = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  zero["spec"]["strategy"] = {
      {"rollingUpdate", {{"maxSurge", 0}, {"maxUnavailable", 0}}}};
  CHECK(Create(Deployments(), zero) ==
        "Deployment.apps \"web\" is invalid: "
        "spec.strategy.rollingUpdate.maxUnavailable: "
        "Invalid value: intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}: may "
        "not be 0 "
        "when `maxSurge` is 0");

  Json negative = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  negative["spec"]["replicas"] = -1;
  CHECK(Create(Deployments(), negative) ==
        "Deployment.apps \"web\" is invalid: spec.replicas: Invalid value: -1: "
        "must be "
        "greater than or equal to 0");

  Json no_selector = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  no_selector["spec"].erase("selector");
  CHECK(Create(Deployments(), no_selector) ==
        "Deployment.apps \"web\" is invalid: spec.selector: Required value");

  Json strategy = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  strategy["spec"]["strategy"] = {{"type", "Foo"}};
  CHECK(
      Create(Deployments(), strategy) ==
      "Deployment.apps \"web\" is invalid: spec.strategy: Unsupported value: "
      "apps.DeploymentStrategy{Type:\"Foo\", "
      "RollingUpdate:(*apps.RollingUpdateDeployment)(nil)}: supported values: "
      "\"Recreate\", \"RollingUpdate\"");

  Json percent = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  percent["spec"]["strategy"] = {
      {"rollingUpdate", {{"maxUnavailable", "110%"}}}};
  CHECK(Create(Deployments(), percent) ==
        "Deployment.apps \"web\" is invalid: "
        "spec.strategy.rollingUpdate.maxUnavailable: "
        "Invalid value: intstr.IntOrString{Type:1, IntVal:0, StrVal:\"110%\"}: "
        "must not "
        "be greater than 100%");
}

TEST_CASE("deployment updates: selector immutable, generation bumps",
          "[strategy]") {
  Json old = NewApp("Deployment", {{"app", "web"}}, {{"app", "web"}});
  REQUIRE(Create(Deployments(), old) == "");
  old["metadata"]["resourceVersion"] = "10";
  old["status"] = {{"replicas", 1}, {"observedGeneration", 1}};

  Json scaled = old;
  scaled["spec"]["replicas"] = 3;
  scaled["status"] = Json::object();
  REQUIRE(Update(Deployments(), scaled, old) == "");
  CHECK(scaled["metadata"]["generation"] == 2);
  CHECK(scaled["status"] == old["status"]);

  Json same = old;
  REQUIRE(Update(Deployments(), same, old) == "");
  CHECK(same["metadata"]["generation"] == 1);

  Json annotated = old;
  annotated["metadata"]["annotations"] = {{"note", "x"}};
  REQUIRE(Update(Deployments(), annotated, old) == "");
  CHECK(annotated["metadata"]["generation"] == 2);

  Json moved = old;
  moved["spec"]["selector"]["matchLabels"]["app"] = "web2";
  moved["spec"]["template"]["metadata"]["labels"]["app"] = "web2";
  CHECK(Update(Deployments(), moved, old) ==
        "Deployment.apps \"web\" is invalid: spec.selector: Invalid value: "
        "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"web2\"}, "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}: field is "
        "immutable");

  Json status = old;
  status["spec"]["replicas"] = 9;
  status["metadata"]["labels"] = {{"x", "y"}};
  status["status"] = {{"replicas", 2}, {"readyReplicas", 3}};
  Deployments().PrepareForStatusUpdate(status, old);
  CHECK(status["spec"] == old["spec"]);
  CHECK(!status["metadata"].contains("labels"));
  CHECK(ToInvalidStatus("apps", "Deployment", "web",
                        Deployments().ValidateStatusUpdate(status, old))
            .message() ==
        "Deployment.apps \"web\" is invalid: status.readyReplicas: Invalid "
        "value: 3: "
        "cannot be greater than status.replicas");
}

TEST_CASE("replicaset defaults, generation and fields", "[strategy]") {
  Json rs = NewApp("ReplicaSet", {{"app", "web"}}, {{"app", "web"}});
  REQUIRE(Create(ReplicaSets(), rs) == "");
  CHECK(rs["spec"]["replicas"] == 1);
  CHECK(!rs["spec"].contains("strategy"));
  CHECK(rs["status"] == Json{{"replicas", 0}});
  CHECK(rs["metadata"]["generation"] == 1);
  rs["metadata"]["resourceVersion"] = "4";

  Json annotated = rs;
  annotated["metadata"]["annotations"] = {
      {"deployment.kubernetes.io/revision", "2"}};
  REQUIRE(Update(ReplicaSets(), annotated, rs) == "");
  CHECK(annotated["metadata"]["generation"] == 1);  // only spec bumps for RS

  Json scaled = rs;
  scaled["spec"]["replicas"] = 0;
  REQUIRE(Update(ReplicaSets(), scaled, rs) == "");
  CHECK(scaled["metadata"]["generation"] == 2);

  std::map<std::string, std::string> fields;
  ReplicaSets().AddSelectableFields(rs, fields);
  CHECK(fields["status.replicas"] == "0");
  CHECK(ReplicaSets().IsSelectableField("status.replicas"));
  CHECK(!Deployments().IsSelectableField("status.replicas"));

  Json never = NewApp("ReplicaSet", {{"app", "web"}}, {{"app", "web"}});
  never["spec"]["template"]["spec"]["restartPolicy"] = "Never";
  CHECK(Create(ReplicaSets(), never) ==
        "ReplicaSet.apps \"web\" is invalid: spec.template.spec.restartPolicy: "
        "Unsupported "
        "value: \"Never\": supported values: \"Always\"");
}

}  // namespace
}  // namespace ksim::apiserver
