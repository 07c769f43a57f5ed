// Informer: list, then watch from the list's resourceVersion, on the loop.
// The cache and indexes change only on the loop thread; watch wake-ups from
// writer threads only post a Drain.
#include "client/informer.h"

namespace ksim::client {
namespace {

// Events handled per loop task, so one busy resource cannot starve the
// other tasks of the loop.
constexpr size_t kDrainBatch = 512;
// How long to wait before listing again after a failed list or watch.
constexpr base::Duration kRetryDelay = std::chrono::seconds(1);

}  // namespace

std::string MakeKey(const std::string& ns, const std::string& name) {
  return ns.empty() ? name : ns + "/" + name;
}

std::string KeyOf(const Json& obj) {
  return MakeKey(base::GetString(obj, {"metadata", "namespace"}),
                 base::GetString(obj, {"metadata", "name"}));
}

void SplitKey(const std::string& key, std::string* ns, std::string* name) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) {
    ns->clear();
    *name = key;
    return;
  }
  *ns = key.substr(0, slash);
  *name = key.substr(slash + 1);
}

Informer::Informer(Client* client, base::EventLoop* loop, Resource resource)
    : client_(client),
      loop_(loop),
      resource_(std::move(resource)),
      wake_(std::make_shared<WakeState>()) {}

Informer::~Informer() {
  wake_->alive = false;
  watch_.reset();
}

void Informer::AddEventHandlers(EventHandlers handlers) {
  // Before Start the handler waits for the initial list's adds; after it,
  // it gets the cache's current objects from a task of its own, and no
  // event before those.
  handlers_.push_back({std::move(handlers), !started_});
  if (started_) {
    loop_->Post([wake = wake_, this] {
      if (wake->alive) DeliverInitial();
    });
  }
}

void Informer::AddIndex(const std::string& name, IndexFunc fn) {
  index_funcs_[name] = fn;
  auto& index = indexes_[name];
  for (const auto& [key, obj] : cache_) {
    for (const auto& value : fn(*obj)) index[value].insert(key);
  }
}

Status Informer::Start() {
  if (started_) return Status::Ok();
  started_ = true;
  for (auto& h : handlers_) h.ready = false;
  Status s = ListAndWatch(/*relist=*/false);
  // A list that raced with a compaction is simply taken again.
  for (int i = 0; i < 3 && s.code() == base::Code::kExpired; ++i) {
    s = ListAndWatch(false);
  }
  if (!s.ok()) {
    started_ = false;
    for (auto& h : handlers_) h.ready = true;
    return s;
  }
  loop_->Post([wake = wake_, this] {
    if (!wake->alive) return;
    DeliverInitial();
    synced_ = true;
  });
  return Status::Ok();
}

void Informer::Stop() {
  if (!started_) return;
  started_ = false;
  wake_->alive = false;
  watch_.reset();
  wake_ = std::make_shared<WakeState>();
  for (auto& h : handlers_) h.ready = true;
}

Status Informer::ListAndWatch(bool relist) {
  KSIM_ASSIGN_OR_RETURN(ObjectList list, client_->List(resource_, "", {}));
  std::map<std::string, ObjectPtr> fresh;
  for (auto& item : list.items) {
    std::string key = KeyOf(item);
    fresh[key] = std::make_shared<const Json>(std::move(item));
  }
  if (!relist) {
    cache_.clear();
    for (auto& [name, index] : indexes_) index.clear();
    for (auto& [key, obj] : fresh) Store(key, obj);
  } else {
    // What changed while the watch was down: objects gone from the list
    // are deleted with their last cached state (DeletedFinalStateUnknown).
    std::vector<std::string> gone;
    for (const auto& [key, obj] : cache_) {
      if (!fresh.count(key)) gone.push_back(key);
    }
    for (const auto& key : gone) {
      ObjectPtr old = cache_[key];
      Remove(key);
      Deliver(EventType::kDeleted, old, old);
    }
    for (auto& [key, obj] : fresh) {
      ObjectPtr old = Get(key);
      Store(key, obj);
      if (!old) {
        Deliver(EventType::kAdded, nullptr, obj);
      } else if (base::GetString(*old, {"metadata", "resourceVersion"}) !=
                 base::GetString(*obj, {"metadata", "resourceVersion"})) {
        Deliver(EventType::kModified, old, obj);
      }
    }
  }
  resource_version_ = list.resource_version;
  return StartWatch();
}

Status Informer::StartWatch() {
  ListOptions o;
  o.resource_version = resource_version_;
  base::EventLoop* loop = loop_;
  auto wake = wake_;
  auto w = client_->Watch(resource_, "", o, [wake, loop, this] {
    // Any thread: post at most one Drain at a time, and none once the
    // informer is gone.
    if (!wake->alive || wake->posted.exchange(true)) return;
    loop->Post([wake, this] {
      wake->posted = false;
      if (wake->alive) Drain();
    });
  });
  if (!w.ok()) return w.status();
  watch_ = std::move(w).value();
  watch_events_ = 0;
  return Status::Ok();
}

void Informer::Drain() {
  if (!watch_) return;
  std::vector<WatchEvent> batch;
  bool open = watch_->Poll(&batch, kDrainBatch);
  for (auto& e : batch) {
    std::string rv = base::GetString(e.object, {"metadata", "resourceVersion"});
    if (!rv.empty()) resource_version_ = rv;
    Apply(e.type, std::move(e.object));
  }
  watch_events_ += batch.size();
  if (!open) {
    Status why = watch_->status();
    watch_.reset();
    WatchEnded(why);
    return;
  }
  if (batch.size() >= kDrainBatch && !wake_->posted.exchange(true)) {
    loop_->Post([wake = wake_, this] {
      wake->posted = false;
      if (wake->alive) Drain();
    });
  }
}

void Informer::WatchEnded(const Status& why) {
  if (!started_) return;
  if (why.code() == base::Code::kExpired) {
    if (!ListAndWatch(/*relist=*/true).ok()) RetryLater();
    return;
  }
  if (watch_events_ == 0) {
    // A watch that ended before delivering anything is not retried at once:
    // that could spin the loop.
    RetryLater();
    return;
  }
  Status s = StartWatch();
  if (s.code() == base::Code::kExpired) s = ListAndWatch(/*relist=*/true);
  if (!s.ok()) RetryLater();
}

void Informer::RetryLater() {
  loop_->RunAfter(kRetryDelay, [wake = wake_, this] {
    if (!wake->alive || !started_ || watch_) return;
    Status s = StartWatch();
    if (s.code() == base::Code::kExpired) s = ListAndWatch(/*relist=*/true);
    if (!s.ok()) RetryLater();
  });
}

void Informer::Apply(EventType type, Json obj) {
  std::string key = KeyOf(obj);
  auto ptr = std::make_shared<const Json>(std::move(obj));
  ObjectPtr old = Get(key);
  if (type == EventType::kDeleted) {
    if (!old) return;  // never seen: nothing to tell (as DeltaFIFO)
    Remove(key);
    Deliver(EventType::kDeleted, old, ptr);
    return;
  }
  Store(key, ptr);
  Deliver(old ? EventType::kModified : EventType::kAdded, old, ptr);
}

void Informer::Deliver(EventType type, const ObjectPtr& old_obj,
                       const ObjectPtr& obj) {
  // By index, with the function copied: a handler may add handlers.
  for (size_t i = 0; i < handlers_.size(); ++i) {
    if (!handlers_[i].ready) continue;
    const EventHandlers& h = handlers_[i].fns;
    if (type == EventType::kAdded && h.on_add) {
      auto fn = h.on_add;
      fn(obj);
    } else if (type == EventType::kModified && h.on_update) {
      auto fn = h.on_update;
      fn(old_obj, obj);
    } else if (type == EventType::kDeleted && h.on_delete) {
      auto fn = h.on_delete;
      fn(obj);
    }
  }
}

void Informer::DeliverInitial() {
  std::vector<ObjectPtr> snapshot;
  snapshot.reserve(cache_.size());
  for (const auto& [key, obj] : cache_) snapshot.push_back(obj);
  for (size_t i = 0; i < handlers_.size(); ++i) {
    if (handlers_[i].ready) continue;
    handlers_[i].ready = true;
    auto fn = handlers_[i].fns.on_add;
    if (!fn) continue;
    for (const auto& obj : snapshot) fn(obj);
  }
}

void Informer::Store(const std::string& key, ObjectPtr obj) {
  auto it = cache_.find(key);
  if (it != cache_.end()) Index(key, *it->second, false);
  Index(key, *obj, true);
  cache_[key] = std::move(obj);
}

void Informer::Remove(const std::string& key) {
  auto it = cache_.find(key);
  if (it == cache_.end()) return;
  Index(key, *it->second, false);
  cache_.erase(it);
}

void Informer::Index(const std::string& key, const Json& obj, bool add) {
  for (const auto& [name, fn] : index_funcs_) {
    auto& index = indexes_[name];
    for (const auto& value : fn(obj)) {
      if (add) {
        index[value].insert(key);
        continue;
      }
      auto it = index.find(value);
      if (it == index.end()) continue;
      it->second.erase(key);
      if (it->second.empty()) index.erase(it);
    }
  }
}

ObjectPtr Informer::Get(const std::string& key) const {
  auto it = cache_.find(key);
  return it == cache_.end() ? nullptr : it->second;
}

std::vector<ObjectPtr> Informer::List(const std::string& ns) const {
  std::vector<ObjectPtr> out;
  if (ns.empty()) {
    out.reserve(cache_.size());
    for (const auto& [key, obj] : cache_) out.push_back(obj);
    return out;
  }
  const std::string prefix = ns + "/";
  for (auto it = cache_.lower_bound(prefix);
       it != cache_.end() && it->first.compare(0, prefix.size(), prefix) == 0;
       ++it) {
    out.push_back(it->second);
  }
  return out;
}

size_t Informer::IndexCount(const std::string& index,
                            const std::string& value) const {
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return 0;
  auto keys = idx->second.find(value);
  return keys == idx->second.end() ? 0 : keys->second.size();
}

std::vector<ObjectPtr> Informer::ByIndex(const std::string& index,
                                         const std::string& value) const {
  std::vector<ObjectPtr> out;
  auto idx = indexes_.find(index);
  if (idx == indexes_.end()) return out;
  auto keys = idx->second.find(value);
  if (keys == idx->second.end()) return out;
  for (const auto& key : keys->second) {
    if (ObjectPtr obj = Get(key)) out.push_back(std::move(obj));
  }
  return out;
}

InformerFactory::InformerFactory(Client* client, base::EventLoop* loop)
    : client_(client), loop_(loop) {}

Informer* InformerFactory::For(const Resource& r) {
  auto& slot = informers_[r.group + "/" + r.resource];
  if (!slot) {
    slot = std::make_unique<Informer>(client_, loop_, r);
    // A failed start leaves it unsynced; AllSynced() tells.
    if (started_) (void)slot->Start();
  }
  return slot.get();
}

Status InformerFactory::StartAll() {
  started_ = true;
  Status first;
  for (auto& [name, informer] : informers_) {
    Status s = informer->Start();
    if (!s.ok() && first.ok()) first = s;
  }
  return first;
}

bool InformerFactory::AllSynced() const {
  for (const auto& [name, informer] : informers_) {
    if (!informer->HasSynced()) return false;
  }
  return true;
}

void InformerFactory::StopAll() {
  started_ = false;
  for (auto& [name, informer] : informers_) informer->Stop();
}

}  // namespace ksim::client
