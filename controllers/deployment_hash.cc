// Why not spew's bytes: DeepHashObject prints every field of the Go
// PodTemplateSpec in struct order, including nil pointers and empty
// structs by their Go type names ("(*v1.Probe)<nil>"), metav1.Time as
// time.Time's unexported wall/ext/loc, and resource.Quantity as its
// internal int64Amount / inf.Dec / cached string, which depends on how the
// value was parsed (ParseQuantity keeps the string only for canonical
// input). Most minor versions add fields to PodSpec or Container, and each
// new field changes the printed bytes, so a hash is only comparable for
// one exact version, and the tutorial's "webapp-8554f77548" came from a
// cluster of unknown version. Without a Go toolchain here to check a table
// of the struct layout against real output, an unverified imitation would
// only look exact; a canonical encoding is honest and just as stable.
#include "controllers/deployment_hash.h"

namespace ksim::controllers {

uint32_t Fnv32a(std::string_view data, uint32_t h) {
  for (unsigned char c : data) {
    h ^= c;
    h *= 16777619u;
  }
  return h;
}

std::string SafeEncodeString(std::string_view s) {
  static constexpr std::string_view kAlphanums = "bcdfghjklmnpqrstvwxz2456789";
  std::string out(s.size(), ' ');
  for (size_t i = 0; i < s.size(); ++i) {
    out[i] = kAlphanums[static_cast<unsigned char>(s[i]) % kAlphanums.size()];
  }
  return out;
}

// JSON with object keys sorted (nlohmann's std::map order), no whitespace:
// the same template always gives the same bytes, and any semantic change
// (image, env, a restartedAt annotation) gives different ones.
std::string TemplateHashInput(const base::Json& pod_template) {
  return pod_template.dump();
}

std::string ComputeHash(const base::Json& pod_template,
                        std::optional<int32_t> collision_count) {
  uint32_t h = Fnv32a(TemplateHashInput(pod_template));
  if (collision_count.has_value()) {
    // binary.LittleEndian.PutUint32 into an 8-byte buffer: all 8 hashed.
    unsigned char buf[8] = {0};
    uint32_t c = static_cast<uint32_t>(*collision_count);
    for (int i = 0; i < 4; ++i)
      buf[i] = static_cast<unsigned char>(c >> (8 * i));
    h = Fnv32a(std::string_view(reinterpret_cast<char*>(buf), 8), h);
  }
  return SafeEncodeString(std::to_string(h));
}

}  // namespace ksim::controllers
