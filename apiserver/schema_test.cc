#include "apiserver/schema.h"

#include <catch2/catch.hpp>
#include <set>
#include <thread>

#include "apiserver/resources.h"

namespace ksim::apiserver {
namespace {

const SchemaRegistry& Reg() { return SchemaRegistry::Default(); }

const Json& Kind(std::string_view group, std::string_view kind) {
  const Json* s = Reg().ForKind(group, "v1", kind);
  REQUIRE(s != nullptr);
  return *s;
}

Json Deployment() {
  return Json::parse(R"({
    "apiVersion": "apps/v1", "kind": "Deployment",
    "metadata": {"name": "web", "labels": {"app": "web"}},
    "spec": {
      "replicas": 2,
      "selector": {"matchLabels": {"app": "web"}},
      "strategy": {"type": "RollingUpdate",
                   "rollingUpdate": {"maxSurge": "25%", "maxUnavailable": 1}},
      "template": {
        "metadata": {"labels": {"app": "web"}},
        "spec": {
          "containers": [{
            "name": "web", "image": "nginx",
            "ports": [{"containerPort": 80, "protocol": "TCP"}],
            "resources": {"limits": {"cpu": "500m", "memory": 128974848}},
            "readinessProbe": {"httpGet": {"path": "/", "port": "http"}},
            "env": [{"name": "A", "valueFrom":
                       {"fieldRef": {"fieldPath": "metadata.name"}}}]
          }],
          "volumes": [{"name": "v", "emptyDir": {"sizeLimit": "1Gi"}}],
          "tolerations": [{"key": "k", "operator": "Exists"}]
        }
      }
    }
  })");
}

TEST_CASE("every served kind and its list resolve", "[schema]") {
  for (const ResourceInfo& r : AllResources()) {
    INFO(r.GroupVersion() << " " << r.kind);
    const Json* kind = Reg().ForKind(r.group, r.version, r.kind);
    REQUIRE(kind != nullptr);
    CHECK(kind == Reg().ByName(r.schema_name));
    CHECK(Reg().Property(*kind, "metadata") != nullptr);
    const Json* list = Reg().ForKind(r.group, r.version, r.ListKind());
    REQUIRE(list != nullptr);
    const Json* items = Reg().Property(*list, "items");
    REQUIRE(items != nullptr);
    CHECK(Reg().Items(*items) == kind);
    for (const SubresourceInfo& sub : r.subresources) {
      CHECK(Reg().ForKind(sub.group, sub.version, sub.kind) != nullptr);
    }
  }
  for (std::string_view kind : {"Status", "DeleteOptions", "WatchEvent"}) {
    CHECK(Reg().ForKind("", "v1", kind) != nullptr);
  }
}

TEST_CASE("every reference points at a defined component", "[schema]") {
  std::vector<std::string> dangling;
  std::function<void(const Json&)> walk = [&](const Json& j) {
    if (j.is_object()) {
      auto ref = j.find("$ref");
      if (ref != j.end()) {
        std::string target = ref->get<std::string>();
        REQUIRE(target.rfind("#/components/schemas/", 0) == 0);
        if (Reg().ByName(target.substr(21)) == nullptr) {
          dangling.push_back(target);
        }
      }
      for (const auto& [k, v] : j.items()) walk(v);
    } else if (j.is_array()) {
      for (const auto& v : j) walk(v);
    }
  };
  walk(Reg().Components());
  CHECK(dangling.empty());
  CHECK(Reg().Components().size() > 200);
}

TEST_CASE("patch metadata sits where Kubernetes puts it", "[schema]") {
  const Json& spec = *Reg().ByName("io.k8s.api.core.v1.PodSpec");
  const Json& containers = spec["properties"]["containers"];
  CHECK(containers["x-kubernetes-patch-merge-key"] == "name");
  CHECK(containers["x-kubernetes-patch-strategy"] == "merge");
  CHECK(containers["x-kubernetes-list-type"] == "map");
  CHECK(spec["properties"]["volumes"]["x-kubernetes-patch-strategy"] ==
        "merge,retainKeys");
  const Json& ports = Reg()
                          .ByName("io.k8s.api.core.v1.Container")
                          ->at("properties")
                          .at("ports");
  CHECK(ports["x-kubernetes-list-map-keys"] ==
        Json::array({"containerPort", "protocol"}));
  CHECK(Reg()
            .ByName("io.k8s.apimachinery.pkg.apis.meta.v1.LabelSelector")
            ->at("x-kubernetes-map-type") == "atomic");
  const Json& strategy = Reg()
                             .ByName("io.k8s.api.apps.v1.DeploymentSpec")
                             ->at("properties")
                             .at("strategy");
  CHECK(strategy["x-kubernetes-patch-strategy"] == "retainKeys");
  CHECK(Reg().Resolve(strategy) ==
        *Reg().ByName("io.k8s.api.apps.v1.DeploymentStrategy"));
}

TEST_CASE("defaults mark fields Go always serializes", "[schema]") {
  // kube-openapi gives non-pointer structs "default: {}" and non-omitempty
  // scalars their zero value; types with custom JSON decoding get none.
  const Json& pod = *Reg().ByName("io.k8s.api.core.v1.Pod");
  CHECK(pod["properties"]["spec"]["default"] == Json::object());
  CHECK(pod["properties"]["metadata"]["default"] == Json::object());
  CHECK_FALSE(pod["properties"]["kind"].contains("default"));
  const Json& spec = *Reg().ByName("io.k8s.api.core.v1.PodSpec");
  CHECK(spec["properties"]["containers"]["items"]["default"] == Json::object());
  CHECK_FALSE(spec["properties"]["affinity"].contains("default"));
  const Json& port = *Reg().ByName("io.k8s.api.core.v1.ContainerPort");
  CHECK(port["properties"]["containerPort"]["default"] == 0);
  CHECK(port["properties"]["protocol"]["default"] == "TCP");
  const Json& cond = *Reg().ByName("io.k8s.api.apps.v1.DeploymentCondition");
  CHECK(cond["properties"]["status"]["default"] == "");
  CHECK_FALSE(cond["properties"]["lastTransitionTime"].contains("default"));
  // v3 names both JSON types of IntOrString and Quantity (kubectl explain
  // shows <IntOrString> and <Quantity>).
  CHECK(Reg()
            .ByName("io.k8s.apimachinery.pkg.api.resource.Quantity")
            ->at("oneOf")
            .size() == 2);
}

TEST_CASE("a valid manifest has no unknown fields", "[schema]") {
  const Json& d = Kind("apps", "Deployment");
  CHECK(Reg().UnknownFields(d, Deployment()).empty());
  CHECK(Reg().CheckTypes(d, Deployment()).ok());
}

TEST_CASE("unknown fields are reported with kube-apiserver paths", "[schema]") {
  Json obj = Deployment();
  obj["spec"]["foo"] = 1;
  obj["spec"]["template"]["spec"]["containers"][0]["bar"] = "x";
  obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]["hostFoo"] = 1;
  obj["metadata"]["labelz"] = Json::object();
  obj["spec"]["template"]["spec"]["volumes"][0]["emptyDir"]["size"] = "1Gi";
  obj["top"] = true;
  // Keys of maps are free, and so is any value under them of free form.
  obj["metadata"]["annotations"]["anything.example.com/x"] = "y";
  std::vector<std::string> got =
      Reg().UnknownFields(Kind("apps", "Deployment"), obj);
  std::set<std::string> want = {
      "metadata.labelz",
      "spec.foo",
      "spec.template.spec.containers[0].bar",
      "spec.template.spec.containers[0].ports[0].hostFoo",
      "spec.template.spec.volumes[0].emptyDir.size",
      "top"};
  CHECK(std::set<std::string>(got.begin(), got.end()) == want);
  CHECK(got.size() == want.size());
}

TEST_CASE("unknown fields under map values and nested lists", "[schema]") {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", "p"}}},
              {"spec",
               {{"containers", {{{"name", "a"}}, {{"name", "b"}, {"x", 1}}}},
                {"initContainers", {{{"name", "i"}, {"y", 2}}}}}}};
  std::vector<std::string> got = Reg().UnknownFields(Kind("", "Pod"), pod);
  CHECK(got == std::vector<std::string>{"spec.containers[1].x",
                                        "spec.initContainers[0].y"});
}

TEST_CASE("free-form and preserve-unknown-fields subtrees are not inspected",
          "[schema]") {
  Json pod = {{"metadata",
               {{"managedFields",
                 {{{"manager", "kubectl"},
                   {"fieldsV1", {{"f:spec", {{"f:x", Json::object()}}}}}}}}}}};
  CHECK(Reg().UnknownFields(Kind("", "Pod"), pod).empty());
  Json event = {{"type", "ADDED"}, {"object", {{"anything", {{"goes", 1}}}}}};
  CHECK(Reg().UnknownFields(Kind("", "WatchEvent"), event).empty());

  auto reg = SchemaRegistry::FromYaml(R"(
    T:
      type: object
      properties:
        known: {type: string}
        blob: {type: object, x-kubernetes-preserve-unknown-fields: true}
        ref: {$ref: "#/components/schemas/Free"}
    Free:
      type: object
      properties:
        a: {type: string}
      x-kubernetes-preserve-unknown-fields: true
  )");
  REQUIRE(reg.ok());
  const Json& t = *(*reg)->ByName("T");
  Json obj = {{"known", "x"},
              {"blob", {{"deep", {{"er", 1}}}}},
              {"ref", {{"a", "x"}, {"b", 2}}},
              {"other", 1}};
  CHECK((*reg)->UnknownFields(t, obj) == std::vector<std::string>{"other"});
}

TEST_CASE("pruning removes exactly the unknown fields", "[schema]") {
  Json obj = Deployment();
  Json dirty = obj;
  dirty["spec"]["foo"] = 1;
  dirty["spec"]["template"]["spec"]["containers"][0]["bar"] = {{"x", 1}};
  dirty["status"] = {{"replicas", 1}, {"bogus", true}};
  Reg().PruneUnknownFields(Kind("apps", "Deployment"), dirty);
  obj["status"] = {{"replicas", 1}};
  CHECK(dirty == obj);
  CHECK(Reg().UnknownFields(Kind("apps", "Deployment"), dirty).empty());
}

std::string TypeError(std::string_view group, std::string_view kind,
                      const Json& obj) {
  base::Status st = Reg().CheckTypes(Kind(group, kind), obj);
  if (st.ok()) return "";
  CHECK(st.code() == base::Code::kBadRequest);
  return st.message();
}

TEST_CASE("type errors are worded like Go's JSON decoder", "[schema]") {
  Json obj = Deployment();
  obj["spec"]["replicas"] = "two";
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal string into Go struct field "
        "DeploymentSpec.spec.replicas of type int32");

  obj = Deployment();
  obj["spec"]["template"]["spec"]["containers"][0]["ports"][0]
     ["containerPort"] = 1.5;
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal number 1.5 into Go struct field "
        "ContainerPort.spec.template.spec.containers.ports.containerPort of "
        "type int32");

  obj = Deployment();
  obj["spec"]["template"]["spec"]["containers"] = "web";
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal string into Go struct field "
        "PodSpec.spec.template.spec.containers of type []v1.Container");

  obj = Deployment();
  obj["spec"]["template"]["spec"]["containers"][0]["args"] = {1};
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal number into Go struct field "
        "Container.spec.template.spec.containers.args of type string");

  obj = Deployment();
  obj["metadata"]["labels"]["app"] = true;
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal bool into Go struct field "
        "ObjectMeta.metadata.labels of type string");

  obj = Deployment();
  obj["spec"]["template"] = Json::array();
  CHECK(TypeError("apps", "Deployment", obj) ==
        "json: cannot unmarshal array into Go struct field "
        "DeploymentSpec.spec.template of type v1.PodTemplateSpec");

  Json svc = {{"spec", {{"ports", {{{"port", 3000000000LL}}}}}}};
  CHECK(TypeError("", "Service", svc) ==
        "json: cannot unmarshal number 3000000000 into Go struct field "
        "ServicePort.spec.ports.port of type int32");

  CHECK(TypeError("apps", "Deployment", Json::array()) ==
        "json: cannot unmarshal array into Go value of type v1.Deployment");
}

TEST_CASE("int-or-string accepts both and nothing else", "[schema]") {
  Json svc = {{"spec", {{"ports", {{{"port", 80}, {"targetPort", 8080}}}}}}};
  CHECK(TypeError("", "Service", svc).empty());
  svc["spec"]["ports"][0]["targetPort"] = "http";
  CHECK(TypeError("", "Service", svc).empty());
  svc["spec"]["ports"][0]["targetPort"] = true;
  CHECK(TypeError("", "Service", svc) ==
        "json: cannot unmarshal bool into Go struct field "
        "ServicePort.spec.ports.targetPort of type int32");
  svc["spec"]["ports"][0]["targetPort"] = {{"intVal", 1}};
  CHECK(TypeError("", "Service", svc) ==
        "json: cannot unmarshal object into Go struct field "
        "ServicePort.spec.ports.targetPort of type int32");
  const Json& ios =
      *Reg().ByName("io.k8s.apimachinery.pkg.util.intstr.IntOrString");
  CHECK(ios["format"] == "int-or-string");
  CHECK(ios["x-kubernetes-int-or-string"] == true);
}

TEST_CASE("quantities, bytes and nulls", "[schema]") {
  Json pod = {{"spec",
               {{"containers",
                 {{{"name", "a"},
                   {"resources",
                    {{"limits", {{"cpu", "100m"}, {"memory", "1.5Gi"}}},
                     {"requests", {{"cpu", 0.5}, {"memory", "1e3"}}}}}}}}}}};
  CHECK(TypeError("", "Pod", pod).empty());
  for (Json bad : {Json("1Gb"), Json("abc"), Json(""), Json(true)}) {
    Json p = pod;
    p["spec"]["containers"][0]["resources"]["limits"]["cpu"] = bad;
    INFO(bad.dump());
    CHECK(TypeError("", "Pod", p) ==
          "quantities must match the regular expression "
          "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'");
  }
  Json secret = {{"data", {{"k", "aGVsbG8="}}}};
  CHECK(TypeError("", "Secret", secret).empty());
  secret["data"]["k"] = "hello!";
  CHECK(TypeError("", "Secret", secret) ==
        "illegal base64 data at input byte 5");
  secret["data"]["k"] = 5;
  CHECK(TypeError("", "Secret", secret) ==
        "json: cannot unmarshal number into Go struct field Secret.data of "
        "type []uint8");
  // null decodes to the zero value wherever it appears.
  Json nulls = {{"metadata", nullptr}, {"spec", {{"replicas", nullptr}}}};
  CHECK(TypeError("apps", "Deployment", nulls).empty());
}

TEST_CASE("Default() is built once and shared across threads", "[schema]") {
  std::vector<const SchemaRegistry*> seen(4);
  std::vector<std::thread> threads;
  for (int i = 0; i < 4; ++i) {
    threads.emplace_back([&seen, i] { seen[i] = &SchemaRegistry::Default(); });
  }
  for (auto& t : threads) t.join();
  for (const auto* p : seen) CHECK(p == &SchemaRegistry::Default());
}

}  // namespace
}  // namespace ksim::apiserver
