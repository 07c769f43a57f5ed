#include "base/rng.h"

#include <cstdio>

namespace ksim::base {
namespace {

uint64_t SplitMix64(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}

uint64_t Rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }

constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";

}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& s : s_) s = SplitMix64(seed);
}

uint64_t Rng::NextLocked() {
  const uint64_t result = Rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = Rotl(s_[3], 45);
  return result;
}

uint64_t Rng::Next() {
  std::lock_guard<std::mutex> l(mu_);
  return NextLocked();
}

uint64_t Rng::Uniform(uint64_t n) {
  // Rejection sampling keeps the distribution exactly uniform.
  std::lock_guard<std::mutex> l(mu_);
  const uint64_t limit = UINT64_MAX - UINT64_MAX % n;
  uint64_t v;
  do {
    v = NextLocked();
  } while (v >= limit);
  return v % n;
}

double Rng::UniformDouble() {
  return static_cast<double>(Next() >> 11) * 0x1.0p-53;
}

std::string Rng::Uuid() {
  uint64_t hi, lo;
  {
    std::lock_guard<std::mutex> l(mu_);
    hi = NextLocked();
    lo = NextLocked();
  }
  hi = (hi & 0xffffffffffff0fffULL) | 0x0000000000004000ULL;  // version 4
  lo = (lo & 0x3fffffffffffffffULL) | 0x8000000000000000ULL;  // variant 10
  char buf[37];
  std::snprintf(buf, sizeof buf, "%08x-%04x-%04x-%04x-%012llx",
                static_cast<unsigned>(hi >> 32),
                static_cast<unsigned>((hi >> 16) & 0xffff),
                static_cast<unsigned>(hi & 0xffff),
                static_cast<unsigned>(lo >> 48),
                static_cast<unsigned long long>(lo & 0xffffffffffffULL));
  return buf;
}

std::string Rng::KubeString(int n) {
  std::string out;
  out.reserve(n);
  for (int i = 0; i < n; ++i) out += kAlphabet[Uniform(sizeof kAlphabet - 1)];
  return out;
}

}  // namespace ksim::base
