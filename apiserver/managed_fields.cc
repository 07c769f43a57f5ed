// managedFields encoding and the Update operation (kube's managedfields
// package: managedfields.go, stripmeta.go, capmanagers.go,
// managedfieldsupdater.go, skipnonapplied.go, and structured-merge-diff's
// Updater.Update).
#include "apiserver/managed_fields.h"

#include <algorithm>
#include <mutex>
#include <vector>

#include "apiserver/go_format.h"

namespace ksim::apiserver {
namespace smd {
namespace {

constexpr int kMaxUpdateManagers = 10;

int64_t Seconds(const std::optional<base::Time>& t) {
  if (!t) return 0;
  return std::chrono::duration_cast<std::chrono::seconds>(t->time_since_epoch())
      .count();
}

FieldSet PathSet(std::initializer_list<FieldPath> paths) {
  FieldSet s;
  for (const FieldPath& p : paths) s.Insert(p);
  return s;
}

PathElement F(const char* name) { return PathElement::Field(name); }

}  // namespace

std::string ManagerIdentifier(const std::string& manager,
                              const std::string& operation,
                              const std::string& api_version,
                              const std::string& subresource) {
  // json.Marshal of a ManagedFieldsEntry without fields, type and time (and
  // without apiVersion for appliers), in the struct's field order.
  std::vector<std::string> parts;
  auto add = [&parts](const char* key, const std::string& v) {
    if (!v.empty()) {
      parts.push_back("\"" + std::string(key) + "\":" + GoJsonMarshal(v));
    }
  };
  add("manager", manager);
  add("operation", operation);
  add("apiVersion", operation == "Apply" ? "" : api_version);
  add("subresource", subresource);
  std::string out = "{";
  for (size_t i = 0; i < parts.size(); ++i) {
    out += (i ? "," : "") + parts[i];
  }
  return out + "}";
}

base::StatusOr<ManagedFields> DecodeManagedFields(const Json& list) {
  ManagedFields out;
  if (list.is_null()) return out;
  if (!list.is_array()) {
    return base::BadRequest("managedFields must be a list");
  }
  for (size_t i = 0; i < list.size(); ++i) {
    const Json& e = list[i];
    if (!e.is_object()) return base::BadRequest("invalid managed fields entry");
    ManagedEntry entry;
    entry.manager = e.value("manager", "");
    entry.operation = e.value("operation", "");
    entry.api_version = e.value("apiVersion", "");
    entry.subresource = e.value("subresource", "");
    if (entry.operation != "Apply" && entry.operation != "Update") {
      return base::BadRequest("operation must be `Apply` or `Update`");
    }
    if (entry.api_version.empty()) {
      return base::BadRequest("apiVersion must not be empty");
    }
    std::string type = e.value("fieldsType", "");
    if (type.empty()) {
      return base::BadRequest("missing fieldsType in managed fields entry " +
                              std::to_string(i));
    }
    if (type != "FieldsV1") {
      return base::BadRequest("invalid fieldsType " + GoQuote(type) +
                              " in managed fields entry " + std::to_string(i));
    }
    auto set = FieldSet::FromJson(e.contains("fieldsV1") ? e["fieldsV1"]
                                                         : Json::object());
    if (!set.ok()) {
      return base::BadRequest("error decoding versioned set: " +
                              set.status().message());
    }
    entry.set = std::move(set).value();
    if (auto t = e.find("time"); t != e.end() && !t->is_null()) {
      std::optional<base::Time> parsed =
          t->is_string() ? base::ParseRfc3339(t->get<std::string>())
                         : std::nullopt;
      if (!parsed) return base::BadRequest("invalid time in managed fields");
      entry.time = parsed;
    }
    out[ManagerIdentifier(entry)] = std::move(entry);
  }
  return out;
}

Json EncodeManagedFields(const ManagedFields& managed) {
  if (managed.empty()) return nullptr;
  std::vector<const ManagedEntry*> entries;
  for (const auto& [id, e] : managed) entries.push_back(&e);
  std::stable_sort(entries.begin(), entries.end(),
                   [](const ManagedEntry* p, const ManagedEntry* q) {
                     if (p->operation != q->operation) {
                       return p->operation < q->operation;
                     }
                     if (Seconds(p->time) != Seconds(q->time)) {
                       return Seconds(p->time) < Seconds(q->time);
                     }
                     if (p->manager != q->manager)
                       return p->manager < q->manager;
                     if (p->api_version != q->api_version) {
                       return p->api_version < q->api_version;
                     }
                     return p->subresource < q->subresource;
                   });
  Json out = Json::array();
  for (const ManagedEntry* e : entries) {
    Json j = {{"manager", e->manager},
              {"operation", e->operation},
              {"apiVersion", e->api_version},
              {"fieldsType", "FieldsV1"},
              {"fieldsV1", e->set.ToJson()}};
    if (e->manager.empty()) j.erase("manager");
    if (e->time) j["time"] = base::FormatRfc3339(*e->time);
    if (!e->subresource.empty()) j["subresource"] = e->subresource;
    out.push_back(std::move(j));
  }
  return out;
}

std::string PrintManager(const ManagedEntry& e) {
  std::string out = GoQuote(e.manager);
  if (!e.subresource.empty()) {
    out += " with subresource " + GoQuote(e.subresource);
  }
  if (e.operation == "Update") out += " using " + e.api_version;
  return out;
}

FieldManager::FieldManager(const SchemaRegistry& registry, const Json& schema,
                           const ManagerInfo& who)
    : registry_(registry),
      typer_(registry),
      root_(RootSchema(registry, schema)),
      who_(who) {
  // What the resource's strategy resets (GetResetFields): status on the
  // main resource, spec through /status.
  auto has = [&](const char* field) {
    return LookupField(registry, root_, field).declared;
  };
  if (who.subresource.empty() && has("status")) {
    reset_.Insert({F("status")});
  } else if (who.subresource == "status" && has("spec")) {
    reset_.Insert({F("spec")});
  }
}

Json FieldManager::Zero(const FieldSchema& s, int depth) const {
  Json out = Json::object();
  if (depth > 16 || !s.known() || !s.resolved->is_object()) return out;
  auto props = s.resolved->find("properties");
  if (props == s.resolved->end() || !props->is_object()) return out;
  std::vector<std::string> required;
  if (auto r = s.resolved->find("required"); r != s.resolved->end()) {
    for (const Json& name : *r) {
      if (name.is_string()) required.push_back(name);
    }
  }
  for (const auto& [name, prop] : props->items()) {
    FieldSchema f = LookupField(registry_, s, name);
    if (!f.known()) continue;
    const Json* def =
        f.raw != nullptr && f.raw->is_object() && f.raw->contains("default")
            ? &(*f.raw)["default"]
            : nullptr;
    bool is_struct =
        f.resolved->is_object() && f.resolved->contains("properties");
    std::string type =
        f.resolved->is_object() ? f.resolved->value("type", "") : std::string();
    if (def != nullptr && def->is_object() && def->empty()) {
      // A non-pointer struct: always there; a metav1.Time inside is null.
      out[name] = is_struct ? Zero(f, depth + 1)
                            : (type == "object" ? Json::object() : Json());
    } else if (std::find(required.begin(), required.end(), name) !=
                   required.end() &&
               (is_struct || type == "array" || type == "object")) {
      out[name] = nullptr;  // a required slice, map or pointer
    }
  }
  return out;
}

Json FieldManager::ZeroObject() const {
  // The same for every object of a kind: computed once per schema.
  static std::mutex mu;
  static std::map<std::pair<uint64_t, const Json*>, Json>* cache =
      new std::map<std::pair<uint64_t, const Json*>, Json>();
  std::pair<uint64_t, const Json*> key{registry_.id(), root_.raw};
  {
    std::lock_guard<std::mutex> lock(mu);
    if (auto it = cache->find(key); it != cache->end()) return it->second;
  }
  Json zero = Zero(root_, 0);
  std::lock_guard<std::mutex> lock(mu);
  return cache->emplace(key, std::move(zero)).first->second;
}

FieldSet FieldManager::Filter(const FieldSet& set) const {
  return reset_.Empty() ? set : set.RecursiveDifference(reset_);
}

Comparison FieldManager::Compare(const Json& live, const Json& obj) const {
  Comparison c = typer_.Compare(root_, &live, &obj);
  if (!reset_.Empty()) {
    c.removed.RecursiveDifferenceWith(reset_);
    c.modified.RecursiveDifferenceWith(reset_);
    c.added.RecursiveDifferenceWith(reset_);
  }
  return c;
}

ManagedFields FieldManager::TakeChanged(const Comparison& cmp,
                                        ManagedFields& managed,
                                        const std::string& self,
                                        bool force) const {
  FieldSet changed = cmp.modified.Union(cmp.added);
  ManagedFields conflicts;
  for (const auto& [id, e] : managed) {
    if (id == self) continue;
    FieldSet c = e.set.Intersection(changed);
    if (!c.Empty()) {
      ManagedEntry conflict = e;
      conflict.set = std::move(c);
      conflicts[id] = std::move(conflict);
    }
  }
  if (!force && !conflicts.empty()) return conflicts;
  for (auto& [id, e] : managed) {
    if (id == self) continue;
    if (auto c = conflicts.find(id); c != conflicts.end()) {
      e.set = e.set.Difference(c->second.set);
    }
    e.set = e.set.Difference(cmp.removed);
  }
  for (auto it = managed.begin(); it != managed.end();) {
    it = it->second.set.Empty() ? managed.erase(it) : std::next(it);
  }
  return {};
}

void FieldManager::RecordUpdate(const Json& live, const Json& obj,
                                ManagedFields& managed,
                                const std::string& manager) const {
  Comparison cmp = Compare(live, obj);
  // The operation runs as "current-operation": every existing entry, the
  // writer's own included, loses what changed; then the writer's entry
  // gains it (managedFieldsUpdater).
  if (!managed.empty()) TakeChanged(cmp, managed, "", /*force=*/true);
  FieldSet mine = std::move(cmp.added);
  mine.UnionWith(cmp.modified);
  mine.DifferenceWith(MetaFields());
  if (mine.Empty()) return;
  std::string name = manager.empty() ? "unknown" : manager;
  std::string id =
      ManagerIdentifier(name, "Update", who_.api_version, who_.subresource);
  ManagedEntry& e = managed[id];
  e.manager = name;
  e.operation = "Update";
  e.api_version = who_.api_version;
  e.subresource = who_.subresource;
  if (e.set.Empty()) {
    e.set = std::move(mine);
  } else {
    e.set.UnionWith(mine);
  }
  e.time = who_.time;
}

void FieldManager::CapManagers(ManagedFields& managed) {
  std::vector<std::string> updaters;
  for (const auto& [id, e] : managed) {
    if (!e.applied()) updaters.push_back(id);
  }
  if (updaters.size() <= kMaxUpdateManagers) return;
  std::sort(updaters.begin(), updaters.end(),
            [&managed](const std::string& a, const std::string& b) {
              int64_t ta = Seconds(managed[a].time),
                      tb = Seconds(managed[b].time);
              return ta != tb ? ta < tb : a < b;
            });
  std::map<std::string, std::string> first_of_version;
  size_t length = updaters.size();
  for (size_t i = 0; i < updaters.size() && length > kMaxUpdateManagers; ++i) {
    ManagedEntry e = managed[updaters[i]];
    std::string bucket =
        ManagerIdentifier("ancient-changes", "Update", e.api_version, "");
    auto first = first_of_version.find(e.api_version);
    if (first == first_of_version.end()) {
      first_of_version[e.api_version] = updaters[i];
      continue;
    }
    if (!managed.count(bucket)) {
      ManagedEntry moved = managed[first->second];
      managed.erase(first->second);
      moved.manager = "ancient-changes";
      moved.subresource.clear();
      managed[bucket] = std::move(moved);
    }
    ManagedEntry& b = managed[bucket];
    b.set = e.set.Union(b.set);
    b.api_version = e.api_version;
    b.time = e.time;
    managed.erase(updaters[i]);
    --length;
  }
}

FieldSet FieldManager::StripMeta(const FieldSet& set) {
  return set.Difference(MetaFields());
}

const FieldSet& FieldManager::MetaFields() {
  static const FieldSet kStrip = PathSet({
      {F("apiVersion")},
      {F("kind")},
      {F("metadata")},
      {F("metadata"), F("name")},
      {F("metadata"), F("namespace")},
      {F("metadata"), F("creationTimestamp")},
      {F("metadata"), F("selfLink")},
      {F("metadata"), F("uid")},
      {F("metadata"), F("clusterName")},
      {F("metadata"), F("generation")},
      {F("metadata"), F("managedFields")},
      {F("metadata"), F("resourceVersion")},
  });
  return kStrip;
}

}  // namespace smd

void UpdateManagedFields(const SchemaRegistry& registry, const Json& schema,
                         const Json* old, Json& obj, const ManagerInfo& who) {
  if (!obj.is_object()) return;
  smd::FieldManager fm(registry, schema, who);
  auto decode = [](const Json* o) {
    const Json* mf =
        o != nullptr ? base::Find(*o, {"metadata", "managedFields"}) : nullptr;
    auto d = smd::DecodeManagedFields(mf != nullptr ? *mf : Json());
    return d.ok() ? std::move(d).value() : smd::ManagedFields();
  };
  // decodeLiveOrNew: a subresource keeps the live entries; otherwise the
  // request's own entries win unless empty or broken, and [] or [{}]
  // resets them.
  smd::ManagedFields managed;
  const Json* sent = base::Find(obj, {"metadata", "managedFields"});
  bool reset =
      sent != nullptr && sent->is_array() &&
      (sent->empty() || (sent->size() == 1 && (*sent)[0] == Json::object()));
  if (!who.subresource.empty()) {
    managed = decode(old);
  } else if (!reset) {
    managed = decode(&obj);
    if (managed.empty()) managed = decode(old);
  }
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("managedFields");
  }
  // An existing object nobody tracked stays untracked (skipNonApplied).
  if (managed.empty() && old != nullptr) return;
  Json live = old != nullptr ? *old : fm.ZeroObject();
  if (live.contains("metadata") && live["metadata"].is_object()) {
    live["metadata"].erase("managedFields");
  }
  fm.RecordUpdate(live, obj, managed, who.manager);
  smd::FieldManager::CapManagers(managed);
  Json encoded = smd::EncodeManagedFields(managed);
  if (!encoded.is_null()) obj["metadata"]["managedFields"] = std::move(encoded);
}

}  // namespace ksim::apiserver
