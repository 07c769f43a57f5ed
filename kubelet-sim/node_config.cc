#include "kubelet-sim/node_config.h"

#include <algorithm>
#include <cstdio>

#include "kubelet-sim/images.h"

namespace ksim::kubelet {
namespace {

using base::Json;

std::string Hex(base::Rng* rng, int n) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < n; ++i) s += kDigits[rng->Uniform(16)];
  return s;
}

// Bytes of a quantity with a binary or decimal suffix ("8148572Ki", "8Gi",
// "100G", "1024").
int64_t Bytes(const std::string& q) {
  static const std::vector<std::pair<std::string, int64_t>> kSuffixes = {
      {"Ki", 1LL << 10}, {"Mi", 1LL << 20},   {"Gi", 1LL << 30},
      {"Ti", 1LL << 40}, {"k", 1000},         {"M", 1000000},
      {"G", 1000000000}, {"T", 1000000000000}};
  for (const auto& [s, m] : kSuffixes) {
    if (q.size() > s.size() &&
        q.compare(q.size() - s.size(), s.size(), s) == 0) {
      return std::atoll(q.substr(0, q.size() - s.size()).c_str()) * m;
    }
  }
  return std::atoll(q.c_str());
}

// A byte count as Kubernetes' Quantity prints it in binary SI form.
std::string BinaryQuantity(int64_t bytes) {
  if (bytes % 1024 == 0) return std::to_string(bytes / 1024) + "Ki";
  return std::to_string(bytes);
}

Json Condition(const std::string& type, const std::string& status,
               const std::string& reason, const std::string& message,
               const Json& current, const std::string& now) {
  std::string transition = now;
  if (const Json* conds = base::Find(current, {"status", "conditions"});
      conds && conds->is_array()) {
    for (const auto& c : *conds) {
      if (c.value("type", "") == type && c.value("status", "") == status) {
        transition = c.value("lastTransitionTime", now);
      }
    }
  }
  return {{"type", type},
          {"status", status},
          {"lastHeartbeatTime", now},
          {"lastTransitionTime", transition},
          {"reason", reason},
          {"message", message}};
}

}  // namespace

NodeIdentity NewNodeIdentity(base::Rng* rng) {
  NodeIdentity id;
  id.machine_id = Hex(rng, 32);
  id.system_uuid = rng->Uuid();
  id.boot_id = rng->Uuid();
  return id;
}

Json Allocatable(const NodeConfig& c) {
  int64_t mem = Bytes(c.memory) - 100 * (1LL << 20);
  int64_t disk = Bytes(c.ephemeral_storage);
  return {{"cpu", c.cpu},
          {"ephemeral-storage", std::to_string(disk / 10 * 9)},
          {"hugepages-1Gi", "0"},
          {"hugepages-2Mi", "0"},
          {"memory", BinaryQuantity(std::max<int64_t>(mem, 0))},
          {"pods", c.pods}};
}

Json InitialNode(const NodeConfig& c, const NodeIdentity& id, base::Time now) {
  Json labels = {{"beta.kubernetes.io/arch", "amd64"},
                 {"beta.kubernetes.io/os", "linux"},
                 {"kubernetes.io/arch", "amd64"},
                 {"kubernetes.io/hostname", c.name},
                 {"kubernetes.io/os", "linux"}};
  Json taints = Json::array();
  if (c.control_plane) {
    labels["node-role.kubernetes.io/control-plane"] = "";
    labels["node.kubernetes.io/exclude-from-external-load-balancers"] = "";
    taints.push_back({{"key", "node-role.kubernetes.io/control-plane"},
                      {"effect", "NoSchedule"}});
  }
  for (const auto& [k, v] : c.labels) labels[k] = v;
  for (const auto& t : c.taints) taints.push_back(t);
  Json node = {
      {"apiVersion", "v1"},
      {"kind", "Node"},
      {"metadata",
       {{"name", c.name},
        {"labels", labels},
        {"annotations",
         {{"kubeadm.alpha.kubernetes.io/cri-socket",
           "unix:///var/run/containerd/containerd.sock"},
          {"node.alpha.kubernetes.io/ttl", "0"},
          {"volumes.kubernetes.io/controller-managed-attach-detach",
           "true"}}}}},
      {"spec", Json::object()},
  };
  if (!taints.empty()) node["spec"]["taints"] = taints;
  if (!c.pod_cidr.empty()) {
    node["spec"]["podCIDR"] = c.pod_cidr;
    node["spec"]["podCIDRs"] = Json::array({c.pod_cidr});
  }
  node["status"] = NodeStatus(c, id, Json::object(), {}, now);
  return node;
}

Json NodeStatus(const NodeConfig& c, const NodeIdentity& id,
                const Json& current,
                const std::map<std::string, int64_t>& images, base::Time now) {
  std::string ts = base::FormatRfc3339(now);
  Json capacity = {
      {"cpu", c.cpu},         {"ephemeral-storage", c.ephemeral_storage},
      {"hugepages-1Gi", "0"}, {"hugepages-2Mi", "0"},
      {"memory", c.memory},   {"pods", c.pods}};
  Json conditions = Json::array(
      {Condition("MemoryPressure", "False", "KubeletHasSufficientMemory",
                 "kubelet has sufficient memory available", current, ts),
       Condition("DiskPressure", "False", "KubeletHasNoDiskPressure",
                 "kubelet has no disk pressure", current, ts),
       Condition("PIDPressure", "False", "KubeletHasSufficientPID",
                 "kubelet has sufficient PID available", current, ts),
       Condition("Ready", "True", "KubeletReady",
                 "kubelet is posting ready status", current, ts)});
  // The kubelet lists images largest first.
  std::vector<std::pair<int64_t, std::string>> by_size;
  for (const auto& [name, size] : images) by_size.push_back({-size, name});
  std::sort(by_size.begin(), by_size.end());
  Json image_list = Json::array();
  for (const auto& [neg, name] : by_size) {
    Json names = Json::array({NormalizeImage(name).ImageId(), name});
    image_list.push_back({{"names", names}, {"sizeBytes", -neg}});
  }
  Json status = {
      {"addresses",
       Json::array({{{"type", "InternalIP"}, {"address", c.internal_ip}},
                    {{"type", "Hostname"}, {"address", c.name}}})},
      {"allocatable", Allocatable(c)},
      {"capacity", capacity},
      {"conditions", conditions},
      {"daemonEndpoints", {{"kubeletEndpoint", {{"Port", 10250}}}}},
      {"nodeInfo",
       {{"architecture", "amd64"},
        {"bootID", id.boot_id},
        {"containerRuntimeVersion", c.container_runtime_version},
        {"kernelVersion", c.kernel_version},
        {"kubeProxyVersion", c.kubelet_version},
        {"kubeletVersion", c.kubelet_version},
        {"machineID", id.machine_id},
        {"operatingSystem", "linux"},
        {"osImage", c.os_image},
        {"systemUUID", id.system_uuid}}},
  };
  if (!image_list.empty()) status["images"] = image_list;
  return status;
}

Json NewLease(const NodeConfig& c, const std::string& node_uid,
              base::Time now) {
  Json lease = {
      {"apiVersion", "coordination.k8s.io/v1"},
      {"kind", "Lease"},
      {"metadata", {{"name", c.name}, {"namespace", "kube-node-lease"}}},
      {"spec",
       {{"holderIdentity", c.name},
        {"leaseDurationSeconds", c.lease_duration_seconds},
        {"renewTime", base::FormatRfc3339Micro(now)}}},
  };
  if (!node_uid.empty()) {
    lease["metadata"]["ownerReferences"] = Json::array({{{"apiVersion", "v1"},
                                                         {"kind", "Node"},
                                                         {"name", c.name},
                                                         {"uid", node_uid}}});
  }
  return lease;
}

}  // namespace ksim::kubelet
