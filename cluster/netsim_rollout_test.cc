// Rolling updates under steady traffic through the netsim, in virtual
// time: what kube-proxy's propagation delay does to requests, with and
// without a preStop hook. Each test prints its seed; rerun one with
// KSIM_TEST_SEED=<n>.
#include <catch2/catch.hpp>
#include <string>
#include <vector>

#include "cluster/netsim_test_util.h"
#include "netsim/traffic.h"

namespace ksim::cluster {
namespace {

using namespace testing;  // NOLINT: test helpers

// A 3-replica tomcat Deployment with a readiness probe, rolled to a new
// template under 100 requests/s to its ClusterIP; returns the traffic.
netsim::TrafficSummary RollUnderTraffic(uint64_t seed, bool graceful,
                                        std::vector<netsim::TrafficSample>* out) {
  auto c = NewVirtualCluster(seed);
  Json d = Deployment("webapp", 3, "kubeguide/tomcat-app:v1");
  Json& pod = d["spec"]["template"];
  Json& ctr = pod["spec"]["containers"][0];
  ctr["readinessProbe"] = {{"httpGet", {{"path", "/"}, {"port", 8080}}},
                           {"periodSeconds", 1}};
  if (graceful) {
    // The usual cure: keep serving until kube-proxy forgot the pod.
    ctr["lifecycle"] = {
        {"preStop", {{"exec", {{"command", {"sleep", "5"}}}}}}};
  } else {
    // An application that exits as soon as it gets SIGTERM.
    pod["metadata"]["annotations"] = {{"ksim.io/sigterm", "exit"}};
  }
  CreateObject(*c, client::kDeployments, d);
  WaitReady(*c, "app=webapp", 3);
  CreateObject(*c, client::kServices, ServiceFor("webapp", 8080, 8080, "webapp"));
  SettleNetwork(*c);
  netsim::TrafficOptions o;
  o.url = "http://" + ClusterIP(*c, "webapp") + ":8080/";
  o.rate = 100;
  o.duration = seconds(90);
  o.connect_timeout_seconds = 2;
  netsim::TrafficClient traffic(c->loop(), c->net_gateway(), o);
  traffic.Start();
  c->loop()->RunFor(seconds(2));
  c->client()->Patch(client::kDeployments, "default", "webapp",
                     client::PatchType::kStrategicMerge,
                     Json::parse(R"({"spec":{"template":{"spec":{"containers":
                       [{"name":"webapp","env":[{"name":"V","value":"2"}]}]}}}})"));
  REQUIRE(c->loop()->RunUntilCondition([&] { return traffic.finished(); },
                                       c->loop()->Now() + minutes(5)));
  // The rollout finished well within the traffic's 90 s.
  size_t new_ready = 0;
  for (const auto& p : Pods(*c, "app=webapp")) {
    new_ready += PodRunningReady(p) && p["spec"]["containers"][0].contains("env");
  }
  CHECK(new_ready == 3);
  CHECK(Pods(*c, "app=webapp").size() == 3);
  *out = traffic.samples();
  return traffic.Summary();
}

TEST_CASE("a rolling update with readiness probes and a preStop sleep loses "
          "no request",
          "[netsim][rollout]") {
  uint64_t seed = NetTestSeed(49);
  INFO("seed " << seed);
  std::vector<netsim::TrafficSample> samples;
  netsim::TrafficSummary s = RollUnderTraffic(seed, true, &samples);
  INFO(s.ToString());
  CHECK(s.sent == 9000);
  CHECK(s.failed == 0);
  CHECK(s.by_endpoint.size() == 6);  // three old pods, then three new ones
}

TEST_CASE("a rolling update of an application that exits on SIGTERM fails "
          "requests until kube-proxy catches up",
          "[netsim][rollout]") {
  uint64_t seed = NetTestSeed(50);
  INFO("seed " << seed);
  std::vector<netsim::TrafficSample> samples;
  netsim::TrafficSummary s = RollUnderTraffic(seed, false, &samples);
  INFO(s.ToString());
  CHECK(s.sent == 9000);
  CHECK(s.failed > 0);
  CHECK(s.failed < 300);
  // Connections the stale rules still send to a pod that is gone: refused
  // by its closed port, reset mid-request, or — once its sandbox and
  // address are gone — "No route to host" after the ARP timeout, which
  // the 2 s --connect-timeout turns into 28.
  for (const auto& [code, n] : s.by_curl_code) {
    CHECK((code == 0 || code == 7 || code == 28 || code == 56));
  }
  // Failures come in short windows (one per replaced pod), each shorter
  // than kube-proxy's min sync period plus the sync.
  std::vector<base::Time> fails;
  for (const auto& t : samples) {
    if (!t.ok()) fails.push_back(t.sent);
  }
  size_t windows = fails.empty() ? 0 : 1;
  base::Time window_start = fails.empty() ? base::Time{} : fails[0];
  for (size_t i = 1; i < fails.size(); ++i) {
    if (fails[i] - fails[i - 1] > seconds(2)) {
      ++windows;
      window_start = fails[i];
    }
    CHECK(fails[i] - window_start < milliseconds(1200));
  }
  CHECK(windows >= 1);
  CHECK(windows <= 3);
}

}  // namespace
}  // namespace ksim::cluster
