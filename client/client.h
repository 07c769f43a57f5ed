// Client: how controllers, the scheduler, kubelets and the netsim reach the
// API (DESIGN.md: they never touch the store). Objects are JSON as the API
// serves them (with metadata.resourceVersion).
//
// Reads are synchronous (the API serves them from memory). Writes are
// asynchronous, as a controller's writes are in Kubernetes (goroutines in
// the ReplicaSet controller's slow start, the scheduler's binding cycle, the
// kubelet's status manager): the call returns at once and `done`, if given,
// runs later as a task on the cluster loop — never inside the call. What the
// write changed reaches informers through their watches, as on a real
// cluster; `done` is for errors, expectations and the returned object.
// Writes to one object are applied in the order they were issued.
//
// Thread-safety: implementations are used from the cluster loop's thread;
// on_ready callbacks of watches fire on any thread.
#ifndef KSIM_CLIENT_CLIENT_H_
#define KSIM_CLIENT_CLIENT_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "client/resource.h"

namespace ksim::client {

using base::Json;
using base::Status;
using base::StatusOr;

struct ListOptions {
  std::string label_selector;  // kube syntax: "app=webapp,tier in (a,b)"
  std::string field_selector;  // "spec.nodeName=k8s-node-1"
  int64_t limit = 0;
  std::string continue_token;
  std::string resource_version;  // "" = latest
};

struct ObjectList {
  std::vector<Json> items;
  std::string resource_version;
  std::string continue_token;
};

enum class EventType { kAdded, kModified, kDeleted };

struct WatchEvent {
  EventType type;
  Json object;  // for kDeleted: the last state, with the deletion's RV
};

// A live watch. Destroying it stops it.
class WatchStream {
 public:
  virtual ~WatchStream() = default;
  // Appends up to `max` pending events; returns false once the watch ended
  // and everything was taken (then status(): OK when stopped, kExpired when
  // the watch must restart from a fresh list, as after a 410).
  virtual bool Poll(std::vector<WatchEvent>* out, size_t max) = 0;
  virtual Status status() const = 0;
};

enum class Verb { kCreate, kUpdate, kPatch, kDelete };
enum class PatchType { kMerge, kStrategicMerge, kJson, kApply };

struct DeleteOptions {
  std::optional<int64_t> grace_period_seconds;
  std::string propagation_policy;  // "", "Background", "Foreground", "Orphan"
  std::optional<std::string> precondition_uid;
  std::optional<std::string> precondition_resource_version;
};

// One write, as Kubernetes' fake clientset records it.
struct Action {
  Verb verb = Verb::kCreate;
  Resource resource;
  std::string ns;
  std::string name;         // empty for a create (taken from object)
  std::string subresource;  // "", "status", "binding", "scale"
  // Create/Update: the object. Patch: the patch document. Delete: null.
  Json object;
  PatchType patch_type = PatchType::kMerge;
  DeleteOptions delete_options;
  std::string field_manager;  // the writer's name (managedFields manager)
};

// `result` is the object the API returned (for a delete, the object as
// deleted or as now terminating), or the error (a Status with kube's reason).
using WriteCallback = std::function<void(StatusOr<Json> result)>;

class Client {
 public:
  virtual ~Client() = default;

  virtual StatusOr<Json> Get(const Resource& r, const std::string& ns,
                             const std::string& name) = 0;
  virtual StatusOr<ObjectList> List(const Resource& r, const std::string& ns,
                                    const ListOptions& o) = 0;
  // Events after o.resource_version (which must be set, from a List).
  // on_ready is called from any thread when events are ready to Poll or the
  // watch ended; it must only post work (e.g. EventLoop::Post).
  virtual StatusOr<std::unique_ptr<WatchStream>> Watch(
      const Resource& r, const std::string& ns, const ListOptions& o,
      std::function<void()> on_ready) = 0;

  // Issues a write; `done` (may be empty) later runs on the cluster loop.
  virtual void Do(Action action, WriteCallback done) = 0;

  // Conveniences over Do. ns and name of Update come from the object.
  void Create(const Resource& r, const std::string& ns, Json obj,
              WriteCallback done = nullptr);
  void Update(const Resource& r, Json obj, WriteCallback done = nullptr);
  void UpdateStatus(const Resource& r, Json obj, WriteCallback done = nullptr);
  void Patch(const Resource& r, const std::string& ns, const std::string& name,
             PatchType type, Json patch, const std::string& subresource = "",
             WriteCallback done = nullptr);
  void Delete(const Resource& r, const std::string& ns, const std::string& name,
              DeleteOptions o = {}, WriteCallback done = nullptr);
  // POST pods/<pod>/binding with a Binding to `node` (the scheduler's bind).
  void Bind(const std::string& ns, const std::string& pod,
            const std::string& uid, const std::string& node,
            WriteCallback done = nullptr);

  // The field manager used for writes that do not name one (a component
  // name: "kube-controller-manager", "kube-scheduler", "kubelet").
  void set_field_manager(std::string m) { field_manager_ = std::move(m); }
  const std::string& field_manager() const { return field_manager_; }

 private:
  std::string field_manager_;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_CLIENT_H_
