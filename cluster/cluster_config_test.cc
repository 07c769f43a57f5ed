#include "cluster/cluster_config.h"

#include <catch2/catch.hpp>

namespace ksim::cluster {
namespace {

using std::chrono::milliseconds;
using std::chrono::seconds;

TEST_CASE("the default cluster is the seed's", "[cluster_config]") {
  ClusterConfig c = DefaultClusterConfig();
  REQUIRE(c.nodes.size() == 3);
  CHECK(c.nodes[0].name == "k8s-master");
  CHECK(c.nodes[0].control_plane);
  CHECK(c.nodes[1].name == "k8s-node-1");
  CHECK_FALSE(c.nodes[1].control_plane);
  CHECK(c.nodes[2].name == "k8s-node-2");
  CHECK(c.pod_cidr == "10.244.0.0/16");
  CHECK(c.node_cidr_mask_size == 24);
  CHECK(c.service_cidr == "10.1.0.0/16");
  CHECK(c.node_port_min == 30000);
  CHECK(c.node_port_max == 32767);
}

TEST_CASE("a config file declares nodes, sizes, labels and taints",
          "[cluster_config]") {
  auto c = ParseClusterConfig(R"(
podCIDR: 10.200.0.0/16
nodeCIDRMaskSize: 26
serviceCIDR: 10.96.0.0/12
nodePortRange: 31000-31999
kubelet: {imagePullDelay: 2s, startDelay: 250ms}
nodes:
- name: cp
  controlPlane: true
- namePrefix: worker-
  count: 3
  cpu: 8
  memory: 32Gi
  pods: 50
  labels: {disk: ssd, tier: 1}
  taints: [{key: dedicated, value: db, effect: NoSchedule}]
)");
  REQUIRE(c.ok());
  CHECK(c->pod_cidr == "10.200.0.0/16");
  CHECK(c->node_cidr_mask_size == 26);
  CHECK(c->service_cidr == "10.96.0.0/12");
  CHECK(c->node_port_min == 31000);
  CHECK(c->node_port_max == 31999);
  CHECK(c->kubelet.image_pull == seconds(2));
  CHECK(c->kubelet.container_start == milliseconds(250));
  REQUIRE(c->nodes.size() == 4);
  CHECK(c->nodes[0].name == "cp");
  CHECK(c->nodes[0].control_plane);
  CHECK(c->nodes[3].name == "worker-3");
  CHECK(c->nodes[3].cpu == "8");
  CHECK(c->nodes[3].memory == "32Gi");
  CHECK(c->nodes[3].pods == 50);
  CHECK(c->nodes[3].labels.at("disk") == "ssd");
  CHECK(c->nodes[3].labels.at("tier") == "1");
  REQUIRE(c->nodes[3].taints.size() == 1);
  CHECK(c->nodes[3].taints[0]["key"] == "dedicated");
}

TEST_CASE("bad cluster configs name what is wrong", "[cluster_config]") {
  auto unknown = ParseClusterConfig("nodez: []\n");
  REQUIRE_FALSE(unknown.ok());
  CHECK(unknown.status().message() ==
        "cluster config: unknown field \"nodez\"");
  auto dup = ParseClusterConfig("nodes: [{name: a}, {name: a}]\n");
  REQUIRE_FALSE(dup.ok());
  CHECK(dup.status().message() == "cluster config: duplicate node name \"a\"");
  auto nameless = ParseClusterConfig("nodes: [{cpu: 2}]\n");
  REQUIRE_FALSE(nameless.ok());
  CHECK(nameless.status().message().find("needs a name") != std::string::npos);
  auto bad_delay = ParseClusterConfig("kubelet: {startDelay: 5 parsecs}\n");
  CHECK_FALSE(bad_delay.ok());
  CHECK_FALSE(ParseClusterConfig("nodes: [{name: a, pods: -1}]\n").ok());
  CHECK_FALSE(ParseClusterConfig("- a\n- b\n").ok());
}

TEST_CASE("Go durations", "[cluster_config]") {
  CHECK(*ParseGoDuration("1h30m") == std::chrono::minutes(90));
  CHECK(*ParseGoDuration("1.5s") == milliseconds(1500));
  CHECK(*ParseGoDuration("0") == base::Duration::zero());
  CHECK_FALSE(ParseGoDuration("").ok());
  CHECK_FALSE(ParseGoDuration("10").ok());
  CHECK_FALSE(ParseGoDuration("3d").ok());
}

}  // namespace
}  // namespace ksim::cluster
