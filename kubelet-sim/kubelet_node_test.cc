// Node registration, Lease renewals, node status reports and SetDown.
#include "kubelet-sim/kubelet_test_util.h"

namespace ksim::kubelet {
namespace {

using namespace testing;  // NOLINT

Json Condition(const Json& node, const std::string& type) {
  for (const auto& c : node["status"]["conditions"]) {
    if (c["type"] == type) return c;
  }
  return Json();
}

TEST_CASE("node: registration object", "[kubelet]") {
  NodeConfig cfg = TestNode("k8s-master");
  cfg.control_plane = true;
  Fixture f(1, cfg);
  auto creates = f.fake->ActionsFor(client::Verb::kCreate, client::kNodes);
  REQUIRE(creates.size() == 1);
  const Json& node = creates[0].object;
  CHECK(node["metadata"]["name"] == "k8s-master");
  CHECK(node["metadata"]["labels"]["kubernetes.io/hostname"] == "k8s-master");
  CHECK(node["metadata"]["labels"]["node-role.kubernetes.io/control-plane"] ==
        "");
  CHECK(node["spec"]["taints"][0] ==
        Json({{"key", "node-role.kubernetes.io/control-plane"},
              {"effect", "NoSchedule"}}));
  CHECK(node["spec"]["podCIDR"] == "10.244.1.0/24");
  const Json& st = node["status"];
  CHECK(st["capacity"]["pods"] == "110");
  CHECK(st["capacity"]["memory"] == "8148572Ki");
  CHECK(st["allocatable"]["memory"] == "8046172Ki");
  CHECK(st["addresses"][0] ==
        Json({{"type", "InternalIP"}, {"address", "192.168.56.11"}}));
  CHECK(st["addresses"][1] ==
        Json({{"type", "Hostname"}, {"address", "k8s-master"}}));
  CHECK(st["nodeInfo"]["kubeletVersion"] == "v1.32.0");
  CHECK(st["nodeInfo"]["containerRuntimeVersion"] == "containerd://1.7.24");
  CHECK(st["nodeInfo"]["machineID"].get<std::string>().size() == 32);
  CHECK(st["nodeInfo"]["architecture"] == "amd64");
  Json ready = Condition(node, "Ready");
  CHECK(ready["status"] == "True");
  CHECK(ready["reason"] == "KubeletReady");
  CHECK(ready["message"] == "kubelet is posting ready status");
  CHECK(Condition(node, "MemoryPressure")["status"] == "False");
  CHECK(Condition(node, "DiskPressure")["reason"] ==
        "KubeletHasNoDiskPressure");
  CHECK(Condition(node, "PIDPressure")["reason"] == "KubeletHasSufficientPID");
  CHECK(f.HasEvent("Starting: Starting kubelet."));
  CHECK(
      f.HasEvent("NodeHasSufficientMemory: Node k8s-master status is now: "
                 "NodeHasSufficientMemory"));
}

TEST_CASE("node: an existing node is adopted", "[kubelet]") {
  base::VirtualClock clock(kStart);
  base::Rng rng(3);
  auto loop = base::EventLoop::NewVirtual(&clock);
  client::FakeClient fake(loop.get());
  fake.Seed(client::kNodes,
            {{"apiVersion", "v1"},
             {"kind", "Node"},
             {"metadata", {{"name", "k8s-node-1"}, {"uid", "old-uid"}}}});
  client::InformerFactory informers(&fake, loop.get());
  client::ClusterContext ctx{loop.get(), &clock, &rng, &fake, &informers};
  ContainerLogStore logs;
  Kubelet k(ctx, TestNode(), &logs);
  REQUIRE(informers.StartAll().ok());
  k.Start();
  loop->RunUntilIdle();
  CHECK(k.registered());
  auto patches = fake.ActionsFor(client::Verb::kPatch, client::kNodes);
  REQUIRE(!patches.empty());
  CHECK(patches[0].subresource == "status");
  auto leases = fake.ActionsFor(client::Verb::kCreate, client::kLeases);
  REQUIRE(leases.size() == 1);
  CHECK(leases[0].object["metadata"]["ownerReferences"][0]["uid"] == "old-uid");
}

TEST_CASE("node: lease renewed every 10s, status every 5m unless changed",
          "[kubelet]") {
  Fixture f;
  auto leases = f.fake->ActionsFor(client::Verb::kCreate, client::kLeases);
  REQUIRE(leases.size() == 1);
  const Json& lease = leases[0].object;
  CHECK(lease["metadata"]["namespace"] == "kube-node-lease");
  CHECK(lease["spec"]["holderIdentity"] == "k8s-node-1");
  CHECK(lease["spec"]["leaseDurationSeconds"] == 40);
  CHECK(lease["spec"]["renewTime"] == "2025-11-24T19:03:54.000000Z");
  f.RunFor(seconds(60));
  auto updates = f.fake->ActionsFor(client::Verb::kUpdate, client::kLeases);
  REQUIRE(updates.size() == 6);
  CHECK(updates[0].object["spec"]["renewTime"] ==
        "2025-11-24T19:04:04.000000Z");
  CHECK(updates[5].object["spec"]["renewTime"] ==
        "2025-11-24T19:04:54.000000Z");
  // One status at registration; nothing changed since, so no more until the
  // 5-minute report.
  CHECK(f.fake->ActionsFor(client::Verb::kPatch, client::kNodes).size() == 1);
  f.RunFor(seconds(250));
  auto patches = f.fake->ActionsFor(client::Verb::kPatch, client::kNodes);
  REQUIRE(patches.size() == 2);
  Json ready = Condition(patches[1].object, "Ready");
  CHECK(ready["lastHeartbeatTime"] == "2025-11-24T19:08:54Z");
  CHECK(ready["lastTransitionTime"] == "2025-11-24T19:03:54Z");
}

TEST_CASE("node: SetDown stops heartbeats; SetDown(false) resumes",
          "[kubelet]") {
  Fixture f;
  f.RunFor(seconds(5));
  f.kubelet->SetDown(true);
  f.fake->ClearActions();
  f.RunFor(seconds(120));
  CHECK(f.fake->actions().empty());
  f.kubelet->SetDown(false);
  f.loop->RunUntilIdle();
  CHECK(f.fake->ActionsFor(client::Verb::kUpdate, client::kLeases).size() == 1);
  CHECK(f.fake->ActionsFor(client::Verb::kPatch, client::kNodes).size() == 1);
  // "Starting kubelet." again: the recorder aggregates it into the first.
  auto events = f.fake->ActionsFor(client::Verb::kPatch, client::kEvents);
  REQUIRE(!events.empty());
  CHECK(events[0].object["message"] == "Starting kubelet.");
  CHECK(events[0].object["count"] == 2);
  f.RunFor(seconds(10));
  CHECK(f.fake->ActionsFor(client::Verb::kUpdate, client::kLeases).size() == 2);
}

TEST_CASE("node: a Ready=Unknown set by the controller is put right",
          "[kubelet]") {
  Fixture f;
  f.RunFor(seconds(5));
  Json node = *f.fake->Get(client::kNodes, "", "k8s-node-1");
  for (auto& c : node["status"]["conditions"]) {
    if (c["type"] == "Ready") {
      c["status"] = "Unknown";
      c["reason"] = "NodeStatusUnknown";
    }
  }
  f.fake->UpdateStatus(client::kNodes, node);
  f.fake->ClearActions();
  f.RunFor(seconds(10));
  auto patches = f.fake->ActionsFor(client::Verb::kPatch, client::kNodes);
  REQUIRE(patches.size() == 1);
  Json ready = Condition(patches[0].object, "Ready");
  CHECK(ready["status"] == "True");
  CHECK(ready["lastTransitionTime"] == "2025-11-24T19:04:04Z");
  CHECK(f.HasEvent("NodeReady: Node k8s-node-1 status is now: NodeReady"));
}

}  // namespace
}  // namespace ksim::kubelet
