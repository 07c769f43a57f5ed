// IPv4 addresses and CIDRs as host-order integers: what the service IP
// allocator, node IPAM, the kubelets' pod IP pools and the netsim share.
//
// Thread-safety: pure functions.
#ifndef KSIM_BASE_IPV4_H_
#define KSIM_BASE_IPV4_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

namespace ksim::base {

// "10.1.2.3" -> 0x0A010203; nullopt unless four decimal octets 0-255.
std::optional<uint32_t> ParseIpv4(std::string_view s);
std::string FormatIpv4(uint32_t ip);

struct Ipv4Cidr {
  uint32_t address = 0;  // as written (not masked)
  int prefix = 0;        // 0..32
  uint32_t Mask() const {
    return prefix == 0 ? 0 : ~uint32_t{0} << (32 - prefix);
  }
  uint32_t Network() const { return address & Mask(); }
  uint32_t Broadcast() const { return Network() | ~Mask(); }
};
// "10.244.0.0/16"; nullopt for anything else.
std::optional<Ipv4Cidr> ParseIpv4Cidr(std::string_view s);

}  // namespace ksim::base

#endif  // KSIM_BASE_IPV4_H_
