// Core v1 Events (legacyValidateEvent; the v1 API skips the strict checks of
// events.k8s.io) and coordination.k8s.io Leases (1.32).
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

const Json kEmptyObj = Json::object();

const Json& Field(const Json& obj, const char* key) {
  const Json* v = Obj(obj, key);
  return v ? *v : kEmptyObj;
}

bool Set(const Json& obj, const char* key) {
  return obj.contains(key) && !obj[key].is_null() && obj[key] != "";
}

FieldErrors LegacyValidateEvent(const Json& ev) {
  FieldErrors errs;
  std::string ns = Str(Field(ev, "metadata"), "namespace");
  const Json& involved = Field(ev, "involvedObject");
  std::string ins = Str(involved, "namespace");
  const std::string kMismatch = "does not match event.namespace";
  if (!Set(ev, "eventTime")) {
    if (ins.empty()) {
      if (!ns.empty() && ns != "default") {
        errs.push_back(Invalid("involvedObject.namespace", ins, kMismatch));
      }
    } else if (ns != ins) {
      errs.push_back(Invalid("involvedObject.namespace", ins, kMismatch));
    }
  } else {
    if (ins.empty() && ns != "default" && ns != "kube-system") {
      errs.push_back(Invalid("involvedObject.namespace", ins, kMismatch));
    }
    std::string controller = Str(ev, "reportingComponent");
    if (controller.empty()) errs.push_back(Required("reportingController"));
    for (std::string& m : IsQualifiedName(controller)) {
      errs.push_back(Invalid("reportingController", controller, std::move(m)));
    }
    struct Limit {
      const char* field;
      const char* path;
      size_t max;
      bool required;
    };
    for (const Limit& l :
         {Limit{"reportingInstance", "reportingInstance", 128, true},
          Limit{"action", "action", 128, true},
          Limit{"reason", "reason", 128, true},
          Limit{"message", "message", 1024, false}}) {
      std::string v = Str(ev, l.field);
      if (l.required && v.empty()) errs.push_back(Required(l.path));
      if (v.size() > l.max) {
        errs.push_back(Invalid(
            l.path, "",
            "can have at most " + std::to_string(l.max) + " characters"));
      }
    }
  }
  for (std::string& m : IsDNS1123Subdomain(ns)) {
    errs.push_back(Invalid("namespace", ns, std::move(m)));
  }
  return errs;
}

class EventStrategy : public Strategy {
 public:
  void Default(Json& ev) const override {
    // Fields Go always prints: structs, non-pointer times (as null) and
    // strings without omitempty.
    for (const char* k : {"involvedObject", "source"}) {
      if (!Obj(ev, k)) ev[k] = Json::object();
    }
    for (const char* k : {"firstTimestamp", "lastTimestamp", "eventTime"}) {
      if (!ev.contains(k)) ev[k] = nullptr;
    }
    for (const char* k : {"reportingComponent", "reportingInstance"}) {
      if (!ev.contains(k) || ev[k].is_null()) ev[k] = "";
    }
  }

  FieldErrors ValidateCreate(const Json& ev) const override {
    FieldErrors errs = LegacyValidateEvent(ev);
    // The generic store's own metadata check (path-segment names).
    Append(errs, ValidateObjectMeta(ev, true, NameRule::kPathSegment));
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& ev, const Json& old) const override {
    FieldErrors errs = LegacyValidateEvent(ev);
    Append(errs, ValidateObjectMetaUpdate(ev, old));
    return errs;
  }

  void AddSelectableFields(
      const Json& ev,
      std::map<std::string, std::string>& fields) const override {
    const Json& io = Field(ev, "involvedObject");
    for (const char* k : {"kind", "namespace", "name", "uid", "apiVersion",
                          "resourceVersion", "fieldPath"}) {
      fields[std::string("involvedObject.") + k] = Str(io, k);
    }
    fields["reason"] = Str(ev, "reason");
    fields["reportingComponent"] = Str(ev, "reportingComponent");
    std::string source = Str(Field(ev, "source"), "component");
    fields["source"] = source.empty() ? Str(ev, "reportingComponent") : source;
    fields["type"] = Str(ev, "type");
  }

  bool IsSelectableField(const std::string& field) const override {
    static const std::set<std::string> kFields = {
        "involvedObject.kind",
        "involvedObject.namespace",
        "involvedObject.name",
        "involvedObject.uid",
        "involvedObject.apiVersion",
        "involvedObject.resourceVersion",
        "involvedObject.fieldPath",
        "reason",
        "reportingComponent",
        "source",
        "type"};
    return kFields.count(field) > 0;
  }
};

FieldErrors ValidateLease(const Json& lease) {
  FieldErrors errs =
      ValidateObjectMeta(lease, true, NameRule::kDNS1123Subdomain);
  const Json& spec = Field(lease, "spec");
  if (Set(spec, "leaseDurationSeconds") &&
      IntField(spec, "leaseDurationSeconds") <= 0) {
    errs.push_back(Invalid("spec.leaseDurationSeconds",
                           IntField(spec, "leaseDurationSeconds"),
                           "must be greater than 0"));
  }
  if (Set(spec, "leaseTransitions") && IntField(spec, "leaseTransitions") < 0) {
    errs.push_back(Invalid("spec.leaseTransitions",
                           IntField(spec, "leaseTransitions"),
                           "must be greater than or equal to 0"));
  }
  if (!Str(spec, "preferredHolder").empty() &&
      Str(spec, "holderIdentity").empty()) {
    errs.push_back(Forbidden(
        "spec.preferredHolder",
        "preferredHolder can only be set when holderIdentity is set"));
  }
  return errs;
}

class LeaseStrategy : public Strategy {
 public:
  void Default(Json& lease) const override {
    if (!Obj(lease, "spec")) lease["spec"] = Json::object();
  }
  FieldErrors ValidateCreate(const Json& lease) const override {
    return ValidateLease(lease);
  }
  FieldErrors ValidateUpdate(const Json& lease,
                             const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(lease, old);
    Append(errs, ValidateLease(lease));
    return errs;
  }
};

}  // namespace

const Strategy& EventStrategyInstance() {
  static const EventStrategy kStrategy;
  return kStrategy;
}

const Strategy& LeaseStrategyInstance() {
  static const LeaseStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
