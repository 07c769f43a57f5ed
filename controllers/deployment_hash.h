// The pod-template-hash: controller.ComputeHash (v1.32). Kubernetes hashes
// the Go PodTemplateSpec as go-spew prints it (hashutil.DeepHashObject)
// with FNV-32a, appends collisionCount (4 little-endian bytes in an 8-byte
// buffer) and renders the decimal Sum32 with rand.SafeEncodeString.
//
// Here the printed form is a deterministic canonical encoding of the
// template JSON (see TemplateHashInput), not spew's printing of the Go
// struct, so names are stable and kube-shaped ("webapp-5d8f4c7b9c") but
// not equal to the ones kube-controller-manager would pick for the same
// template. Reproducing spew exactly needs the Go field order and types of
// PodTemplateSpec and everything it reaches, plus the internal state of
// resource.Quantity after decoding; see the report in deployment_hash.cc.
//
// Thread-safety: pure functions.
#ifndef KSIM_CONTROLLERS_DEPLOYMENT_HASH_H_
#define KSIM_CONTROLLERS_DEPLOYMENT_HASH_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "base/json.h"

namespace ksim::controllers {

// FNV-1a, 32 bits (hash/fnv New32a).
uint32_t Fnv32a(std::string_view data, uint32_t h = 2166136261u);
// rand.SafeEncodeString: each byte mapped into "bcdfghjklmnpqrstvwxz2456789".
std::string SafeEncodeString(std::string_view s);
// The bytes hashed for a template (documented in deployment_hash.cc).
std::string TemplateHashInput(const base::Json& pod_template);
// controller.ComputeHash of spec.template and status.collisionCount.
std::string ComputeHash(const base::Json& pod_template,
                        std::optional<int32_t> collision_count);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_DEPLOYMENT_HASH_H_
