// Discovery documents (legacy and aggregated) built from AllResources().
#include "apiserver/discovery.h"

#include <algorithm>
#include <map>
#include <vector>

#include "apiserver/resources.h"
#include "base/encoding.h"
#include "base/json.h"

namespace ksim::apiserver {
namespace {

using base::Json;

constexpr const char* kJson = "application/json";
constexpr const char* kAggregatedV2 =
    "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList";
constexpr const char* kAggregatedV2Beta1 =
    "application/json;g=apidiscovery.k8s.io;v=v2beta1;as=APIGroupDiscoveryList";

std::vector<std::string> Sorted(std::vector<std::string> v) {
  std::sort(v.begin(), v.end());
  return v;
}

std::vector<const ResourceInfo*> ResourcesOf(std::string_view gv) {
  std::vector<const ResourceInfo*> out;
  for (const auto& r : AllResources()) {
    if (r.GroupVersion() == gv) out.push_back(&r);
  }
  // kube-apiserver installs (and lists) resources sorted by path.
  std::sort(out.begin(), out.end(), [](const auto* a, const auto* b) {
    return a->resource < b->resource;
  });
  return out;
}

// One metav1.APIResource per resource and per subresource, sorted by name.
Json LegacyResources(std::string_view gv) {
  std::map<std::string, Json> by_name;
  for (const ResourceInfo* r : ResourcesOf(gv)) {
    Json res = {{"name", r->resource},
                {"singularName", r->singular},
                {"namespaced", r->namespaced},
                {"kind", r->kind},
                {"verbs", Sorted(r->verbs)},
                {"storageVersionHash",
                 StorageVersionHash(r->group, r->version, r->kind)}};
    if (!r->short_names.empty()) res["shortNames"] = r->short_names;
    if (!r->categories.empty()) res["categories"] = r->categories;
    by_name[r->resource] = std::move(res);
    for (const SubresourceInfo& s : r->subresources) {
      Json sub = {{"name", r->resource + "/" + s.name},
                  {"singularName", ""},
                  {"namespaced", r->namespaced},
                  {"kind", s.kind},
                  {"verbs", Sorted(s.verbs)}};
      // Only subresources speaking another group-version name it (their
      // storage is a GroupVersionKindProvider, e.g. autoscaling/v1 Scale).
      if (s.group != r->group || s.version != r->version) {
        sub["group"] = s.group;
        sub["version"] = s.version;
      }
      by_name[r->resource + "/" + s.name] = std::move(sub);
    }
  }
  Json list = Json::array();
  for (auto& [name, res] : by_name) list.push_back(std::move(res));
  return list;
}

Json GroupVersionRef(const std::string& gv) {
  return {{"groupVersion", gv}, {"version", gv.substr(gv.find('/') + 1)}};
}

// The served group names (not the core group), in discovery order.
std::vector<std::string> Groups() {
  std::vector<std::string> groups;
  for (const auto& gv : AllGroupVersions()) {
    size_t slash = gv.find('/');
    if (slash == std::string::npos) continue;
    std::string g = gv.substr(0, slash);
    if (std::find(groups.begin(), groups.end(), g) == groups.end()) {
      groups.push_back(g);
    }
  }
  return groups;
}

std::vector<std::string> VersionsOf(std::string_view group) {
  std::vector<std::string> gvs;
  for (const auto& gv : AllGroupVersions()) {
    if (gv.size() > group.size() && gv.compare(0, group.size(), group) == 0 &&
        gv[group.size()] == '/') {
      gvs.push_back(gv);
    }
  }
  return gvs;
}

Json ApiGroup(const std::string& group) {
  Json versions = Json::array();
  for (const auto& gv : VersionsOf(group))
    versions.push_back(GroupVersionRef(gv));
  return {{"name", group},
          {"versions", versions},
          {"preferredVersion", versions.at(0)}};
}

Json Gvk(const std::string& group, const std::string& version,
         const std::string& kind) {
  return {{"group", group}, {"version", version}, {"kind", kind}};
}

// apidiscovery APIResourceDiscovery entries of one group-version. As in
// kube-apiserver, responseKind carries a group/version only when the
// APIResource does (subresources of another group-version).
Json AggregatedResources(std::string_view gv) {
  Json list = Json::array();
  for (const ResourceInfo* r : ResourcesOf(gv)) {
    Json res = {{"resource", r->resource},
                {"responseKind", Gvk("", "", r->kind)},
                {"scope", r->namespaced ? "Namespaced" : "Cluster"},
                {"singularResource", r->singular},
                {"verbs", Sorted(r->verbs)}};
    if (!r->short_names.empty()) res["shortNames"] = r->short_names;
    if (!r->categories.empty()) res["categories"] = r->categories;
    std::vector<const SubresourceInfo*> subs;
    for (const auto& s : r->subresources) subs.push_back(&s);
    std::sort(subs.begin(), subs.end(),
              [](const auto* a, const auto* b) { return a->name < b->name; });
    Json sub_list = Json::array();
    for (const SubresourceInfo* s : subs) {
      bool other_gv = s->group != r->group || s->version != r->version;
      sub_list.push_back(
          {{"subresource", s->name},
           {"responseKind", other_gv ? Gvk(s->group, s->version, s->kind)
                                     : Gvk("", "", s->kind)},
           {"verbs", Sorted(s->verbs)}});
    }
    if (!sub_list.empty()) res["subresources"] = std::move(sub_list);
    list.push_back(std::move(res));
  }
  return list;
}

// One APIGroupDiscovery; the core group's has no metadata.name.
Json AggregatedGroup(const std::string& group) {
  Json meta = {{"creationTimestamp", nullptr}};
  std::vector<std::string> gvs{"v1"};
  if (!group.empty()) {
    meta["name"] = group;
    gvs = VersionsOf(group);
  }
  Json versions = Json::array();
  for (const auto& gv : gvs) {
    versions.push_back({{"version", gv.substr(gv.find('/') + 1)},
                        {"resources", AggregatedResources(gv)},
                        {"freshness", "Current"}});
  }
  return {{"metadata", meta}, {"versions", versions}};
}

std::string AggregatedList(bool core, const char* api_version) {
  Json items = Json::array();
  if (core) {
    items.push_back(AggregatedGroup(""));
  } else {
    for (const auto& g : Groups()) items.push_back(AggregatedGroup(g));
  }
  return Json{{"kind", "APIGroupDiscoveryList"},
              {"apiVersion", api_version},
              {"metadata", Json::object()},
              {"items", items}}
      .dump();
}

struct Cache {
  std::string group_list;
  std::map<std::string, std::string, std::less<>> groups;
  std::map<std::string, std::string, std::less<>> resource_lists;
  std::string aggregated[2][2];  // [core?][v2beta1?]
};

const Cache& Documents() {
  static const Cache kCache = [] {
    Cache c;
    Json groups = Json::array();
    for (const auto& g : Groups()) {
      Json doc = ApiGroup(g);
      groups.push_back(doc);
      doc["kind"] = "APIGroup";
      doc["apiVersion"] = "v1";
      c.groups[g] = doc.dump();
    }
    c.group_list =
        Json{{"kind", "APIGroupList"}, {"apiVersion", "v1"}, {"groups", groups}}
            .dump();
    for (const auto& gv : AllGroupVersions()) {
      Json list = {{"kind", "APIResourceList"},
                   {"groupVersion", gv},
                   {"resources", LegacyResources(gv)}};
      // kube-apiserver's /api/v1 list carries no apiVersion; group lists do.
      if (gv.find('/') != std::string::npos) list["apiVersion"] = "v1";
      c.resource_lists[gv] = list.dump();
    }
    for (int core = 0; core < 2; ++core) {
      c.aggregated[core][0] = AggregatedList(core, "apidiscovery.k8s.io/v2");
      c.aggregated[core][1] =
          AggregatedList(core, "apidiscovery.k8s.io/v2beta1");
    }
    return c;
  }();
  return kCache;
}

}  // namespace

std::string StorageVersionHash(std::string_view group, std::string_view version,
                               std::string_view kind) {
  std::string hex =
      base::Sha256Hex(std::string(group) + "/" + std::string(version) + "/" +
                      std::string(kind));
  std::string bytes;
  for (size_t i = 0; i < 16; i += 2) {
    bytes += static_cast<char>(std::stoi(hex.substr(i, 2), nullptr, 16));
  }
  return base::Base64Encode(bytes);
}

DiscoveryResponse DiscoveryRoot(std::string_view path, std::string_view accept,
                                std::string_view server_address) {
  bool core = path == "/api";
  switch (NegotiateDiscovery(accept)) {
    case DiscoveryFormat::kAggregatedV2:
      return {Documents().aggregated[core][0], kAggregatedV2};
    case DiscoveryFormat::kAggregatedV2Beta1:
      return {Documents().aggregated[core][1], kAggregatedV2Beta1};
    case DiscoveryFormat::kLegacy:
      break;
  }
  if (!core) return {Documents().group_list, kJson};
  Json versions = {{"kind", "APIVersions"},
                   {"versions", {"v1"}},
                   {"serverAddressByClientCIDRs",
                    {{{"clientCIDR", "0.0.0.0/0"},
                      {"serverAddress", std::string(server_address)}}}}};
  return {versions.dump(), kJson};
}

std::optional<DiscoveryResponse> DiscoveryGroupVersion(
    std::string_view group_version) {
  const auto& lists = Documents().resource_lists;
  auto it = lists.find(group_version);
  if (it == lists.end()) return std::nullopt;
  return DiscoveryResponse{it->second, kJson};
}

std::optional<DiscoveryResponse> DiscoveryGroup(std::string_view group) {
  const auto& groups = Documents().groups;
  auto it = groups.find(group);
  if (it == groups.end()) return std::nullopt;
  return DiscoveryResponse{it->second, kJson};
}

}  // namespace ksim::apiserver
