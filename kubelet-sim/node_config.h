// NodeConfig: one simulated node as the cluster config declares it, and the
// Node and Lease objects its kubelet writes (kubelet_node_status.go,
// nodestatus/setters.go and nodelease of Kubernetes 1.32).
//
// Thread-safety: plain data and pure functions.
#ifndef KSIM_KUBELET_SIM_NODE_CONFIG_H_
#define KSIM_KUBELET_SIM_NODE_CONFIG_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/rng.h"

namespace ksim::kubelet {

// How long the simulated runtime takes. Each delay is scaled by a seeded
// factor in [1 - jitter, 1 + jitter]. All zero: pods run at once (bench).
struct Delays {
  base::Duration sandbox = std::chrono::milliseconds(600);  // IP, pause
  // nullopt: the image table's pull time; a value: every pull takes that.
  std::optional<base::Duration> image_pull;
  base::Duration container_start = std::chrono::milliseconds(300);
  double jitter = 0.2;
  // Everything zero, no jitter, no application start-up time.
  static Delays Zero() {
    Delays d;
    d.sandbox = d.container_start = base::Duration(0);
    d.image_pull = base::Duration(0);
    d.jitter = 0;
    d.instant_apps = true;
    return d;
  }
  bool instant_apps = false;  // applications are ready at once
};

struct NodeConfig {
  std::string name;
  std::string cpu = "4";
  std::string memory = "8148572Ki";  // about 8 GiB, as /proc/meminfo reports
  std::string pods = "110";
  std::string ephemeral_storage = "102626232Ki";
  std::map<std::string, std::string> labels;  // extra labels
  std::vector<base::Json> taints;             // extra taints
  bool control_plane = false;
  std::string internal_ip;  // required
  // Set spec.podCIDR(s) at registration; empty: wait for someone (the node
  // IPAM controller or the cluster) to set it.
  std::string pod_cidr;
  std::string kubelet_version = "v1.32.0";
  std::string container_runtime_version = "containerd://1.7.24";
  std::string os_image = "Ubuntu 22.04.5 LTS";
  std::string kernel_version = "5.15.0-126-generic";
  Delays delays;
  base::Duration lease_renew_interval = std::chrono::seconds(10);
  int64_t lease_duration_seconds = 40;
  base::Duration status_update_frequency = std::chrono::seconds(10);
  base::Duration status_report_frequency = std::chrono::minutes(5);
};

// IDs the node keeps for its life (drawn from the cluster Rng once).
struct NodeIdentity {
  std::string machine_id;   // 32 hex
  std::string system_uuid;  // a UUID
  std::string boot_id;      // a UUID
};
NodeIdentity NewNodeIdentity(base::Rng* rng);

// The Node the kubelet registers (metadata, spec, status) at `now`.
base::Json InitialNode(const NodeConfig& c, const NodeIdentity& id,
                       base::Time now);
// The node status the kubelet reports at `now`, keeping transition times
// of unchanged conditions from `current` (the node as stored).
// `images`: image name -> size, the images pulled on the node.
base::Json NodeStatus(const NodeConfig& c, const NodeIdentity& id,
                      const base::Json& current,
                      const std::map<std::string, int64_t>& images,
                      base::Time now);
// Allocatable from capacity: kubeadm's default eviction thresholds
// (memory.available<100Mi, nodefs.available<10%).
base::Json Allocatable(const NodeConfig& c);

// The node's Lease in kube-node-lease.
base::Json NewLease(const NodeConfig& c, const std::string& node_uid,
                    base::Time now);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_NODE_CONFIG_H_
