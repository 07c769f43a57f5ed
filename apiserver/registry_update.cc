// Registry: the update pipeline shared by PUT, PATCH and server-side apply.
#include "apiserver/api_errors.h"
#include "apiserver/apply.h"
#include "apiserver/object_codec.h"
#include "apiserver/patch.h"
#include "apiserver/registry.h"
#include "apiserver/registry_internal.h"
#include "apiserver/strategy.h"
#include "base/yaml_json.h"

namespace ksim::apiserver {
namespace {

// Unpinned writes retry on conflicts this many times (GuaranteedUpdate
// retries without bound; a bound keeps a hot key from starving a request).
constexpr int kMaxAttempts = 256;

Json WithoutVolatile(Json obj) {
  if (auto m = obj.find("metadata"); m != obj.end() && m->is_object()) {
    m->erase("resourceVersion");
    m->erase("managedFields");
  }
  return obj;
}

// BeforeUpdate: metadata the server owns comes from the stored object.
void KeepServerMetadata(const Json& old, Json& obj) {
  Json& meta = obj["metadata"];
  const Json& om = old["metadata"];
  for (const char* key : {"uid", "creationTimestamp", "deletionTimestamp",
                          "deletionGracePeriodSeconds", "generation"}) {
    if (om.contains(key)) {
      if (std::string(key) == "uid" && meta.contains(key)) continue;
      meta[key] = om[key];
    } else {
      meta.erase(key);
    }
  }
  if (!meta.contains("uid") && om.contains("uid")) meta["uid"] = om["uid"];
}

// Writes through the scale subresource answer with the Scale view.
StatusOr<WriteResult> AsScale(const ResourceInfo& r,
                              StatusOr<WriteResult> result) {
  if (!result.ok()) return result;
  auto obj = base::ParseJson(result->body);
  if (!obj.ok()) return obj.status();
  result->body = ToScale(r, *obj).dump();
  return result;
}

}  // namespace

StatusOr<WriteResult> Registry::UpdateObject(
    const Target& t, const WriteOptions& o,
    const std::function<StatusOr<Json>(const Json& current)>& mutate,
    std::vector<std::string> warnings, bool create_if_missing) {
  const ResourceInfo& r = *t.resource;
  const std::string key = ObjectKey(r, t.ns, t.name);
  const Strategy& strategy = StrategyFor(r);
  for (int attempt = 0; attempt < kMaxAttempts; ++attempt) {
    auto cur = store_->Get(key);
    if (!cur.ok()) {
      if (!create_if_missing) return NewNotFound(r, t.name);
      KSIM_ASSIGN_OR_RETURN(Json fresh, mutate(Json()));
      return CreateObject(t, std::move(fresh), o, std::move(warnings));
    }
    KSIM_ASSIGN_OR_RETURN(Json old, DecodeObject(*cur));
    KSIM_ASSIGN_OR_RETURN(Json obj, mutate(old));
    if (!obj.is_object()) return base::BadRequest("the object is not a map");
    if (!obj.contains("metadata") || !obj["metadata"].is_object()) {
      obj["metadata"] = Json::object();
    }
    Json& meta = obj["metadata"];
    std::string pinned = meta.value("resourceVersion", "");
    if (!pinned.empty() && pinned != std::to_string(cur->mod_revision)) {
      return NewStaleConflict(r, t.name);
    }
    if (meta.value("name", t.name) != t.name) {
      return base::BadRequest(
          "the name of the object (" + meta.value("name", "") +
          ") does not match the name on the URL (" + t.name + ")");
    }
    meta["name"] = t.name;
    if (r.namespaced) {
      if (meta.value("namespace", t.ns) != t.ns) {
        return base::BadRequest(
            "the namespace of the provided object does not match the "
            "namespace sent on the request");
      }
      meta["namespace"] = t.ns;
    }
    KeepServerMetadata(old, obj);
    FieldErrors errs;
    if (t.subresource == "status") {
      strategy.PrepareForStatusUpdate(obj, old);
      errs = strategy.ValidateStatusUpdate(obj, old);
    } else if (t.subresource == "binding") {
      // kube's BindingREST assigns the node with a plain storage update:
      // no strategy, no managedFields entry (Bind checked the pod).
    } else {
      strategy.Default(obj);
      if (r.resource == "services") {
        KSIM_RETURN_IF_ERROR(service_ips_.Allocate(&old, obj));
      }
      strategy.PrepareForUpdate(obj, old);
      errs = strategy.ValidateUpdate(obj, old);
    }
    if (!errs.empty()) {
      if (r.resource == "services") service_ips_.Release(obj, &old);
      return ToInvalidStatus(r.group, r.kind, t.name, errs);
    }
    WriteResult result;
    result.warnings = warnings;
    if (WithoutVolatile(obj) == WithoutVolatile(old)) {
      // A no-op write is not stored: same object, same resourceVersion.
      result.body = WithResourceVersion(*cur->value, cur->mod_revision);
      return result;
    }
    if (const Json* schema = schemas_.ByName(r.schema_name);
        schema != nullptr && !o.apply && t.subresource != "binding") {
      UpdateManagedFields(schemas_, *schema, &old, obj,
                          {o.field_manager, "Update", r.GroupVersion(),
                           t.subresource, clock_->Now()});
    }
    if (meta.contains("deletionTimestamp") &&
        (!meta.contains("finalizers") || meta["finalizers"].empty()) &&
        r.resource != "namespaces") {
      // The last finalizer is gone from an object being deleted.
      // The write answers with the object as it was last seen, like
      // kube-apiserver, not with the delete's Status.
      DeleteOptions now;
      now.dry_run = o.dry_run;
      KSIM_ASSIGN_OR_RETURN(WriteResult deleted,
                            FinishDelete(t, *cur, obj, now));
      deleted.body =
          WithResourceVersion(EncodeForStorage(obj), cur->mod_revision);
      deleted.warnings = result.warnings;
      return deleted;
    }
    if (o.dry_run) {
      result.body = EncodeForStorage(obj);
      return result;
    }
    auto updated = store_->Update(key, EncodeForStorage(obj),
                                  AttributesOf(r, obj), cur->mod_revision);
    if (!updated.ok()) {
      if (r.resource == "services") service_ips_.Release(obj, &old);
      if (updated.status().code() == base::Code::kConflict) {
        if (!pinned.empty()) return NewStaleConflict(r, t.name);
        continue;  // someone else wrote in between: recompute from theirs
      }
      if (updated.status().code() == base::Code::kNotFound) {
        return NewNotFound(r, t.name);
      }
      return updated.status();
    }
    if (r.resource == "services") service_ips_.Release(old, &obj);
    result.body = WithResourceVersion(*updated->value, updated->mod_revision);
    return result;
  }
  return NewStaleConflict(r, t.name);
}

StatusOr<WriteResult> Registry::Update(const Target& t, std::string_view body,
                                       const WriteOptions& o) {
  std::vector<std::string> warnings;
  KSIM_ASSIGN_OR_RETURN(Json desired, DecodeBody(t, body, o, &warnings));
  if (t.subresource == "scale") {
    return AsScale(*t.resource, UpdateObject(
                                    t, o,
                                    [&](const Json& cur) -> StatusOr<Json> {
                                      return ApplyScale(*t.resource, cur,
                                                        desired);
                                    },
                                    std::move(warnings), false));
  }
  return UpdateObject(
      t, o, [&](const Json&) -> StatusOr<Json> { return desired; },
      std::move(warnings), /*create_if_missing=*/false);
}

StatusOr<WriteResult> Registry::Patch(const Target& t,
                                      std::string_view content_type,
                                      std::string_view body,
                                      const WriteOptions& o) {
  KSIM_ASSIGN_OR_RETURN(PatchKind kind, ParsePatchKind(content_type));
  Json patch;
  if (kind == PatchKind::kApply) {
    KSIM_ASSIGN_OR_RETURN(patch, base::ParseYaml(body));
  } else {
    auto parsed = base::ParseJson(body);
    if (!parsed.ok()) {
      return base::BadRequest("error decoding patch: " +
                              parsed.status().message());
    }
    patch = std::move(parsed).value();
  }
  // A patch is optimistic only when it names a resourceVersion itself; the
  // one the patched object inherits from the current version must not pin
  // it, or a write landing between read and write would be a 409 instead
  // of a retry on the newer version (kube's patcher re-applies the patch).
  bool pins = false;
  if (kind == PatchKind::kJson) {
    for (const Json& op : patch.is_array() ? patch : Json::array()) {
      pins |=
          op.is_object() && op.value("path", "") == "/metadata/resourceVersion";
    }
  } else {
    const Json* rv = base::Find(patch, {"metadata", "resourceVersion"});
    pins = rv != nullptr && !rv->is_null();
  }
  const Json* schema = schemas_.ByName(t.resource->schema_name);
  static const Json kAnything = Json::object();
  const Json& s = schema ? *schema : kAnything;
  std::vector<std::string> warnings;
  auto mutate = [&](const Json& cur) -> StatusOr<Json> {
    const bool scale = t.subresource == "scale";
    Json base_obj = scale ? ToScale(*t.resource, cur) : cur;
    Json patched;
    switch (kind) {
      case PatchKind::kJson: {
        KSIM_ASSIGN_OR_RETURN(patched, ApplyJsonPatch(base_obj, patch));
        break;
      }
      case PatchKind::kMerge: {
        KSIM_ASSIGN_OR_RETURN(patched, ApplyMergePatch(base_obj, patch));
        break;
      }
      case PatchKind::kStrategic: {
        const Json* ss =
            scale ? schemas_.ForKind("autoscaling", "v1", "Scale") : &s;
        KSIM_ASSIGN_OR_RETURN(
            patched,
            ApplyStrategicMergePatch(schemas_, ss ? *ss : s, base_obj, patch));
        break;
      }
      case PatchKind::kApply: {
        ManagerInfo who{o.field_manager, "Apply", t.resource->GroupVersion(),
                        t.subresource, clock_->Now()};
        KSIM_ASSIGN_OR_RETURN(
            patched,
            ServerSideApply(schemas_, s, cur.is_null() ? nullptr : &cur, patch,
                            who, o.force));
        break;
      }
    }
    // The patched object is decoded like a body: unknown fields and types.
    std::vector<std::string> w;
    KSIM_ASSIGN_OR_RETURN(Json decoded,
                          DecodeParsed(t, std::move(patched), "", o, &w));
    warnings = std::move(w);
    if (scale) {
      KSIM_ASSIGN_OR_RETURN(decoded, ApplyScale(*t.resource, cur, decoded));
    }
    if (!pins && decoded.is_object()) {
      if (auto m = decoded.find("metadata");
          m != decoded.end() && m->is_object()) {
        m->erase("resourceVersion");
      }
    }
    return decoded;
  };
  // Patches apply to the latest version and retry on conflicts, unless the
  // patch itself pins metadata.resourceVersion.
  WriteOptions po = o;
  po.apply = kind == PatchKind::kApply;
  auto result = UpdateObject(t, po, mutate, {}, po.apply);
  if (result.ok()) result->warnings = std::move(warnings);
  if (t.subresource == "scale") return AsScale(*t.resource, std::move(result));
  return result;
}

}  // namespace ksim::apiserver
