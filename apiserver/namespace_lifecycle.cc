#include "apiserver/namespace_lifecycle.h"

#include <map>

#include "apiserver/object_codec.h"

namespace ksim::apiserver {

NamespaceLifecycle::NamespaceLifecycle(Registry* registry,
                                       base::TaskRunner* runner)
    : registry_(registry), runner_(runner) {}

base::Status NamespaceLifecycle::Bootstrap() {
  const ResourceInfo* ns = FindResource("", "v1", "namespaces");
  for (const char* name :
       {"default", "kube-node-lease", "kube-public", "kube-system"}) {
    Target t{ns, "", name, ""};
    if (registry_->Get(t).ok()) continue;
    base::Json obj = {{"apiVersion", "v1"},
                      {"kind", "Namespace"},
                      {"metadata", {{"name", name}}}};
    WriteOptions o;
    o.field_manager = "kube-apiserver";
    auto created = registry_->Create(t, obj.dump(), o);
    if (!created.ok() &&
        created.status().code() != base::Code::kAlreadyExists) {
      return created.status();
    }
  }
  store::ListOptions lo;
  lo.prefix = ResourcePrefix(*ns);
  lo.filter = [](const store::Attributes& a) {
    auto it = a.fields.find("status.phase");
    return it != a.fields.end() && it->second == "Terminating";
  };
  auto terminating = registry_->store()->List(lo);
  if (terminating.ok()) {
    for (const auto& item : terminating->items) {
      Drain(item.key.substr(item.key.rfind('/') + 1));
    }
  }
  return base::Status::Ok();
}

void NamespaceLifecycle::Drain(const std::string& ns) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (!pending_.insert(ns).second) return;
  }
  runner_->Post([this, ns] {
    {
      std::lock_guard<std::mutex> l(mu_);
      pending_.erase(ns);
    }
    RunDrain(ns);
  });
}

namespace {

Json Condition(const std::string& type, bool status, const char* reason,
               const std::string& message, const std::string& now) {
  return {{"type", type},
          {"status", status ? "True" : "False"},
          {"reason", reason},
          {"message", message},
          {"lastTransitionTime", now}};
}

// What the namespace controller reports while it drains a namespace.
Json DrainConditions(const std::map<std::string, int>& remaining,
                     const std::map<std::string, int>& finalizers,
                     const std::string& now) {
  Json conds = Json::array();
  conds.push_back(Condition("NamespaceDeletionDiscoveryFailure", false,
                            "ResourcesDiscovered",
                            "All resources successfully discovered", now));
  conds.push_back(Condition("NamespaceDeletionGroupVersionParsingFailure",
                            false, "ParsedGroupVersions",
                            "All legacy kube types successfully parsed", now));
  conds.push_back(Condition(
      "NamespaceDeletionContentFailure", false, "ContentDeleted",
      "All content successfully deleted, may be waiting on finalization",
      now));
  if (remaining.empty()) {
    conds.push_back(Condition("NamespaceContentRemaining", false,
                              "ContentRemoved",
                              "All content successfully removed", now));
  } else {
    std::string msg = "Some resources are remaining: ";
    bool first = true;
    for (const auto& [resource, n] : remaining) {
      msg += (first ? "" : ", ") + resource + " has " + std::to_string(n) +
             " resource instances";
      first = false;
    }
    conds.push_back(Condition("NamespaceContentRemaining", true,
                              "SomeResourcesRemain", msg, now));
  }
  if (finalizers.empty()) {
    conds.push_back(Condition("NamespaceFinalizersRemaining", false,
                              "ContentHasNoFinalizers",
                              "All content-preserving finalizers finished",
                              now));
  } else {
    std::string msg = "Some content in the namespace has finalizers "
                      "remaining: ";
    bool first = true;
    for (const auto& [f, n] : finalizers) {
      msg += (first ? "" : ", ") + f + " in " + std::to_string(n) +
             " resource instances";
      first = false;
    }
    conds.push_back(Condition("NamespaceFinalizersRemaining", true,
                              "SomeFinalizersRemain", msg, now));
  }
  return conds;
}

}  // namespace

void NamespaceLifecycle::RunDrain(const std::string& ns) {
  DeleteOptions o;
  o.propagation_policy = "Background";
  std::map<std::string, int> remaining;   // "pods." -> count
  std::map<std::string, int> finalizers;  // finalizer -> count
  for (const auto& r : AllResources()) {
    if (!r.namespaced) continue;
    Target t{&r, ns, "", ""};
    registry_->DeleteCollection(t, ListQuery{}, o);
    store::ListOptions lo;
    lo.prefix = NamespacePrefix(r, ns);
    auto left = registry_->store()->List(lo);
    if (!left.ok() || left->items.empty()) continue;
    remaining[r.resource + "." + r.group] = left->items.size();
    for (const auto& item : left->items) {
      auto obj = base::ParseJson(*item.value);
      if (!obj.ok()) continue;
      const Json* fins = base::Find(*obj, {"metadata", "finalizers"});
      if (!fins || !fins->is_array()) continue;
      for (const auto& f : *fins) {
        if (f.is_string()) ++finalizers[f.get<std::string>()];
      }
    }
  }
  const ResourceInfo* nsr = FindResource("", "v1", "namespaces");
  Target status{nsr, "", ns, "status"};
  Json patch = {{"status",
                 {{"conditions",
                   DrainConditions(remaining, finalizers,
                                   base::FormatRfc3339(
                                       registry_->clock()->Now()))}}}};
  WriteOptions wo;
  wo.field_manager = "kube-controller-manager";
  registry_->Patch(status, "application/merge-patch+json", patch.dump(), wo);
  if (!remaining.empty()) {
    // Something is still terminating (e.g. a pod in its grace period); its
    // deletion re-triggers the drain, and a timer covers anything missed.
    runner_->PostDelayed(std::chrono::seconds(5), [this, ns] { Drain(ns); });
    return;
  }
  auto got = registry_->store()->Get(ObjectKey(*nsr, "", ns));
  if (!got.ok()) return;
  // Content gone: the namespace itself goes (its finalizer is satisfied).
  registry_->store()->Delete(got->key, got->mod_revision);
}

}  // namespace ksim::apiserver
