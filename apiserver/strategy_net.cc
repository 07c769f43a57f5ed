// IP addresses and CIDRs as netutils.ParseIPSloppy / ParseCIDRSloppy read
// them, and the address checks of Endpoints, EndpointSlices and Services
// (declared in validation.h).
#include <arpa/inet.h>

#include <array>
#include <cctype>
#include <optional>

#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

std::optional<std::array<uint8_t, 16>> ParseIP(std::string_view s) {
  std::array<uint8_t, 16> ip{};
  // IPv4, sloppy: decimal octets, leading zeros allowed.
  if (s.find(':') == std::string_view::npos) {
    int part = 0;
    size_t i = 0;
    while (part < 4) {
      if (i >= s.size() || !std::isdigit(static_cast<unsigned char>(s[i]))) {
        return std::nullopt;
      }
      int n = 0;
      while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) {
        n = n * 10 + (s[i] - '0');
        if (n > 255) return std::nullopt;
        ++i;
      }
      ip[12 + part] = static_cast<uint8_t>(n);
      ++part;
      if (part < 4) {
        if (i >= s.size() || s[i] != '.') return std::nullopt;
        ++i;
      }
    }
    if (i != s.size()) return std::nullopt;
    ip[10] = ip[11] = 0xff;
    return ip;
  }
  std::string str(s);
  if (inet_pton(AF_INET6, str.c_str(), ip.data()) != 1) return std::nullopt;
  return ip;
}

bool IsMappedV4(const std::array<uint8_t, 16>& ip) {
  for (int i = 0; i < 10; ++i) {
    if (ip[i] != 0) return false;
  }
  return ip[10] == 0xff && ip[11] == 0xff;
}

}  // namespace

bool IsIPv4(std::string_view s) {
  auto ip = ParseIP(s);
  return ip && IsMappedV4(*ip);
}

bool IsIPv6(std::string_view s) {
  auto ip = ParseIP(s);
  return ip && !IsMappedV4(*ip);
}

bool IsCIDR(std::string_view s) {
  size_t slash = s.find('/');
  if (slash == std::string_view::npos || slash + 1 >= s.size()) return false;
  auto ip = ParseIP(s.substr(0, slash));
  if (!ip) return false;
  std::string_view bits = s.substr(slash + 1);
  int n = 0;
  for (char c : bits) {
    if (!std::isdigit(static_cast<unsigned char>(c)) || bits.size() > 3) {
      return false;
    }
    n = n * 10 + (c - '0');
  }
  bool v4 = s.substr(0, slash).find(':') == std::string_view::npos;
  return n <= (v4 ? 32 : 128);
}

FieldErrors ValidateIP(const std::string& path, std::string_view ip) {
  if (IsIP(ip)) return {};
  return {Invalid(path, std::string(ip),
                  "must be a valid IP address, (e.g. 10.9.8.7 or "
                  "2001:db8::ffff)")};
}

FieldErrors ValidateCIDR(const std::string& path, std::string_view cidr) {
  if (IsCIDR(cidr)) return {};
  return {Invalid(path, std::string(cidr),
                  "must be a valid CIDR value, (e.g. 10.9.8.0/24 or "
                  "2001:db8::/64)")};
}

FieldErrors ValidateNonSpecialIP(const std::string& path, std::string_view s) {
  FieldErrors errs;
  auto parsed = ParseIP(s);
  std::string value(s);
  if (!parsed) {
    errs.push_back(Invalid(path, value, "must be a valid IP address"));
    return errs;
  }
  const auto& ip = *parsed;
  bool v4 = IsMappedV4(ip);
  bool zero = true;
  for (int i = v4 ? 12 : 0; i < 16; ++i) zero = zero && ip[i] == 0;
  bool loopback = v4 ? ip[12] == 127 : [&] {
    for (int i = 0; i < 15; ++i) {
      if (ip[i] != 0) return false;
    }
    return ip[15] == 1;
  }();
  bool link_local = v4 ? (ip[12] == 169 && ip[13] == 254)
                       : (ip[0] == 0xfe && (ip[1] & 0xc0) == 0x80);
  bool link_local_mcast = v4 ? (ip[12] == 224 && ip[13] == 0 && ip[14] == 0)
                             : (ip[0] == 0xff && (ip[1] & 0x0f) == 0x02);
  if (zero) {
    errs.push_back(
        Invalid(path, value, "may not be unspecified (" + value + ")"));
  }
  if (loopback) {
    errs.push_back(
        Invalid(path, value,
                "may not be in the loopback range (127.0.0.0/8, ::1/128)"));
  }
  if (link_local) {
    errs.push_back(Invalid(
        path, value,
        "may not be in the link-local range (169.254.0.0/16, fe80::/10)"));
  }
  if (link_local_mcast) {
    errs.push_back(Invalid(path, value,
                           "may not be in the link-local multicast range "
                           "(224.0.0.0/24, ff02::/10)"));
  }
  return errs;
}

}  // namespace ksim::apiserver
