#include "apiserver/garbage_collector.h"

#include "apiserver/object_codec.h"

namespace ksim::apiserver {
namespace {

bool HasFinalizer(const Json& obj, const std::string& f) {
  const Json* fins = base::Find(obj, {"metadata", "finalizers"});
  if (!fins || !fins->is_array()) return false;
  for (const auto& x : *fins) {
    if (x == f) return true;
  }
  return false;
}

std::string GroupOf(const std::string& api_version) {
  size_t slash = api_version.find('/');
  return slash == std::string::npos ? "" : api_version.substr(0, slash);
}

}  // namespace

GarbageCollector::GarbageCollector(Registry* registry,
                                   base::TaskRunner* runner)
    : registry_(registry), runner_(runner) {}

std::vector<GarbageCollector::Dependent> GarbageCollector::DependentsOf(
    const std::string& ns, const std::string& uid) const {
  std::vector<Dependent> out;
  const std::string needle = uid + ",";
  for (const auto& r : AllResources()) {
    store::ListOptions lo;
    // Namespaced dependents live in their owner's namespace; a
    // cluster-scoped owner may have dependents anywhere.
    lo.prefix = r.namespaced && !ns.empty() ? NamespacePrefix(r, ns)
                                            : ResourcePrefix(r);
    lo.filter = [&needle](const store::Attributes& a) {
      auto it = a.fields.find(kOwnerUidsField);
      return it != a.fields.end() && it->second.find(needle) != std::string::npos;
    };
    auto list = registry_->store()->List(lo);
    if (!list.ok()) continue;
    for (const auto& item : list->items) {
      auto obj = DecodeObject(item);
      if (!obj.ok()) continue;
      out.push_back({&r, base::GetString(*obj, {"metadata", "namespace"}),
                     base::GetString(*obj, {"metadata", "name"}),
                     std::move(obj).value()});
    }
  }
  return out;
}

bool GarbageCollector::OwnerExists(const std::string& ns,
                                   const Json& ref) const {
  const ResourceInfo* r = FindResourceByKind(
      GroupOf(ref.value("apiVersion", "")), ref.value("kind", ""));
  if (r == nullptr) return false;
  auto got = registry_->store()->Get(
      ObjectKey(*r, r->namespaced ? ns : "", ref.value("name", "")));
  if (!got.ok()) return false;
  auto obj = base::ParseJson(*got->value);
  return obj.ok() &&
         base::GetString(*obj, {"metadata", "uid"}) == ref.value("uid", "");
}

void GarbageCollector::OnDeleted(const ResourceInfo& r, const std::string& ns,
                                 const std::string& uid) {
  if (uid.empty()) return;
  std::string owner_ns = r.namespaced ? ns : "";
  runner_->Post([this, owner_ns, uid] { CollectOrphans(owner_ns, uid); });
}

void GarbageCollector::CollectOrphans(const std::string& ns,
                                      const std::string& uid) {
  for (auto& d : DependentsOf(ns, uid)) {
    bool owned = false;
    const Json* refs = base::Find(d.obj, {"metadata", "ownerReferences"});
    for (const auto& ref : *refs) {
      if (ref.value("uid", "") != uid && OwnerExists(d.ns, ref)) owned = true;
    }
    if (owned) continue;
    DeleteOptions o;
    o.propagation_policy = "Background";
    registry_->Delete(Target{d.resource, d.ns, d.name, ""}, o);
  }
}

void GarbageCollector::OnFinalizing(const ResourceInfo& r,
                                    const std::string& ns,
                                    const std::string& name) {
  runner_->Post([this, r = &r, ns, name] { Finalize(r, ns, name); });
}

void GarbageCollector::Finalize(const ResourceInfo* r, const std::string& ns,
                                const std::string& name) {
  Target t{r, ns, name, ""};
  auto got = registry_->Get(t);
  if (!got.ok()) return;
  Json owner = Json::parse(*got);
  std::string uid = base::GetString(owner, {"metadata", "uid"});
  std::vector<Dependent> deps = DependentsOf(r->namespaced ? ns : "", uid);
  if (HasFinalizer(owner, "orphan")) {
    for (auto& d : deps) {
      Json refs = Json::array();
      for (const auto& ref : d.obj["metadata"]["ownerReferences"]) {
        if (ref.value("uid", "") != uid) refs.push_back(ref);
      }
      Json patch = {{"metadata", {{"ownerReferences", refs}}}};
      if (refs.empty()) patch["metadata"]["ownerReferences"] = nullptr;
      WriteOptions o;
      o.field_manager = "garbage-collector";
      registry_->Patch(Target{d.resource, d.ns, d.name, ""},
                       "application/merge-patch+json", patch.dump(), o);
    }
    RemoveFinalizer(t, "orphan");
    return;
  }
  if (HasFinalizer(owner, "foregroundDeletion")) {
    if (deps.empty()) {
      RemoveFinalizer(t, "foregroundDeletion");
      return;
    }
    for (auto& d : deps) {
      if (base::Find(d.obj, {"metadata", "deletionTimestamp"})) continue;
      DeleteOptions o;
      o.propagation_policy = "Foreground";
      registry_->Delete(Target{d.resource, d.ns, d.name, ""}, o);
    }
    // Dependents may take time (graceful pods, their own dependents): look
    // again shortly.
    runner_->PostDelayed(std::chrono::milliseconds(200),
                         [this, r, ns, name] { Finalize(r, ns, name); });
  }
}

void GarbageCollector::RemoveFinalizer(const Target& t,
                                       const std::string& finalizer) {
  Json ops = Json::array();
  auto got = registry_->Get(t);
  if (!got.ok()) return;
  Json obj = Json::parse(*got);
  const Json& fins = obj["metadata"]["finalizers"];
  for (size_t i = fins.size(); i-- > 0;) {
    if (fins[i] == finalizer) {
      ops.push_back({{"op", "test"},
                     {"path", "/metadata/finalizers/" + std::to_string(i)},
                     {"value", finalizer}});
      ops.push_back({{"op", "remove"},
                     {"path", "/metadata/finalizers/" + std::to_string(i)}});
    }
  }
  if (ops.empty()) return;
  WriteOptions o;
  o.field_manager = "garbage-collector";
  registry_->Patch(t, "application/json-patch+json", ops.dump(), o);
}

}  // namespace ksim::apiserver
