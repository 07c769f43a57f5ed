// A short digest of a value, shared by the durability writer and its test so
// that acknowledgements can be checked against what the store holds.
#ifndef KSIM_STORE_TOOLS_VALUE_DIGEST_H_
#define KSIM_STORE_TOOLS_VALUE_DIGEST_H_

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>

namespace ksim::store {

// 64-bit FNV-1a as 16 hex digits.
inline std::string ValueDigest(std::string_view value) {
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : value) {
    h ^= c;
    h *= 1099511628211ull;
  }
  char buf[17];
  std::snprintf(buf, sizeof buf, "%016llx", static_cast<unsigned long long>(h));
  return buf;
}

}  // namespace ksim::store

#endif  // KSIM_STORE_TOOLS_VALUE_DIGEST_H_
