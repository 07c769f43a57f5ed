// Helpers for whole-cluster netsim tests in virtual time: curl through the
// cluster's NetGateway, Services, and waiting for the proxier's rules.
#ifndef KSIM_CLUSTER_NETSIM_TEST_UTIL_H_
#define KSIM_CLUSTER_NETSIM_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <cstdlib>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/net_gateway.h"
#include "cluster/cluster_test_util.h"

namespace ksim::cluster::testing {

using apiserver::NetRequest;
using apiserver::NetResponse;
using std::chrono::milliseconds;
using std::chrono::minutes;
using std::chrono::seconds;

inline uint64_t NetTestSeed(uint64_t fallback) {
  const char* env = std::getenv("KSIM_TEST_SEED");
  return env ? std::strtoull(env, nullptr, 10) : fallback;
}

// One exchange, driving the loop until it ends.
inline NetResponse Curl(Cluster& c, NetRequest req) {
  REQUIRE(c.net_gateway() != nullptr);
  std::optional<NetResponse> out;
  c.net_gateway()->Exchange(std::move(req),
                            [&](NetResponse r) { out = std::move(r); });
  REQUIRE(c.loop()->RunUntilCondition([&] { return out.has_value(); },
                                      c.loop()->Now() + minutes(20)));
  return *out;
}

inline NetResponse Curl(Cluster& c, const std::string& url,
                        const std::string& source = "",
                        double connect_timeout = 0) {
  NetRequest r;
  r.url = url;
  r.source = source;
  r.connect_timeout_seconds = connect_timeout;
  return Curl(c, std::move(r));
}

inline Json ServiceFor(const std::string& name, int port, Json target_port,
                       const std::string& app) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", name}}},
          {"spec",
           {{"selector", {{"app", app}}},
            {"ports",
             {{{"protocol", "TCP"},
               {"port", port},
               {"targetPort", target_port}}}}}}};
}

inline Json CreateObject(Cluster& c, const client::Resource& r, Json obj,
                         const std::string& ns = "default") {
  std::optional<base::StatusOr<Json>> out;
  c.client()->Create(r, ns, std::move(obj),
                     [&](base::StatusOr<Json> res) { out = std::move(res); });
  REQUIRE(c.loop()->RunUntilCondition([&] { return out.has_value(); },
                                      c.loop()->Now() + seconds(10)));
  INFO(out->status().ToString());
  REQUIRE(out->ok());
  return out->value();
}

inline void WaitReady(Cluster& c, const std::string& labels, size_t n,
                      const std::string& ns = "default") {
  INFO("waiting for " << n << " ready pods " << labels);
  REQUIRE(c.loop()->RunUntilCondition(
      [&] { return CountRunningReady(c, ns, labels) == n; },
      c.loop()->Now() + minutes(3)));
}

// Runs long enough for the endpoint controllers and the proxier to catch
// up with what the API says (kube-proxy's min sync period is 1 s).
inline void SettleNetwork(Cluster& c) { c.loop()->RunFor(seconds(3)); }

inline std::vector<Json> Pods(Cluster& c, const std::string& labels,
                              const std::string& ns = "default") {
  return ListObjects(c, client::kPods, ns, labels);
}

inline std::string PodIP(const Json& pod) {
  return base::GetString(pod, {"status", "podIP"});
}

inline std::string ClusterIP(Cluster& c, const std::string& name,
                             const std::string& ns = "default") {
  auto s = c.client()->Get(client::kServices, ns, name);
  REQUIRE(s.ok());
  return base::GetString(*s, {"spec", "clusterIP"});
}

// A busybox pod that sleeps, to send requests from.
inline Json ClientPod(const std::string& name, const std::string& node = "") {
  Json p = {{"apiVersion", "v1"},
            {"kind", "Pod"},
            {"metadata", {{"name", name}, {"labels", {{"app", name}}}}},
            {"spec",
             {{"containers",
               {{{"name", "c"},
                 {"image", "busybox"},
                 {"command", {"sleep", "36000"}}}}}}}};
  if (!node.empty()) p["spec"]["nodeName"] = node;
  return p;
}

}  // namespace ksim::cluster::testing

#endif  // KSIM_CLUSTER_NETSIM_TEST_UTIL_H_
