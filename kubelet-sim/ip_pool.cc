#include "kubelet-sim/ip_pool.h"

#include <cstdio>

namespace ksim::kubelet {

std::optional<uint32_t> ParseIPv4(const std::string& s) {
  unsigned a, b, c, d;
  char tail;
  if (std::sscanf(s.c_str(), "%u.%u.%u.%u%c", &a, &b, &c, &d, &tail) != 4 ||
      a > 255 || b > 255 || c > 255 || d > 255) {
    return std::nullopt;
  }
  return (a << 24) | (b << 16) | (c << 8) | d;
}

std::string FormatIPv4(uint32_t ip) {
  return std::to_string(ip >> 24) + "." + std::to_string((ip >> 16) & 255) +
         "." + std::to_string((ip >> 8) & 255) + "." + std::to_string(ip & 255);
}

std::unique_ptr<IpPool> IpPool::Create(const std::string& cidr) {
  size_t slash = cidr.find('/');
  if (slash == std::string::npos) return nullptr;
  auto base = ParseIPv4(cidr.substr(0, slash));
  int bits = std::atoi(cidr.substr(slash + 1).c_str());
  if (!base || bits < 8 || bits > 30) return nullptr;
  uint32_t mask = bits == 0 ? 0 : ~uint32_t{0} << (32 - bits);
  uint32_t network = *base & mask;
  uint32_t broadcast = network | ~mask;
  auto pool = std::unique_ptr<IpPool>(new IpPool(network + 2, broadcast - 1));
  pool->next_ = pool->first_;
  return pool;
}

std::optional<std::string> IpPool::Allocate(const std::string& owner) {
  uint64_t size = uint64_t{last_} - first_ + 1;
  for (uint64_t i = 0; i < size; ++i) {
    uint32_t ip = next_;
    next_ = next_ == last_ ? first_ : next_ + 1;
    if (used_.count(ip)) continue;
    used_[ip] = owner;
    return FormatIPv4(ip);
  }
  return std::nullopt;
}

void IpPool::Release(const std::string& ip) {
  if (auto v = ParseIPv4(ip)) used_.erase(*v);
}

bool IpPool::TryReserve(const std::string& ip, const std::string& owner) {
  auto v = ParseIPv4(ip);
  if (!v || *v < first_ || *v > last_ || used_.count(*v)) return false;
  used_[*v] = owner;
  if (*v >= next_) next_ = *v == last_ ? first_ : *v + 1;
  return true;
}

bool IpPool::Contains(const std::string& ip) const {
  auto v = ParseIPv4(ip);
  return v && *v >= first_ && *v <= last_;
}

}  // namespace ksim::kubelet
