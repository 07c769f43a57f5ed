// ConfigMaps, Secrets and ServiceAccounts: core/v1 defaults and conversion
// (Secret stringData folds into data), ValidateConfigMap, ValidateSecret,
// ValidateServiceAccount and their update rules (1.32).
#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

constexpr int kMaxSecretSize = 1024 * 1024;
constexpr char kImmutableWhenSet[] =
    "field is immutable when `immutable` is set";

// The byte length of base64 data as the decoder would return it.
size_t DecodedSize(const Json& v) {
  if (!v.is_string()) return 0;
  const std::string& s = v.get_ref<const std::string&>();
  auto decoded = base::Base64Decode(s);
  return decoded ? decoded->size() : s.size();
}

void ValidateKeys(const Json* data, const std::string& path,
                  FieldErrors& errs) {
  if (data == nullptr) return;
  for (const auto& [key, v] : data->items()) {
    for (std::string& m : IsConfigMapKey(key)) {
      errs.push_back(Invalid(Key(path, key), key, std::move(m)));
    }
  }
}

bool Immutable(const Json& obj) {
  return obj.contains("immutable") && obj["immutable"] == true;
}

void ImmutableRules(const Json& obj, const Json& old,
                    std::initializer_list<const char*> fields,
                    FieldErrors& errs) {
  if (!Immutable(old)) return;
  if (!Immutable(obj))
    errs.push_back(Forbidden("immutable", kImmutableWhenSet));
  for (const char* f : fields) {
    Json a = obj.contains(f) ? obj[f] : Json();
    Json b = old.contains(f) ? old[f] : Json();
    if (!SemanticEqual(a, b)) errs.push_back(Forbidden(f, kImmutableWhenSet));
  }
}

class ConfigMapStrategy : public Strategy {
 public:
  FieldErrors ValidateCreate(const Json& cm) const override {
    FieldErrors errs =
        ValidateObjectMeta(cm, true, NameRule::kDNS1123Subdomain);
    const Json* data = Obj(cm, "data");
    const Json* binary = Obj(cm, "binaryData");
    size_t total = 0;
    static const Json kNone = Json::object();
    for (const auto& [key, v] : (data ? *data : kNone).items()) {
      for (std::string& m : IsConfigMapKey(key)) {
        errs.push_back(Invalid(Key("data", key), key, std::move(m)));
      }
      if (binary && binary->contains(key)) {
        errs.push_back(Invalid(Key("data", key), key,
                               "duplicate of key present in binaryData"));
      }
      total += v.is_string() ? v.get_ref<const std::string&>().size() : 0;
    }
    ValidateKeys(binary, "binaryData", errs);
    if (binary) {
      for (const auto& [key, v] : binary->items()) total += DecodedSize(v);
    }
    // field.NewPath("") prints as "[]".
    if (total > kMaxSecretSize)
      errs.push_back(TooLong("[]", "", kMaxSecretSize));
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& cm, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(cm, old);
    ImmutableRules(cm, old, {"data", "binaryData"}, errs);
    Append(errs, ValidateCreate(cm));
    return errs;
  }
};

class SecretStrategy : public Strategy {
 public:
  void Default(Json& secret) const override {
    if (Str(secret, "type").empty()) secret["type"] = "Opaque";
    // Convert_v1_Secret_To_core_Secret: stringData overwrites data.
    if (const Json* strings = Obj(secret, "stringData")) {
      if (!secret.contains("data") || !secret["data"].is_object()) {
        secret["data"] = Json::object();
      }
      for (const auto& [k, v] : strings->items()) {
        secret["data"][k] =
            base::Base64Encode(v.is_string() ? v.get<std::string>() : v.dump());
      }
    }
    secret.erase("stringData");
  }

  FieldErrors ValidateCreate(const Json& secret) const override {
    FieldErrors errs =
        ValidateObjectMeta(secret, true, NameRule::kDNS1123Subdomain);
    const Json* data = Obj(secret, "data");
    ValidateKeys(data, "data", errs);
    size_t total = 0;
    if (data) {
      for (const auto& [k, v] : data->items()) total += DecodedSize(v);
    }
    if (total > kMaxSecretSize)
      errs.push_back(TooLong("data", "", kMaxSecretSize));
    std::string type = Str(secret, "type");
    auto has = [&](const char* k) { return data && data->contains(k); };
    auto require = [&](const char* k) {
      if (!has(k)) errs.push_back(Required(Key("data", k)));
    };
    auto require_json = [&](const char* k) {
      if (!has(k)) {
        errs.push_back(Required(Key("data", k)));
        return;
      }
      auto decoded = base::Base64Decode(Str(*data, k));
      auto parsed = base::ParseJson(decoded ? *decoded : "");
      if (!parsed.ok() || !parsed->is_object()) {
        errs.push_back(Invalid(Key("data", k), "<secret contents redacted>",
                               "unexpected end of JSON input"));
      }
    };
    if (type == "kubernetes.io/service-account-token") {
      const Json* meta = Obj(secret, "metadata");
      const Json* ann = meta ? Obj(*meta, "annotations") : nullptr;
      if (!ann || Str(*ann, "kubernetes.io/service-account.name").empty()) {
        errs.push_back(Required(
            "metadata.annotations[kubernetes.io/service-account.name]"));
      }
    } else if (type == "kubernetes.io/dockercfg") {
      require_json(".dockercfg");
    } else if (type == "kubernetes.io/dockerconfigjson") {
      require_json(".dockerconfigjson");
    } else if (type == "kubernetes.io/basic-auth") {
      if (!has("username") && !has("password")) {
        require("username");
        require("password");
      }
    } else if (type == "kubernetes.io/ssh-auth") {
      if (!has("ssh-privatekey") ||
          DecodedSize((*data)["ssh-privatekey"]) == 0) {
        errs.push_back(Required("data[ssh-privatekey]"));
      }
    } else if (type == "kubernetes.io/tls") {
      require("tls.crt");
      require("tls.key");
    }
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& secret,
                             const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(secret, old);
    if (Str(secret, "type") != Str(old, "type")) {
      errs.push_back(
          Invalid("type", Str(secret, "type"), "field is immutable"));
    }
    ImmutableRules(secret, old, {"data"}, errs);
    Append(errs, ValidateCreate(secret));
    return errs;
  }

  void AddSelectableFields(
      const Json& secret,
      std::map<std::string, std::string>& fields) const override {
    fields["type"] = Str(secret, "type");
  }

  bool IsSelectableField(const std::string& field) const override {
    return field == "type";
  }
};

class ServiceAccountStrategy : public Strategy {
 public:
  FieldErrors ValidateCreate(const Json& sa) const override {
    return ValidateObjectMeta(sa, true, NameRule::kDNS1123Subdomain);
  }
  FieldErrors ValidateUpdate(const Json& sa, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(sa, old);
    Append(errs, ValidateCreate(sa));
    return errs;
  }
};

}  // namespace

const Strategy& ConfigMapStrategyInstance() {
  static const ConfigMapStrategy kStrategy;
  return kStrategy;
}

const Strategy& SecretStrategyInstance() {
  static const SecretStrategy kStrategy;
  return kStrategy;
}

const Strategy& ServiceAccountStrategyInstance() {
  static const ServiceAccountStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
