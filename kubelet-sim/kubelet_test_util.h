// For kubelet-sim tests only: a virtual loop, a FakeClient with informers
// over it, one Kubelet, and helpers to seed pods and read what was written.
#ifndef KSIM_KUBELET_SIM_KUBELET_TEST_UTIL_H_
#define KSIM_KUBELET_SIM_KUBELET_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "client/fake_client.h"
#include "client/informer.h"
#include "client/resource.h"
#include "kubelet-sim/kubelet.h"

namespace ksim::kubelet::testing {

using base::Json;
using std::chrono::milliseconds;
using std::chrono::seconds;

inline const base::Time kStart{seconds(1764011034)};  // 2025-11-24T19:03:54Z

inline NodeConfig TestNode(const std::string& name = "k8s-node-1") {
  NodeConfig c;
  c.name = name;
  c.internal_ip = "192.168.56.11";
  c.pod_cidr = "10.244.1.0/24";
  c.delays.sandbox = seconds(1);
  c.delays.container_start = milliseconds(500);
  c.delays.image_pull = seconds(2);
  c.delays.jitter = 0;  // exact timings; seeded jitter is tested apart
  c.delays.instant_apps = true;
  return c;
}

inline Json PodSpec(const std::string& name, Json containers,
                    const std::string& node = "k8s-node-1") {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"name", name},
            {"namespace", "default"},
            {"uid", "uid-" + name},
            {"annotations", Json::object()}}},
          {"spec",
           {{"nodeName", node},
            {"restartPolicy", "Always"},
            {"terminationGracePeriodSeconds", 30},
            {"containers", std::move(containers)}}},
          {"status", {{"phase", "Pending"}, {"qosClass", "BestEffort"}}}};
}

inline Json Container(const std::string& name, const std::string& image,
                      Json extra = Json::object()) {
  Json c = {
      {"name", name}, {"image", image}, {"imagePullPolicy", "IfNotPresent"}};
  c.update(extra);
  return c;
}

inline apiserver::LogRequest LogReq(const std::string& container,
                                    bool previous = false) {
  apiserver::LogRequest r;
  r.container = container;
  r.previous = previous;
  return r;
}

struct Fixture {
  explicit Fixture(uint64_t seed = 1, NodeConfig config = TestNode())
      : clock(kStart), rng(seed) {
    loop = base::EventLoop::NewVirtual(&clock);
    fake = std::make_unique<client::FakeClient>(loop.get());
    informers =
        std::make_unique<client::InformerFactory>(fake.get(), loop.get());
    ctx = {loop.get(), &clock, &rng, fake.get(), informers.get()};
    informers->For(client::kPods);
    informers->For(client::kNodes);
    kubelet = std::make_unique<Kubelet>(ctx, std::move(config), &logs);
    REQUIRE(informers->StartAll().ok());
    kubelet->Start();
    loop->RunUntilIdle();
  }

  void AddPod(Json pod) {
    fake->Seed(client::kPods, std::move(pod));
    loop->RunUntilIdle();
  }
  Json Pod(const std::string& name) {
    auto p = fake->Get(client::kPods, "default", name);
    return p.ok() ? *p : Json();
  }
  // "Reason: message" of every Event created so far, in order.
  std::vector<std::string> Events() const {
    std::vector<std::string> out;
    for (const auto& a :
         fake->ActionsFor(client::Verb::kCreate, client::kEvents)) {
      out.push_back(a.object.value("reason", "") + ": " +
                    a.object.value("message", ""));
    }
    return out;
  }
  bool HasEvent(const std::string& e) const {
    for (const auto& x : Events()) {
      if (x == e) return true;
    }
    return false;
  }
  // The status patches written for a pod, in order.
  std::vector<Json> StatusPatches(const std::string& name) const {
    std::vector<Json> out;
    for (const auto& a :
         fake->ActionsFor(client::Verb::kPatch, client::kPods)) {
      if (a.name == name && a.subresource == "status") {
        out.push_back(a.object["status"]);
      }
    }
    return out;
  }
  Json ContainerStatus(const std::string& pod, size_t i = 0) {
    return Pod(pod)["status"]["containerStatuses"][i];
  }
  void RunFor(base::Duration d) { loop->RunFor(d); }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::FakeClient> fake;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  ContainerLogStore logs;
  std::unique_ptr<Kubelet> kubelet;
};

}  // namespace ksim::kubelet::testing

#endif  // KSIM_KUBELET_SIM_KUBELET_TEST_UTIL_H_
