#include "kubelet-sim/ip_pool.h"

#include <cstdio>

#include "base/ipv4.h"

namespace ksim::kubelet {

std::unique_ptr<IpPool> IpPool::Create(const std::string& cidr) {
  auto c = base::ParseIpv4Cidr(cidr);
  if (!c || c->prefix < 8 || c->prefix > 30) return nullptr;
  auto pool =
      std::unique_ptr<IpPool>(new IpPool(c->Network() + 2, c->Broadcast() - 1));
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
    return base::FormatIpv4(ip);
  }
  return std::nullopt;
}

void IpPool::Release(const std::string& ip) {
  if (auto v = base::ParseIpv4(ip)) used_.erase(*v);
}

bool IpPool::TryReserve(const std::string& ip, const std::string& owner) {
  auto v = base::ParseIpv4(ip);
  if (!v || *v < first_ || *v > last_ || used_.count(*v)) return false;
  used_[*v] = owner;
  if (*v >= next_) next_ = *v == last_ ? first_ : *v + 1;
  return true;
}

bool IpPool::Contains(const std::string& ip) const {
  auto v = base::ParseIpv4(ip);
  return v && *v >= first_ && *v <= last_;
}

}  // namespace ksim::kubelet
