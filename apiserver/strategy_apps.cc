// Deployments and ReplicaSets: apps/v1 defaults, pkg/registry/apps/*/
// strategy.go and pkg/apis/apps/validation (1.32).
#include <cstdlib>

#include "apiserver/selector.h"
#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

const Json kEmptyObj = Json::object();

const Json& SpecOf(const Json& obj) {
  const Json* s = Obj(obj, "spec");
  return s ? *s : kEmptyObj;
}

// getIntOrPercentValue: "25%" -> 25, 5 -> 5, anything else -> 0.
int64_t IntOrPercentValue(const Json& v) {
  if (v.is_number_integer()) return v.get<int64_t>();
  if (v.is_string()) {
    std::string s = v.get<std::string>();
    if (IsValidPercent(s).empty()) return std::atoll(s.c_str());
    return 0;
  }
  return 0;
}

void PositiveIntOrPercent(const Json& v, const std::string& path,
                          FieldErrors& errs) {
  if (v.is_string()) {
    for (std::string& m : IsValidPercent(v.get<std::string>())) {
      errs.push_back(InvalidGo(path, GoIntOrString(v), std::move(m)));
    }
  } else if (v.is_number_integer()) {
    ValidateNonnegative(&v, path, errs);
  } else {
    errs.push_back(InvalidGo(path, GoIntOrString(v),
                             "must be an integer or percentage (e.g '5%%')"));
  }
}

std::string GoDeploymentStrategy(const Json& s) {
  return "apps.DeploymentStrategy{Type:" + StrconvQuote(Str(s, "type")) +
         ", RollingUpdate:(*apps.RollingUpdateDeployment)(" +
         (Obj(s, "rollingUpdate") ? "0xc000010000" : "nil") + ")}";
}

void ValidateStrategy(const Json& spec, FieldErrors& errs) {
  const Json* s = Obj(spec, "strategy");
  const Json& strategy = s ? *s : kEmptyObj;
  std::string type = Str(strategy, "type");
  const Json* ru = Obj(strategy, "rollingUpdate");
  if (type == "Recreate") {
    if (ru) {
      errs.push_back(Forbidden("spec.strategy.rollingUpdate",
                               "may not be specified when strategy `type` is "
                               "'Recreate'"));
    }
  } else if (type == "RollingUpdate") {
    if (ru == nullptr) {
      errs.push_back(Required("spec.strategy.rollingUpdate",
                              "this should be defaulted and never be nil"));
      return;
    }
    Json unavailable =
        ru->contains("maxUnavailable") ? (*ru)["maxUnavailable"] : Json(0);
    Json surge = ru->contains("maxSurge") ? (*ru)["maxSurge"] : Json(0);
    const std::string base = "spec.strategy.rollingUpdate";
    PositiveIntOrPercent(unavailable, Child(base, "maxUnavailable"), errs);
    PositiveIntOrPercent(surge, Child(base, "maxSurge"), errs);
    if (IntOrPercentValue(unavailable) == 0 && IntOrPercentValue(surge) == 0) {
      errs.push_back(InvalidGo(Child(base, "maxUnavailable"),
                               GoIntOrString(unavailable),
                               "may not be 0 when `maxSurge` is 0"));
    }
    if (unavailable.is_string() &&
        IsValidPercent(unavailable.get<std::string>()).empty() &&
        IntOrPercentValue(unavailable) > 100) {
      errs.push_back(InvalidGo(Child(base, "maxUnavailable"),
                               GoIntOrString(unavailable),
                               "must not be greater than 100%"));
    }
  } else {
    FieldError e =
        NotSupported("spec.strategy", nullptr, {"Recreate", "RollingUpdate"});
    e.go_value = GoDeploymentStrategy(strategy);
    errs.push_back(std::move(e));
  }
}

// ValidateReplicaSetSpec / the shared part of ValidateDeploymentSpec.
void ValidateSelectorAndTemplate(const Json& spec, FieldErrors& errs) {
  const Json* selector = Obj(spec, "selector");
  bool usable = selector != nullptr;
  if (selector == nullptr) {
    errs.push_back(Required("spec.selector"));
  } else {
    FieldErrors sel = ValidateLabelSelector(selector, "spec.selector");
    usable = sel.empty();
    Append(errs, std::move(sel));
    const Json* ml = Obj(*selector, "matchLabels");
    const Json* me = Arr(*selector, "matchExpressions");
    if ((ml ? ml->size() : 0) + (me ? me->size() : 0) == 0) {
      errs.push_back(InvalidGo("spec.selector", GoLabelSelector(selector),
                               "empty selector is invalid for deployment"));
    }
  }
  if (selector && !usable) {
    errs.push_back(InvalidGo("spec.selector", GoLabelSelector(selector),
                             "invalid label selector"));
    return;
  }
  const Json* t = Obj(spec, "template");
  const Json& tmpl = t ? *t : kEmptyObj;
  const Json* meta = Obj(tmpl, "metadata");
  const Json* labels = meta ? Obj(*meta, "labels") : nullptr;
  if (selector) {
    auto parsed = LabelSelector::FromJson(*selector);
    StringMap set;
    if (labels) {
      for (const auto& [k, v] : labels->items()) {
        set[k] = v.is_string() ? v.get<std::string>() : v.dump();
      }
    }
    if (parsed.ok() && !parsed->Empty() && !parsed->Matches(set)) {
      errs.push_back(InvalidGo("spec.template.metadata.labels",
                               GoStringMap(labels),
                               "`selector` does not match template `labels`"));
    }
  }
  Append(errs, ValidatePodTemplateSpec(tmpl, "spec.template"));
  const Json& pod_spec = SpecOf(tmpl);
  std::string restart = Str(pod_spec, "restartPolicy");
  if (restart != "Always") {
    errs.push_back(
        NotSupported("spec.template.spec.restartPolicy", restart, {"Always"}));
  }
  if (pod_spec.contains("activeDeadlineSeconds") &&
      !pod_spec["activeDeadlineSeconds"].is_null()) {
    errs.push_back(
        Forbidden("spec.template.spec.activeDeadlineSeconds",
                  "activeDeadlineSeconds in ReplicaSet is not Supported"));
  }
}

void ValidateStatusCounts(const Json& obj,
                          const std::vector<const char*>& fields,
                          FieldErrors& errs) {
  const Json* s = Obj(obj, "status");
  const Json& status = s ? *s : kEmptyObj;
  for (const char* f : fields) {
    ValidateNonnegative(status.contains(f) ? &status[f] : nullptr,
                        Child("status", f), errs);
  }
  int64_t replicas = IntField(status, "replicas");
  for (const char* f : {"updatedReplicas", "fullyLabeledReplicas",
                        "readyReplicas", "availableReplicas"}) {
    if (status.contains(f) && IntField(status, f) > replicas) {
      errs.push_back(Invalid(Child("status", f), IntField(status, f),
                             "cannot be greater than status.replicas"));
    }
  }
  if (IntField(status, "availableReplicas") >
      IntField(status, "readyReplicas")) {
    errs.push_back(Invalid("status.availableReplicas",
                           IntField(status, "availableReplicas"),
                           "cannot be greater than readyReplicas"));
  }
}

// Deployments and ReplicaSets differ in defaults, strategy and what bumps
// the generation; the rest is shared.
class AppsStrategy : public Strategy {
 public:
  explicit AppsStrategy(bool deployment) : deployment_(deployment) {}

  void Default(Json& obj) const override {
    if (!obj.contains("spec") || !obj["spec"].is_object())
      obj["spec"] = Json::object();
    Json& spec = obj["spec"];
    if (!spec.contains("replicas") || spec["replicas"].is_null())
      spec["replicas"] = 1;
    if (deployment_) {
      if (!spec.contains("strategy") || !spec["strategy"].is_object()) {
        spec["strategy"] = Json::object();
      }
      Json& s = spec["strategy"];
      if (Str(s, "type").empty()) s["type"] = "RollingUpdate";
      if (Str(s, "type") == "RollingUpdate") {
        if (!s.contains("rollingUpdate") || !s["rollingUpdate"].is_object()) {
          s["rollingUpdate"] = Json::object();
        }
        for (const char* k : {"maxUnavailable", "maxSurge"}) {
          if (!s["rollingUpdate"].contains(k) ||
              s["rollingUpdate"][k].is_null()) {
            s["rollingUpdate"][k] = "25%";
          }
        }
      }
      if (!spec.contains("revisionHistoryLimit"))
        spec["revisionHistoryLimit"] = 10;
      if (!spec.contains("progressDeadlineSeconds"))
        spec["progressDeadlineSeconds"] = 600;
    }
    if (!spec.contains("template") || !spec["template"].is_object()) {
      spec["template"] = Json::object();
    }
    DefaultPodTemplate(spec["template"]);
    if (!obj.contains("status") || !obj["status"].is_object())
      obj["status"] = EmptyStatus();
  }

  void PrepareForCreate(Json& obj) const override {
    obj["status"] = EmptyStatus();
    obj["metadata"]["generation"] = 1;
  }

  void PrepareForUpdate(Json& obj, const Json& old) const override {
    obj["status"] = old.contains("status") ? old["status"] : EmptyStatus();
    const Json* old_meta = Obj(old, "metadata");
    int64_t gen = old_meta ? IntField(*old_meta, "generation", 1) : 1;
    bool changed = !SemanticEqual(SpecOf(obj), SpecOf(old));
    if (deployment_) {  // annotations are copied to the ReplicaSets
      const Json* a = Obj(obj["metadata"], "annotations");
      const Json* b = old_meta ? Obj(*old_meta, "annotations") : nullptr;
      changed = changed || !SemanticEqual(a ? *a : Json(), b ? *b : Json());
    }
    obj["metadata"]["generation"] = changed ? gen + 1 : gen;
  }

  void PrepareForStatusUpdate(Json& obj, const Json& old) const override {
    Strategy::PrepareForStatusUpdate(obj, old);
    if (!deployment_) return;
    const Json* old_meta = Obj(old, "metadata");
    if (old_meta && old_meta->contains("labels")) {
      obj["metadata"]["labels"] = (*old_meta)["labels"];
    } else {
      obj["metadata"].erase("labels");
    }
  }

  FieldErrors ValidateCreate(const Json& obj) const override {
    FieldErrors errs =
        ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain);
    Append(errs, ValidateSpec(SpecOf(obj)));
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& obj, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(obj, old);
    Append(errs, ValidateSpec(SpecOf(obj)));
    const Json* now = Obj(SpecOf(obj), "selector");
    const Json* before = Obj(SpecOf(old), "selector");
    if (!SemanticEqual(now ? *now : Json(), before ? *before : Json())) {
      errs.push_back(InvalidGo("spec.selector", GoLabelSelector(now),
                               "field is immutable"));
    }
    return errs;
  }

  FieldErrors ValidateStatusUpdate(const Json& obj,
                                   const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(obj, old);
    if (deployment_) {
      ValidateStatusCounts(
          obj,
          {"observedGeneration", "replicas", "updatedReplicas", "readyReplicas",
           "availableReplicas", "unavailableReplicas", "collisionCount"},
          errs);
      const Json* s = Obj(obj, "status");
      const Json* o = Obj(old, "status");
      if (s && o &&
          IntField(*s, "collisionCount") < IntField(*o, "collisionCount")) {
        errs.push_back(Invalid("status.collisionCount",
                               IntField(*s, "collisionCount"),
                               "cannot be decremented"));
      }
    } else {
      ValidateStatusCounts(obj,
                           {"replicas", "fullyLabeledReplicas", "readyReplicas",
                            "availableReplicas", "observedGeneration"},
                           errs);
    }
    return errs;
  }

  void AddSelectableFields(
      const Json& obj,
      std::map<std::string, std::string>& fields) const override {
    if (deployment_) return;
    const Json* s = Obj(obj, "status");
    fields["status.replicas"] =
        std::to_string(s ? IntField(*s, "replicas") : 0);
  }

  bool IsSelectableField(const std::string& field) const override {
    return !deployment_ && field == "status.replicas";
  }

 private:
  Json EmptyStatus() const {
    // ReplicaSetStatus.replicas has no omitempty: Go prints it as 0.
    return deployment_ ? Json::object() : Json{{"replicas", 0}};
  }

  FieldErrors ValidateSpec(const Json& spec) const {
    FieldErrors errs;
    ValidateNonnegative(spec.contains("replicas") ? &spec["replicas"] : nullptr,
                        "spec.replicas", errs);
    if (!deployment_) {
      ValidateNonnegative(
          spec.contains("minReadySeconds") ? &spec["minReadySeconds"] : nullptr,
          "spec.minReadySeconds", errs);
    }
    ValidateSelectorAndTemplate(spec, errs);
    if (!deployment_) return errs;
    ValidateStrategy(spec, errs);
    for (const char* f : {"minReadySeconds", "revisionHistoryLimit",
                          "progressDeadlineSeconds"}) {
      ValidateNonnegative(spec.contains(f) ? &spec[f] : nullptr,
                          Child("spec", f), errs);
    }
    if (spec.contains("progressDeadlineSeconds") &&
        spec["progressDeadlineSeconds"].is_number_integer() &&
        IntField(spec, "progressDeadlineSeconds") <=
            IntField(spec, "minReadySeconds")) {
      errs.push_back(Invalid("spec.progressDeadlineSeconds",
                             IntField(spec, "progressDeadlineSeconds"),
                             "must be greater than minReadySeconds"));
    }
    return errs;
  }

  bool deployment_;
};

}  // namespace

const Strategy& DeploymentStrategyInstance() {
  static const AppsStrategy kStrategy(true);
  return kStrategy;
}

const Strategy& ReplicaSetStrategyInstance() {
  static const AppsStrategy kStrategy(false);
  return kStrategy;
}

}  // namespace ksim::apiserver
