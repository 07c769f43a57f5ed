// HTTP front: /version, health checks, discovery and OpenAPI documents.
#include "apiserver/discovery.h"
#include "apiserver/http_internal.h"
#include "apiserver/openapi.h"

namespace ksim::apiserver {
namespace {

base::Json VersionInfo(const std::string& kube_version) {
  std::string major = kube_version.substr(0, kube_version.find('.'));
  std::string minor = kube_version.substr(kube_version.find('.') + 1);
  return {{"major", major},
          {"minor", minor},
          {"gitVersion", "v" + kube_version + ".0"},
          {"gitCommit", "0000000000000000000000000000000000000000"},
          {"gitTreeState", "clean"},
          {"buildDate", "2025-01-01T00:00:00Z"},
          {"goVersion", "go1.23.4"},
          {"compiler", "gc"},
          {"platform", "linux/amd64"}};
}

void Health(const HttpContext& ctx, const httplib::Request& req,
            httplib::Response& res, bool needs_ready) {
  bool ok = !needs_ready || (ctx.ready && ctx.ready->load());
  if (ctx.stopping && ctx.stopping->load()) ok = false;
  const std::string name = req.path.substr(1);
  if (req.has_param("verbose")) {
    std::string body = "[+]ping ok\n[+]etcd ok\n";
    body += ok ? name + " check passed\n" : name + " check failed\n";
    WriteBody(req, res, ok ? 200 : 500, body, "text/plain; charset=utf-8");
    return;
  }
  WriteBody(req, res, ok ? 200 : 500, ok ? "ok" : "not ready",
            "text/plain; charset=utf-8");
}

bool ServeOpenApi(const httplib::Request& req, httplib::Response& res) {
  const std::string& p = req.path;
  const OpenApiDocument* doc = nullptr;
  std::optional<OpenApiDocument> gv_doc;
  if (p == "/openapi/v2" || p == "/swagger-2.0.0.pb-v1") {
    doc = &OpenApiV2Protobuf();
  } else if (p == "/openapi/v3" || p == "/openapi/v3/") {
    doc = &OpenApiV3Root();
  } else if (p.rfind("/openapi/v3/", 0) == 0) {
    gv_doc = OpenApiV3ForPath(p.substr(std::string("/openapi/v3/").size()));
    if (gv_doc) doc = &*gv_doc;
  } else {
    return false;
  }
  if (doc == nullptr) {
    WriteBody(req, res, 404, "404 page not found\n",
              "text/plain; charset=utf-8");
    return true;
  }
  if (!doc->etag.empty()) {
    res.set_header("ETag", doc->etag);
    if (req.get_header_value("If-None-Match") == doc->etag) {
      res.status = 304;
      return true;
    }
  }
  // The hashed per-group-version documents are immutable.
  res.set_header("Cache-Control", req.has_param("hash")
                                      ? "public, immutable"
                                      : "no-cache, private");
  WriteBody(req, res, 200, doc->body, doc->content_type.c_str());
  return true;
}

bool ServeDiscovery(const HttpContext& ctx, const httplib::Request& req,
                    httplib::Response& res) {
  const std::string& p = req.path;
  if (p == "/api" || p == "/apis" || p == "/api/" || p == "/apis/") {
    std::string root = p.back() == '/' ? p.substr(0, p.size() - 1) : p;
    DiscoveryResponse d = DiscoveryRoot(root, req.get_header_value("Accept"),
                                        ctx.server_address);
    res.set_header("Vary", "Accept");
    WriteBody(req, res, 200, d.body, d.content_type.c_str());
    return true;
  }
  std::optional<DiscoveryResponse> d;
  if (p == "/api/v1") {
    d = DiscoveryGroupVersion("v1");
  } else if (p.rfind("/apis/", 0) == 0) {
    std::string rest = p.substr(6);
    if (!rest.empty() && rest.back() == '/') rest.pop_back();
    size_t slash = rest.find('/');
    if (slash == std::string::npos) {
      d = DiscoveryGroup(rest);
    } else if (rest.find('/', slash + 1) == std::string::npos) {
      d = DiscoveryGroupVersion(rest);
    } else {
      return false;
    }
  } else {
    return false;
  }
  if (!d) return false;
  WriteBody(req, res, 200, d->body, d->content_type.c_str());
  return true;
}

}  // namespace

bool HandleMeta(const HttpContext& ctx, const httplib::Request& req,
                httplib::Response& res) {
  const std::string& p = req.path;
  if (p == "/version" || p == "/version/") {
    WriteBody(req, res, 200, VersionInfo(ctx.kube_version).dump(2));
    return true;
  }
  if (p == "/healthz" || p == "/livez") {
    Health(ctx, req, res, false);
    return true;
  }
  if (p == "/readyz") {
    Health(ctx, req, res, true);
    return true;
  }
  if (p.rfind("/openapi/", 0) == 0 || p == "/swagger-2.0.0.pb-v1") {
    return ServeOpenApi(req, res);
  }
  return ServeDiscovery(ctx, req, res);
}

}  // namespace ksim::apiserver
