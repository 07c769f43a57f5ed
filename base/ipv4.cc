#include "base/ipv4.h"

#include <charconv>

namespace ksim::base {

std::optional<uint32_t> ParseIpv4(std::string_view s) {
  uint32_t out = 0;
  const char* p = s.data();
  const char* end = s.data() + s.size();
  for (int i = 0; i < 4; ++i) {
    if (i > 0) {
      if (p == end || *p != '.') return std::nullopt;
      ++p;
    }
    unsigned octet = 0;
    auto [next, ec] = std::from_chars(p, end, octet);
    if (ec != std::errc() || next == p || next - p > 3 || octet > 255) {
      return std::nullopt;
    }
    out = (out << 8) | octet;
    p = next;
  }
  if (p != end) return std::nullopt;
  return out;
}

std::string FormatIpv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) +
         "." + std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::optional<Ipv4Cidr> ParseIpv4Cidr(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos) return std::nullopt;
  auto ip = ParseIpv4(s.substr(0, slash));
  std::string_view bits = s.substr(slash + 1);
  int prefix = -1;
  auto [next, ec] =
      std::from_chars(bits.data(), bits.data() + bits.size(), prefix);
  if (!ip || ec != std::errc() || next != bits.data() + bits.size() ||
      bits.empty() || prefix < 0 || prefix > 32) {
    return std::nullopt;
  }
  return Ipv4Cidr{*ip, prefix};
}

}  // namespace ksim::base
