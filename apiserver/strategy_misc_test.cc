// Namespaces, Nodes, ConfigMaps, Secrets, Endpoints, EndpointSlices,
// Events and Leases.
#include <catch2/catch.hpp>

#include "apiserver/resources.h"
#include "apiserver/strategy.h"

namespace ksim::apiserver {
namespace {

const Strategy& For(const char* group, const char* resource) {
  return StrategyFor(*FindResource(group, "v1", resource));
}

Json Obj(const std::string& name, const std::string& ns = "default") {
  Json meta = {{"name", name}, {"uid", "u"}};
  if (!ns.empty()) meta["namespace"] = ns;
  return {{"metadata", meta}};
}

std::string Create(const Strategy& s, Json& obj, const std::string& group,
                   const std::string& kind) {
  s.Default(obj);
  s.PrepareForCreate(obj);
  FieldErrors errs = s.ValidateCreate(obj);
  if (errs.empty()) return "";
  return ToInvalidStatus(group, kind, obj["metadata"].value("name", ""), errs)
      .message();
}

TEST_CASE("namespaces", "[strategy]") {
  const Strategy& s = For("", "namespaces");
  Json ns = Obj("team-a", "");
  REQUIRE(Create(s, ns, "", "Namespace") == "");
  CHECK(ns["metadata"]["labels"]["kubernetes.io/metadata.name"] == "team-a");
  CHECK(ns["spec"]["finalizers"] == Json::array({"kubernetes"}));
  CHECK(ns["status"] == Json{{"phase", "Active"}});

  Json bad = Obj("Team_A", "");
  CHECK(Create(s, bad, "", "Namespace") ==
        "Namespace \"Team_A\" is invalid: metadata.name: Invalid value: "
        "\"Team_A\": a "
        "lowercase RFC 1123 label must consist of lower case alphanumeric "
        "characters or "
        "'-', and must start and end with an alphanumeric character (e.g. "
        "'my-name',  "
        "or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");

  ns["metadata"]["resourceVersion"] = "2";
  Json upd = ns;
  upd["status"]["phase"] = "Terminating";
  upd["spec"]["finalizers"] = Json::array();
  s.Default(upd);
  s.PrepareForUpdate(upd, ns);
  CHECK(upd["status"]["phase"] ==
        "Active");  // main resource can't change status
  CHECK(upd["spec"]["finalizers"] == Json::array({"kubernetes"}));
  CHECK(s.ValidateUpdate(upd, ns).empty());

  Json st = ns;
  st["status"]["phase"] = "Terminating";
  s.PrepareForStatusUpdate(st, ns);
  CHECK(
      ToInvalidStatus("", "Namespace", "team-a", s.ValidateStatusUpdate(st, ns))
          .message() ==
      "Namespace \"team-a\" is invalid: status.Phase: Invalid value: "
      "\"Terminating\": "
      "may only be 'Active' if `deletionTimestamp` is empty");

  std::map<std::string, std::string> fields;
  s.AddSelectableFields(ns, fields);
  CHECK(fields["status.phase"] == "Active");
  CHECK(fields["name"] == "team-a");
}

TEST_CASE("nodes", "[strategy]") {
  const Strategy& s = For("", "nodes");
  Json node = Obj("node-1", "");
  node["spec"] = {{"podCIDR", "10.244.1.0/24"}};
  node["status"] = {
      {"capacity", {{"cpu", "4"}, {"memory", "8192Mi"}, {"pods", "110"}}}};
  REQUIRE(Create(s, node, "", "Node") == "");
  CHECK(node["spec"]["podCIDRs"] == Json::array({"10.244.1.0/24"}));
  CHECK(node["status"]["allocatable"] ==
        Json{{"cpu", "4"}, {"memory", "8Gi"}, {"pods", "110"}});
  CHECK(node["status"]["nodeInfo"]["kubeletVersion"] == "");
  CHECK(node["status"]["daemonEndpoints"]["kubeletEndpoint"]["Port"] == 0);

  Json bad = Obj("node-2", "");
  bad["spec"] = {{"podCIDR", "10.244.0/24"}};
  CHECK(Create(s, bad, "", "Node") ==
        "Node \"node-2\" is invalid: spec.podCIDRs[0]: Invalid value: "
        "\"10.244.0/24\": "
        "must be a valid CIDR value, (e.g. 10.9.8.0/24 or 2001:db8::/64)");

  node["metadata"]["resourceVersion"] = "5";
  Json moved = node;
  moved["spec"]["podCIDR"] = "10.244.9.0/24";
  moved["spec"]["podCIDRs"] = {"10.244.9.0/24"};
  moved["spec"]["unschedulable"] = true;
  s.Default(moved);
  s.PrepareForUpdate(moved, node);
  CHECK(ToInvalidStatus("", "Node", "node-1", s.ValidateUpdate(moved, node))
            .message() ==
        "Node \"node-1\" is invalid: spec.podCIDRs: Forbidden: node updates "
        "may not "
        "change podCIDR except from \"\" to valid");
  std::map<std::string, std::string> fields;
  s.AddSelectableFields(moved, fields);
  CHECK(fields["spec.unschedulable"] == "true");

  // A kubelet's status write keeps the spec and is defaulted like any body.
  Json heartbeat = node;
  heartbeat["spec"]["unschedulable"] = true;
  heartbeat["status"] = {
      {"capacity", {{"cpu", "2000m"}, {"memory", "2048Mi"}}}};
  s.PrepareForStatusUpdate(heartbeat, node);
  CHECK(heartbeat["spec"] == node["spec"]);
  CHECK(heartbeat["status"]["allocatable"] ==
        Json{{"cpu", "2"}, {"memory", "2Gi"}});
  CHECK(s.ValidateStatusUpdate(heartbeat, node).empty());
}

TEST_CASE("configmaps and secrets", "[strategy]") {
  const Strategy& cms = For("", "configmaps");
  Json cm = Obj("cfg");
  cm["data"] = {{"bad key", "v"}, {"ok.key", "v"}};
  CHECK(Create(cms, cm, "", "ConfigMap")
            .find("ConfigMap \"cfg\" is invalid: data[bad key]: Invalid value: "
                  "\"bad key\": a "
                  "valid config key must consist of alphanumeric characters, "
                  "'-', '_' or '.'") == 0);

  Json big = Obj("big");
  big["data"] = {{"blob", std::string(1024 * 1024 + 1, 'x')}};
  CHECK(Create(cms, big, "", "ConfigMap") ==
        "ConfigMap \"big\" is invalid: []: Too long: may not be more than "
        "1048576 bytes");

  Json frozen = Obj("frozen");
  frozen["data"] = {{"a", "1"}};
  frozen["immutable"] = true;
  REQUIRE(Create(cms, frozen, "", "ConfigMap") == "");
  frozen["metadata"]["resourceVersion"] = "3";
  Json edit = frozen;
  edit["data"]["a"] = "2";
  CHECK(ToInvalidStatus("", "ConfigMap", "frozen",
                        cms.ValidateUpdate(edit, frozen))
            .message() ==
        "ConfigMap \"frozen\" is invalid: data: Forbidden: field is immutable "
        "when "
        "`immutable` is set");

  const Strategy& secrets = For("", "secrets");
  Json secret = Obj("creds");
  secret["stringData"] = {{"password", "hunter2"}};
  REQUIRE(Create(secrets, secret, "", "Secret") == "");
  CHECK(secret["type"] == "Opaque");
  CHECK(secret["data"] == Json{{"password", "aHVudGVyMg=="}});
  CHECK(!secret.contains("stringData"));
  std::map<std::string, std::string> fields;
  secrets.AddSelectableFields(secret, fields);
  CHECK(fields["type"] == "Opaque");

  Json tls = Obj("tls");
  tls["type"] = "kubernetes.io/tls";
  tls["data"] = {{"tls.crt", "Y3J0"}};
  CHECK(Create(secrets, tls, "", "Secret") ==
        "Secret \"tls\" is invalid: data[tls.key]: Required value");

  secret["metadata"]["resourceVersion"] = "9";
  Json retyped = secret;
  retyped["type"] = "kubernetes.io/basic-auth";
  retyped["data"] = {{"username", "YQ=="}};
  CHECK(ToInvalidStatus("", "Secret", "creds",
                        secrets.ValidateUpdate(retyped, secret))
            .message() ==
        "Secret \"creds\" is invalid: type: Invalid value: "
        "\"kubernetes.io/basic-auth\": "
        "field is immutable");
}

TEST_CASE("endpoints and endpointslices", "[strategy]") {
  const Strategy& eps = For("", "endpoints");
  Json ep = Obj("webapp");
  ep["subsets"] = {{{"addresses", {{{"ip", "10.244.0.12"}}}},
                    {"ports", {{{"port", 8080}}}}}};
  REQUIRE(Create(eps, ep, "", "Endpoints") == "");
  CHECK(ep["subsets"][0]["ports"][0]["protocol"] == "TCP");
  Json empty = Obj("webapp");
  empty["subsets"] = {{{"ports", {{{"port", 8080}}}}}};
  CHECK(Create(eps, empty, "", "Endpoints") ==
        "Endpoints \"webapp\" is invalid: subsets[0]: Required value: must "
        "specify "
        "`addresses` or `notReadyAddresses`");

  const Strategy& slices =
      StrategyFor(*FindResource("discovery.k8s.io", "v1", "endpointslices"));
  Json slice = Obj("webapp-abc12");
  slice["addressType"] = "IPv4";
  slice["endpoints"] = {{{"addresses", {"10.244.0.12"}}}};
  slice["ports"] = {{{"port", 8080}}};
  REQUIRE(Create(slices, slice, "discovery.k8s.io", "EndpointSlice") == "");
  CHECK(slice["ports"][0] ==
        Json{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}});
  CHECK(slice["endpoints"][0]["conditions"] == Json::object());

  Json bad = Obj("bad");
  bad["addressType"] = "IPv5";
  bad["endpoints"] = {{{"addresses", Json::array()}}};
  CHECK(Create(slices, bad, "discovery.k8s.io", "EndpointSlice") ==
        "EndpointSlice.discovery.k8s.io \"bad\" is invalid: [addressType: "
        "Unsupported "
        "value: \"IPv5\": supported values: \"FQDN\", \"IPv4\", \"IPv6\", "
        "endpoints[0].addresses: Required value: must contain at least 1 "
        "address]");
  Json none = Obj("none");
  none["addressType"] = "IPv4";
  REQUIRE(Create(slices, none, "discovery.k8s.io", "EndpointSlice") == "");
  CHECK(none["endpoints"].is_null());
  CHECK(none["ports"].is_null());
}

TEST_CASE("events", "[strategy]") {
  const Strategy& s = For("", "events");
  Json ev = Obj("web.17f");
  ev["involvedObject"] = {{"kind", "Pod"},
                          {"name", "web"},
                          {"namespace", "default"},
                          {"uid", "p1"}};
  ev["reason"] = "Scheduled";
  ev["source"] = {{"component", "default-scheduler"}};
  ev["type"] = "Normal";
  REQUIRE(Create(s, ev, "", "Event") == "");
  CHECK(ev["eventTime"].is_null());
  CHECK(ev["reportingComponent"] == "");
  std::map<std::string, std::string> fields;
  s.AddSelectableFields(ev, fields);
  CHECK(fields["involvedObject.kind"] == "Pod");
  CHECK(fields["involvedObject.name"] == "web");
  CHECK(fields["involvedObject.namespace"] == "default");
  CHECK(fields["involvedObject.uid"] == "p1");
  CHECK(fields["source"] == "default-scheduler");
  CHECK(fields["reason"] == "Scheduled");
  CHECK(fields["type"] == "Normal");
  CHECK(s.IsSelectableField("involvedObject.fieldPath"));

  Json other = ev;
  other["involvedObject"]["namespace"] = "kube-system";
  CHECK(
      Create(s, other, "", "Event") ==
      "Event \"web.17f\" is invalid: involvedObject.namespace: Invalid value: "
      "\"kube-system\": does not match event.namespace");
}

TEST_CASE("leases and StrategyFor", "[strategy]") {
  const Strategy& s =
      StrategyFor(*FindResource("coordination.k8s.io", "v1", "leases"));
  Json lease = Obj("node-1", "kube-node-lease");
  lease["spec"] = {{"holderIdentity", "node-1"}, {"leaseDurationSeconds", 0}};
  CHECK(Create(s, lease, "coordination.k8s.io", "Lease") ==
        "Lease.coordination.k8s.io \"node-1\" is invalid: "
        "spec.leaseDurationSeconds: "
        "Invalid value: 0: must be greater than 0");
  lease["spec"]["leaseDurationSeconds"] = 40;
  CHECK(Create(s, lease, "coordination.k8s.io", "Lease") == "");

  const Strategy& sa = For("", "serviceaccounts");
  Json account = Obj("Default");
  CHECK(Create(sa, account, "", "ServiceAccount")
            .find("metadata.name: Invalid value: \"Default\"") !=
        std::string::npos);
  // Every served resource has a strategy.
  for (const ResourceInfo& r : AllResources()) {
    Json obj = Obj("x", r.namespaced ? "default" : "");
    StrategyFor(r).Default(obj);
    CHECK(obj.is_object());
  }
}

}  // namespace
}  // namespace ksim::apiserver
