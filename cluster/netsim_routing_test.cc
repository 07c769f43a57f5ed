// More of kube-proxy's and the applications' behaviour through the netsim
// in a whole virtual-time cluster: NodePort, named targetPorts,
// internalTrafficPolicy Local, the terminating-endpoint fallback, a
// frontend calling its backend, the echo server, metrics and determinism.
// Each test prints its seed; rerun one with KSIM_TEST_SEED=<n>.
#include <catch2/catch.hpp>
#include <map>
#include <string>
#include <vector>

#include "cluster/netsim_test_util.h"
#include "netsim/network.h"
#include "netsim/proxier.h"

namespace ksim::cluster {
namespace {

using namespace testing;  // NOLINT: test helpers

std::string NodeIP(Cluster& c, const std::string& node) {
  auto n = c.client()->Get(client::kNodes, "", node);
  REQUIRE(n.ok());
  for (const auto& a : (*n)["status"]["addresses"]) {
    if (a["type"] == "InternalIP") return a["address"];
  }
  FAIL("no InternalIP");
  return "";
}

Json TomcatPod(const std::string& name, const std::string& node,
               const std::string& app) {
  Json p = ClientPod(name, node);
  p["metadata"]["labels"] = {{"app", app}};
  p["spec"]["containers"][0] = {
      {"name", "web"},
      {"image", "kubeguide/tomcat-app:v1"},
      {"ports", {{{"name", "http"}, {"containerPort", 8080}}}}};
  return p;
}

TEST_CASE("NodePort on every node, a named targetPort, and "
          "internalTrafficPolicy Local",
          "[netsim]") {
  uint64_t seed = NetTestSeed(51);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  CreateObject(*c, client::kPods, TomcatPod("web-1", "k8s-node-1", "web"));
  CreateObject(*c, client::kPods, ClientPod("client-1", "k8s-node-1"));
  CreateObject(*c, client::kPods, ClientPod("client-2", "k8s-node-2"));
  WaitReady(*c, "app in (web,client-1,client-2)", 3);
  Json svc = ServiceFor("web", 80, "http", "web");  // named targetPort
  svc["spec"]["type"] = "NodePort";
  CreateObject(*c, client::kServices, svc);
  Json local = ServiceFor("web-local", 80, 8080, "web");
  local["spec"]["internalTrafficPolicy"] = "Local";
  CreateObject(*c, client::kServices, local);
  SettleNetwork(*c);
  auto s = c->client()->Get(client::kServices, "default", "web");
  REQUIRE(s.ok());
  int node_port = (*s)["spec"]["ports"][0]["nodePort"];
  std::string pod_ip = PodIP(Pods(*c, "app=web")[0]);
  for (const char* node : {"k8s-master", "k8s-node-1", "k8s-node-2"}) {
    INFO(node);
    NetResponse r = Curl(*c, "http://" + NodeIP(*c, node) + ":" +
                                 std::to_string(node_port) + "/");
    CHECK(r.curl_code == 0);
    CHECK(r.endpoint == pod_ip + ":8080");  // "http" resolved to 8080
  }
  NetResponse via_vip = Curl(*c, "http://web/", "pod/default/client-2");
  CHECK(via_vip.curl_code == 0);
  CHECK(via_vip.endpoint == pod_ip + ":8080");
  // Local: only the endpoints on the client's node; none there -> DROP.
  CHECK(Curl(*c, "http://web-local/", "pod/default/client-1").curl_code == 0);
  NetResponse dropped = Curl(*c, "http://web-local/", "pod/default/client-2", 1);
  CHECK(dropped.curl_code == 28);
  CHECK(dropped.error.find("Timeout was reached") != std::string::npos);
  // A node port nothing serves, and a node's own closed port.
  CHECK(Curl(*c, "http://" + NodeIP(*c, "k8s-node-2") + ":22/").curl_code == 7);
}

TEST_CASE("kube-apiserver and the kubelets are TLS servers on the nodes",
          "[netsim]") {
  uint64_t seed = NetTestSeed(56);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  CreateObject(*c, client::kPods, ClientPod("client", "k8s-node-1"));
  WaitReady(*c, "app=client", 1);
  SettleNetwork(*c);
  // Plain HTTP to kube-apiserver on the control-plane node: Go's answer.
  std::string master = NodeIP(*c, "k8s-master");
  NetResponse plain = Curl(*c, "http://" + master + ":6443/");
  INFO(plain.error);
  REQUIRE(plain.curl_code == 0);
  CHECK(plain.http_version == "HTTP/1.0");
  CHECK(plain.status == 400);
  CHECK(plain.body == "Client sent an HTTP request to an HTTPS server.\n");
  CHECK(plain.endpoint == master + ":6443");
  CHECK(plain.headers.empty());
  NetResponse tls = Curl(*c, "https://" + master + ":6443/", "pod/default/client");
  CHECK(tls.curl_code == 60);
  CHECK(tls.error ==
        "SSL certificate problem: unable to get local issuer certificate");
  CHECK(Curl(*c, "http://" + NodeIP(*c, "k8s-node-2") + ":10250/").status ==
        400);
  CHECK(Curl(*c, "http://" + NodeIP(*c, "k8s-node-2") + ":6443/").curl_code ==
        7);  // the apiserver runs on the control-plane node only
}

TEST_CASE("a terminating endpoint still serves when no ready one is left",
          "[netsim]") {
  uint64_t seed = NetTestSeed(52);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json pod = TomcatPod("web-1", "k8s-node-1", "web");
  pod["spec"]["terminationGracePeriodSeconds"] = 60;
  pod["spec"]["containers"][0]["lifecycle"] = {
      {"preStop", {{"exec", {{"command", {"sleep", "20"}}}}}}};
  CreateObject(*c, client::kPods, pod);
  WaitReady(*c, "app=web", 1);
  CreateObject(*c, client::kServices, ServiceFor("web", 80, 8080, "web"));
  SettleNetwork(*c);
  std::string vip = ClusterIP(*c, "web");
  CHECK(Curl(*c, "http://" + vip + "/").curl_code == 0);
  c->client()->Delete(client::kPods, "default", "web-1");
  c->loop()->RunFor(seconds(5));
  // Terminating, not ready, still serving: kube-proxy (1.28+) falls back
  // to it rather than rejecting.
  NetResponse during = Curl(*c, "http://" + vip + "/");
  CHECK(during.curl_code == 0);
  CHECK(during.status == 200);
  c->loop()->RunFor(seconds(40));
  CHECK(Pods(*c, "app=web").empty());
  CHECK(Curl(*c, "http://" + vip + "/").curl_code == 7);  // REJECT
}

TEST_CASE("a frontend calls its backend Service through the netsim",
          "[netsim]") {
  uint64_t seed = NetTestSeed(53);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json backend = Deployment("backend", 2, "ealen/echo-server");
  backend["spec"]["template"]["spec"]["containers"][0]["ports"] = {
      {{"containerPort", 80}}};
  CreateObject(*c, client::kDeployments, backend);
  Json frontend = Deployment("frontend", 1, "nginx");
  frontend["spec"]["template"]["spec"]["containers"][0]["ports"] = {
      {{"containerPort", 80}}};
  frontend["spec"]["template"]["spec"]["containers"][0]["env"] = {
      {{"name", "KSIM_UPSTREAM_URL"}, {"value", "http://backend:8080/api"}}};
  CreateObject(*c, client::kDeployments, frontend);
  WaitReady(*c, "app in (backend,frontend)", 3);
  CreateObject(*c, client::kServices, ServiceFor("backend", 8080, 80, "backend"));
  CreateObject(*c, client::kServices, ServiceFor("frontend", 80, 80, "frontend"));
  SettleNetwork(*c);
  std::string front_ip = PodIP(Pods(*c, "app=frontend")[0]);
  std::map<std::string, int> backends;
  for (int i = 0; i < 20; ++i) {
    NetResponse r = Curl(*c, "http://frontend.default.svc.cluster.local/");
    REQUIRE(r.curl_code == 0);
    CHECK(r.status == 200);
    CHECK(r.body.find("Welcome to nginx!") != std::string::npos);
    size_t at = r.body.find("--- upstream http://backend:8080/api answered "
                            "200 OK from ");
    REQUIRE(at != std::string::npos);
    size_t from = at + std::string("--- upstream http://backend:8080/api "
                                   "answered 200 OK from ").size();
    ++backends[r.body.substr(from, r.body.find(' ', from) - from)];
    Json echo = Json::parse(r.body.substr(r.body.find("---\n", from) + 4));
    CHECK(echo["request"]["remoteAddress"] == front_ip);  // from the pod
    CHECK(echo["http"]["originalUrl"] == "/api");
  }
  CHECK(backends.size() == 2);  // the backend Service balances the calls
  c->client()->Delete(client::kServices, "default", "backend");
  c->loop()->RunFor(seconds(3));
  NetResponse broken = Curl(*c, "http://frontend.default.svc.cluster.local/");
  CHECK(broken.status == 502);
  CHECK(broken.body ==
        "upstream http://backend:8080/api failed: curl: (6) Could not resolve "
        "host: backend\n");
}

TEST_CASE("the echo server returns the request as the netsim carried it",
          "[netsim]") {
  uint64_t seed = NetTestSeed(54);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json echo = TomcatPod("echo", "k8s-node-2", "echo");
  echo["spec"]["containers"][0] = {{"name", "echo"},
                                   {"image", "ealen/echo-server:0.9.2"}};
  CreateObject(*c, client::kPods, echo);
  CreateObject(*c, client::kPods, ClientPod("client", "k8s-node-1"));
  WaitReady(*c, "app in (echo,client)", 2);
  SettleNetwork(*c);  // Ready without a probe comes before it listens
  std::string ip = PodIP(Pods(*c, "app=echo")[0]);
  NetRequest req;
  req.source = "pod/default/client";
  req.url = "http://" + ip + "/hello?x=1";
  req.method = "POST";
  req.headers = {{"X-Demo", "yes"}};
  req.body = "a=1";
  NetResponse r = Curl(*c, req);
  REQUIRE(r.curl_code == 0);
  Json j = Json::parse(r.body);
  CHECK(j["http"]["method"] == "POST");
  CHECK(j["http"]["originalUrl"] == "/hello?x=1");
  CHECK(j["request"]["headers"]["Host"] == ip);
  CHECK(j["request"]["headers"]["User-Agent"] == "curl/7.88.1");
  CHECK(j["request"]["headers"]["X-Demo"] == "yes");
  CHECK(j["request"]["headers"]["Content-Length"] == "3");
  CHECK(j["request"]["body"] == "a=1");
  CHECK(j["request"]["remoteAddress"] == PodIP(Pods(*c, "app=client")[0]));
  CHECK(j["host"]["hostname"] == "echo");
  bool has_date = false;
  for (const auto& [k, v] : r.headers) has_date |= k == "Date";
  CHECK(has_date);
  NetRequest head = req;
  head.method = "HEAD";
  CHECK(Curl(*c, head).body.empty());
  // Loopback and the pod's own hostname stay inside the pod.
  NetResponse self = Curl(*c, "http://localhost/", "pod/default/echo");
  CHECK(self.curl_code == 0);
  CHECK(self.endpoint == ip + ":80");
  CHECK(Curl(*c, "http://echo:80/", "pod/default/echo").endpoint == ip + ":80");
  CHECK(Curl(*c, "http://127.0.0.1:81/", "pod/default/echo").error ==
        "Failed to connect to 127.0.0.1 port 81 after 0 ms: Couldn't connect "
        "to server");
  // A pod source that does not exist is not a curl outcome.
  NetResponse bad = Curl(*c, "http://" + ip + "/", "pod/default/ghost");
  CHECK(bad.curl_code == -1);
  CHECK(bad.error == "pods \"ghost\" not found");
}

// 200 requests through a 3-replica Service: which pod answered each.
std::vector<std::string> RouteSequence(uint64_t seed, std::string* metrics) {
  auto c = NewVirtualCluster(seed);
  CreateObject(*c, client::kDeployments,
               Deployment("webapp", 3, "kubeguide/tomcat-app:v1"));
  WaitReady(*c, "app=webapp", 3);
  CreateObject(*c, client::kServices, ServiceFor("webapp", 8080, 8080, "webapp"));
  SettleNetwork(*c);
  std::map<std::string, std::string> pod_of;
  for (const auto& p : Pods(*c, "app=webapp")) {
    pod_of[PodIP(p) + ":8080"] = p["metadata"]["name"];
  }
  std::vector<std::string> seq;
  for (int i = 0; i < 200; ++i) {
    seq.push_back(pod_of[Curl(*c, "http://webapp.default.svc.cluster.local:8080/")
                             .endpoint]);
  }
  *metrics = c->net_gateway()->Metrics();
  auto counts = c->network()->metrics()->ServiceCounts("default/webapp");
  CHECK(counts.first == 200);
  CHECK(counts.second == 0);
  return seq;
}

TEST_CASE("the same seed routes the same requests the same way, and the "
          "metrics count them",
          "[netsim]") {
  uint64_t seed = NetTestSeed(55);
  INFO("seed " << seed);
  std::string m1, m2;
  std::vector<std::string> a = RouteSequence(seed, &m1);
  std::vector<std::string> b = RouteSequence(seed, &m2);
  CHECK(a == b);
  std::map<std::string, int> spread;
  for (const auto& p : a) ++spread[p];
  CHECK(spread.size() == 3);
  CHECK(m1 == m2);
  CHECK(m1.find("ksim_netsim_service_requests_total{namespace=\"default\","
                "service=\"webapp\"} 200\n") != std::string::npos);
  CHECK(m1.find("ksim_netsim_service_failures_total{namespace=\"default\","
                "service=\"webapp\"} 0\n") != std::string::npos);
}

TEST_CASE("kube-proxy's rules follow the API after the sync delay, at most "
          "once per min sync period",
          "[netsim]") {
  uint64_t seed = NetTestSeed(57);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  SettleNetwork(*c);
  netsim::Proxier* proxier = c->network()->proxier();
  uint64_t before = proxier->syncs();
  base::Time created = c->loop()->Now();
  CreateObject(*c, client::kServices, ServiceFor("a", 80, 80, "a"));
  std::string vip = ClusterIP(*c, "a");
  // Not yet in the rules: the ClusterIP is routed nowhere.
  CHECK(Curl(*c, "http://" + vip + "/", "", 0.05).curl_code == 28);
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return proxier->Find("default", "a", "") != nullptr; },
      c->loop()->Now() + seconds(5)));
  base::Time first = proxier->last_sync();
  CHECK(first - created >= milliseconds(100));
  CHECK(first - created < milliseconds(200));
  CHECK(proxier->syncs() == before + 1);
  CHECK(Curl(*c, "http://" + vip + "/").curl_code == 7);  // no endpoints
  // A second change right after waits for the min sync period.
  CreateObject(*c, client::kServices, ServiceFor("b", 80, 80, "b"));
  REQUIRE(c->loop()->RunUntilCondition(
      [&] { return proxier->Find("default", "b", "") != nullptr; },
      c->loop()->Now() + seconds(5)));
  CHECK(proxier->last_sync() - first == seconds(1));
}

}  // namespace
}  // namespace ksim::cluster
