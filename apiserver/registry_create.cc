// Registry: decoding of request bodies and the create path.
#include <algorithm>

#include "apiserver/api_errors.h"
#include "apiserver/apply.h"
#include "apiserver/field_errors.h"
#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "apiserver/strategy.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

// The kind and group-version a request body must carry for a target.
std::pair<std::string, std::string> ExpectedKind(const Target& t) {
  if (t.subresource == "scale") return {"Scale", "autoscaling/v1"};
  if (t.subresource == "binding") return {"Binding", "v1"};
  return {t.resource->kind, t.resource->GroupVersion()};
}

// encoding/json's wording for a syntax error in `body`.
std::string GoJsonSyntaxError(std::string_view body) {
  try {
    (void)Json::parse(body);
  } catch (const Json::parse_error& e) {
    if (e.byte > body.size()) return "unexpected end of JSON input";
    std::string msg = e.what();
    if (msg.find("unexpected end of input") != std::string::npos) {
      return "unexpected end of JSON input";
    }
    char c = e.byte >= 1 ? body[e.byte - 1] : '?';
    return std::string("invalid character '") + c +
           "' looking for beginning of value";
  }
  return "unexpected end of JSON input";
}

std::string GoJsonTypeName(const Json& j) {
  if (j.is_array()) return "array";
  if (j.is_string()) return "string";
  if (j.is_boolean()) return "bool";
  if (j.is_number()) return "number";
  return "null";
}

std::string VersionOf(const std::string& gv) {
  size_t slash = gv.find('/');
  return slash == std::string::npos ? gv : gv.substr(slash + 1);
}

}  // namespace

Registry::Registry(store::Store* store, const base::Clock* clock,
                   base::Rng* rng, ServiceRanges service_ranges)
    : store_(store),
      clock_(clock),
      uid_rng_(rng->Next()),
      ip_rng_(rng->Next()),
      name_seed_(rng->Next()),
      schemas_(SchemaRegistry::Default()),
      service_ips_(store, &ip_rng_, std::move(service_ranges)) {}

std::string Registry::GenerateNameSuffix(const std::string& prefix) {
  std::lock_guard<std::mutex> l(name_mu_);
  std::unique_ptr<base::Rng>& r = name_rngs_[prefix];
  if (!r) {
    // The prefix's SHA-256, mixed into the seed: one stream per prefix.
    uint64_t h =
        std::stoull(base::Sha256Hex(prefix).substr(0, 16), nullptr, 16);
    r = std::make_unique<base::Rng>(name_seed_ ^ h);
  }
  return r->KubeString(5);
}

// kube-apiserver's transformDecodeError: what could not be decoded, and the
// first 30 bytes of the body.
Status Unrecognized(const std::string& kind, std::string_view body,
                    const std::string& why) {
  std::string shown(body.substr(0, 30));
  if (body.size() > 30) shown += " ...";
  return base::BadRequest(
      "the object provided is unrecognized (must be of "
      "type " +
      kind +
      "): couldn't get version/kind; "
      "json parse error: " +
      why + " (" + shown + ")");
}

StatusOr<Json> Registry::DecodeBody(const Target& t, std::string_view body,
                                    const WriteOptions& o,
                                    std::vector<std::string>* warnings) const {
  auto parsed = base::ParseJson(body);
  if (!parsed.ok()) {
    return Unrecognized(ExpectedKind(t).first, body, GoJsonSyntaxError(body));
  }
  return DecodeParsed(t, std::move(parsed).value(), body, o, warnings);
}

StatusOr<Json> Registry::DecodeParsed(
    const Target& t, Json obj, std::string_view body, const WriteOptions& o,
    std::vector<std::string>* warnings) const {
  auto [kind, gv] = ExpectedKind(t);
  auto unrecognized = [&, kind = kind](const std::string& why) {
    // Only error paths need the text: a patched object is serialised here.
    return body.empty() ? Unrecognized(kind, obj.dump(), why)
                        : Unrecognized(kind, body, why);
  };
  if (!obj.is_object()) {
    return unrecognized("json: cannot unmarshal " + GoJsonTypeName(obj) +
                        " into Go value of type struct { APIVersion string "
                        "\"json:\\\"apiVersion,omitempty\\\"\"; Kind string "
                        "\"json:\\\"kind,omitempty\\\"\" }");
  }
  // Missing apiVersion/kind default to the endpoint's, as the decoder does.
  if (!obj.contains("apiVersion") || obj["apiVersion"] == "") {
    obj["apiVersion"] = gv;
  }
  if (!obj.contains("kind") || obj["kind"] == "") obj["kind"] = kind;
  if (!obj["apiVersion"].is_string() || !obj["kind"].is_string()) {
    return unrecognized(
        "json: cannot unmarshal number into Go struct field .apiVersion of "
        "type string");
  }
  const std::string got_gv = obj["apiVersion"];
  const std::string got_kind = obj["kind"];
  if (got_gv != gv || got_kind != kind) {
    std::string head = got_kind + " in version \"" + VersionOf(got_gv) +
                       "\" cannot be handled as a " + kind + ": ";
    const std::string group = got_gv.find('/') == std::string::npos
                                  ? ""
                                  : got_gv.substr(0, got_gv.find('/'));
    const ResourceInfo* known = FindResourceByKind(group, got_kind);
    if (known == nullptr || known->GroupVersion() != got_gv) {
      return base::BadRequest(head + "no kind \"" + got_kind +
                              "\" is registered for version \"" + got_gv +
                              "\" in scheme \"pkg/api/legacyscheme/"
                              "scheme.go:30\"");
    }
    if (got_kind == kind) {
      return base::BadRequest("the API version in the data (" + got_gv +
                              ") does not match the expected API version (" +
                              gv + ")");
    }
    auto internal = [](const std::string& g, const std::string& k) {
      return (g.empty() ? std::string("core") : g.substr(0, g.find('.'))) +
             "." + k;
    };
    return base::BadRequest(
        head + "converting (" + internal(known->group, got_kind) + ") to (" +
        internal(t.resource->group, kind) + "): unknown conversion");
  }
  const std::string prefix = kind + " in version \"" + VersionOf(gv) +
                             "\" cannot be handled as a " + kind + ": ";
  const Json* schema =
      t.subresource == "scale" ? schemas_.ForKind("autoscaling", "v1", "Scale")
      : t.subresource == "binding" ? schemas_.ForKind("", "v1", "Binding")
                                   : schemas_.ByName(t.resource->schema_name);
  if (schema == nullptr) return obj;
  if (Status s = schemas_.CheckTypes(*schema, obj); !s.ok()) {
    return base::BadRequest(prefix + s.message());
  }
  std::vector<std::string> unknown = schemas_.UnknownFields(*schema, obj);
  if (!unknown.empty()) {
    if (o.validation == FieldValidation::kStrict) {
      std::string msg = prefix + "strict decoding error: ";
      for (size_t i = 0; i < unknown.size(); ++i) {
        if (i) msg += ", ";
        msg += "unknown field \"" + unknown[i] + "\"";
      }
      return base::BadRequest(msg);
    }
    if (o.validation == FieldValidation::kWarn) {
      for (const auto& f : unknown) {
        warnings->push_back("unknown field \"" + f + "\"");
      }
    }
    schemas_.PruneUnknownFields(*schema, obj);
  }
  return obj;
}

Status Registry::CheckNamespaceForCreate(const Target& t) const {
  if (!t.resource->namespaced) return Status::Ok();
  const ResourceInfo* ns = FindResource("", "v1", "namespaces");
  auto got = store_->Get(ObjectKey(*ns, "", t.ns));
  if (!got.ok()) return NewNamespaceNotFound(t.ns);
  auto phase = got->attrs->fields.find("status.phase");
  if (phase != got->attrs->fields.end() && phase->second == "Terminating") {
    Status forbidden =
        NewForbidden(*t.resource, t.name,
                     "unable to create new content in namespace " + t.ns +
                         " because it is being terminated");
    base::Details d = *forbidden.details();
    d.causes.push_back(
        {"NamespaceTerminating", forbidden.message(), "metadata.namespace"});
    return Status(base::Code::kForbidden, forbidden.message(), d);
  }
  return Status::Ok();
}

StatusOr<WriteResult> Registry::Create(const Target& t, std::string_view body,
                                       const WriteOptions& o) {
  std::vector<std::string> warnings;
  KSIM_ASSIGN_OR_RETURN(Json obj, DecodeBody(t, body, o, &warnings));
  return CreateObject(t, std::move(obj), o, std::move(warnings));
}

StatusOr<WriteResult> Registry::CreateObject(const Target& t, Json obj,
                                             const WriteOptions& o,
                                             std::vector<std::string> warn) {
  const ResourceInfo& r = *t.resource;
  if (!obj.contains("metadata") || !obj["metadata"].is_object()) {
    obj["metadata"] = Json::object();
  }
  Json& meta = obj["metadata"];
  if (r.namespaced) {
    std::string body_ns = meta.value("namespace", "");
    if (!body_ns.empty() && body_ns != t.ns) {
      return base::BadRequest(
          "the namespace of the provided object does not match the namespace "
          "sent on the request");
    }
    meta["namespace"] = t.ns;
  } else {
    meta.erase("namespace");
  }
  std::string name = meta.value("name", "");
  std::string generate = meta.value("generateName", "");
  if (name.empty() && !generate.empty()) {
    // names.SimpleNameGenerator: at most 58 characters of the base.
    std::string base =
        generate.substr(0, std::min<size_t>(generate.size(), 58));
    name = base + GenerateNameSuffix(base);
    meta["name"] = name;
  }
  Target named = t;
  named.name = name;
  if (name.empty()) {
    return ToInvalidStatus(
        r.group, r.kind, "",
        {Required("metadata.name", "name or generateName is required")});
  }
  KSIM_RETURN_IF_ERROR(CheckNamespaceForCreate(named));
  meta.erase("deletionTimestamp");
  meta.erase("deletionGracePeriodSeconds");
  meta.erase("resourceVersion");
  meta.erase("selfLink");
  meta["uid"] = uid_rng_.Uuid();
  meta["creationTimestamp"] = base::FormatRfc3339(clock_->Now());
  if (meta.contains("generation")) meta.erase("generation");
  const Strategy& strategy = StrategyFor(r);
  strategy.Default(obj);
  // Ownership is recorded before the server fills in fields of its own
  // (ClusterIPs, status), which no manager owns, as in kube-apiserver.
  const Json* schema = schemas_.ByName(r.schema_name);
  if (schema != nullptr && !o.apply) {
    UpdateManagedFields(
        schemas_, *schema, nullptr, obj,
        {o.field_manager, "Update", r.GroupVersion(), "", clock_->Now()});
  }
  if (r.resource == "services") {
    KSIM_RETURN_IF_ERROR(service_ips_.Allocate(nullptr, obj));
    strategy.Default(obj);
  }
  strategy.PrepareForCreate(obj);
  FieldErrors errs = strategy.ValidateCreate(obj);
  if (!errs.empty()) return ToInvalidStatus(r.group, r.kind, name, errs);
  WriteResult result;
  result.http_code = 201;
  result.warnings = std::move(warn);
  if (o.dry_run) {
    if (r.resource == "services") service_ips_.Release(obj);
    result.body = EncodeForStorage(obj);
    return result;
  }
  store::Attributes attrs = AttributesOf(r, obj);
  std::string stored = EncodeForStorage(obj);
  auto created = store_->Create(ObjectKey(r, t.ns, name), std::move(stored),
                                std::move(attrs));
  if (!created.ok()) {
    if (r.resource == "services") service_ips_.Release(obj);
    if (created.status().code() == base::Code::kAlreadyExists) {
      return NewAlreadyExists(r, name);
    }
    return created.status();
  }
  result.body = WithResourceVersion(*created->value, created->mod_revision);
  return result;
}

}  // namespace ksim::apiserver
