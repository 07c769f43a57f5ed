// For the endpoints and endpointslice controller tests only: a virtual loop,
// a FakeClient and informers over it, and builders of the objects the
// controllers read.
#ifndef KSIM_CONTROLLERS_ENDPOINTS_TEST_UTIL_H_
#define KSIM_CONTROLLERS_ENDPOINTS_TEST_UTIL_H_

#include <chrono>
#include <memory>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "base/rng.h"
#include "client/cluster_context.h"
#include "client/fake_client.h"
#include "client/informer.h"

namespace ksim::controllers::endpoints_testing {

using base::Json;
using client::Action;
using client::EventType;
using client::Verb;

inline const base::Time kStart{std::chrono::seconds(1700000000)};
inline const char kStartText[] = "2023-11-14T22:13:20Z";

struct Env {
  Env()
      : clock(kStart),
        loop(base::EventLoop::NewVirtual(&clock)),
        rng(1),
        fake(loop.get()),
        informers(&fake, loop.get()) {
    ctx.loop = loop.get();
    ctx.clock = &clock;
    ctx.rng = &rng;
    ctx.client = &fake;
    ctx.informers = &informers;
  }

  // Puts an object in the informer cache and the fake's storage.
  void Load(const client::Resource& r, Json obj) {
    fake.Seed(r, obj);
    informers.For(r)->Apply(EventType::kAdded, std::move(obj));
  }
  void Update(const client::Resource& r, Json obj) {
    fake.Seed(r, obj);
    informers.For(r)->Apply(EventType::kModified, std::move(obj));
  }
  void Remove(const client::Resource& r, Json obj) {
    informers.For(r)->Apply(EventType::kDeleted, std::move(obj));
  }
  // Writes of one verb to `r` (events left out).
  std::vector<Action> Writes(Verb verb, const client::Resource& r) const {
    return fake.ActionsFor(verb, r);
  }
  size_t WriteCount() const {
    size_t n = 0;
    for (const Action& a : fake.actions()) {
      if (!(a.resource == client::kEvents)) ++n;
    }
    return n;
  }
  std::vector<Json> Events() const {
    std::vector<Json> out;
    for (const Action& a : fake.actions()) {
      if (a.resource == client::kEvents && a.verb == Verb::kCreate) {
        out.push_back(a.object);
      }
    }
    return out;
  }

  base::VirtualClock clock;
  std::unique_ptr<base::EventLoop> loop;
  base::Rng rng;
  client::FakeClient fake;
  client::InformerFactory informers;
  client::ClusterContext ctx;
};

// A Service as the API serves it: ClusterIP 10.1.0.10 (or "None"), the
// given selector and ports ({name, port, targetPort, protocol}).
inline Json Service(const std::string& name, Json selector, Json ports,
                    const std::string& cluster_ip = "10.1.0.10") {
  Json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata",
               {{"name", name},
                {"namespace", "default"},
                {"uid", "uid-svc-" + name},
                {"resourceVersion", "10"},
                {"creationTimestamp", kStartText},
                {"labels", {{"app", name}}}}},
              {"spec",
               {{"clusterIP", cluster_ip},
                {"type", "ClusterIP"},
                {"ports", std::move(ports)}}}};
  if (!selector.is_null()) svc["spec"]["selector"] = std::move(selector);
  if (cluster_ip != "None") svc["spec"]["ipFamilies"] = {"IPv4"};
  return svc;
}

inline Json ServicePort(const std::string& name, int port, Json target) {
  Json p = {
      {"port", port}, {"targetPort", std::move(target)}, {"protocol", "TCP"}};
  if (!name.empty()) p["name"] = name;
  return p;
}

// A running pod with label app=<app> on `node` with IP `ip` ("" = none),
// Ready as told, whose one container exposes `container_ports`
// ({name, containerPort}).
inline Json Pod(const std::string& name, const std::string& app,
                const std::string& ip, const std::string& node, bool ready,
                Json container_ports = Json::array()) {
  Json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", name},
        {"namespace", "default"},
        {"uid", "uid-" + name},
        {"resourceVersion", "20"},
        {"labels", {{"app", app}}}}},
      {"spec",
       {{"nodeName", node},
        {"containers",
         {{{"name", "c"}, {"image", "nginx"}, {"ports", container_ports}}}}}},
      {"status",
       {{"phase", "Running"},
        {"conditions",
         {{{"type", "Ready"},
           {"status", ready ? "True" : "False"},
           {"lastTransitionTime", kStartText}}}}}}};
  if (!ip.empty()) {
    pod["status"]["podIP"] = ip;
    pod["status"]["podIPs"] = {{{"ip", ip}}};
  }
  return pod;
}

inline Json Node(const std::string& name, const std::string& zone = "") {
  Json n = {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", name}, {"uid", "uid-" + name}, {"resourceVersion", "5"}}}};
  if (!zone.empty()) {
    n["metadata"]["labels"]["topology.kubernetes.io/zone"] = zone;
  }
  return n;
}

}  // namespace ksim::controllers::endpoints_testing

#endif  // KSIM_CONTROLLERS_ENDPOINTS_TEST_UTIL_H_
