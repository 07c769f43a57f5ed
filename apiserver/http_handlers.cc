// HTTP front: resource URLs -> Registry calls, and encoding of the answers.
#include <vector>

#include "apiserver/api_errors.h"
#include "apiserver/field_errors.h"
#include "apiserver/http_internal.h"
#include "apiserver/object_codec.h"
#include "apiserver/protobuf.h"
#include "apiserver/resource_path.h"

namespace ksim::apiserver {
namespace {

const base::Status kMethodNotAllowed(
    base::Code::kMethodNotAllowed,
    "the server does not allow this method on the requested resource",
    base::Details{});

const base::Status kNotFoundPath(base::Code::kNotFound,
                                 "the server could not find the requested "
                                 "resource",
                                 base::Details{});

// Parses /api/v1/... or /apis/<g>/<v>/... into a Target; `watch` is set for
// the legacy /watch/ prefix.
bool ParseTarget(const std::string& path, Target* t, bool* watch) {
  ResourcePath r;
  if (!ParseResourcePath(path, &r) || r.rest > 2) return false;
  if (r.watch) *watch = true;
  t->resource = r.resource;
  t->ns = std::string(r.ns);
  t->name = std::string(r.name);
  t->subresource = std::string(r.subresource);
  return t->subresource.empty() || t->resource->HasSubresource(t->subresource);
}

base::StatusOr<ListQuery> ParseListQuery(const httplib::Request& req) {
  ListQuery q;
  KSIM_ASSIGN_OR_RETURN(q.labels,
                        LabelSelector::Parse(Param(req, "labelSelector")));
  KSIM_ASSIGN_OR_RETURN(q.fields,
                        FieldSelector::Parse(Param(req, "fieldSelector")));
  std::string limit = Param(req, "limit");
  if (!limit.empty()) q.limit = std::atoll(limit.c_str());
  q.continue_token = Param(req, "continue");
  q.resource_version = Param(req, "resourceVersion");
  q.resource_version_match = Param(req, "resourceVersionMatch");
  return q;
}

base::StatusOr<WriteOptions> ParseWriteOptions(const httplib::Request& req,
                                               bool patch) {
  WriteOptions o;
  std::string dry = Param(req, "dryRun");
  if (!dry.empty()) {
    if (dry != "All") {
      return base::BadRequest("Invalid dry run value: " + dry);
    }
    o.dry_run = true;
  }
  o.field_manager = Param(req, "fieldManager");
  if (o.field_manager.empty()) {
    // kube-apiserver names an anonymous manager after the User-Agent.
    std::string ua = req.get_header_value("User-Agent");
    o.field_manager = ua.substr(0, ua.find('/'));
  }
  std::string fv = Param(req, "fieldValidation");
  if (fv == "Strict") {
    o.validation = FieldValidation::kStrict;
  } else if (fv == "Ignore") {
    o.validation = FieldValidation::kIgnore;
  } else if (fv == "Warn" || fv.empty()) {
    o.validation = FieldValidation::kWarn;
  } else {
    const char* kind = patch                 ? "PatchOptions"
                       : req.method == "PUT" ? "UpdateOptions"
                                             : "CreateOptions";
    return ToInvalidStatus("meta.k8s.io", kind, "",
                           {NotSupported("fieldValidation", fv,
                                         {"", "Ignore", "Strict", "Warn"})});
  }
  std::string force = Param(req, "force");
  o.force = force == "true" || force == "1";
  if (!force.empty() && !patch) {
    return base::BadRequest("force is only allowed for apply patches");
  }
  return o;
}

base::StatusOr<DeleteOptions> ParseDeleteOptions(const httplib::Request& req) {
  DeleteOptions o;
  if (!req.body.empty()) {
    auto body = base::ParseJson(req.body);
    if (!body.ok() || !body->is_object()) {
      return base::BadRequest("couldn't get version/kind; json parse error: " +
                              body.status().message());
    }
    const base::Json& b = *body;
    if (b.contains("gracePeriodSeconds") &&
        b["gracePeriodSeconds"].is_number_integer()) {
      o.grace_period_seconds = b["gracePeriodSeconds"].get<int64_t>();
    }
    o.propagation_policy = b.value("propagationPolicy", "");
    if (b.value("orphanDependents", false)) o.propagation_policy = "Orphan";
    if (const base::Json* pre = base::Find(b, {"preconditions"})) {
      if (pre->contains("uid") && (*pre)["uid"].is_string()) {
        o.precondition_uid = (*pre)["uid"].get<std::string>();
      }
      if (pre->contains("resourceVersion") &&
          (*pre)["resourceVersion"].is_string()) {
        o.precondition_resource_version =
            (*pre)["resourceVersion"].get<std::string>();
      }
    }
    if (b.contains("dryRun") && b["dryRun"].is_array() &&
        !b["dryRun"].empty()) {
      o.dry_run = true;
    }
  }
  std::string grace = Param(req, "gracePeriodSeconds");
  if (!grace.empty()) o.grace_period_seconds = std::atoll(grace.c_str());
  std::string pp = Param(req, "propagationPolicy");
  if (!pp.empty()) o.propagation_policy = pp;
  if (Param(req, "dryRun") == "All") o.dry_run = true;
  const std::string& p = o.propagation_policy;
  if (!p.empty() && p != "Orphan" && p != "Background" && p != "Foreground") {
    return base::BadRequest(
        "DeleteOptions.meta.k8s.io \"\" is invalid: "
        "propagationPolicy: Unsupported value: \"" +
        p +
        "\": supported values: \"Foreground\", "
        "\"Background\", \"Orphan\", \"nil\"");
  }
  return o;
}

std::string ListMetaJson(const ListPage& page) {
  base::Json meta = {{"resourceVersion", std::to_string(page.revision)}};
  if (!page.continue_token.empty()) meta["continue"] = page.continue_token;
  if (page.remaining && *page.remaining > 0) {
    meta["remainingItemCount"] = *page.remaining;
  }
  return meta.dump();
}

void RespondList(const HttpContext& ctx, const Target& t, const ListPage& page,
                 const httplib::Request& req, httplib::Response& res) {
  Negotiated n = Negotiate(req);
  if (n.table) {
    std::vector<base::Json> objs;
    objs.reserve(page.items.size());
    for (const auto& item : page.items) {
      auto j = DecodeObject(item);
      if (j.ok()) objs.push_back(std::move(j).value());
    }
    base::Json meta = base::Json::parse(ListMetaJson(page));
    WriteBody(req, res, 200,
              BuildTable(*t.resource, objs, meta, ctx.clock->Now(), n.include)
                  .dump());
    return;
  }
  std::string body = "{\"kind\":\"" + t.resource->ListKind() +
                     "\",\"apiVersion\":\"" + t.resource->GroupVersion() +
                     "\",\"metadata\":" + ListMetaJson(page) + ",\"items\":[";
  for (size_t i = 0; i < page.items.size(); ++i) {
    if (i) body += ',';
    body +=
        WithResourceVersion(*page.items[i].value, page.items[i].mod_revision);
  }
  body += "]}";
  WriteBody(req, res, 200, std::move(body));
}

void RespondObject(const HttpContext& ctx, const Target& t, int code,
                   std::string body, const httplib::Request& req,
                   httplib::Response& res) {
  Negotiated n = Negotiate(req);
  if (n.table && t.subresource.empty()) {
    auto j = base::ParseJson(body);
    if (j.ok() && j->value("kind", "") == t.resource->kind) {
      base::Json meta = {
          {"resourceVersion",
           base::GetString(*j, {"metadata", "resourceVersion"})}};
      body = BuildTable(*t.resource, {*j}, meta, ctx.clock->Now(), n.include)
                 .dump();
    }
  }
  WriteBody(req, res, code, std::move(body));
}

void Answer(const HttpContext& ctx, const Target& t,
            const base::StatusOr<WriteResult>& r, const httplib::Request& req,
            httplib::Response& res) {
  if (!r.ok()) {
    WriteStatus(req, res, r.status());
    return;
  }
  AddWarnings(res, r->warnings);
  RespondObject(ctx, t, r->http_code, r->body, req, res);
}

void HandleGet(const HttpContext& ctx, const Target& t, bool watch,
               const httplib::Request& req, httplib::Response& res) {
  watch = watch || BoolParam(req, "watch");
  if (t.subresource == "log") {
    ServePodLog(ctx, t, req, res);
    return;
  }
  if (t.name.empty() || watch) {
    auto q = ParseListQuery(req);
    if (!q.ok()) return WriteStatus(req, res, q.status());
    if (watch) return ServeWatch(ctx, t, *q, req, res);
    auto page = ctx.registry->List(t, *q);
    if (!page.ok()) return WriteStatus(req, res, page.status());
    return RespondList(ctx, t, *page, req, res);
  }
  auto got = ctx.registry->Get(t);
  if (!got.ok()) return WriteStatus(req, res, got.status());
  RespondObject(ctx, t, 200, std::move(got).value(), req, res);
}

}  // namespace

void HandleResource(const HttpContext& ctx, const std::string& method,
                    const httplib::Request& req, httplib::Response& res) {
  Target t;
  bool watch = false;
  if (!ParseTarget(req.path, &t, &watch)) {
    return WriteStatus(req, res, kNotFoundPath);
  }
  // Only reads may span namespaces (GET /api/v1/pods).
  if (t.resource->namespaced && t.ns.empty() && method != "GET") {
    return WriteStatus(req, res, kNotFoundPath);
  }
  if (method == "GET") return HandleGet(ctx, t, watch, req, res);
  const bool is_patch = method == "PATCH";
  if (method == "DELETE") {
    auto o = ParseDeleteOptions(req);
    if (!o.ok()) return WriteStatus(req, res, o.status());
    if (t.name.empty()) {
      auto q = ParseListQuery(req);
      if (!q.ok()) return WriteStatus(req, res, q.status());
      return Answer(ctx, t, ctx.registry->DeleteCollection(t, *q, *o), req,
                    res);
    }
    if (!t.subresource.empty()) {
      return WriteStatus(req, res,
                         NewMethodNotSupported(*t.resource, "delete"));
    }
    return Answer(ctx, t, ctx.registry->Delete(t, *o), req, res);
  }
  // kubectl 1.32+ sends its generators' objects as protobuf; they are
  // decoded to JSON here and follow the JSON path from then on.
  std::string body_json;
  const std::string* body = &req.body;
  if (!is_patch) {
    std::string ct = req.get_header_value("Content-Type");
    ct = ct.substr(0, ct.find(';'));
    if (ct == kProtobufContentType) {
      auto decoded = DecodeKubeProtobuf(req.body);
      if (!decoded.ok()) return WriteStatus(req, res, decoded.status());
      body_json = decoded->dump();
      body = &body_json;
    } else if (!ct.empty() && ct != "application/json" && ct != "*/*") {
      return WriteStatus(
          req, res,
          base::Status(base::Code::kUnsupportedMediaType,
                       "the body of the request was in an unknown format - "
                       "accepted media types include: application/json, "
                       "application/yaml"));
    }
  }
  auto o = ParseWriteOptions(req, is_patch);
  if (!o.ok()) return WriteStatus(req, res, o.status());
  if (method == "POST") {
    if (t.subresource == "binding") {
      return Answer(ctx, t, ctx.registry->Bind(t, *body, *o), req, res);
    }
    if (!t.name.empty()) return WriteStatus(req, res, kMethodNotAllowed);
    return Answer(ctx, t, ctx.registry->Create(t, *body, *o), req, res);
  }
  if (t.name.empty()) return WriteStatus(req, res, kMethodNotAllowed);
  if (t.subresource == "log" || t.subresource == "binding" ||
      t.subresource == "finalize") {
    return WriteStatus(
        req, res,
        NewMethodNotSupported(*t.resource, is_patch ? "patch" : "update"));
  }
  if (method == "PUT") {
    return Answer(ctx, t, ctx.registry->Update(t, *body, *o), req, res);
  }
  if (is_patch) {
    return Answer(ctx, t,
                  ctx.registry->Patch(t, req.get_header_value("Content-Type"),
                                      req.body, *o),
                  req, res);
  }
  WriteStatus(req, res, kNotFoundPath);
}

}  // namespace ksim::apiserver
