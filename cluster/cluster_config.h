// ClusterConfig: the shape of the simulated cluster — its nodes, CIDRs and
// the kubelet's default delays. The default is the seed tutorial's cluster
// (k8s-master, k8s-node-1, k8s-node-2); a YAML file may declare any number
// of nodes with their sizes, labels and taints:
//
//   podCIDR: 10.244.0.0/16        # each node gets a /nodeCIDRMaskSize of it
//   nodeCIDRMaskSize: 24
//   serviceCIDR: 10.1.0.0/16
//   nodePortRange: 30000-32767
//   kubelet: {imagePullDelay: 1s, startDelay: 500ms}
//   nodes:
//   - name: k8s-master
//     controlPlane: true          # control-plane label and NoSchedule taint
//   - name: k8s-node-1
//     cpu: "4"
//     memory: 8Gi
//     pods: 110
//     labels: {disk: ssd}
//     taints: [{key: dedicated, value: db, effect: NoSchedule}]
//   - namePrefix: worker-         # worker-1 ... worker-100
//     count: 100
//     cpu: "8"
#ifndef KSIM_CLUSTER_CLUSTER_CONFIG_H_
#define KSIM_CLUSTER_CLUSTER_CONFIG_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::cluster {

struct NodeSpec {
  std::string name;
  bool control_plane = false;
  std::string cpu = "2";
  std::string memory = "4Gi";
  int pods = 110;
  std::string ephemeral_storage = "50Gi";
  std::map<std::string, std::string> labels;  // besides kubernetes.io/*
  std::vector<base::Json> taints;             // v1 Taint objects
};

struct KubeletDelays {
  base::Duration image_pull = std::chrono::milliseconds(1000);
  base::Duration container_start = std::chrono::milliseconds(500);
};

struct ClusterConfig {
  std::vector<NodeSpec> nodes;
  std::string pod_cidr = "10.244.0.0/16";
  int node_cidr_mask_size = 24;
  std::string service_cidr = "10.1.0.0/16";
  int node_port_min = 30000;
  int node_port_max = 32767;
  KubeletDelays kubelet;
};

// The seed's cluster: one control-plane node and two workers.
ClusterConfig DefaultClusterConfig();

// Parses the YAML above. Unknown keys and bad values are BadRequest errors
// naming the key; a config without nodes gets the default nodes.
base::StatusOr<ClusterConfig> ParseClusterConfig(std::string_view yaml);
base::StatusOr<ClusterConfig> LoadClusterConfig(const std::string& path);

// "1s", "500ms", "2m", "1h30m" (Go's time.ParseDuration units h/m/s/ms/us/ns).
base::StatusOr<base::Duration> ParseGoDuration(std::string_view s);

}  // namespace ksim::cluster

#endif  // KSIM_CLUSTER_CLUSTER_CONFIG_H_
