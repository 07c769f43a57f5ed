// Registry: subresources (scale, binding) and patch media types.
#include "apiserver/api_errors.h"
#include "apiserver/field_errors.h"
#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "apiserver/registry_internal.h"
#include "apiserver/selector.h"

namespace ksim::apiserver {

base::StatusOr<PatchKind> ParsePatchKind(std::string_view content_type) {
  std::string_view ct = content_type.substr(0, content_type.find(';'));
  while (!ct.empty() && ct.back() == ' ') ct.remove_suffix(1);
  if (ct == "application/json-patch+json") return PatchKind::kJson;
  if (ct == "application/merge-patch+json") return PatchKind::kMerge;
  if (ct == "application/strategic-merge-patch+json") {
    return PatchKind::kStrategic;
  }
  if (ct == "application/apply-patch+yaml") return PatchKind::kApply;
  return base::Status(
      base::Code::kUnsupportedMediaType,
      "the body of the request was in an unknown format - accepted media "
      "types include: application/json-patch+json, "
      "application/merge-patch+json, application/apply-patch+yaml, "
      "application/strategic-merge-patch+json");
}

base::Json ToScale(const ResourceInfo& r, const base::Json& obj) {
  const base::Json& m = obj["metadata"];
  base::Json meta = base::Json::object();
  for (const char* k : {"name", "namespace", "uid", "resourceVersion",
                        "creationTimestamp"}) {
    if (m.contains(k)) meta[k] = m[k];
  }
  std::string selector;
  if (const base::Json* sel = base::Find(obj, {"spec", "selector"})) {
    auto parsed = LabelSelector::FromJson(*sel);
    if (parsed.ok()) selector = parsed->String();
  }
  base::Json status = {{"replicas", base::GetInt(obj, {"status", "replicas"})}};
  if (!selector.empty()) status["selector"] = selector;
  return {{"kind", "Scale"},
          {"apiVersion", "autoscaling/v1"},
          {"metadata", meta},
          {"spec", {{"replicas", base::GetInt(obj, {"spec", "replicas"}, 1)}}},
          {"status", status}};
}

base::StatusOr<base::Json> ApplyScale(const ResourceInfo& r,
                                      const base::Json& obj,
                                      const base::Json& scale) {
  const base::Json* replicas = base::Find(scale, {"spec", "replicas"});
  int64_t n = replicas && replicas->is_number_integer()
                  ? replicas->get<int64_t>()
                  : 0;
  if (n < 0) {
    return ToInvalidStatus("autoscaling", "Scale",
                           base::GetString(obj, {"metadata", "name"}),
                           {Invalid("spec.replicas", n,
                                    "must be greater than or equal to 0")});
  }
  base::Json out = obj;
  out["spec"]["replicas"] = n;
  std::string rv = base::GetString(scale, {"metadata", "resourceVersion"});
  if (!rv.empty()) {
    out["metadata"]["resourceVersion"] = rv;
  } else {
    out["metadata"].erase("resourceVersion");
  }
  return out;
}

StatusOr<WriteResult> Registry::Bind(const Target& t, std::string_view body,
                                     const WriteOptions& o) {
  std::vector<std::string> warnings;
  KSIM_ASSIGN_OR_RETURN(Json binding, DecodeBody(t, body, o, &warnings));
  std::string node = base::GetString(binding, {"target", "name"});
  if (node.empty()) {
    return ToInvalidStatus("", "Binding", t.name,
                           {Required("target.name")});
  }
  Target pod = t;  // subresource "binding": see UpdateObject
  WriteOptions wo = o;
  auto result = UpdateObject(
      pod, wo,
      [&](const Json& cur) -> StatusOr<Json> {
        std::string existing = base::GetString(cur, {"spec", "nodeName"});
        if (!existing.empty()) {
          return NewConflict(*t.resource, t.name,
                             "pod " + t.name + " is already assigned to node "
                             "\"" + existing + "\"");
        }
        if (cur["metadata"].contains("deletionTimestamp")) {
          return NewConflict(*t.resource, t.name,
                             "pod " + t.name + " is being deleted, cannot be "
                             "assigned to a host");
        }
        Json out = cur;
        out["spec"]["nodeName"] = node;
        out["metadata"].erase("resourceVersion");
        return out;
      },
      {}, false);
  if (!result.ok()) return result.status();
  WriteResult created;
  created.http_code = 201;
  created.body = base::Json({{"kind", "Status"},
                             {"apiVersion", "v1"},
                             {"metadata", base::Json::object()},
                             {"status", "Success"},
                             {"code", 201}})
                     .dump();
  return created;
}

}  // namespace ksim::apiserver
