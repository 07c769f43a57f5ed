// The table of served resources: what discovery advertises, how URLs map to
// storage, and what each resource's subresources are. One entry per resource.
#ifndef KSIM_APISERVER_RESOURCES_H_
#define KSIM_APISERVER_RESOURCES_H_

#include <string>
#include <string_view>
#include <vector>

namespace ksim::apiserver {

struct SubresourceInfo {
  std::string name;  // "status", "scale", "log", "binding"
  // The kind the subresource speaks (responseKind in discovery).
  std::string group;
  std::string version;
  std::string kind;
  std::vector<std::string> verbs;
};

struct ResourceInfo {
  std::string group;     // "" for the core group
  std::string version;   // "v1"
  std::string resource;  // plural, "pods"
  std::string singular;  // "pod"
  std::string kind;      // "Pod"
  bool namespaced = true;
  std::vector<std::string> short_names;
  std::vector<std::string> categories;
  std::vector<std::string> verbs;
  std::vector<SubresourceInfo> subresources;
  // The OpenAPI component name of the kind, "io.k8s.api.core.v1.Pod".
  std::string schema_name;

  // "v1" or "apps/v1"
  std::string GroupVersion() const {
    return group.empty() ? version : group + "/" + version;
  }
  // "PodList"
  std::string ListKind() const { return kind + "List"; }
  // "pods" or "deployments.apps": how kube-apiserver names the resource in
  // error messages (schema.GroupResource.String()).
  std::string QualifiedResource() const {
    return group.empty() ? resource : resource + "." + group;
  }
  const SubresourceInfo* FindSubresource(std::string_view name) const;
  bool HasSubresource(std::string_view name) const {
    return FindSubresource(name) != nullptr;
  }
};

// Every served resource, in discovery order. Lives for the whole program.
const std::vector<ResourceInfo>& AllResources();

// The served group-versions in discovery order: "v1" first, then
// "apps/v1", ... (each appears once).
const std::vector<std::string>& AllGroupVersions();

// Lookup by group, version and plural; null if not served.
const ResourceInfo* FindResource(std::string_view group,
                                 std::string_view version,
                                 std::string_view resource);
// Lookup by group and kind (any served version); null if not served.
const ResourceInfo* FindResourceByKind(std::string_view group,
                                       std::string_view kind);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_RESOURCES_H_
