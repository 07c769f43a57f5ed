// KubeletSet: dispatch by node, the IP index, and what many nodes cost.
#include "kubelet-sim/kubelet_set.h"

#include <chrono>
#include <cstdlib>
#include <iostream>

#include "kubelet-sim/kubelet_test_util.h"

namespace ksim::kubelet {
namespace {

using namespace testing;  // NOLINT

struct SetFixture {
  explicit SetFixture(uint64_t seed) : clock(kStart), rng(seed) {
    loop = base::EventLoop::NewVirtual(&clock);
    fake = std::make_unique<client::FakeClient>(loop.get());
    informers =
        std::make_unique<client::InformerFactory>(fake.get(), loop.get());
    ctx = {loop.get(), &clock, &rng, fake.get(), informers.get()};
    set = std::make_unique<KubeletSet>(ctx);
  }
  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::FakeClient> fake;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<KubeletSet> set;
};

TEST_CASE("set: pods go to their node's kubelet; the IP index follows",
          "[kubelet]") {
  uint64_t seed = 7;
  INFO("seed " << seed);
  SetFixture f(seed);
  NodeConfig n1 = TestNode("k8s-node-1");
  NodeConfig n2 = TestNode("k8s-node-2");
  n2.internal_ip = "192.168.56.12";
  n2.pod_cidr = "10.244.2.0/24";
  f.set->AddNode(n1);
  f.set->AddNode(n2);
  REQUIRE(f.informers->StartAll().ok());
  f.loop->RunUntilIdle();
  CHECK(f.set->Get("k8s-node-1")->registered());
  CHECK(f.set->Get("k8s-node-2")->registered());
  f.fake->Seed(
      client::kPods,
      PodSpec(
          "web-a",
          Json::array({Container("web", "kubeguide/tomcat-app:v1",
                                 {{"ports", {{{"containerPort", 8080}}}}})}),
          "k8s-node-1"));
  f.fake->Seed(
      client::kPods,
      PodSpec(
          "web-b",
          Json::array({Container("web", "kubeguide/tomcat-app:v1",
                                 {{"ports", {{{"containerPort", 8080}}}}})}),
          "k8s-node-2"));
  Json host =
      PodSpec("proxy", Json::array({Container("p", "nginx")}), "k8s-node-2");
  host["spec"]["hostNetwork"] = true;
  f.fake->Seed(client::kPods, host);
  f.loop->RunFor(seconds(10));
  CHECK(f.set->Get("k8s-node-1")->PodIP("default/web-a") == "10.244.1.2");
  CHECK(f.set->Get("k8s-node-2")->PodIP("default/web-b") == "10.244.2.2");
  CHECK(f.set->Get("k8s-node-2")->PodIP("default/proxy") == "192.168.56.12");
  CHECK(f.set->PodAt("10.244.2.2") == "default/web-b");
  CHECK(f.set->NodeOf("10.244.2.2") == "k8s-node-2");
  f.set->Get("k8s-node-2")->SetDown(true);
  CHECK_FALSE(f.set->FindListener("10.244.2.2", 8080));
  f.set->Get("k8s-node-2")->SetDown(false);
  auto l = f.set->FindListener("10.244.2.2", 8080);
  REQUIRE(l);
  CHECK(l->ready);
  HttpResponse r = l->app->ServeHttp(l->context, HttpRequest());
  CHECK(r.body.find("web-b") != std::string::npos);
  CHECK_FALSE(f.set->FindListener("10.244.2.99", 8080));
  apiserver::LogRequest req;
  req.container = "web";
  auto logs = f.set->logs()->Read("default", "web-a", "uid-web-a", req);
  REQUIRE(logs.ok());
  CHECK(logs->find("Server startup in") != std::string::npos);
  f.fake->Delete(client::kPods, "default", "web-b");
  f.loop->RunFor(seconds(1));
  CHECK(f.set->PodAt("10.244.2.2") == "");
}

TEST_CASE("set: many nodes and pods at zero delay", "[kubelet]") {
  uint64_t seed = 11;
  INFO("seed " << seed);
  SetFixture f(seed);
  // KSIM_KUBELET_SCALE=N runs N nodes and 4N pods (measured: see README).
  const char* scale = std::getenv("KSIM_KUBELET_SCALE");
  const int kNodes = scale ? std::atoi(scale) : 500, kPods = 4 * kNodes;
  auto wall = std::chrono::steady_clock::now();
  for (int i = 0; i < kNodes; ++i) {
    NodeConfig n = TestNode("node-" + std::to_string(i));
    n.pod_cidr = std::to_string(10 + i / 62500) + "." +
                 std::to_string(i / 250 % 250) + "." + std::to_string(i % 250) +
                 ".0/24";
    n.delays = Delays::Zero();
    f.set->AddNode(n);
  }
  REQUIRE(f.informers->StartAll().ok());
  f.loop->RunUntilIdle();
  for (int i = 0; i < kPods; ++i) {
    f.fake->Seed(client::kPods, PodSpec("p" + std::to_string(i),
                                        Json::array({Container("c", "nginx")}),
                                        "node-" + std::to_string(i % kNodes)));
  }
  f.loop->RunFor(seconds(1));
  int running = 0;
  for (int i = 0; i < kPods; ++i) {
    auto p = f.fake->Get(client::kPods, "default", "p" + std::to_string(i));
    if (p.ok() && (*p)["status"]["phase"] == "Running") ++running;
  }
  CHECK(running == kPods);
  f.loop->RunFor(seconds(60));  // leases and status of every node
  double secs =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - wall)
          .count();
  std::cout << "[kubelet] " << kNodes << " nodes, " << kPods
            << " pods Running and 60 s of heartbeats in " << secs
            << " s wall\n";
}

}  // namespace
}  // namespace ksim::kubelet
