#include <catch2/catch.hpp>

#include "apiserver/resources.h"
#include "apiserver/strategy.h"

namespace ksim::apiserver {
namespace {

const Strategy& Services() {
  return StrategyFor(*FindResource("", "v1", "services"));
}

Json NewService(Json spec, const std::string& name = "webapp") {
  return {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata", {{"name", name}, {"namespace", "default"}, {"uid", "u1"}}},
      {"spec", std::move(spec)}};
}

std::string Create(Json& svc) {
  Services().Default(svc);
  Services().PrepareForCreate(svc);
  FieldErrors errs = Services().ValidateCreate(svc);
  if (errs.empty()) return "";
  return ToInvalidStatus("", "Service", svc["metadata"]["name"], errs)
      .message();
}

TEST_CASE("service defaults (kubectl expose body)", "[strategy]") {
  // What kubectl expose sends, after the registry allocated the address.
  Json svc = NewService(
      {{"ports", {{{"port", 8080}, {"protocol", "TCP"}, {"targetPort", 8080}}}},
       {"selector", {{"app", "webapp"}}},
       {"clusterIP", "10.96.64.44"}});
  svc["status"] = {{"loadBalancer", Json::object()}};
  REQUIRE(Create(svc) == "");
  const Json& spec = svc["spec"];
  CHECK(spec["type"] == "ClusterIP");
  CHECK(spec["sessionAffinity"] == "None");
  CHECK(spec["clusterIPs"] == Json::array({"10.96.64.44"}));
  CHECK(spec["ipFamilyPolicy"] == "SingleStack");
  CHECK(spec["ipFamilies"] == Json::array({"IPv4"}));
  CHECK(spec["internalTrafficPolicy"] == "Cluster");
  CHECK(!spec.contains("externalTrafficPolicy"));
  CHECK(svc["status"] == Json{{"loadBalancer", Json::object()}});

  Json node_port = NewService({{"type", "NodePort"},
                               {"ports", {{{"port", 80}, {"nodePort", 30080}}}},
                               {"clusterIP", "10.96.0.9"}});
  REQUIRE(Create(node_port) == "");
  CHECK(node_port["spec"]["externalTrafficPolicy"] == "Cluster");
  CHECK(node_port["spec"]["ports"][0]["targetPort"] == 80);
  CHECK(node_port["spec"]["ports"][0]["protocol"] == "TCP");

  Json lb = NewService({{"type", "LoadBalancer"},
                        {"ports", {{{"port", 80}}}},
                        {"clusterIP", "10.96.0.8"}});
  REQUIRE(Create(lb) == "");
  CHECK(lb["spec"]["allocateLoadBalancerNodePorts"] == true);

  Json ext =
      NewService({{"type", "ExternalName"}, {"externalName", "example.com"}});
  REQUIRE(Create(ext) == "");
  CHECK(!ext["spec"].contains("ipFamilies"));
  CHECK(!ext["spec"].contains("internalTrafficPolicy"));
}

TEST_CASE("service validation messages", "[strategy]") {
  Json none = NewService({{"clusterIP", "10.96.0.1"}}, "badsvc");
  CHECK(Create(none) ==
        "Service \"badsvc\" is invalid: spec.ports: Required value");

  Json type = NewService({{"type", "Foo"},
                          {"ports", {{{"port", 80}}}},
                          {"clusterIP", "10.96.0.1"}},
                         "badsvc");
  CHECK(Create(type) ==
        "Service \"badsvc\" is invalid: spec.type: Unsupported value: \"Foo\": "
        "supported "
        "values: \"ClusterIP\", \"ExternalName\", \"LoadBalancer\", "
        "\"NodePort\"");

  Json names =
      NewService({{"ports", {{{"port", 80}}, {{"port", 0}, {"name", "b"}}}},
                  {"clusterIP", "10.96.0.1"}});
  CHECK(Create(names) ==
        "Service \"webapp\" is invalid: [spec.ports[0].name: Required value, "
        "spec.ports[1].port: Invalid value: 0: must be between 1 and 65535, "
        "inclusive, "
        "spec.ports[1].targetPort: Invalid value: 0: must be between 1 and "
        "65535, "
        "inclusive]");

  Json dup = NewService(
      {{"ports",
        {{{"port", 80}, {"name", "a"}}, {{"port", 80}, {"name", "b"}}}},
       {"clusterIP", "10.96.0.1"}});
  CHECK(Create(dup) ==
        "Service \"webapp\" is invalid: spec.ports[1]: Duplicate value: "
        "core.ServicePort{Name:\"\", Protocol:\"TCP\", "
        "AppProtocol:(*string)(nil), Port:80, "
        "TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
        "NodePort:0}");

  Json name = NewService(
      {{"ports", {{{"port", 80}}}}, {"clusterIP", "10.96.0.1"}}, "1svc");
  CHECK(Create(name).find(
            "metadata.name: Invalid value: \"1svc\": a DNS-1035 label must "
            "consist of lower case alphanumeric characters") !=
        std::string::npos);

  Json cluster_node_port =
      NewService({{"ports", {{{"port", 80}, {"nodePort", 30001}}}},
                  {"clusterIP", "10.96.0.1"}});
  CHECK(Create(cluster_node_port) ==
        "Service \"webapp\" is invalid: spec.ports[0].nodePort: Forbidden: may "
        "not be used "
        "when `type` is 'ClusterIP'");
}

TEST_CASE("service clusterIP is immutable", "[strategy]") {
  Json old =
      NewService({{"ports", {{{"port", 80}}}}, {"clusterIP", "10.96.0.10"}});
  REQUIRE(Create(old) == "");
  old["metadata"]["resourceVersion"] = "12";

  Json moved = old;
  moved["spec"]["clusterIP"] = "10.96.0.11";
  Services().Default(moved);
  Services().PrepareForUpdate(moved, old);
  CHECK(ToInvalidStatus("", "Service", "webapp",
                        Services().ValidateUpdate(moved, old))
            .message() ==
        "Service \"webapp\" is invalid: spec.clusterIPs[0]: Invalid value: "
        "[]string{\"10.96.0.11\"}: may not change once set");

  // An old client sends clusterIP only: clusterIPs are kept.
  Json old_client = old;
  old_client["spec"].erase("clusterIPs");
  old_client["spec"]["ports"][0]["port"] = 81;
  old_client["spec"]["ports"][0]["targetPort"] = 81;
  Services().Default(old_client);
  Services().PrepareForUpdate(old_client, old);
  CHECK(Services().ValidateUpdate(old_client, old).empty());
  CHECK(old_client["spec"]["clusterIPs"] == Json::array({"10.96.0.10"}));

  // NodePort -> ClusterIP drops the node ports the user did not change.
  Json np = NewService({{"type", "NodePort"},
                        {"ports", {{{"port", 80}, {"nodePort", 30080}}}},
                        {"clusterIP", "10.96.0.12"}});
  REQUIRE(Create(np) == "");
  np["metadata"]["resourceVersion"] = "13";
  Json back = np;
  back["spec"]["type"] = "ClusterIP";
  Services().Default(back);
  Services().PrepareForUpdate(back, np);
  CHECK(!back["spec"]["ports"][0].contains("nodePort"));
  CHECK(!back["spec"].contains("externalTrafficPolicy"));
  CHECK(Services().ValidateUpdate(back, np).empty());
}

TEST_CASE("service selectable fields", "[strategy]") {
  Json svc =
      NewService({{"ports", {{{"port", 80}}}}, {"clusterIP", "10.96.0.10"}});
  REQUIRE(Create(svc) == "");
  std::map<std::string, std::string> fields;
  Services().AddSelectableFields(svc, fields);
  CHECK(fields["spec.clusterIP"] == "10.96.0.10");
  CHECK(fields["spec.type"] == "ClusterIP");
}

}  // namespace
}  // namespace ksim::apiserver
