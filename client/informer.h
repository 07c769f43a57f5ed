// Informer: client-go's shared informer on the cluster loop. It lists a
// resource, then watches it from the list's resourceVersion, keeps the
// latest version of every object in a cache and calls its handlers for
// every change. A watch that ends with kExpired (410) is restarted from a
// fresh list; objects that vanished meanwhile are reported as deleted.
//
// Cached objects are immutable and shared (ObjectPtr): copy before mutating
// (DESIGN.md). Iteration order is the key order ("ns/name"), never pointer
// order.
//
// Thread-safety: loop thread only. Watch wake-ups are posted to the loop.
#ifndef KSIM_CLIENT_INFORMER_H_
#define KSIM_CLIENT_INFORMER_H_

#include <atomic>
#include <functional>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "client/client.h"

namespace ksim::client {

using ObjectPtr = std::shared_ptr<const Json>;

// "ns/name", or "name" for cluster-scoped objects (cache.MetaNamespaceKeyFunc).
std::string KeyOf(const Json& obj);
std::string MakeKey(const std::string& ns, const std::string& name);
// Splits a key made by MakeKey.
void SplitKey(const std::string& key, std::string* ns, std::string* name);

struct EventHandlers {
  std::function<void(const ObjectPtr& obj)> on_add;
  std::function<void(const ObjectPtr& old_obj, const ObjectPtr& new_obj)>
      on_update;
  // For a delete seen through a re-list the object is the last cached one
  // (client-go's DeletedFinalStateUnknown).
  std::function<void(const ObjectPtr& obj)> on_delete;
};

// Maps an object to the index values it is filed under.
using IndexFunc = std::function<std::vector<std::string>(const Json& obj)>;

class Informer {
 public:
  // REQUIRES: client and loop outlive the informer.
  Informer(Client* client, base::EventLoop* loop, Resource resource);
  ~Informer();
  Informer(const Informer&) = delete;
  Informer& operator=(const Informer&) = delete;

  const Resource& resource() const { return resource_; }

  // Handlers added after the initial list first get on_add for every cached
  // object (as client-go's AddEventHandler does).
  void AddEventHandlers(EventHandlers handlers);
  // Indexes must be added before Start (or before objects are added).
  void AddIndex(const std::string& name, IndexFunc fn);

  // Lists (synchronously) and starts watching. Handlers see the listed
  // objects as adds, from a posted task. kExpired lists are retried.
  Status Start();
  void Stop();
  // True once the initial list was delivered to the handlers.
  bool HasSynced() const { return synced_; }

  ObjectPtr Get(const std::string& key) const;
  ObjectPtr Get(const std::string& ns, const std::string& name) const {
    return Get(MakeKey(ns, name));
  }
  // Every cached object (of one namespace when ns is not empty), key order.
  std::vector<ObjectPtr> List(const std::string& ns = "") const;
  std::vector<ObjectPtr> ByIndex(const std::string& index,
                                 const std::string& value) const;
  // How many objects ByIndex(index, value) would return, without them.
  size_t IndexCount(const std::string& index, const std::string& value) const;
  size_t size() const { return cache_.size(); }

  // For tests (and the fake client): put an object into the cache or remove
  // it, calling the handlers as a watch event would.
  void Apply(EventType type, Json obj);

 private:
  struct Handler {
    EventHandlers fns;
    bool ready = false;  // has had its initial adds
  };
  // Shared with watch wake-ups from other threads: they post Drain only
  // while the informer lives, and at most one at a time.
  struct WakeState {
    std::atomic<bool> alive{true};
    std::atomic<bool> posted{false};
  };

  Status ListAndWatch(bool relist);
  Status StartWatch();
  void Deliver(EventType type, const ObjectPtr& old_obj, const ObjectPtr& obj);
  void DeliverInitial();
  void Drain();
  void WatchEnded(const Status& why);
  void RetryLater();
  void Store(const std::string& key, ObjectPtr obj);
  void Remove(const std::string& key);
  void Index(const std::string& key, const Json& obj, bool add);

  Client* client_;
  base::EventLoop* loop_;
  Resource resource_;
  std::vector<Handler> handlers_;
  std::map<std::string, IndexFunc> index_funcs_;
  // index name -> value -> keys
  std::map<std::string, std::map<std::string, std::set<std::string>>> indexes_;
  std::map<std::string, ObjectPtr> cache_;
  std::unique_ptr<WatchStream> watch_;
  std::string resource_version_;
  size_t watch_events_ = 0;  // events the current watch delivered
  bool started_ = false;
  bool synced_ = false;
  std::shared_ptr<WakeState> wake_;
};

// One informer per resource, shared by every component of the cluster.
class InformerFactory {
 public:
  InformerFactory(Client* client, base::EventLoop* loop);
  // The informer of `r`, created on first use (not started).
  Informer* For(const Resource& r);
  // Starts every informer created so far (and any created later, at once).
  Status StartAll();
  bool AllSynced() const;
  void StopAll();

 private:
  Client* client_;
  base::EventLoop* loop_;
  std::map<std::string, std::unique_ptr<Informer>> informers_;
  bool started_ = false;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_INFORMER_H_
