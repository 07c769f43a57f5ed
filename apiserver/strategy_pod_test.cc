#include <catch2/catch.hpp>

#include "apiserver/resources.h"
#include "apiserver/strategy.h"
#include "apiserver/strategy_internal.h"

namespace ksim::apiserver {
namespace {

const Strategy& Pods() { return StrategyFor(*FindResource("", "v1", "pods")); }

Json NewPod(Json spec) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", "web"},
            {"namespace", "default"},
            {"uid", "0b2c"},
            {"creationTimestamp", "2025-01-01T00:00:00Z"}}},
          {"spec", std::move(spec)}};
}

Json Nginx() {
  return {{"containers", {{{"name", "nginx"}, {"image", "nginx"}}}}};
}

// Default + PrepareForCreate + ValidateCreate, as the registry runs them.
std::string Create(Json& pod) {
  Pods().Default(pod);
  Pods().PrepareForCreate(pod);
  FieldErrors errs = Pods().ValidateCreate(pod);
  if (errs.empty()) return "";
  return ToInvalidStatus("", "Pod", "web", errs).message();
}

TEST_CASE("pod defaults match a kubeadm cluster", "[strategy]") {
  Json pod = NewPod(Nginx());
  REQUIRE(Create(pod) == "");
  const Json& spec = pod["spec"];
  CHECK(spec["restartPolicy"] == "Always");
  CHECK(spec["dnsPolicy"] == "ClusterFirst");
  CHECK(spec["terminationGracePeriodSeconds"] == 30);
  CHECK(spec["schedulerName"] == "default-scheduler");
  CHECK(spec["securityContext"] == Json::object());
  CHECK(spec["enableServiceLinks"] == true);
  CHECK(spec["preemptionPolicy"] == "PreemptLowerPriority");
  CHECK(spec["priority"] == 0);
  CHECK(spec["serviceAccountName"] == "default");
  CHECK(spec["serviceAccount"] == "default");
  const Json& c = spec["containers"][0];
  CHECK(c["imagePullPolicy"] == "Always");
  CHECK(c["terminationMessagePath"] == "/dev/termination-log");
  CHECK(c["terminationMessagePolicy"] == "File");
  CHECK(c["resources"] == Json::object());
  REQUIRE(spec["tolerations"].size() == 2);
  CHECK(spec["tolerations"][0] == Json{{"key", "node.kubernetes.io/not-ready"},
                                       {"operator", "Exists"},
                                       {"effect", "NoExecute"},
                                       {"tolerationSeconds", 300}});
  CHECK(spec["tolerations"][1]["key"] == "node.kubernetes.io/unreachable");
  REQUIRE(spec["volumes"].size() == 1);
  std::string volume = spec["volumes"][0]["name"];
  CHECK(volume.rfind("kube-api-access-", 0) == 0);
  CHECK(volume.size() == std::string("kube-api-access-").size() + 5);
  CHECK(spec["volumes"][0]["projected"]["defaultMode"] == 420);
  CHECK(c["volumeMounts"][0] ==
        Json{{"name", volume},
             {"mountPath", "/var/run/secrets/kubernetes.io/serviceaccount"},
             {"readOnly", true}});
  CHECK(pod["status"] ==
        Json{{"phase", "Pending"}, {"qosClass", "BestEffort"}});
  CHECK(pod["metadata"].count("generation") == 0);  // pods have none in 1.32

  // Defaulting is idempotent (the registry may run it twice).
  Json again = pod;
  Pods().Default(again);
  CHECK(again == pod);
}

TEST_CASE("image pull policy follows the tag", "[strategy]") {
  auto policy = [](const std::string& image) {
    Json pod = NewPod({{"containers", {{{"name", "c"}, {"image", image}}}}});
    Pods().Default(pod);
    return pod["spec"]["containers"][0]["imagePullPolicy"].get<std::string>();
  };
  CHECK(policy("nginx") == "Always");
  CHECK(policy("nginx:latest") == "Always");
  CHECK(policy("nginx:1.25") == "IfNotPresent");
  CHECK(policy("localhost:5000/app") == "Always");
  CHECK(policy("registry.k8s.io/pause:3.10") == "IfNotPresent");
  CHECK(
      policy(
          "nginx@sha256:"
          "0123456789abcdef0123456789abcdef0123456789abcdef0123456789abcdef") ==
      "IfNotPresent");
}

TEST_CASE("probes, ports and quantities get their defaults", "[strategy]") {
  Json pod =
      NewPod({{"containers",
               {{{"name", "app"},
                 {"image", "app:v1"},
                 {"ports", {{{"containerPort", 8080}}}},
                 {"livenessProbe", {{"httpGet", {{"port", 8080}}}}},
                 {"resources",
                  {{"limits", {{"cpu", "0.5"}, {"memory", "1024Mi"}}}}}}}}});
  REQUIRE(Create(pod) == "");
  const Json& c = pod["spec"]["containers"][0];
  CHECK(c["ports"][0]["protocol"] == "TCP");
  CHECK(c["livenessProbe"] ==
        Json{{"httpGet", {{"path", "/"}, {"port", 8080}, {"scheme", "HTTP"}}},
             {"timeoutSeconds", 1},
             {"periodSeconds", 10},
             {"successThreshold", 1},
             {"failureThreshold", 3}});
  CHECK(c["resources"]["limits"] == Json{{"cpu", "500m"}, {"memory", "1Gi"}});
  // SetDefaults_Pod copies limits into missing requests.
  CHECK(c["resources"]["requests"] == Json{{"cpu", "500m"}, {"memory", "1Gi"}});
  CHECK(pod["status"]["qosClass"] == "Guaranteed");
}

TEST_CASE("quantities print in canonical form", "[strategy]") {
  auto canon = [](const std::string& s) {
    return Quantity::Parse(s)->String();
  };
  CHECK(canon("0.5") == "500m");
  CHECK(canon("1000m") == "1");
  CHECK(canon("1024Mi") == "1Gi");
  CHECK(canon("1.5Gi") == "1536Mi");
  CHECK(canon("100000") == "100k");
  CHECK(canon("129e6") == "129e6");
  CHECK(canon("128974848") == "128974848");
  CHECK(canon("500M") == "500M");
  CHECK(canon("1E") == "1E");
  CHECK(canon("0") == "0");
  CHECK(canon("512") == "512");
  CHECK(!Quantity::Parse("1.2.3"));
  CHECK(!Quantity::Parse("12Q"));
  CHECK(Quantity::Parse("1")->Compare(*Quantity::Parse("1000m")) == 0);
  CHECK(Quantity::Parse("1Gi")->Compare(*Quantity::Parse("1G")) > 0);
}

TEST_CASE("QoS class as kube computes it", "[strategy]") {
  auto qos = [](Json resources) {
    Json pod =
        NewPod({{"containers",
                 {{{"name", "c"}, {"image", "i"}, {"resources", resources}}}}});
    Pods().Default(pod);
    return ComputePodQOS(pod);
  };
  CHECK(qos(Json::object()) == "BestEffort");
  CHECK(qos({{"requests", {{"cpu", "100m"}}}}) == "Burstable");
  CHECK(qos({{"limits", {{"cpu", "1"}}}}) == "Burstable");
  CHECK(qos({{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}}}) == "Guaranteed");
  CHECK(qos({{"limits", {{"cpu", "1"}, {"memory", "1Gi"}}},
             {"requests", {{"cpu", "500m"}}}}) == "Burstable");
}

TEST_CASE("pod validation messages", "[strategy]") {
  Json none = NewPod(Json::object());
  CHECK(Create(none) ==
        "Pod \"web\" is invalid: spec.containers: Required value");

  Json bad = NewPod(
      {{"containers",
        {{{"name", "Web_1"},
          {"ports", {{{"containerPort", 70000}, {"protocol", "ABC"}}}}}}},
       {"restartPolicy", "Sometimes"}});
  CHECK(
      Create(bad) ==
      "Pod \"web\" is invalid: [spec.containers[0].name: Invalid value: "
      "\"Web_1\": a "
      "lowercase RFC 1123 label must consist of lower case alphanumeric "
      "characters or "
      "'-', and must start and end with an alphanumeric character (e.g. "
      "'my-name',  or "
      "'123-abc', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?'), "
      "spec.containers[0].image: Required value, "
      "spec.containers[0].ports[0].containerPort: Invalid value: 70000: must "
      "be between "
      "1 and 65535, inclusive, "
      "spec.containers[0].ports[0].protocol: Unsupported value: \"ABC\": "
      "supported "
      "values: \"SCTP\", \"TCP\", \"UDP\", "
      "spec.restartPolicy: Unsupported value: \"Sometimes\": supported values: "
      "\"Always\", \"OnFailure\", \"Never\"]");

  Json dup = NewPod(
      {{"containers",
        {{{"name", "a"}, {"image", "i"}}, {{"name", "a"}, {"image", "i"}}}}});
  CHECK(Create(dup) ==
        "Pod \"web\" is invalid: spec.containers[1].name: Duplicate value: "
        "\"a\"");

  Json probes = NewPod(
      {{"containers",
        {{{"name", "a"},
          {"image", "i"},
          {"readinessProbe",
           {{"exec", {{"command", {"true"}}}}, {"tcpSocket", {{"port", 80}}}}},
          {"livenessProbe", {{"periodSeconds", 5}}}}}}});
  CHECK(Create(probes) ==
        "Pod \"web\" is invalid: [spec.containers[0].livenessProbe: Required "
        "value: must "
        "specify a handler type, spec.containers[0].readinessProbe.tcpSocket: "
        "Forbidden: "
        "may not specify more than 1 handler type]");

  Json limits = NewPod(
      {{"containers",
        {{{"name", "a"},
          {"image", "i"},
          {"resources",
           {{"requests", {{"cpu", "2"}}}, {"limits", {{"cpu", "1"}}}}}}}}});
  CHECK(Create(limits) ==
        "Pod \"web\" is invalid: spec.containers[0].resources.requests: "
        "Invalid value: "
        "\"2\": must be less than or equal to cpu limit of 1");
}

TEST_CASE("pod updates", "[strategy]") {
  Json old = NewPod({{"containers",
                      {{{"name", "a"},
                        {"image", "nginx:1"},
                        {"ports", {{{"containerPort", 80}}}}}}}});
  REQUIRE(Create(old) == "");
  old["metadata"]["resourceVersion"] = "7";
  old["status"]["phase"] = "Running";

  Json image = old;
  image["spec"]["containers"][0]["image"] = "nginx:2";
  image["status"] = Json::object();
  Pods().Default(image);
  Pods().PrepareForUpdate(image, old);
  CHECK(Pods().ValidateUpdate(image, old).empty());
  CHECK(image["status"]["phase"] == "Running");  // status comes from old

  Json port = old;
  port["spec"]["containers"][0]["ports"][0]["containerPort"] = 81;
  Pods().Default(port);
  Pods().PrepareForUpdate(port, old);
  FieldErrors errs = Pods().ValidateUpdate(port, old);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].field == "spec");
  CHECK(errs[0].Body().rfind(
            "Forbidden: pod updates may not change fields other than "
            "`spec.containers[*].image`,`spec.initContainers[*].image`,"
            "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions "
            "to existing "
            "tolerations),`spec.terminationGracePeriodSeconds` (allow it to be "
            "set to 1 "
            "if it was previously negative)\n",
            0) == 0);
  CHECK(errs[0].detail.find("containerPort: 80") != std::string::npos);
  CHECK(errs[0].detail.find("containerPort: 81") != std::string::npos);

  Json more = old;
  more["spec"]["containers"].push_back({{"name", "b"}, {"image", "busybox"}});
  Pods().Default(more);
  Pods().PrepareForUpdate(more, old);
  CHECK(ToInvalidStatus("", "Pod", "web", Pods().ValidateUpdate(more, old))
            .message() ==
        "Pod \"web\" is invalid: spec.containers: Forbidden: pod updates may "
        "not add or "
        "remove containers");

  Json tol = old;
  tol["spec"]["tolerations"].push_back({{"key", "x"}, {"operator", "Exists"}});
  Pods().PrepareForUpdate(tol, old);
  CHECK(Pods().ValidateUpdate(tol, old).empty());  // additions are allowed
}

TEST_CASE("pod status updates keep the spec", "[strategy]") {
  Json old = NewPod(Nginx());
  REQUIRE(Create(old) == "");
  old["metadata"]["resourceVersion"] = "3";
  Json status = old;
  status["spec"]["nodeName"] = "sneaky";
  status["status"]["phase"] = "Running";
  status["status"]["podIP"] = "10.244.0.5";
  Pods().Default(status);
  Pods().PrepareForStatusUpdate(status, old);
  CHECK(status["spec"] == old["spec"]);
  CHECK(status["status"]["podIPs"] == Json::array({{{"ip", "10.244.0.5"}}}));
  CHECK(Pods().ValidateStatusUpdate(status, old).empty());
  Json qos = status;
  qos["status"]["qosClass"] = "Guaranteed";
  CHECK(ToInvalidStatus("", "Pod", "web", Pods().ValidateStatusUpdate(qos, old))
            .message() ==
        "Pod \"web\" is invalid: status.qosClass: Invalid value: "
        "\"Guaranteed\": field is "
        "immutable");
}

TEST_CASE("pod selectable fields", "[strategy]") {
  Json pod = NewPod(Nginx());
  REQUIRE(Create(pod) == "");
  pod["spec"]["nodeName"] = "node-1";
  pod["status"]["podIPs"] = {{{"ip", "10.244.0.7"}}};
  std::map<std::string, std::string> fields;
  Pods().AddSelectableFields(pod, fields);
  CHECK(fields["status.phase"] == "Pending");
  CHECK(fields["spec.nodeName"] == "node-1");
  CHECK(fields["spec.restartPolicy"] == "Always");
  CHECK(fields["spec.schedulerName"] == "default-scheduler");
  CHECK(fields["spec.serviceAccountName"] == "default");
  CHECK(fields["spec.hostNetwork"] == "false");
  CHECK(fields["status.podIP"] == "10.244.0.7");
  CHECK(fields["status.nominatedNodeName"] == "");
  CHECK(Pods().IsSelectableField("status.phase"));
  CHECK(!Pods().IsSelectableField("spec.containers"));
}

}  // namespace
}  // namespace ksim::apiserver
