#include "apiserver/resources.h"

namespace ksim::apiserver {
namespace {

const std::vector<std::string> kAllVerbs = {
    "create", "delete", "deletecollection", "get",
    "list",   "patch",  "update",           "watch"};
const std::vector<std::string> kGetPatchUpdate = {"get", "patch", "update"};

ResourceInfo Core(std::string resource, std::string singular,
                  std::string kind, bool namespaced,
                  std::vector<std::string> short_names) {
  ResourceInfo r;
  r.group = "";
  r.version = "v1";
  r.resource = std::move(resource);
  r.singular = std::move(singular);
  r.kind = std::move(kind);
  r.namespaced = namespaced;
  r.short_names = std::move(short_names);
  r.verbs = kAllVerbs;
  r.schema_name = "io.k8s.api.core.v1." + r.kind;
  return r;
}

ResourceInfo InGroup(std::string group, std::string schema_package,
                     std::string resource, std::string singular,
                     std::string kind, std::vector<std::string> short_names) {
  ResourceInfo r = Core(std::move(resource), std::move(singular),
                        std::move(kind), true, std::move(short_names));
  r.group = std::move(group);
  r.schema_name = "io.k8s.api." + schema_package + ".v1." + r.kind;
  return r;
}

SubresourceInfo Status(const ResourceInfo& r) {
  return {"status", r.group, r.version, r.kind, kGetPatchUpdate};
}

SubresourceInfo Scale() {
  return {"scale", "autoscaling", "v1", "Scale", kGetPatchUpdate};
}

std::vector<ResourceInfo> Build() {
  std::vector<ResourceInfo> all;

  ResourceInfo ns = Core("namespaces", "namespace", "Namespace", false, {"ns"});
  ns.verbs = {"create", "delete", "get", "list", "patch", "update", "watch"};
  ns.subresources = {Status(ns), {"finalize", "", "v1", "Namespace",
                                  {"update"}}};
  all.push_back(ns);

  ResourceInfo node = Core("nodes", "node", "Node", false, {"no"});
  node.subresources = {Status(node)};
  all.push_back(node);

  ResourceInfo pod = Core("pods", "pod", "Pod", true, {"po"});
  pod.categories = {"all"};
  pod.subresources = {{"binding", "", "v1", "Binding", {"create"}},
                      {"log", "", "v1", "Pod", {"get"}},
                      Status(pod)};
  all.push_back(pod);

  ResourceInfo svc = Core("services", "service", "Service", true, {"svc"});
  svc.verbs = {"create", "delete", "deletecollection", "get", "list",
               "patch", "update", "watch"};
  svc.categories = {"all"};
  svc.subresources = {Status(svc)};
  all.push_back(svc);

  all.push_back(Core("endpoints", "endpoints", "Endpoints", true, {"ep"}));
  all.push_back(Core("events", "event", "Event", true, {"ev"}));
  all.push_back(Core("configmaps", "configmap", "ConfigMap", true, {"cm"}));
  all.push_back(Core("secrets", "secret", "Secret", true, {}));
  all.push_back(
      Core("serviceaccounts", "serviceaccount", "ServiceAccount", true, {"sa"}));

  ResourceInfo deploy =
      InGroup("apps", "apps", "deployments", "deployment", "Deployment",
              {"deploy"});
  deploy.categories = {"all"};
  deploy.subresources = {Scale(), Status(deploy)};
  all.push_back(deploy);

  ResourceInfo rs = InGroup("apps", "apps", "replicasets", "replicaset",
                            "ReplicaSet", {"rs"});
  rs.categories = {"all"};
  rs.subresources = {Scale(), Status(rs)};
  all.push_back(rs);

  all.push_back(InGroup("discovery.k8s.io", "discovery", "endpointslices",
                        "endpointslice", "EndpointSlice", {}));
  all.push_back(InGroup("coordination.k8s.io", "coordination", "leases",
                        "lease", "Lease", {}));
  return all;
}

}  // namespace

const SubresourceInfo* ResourceInfo::FindSubresource(
    std::string_view name) const {
  for (const auto& s : subresources) {
    if (s.name == name) return &s;
  }
  return nullptr;
}

const std::vector<ResourceInfo>& AllResources() {
  static const std::vector<ResourceInfo> kAll = Build();
  return kAll;
}

const std::vector<std::string>& AllGroupVersions() {
  static const std::vector<std::string> kGvs = [] {
    std::vector<std::string> gvs;
    for (const auto& r : AllResources()) {
      std::string gv = r.GroupVersion();
      bool seen = false;
      for (const auto& g : gvs) seen = seen || g == gv;
      if (!seen) gvs.push_back(gv);
    }
    return gvs;
  }();
  return kGvs;
}

const ResourceInfo* FindResource(std::string_view group,
                                 std::string_view version,
                                 std::string_view resource) {
  for (const auto& r : AllResources()) {
    if (r.group == group && r.version == version && r.resource == resource) {
      return &r;
    }
  }
  return nullptr;
}

const ResourceInfo* FindResourceByKind(std::string_view group,
                                       std::string_view kind) {
  for (const auto& r : AllResources()) {
    if (r.group == group && r.kind == kind) return &r;
  }
  return nullptr;
}

}  // namespace ksim::apiserver
