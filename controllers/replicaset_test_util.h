// For the ReplicaSet and Deployment tests only: a virtual loop, a
// FakeClient, informers over it, and builders of the objects the tests load.
#ifndef KSIM_CONTROLLERS_REPLICASET_TEST_UTIL_H_
#define KSIM_CONTROLLERS_REPLICASET_TEST_UTIL_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "base/rng.h"
#include "client/cluster_context.h"
#include "client/fake_client.h"
#include "client/informer.h"

namespace ksim::controllers::testing {

using base::Json;

inline const base::Time kStart{std::chrono::seconds(1700000000)};

inline std::string At(int seconds) {
  return base::FormatRfc3339(kStart + std::chrono::seconds(seconds));
}

struct Fixture {
  Fixture()
      : clock(kStart),
        loop(base::EventLoop::NewVirtual(&clock)),
        fake(loop.get()),
        informers(&fake, loop.get()),
        rng(1) {
    ctx.loop = loop.get();
    ctx.clock = &clock;
    ctx.rng = &rng;
    ctx.client = &fake;
    ctx.informers = &informers;
  }

  client::Informer* Pods() { return informers.For(client::kPods); }
  client::Informer* ReplicaSets() {
    return informers.For(client::kReplicaSets);
  }
  client::Informer* Deployments() {
    return informers.For(client::kDeployments);
  }

  // Writes of one verb to one resource, without the Events.
  std::vector<client::Action> Writes(client::Verb verb,
                                     const client::Resource& r,
                                     const std::string& sub = "") const {
    std::vector<client::Action> out;
    for (const auto& a : fake.ActionsFor(verb, r)) {
      if (a.subresource == sub) out.push_back(a);
    }
    return out;
  }
  // Messages of the Events recorded so far, in order.
  std::vector<std::string> EventMessages() {
    std::vector<std::string> out;
    auto list = fake.List(client::kEvents, "default", {});
    if (!list.ok()) return out;
    for (const Json& e : list->items) {
      out.push_back(e.value("reason", "") + ": " + e.value("message", ""));
    }
    return out;
  }

  base::VirtualClock clock;
  std::unique_ptr<base::EventLoop> loop;
  client::FakeClient fake;
  client::InformerFactory informers;
  base::Rng rng;
  client::ClusterContext ctx;
};

inline Json Labels(const std::string& app) { return Json{{"app", app}}; }

inline Json MakeReplicaSet(const std::string& name, int replicas,
                           const std::string& app = "web") {
  return Json{
      {"apiVersion", "apps/v1"},
      {"kind", "ReplicaSet"},
      {"metadata",
       {{"name", name},
        {"namespace", "default"},
        {"uid", "uid-" + name},
        {"resourceVersion", "10"},
        {"generation", 1},
        {"creationTimestamp", At(0)},
        {"labels", Labels(app)}}},
      {"spec",
       {{"replicas", replicas},
        {"selector", {{"matchLabels", Labels(app)}}},
        {"template",
         {{"metadata", {{"labels", Labels(app)}}},
          {"spec",
           {{"containers",
             Json::array({{{"name", "web"}, {"image", "nginx"}}})}}}}}}}};
}

// A pod owned by `rs` (unless rs is null). phase "" means Pending without
// a node; ready_at < 0 means not ready.
inline Json MakePod(const std::string& name, const Json* rs,
                    const std::string& node, const std::string& phase,
                    int ready_at = -1, int created_at = 0,
                    const std::string& app = "web") {
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata",
               {{"name", name},
                {"namespace", "default"},
                {"uid", "uid-" + name},
                {"resourceVersion", "20"},
                {"creationTimestamp", At(created_at)},
                {"labels", Labels(app)}}},
              {"spec", {{"containers", Json::array({{{"name", "web"}}})}}},
              {"status", {{"phase", phase.empty() ? "Pending" : phase}}}};
  if (!node.empty()) pod["spec"]["nodeName"] = node;
  if (rs != nullptr) {
    pod["metadata"]["ownerReferences"] =
        Json::array({{{"apiVersion", "apps/v1"},
                      {"kind", "ReplicaSet"},
                      {"name", (*rs)["metadata"]["name"]},
                      {"uid", (*rs)["metadata"]["uid"]},
                      {"controller", true},
                      {"blockOwnerDeletion", true}}});
  }
  if (ready_at >= 0) {
    pod["status"]["conditions"] =
        Json::array({{{"type", "Ready"},
                      {"status", "True"},
                      {"lastTransitionTime", At(ready_at)}}});
  }
  return pod;
}

}  // namespace ksim::controllers::testing

#endif  // KSIM_CONTROLLERS_REPLICASET_TEST_UTIL_H_
