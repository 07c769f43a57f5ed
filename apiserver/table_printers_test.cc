#include <catch2/catch.hpp>

#include "apiserver/table.h"
#include "apiserver/table_test_util.h"

namespace ksim::apiserver {
namespace {

using namespace table_test;  // NOLINT: test helpers

Json Service(Json spec, Json status = Json::object()) {
  return {{"metadata", Meta("webapp")}, {"spec", spec}, {"status", status}};
}

TEST_CASE("service printer", "[table]") {
  base::Time now = kT0 + seconds(3);
  Json cluster = Service({{"type", "ClusterIP"},
                          {"clusterIP", "10.96.64.44"},
                          {"clusterIPs", {"10.96.64.44"}},
                          {"selector", {{"app", "webapp"}}},
                          {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}});
  CHECK(Cells("", "services", cluster, now) ==
        Json({"webapp", "ClusterIP", "10.96.64.44", "<none>", "8080/TCP", "3s",
              "app=webapp"}));

  Json node_port =
      Service({{"type", "NodePort"},
               {"clusterIPs", {"10.96.0.10"}},
               {"externalIPs", {"192.0.2.1", "192.0.2.2"}},
               {"selector", {{"b", "2"}, {"a.b", "1"}, {"a", "3"}}},
               {"ports",
                {{{"port", 80}, {"nodePort", 30080}, {"protocol", "TCP"}},
                 {{"port", 53}, {"protocol", "UDP"}}}}});
  Json cells = Cells("", "services", node_port, now);
  CHECK(cells[3] == "192.0.2.1,192.0.2.2");
  CHECK(cells[4] == "80:30080/TCP,53/UDP");
  CHECK(cells[6] == "a.b=1,a=3,b=2");  // labels.Set sorts "k=v" strings

  Json lb = Service(
      {{"type", "LoadBalancer"},
       {"clusterIPs", {"10.96.0.11"}},
       {"ports", {{{"port", 443}, {"nodePort", 31443}, {"protocol", "TCP"}}}}});
  CHECK(Cells("", "services", lb, now)[3] == "<pending>");
  lb["status"] = {
      {"loadBalancer",
       {{"ingress",
         {{{"hostname", "lb.example.com"}}, {{"ip", "203.0.113.9"}}}}}}};
  CHECK(Cells("", "services", lb, now)[3] == "203.0.113.9,lb.example.com");

  Json external =
      Service({{"type", "ExternalName"}, {"externalName", "db.example.com"}});
  CHECK(Cells("", "services", external, now) ==
        Json({"webapp", "ExternalName", "<none>", "db.example.com", "<none>",
              "3s", "<none>"}));
}

TEST_CASE("endpoints and endpointslice printers", "[table]") {
  Json addrs = Json::array();
  for (int i = 1; i <= 5; ++i) {
    addrs.push_back({{"ip", "10.244.0." + std::to_string(i)}});
  }
  Json ep = {{"metadata", Meta("webapp")},
             {"subsets",
              {{{"addresses", addrs},
                {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}}}};
  CHECK(Cells("", "endpoints", ep, kT0 + seconds(2)) ==
        Json({"webapp",
              "10.244.0.1:8080,10.244.0.2:8080,10.244.0.3:8080 + 2 more...",
              "2s"}));
  Json two_ports = {
      {"metadata", Meta("dns")},
      {"subsets",
       {{{"addresses", {{{"ip", "fd00::1"}}, {{"ip", "10.0.0.2"}}}},
         {"ports", {{{"port", 53}}, {{"port", 9153}}}}}}}};
  CHECK(Cells("", "endpoints", two_ports, kT0)[1] ==
        "[fd00::1]:53,10.0.0.2:53,[fd00::1]:9153 + 1 more...");
  Json headless = {{"metadata", Meta("h")},
                   {"subsets", {{{"addresses", {{{"ip", "10.0.0.7"}}}}}}}};
  CHECK(Cells("", "endpoints", headless, kT0)[1] == "10.0.0.7");
  Json empty = {{"metadata", Meta("e")}};
  CHECK(Cells("", "endpoints", empty, kT0)[1] == "<none>");

  Json slice = {
      {"metadata", Meta("webapp-abcde")},
      {"addressType", "IPv4"},
      {"ports", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}}},
      {"endpoints",
       {{{"addresses", {"10.244.0.1"}}}, {{"addresses", {"10.244.0.2"}}}}}};
  CHECK(Cells("discovery.k8s.io", "endpointslices", slice, kT0 + seconds(2)) ==
        Json({"webapp-abcde", "IPv4", "8080", "10.244.0.1,10.244.0.2", "2s"}));
  Json odd = {
      {"metadata", Meta("x")},
      {"addressType", "IPv4"},
      {"ports",
       {{{"name", "http"}}, Json::object(), {{"port", 1}}, {{"port", 2}}}},
      {"endpoints", {{{"addresses", {"a", "b", "c", "d", "e"}}}}}};
  Json cells = Cells("discovery.k8s.io", "endpointslices", odd, kT0);
  CHECK(cells[2] == "http,*,1 + 1 more...");
  CHECK(cells[3] == "a,b,c + 2 more...");
  odd.erase("ports");
  odd.erase("endpoints");
  cells = Cells("discovery.k8s.io", "endpointslices", odd, kT0);
  CHECK(cells[2] == "<unset>");
  CHECK(cells[3] == "<unset>");
}

TEST_CASE("event printer", "[table]") {
  Json ev = {{"metadata", Meta("webapp-1.17f")},
             {"involvedObject",
              {{"kind", "Pod"},
               {"name", "webapp-1"},
               {"fieldPath", "spec.containers{webapp}"}}},
             {"reason", "Pulled"},
             {"message", "  Container image pulled\n"},
             {"type", "Normal"},
             {"source", {{"component", "kubelet"}, {"host", "node-1"}}},
             {"firstTimestamp", Ts(seconds(0))},
             {"lastTimestamp", Ts(seconds(50))},
             {"count", 3}};
  CHECK(Cells("", "events", ev, kT0 + seconds(60)) ==
        Json({"10s", "Normal", "Pulled", "pod/webapp-1",
              "spec.containers{webapp}", "kubelet, node-1",
              "Container image pulled", "60s", 3, "webapp-1.17f"}));

  // An events.k8s.io-style event: eventTime, reporting fields, no count.
  Json v2 = {{"metadata", Meta("x")},
             {"involvedObject", {{"kind", "Node"}}},
             {"type", "Warning"},
             {"reason", "Rebooted"},
             {"eventTime", "2025-01-01T00:00:00.250000Z"},
             {"reportingComponent", "kubelet"},
             {"reportingInstance", ""}};
  const base::Time later = kT0 + minutes(3) + std::chrono::milliseconds(500);
  Json cells = Cells("", "events", v2, later);
  CHECK(cells[0] == "3m");
  CHECK(cells[3] == "node");
  CHECK(cells[5] == "kubelet");
  CHECK(cells[7] == "3m");
  CHECK(cells[8] == 1);

  v2["series"] = {{"count", 7}, {"lastObservedTime", Ts(minutes(2))}};
  cells = Cells("", "events", v2, later);
  CHECK(cells[0] == "60s");
  CHECK(cells[8] == 7);
  Json none = {{"metadata", Meta("y")}};
  CHECK(Cells("", "events", none, kT0)[0] == "<unknown>");
}

TEST_CASE("node and namespace printers", "[table]") {
  Json node = {{"metadata",
                {{"name", "cp-1"},
                 {"creationTimestamp", Ts(seconds(0))},
                 {"labels",
                  {{"node-role.kubernetes.io/control-plane", ""},
                   {"kubernetes.io/hostname", "cp-1"}}}}},
               {"spec", Json::object()},
               {"status",
                {{"conditions",
                  {{{"type", "MemoryPressure"}, {"status", "False"}},
                   {{"type", "Ready"}, {"status", "True"}}}},
                 {"addresses",
                  {{{"type", "InternalIP"}, {"address", "172.18.0.2"}},
                   {{"type", "Hostname"}, {"address", "cp-1"}}}},
                 {"nodeInfo",
                  {{"kubeletVersion", "v1.32.0"},
                   {"osImage", "Debian GNU/Linux 12 (bookworm)"},
                   {"kernelVersion", "6.1.0-18-amd64"},
                   {"containerRuntimeVersion", "containerd://1.7.13"}}}}}};
  CHECK(Cells("", "nodes", node, kT0 + hours(24 * 10)) ==
        Json({"cp-1", "Ready", "control-plane", "10d", "v1.32.0", "172.18.0.2",
              "<none>", "Debian GNU/Linux 12 (bookworm)", "6.1.0-18-amd64",
              "containerd://1.7.13"}));

  node["spec"]["unschedulable"] = true;
  node["status"]["conditions"][1]["status"] = "Unknown";
  node["metadata"]["labels"] = {{"kubernetes.io/role", "master"},
                                {"node-role.kubernetes.io/worker", ""},
                                {"node-role.kubernetes.io/", ""}};
  Json cells = Cells("", "nodes", node, kT0);
  CHECK(cells[1] == "NotReady,SchedulingDisabled");
  CHECK(cells[2] == "master,worker");
  node["status"] = Json::object();
  node["metadata"].erase("labels");
  cells = Cells("", "nodes", node, kT0);
  CHECK(cells[1] == "Unknown,SchedulingDisabled");
  CHECK(cells[2] == "<none>");
  CHECK(cells[4] == "");
  CHECK(cells[5] == "<none>");
  CHECK(cells[7] == "<unknown>");

  Json ns = {{"metadata", Meta("default")}, {"status", {{"phase", "Active"}}}};
  CHECK(Cells("", "namespaces", ns, kT0 + hours(24 * 5)) ==
        Json({"default", "Active", "5d"}));
}

TEST_CASE("workload printers", "[table]") {
  Json template_spec = {
      {"containers",
       {{{"name", "webapp"}, {"image", "kubeguide/tomcat-app:v1"}},
        {{"name", "sidecar"}, {"image", "busybox"}}}}};
  Json deploy = {{"metadata", Meta("webapp")},
                 {"spec",
                  {{"replicas", 2},
                   {"selector", {{"matchLabels", {{"app", "webapp"}}}}},
                   {"template", {{"spec", template_spec}}}}},
                 {"status",
                  {{"replicas", 2},
                   {"readyReplicas", 1},
                   {"updatedReplicas", 2},
                   {"availableReplicas", 1}}}};
  CHECK(Cells("apps", "deployments", deploy, kT0 + seconds(9)) ==
        Json({"webapp", "1/2", 2, 1, "9s", "webapp,sidecar",
              "kubeguide/tomcat-app:v1,busybox", "app=webapp"}));
  deploy["spec"]["selector"] = {
      {"matchExpressions", {{{"key", "a"}, {"operator", "Bogus"}}}}};
  deploy.erase("status");
  Json cells = Cells("apps", "deployments", deploy, kT0);
  CHECK(cells[1] == "0/2");
  CHECK(cells[2] == 0);
  CHECK(cells[7] == "<invalid>");

  Json rs = {
      {"metadata", Meta("webapp-5d8f")},
      {"spec",
       {{"replicas", 3},
        {"selector",
         {{"matchLabels", {{"app", "webapp"}, {"pod-template-hash", "5d8f"}}}}},
        {"template", {{"spec", template_spec}}}}},
      {"status", {{"replicas", 3}, {"readyReplicas", 2}}}};
  CHECK(Cells("apps", "replicasets", rs, kT0 + minutes(95)) ==
        Json({"webapp-5d8f", 3, 3, 2, "95m", "webapp,sidecar",
              "kubeguide/tomcat-app:v1,busybox",
              "app=webapp,pod-template-hash=5d8f"}));
  rs["spec"].erase("selector");
  CHECK(Cells("apps", "replicasets", rs, kT0)[7] == "<none>");
}

TEST_CASE("config, secret, service account and lease printers", "[table]") {
  Json cm = {{"metadata", Meta("cfg")},
             {"data", {{"a", "1"}, {"b", "2"}}},
             {"binaryData", {{"c", "AA=="}}}};
  CHECK(Cells("", "configmaps", cm, kT0 + seconds(5)) ==
        Json({"cfg", 3, "5s"}));
  Json secret = {{"metadata", Meta("tls")},
                 {"type", "kubernetes.io/tls"},
                 {"data", {{"tls.crt", "AA=="}, {"tls.key", "AA=="}}}};
  CHECK(Cells("", "secrets", secret, kT0 + minutes(1)) ==
        Json({"tls", "kubernetes.io/tls", 2, "60s"}));
  Json sa = {{"metadata", Meta("default")}};
  CHECK(Cells("", "serviceaccounts", sa, kT0 + hours(30)) ==
        Json({"default", 0, "30h"}));
  Json lease = {{"metadata", Meta("node-1")},
                {"spec", {{"holderIdentity", "node-1"}}}};
  CHECK(Cells("coordination.k8s.io", "leases", lease, kT0 + hours(1)) ==
        Json({"node-1", "node-1", "60m"}));
  lease.erase("spec");
  CHECK(Cells("coordination.k8s.io", "leases", lease, kT0)[1] == "");
}

}  // namespace
}  // namespace ksim::apiserver
