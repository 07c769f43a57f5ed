// Proxier unit tests: the rules kube-proxy's iptables proxier would write,
// from Services and EndpointSlices put straight into the informers.
#include "netsim/proxier.h"

#include <catch2/catch.hpp>
#include <map>

#include "base/ipv4.h"
#include "client/fake_client.h"
#include "client/resource.h"

namespace ksim::netsim {
namespace {

using base::Json;

struct Fixture {
  base::VirtualClock clock{base::Time(std::chrono::seconds(1'700'000'000))};
  std::unique_ptr<base::EventLoop> loop = base::EventLoop::NewVirtual(&clock);
  client::FakeClient fake{loop.get()};
  client::InformerFactory informers{&fake, loop.get()};
  base::Rng rng{3};
  std::unique_ptr<Proxier> proxier;

  Fixture() {
    client::ClusterContext ctx{loop.get(), &clock, &rng, &fake, &informers};
    proxier = std::make_unique<Proxier>(ctx, &rng);
  }
  void Apply(const client::Resource& r, Json obj) {
    informers.For(r)->Apply(client::EventType::kAdded, std::move(obj));
  }
  Decision Route(const std::string& ip, int port, const std::string& node,
                 const std::string& dst_node = "") {
    return proxier->Route(*base::ParseIpv4(ip), port, dst_node,
                          *base::ParseIpv4("192.168.0.9"), node);
  }
};

Json Svc(const std::string& name, Json spec) {
  spec["selector"] = {{"app", name}};
  return {{"metadata", {{"name", name}, {"namespace", "default"}}},
          {"spec", spec}};
}

Json Ep(const std::string& ip, const std::string& node, bool ready,
        bool serving, bool terminating) {
  return {{"addresses", {ip}},
          {"nodeName", node},
          {"conditions",
           {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}}};
}

Json Slice(const std::string& svc, const std::string& suffix, Json ports,
           Json endpoints) {
  return {{"metadata",
           {{"name", svc + "-" + suffix},
            {"namespace", "default"},
            {"labels", {{"kubernetes.io/service-name", svc}}}}},
          {"addressType", "IPv4"},
          {"ports", ports},
          {"endpoints", endpoints}};
}

TEST_CASE("proxier: endpoints as CategorizeEndpoints picks them", "[netsim]") {
  Fixture f;
  f.Apply(client::kServices,
          Svc("web", {{"clusterIP", "10.1.0.20"},
                      {"ports", {{{"port", 80}, {"targetPort", "http"}}}}}));
  // Named targetPort: two slices, one per resolved port number.
  f.Apply(client::kEndpointSlices,
          Slice("web", "a", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}},
                {Ep("10.244.1.2", "n1", true, true, false),
                 Ep("10.244.1.3", "n1", false, true, true)}));
  f.Apply(client::kEndpointSlices,
          Slice("web", "b", {{{"name", ""}, {"port", 9090}, {"protocol", "TCP"}}},
                {Ep("10.244.2.2", "n2", true, true, false)}));
  f.proxier->SyncNow();
  std::map<std::string, int> hits;
  for (int i = 0; i < 400; ++i) {
    Decision d = f.Route("10.1.0.20", 80, "n3");
    REQUIRE(d.verdict == Verdict::kForward);
    ++hits[d.endpoint->address];
  }
  // The terminating one is not used while ready ones exist.
  CHECK(hits.size() == 2);
  CHECK(hits.count("10.244.1.2:8080") == 1);
  CHECK(hits.count("10.244.2.2:9090") == 1);
  CHECK(f.Route("10.1.0.20", 81, "n3").verdict == Verdict::kNoRule);
  CHECK(f.proxier->IsClusterIP(*base::ParseIpv4("10.1.0.20")));

  // No ready endpoint left: the serving+terminating one takes the traffic.
  f.informers.For(client::kEndpointSlices)
      ->Apply(client::EventType::kDeleted,
              Slice("web", "b", Json::array(), Json::array()));
  f.Apply(client::kEndpointSlices,
          Slice("web", "a", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}},
                {Ep("10.244.1.2", "n1", false, false, true),
                 Ep("10.244.1.3", "n1", false, true, true)}));
  f.proxier->SyncNow();
  Decision d = f.Route("10.1.0.20", 80, "n3");
  REQUIRE(d.verdict == Verdict::kForward);
  CHECK(d.endpoint->address == "10.244.1.3:8080");
  // Not even that: REJECT.
  f.Apply(client::kEndpointSlices,
          Slice("web", "a", {{{"name", ""}, {"port", 8080}, {"protocol", "TCP"}}},
                {Ep("10.244.1.3", "n1", false, false, true)}));
  f.proxier->SyncNow();
  CHECK(f.Route("10.1.0.20", 80, "n3").verdict == Verdict::kReject);
}

TEST_CASE("proxier: Local traffic policies, NodePorts, headless", "[netsim]") {
  Fixture f;
  f.Apply(client::kServices,
          Svc("loc", {{"clusterIP", "10.1.0.30"},
                      {"type", "NodePort"},
                      {"internalTrafficPolicy", "Local"},
                      {"externalTrafficPolicy", "Local"},
                      {"ports", {{{"port", 80}, {"nodePort", 30080}}}}}));
  f.Apply(client::kServices,
          Svc("hl", {{"clusterIP", "None"}, {"ports", {{{"port", 80}}}}}));
  f.Apply(client::kEndpointSlices,
          Slice("loc", "a", {{{"name", ""}, {"port", 80}, {"protocol", "TCP"}}},
                {Ep("10.244.1.2", "n1", true, true, false),
                 Ep("10.244.2.5", "n2", false, true, true)}));
  f.proxier->SyncNow();
  Decision d = f.Route("10.1.0.30", 80, "n1");
  REQUIRE(d.verdict == Verdict::kForward);
  CHECK(d.endpoint->address == "10.244.1.2:80");
  // n2 has only a serving+terminating endpoint: Local uses it.
  d = f.Route("10.1.0.30", 80, "n2");
  REQUIRE(d.verdict == Verdict::kForward);
  CHECK(d.endpoint->address == "10.244.2.5:80");
  CHECK(f.Route("10.1.0.30", 80, "n3").verdict == Verdict::kDrop);
  // NodePort, by the receiving node under externalTrafficPolicy Local.
  CHECK(f.Route("192.168.0.3", 30080, "n3", "n1").verdict == Verdict::kForward);
  CHECK(f.Route("192.168.0.5", 30080, "n1", "n3").verdict == Verdict::kDrop);
  CHECK(f.Route("192.168.0.3", 30081, "n3", "n1").verdict == Verdict::kNoRule);
  // Headless: no virtual IP anywhere.
  const ServicePort* hl = f.proxier->Find("default", "hl", "");
  REQUIRE(hl != nullptr);
  CHECK(hl->cluster_ip == 0);
}

TEST_CASE("proxier: ClientIP affinity and its timeout", "[netsim]") {
  Fixture f;
  f.Apply(client::kServices,
          Svc("aff", {{"clusterIP", "10.1.0.40"},
                      {"sessionAffinity", "ClientIP"},
                      {"sessionAffinityConfig",
                       {{"clientIP", {{"timeoutSeconds", 10}}}}},
                      {"ports", {{{"port", 80}}}}}));
  Json eps = Json::array();
  for (int i = 2; i < 12; ++i) {
    eps.push_back(Ep("10.244.1." + std::to_string(i), "n1", true, true, false));
  }
  f.Apply(client::kEndpointSlices,
          Slice("aff", "a", {{{"name", ""}, {"port", 80}, {"protocol", "TCP"}}},
                eps));
  f.proxier->SyncNow();
  std::string first = f.Route("10.1.0.40", 80, "n1").endpoint->address;
  for (int i = 0; i < 50; ++i) {
    f.loop->RunFor(std::chrono::seconds(9));  // used again within 10 s
    CHECK(f.Route("10.1.0.40", 80, "n1").endpoint->address == first);
  }
  std::map<std::string, int> after;
  for (int i = 0; i < 50; ++i) {
    f.loop->RunFor(std::chrono::seconds(11));  // idle past the timeout
    ++after[f.Route("10.1.0.40", 80, "n1").endpoint->address];
  }
  CHECK(after.size() > 3);
}

}  // namespace
}  // namespace ksim::netsim
