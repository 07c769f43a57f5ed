// Registry: the generic REST storage of every served resource, after
// kube-apiserver's genericregistry.Store plus the request handlers above it:
// decoding and field validation of bodies, metadata ownership (uid,
// resourceVersion, generation, timestamps, generateName), the per-kind
// Strategy, optimistic concurrency, patches, server-side apply, graceful and
// finalizer-aware deletion, subresources (status, scale, binding) and the
// namespace lifecycle rules (no new content in a missing or terminating
// namespace).
//
// Results are encoded JSON bytes ready for the wire (objects carry their
// resourceVersion) so that reads never decode stored values.
//
// Thread-safety: safe for concurrent use; all state lives in the Store.
#ifndef KSIM_APISERVER_REGISTRY_H_
#define KSIM_APISERVER_REGISTRY_H_

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/resources.h"
#include "apiserver/schema.h"
#include "apiserver/selector.h"
#include "apiserver/service_ips.h"
#include "base/clock.h"
#include "base/json.h"
#include "base/rng.h"
#include "base/status.h"
#include "store/store.h"

namespace ksim::apiserver {

using base::Json;
using base::Status;
using base::StatusOr;

// What a request addresses: /…/namespaces/<ns>/<resource>/<name>/<sub>.
struct Target {
  const ResourceInfo* resource = nullptr;
  std::string ns;  // empty for cluster-scoped resources and all-namespace lists
  std::string name;
  std::string subresource;
};

enum class FieldValidation { kIgnore, kWarn, kStrict };

struct WriteOptions {
  bool dry_run = false;
  std::string field_manager;
  FieldValidation validation = FieldValidation::kWarn;  // server default
  bool force = false;  // server-side apply: take over conflicting fields
  // Set by Patch for server-side apply, whose managedFields ServerSideApply
  // already computed: the Update bookkeeping must not run on top of it.
  bool apply = false;
};

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", "Orphan", "Background", "Foreground"
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
  bool dry_run = false;
};

// The list/watch query parameters, parsed.
struct ListQuery {
  LabelSelector labels;
  FieldSelector fields;
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;        // "" / "0" / "<n>"
  std::string resource_version_match;  // "" / "NotOlderThan" / "Exact"
};

struct WriteResult {
  int http_code = 200;  // 200 OK, 201 Created, 202 Accepted
  std::string body;     // the object (with resourceVersion) or a Status
  std::vector<std::string> warnings;  // for the Warning header
};

struct ListPage {
  std::vector<store::Object> items;
  int64_t revision = 0;
  std::string continue_token;
  std::optional<int64_t> remaining;
};

// The part of a pod's log the kubelet can serve; set by kubelet-sim later.
struct LogRequest {
  std::string container;
  bool previous = false;
  std::optional<int64_t> tail_lines;
  std::optional<int64_t> limit_bytes;
  bool timestamps = false;
};

class Registry {
 public:
  // `store`, `clock` and `rng` must outlive the Registry.
  Registry(store::Store* store, const base::Clock* clock, base::Rng* rng,
           ServiceRanges service_ranges = {});

  StatusOr<WriteResult> Create(const Target& t, std::string_view body,
                               const WriteOptions& o);
  // PUT of the object or of its status/scale subresource.
  StatusOr<WriteResult> Update(const Target& t, std::string_view body,
                               const WriteOptions& o);
  // PATCH; content_type picks the patch kind (json-patch, merge-patch,
  // strategic-merge-patch, apply-patch+yaml).
  StatusOr<WriteResult> Patch(const Target& t, std::string_view content_type,
                              std::string_view body, const WriteOptions& o);
  StatusOr<WriteResult> Delete(const Target& t, const DeleteOptions& o);
  StatusOr<WriteResult> DeleteCollection(const Target& t, const ListQuery& q,
                                         const DeleteOptions& o);
  // POST pods/<name>/binding.
  StatusOr<WriteResult> Bind(const Target& t, std::string_view body,
                             const WriteOptions& o);

  // GET of an object or its status/scale subresource, encoded.
  StatusOr<std::string> Get(const Target& t);
  StatusOr<ListPage> List(const Target& t, const ListQuery& q);
  // Starts a watch from q.resource_version ("" or "0": synthetic ADDED
  // events for the current state first, as kube-apiserver does).
  // on_ready as in store::WatchOptions.
  StatusOr<std::unique_ptr<store::Watcher>> Watch(
      const Target& t, const ListQuery& q, std::function<void()> on_ready,
      std::vector<store::Event>* initial);

  // Background work a write can trigger (namespace lifecycle, garbage
  // collector). Set once, before serving. Hooks run on the writer's thread and
  // must only schedule work.
  struct Hooks {
    // A namespace is Terminating, or something in one was deleted.
    std::function<void(const std::string& ns)> namespace_terminating;
    // An object was removed from the store.
    std::function<void(const ResourceInfo&, const std::string& ns,
                       const std::string& uid)>
        deleted;
    // An object waits on the orphan or foregroundDeletion finalizer.
    std::function<void(const ResourceInfo&, const std::string& ns,
                       const std::string& name)>
        finalizing;
  };
  void SetHooks(Hooks hooks) { hooks_ = std::move(hooks); }

  store::Store* store() const { return store_; }
  const base::Clock* clock() const { return clock_; }

 private:
  friend class RegistryWriter;

  store::Store* store_;
  const base::Clock* clock_;
  // Independent random streams, all drawn from the seed at construction,
  // so that what one kind of draw yields does not depend on how many draws
  // of other kinds came before it (concurrent writers interleave them): the
  // same seed and the same requests give the same ClusterIPs, and the same
  // generated names for each generateName prefix.
  base::Rng uid_rng_;
  base::Rng ip_rng_;
  uint64_t name_seed_;
  std::mutex name_mu_;
  std::map<std::string, std::unique_ptr<base::Rng>> name_rngs_;  // by prefix
  const SchemaRegistry& schemas_;
  ServiceAddressAllocator service_ips_;
  Hooks hooks_;

  // Internal helpers (registry_*.cc).
  StatusOr<Json> DecodeBody(const Target& t, std::string_view body,
                            const WriteOptions& o,
                            std::vector<std::string>* warnings) const;
  // DecodeBody's checks on an already parsed object (kind, version, types,
  // unknown fields); `body` is its text when known, for error messages.
  StatusOr<Json> DecodeParsed(const Target& t, Json obj, std::string_view body,
                              const WriteOptions& o,
                              std::vector<std::string>* warnings) const;
  Status CheckNamespaceForCreate(const Target& t) const;
  // The random 5 characters generateName appends to `prefix`.
  std::string GenerateNameSuffix(const std::string& prefix);
  StatusOr<store::Object> GetStored(const Target& t) const;
  StatusOr<WriteResult> CreateObject(const Target& t, Json obj,
                                     const WriteOptions& o,
                                     std::vector<std::string> warnings);
  // The update pipeline shared by PUT, PATCH and apply: `mutate` turns the
  // current object into the desired one; retried on conflicts when the
  // caller did not pin a resourceVersion.
  StatusOr<WriteResult> UpdateObject(
      const Target& t, const WriteOptions& o,
      const std::function<StatusOr<Json>(const Json& current)>& mutate,
      std::vector<std::string> warnings, bool create_if_missing);
  StatusOr<WriteResult> FinishDelete(const Target& t, const store::Object& cur,
                                     const Json& obj, const DeleteOptions& o);
  void AfterDelete(const Target& t);
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_REGISTRY_H_
