// The kubelet against the real API server registry (InProcessClient): what
// it writes must pass kube-apiserver's validation, and deletion must go
// through the real graceful path.
#include "client/test_cluster.h"
#include "kubelet-sim/kubelet_set.h"

namespace ksim::kubelet {
namespace {

using base::Json;
using std::chrono::seconds;

struct RegistryFixture {
  RegistryFixture() : rng(5) {
    informers = std::make_unique<client::InformerFactory>(tc.client.get(),
                                                          tc.loop.get());
    ctx = {tc.loop.get(), &tc.clock, &rng, tc.client.get(), informers.get()};
    for (const char* ns : {"kube-node-lease"}) {
      REQUIRE(tc.Sync([&](client::WriteCallback done) {
                  tc.client->Create(client::kNamespaces, "",
                                    Json{{"metadata", {{"name", ns}}}},
                                    std::move(done));
                }).ok());
    }
    set = std::make_unique<KubeletSet>(ctx);
    NodeConfig n;
    n.name = "k8s-node-1";
    n.internal_ip = "192.168.56.11";
    n.pod_cidr = "10.244.1.0/24";
    set->AddNode(n);
    REQUIRE(informers->StartAll().ok());
    tc.loop->RunUntilIdle();
  }
  Json Get(const client::Resource& r, const std::string& ns,
           const std::string& name) {
    auto o = tc.client->Get(r, ns, name);
    return o.ok() ? *o : Json();
  }

  client::testing::TestCluster tc;
  base::Rng rng;
  std::unique_ptr<client::InformerFactory> informers;
  client::ClusterContext ctx;
  std::unique_ptr<KubeletSet> set;
};

TEST_CASE("registry: node, lease and a running pod pass validation",
          "[kubelet]") {
  RegistryFixture f;
  Json node = f.Get(client::kNodes, "", "k8s-node-1");
  REQUIRE(node.is_object());
  CHECK(node["status"]["conditions"][3]["type"] == "Ready");
  CHECK(node["status"]["nodeInfo"]["kubeletVersion"] == "v1.32.0");
  Json lease = f.Get(client::kLeases, "kube-node-lease", "k8s-node-1");
  REQUIRE(lease.is_object());
  CHECK(lease["spec"]["holderIdentity"] == "k8s-node-1");
  Json pod = client::testing::Pod("web-1");
  pod["spec"]["nodeName"] = "k8s-node-1";
  REQUIRE(f.tc.Sync([&](client::WriteCallback done) {
                f.tc.client->Create(client::kPods, "default", pod,
                                    std::move(done));
              })
              .ok());
  f.tc.loop->RunFor(seconds(30));
  Json got = f.Get(client::kPods, "default", "web-1");
  CHECK(got["status"]["phase"] == "Running");
  CHECK(got["status"]["podIP"] == "10.244.1.2");
  CHECK(got["status"]["containerStatuses"][0]["ready"] == true);
  Json lease2 = f.Get(client::kLeases, "kube-node-lease", "k8s-node-1");
  CHECK(lease2["spec"]["renewTime"] != lease["spec"]["renewTime"]);
  // kubectl delete pod: graceful, then the kubelet's final delete.
  REQUIRE(f.tc.Sync([&](client::WriteCallback done) {
                f.tc.client->Delete(client::kPods, "default", "web-1", {},
                                    std::move(done));
              })
              .ok());
  f.tc.loop->RunFor(seconds(1));
  Json terminating = f.Get(client::kPods, "default", "web-1");
  if (terminating.is_object()) {
    CHECK(terminating["metadata"].contains("deletionTimestamp"));
  }
  f.tc.loop->RunFor(seconds(5));
  CHECK(f.Get(client::kPods, "default", "web-1").is_null());
  CHECK(f.set->PodAt("10.244.1.2") == "");
}

}  // namespace
}  // namespace ksim::kubelet
