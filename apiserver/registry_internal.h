// Helpers shared by the registry_*.cc files. Not part of the public API.
#ifndef KSIM_APISERVER_REGISTRY_INTERNAL_H_
#define KSIM_APISERVER_REGISTRY_INTERNAL_H_

#include <string>
#include <string_view>

#include "apiserver/resources.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

enum class PatchKind { kJson, kMerge, kStrategic, kApply };

// From the PATCH Content-Type; 415 UnsupportedMediaType otherwise.
base::StatusOr<PatchKind> ParsePatchKind(std::string_view content_type);

// The autoscaling/v1 Scale view of a Deployment or ReplicaSet.
base::Json ToScale(const ResourceInfo& r, const base::Json& obj);
// Writes a Scale's spec.replicas (and its resourceVersion precondition) back
// into the object.
base::StatusOr<base::Json> ApplyScale(const ResourceInfo& r,
                                      const base::Json& obj,
                                      const base::Json& scale);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_REGISTRY_INTERNAL_H_
