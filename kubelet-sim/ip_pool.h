// IpPool: pod IPs from a node's podCIDR the way CNI's host-local IPAM hands
// them out: the first address is the network, .1 the gateway (cni0), the
// last the broadcast; allocation continues after the last address handed
// out (wrapping), so a released IP is not reused at once. Deterministic.
//
// Thread-safety: none (loop thread only).
#ifndef KSIM_KUBELET_SIM_IP_POOL_H_
#define KSIM_KUBELET_SIM_IP_POOL_H_

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <string>

namespace ksim::kubelet {

class IpPool {
 public:
  // nullptr when `cidr` is not an IPv4 CIDR with room for pods (/30 or
  // larger).
  static std::unique_ptr<IpPool> Create(const std::string& cidr);

  // nullopt when the range is exhausted.
  std::optional<std::string> Allocate(const std::string& owner);
  void Release(const std::string& ip);
  // Takes a given free address of the range (a pod adopted with its IP);
  // false when it is outside the range or taken.
  bool TryReserve(const std::string& ip, const std::string& owner);
  bool Contains(const std::string& ip) const;
  size_t used() const { return used_.size(); }

 private:
  IpPool(uint32_t first, uint32_t last) : first_(first), last_(last) {}
  uint32_t first_;  // first allocatable (.2)
  uint32_t last_;   // last allocatable (broadcast - 1)
  uint32_t next_;   // where the next search starts
  std::map<uint32_t, std::string> used_;
};

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_IP_POOL_H_
