// The netsim inside a whole cluster in virtual time: the seed's curl steps,
// load spreading, endpoint churn, DNS, affinity, faults and rolling
// updates under traffic. Each test prints its seed; rerun one with
// KSIM_TEST_SEED=<n>.
#include <catch2/catch.hpp>
#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "cluster/netsim_test_util.h"
#include "netsim/traffic.h"

namespace ksim::cluster {
namespace {

using namespace testing;  // NOLINT: test helpers

// The seed: a 2-replica tomcat Deployment "webapp" and its Service.
struct Webapp {
  std::unique_ptr<Cluster> c;
  std::vector<Json> pods;
  std::string cluster_ip;
};

Webapp StartWebapp(uint64_t seed, int replicas = 2, Json service = nullptr) {
  Webapp w;
  w.c = NewVirtualCluster(seed);
  CreateObject(*w.c, client::kDeployments,
               Deployment("webapp", replicas, "kubeguide/tomcat-app:v1"));
  WaitReady(*w.c, "app=webapp", replicas);
  if (service.is_null()) service = ServiceFor("webapp", 8080, 8080, "webapp");
  CreateObject(*w.c, client::kServices, service);
  SettleNetwork(*w.c);
  w.pods = Pods(*w.c, "app=webapp");
  w.cluster_ip = ClusterIP(*w.c, "webapp");
  return w;
}

TEST_CASE("the seed's curl to a pod IP and to the ClusterIP from k8s-master",
          "[netsim]") {
  uint64_t seed = NetTestSeed(41);
  INFO("seed " << seed);
  Webapp w = StartWebapp(seed);
  REQUIRE(w.pods.size() == 2);
  std::set<std::string> names;
  for (const auto& p : w.pods) {
    std::string ip = PodIP(p);
    std::string name = p["metadata"]["name"];
    names.insert(name);
    NetResponse r = Curl(*w.c, ip + ":8080");
    INFO(r.error);
    REQUIRE(r.curl_code == 0);
    CHECK(r.status == 200);
    CHECK(r.body.find("<!DOCTYPE html>") == 0);
    CHECK(r.body.find("Apache Tomcat") != std::string::npos);
    CHECK(r.body.find(name) != std::string::npos);  // which replica answered
    CHECK(r.body.find(ip) != std::string::npos);
    CHECK(r.endpoint == ip + ":8080");
    CHECK(r.elapsed_seconds > 0);
    CHECK(r.elapsed_seconds < 0.01);
  }
  std::set<std::string> answered;
  for (int i = 0; i < 20; ++i) {
    NetResponse r = Curl(*w.c, "http://" + w.cluster_ip + ":8080/");
    INFO(r.error);
    REQUIRE(r.curl_code == 0);
    CHECK(r.status == 200);
    CHECK(r.remote_ip == w.cluster_ip);
    CHECK(r.body.find("Apache Tomcat") != std::string::npos);
    for (const auto& n : names) {
      if (r.body.find(n) != std::string::npos) answered.insert(n);
    }
  }
  CHECK(answered == names);  // both replicas answer through the Service

  // A port nobody listens on: refused at once, in curl's words.
  std::string ip = PodIP(w.pods[0]);
  NetResponse refused = Curl(*w.c, ip + ":9090");
  CHECK(refused.curl_code == 7);
  CHECK(refused.error.rfind("Failed to connect to " + ip + " port 9090 after ",
                            0) == 0);
  CHECK(refused.error.find("ms: Couldn't connect to server") !=
        std::string::npos);
  // An address nobody has: a timeout.
  NetResponse nobody = Curl(*w.c, "http://172.16.0.9/", "", 2);
  CHECK(nobody.curl_code == 28);
  CHECK(nobody.error ==
        "Failed to connect to 172.16.0.9 port 80 after 2000 ms: Timeout was "
        "reached");
  // A ClusterIP on a port the Service does not have: no rule, no answer.
  NetResponse wrong_port =
      Curl(*w.c, "http://" + w.cluster_ip + ":80/", "", 1);
  CHECK(wrong_port.curl_code == 28);
  // Tomcat's 404 for another path.
  NetResponse missing = Curl(*w.c, "http://" + w.cluster_ip + ":8080/nope");
  CHECK(missing.status == 404);
  // The kube-dns Service kubeadm creates.
  CHECK(ClusterIP(*w.c, "kube-dns", "kube-system") == "10.1.0.10");
}

TEST_CASE("10,000 requests to a 2-replica Service spread uniformly",
          "[netsim]") {
  uint64_t seed = NetTestSeed(42);
  INFO("seed " << seed);
  Webapp w = StartWebapp(seed);
  std::map<std::string, int> hits;
  int failures = 0;
  const int n = 10000;
  int done = 0;
  for (int i = 0; i < n; ++i) {
    NetRequest r;
    r.url = "http://" + w.cluster_ip + ":8080/";
    w.c->net_gateway()->Exchange(r, [&](NetResponse resp) {
      ++done;
      if (resp.curl_code != 0) ++failures;
      ++hits[resp.endpoint];
    });
  }
  REQUIRE(w.c->loop()->RunUntilCondition([&] { return done == n; },
                                         w.c->loop()->Now() + seconds(60)));
  CHECK(failures == 0);
  REQUIRE(hits.size() == 2);
  double expected = n / 2.0;
  double chi2 = 0;
  for (const auto& [ep, k] : hits) {
    chi2 += (k - expected) * (k - expected) / expected;
  }
  INFO("hits " << hits.begin()->second << " / " << hits.rbegin()->second
               << " chi2 " << chi2);
  CHECK(chi2 < 10.828);  // chi-square, 1 degree of freedom, p = 0.001
}


TEST_CASE("a Service without ready endpoints refuses connections",
          "[netsim]") {
  uint64_t seed = NetTestSeed(43);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  CreateObject(*c, client::kServices, ServiceFor("empty", 80, 80, "nothing"));
  SettleNetwork(*c);
  std::string ip = ClusterIP(*c, "empty");
  NetResponse r = Curl(*c, "http://" + ip + "/");
  CHECK(r.curl_code == 7);
  CHECK(r.error == "Failed to connect to " + ip +
                       " port 80 after 0 ms: Couldn't connect to server");
  CHECK(r.endpoint.empty());
  // Its DNS name still resolves to the ClusterIP (CoreDNS answers for
  // Services, not endpoints).
  NetResponse named = Curl(*c, "http://empty.default.svc.cluster.local/");
  CHECK(named.curl_code == 7);
  CHECK(named.remote_ip == ip);
}

TEST_CASE("after a pod is deleted no request reaches it once its endpoint "
          "is gone, and readiness gates its replacement",
          "[netsim]") {
  uint64_t seed = NetTestSeed(44);
  INFO("seed " << seed);
  auto c = NewVirtualCluster(seed);
  Json d = Deployment("webapp", 2, "kubeguide/tomcat-app:v1");
  d["spec"]["template"]["spec"]["containers"][0]["readinessProbe"] = {
      {"httpGet", {{"path", "/"}, {"port", 8080}}}, {"periodSeconds", 2}};
  CreateObject(*c, client::kDeployments, d);
  WaitReady(*c, "app=webapp", 2);
  CreateObject(*c, client::kServices, ServiceFor("webapp", 8080, 8080, "webapp"));
  SettleNetwork(*c);
  std::string vip = ClusterIP(*c, "webapp");
  auto pods = Pods(*c, "app=webapp");
  std::string victim = pods[0]["metadata"]["name"];
  std::string victim_ep = PodIP(pods[0]) + ":8080";

  netsim::TrafficOptions o;
  o.url = "http://" + vip + ":8080/";
  o.rate = 50;
  o.duration = seconds(40);
  o.connect_timeout_seconds = 2;
  netsim::TrafficClient traffic(c->loop(), c->net_gateway(), o);
  traffic.Start();
  c->loop()->RunFor(seconds(5));
  c->client()->Delete(client::kPods, "default", victim);
  // When the EndpointSlice stops listing the victim as ready.
  std::optional<base::Time> slice_gone_at;
  auto victim_ready = [&] {
    for (const auto& s : ListObjects(*c, client::kEndpointSlices, "default")) {
      for (const auto& e : s.value("endpoints", Json::array())) {
        if (e["addresses"][0] == PodIP(pods[0]) &&
            base::Find(e, {"conditions", "ready"}) &&
            e["conditions"]["ready"] == true) {
          return true;
        }
      }
    }
    return false;
  };
  REQUIRE(c->loop()->RunUntilCondition(
      [&] {
        if (!slice_gone_at && !victim_ready()) {
          slice_gone_at = c->loop()->Now();
        }
        return traffic.finished();
      },
      c->loop()->Now() + minutes(2)));
  REQUIRE(slice_gone_at);
  // kube-proxy catches up within min-sync-period + the sync itself.
  base::Time rules_gone = *slice_gone_at + milliseconds(1100);
  size_t late = 0, to_victim = 0;
  for (const auto& t : traffic.samples()) {
    if (t.endpoint != victim_ep) continue;
    ++to_victim;
    if (t.sent > rules_gone) ++late;
  }
  CHECK(to_victim > 0);
  CHECK(late == 0);
  netsim::TrafficSummary sum = traffic.Summary();
  INFO(sum.ToString());
  CHECK(sum.failed == 0);
  CHECK(sum.ok == sum.sent);
  CHECK(sum.by_endpoint.size() == 3);  // the two first pods and the new one
}

TEST_CASE("DNS names resolve from a pod as CoreDNS answers them",
          "[netsim][dns]") {
  uint64_t seed = NetTestSeed(45);
  INFO("seed " << seed);
  Webapp w = StartWebapp(seed);
  Json headless = ServiceFor("webapp-headless", 8080, 8080, "webapp");
  headless["spec"]["clusterIP"] = "None";
  CreateObject(*w.c, client::kServices, headless);
  CreateObject(*w.c, client::kPods, ClientPod("client"));
  WaitReady(*w.c, "app=client", 1);
  SettleNetwork(*w.c);
  const std::string from = "pod/default/client";
  for (const char* name :
       {"webapp", "webapp.default", "webapp.default.svc",
        "webapp.default.svc.cluster.local", "webapp.default.svc.cluster.local.",
        "WebApp.Default"}) {
    INFO(name);
    NetResponse r = Curl(*w.c, std::string("http://") + name + ":8080/", from);
    INFO(r.error);
    CHECK(r.curl_code == 0);
    CHECK(r.status == 200);
    CHECK(r.remote_ip == w.cluster_ip);
  }
  // A pod A record (pods insecure: the name is the address).
  std::string ip = PodIP(w.pods[0]);
  std::string dashed = ip;
  std::replace(dashed.begin(), dashed.end(), '.', '-');
  NetResponse pod_a =
      Curl(*w.c, "http://" + dashed + ".default.pod.cluster.local:8080/", from);
  CHECK(pod_a.curl_code == 0);
  CHECK(pod_a.remote_ip == ip);
  CHECK(pod_a.endpoint == ip + ":8080");
  // A headless Service resolves to its pods, not a virtual IP.
  std::set<std::string> pod_ips = {PodIP(w.pods[0]), PodIP(w.pods[1])};
  std::set<std::string> seen;
  for (int i = 0; i < 20; ++i) {
    NetResponse h = Curl(*w.c, "http://webapp-headless:8080/", from);
    REQUIRE(h.curl_code == 0);
    CHECK(pod_ips.count(h.remote_ip) == 1);
    seen.insert(h.remote_ip);
  }
  CHECK(seen == pod_ips);  // CoreDNS's loadbalance shuffles the records
  // Unknown names, and another namespace without its name.
  NetResponse unknown = Curl(*w.c, "http://nosuch:8080/", from);
  CHECK(unknown.curl_code == 6);
  CHECK(unknown.error == "Could not resolve host: nosuch");
  CHECK(Curl(*w.c, "http://webapp.kube-system:8080/", from).curl_code == 6);
  CHECK(Curl(*w.c, "http://kube-dns.kube-system.svc:9153/", from).curl_code ==
        7);  // resolves; no CoreDNS pods behind it
  // dnsPolicy Default: the node's resolver, not the cluster's search path.
  Json plain = ClientPod("plain");
  plain["spec"]["dnsPolicy"] = "Default";
  CreateObject(*w.c, client::kPods, plain);
  WaitReady(*w.c, "app=plain", 1);
  CHECK(Curl(*w.c, "http://webapp:8080/", "pod/default/plain").curl_code == 6);
  // From a node: no cluster search path, but node names (/etc/hosts).
  CHECK(Curl(*w.c, "http://webapp:8080/").curl_code == 6);
  CHECK(Curl(*w.c, "http://webapp.default.svc.cluster.local:8080/")
            .curl_code == 0);
  NetResponse node = Curl(*w.c, "http://k8s-node-1:10999/");
  CHECK(node.curl_code == 7);  // resolved, and nothing listens there
}

TEST_CASE("sessionAffinity ClientIP pins a client to one endpoint",
          "[netsim]") {
  uint64_t seed = NetTestSeed(46);
  INFO("seed " << seed);
  Json svc = ServiceFor("webapp", 8080, 8080, "webapp");
  svc["spec"]["sessionAffinity"] = "ClientIP";
  svc["spec"]["sessionAffinityConfig"] = {
      {"clientIP", {{"timeoutSeconds", 60}}}};
  Webapp w = StartWebapp(seed, 3, svc);
  CreateObject(*w.c, client::kPods, ClientPod("client"));
  WaitReady(*w.c, "app=client", 1);
  std::string url = "http://" + w.cluster_ip + ":8080/";
  std::set<std::string> from_node, from_pod;
  for (int i = 0; i < 30; ++i) {
    from_node.insert(Curl(*w.c, url).endpoint);
    from_pod.insert(Curl(*w.c, url, "pod/default/client").endpoint);
  }
  CHECK(from_node.size() == 1);
  CHECK(from_pod.size() == 1);
  // The timeout counts from the last connection: idle for longer than it,
  // a client is balanced afresh.
  std::set<std::string> after_idle;
  for (int i = 0; i < 30; ++i) {
    w.c->loop()->RunFor(seconds(61));
    after_idle.insert(Curl(*w.c, url).endpoint);
  }
  CHECK(after_idle.size() == 3);
}

TEST_CASE("a partition cuts exactly the traffic between its groups",
          "[netsim][faults]") {
  uint64_t seed = NetTestSeed(47);
  INFO("seed " << seed);
  Webapp w = StartWebapp(seed);
  std::map<std::string, std::string> ip_on;  // node -> pod IP
  for (const auto& p : w.pods) ip_on[p["spec"]["nodeName"]] = PodIP(p);
  REQUIRE(ip_on.count("k8s-node-1"));
  REQUIRE(ip_on.count("k8s-node-2"));
  CreateObject(*w.c, client::kPods, ClientPod("client", "k8s-node-1"));
  WaitReady(*w.c, "app=client", 1);
  auto* gw = w.c->net_gateway();
  auto fault = gw->AddFault(Json::parse(
      R"({"kind":"Partition","groups":[["k8s-node-1"],["k8s-node-2"]]})"));
  REQUIRE(fault.ok());
  CHECK((*fault)["id"] == "fault-1");
  auto reach = [&](const std::string& from, const std::string& ip) {
    return Curl(*w.c, "http://" + ip + ":8080/", from, 1).curl_code;
  };
  const std::string pod = "pod/default/client";
  CHECK(reach(pod, ip_on["k8s-node-1"]) == 0);   // same side
  CHECK(reach(pod, ip_on["k8s-node-2"]) == 28);  // across: no answer
  CHECK(reach("node/k8s-node-1", ip_on["k8s-node-2"]) == 28);
  CHECK(reach("node/k8s-node-2", ip_on["k8s-node-2"]) == 0);
  CHECK(reach("", ip_on["k8s-node-1"]) == 0);  // k8s-master is in no group
  CHECK(reach("", ip_on["k8s-node-2"]) == 0);
  // Through the Service, from node-1's pod: only the requests sent across
  // fail, about half of them.
  int cut = 0;
  for (int i = 0; i < 40; ++i) {
    NetResponse r = Curl(*w.c, "http://" + w.cluster_ip + ":8080/", pod, 1);
    if (r.curl_code != 0) {
      CHECK(r.curl_code == 28);
      ++cut;
    } else {
      CHECK(r.endpoint == ip_on["k8s-node-1"] + ":8080");
    }
  }
  CHECK(cut > 5);
  CHECK(cut < 35);
  auto list = gw->ListFaults();
  REQUIRE(list.ok());
  CHECK((*list)["items"].size() == 1);
  REQUIRE(gw->RemoveFault("fault-1").ok());
  CHECK(gw->RemoveFault("fault-1").code() == base::Code::kNotFound);
  CHECK(reach(pod, ip_on["k8s-node-2"]) == 0);
  CHECK(gw->AddFault(Json::parse(R"({"kind":"Partition","groups":[["x"],["k8s-node-1"]]})"))
            .status()
            .code() == base::Code::kNotFound);
  CHECK(gw->AddFault(Json::parse(R"({"kind":"Flood"})")).status().code() ==
        base::Code::kBadRequest);
}

TEST_CASE("NodeDown, latency and loss faults", "[netsim][faults]") {
  uint64_t seed = NetTestSeed(48);
  INFO("seed " << seed);
  Webapp w = StartWebapp(seed);
  std::map<std::string, std::string> ip_on;
  for (const auto& p : w.pods) ip_on[p["spec"]["nodeName"]] = PodIP(p);
  auto* gw = w.c->net_gateway();
  std::string url2 = "http://" + ip_on["k8s-node-2"] + ":8080/";
  double base_time = Curl(*w.c, url2).elapsed_seconds;

  auto lat = gw->AddFault(Json::parse(
      R"({"kind":"Latency","target":"node/k8s-node-2","latency":"100ms","jitter":"10ms"})"));
  REQUIRE(lat.ok());
  NetResponse slow = Curl(*w.c, url2);
  CHECK(slow.curl_code == 0);
  // Two round trips (handshake, request) each 90-110 ms longer.
  CHECK(slow.elapsed_seconds > base_time + 0.18);
  CHECK(slow.elapsed_seconds < base_time + 0.23);
  REQUIRE(gw->RemoveFault((*lat)["id"]).ok());

  auto loss = gw->AddFault(Json::parse(
      R"({"kind":"Loss","target":"node/k8s-node-2","probability":1})"));
  REQUIRE(loss.ok());
  NetResponse lost = Curl(*w.c, url2, "", 5);
  CHECK(lost.curl_code == 28);
  CHECK(lost.error.find("Timeout was reached") != std::string::npos);
  NetResponse kernel = Curl(*w.c, url2);  // no --connect-timeout
  CHECK(kernel.curl_code == 28);
  CHECK(kernel.elapsed_seconds >= 127);
  REQUIRE(gw->RemoveFault((*loss)["id"]).ok());

  auto down = gw->AddFault(Json::parse(R"({"kind":"NodeDown","node":"k8s-node-2"})"));
  REQUIRE(down.ok());
  NetResponse dead = Curl(*w.c, url2, "", 3);
  CHECK(dead.curl_code == 28);
  CHECK(Curl(*w.c, "http://" + ip_on["k8s-node-1"] + ":8080/").curl_code == 0);
  REQUIRE(gw->RemoveFault((*down)["id"]).ok());
  w.c->loop()->RunFor(seconds(5));
  CHECK(Curl(*w.c, url2).curl_code == 0);

  std::string metrics = gw->Metrics();
  CHECK(metrics.find("# TYPE ksim_netsim_requests_total counter") !=
        std::string::npos);
  CHECK(metrics.find("ksim_netsim_requests_total{code=\"28\"}") !=
        std::string::npos);
  CHECK(metrics.find("ksim_netsim_endpoint_request_duration_seconds_bucket{") !=
        std::string::npos);
}

}  // namespace
}  // namespace ksim::cluster
