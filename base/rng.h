// Rng: the one seeded source of randomness. Same seed, same sequence, on
// every machine (the engine and the distributions are implemented here, not
// taken from <random>'s implementation-defined distributions).
//
// Thread-safety: safe for concurrent use (calls are serialised internally);
// determinism across threads holds only when calls are made in a fixed order,
// as in the single cluster loop.
#ifndef KSIM_BASE_RNG_H_
#define KSIM_BASE_RNG_H_

#include <cstdint>
#include <mutex>
#include <string>

namespace ksim::base {

class Rng {
 public:
  explicit Rng(uint64_t seed);

  uint64_t Next();  // 64 uniformly random bits
  // Uniform in [0, n). REQUIRES: n > 0.
  uint64_t Uniform(uint64_t n);
  // Uniform in [0, 1).
  double UniformDouble();
  // A random version-4 UUID string, as apiserver gives metadata.uid.
  std::string Uuid();
  // n characters from Kubernetes' utilrand alphabet "bcdfghjklmnpqrstvwxz2456789"
  // (used for generateName suffixes and pod names).
  std::string KubeString(int n);

 private:
  uint64_t NextLocked();
  std::mutex mu_;
  uint64_t s_[4];  // xoshiro256** state
};

}  // namespace ksim::base

#endif  // KSIM_BASE_RNG_H_
