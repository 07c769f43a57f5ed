#include "apiserver/openapi.h"

#include <catch2/catch.hpp>
#include <set>

#include "apiserver/resources.h"
#include "apiserver/schema.h"
#include "base/encoding.h"
#include "base/json.h"

namespace ksim::apiserver {
namespace {

using base::Json;

std::string GvPath(const std::string& gv) {
  return gv.find('/') == std::string::npos ? "api/" + gv : "apis/" + gv;
}

Json GvDoc(const std::string& gv) {
  auto doc = OpenApiV3ForPath(GvPath(gv));
  REQUIRE(doc.has_value());
  CHECK(doc->content_type == "application/json");
  return Json::parse(doc->body);
}

bool Matches(const Json& gvk, const std::string& group,
             const std::string& version, const std::string& kind) {
  return gvk.value("group", "-") == group &&
         gvk.value("version", "-") == version && gvk.value("kind", "-") == kind;
}

bool HasQueryParam(const Json& op, std::string_view name) {
  for (const Json& p : op.value("parameters", Json::array())) {
    if (p.value("name", "") == name && p.value("in", "") == "query") {
      return true;
    }
  }
  return false;
}

TEST_CASE("the root lists every served group-version with its hash",
          "[openapi]") {
  const OpenApiDocument& root = OpenApiV3Root();
  CHECK(root.content_type == "application/json");
  Json paths = Json::parse(root.body).at("paths");
  CHECK(paths.size() == AllGroupVersions().size());
  for (const std::string& gv : AllGroupVersions()) {
    INFO(gv);
    std::string path = GvPath(gv);
    REQUIRE(paths.contains(path));
    std::string url = paths[path].at("serverRelativeURL");
    auto doc = OpenApiV3ForPath(path);
    REQUIRE(doc.has_value());
    std::string hash = base::Sha256Hex(doc->body);
    for (char& c : hash) c = static_cast<char>(std::toupper(c));
    CHECK(url == "/openapi/v3/" + path + "?hash=" + hash);
    CHECK(doc->etag == "\"" + hash + "\"");
  }
  CHECK(root.etag.size() == 66);
  CHECK(&OpenApiV3Root() == &root);  // computed once
}

TEST_CASE("unknown group-versions have no document", "[openapi]") {
  CHECK_FALSE(OpenApiV3ForPath("apis/batch/v1").has_value());
  CHECK_FALSE(OpenApiV3ForPath("api/v2").has_value());
  CHECK_FALSE(OpenApiV3ForPath("").has_value());
  CHECK(OpenApiV3ForPath("apis/apps/v1/").has_value());
}

TEST_CASE("every PATCH operation carries fieldValidation", "[openapi]") {
  for (const std::string& gv : AllGroupVersions()) {
    Json doc = GvDoc(gv);
    CHECK(doc["openapi"] == "3.0.0");
    CHECK(doc["info"]["title"] == "Kubernetes");
    int patches = 0;
    for (const auto& [path, item] : doc["paths"].items()) {
      INFO(path);
      for (const char* method : {"patch", "put", "post"}) {
        if (!item.contains(method)) continue;
        const Json& op = item[method];
        CHECK(HasQueryParam(op, "fieldValidation"));
        CHECK(HasQueryParam(op, "fieldManager"));
        CHECK(HasQueryParam(op, "dryRun"));
        if (std::string(method) == "patch") {
          ++patches;
          CHECK(HasQueryParam(op, "force"));
          CHECK(op["requestBody"]["content"].contains(
              "application/strategic-merge-patch+json"));
        }
      }
    }
    CHECK(patches > 0);
  }
}

TEST_CASE("each served kind has a PATCH operation that kubectl can find",
          "[openapi]") {
  for (const ResourceInfo& r : AllResources()) {
    INFO(r.GroupVersion() << " " << r.kind);
    Json doc = GvDoc(r.GroupVersion());
    std::string prefix =
        r.group.empty() ? "/api/v1" : "/apis/" + r.GroupVersion();
    std::string item = prefix +
                       (r.namespaced ? "/namespaces/{namespace}/" : "/") +
                       r.resource + "/{name}";
    REQUIRE(doc["paths"].contains(item));
    const Json& patch = doc["paths"][item].at("patch");
    CHECK(Matches(patch["x-kubernetes-group-version-kind"], r.group, r.version,
                  r.kind));
    CHECK(patch["x-kubernetes-action"] == "patch");
    CHECK(HasQueryParam(patch, "fieldValidation"));
    // The kind's component comes with the document, tagged with its GVK.
    const Json& schemas = doc["components"]["schemas"];
    REQUIRE(schemas.contains(r.schema_name));
    bool tagged = false;
    for (const Json& gvk :
         schemas[r.schema_name]["x-kubernetes-group-version-kind"]) {
      tagged = tagged || Matches(gvk, r.group, r.version, r.kind);
    }
    CHECK(tagged);
    CHECK(schemas.contains(r.schema_name + "List"));
  }
}

TEST_CASE("paths, actions and subresources follow kube-apiserver",
          "[openapi]") {
  Json core = GvDoc("v1");
  const Json& paths = core["paths"];
  const Json& pods = paths.at("/api/v1/namespaces/{namespace}/pods");
  CHECK(pods["get"]["x-kubernetes-action"] == "list");
  CHECK(pods["get"]["operationId"] == "listCoreV1NamespacedPod");
  CHECK(pods["post"]["x-kubernetes-action"] == "post");
  CHECK(pods["delete"]["x-kubernetes-action"] == "deletecollection");
  CHECK(HasQueryParam(pods["get"], "labelSelector"));
  CHECK(paths.at("/api/v1/pods")["get"]["operationId"] ==
        "listCoreV1PodForAllNamespaces");
  CHECK(paths.at("/api/v1/watch/namespaces/{namespace}/pods/{name}")
            ["get"]["x-kubernetes-action"] == "watch");
  const Json& log = paths.at("/api/v1/namespaces/{namespace}/pods/{name}/log");
  CHECK(HasQueryParam(log["get"], "tailLines"));
  CHECK(log["get"]["responses"]["200"]["content"].contains("text/plain"));
  const Json& binding =
      paths.at("/api/v1/namespaces/{namespace}/pods/{name}/binding");
  CHECK(Matches(binding["post"]["x-kubernetes-group-version-kind"], "", "v1",
                "Binding"));
  CHECK(paths.contains("/api/v1/nodes/{name}/status"));
  CHECK(paths.at("/api/v1/namespaces/{name}/finalize").contains("put"));
  CHECK_FALSE(paths.contains("/api/v1/namespaces/{namespace}/namespaces"));
  // Path-level parameters name the path's variables.
  std::set<std::string> names;
  for (const Json& p :
       paths.at("/api/v1/namespaces/{namespace}/pods/{name}")["parameters"]) {
    names.insert(p["name"].get<std::string>());
    if (p["in"] == "path") CHECK(p["required"] == true);
  }
  CHECK(names == std::set<std::string>{"name", "namespace", "pretty"});

  Json apps = GvDoc("apps/v1");
  const Json& scale = apps["paths"].at(
      "/apis/apps/v1/namespaces/{namespace}/deployments/{name}/scale");
  CHECK(Matches(scale["patch"]["x-kubernetes-group-version-kind"],
                "autoscaling", "v1", "Scale"));
  CHECK(HasQueryParam(scale["patch"], "fieldValidation"));
  CHECK(apps["components"]["schemas"].contains(
      "io.k8s.api.autoscaling.v1.Scale"));
  CHECK_FALSE(
      apps["components"]["schemas"].contains("io.k8s.api.core.v1.Service"));
}

TEST_CASE("components are closed under $ref", "[openapi]") {
  for (const std::string& gv : AllGroupVersions()) {
    Json doc = GvDoc(gv);
    const Json& schemas = doc["components"]["schemas"];
    std::vector<std::string> missing;
    std::function<void(const Json&)> walk = [&](const Json& j) {
      if (j.is_object()) {
        if (j.contains("$ref")) {
          std::string name = j["$ref"].get<std::string>().substr(21);
          if (!schemas.contains(name)) missing.push_back(name);
        }
        for (const auto& [k, v] : j.items()) walk(v);
      } else if (j.is_array()) {
        for (const Json& v : j) walk(v);
      }
    };
    walk(doc);
    INFO(gv);
    CHECK(missing.empty());
    CHECK(schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.Status"));
    CHECK(
        schemas.contains("io.k8s.apimachinery.pkg.apis.meta.v1.DeleteOptions"));
  }
}

TEST_CASE("the v2 document is the empty protobuf", "[openapi]") {
  const OpenApiDocument& v2 = OpenApiV2Protobuf();
  CHECK(v2.body.empty());
  CHECK(v2.content_type ==
        "application/com.github.proto-openapi.spec.v2.v1.0+protobuf");
  CHECK(v2.etag.front() == '"');
  CHECK(v2.etag.back() == '"');
}

}  // namespace
}  // namespace ksim::apiserver
