// FakeClient: client-go's fake clientset (ObjectTracker + reactors) on the
// cluster loop.
#include "client/fake_client.h"

#include <deque>

#include "apiserver/selector.h"
#include "client/informer.h"

namespace ksim::client {
namespace {

std::string ResourceKey(const Resource& r) {
  return r.group + "/" + r.resource;
}

// "pods" or "deployments.apps", as apimachinery's errors name resources.
std::string Qualified(const Resource& r) {
  return r.group.empty() ? r.resource : r.resource + "." + r.group;
}

Status ErrorFor(base::Code code, const Resource& r, const std::string& name,
                const std::string& message) {
  base::Details d;
  d.name = name;
  d.group = r.group;
  d.kind = r.resource;
  return Status(code, message, std::move(d));
}

Status NotFoundError(const Resource& r, const std::string& name) {
  return ErrorFor(base::Code::kNotFound, r, name,
                  Qualified(r) + " \"" + name + "\" not found");
}

std::string Rv(const Json& obj) {
  return base::GetString(obj, {"metadata", "resourceVersion"});
}

// The value at a dotted path as a field selector compares it.
std::string FieldValue(const Json& obj, const std::string& path) {
  const Json* at = &obj;
  size_t start = 0;
  while (start <= path.size()) {
    size_t dot = path.find('.', start);
    std::string part = path.substr(
        start, dot == std::string::npos ? std::string::npos : dot - start);
    if (!at->is_object() || !at->contains(part)) return "";
    at = &(*at)[part];
    if (dot == std::string::npos) break;
    start = dot + 1;
  }
  return at->is_string() ? at->get<std::string>() : at->dump();
}

struct Selection {
  std::string ns;
  apiserver::LabelSelector labels;
  apiserver::FieldSelector fields;

  bool Matches(const Json& obj) const {
    if (!ns.empty() && base::GetString(obj, {"metadata", "namespace"}) != ns) {
      return false;
    }
    apiserver::StringMap label_map;
    if (const Json* l = base::Find(obj, {"metadata", "labels"})) {
      for (const auto& [k, v] : l->items()) {
        if (v.is_string()) label_map[k] = v.get<std::string>();
      }
    }
    if (!labels.Matches(label_map)) return false;
    apiserver::StringMap field_map;
    for (const auto& term : fields.terms()) {
      field_map[term.field] = FieldValue(obj, term.field);
    }
    return fields.Matches(field_map);
  }
};

StatusOr<Selection> SelectionOf(const std::string& ns, const ListOptions& o) {
  Selection s;
  s.ns = ns;
  if (!o.label_selector.empty()) {
    KSIM_ASSIGN_OR_RETURN(s.labels,
                          apiserver::LabelSelector::Parse(o.label_selector));
  }
  if (!o.field_selector.empty()) {
    KSIM_ASSIGN_OR_RETURN(s.fields,
                          apiserver::FieldSelector::Parse(o.field_selector));
  }
  return s;
}

}  // namespace

struct FakeClient::FakeWatch {
  std::string resource;
  Selection selection;
  std::deque<WatchEvent> pending;
  std::function<void()> on_ready;
};

namespace {

// The stream handed out; the client keeps a weak_ptr to the state, so
// destroying the stream ends the watch.
class FakeWatchStream : public WatchStream {
 public:
  explicit FakeWatchStream(std::shared_ptr<FakeClient::FakeWatch> w)
      : w_(std::move(w)) {}
  bool Poll(std::vector<WatchEvent>* out, size_t max) override {
    for (size_t n = 0; n < max && !w_->pending.empty(); ++n) {
      out->push_back(std::move(w_->pending.front()));
      w_->pending.pop_front();
    }
    return true;
  }
  Status status() const override { return Status::Ok(); }

 private:
  std::shared_ptr<FakeClient::FakeWatch> w_;
};

}  // namespace

FakeClient::FakeClient(base::EventLoop* loop) : loop_(loop) {}

StatusOr<Json> FakeClient::Get(const Resource& r, const std::string& ns,
                               const std::string& name) {
  auto& objs = objects_[ResourceKey(r)];
  auto it = objs.find(MakeKey(r.namespaced ? ns : "", name));
  if (it == objs.end()) return NotFoundError(r, name);
  return it->second;
}

StatusOr<ObjectList> FakeClient::List(const Resource& r, const std::string& ns,
                                      const ListOptions& o) {
  KSIM_ASSIGN_OR_RETURN(Selection sel, SelectionOf(ns, o));
  ObjectList list;
  for (const auto& [key, obj] : objects_[ResourceKey(r)]) {
    if (sel.Matches(obj)) list.items.push_back(obj);
  }
  list.resource_version = std::to_string(revision_);
  return list;
}

StatusOr<std::unique_ptr<WatchStream>> FakeClient::Watch(
    const Resource& r, const std::string& ns, const ListOptions& o,
    std::function<void()> on_ready) {
  KSIM_ASSIGN_OR_RETURN(Selection sel, SelectionOf(ns, o));
  auto w = std::make_shared<FakeWatch>();
  w->resource = ResourceKey(r);
  w->selection = std::move(sel);
  w->on_ready = std::move(on_ready);
  watches_.push_back(w);
  return std::unique_ptr<WatchStream>(new FakeWatchStream(w));
}

void FakeClient::Notify(const Resource& r, EventType type, const Json& obj) {
  const std::string resource = ResourceKey(r);
  std::vector<std::weak_ptr<FakeWatch>> live;
  for (auto& weak : watches_) {
    auto w = weak.lock();
    if (!w) continue;
    live.push_back(weak);
    if (w->resource != resource || !w->selection.Matches(obj)) continue;
    w->pending.push_back({type, obj});
    if (w->on_ready) w->on_ready();
  }
  watches_ = std::move(live);
}

std::string FakeClient::NextSuffix() {
  // splitmix64 of a counter: a fixed, well-spread sequence.
  uint64_t z = ++name_counter_ * 0x9E3779B97F4A7C15ULL;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ULL;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBULL;
  z ^= z >> 31;
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += kAlphabet[z % 27];
    z /= 27;
  }
  return out;
}

Json FakeClient::Put(const Resource& r, Json obj, EventType type) {
  obj["metadata"]["resourceVersion"] = std::to_string(++revision_);
  std::string key = KeyOf(obj);
  auto& objs = objects_[ResourceKey(r)];
  if (type == EventType::kDeleted) {
    objs.erase(key);
  } else {
    objs[key] = obj;
  }
  Notify(r, type, obj);
  return obj;
}

void FakeClient::Seed(const Resource& r, Json obj) {
  if (Rv(obj).empty()) {
    obj["metadata"]["resourceVersion"] = std::to_string(++revision_);
  }
  objects_[ResourceKey(r)][KeyOf(obj)] = obj;
  Notify(r, EventType::kAdded, obj);
}

void FakeClient::Do(Action action, WriteCallback done) {
  if (action.field_manager.empty()) action.field_manager = field_manager();
  actions_.push_back(action);
  std::optional<StatusOr<Json>> result;
  for (const auto& reactor : reactors_) {
    if (auto s = reactor(action)) {
      result = s->ok() ? StatusOr<Json>(action.object) : StatusOr<Json>(*s);
      break;
    }
  }
  if (!result) result = Apply(action);
  if (!done) return;
  loop_->Post([done = std::move(done), r = std::move(*result)]() mutable {
    done(std::move(r));
  });
}

std::vector<Action> FakeClient::ActionsFor(Verb verb, const Resource& r) const {
  std::vector<Action> out;
  for (const auto& a : actions_) {
    if (a.verb == verb && a.resource == r) out.push_back(a);
  }
  return out;
}

}  // namespace ksim::client
