// Helpers for whole-cluster tests in virtual time.
#ifndef KSIM_CLUSTER_CLUSTER_TEST_UTIL_H_
#define KSIM_CLUSTER_CLUSTER_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <memory>
#include <string>
#include <vector>

#include "base/json.h"
#include "client/resource.h"
#include "cluster/cluster.h"

namespace ksim::cluster::testing {

using base::Json;

// A started virtual-time cluster (the default seed nodes unless `config`).
inline std::unique_ptr<Cluster> NewVirtualCluster(
    uint64_t seed, ClusterConfig config = DefaultClusterConfig()) {
  ClusterOptions o;
  o.virtual_time = true;
  o.seed = seed;
  o.config = std::move(config);
  auto c = Cluster::Create(o);
  REQUIRE(c.ok());
  REQUIRE((*c)->Start().ok());
  return std::move(c).value();
}

inline std::vector<Json> ListObjects(Cluster& c, const client::Resource& r,
                                     const std::string& ns,
                                     const std::string& labels = "") {
  client::ListOptions o;
  o.label_selector = labels;
  auto l = c.client()->List(r, ns, o);
  REQUIRE(l.ok());
  return l->items;
}

inline bool HasCondition(const Json& obj, const std::string& type,
                         const std::string& status = "True") {
  const Json* conds = base::Find(obj, {"status", "conditions"});
  if (!conds) return false;
  for (const auto& c : *conds) {
    if (c.value("type", "") == type) return c.value("status", "") == status;
  }
  return false;
}

inline bool Terminating(const Json& obj) {
  return obj["metadata"].contains("deletionTimestamp");
}

inline bool PodRunningReady(const Json& pod) {
  return base::GetString(pod, {"status", "phase"}) == "Running" &&
         HasCondition(pod, "Ready") && !Terminating(pod);
}

inline size_t CountRunningReady(Cluster& c, const std::string& ns,
                                const std::string& labels) {
  size_t n = 0;
  for (const auto& p : ListObjects(c, client::kPods, ns, labels)) {
    n += PodRunningReady(p);
  }
  return n;
}

inline Json Deployment(const std::string& name, int replicas,
                       const std::string& image) {
  Json d = {{"apiVersion", "apps/v1"},
            {"kind", "Deployment"},
            {"metadata", {{"name", name}}},
            {"spec",
             {{"replicas", replicas},
              {"selector", {{"matchLabels", {{"app", name}}}}},
              {"template",
               {{"metadata", {{"labels", {{"app", name}}}}},
                {"spec",
                 {{"containers",
                   {{{"name", name},
                     {"image", image},
                     {"ports", {{{"containerPort", 8080}}}}}}}}}}}}}};
  return d;
}

}  // namespace ksim::cluster::testing

#endif  // KSIM_CLUSTER_CLUSTER_TEST_UTIL_H_
