// The /openapi/v3 documents, laid out as kube-apiserver lays them out: one
// document per group-version with a path item per resource URL (collection,
// item, subresources, the deprecated watch URLs), operations tagged with
// x-kubernetes-action and x-kubernetes-group-version-kind, their query
// parameters inline, and the component schemas they reference.
//
// kubectl relies on two details: every PATCH operation carries the
// fieldValidation parameter (else it validates client-side against
// /openapi/v2), and PATCH request bodies list
// application/strategic-merge-patch+json (then kubectl apply computes its
// patch from these schemas, which therefore must be complete).
#include "apiserver/openapi.h"

#include <algorithm>
#include <cctype>
#include <map>
#include <set>

#include "apiserver/openapi_parts.h"
#include "apiserver/resources.h"
#include "apiserver/schema.h"
#include "base/encoding.h"
#include "base/json.h"

namespace ksim::apiserver {
namespace {

using base::Json;
using openapi_parts::Body;
using openapi_parts::Capitalize;
using openapi_parts::GroupVersionId;
using openapi_parts::kRefPrefix;
using openapi_parts::ListParams;
using openapi_parts::Param;
using openapi_parts::PatchBody;
using openapi_parts::QueryParams;
using openapi_parts::Responses;
using openapi_parts::Tag;
using openapi_parts::WriteParams;
constexpr char kKubeVersion[] = "v1.32.0";

// What one operation needs beyond its verb.
struct OpSpec {
  std::string method;  // get, put, patch, post, delete
  std::string action;  // x-kubernetes-action
  std::string id;      // operationId
  std::string description;
  const SubresourceInfo* sub = nullptr;  // the GVK comes from it when set
};

class DocBuilder {
 public:
  DocBuilder(std::string_view group, std::string_view version)
      : group_(group), version_(version) {}

  void AddResource(const ResourceInfo& r);
  Json Finish(const SchemaRegistry& reg);

 private:
  void AddOp(const ResourceInfo& r, const std::string& path, const OpSpec& op,
             Json body, std::string_view response);
  void AddCollection(const ResourceInfo& r, const std::string& base);
  void AddItem(const ResourceInfo& r, const std::string& base);
  void AddSubresource(const ResourceInfo& r, const std::string& base,
                      const SubresourceInfo& sub);
  void AddWatch(const ResourceInfo& r, const std::string& prefix,
                const std::string& scope);
  static Json PathParams(const ResourceInfo& r, bool item);

  std::string group_, version_;
  Json paths_ = Json::object();
  std::set<std::string> used_;  // components referenced by operations
};

bool Has(const std::vector<std::string>& v, std::string_view x) {
  return std::find(v.begin(), v.end(), x) != v.end();
}

Json DocBuilder::PathParams(const ResourceInfo& r, bool item) {
  Json p = Json::array();
  if (item) {
    p.push_back(Param("name", "string", "Name of the object.", "path"));
  }
  if (r.namespaced) {
    p.push_back(Param("namespace", "string",
                      "Object name and auth scope, such as for teams and "
                      "projects.",
                      "path"));
  }
  p.push_back(
      Param("pretty", "string", "If 'true', the output is pretty printed."));
  return p;
}

void DocBuilder::AddOp(const ResourceInfo& r, const std::string& path,
                       const OpSpec& op, Json params,
                       std::string_view response) {
  const std::string& kind = op.sub ? op.sub->kind : r.kind;
  Json o = {{"tags", {Tag(group_, version_)}},
            {"description", op.description},
            {"operationId", op.id},
            {"x-kubernetes-action", op.action},
            {"x-kubernetes-group-version-kind",
             {{"group", op.sub ? op.sub->group : r.group},
              {"version", op.sub ? op.sub->version : r.version},
              {"kind", kind}}}};
  if (!params.empty()) o["parameters"] = std::move(params);
  std::string component(response);
  used_.insert(component);
  if (op.method == "get" && op.action == "get" && op.sub &&
      op.sub->name == "log") {
    o["responses"] = {
        {"200",
         {{"description", "OK"},
          {"content", {{"text/plain", {{"schema", {{"type", "string"}}}}}}}}},
        {"401", {{"description", "Unauthorized"}}}};
  } else if (op.method == "get") {
    bool watch = op.action == "list" || op.action.rfind("watch", 0) == 0;
    o["responses"] = Responses({{"200", "OK"}}, component, watch);
  } else if (op.method == "post") {
    o["requestBody"] = Body(component);
    o["responses"] = Responses(
        {{"200", "OK"}, {"201", "Created"}, {"202", "Accepted"}}, component);
  } else if (op.method == "put") {
    o["requestBody"] = Body(component);
    o["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, component);
  } else if (op.method == "patch") {
    used_.insert("io.k8s.apimachinery.pkg.apis.meta.v1.Patch");
    o["requestBody"] = PatchBody();
    o["responses"] = Responses({{"200", "OK"}, {"201", "Created"}}, component);
  } else if (op.method == "delete") {
    const char* opts = "io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions";
    used_.insert(opts);
    o["requestBody"] = Body(opts, /*required=*/false);
    o["responses"] = Responses({{"200", "OK"}, {"202", "Accepted"}}, component);
  }
  paths_[path][op.method] = std::move(o);
}

void DocBuilder::AddCollection(const ResourceInfo& r, const std::string& base) {
  const std::string path = base + "/" + r.resource;
  const std::string gv = GroupVersionId(r.group, r.version);
  const std::string scope = r.namespaced ? "Namespaced" : "";
  const std::string list = r.schema_name + "List";
  const std::string status = "io.k8s.apimachinery.pkg.apis.meta.v1.Status";
  if (Has(r.verbs, "list")) {
    AddOp(r, path,
          {"get", "list", "list" + gv + scope + r.kind,
           "list or watch objects of kind " + r.kind},
          ListParams(), list);
  }
  if (Has(r.verbs, "create")) {
    AddOp(
        r, path,
        {"post", "post", "create" + gv + scope + r.kind, "create a " + r.kind},
        WriteParams(false), r.schema_name);
  }
  if (Has(r.verbs, "deletecollection")) {
    Json params = QueryParams(
        {"continue", "dryRun", "fieldSelector", "gracePeriodSeconds",
         "ignoreStoreReadErrorWithClusterBreakingPotential", "labelSelector",
         "limit", "orphanDependents", "propagationPolicy", "resourceVersion",
         "resourceVersionMatch", "sendInitialEvents", "timeoutSeconds"});
    AddOp(
        r, path,
        {"delete", "deletecollection", "deleteCollection" + gv + scope + r.kind,
         "delete collection of " + r.kind},
        std::move(params), status);
  }
  if (paths_.contains(path)) paths_[path]["parameters"] = PathParams(r, false);
}

void DocBuilder::AddItem(const ResourceInfo& r, const std::string& base) {
  const std::string path = base + "/" + r.resource + "/{name}";
  const std::string gv = GroupVersionId(r.group, r.version);
  const std::string scope = r.namespaced ? "Namespaced" : "";
  const std::string id = gv + scope + r.kind;
  if (Has(r.verbs, "get")) {
    AddOp(r, path, {"get", "get", "read" + id, "read the specified " + r.kind},
          Json::array(), r.schema_name);
  }
  if (Has(r.verbs, "update")) {
    AddOp(r, path,
          {"put", "put", "replace" + id, "replace the specified " + r.kind},
          WriteParams(false), r.schema_name);
  }
  if (Has(r.verbs, "patch")) {
    AddOp(r, path,
          {"patch", "patch", "patch" + id,
           "partially update the specified " + r.kind},
          WriteParams(true), r.schema_name);
  }
  if (Has(r.verbs, "delete")) {
    AddOp(r, path, {"delete", "delete", "delete" + id, "delete a " + r.kind},
          QueryParams({"dryRun", "gracePeriodSeconds",
                       "ignoreStoreReadErrorWithClusterBreakingPotential",
                       "orphanDependents", "propagationPolicy"}),
          "io.k8s.apimachinery.pkg.apis.meta.v1.Status");
  }
  if (paths_.contains(path)) paths_[path]["parameters"] = PathParams(r, true);
}

void DocBuilder::AddSubresource(const ResourceInfo& r, const std::string& base,
                                const SubresourceInfo& sub) {
  const std::string path = base + "/" + r.resource + "/{name}/" + sub.name;
  const std::string id = GroupVersionId(r.group, r.version) +
                         (r.namespaced ? "Namespaced" : "") + r.kind +
                         Capitalize(sub.name);
  const ResourceInfo* target = FindResourceByKind(sub.group, sub.kind);
  std::string component = target != nullptr ? target->schema_name : "";
  if (component.empty()) {
    // Scale and Binding are served only as subresources.
    std::string pkg = sub.group.empty() ? "core" : sub.group;
    component = "io.k8s.api." + pkg.substr(0, pkg.find('.')) + "." +
                sub.version + "." + sub.kind;
  }
  const std::string of = sub.name + " of the specified " + r.kind;
  for (const std::string& verb : sub.verbs) {
    if (verb == "get" && sub.name == "log") {
      AddOp(r, path, {"get", "get", "read" + id, "read " + of, &sub},
            QueryParams({"container", "follow", "insecureSkipTLSVerifyBackend",
                         "limitBytes", "previous", "sinceSeconds", "stream",
                         "tailLines", "timestamps"}),
            "io.k8s.api.core.v1.Pod");
    } else if (verb == "get") {
      AddOp(r, path, {"get", "get", "read" + id, "read " + of, &sub},
            Json::array(), component);
    } else if (verb == "update") {
      AddOp(r, path, {"put", "put", "replace" + id, "replace " + of, &sub},
            WriteParams(false), component);
    } else if (verb == "patch") {
      AddOp(r, path,
            {"patch", "patch", "patch" + id, "partially update " + of, &sub},
            WriteParams(true), component);
    } else if (verb == "create") {
      AddOp(r, path,
            {"post", "post", "create" + id,
             "create " + sub.name + " of a " + r.kind, &sub},
            WriteParams(false), component);
    }
  }
  if (paths_.contains(path)) paths_[path]["parameters"] = PathParams(r, true);
}

// The deprecated /watch/ URLs, and for namespaced kinds the all-namespaces
// list and watch.
void DocBuilder::AddWatch(const ResourceInfo& r, const std::string& prefix,
                          const std::string& scope) {
  const std::string gv = GroupVersionId(r.group, r.version);
  const std::string ns = r.namespaced ? "/namespaces/{namespace}" : "";
  const std::string event = "io.k8s.apimachinery.pkg.apis.meta.v1.WatchEvent";
  const std::string list_path = prefix + "/watch" + ns + "/" + r.resource;
  AddOp(r, list_path,
        {"get", "watchlist", "watch" + gv + scope + r.kind + "List",
         "watch individual changes to a list of " + r.kind},
        ListParams(), event);
  paths_[list_path]["parameters"] = PathParams(r, false);
  AddOp(r, list_path + "/{name}",
        {"get", "watch", "watch" + gv + scope + r.kind,
         "watch changes to an object of kind " + r.kind},
        ListParams(), event);
  paths_[list_path + "/{name}"]["parameters"] = PathParams(r, true);
  if (!r.namespaced) return;
  ResourceInfo cluster = r;
  cluster.namespaced = false;
  const std::string all = prefix + "/" + r.resource;
  AddOp(r, all,
        {"get", "list", "list" + gv + r.kind + "ForAllNamespaces",
         "list or watch objects of kind " + r.kind},
        ListParams(), r.schema_name + "List");
  paths_[all]["parameters"] = PathParams(cluster, false);
  const std::string watch_all = prefix + "/watch/" + r.resource;
  AddOp(r, watch_all,
        {"get", "watchlist", "watch" + gv + r.kind + "ListForAllNamespaces",
         "watch individual changes to a list of " + r.kind},
        ListParams(), event);
  paths_[watch_all]["parameters"] = PathParams(cluster, false);
}

void DocBuilder::AddResource(const ResourceInfo& r) {
  const std::string prefix =
      r.group.empty() ? "/api/" + r.version : "/apis/" + r.GroupVersion();
  const std::string base =
      prefix + (r.namespaced ? "/namespaces/{namespace}" : "");
  AddCollection(r, base);
  AddItem(r, base);
  for (const SubresourceInfo& sub : r.subresources) {
    AddSubresource(r, base, sub);
  }
  if (Has(r.verbs, "watch")) {
    AddWatch(r, prefix, r.namespaced ? "Namespaced" : "");
  }
}

void CollectRefs(const Json& j, std::vector<std::string>& out) {
  if (j.is_object()) {
    if (auto ref = j.find("$ref"); ref != j.end() && ref->is_string()) {
      out.push_back(ref->get<std::string>().substr(kRefPrefix.size()));
    }
    for (const auto& [k, v] : j.items()) CollectRefs(v, out);
  } else if (j.is_array()) {
    for (const Json& v : j) CollectRefs(v, out);
  }
}

Json DocBuilder::Finish(const SchemaRegistry& reg) {
  Json schemas = Json::object();
  std::vector<std::string> todo(used_.begin(), used_.end());
  while (!todo.empty()) {
    std::string name = std::move(todo.back());
    todo.pop_back();
    const Json* s = reg.ByName(name);
    if (s == nullptr || schemas.contains(name)) continue;
    schemas[name] = *s;
    CollectRefs(*s, todo);
  }
  return {{"openapi", "3.0.0"},
          {"info", {{"title", "Kubernetes"}, {"version", kKubeVersion}}},
          {"paths", std::move(paths_)},
          {"components", {{"schemas", std::move(schemas)}}}};
}

std::string Upper(std::string s) {
  for (char& c : s) c = static_cast<char>(std::toupper(c));
  return s;
}

OpenApiDocument MakeDocument(std::string body, std::string content_type) {
  std::string hash = Upper(base::Sha256Hex(body));
  return {std::move(body), std::move(content_type), "\"" + hash + "\""};
}

struct Documents {
  OpenApiDocument root;
  std::map<std::string, OpenApiDocument, std::less<>> by_path;
};

Documents Build() {
  Documents docs;
  Json root_paths = Json::object();
  for (const std::string& gv : AllGroupVersions()) {
    size_t slash = gv.find('/');
    std::string group = slash == std::string::npos ? "" : gv.substr(0, slash);
    std::string version = gv.substr(slash == std::string::npos ? 0 : slash + 1);
    DocBuilder builder(group, version);
    for (const ResourceInfo& r : AllResources()) {
      if (r.GroupVersion() == gv) builder.AddResource(r);
    }
    OpenApiDocument doc = MakeDocument(
        builder.Finish(SchemaRegistry::Default()).dump(), "application/json");
    std::string path = group.empty() ? "api/" + gv : "apis/" + gv;
    std::string hash = doc.etag.substr(1, doc.etag.size() - 2);
    root_paths[path] = {
        {"serverRelativeURL", "/openapi/v3/" + path + "?hash=" + hash}};
    docs.by_path.emplace(path, std::move(doc));
  }
  docs.root =
      MakeDocument(Json{{"paths", root_paths}}.dump(), "application/json");
  return docs;
}

const Documents& Docs() {
  static const Documents* const kDocs = new Documents(Build());
  return *kDocs;
}

}  // namespace

const OpenApiDocument& OpenApiV3Root() { return Docs().root; }

std::optional<OpenApiDocument> OpenApiV3ForPath(std::string_view gv_path) {
  while (!gv_path.empty() && gv_path.back() == '/') gv_path.remove_suffix(1);
  auto it = Docs().by_path.find(gv_path);
  if (it == Docs().by_path.end()) return std::nullopt;
  return it->second;
}

const OpenApiDocument& OpenApiV2Protobuf() {
  // An empty body is a valid, empty openapi_v2.Document: kubectl then finds
  // no v2 schema for any kind, skips client-side validation and computes
  // apply patches from the v3 documents or its built-in types.
  static const OpenApiDocument* const kDoc = new OpenApiDocument(MakeDocument(
      "", "application/com.github.proto-openapi.spec.v2.v1.0+protobuf"));
  return *kDoc;
}

}  // namespace ksim::apiserver
