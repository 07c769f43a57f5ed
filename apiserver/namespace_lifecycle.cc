#include "apiserver/namespace_lifecycle.h"

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

void NamespaceLifecycle::RunDrain(const std::string& ns) {
  bool empty = true;
  DeleteOptions o;
  o.propagation_policy = "Background";
  for (const auto& r : AllResources()) {
    if (!r.namespaced) continue;
    Target t{&r, ns, "", ""};
    auto deleted = registry_->DeleteCollection(t, ListQuery{}, o);
    store::ListOptions lo;
    lo.prefix = NamespacePrefix(r, ns);
    lo.limit = 1;
    auto left = registry_->store()->List(lo);
    if (!deleted.ok() || !left.ok() || !left->items.empty()) empty = false;
  }
  if (!empty) {
    // Something is still terminating (e.g. a pod in its grace period); its
    // deletion re-triggers the drain, and a timer covers anything missed.
    runner_->PostDelayed(std::chrono::seconds(5), [this, ns] { Drain(ns); });
    return;
  }
  const ResourceInfo* nsr = FindResource("", "v1", "namespaces");
  auto got = registry_->store()->Get(ObjectKey(*nsr, "", ns));
  if (!got.ok()) return;
  // Content gone: the namespace itself goes (its finalizer is satisfied).
  registry_->store()->Delete(got->key, got->mod_revision);
}

}  // namespace ksim::apiserver
