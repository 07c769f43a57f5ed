// How objects are kept in the store and read back.
//
// Stored bytes are the object's JSON without metadata.resourceVersion (as
// kube-apiserver stores objects in etcd): the version is the store revision,
// spliced in on the way out so a GET or a LIST serves stored bytes without
// decoding them.
//
// Keys: /registry/<resource>[.<group>]/<namespace>/<name> for namespaced
// resources, /registry/<resource>[.<group>]/<name> for cluster-scoped ones.
#ifndef KSIM_APISERVER_OBJECT_CODEC_H_
#define KSIM_APISERVER_OBJECT_CODEC_H_

#include <string>
#include <string_view>

#include "apiserver/resources.h"
#include "base/json.h"
#include "store/store.h"

namespace ksim::apiserver {

// "/registry/pods/" — every object of the resource.
std::string ResourcePrefix(const ResourceInfo& r);
// "/registry/pods/default/" — REQUIRES: r.namespaced.
std::string NamespacePrefix(const ResourceInfo& r, std::string_view ns);
std::string ObjectKey(const ResourceInfo& r, std::string_view ns,
                      std::string_view name);
// The resource whose prefix `key` is under; null for foreign keys.
const ResourceInfo* ResourceOfKey(std::string_view key);

// Serialises obj for storage. Drops metadata.resourceVersion from obj first
// (the store revision is the version), so no copy of the tree is needed.
std::string EncodeForStorage(base::Json& obj);
// The stored bytes with "resourceVersion":"<rv>" spliced into the top-level
// metadata object. Valid JSON in, valid JSON out; when the text has no
// top-level metadata object it is returned unchanged.
std::string WithResourceVersion(std::string_view stored, int64_t rv);
// Decodes a store object into JSON with its resourceVersion set.
base::StatusOr<base::Json> DecodeObject(const store::Object& object);

// An internal attribute (never user-selectable): the owners' uids, each
// followed by ',', so the garbage collector finds dependents without decoding.
inline constexpr char kOwnerUidsField[] = "ksim.internal/owner-uids";

// Labels and selectable fields (metadata.name, metadata.namespace and the
// kind's own, see Strategy::AddSelectableFields).
store::Attributes AttributesOf(const ResourceInfo& r, const base::Json& obj);
// For the store's loader: finds the resource from the key.
store::Attributes AttributesFromStored(std::string_view key,
                                       std::string_view value);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_OBJECT_CODEC_H_
