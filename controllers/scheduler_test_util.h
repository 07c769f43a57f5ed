// Test helpers of the scheduler tests: nodes, pods and a Scheduler over a
// FakeClient on a virtual loop.
#ifndef KSIM_CONTROLLERS_SCHEDULER_TEST_UTIL_H_
#define KSIM_CONTROLLERS_SCHEDULER_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "client/fake_client.h"
#include "controllers/scheduler.h"

namespace ksim::controllers::scheduler_testing {

using base::Json;
using client::Verb;

inline const base::Time kStart{std::chrono::seconds(1700000000)};

inline Json Node(const std::string& name, const std::string& cpu = "2",
                 const std::string& mem = "4Gi",
                 const std::string& pods = "110") {
  return {{"apiVersion", "v1"},
          {"kind", "Node"},
          {"metadata",
           {{"name", name},
            {"uid", "uid-" + name},
            {"labels", {{"kubernetes.io/hostname", name}}}}},
          {"spec", Json::object()},
          {"status",
           {{"allocatable", {{"cpu", cpu}, {"memory", mem}, {"pods", pods}}},
            {"conditions", {{{"type", "Ready"}, {"status", "True"}}}}}}};
}

inline Json ControlPlane(const std::string& name) {
  Json n = Node(name);
  n["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] = "";
  n["spec"]["taints"] = {{{"key", "node-role.kubernetes.io/control-plane"},
                          {"effect", "NoSchedule"}}};
  return n;
}

inline Json Pod(const std::string& name, const std::string& cpu = "",
                const std::string& owner = "rs-uid") {
  Json c = {{"name", "web"}, {"image", "nginx"}};
  if (!cpu.empty()) c["resources"] = {{"requests", {{"cpu", cpu}}}};
  Json p = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name}, {"namespace", "default"}, {"uid", "uid-" + name}}},
      {"spec",
       {{"schedulerName", "default-scheduler"},
        {"containers", Json::array({c})}}},
      {"status", {{"phase", "Pending"}}}};
  if (!owner.empty()) {
    p["metadata"]["ownerReferences"] = {{{"apiVersion", "apps/v1"},
                                         {"kind", "ReplicaSet"},
                                         {"name", "web"},
                                         {"uid", owner},
                                         {"controller", true}}};
  }
  return p;
}

struct Env {
  explicit Env(uint64_t seed = 1) : clock(kStart), rng(seed) {
    loop = base::EventLoop::NewVirtual(&clock);
    fake = std::make_unique<client::FakeClient>(loop.get());
    informers =
        std::make_unique<client::InformerFactory>(fake.get(), loop.get());
    ctx = {loop.get(), &clock, &rng, fake.get(), informers.get()};
    scheduler = std::make_unique<Scheduler>(ctx);
    REQUIRE(informers->StartAll().ok());
    loop->RunUntilIdle();
  }
  void AddNode(Json n) {
    fake->Seed(client::kNodes, std::move(n));
    loop->RunUntilIdle();
  }
  void AddPod(Json p) {
    fake->Seed(client::kPods, std::move(p));
    loop->RunUntilIdle();
  }
  // pod name -> node, from the binding actions.
  std::map<std::string, std::string> Bindings() const {
    std::map<std::string, std::string> out;
    for (const client::Action& a : fake->actions()) {
      if (a.verb == Verb::kCreate && a.subresource == "binding") {
        out[a.name] = base::GetString(a.object, {"target", "name"});
      }
    }
    return out;
  }
  std::vector<Json> Events(const std::string& reason) const {
    std::vector<Json> out;
    for (const client::Action& a :
         fake->ActionsFor(Verb::kCreate, client::kEvents)) {
      if (a.object.value("reason", "") == reason) out.push_back(a.object);
    }
    return out;
  }

  base::VirtualClock clock;
  base::Rng rng;
  std::unique_ptr<base::EventLoop> loop;
  std::unique_ptr<client::FakeClient> fake;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<Scheduler> scheduler;
};

}  // namespace ksim::controllers::scheduler_testing

#endif  // KSIM_CONTROLLERS_SCHEDULER_TEST_UTIL_H_
