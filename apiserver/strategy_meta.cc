// Object metadata, labels, annotations and selectors (declared in
// validation.h), after k8s.io/apimachinery/pkg/api/validation/objectmeta.go
// and pkg/apis/meta/v1/validation, plus the core group's finalizer check.
#include <algorithm>
#include <set>

#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

constexpr int64_t kTotalAnnotationSizeLimit = 256 * 1024;
constexpr char kImmutable[] = "field is immutable";

std::string AsString(const Json& v) {
  return v.is_string() ? v.get<std::string>() : v.dump();
}

// metav1.Time's String() (time.Time.String for a UTC time).
std::string GoTime(const Json& v) {
  if (!v.is_string()) return StrconvQuote("null");
  std::string s = v.get<std::string>();
  if (s.size() >= 20 && s[10] == 'T' && s.back() == 'Z') {
    return s.substr(0, 10) + " " + s.substr(11, s.size() - 12) + " +0000 UTC";
  }
  return s;
}

// %#v of a v1.OwnerReference. Pointer fields print as an address in Go; the
// address is unknowable, so a fixed one stands for "set".
std::string GoOwnerReference(const Json& ref) {
  auto ptr = [&](const char* k) {
    return ref.is_object() && ref.contains(k) && !ref[k].is_null()
               ? std::string("(*bool)(0xc000010000)")
               : std::string("(*bool)(nil)");
  };
  return "v1.OwnerReference{APIVersion:" +
         StrconvQuote(Str(ref, "apiVersion")) +
         ", Kind:" + StrconvQuote(Str(ref, "kind")) +
         ", Name:" + StrconvQuote(Str(ref, "name")) +
         ", UID:" + StrconvQuote(Str(ref, "uid")) +
         ", Controller:" + ptr("controller") +
         ", BlockOwnerDeletion:" + ptr("blockOwnerDeletion") + "}";
}

std::string GoOwnerReferences(const Json& refs) {
  std::string out = "[]v1.OwnerReference{";
  for (size_t i = 0; i < refs.size(); ++i) {
    if (i) out += ", ";
    out += GoOwnerReference(refs[i]);
  }
  return out + "}";
}

FieldErrors ValidateOwnerReferences(const Json* refs, const std::string& path) {
  FieldErrors errs;
  if (refs == nullptr || !refs->is_array()) return errs;
  std::string first_controller;
  for (const Json& ref : *refs) {
    std::string api_version = Str(ref, "apiVersion");
    std::string kind = Str(ref, "kind");
    // schema.FromAPIVersionAndKind: "group/version" or "version".
    std::string group, version;
    size_t slash = api_version.find('/');
    if (slash == std::string::npos) {
      version = api_version;
    } else if (api_version.find('/', slash + 1) == std::string::npos) {
      group = api_version.substr(0, slash);
      version = api_version.substr(slash + 1);
    }
    if (version.empty()) {
      errs.push_back(Invalid(Child(path, "apiVersion"), api_version,
                             "version must not be empty"));
    }
    if (kind.empty()) {
      errs.push_back(
          Invalid(Child(path, "kind"), kind, "kind must not be empty"));
    }
    if (Str(ref, "name").empty()) {
      errs.push_back(Invalid(Child(path, "name"), Str(ref, "name"),
                             "name must not be empty"));
    }
    if (Str(ref, "uid").empty()) {
      errs.push_back(Invalid(Child(path, "uid"), Str(ref, "uid"),
                             "uid must not be empty"));
    }
    if (group.empty() && version == "v1" && kind == "Event") {
      errs.push_back(InvalidGo(path, GoOwnerReference(ref),
                               "/v1, Kind=Event is disallowed from being an "
                               "owner"));
    }
    const Json* controller = ref.is_object() && ref.contains("controller")
                                 ? &ref["controller"]
                                 : nullptr;
    if (controller != nullptr && controller->is_boolean() &&
        controller->get<bool>()) {
      std::string current = kind + "/" + Str(ref, "name");
      if (!first_controller.empty()) {
        errs.push_back(InvalidGo(
            path, GoOwnerReferences(*refs),
            "Only one reference can have Controller set to true. Found "
            "\"true\" in references for " +
                first_controller + " and " + current));
      } else {
        first_controller = current;
      }
    }
  }
  return errs;
}

// apimachinery's ValidateFinalizers (qualified names, no orphan together
// with foregroundDeletion) and the core group's per-index check.
FieldErrors ValidateFinalizers(const Json* finalizers, const std::string& path,
                               bool apimachinery_checks) {
  FieldErrors errs;
  if (finalizers == nullptr || !finalizers->is_array()) return errs;
  bool orphan = false, foreground = false;
  if (apimachinery_checks) {
    for (const Json& f : *finalizers) {
      std::string name = AsString(f);
      for (std::string& m : IsQualifiedName(name)) {
        errs.push_back(Invalid(path, name, std::move(m)));
      }
      orphan = orphan || name == "orphan";
      foreground = foreground || name == "foregroundDeletion";
    }
    if (orphan && foreground) {
      errs.push_back(InvalidGo(path, GoStringSlice(finalizers),
                               "finalizer orphan and foregroundDeletion cannot "
                               "be both set"));
    }
  }
  for (size_t i = 0; i < finalizers->size(); ++i) {
    std::string name = AsString((*finalizers)[i]);
    if (name.find('/') == std::string::npos && name != "kubernetes" &&
        name != "orphan" && name != "foregroundDeletion") {
      errs.push_back(Invalid(Index(path, i), name,
                             "name is neither a standard finalizer name nor is "
                             "it fully qualified"));
    }
  }
  return errs;
}

void Immutable(const Json& meta, const Json& old_meta, const char* key,
               FieldErrors& errs) {
  auto get = [](const Json& m, const char* k) {
    return m.is_object() && m.contains(k) ? m[k] : Json();
  };
  Json a = get(meta, key), b = get(old_meta, key);
  if (a == b) return;
  std::string path = Child("metadata", key);
  std::string k = key;
  if (k == "creationTimestamp" || k == "deletionTimestamp") {
    errs.push_back(InvalidGo(path, GoTime(a), kImmutable));
  } else {
    errs.push_back(Invalid(path, a, kImmutable));
  }
}

}  // namespace

std::string Str(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return "";
  auto it = obj.find(key);
  return it != obj.end() && it->is_string() ? it->get<std::string>() : "";
}

const Json* Obj(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_object() ? &*it : nullptr;
}

const Json* Arr(const Json& obj, std::string_view key) {
  if (!obj.is_object()) return nullptr;
  auto it = obj.find(key);
  return it != obj.end() && it->is_array() ? &*it : nullptr;
}

int64_t IntField(const Json& obj, std::string_view key, int64_t fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_number_integer() ? it->get<int64_t>()
                                                    : fallback;
}

bool BoolField(const Json& obj, std::string_view key, bool fallback) {
  if (!obj.is_object()) return fallback;
  auto it = obj.find(key);
  return it != obj.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

void Append(FieldErrors& errs, FieldErrors more) {
  for (FieldError& e : more) errs.push_back(std::move(e));
}

void ValidateNonnegative(const Json* value, const std::string& path,
                         FieldErrors& errs) {
  if (value != nullptr && value->is_number() && value->get<double>() < 0) {
    errs.push_back(Invalid(path, *value, "must be greater than or equal to 0"));
  }
}

FieldErrors ValidateLabels(const Json* labels, const std::string& path) {
  FieldErrors errs;
  if (labels == nullptr || !labels->is_object()) return errs;
  for (const auto& [k, v] : labels->items()) {
    for (std::string& m : IsQualifiedName(k)) {
      errs.push_back(Invalid(path, k, std::move(m)));
    }
    std::string value = AsString(v);
    for (std::string& m : IsValidLabelValue(value)) {
      errs.push_back(Invalid(path, value, std::move(m)));
    }
  }
  return errs;
}

FieldErrors ValidateAnnotations(const Json* annotations,
                                const std::string& path) {
  FieldErrors errs;
  if (annotations == nullptr || !annotations->is_object()) return errs;
  int64_t total = 0;
  for (const auto& [k, v] : annotations->items()) {
    // Qualified names, except that case does not matter.
    std::string lower = k;
    std::transform(lower.begin(), lower.end(), lower.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    for (std::string& m : IsQualifiedName(lower)) {
      errs.push_back(Invalid(path, k, std::move(m)));
    }
    total += static_cast<int64_t>(k.size() + AsString(v).size());
  }
  if (total > kTotalAnnotationSizeLimit) {
    errs.push_back(TooLong(path, "", kTotalAnnotationSizeLimit));
  }
  return errs;
}

FieldErrors ValidateLabelSelector(const Json* selector,
                                  const std::string& path) {
  FieldErrors errs;
  if (selector == nullptr || !selector->is_object()) return errs;
  Append(errs, ValidateLabels(Obj(*selector, "matchLabels"),
                              Child(path, "matchLabels")));
  const Json* exprs = Arr(*selector, "matchExpressions");
  if (exprs == nullptr) return errs;
  for (size_t i = 0; i < exprs->size(); ++i) {
    const Json& e = (*exprs)[i];
    std::string p = Index(Child(path, "matchExpressions"), i);
    std::string op = Str(e, "operator");
    const Json* values = Arr(e, "values");
    size_t n = values ? values->size() : 0;
    if (op == "In" || op == "NotIn") {
      if (n == 0) {
        errs.push_back(Required(Child(p, "values"),
                                "must be specified when `operator` is 'In' or "
                                "'NotIn'"));
      }
    } else if (op == "Exists" || op == "DoesNotExist") {
      if (n > 0) {
        errs.push_back(Forbidden(Child(p, "values"),
                                 "may not be specified when `operator` is "
                                 "'Exists' or 'DoesNotExist'"));
      }
    } else {
      errs.push_back(
          Invalid(Child(p, "operator"), op, "not a valid selector operator"));
    }
    std::string key = Str(e, "key");
    for (std::string& m : IsQualifiedName(key)) {
      errs.push_back(Invalid(Child(p, "key"), key, std::move(m)));
    }
    for (size_t j = 0; j < n; ++j) {
      std::string v = AsString((*values)[j]);
      for (std::string& m : IsValidLabelValue(v)) {
        errs.push_back(Invalid(Index(Child(p, "values"), j), v, std::move(m)));
      }
    }
  }
  return errs;
}

FieldErrors ValidateFinalizerName(std::string_view name,
                                  const std::string& path) {
  FieldErrors errs;
  for (std::string& m : IsQualifiedName(name)) {
    errs.push_back(Invalid(path, std::string(name), std::move(m)));
  }
  if (name.find('/') == std::string_view::npos && name != "kubernetes" &&
      name != "orphan" && name != "foregroundDeletion") {
    errs.push_back(Invalid(path, std::string(name),
                           "name is neither a standard finalizer name nor is "
                           "it fully qualified"));
  }
  return errs;
}

FieldErrors ValidateObjectMeta(const Json& obj, bool namespaced,
                               NameRule rule) {
  FieldErrors errs;
  static const Json kEmpty = Json::object();
  const Json* found = Obj(obj, "metadata");
  const Json& meta = found ? *found : kEmpty;
  std::string generate = Str(meta, "generateName");
  if (!generate.empty()) {
    for (std::string& m : ValidateName(rule, generate, true)) {
      errs.push_back(Invalid("metadata.generateName", generate, std::move(m)));
    }
  }
  std::string name = Str(meta, "name");
  if (name.empty()) {
    errs.push_back(
        Required("metadata.name", "name or generateName is required"));
  } else {
    AddNameErrors(rule, "metadata.name", name, errs);
  }
  std::string ns = Str(meta, "namespace");
  if (namespaced) {
    if (ns.empty()) {
      errs.push_back(Required("metadata.namespace"));
    } else {
      AddNameErrors(NameRule::kDNS1123Label, "metadata.namespace", ns, errs);
    }
  } else if (!ns.empty()) {
    errs.push_back(Forbidden("metadata.namespace", "not allowed on this type"));
  }
  ValidateNonnegative(
      meta.contains("generation") ? &meta["generation"] : nullptr,
      "metadata.generation", errs);
  Append(errs, ValidateLabels(Obj(meta, "labels"), "metadata.labels"));
  Append(errs,
         ValidateAnnotations(Obj(meta, "annotations"), "metadata.annotations"));
  Append(errs, ValidateOwnerReferences(Arr(meta, "ownerReferences"),
                                       "metadata.ownerReferences"));
  Append(errs, ValidateFinalizers(Arr(meta, "finalizers"),
                                  "metadata.finalizers", true));
  return errs;
}

FieldErrors ValidateObjectMetaUpdate(const Json& obj, const Json& old) {
  FieldErrors errs;
  static const Json kEmpty = Json::object();
  const Json* m = Obj(obj, "metadata");
  const Json* o = Obj(old, "metadata");
  const Json& meta = m ? *m : kEmpty;
  const Json& old_meta = o ? *o : kEmpty;
  if (old_meta.contains("deletionTimestamp") &&
      !old_meta["deletionTimestamp"].is_null()) {
    std::set<std::string> before, extra;
    if (const Json* f = Arr(old_meta, "finalizers")) {
      for (const Json& x : *f) before.insert(AsString(x));
    }
    if (const Json* f = Arr(meta, "finalizers")) {
      for (const Json& x : *f) {
        if (!before.count(AsString(x))) extra.insert(AsString(x));
      }
    }
    if (!extra.empty()) {
      Json list = Json::array();
      for (const auto& x : extra) list.push_back(x);
      errs.push_back(Forbidden(
          "metadata.finalizers",
          "no new finalizers can be added if the object is being deleted, "
          "found new finalizers " +
              GoStringSlice(&list)));
    }
  }
  // kube's "metadata.resourceVersion: must be specified for an update"
  // cannot fire for the served kinds: they all allow unconditional updates,
  // for which the generic store fills in the stored resourceVersion first.
  const Json* gen = meta.contains("generation") ? &meta["generation"] : nullptr;
  const Json* old_gen =
      old_meta.contains("generation") ? &old_meta["generation"] : nullptr;
  if (gen && old_gen && gen->is_number_integer() &&
      old_gen->is_number_integer() &&
      gen->get<int64_t>() < old_gen->get<int64_t>()) {
    errs.push_back(
        Invalid("metadata.generation", *gen, "must not be decremented"));
  }
  for (const char* key : {"name", "namespace", "uid", "creationTimestamp",
                          "deletionTimestamp", "deletionGracePeriodSeconds"}) {
    Immutable(meta, old_meta, key, errs);
  }
  Append(errs, ValidateLabels(Obj(meta, "labels"), "metadata.labels"));
  Append(errs,
         ValidateAnnotations(Obj(meta, "annotations"), "metadata.annotations"));
  Append(errs, ValidateOwnerReferences(Arr(meta, "ownerReferences"),
                                       "metadata.ownerReferences"));
  Append(errs, ValidateFinalizers(Arr(meta, "finalizers"),
                                  "metadata.finalizers", false));
  return errs;
}

}  // namespace ksim::apiserver
