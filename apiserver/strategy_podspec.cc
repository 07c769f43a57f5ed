// Validation of pod specs and templates (ValidatePodSpec,
// ValidatePodTemplateSpec, ValidateTolerations of pkg/apis/core/validation,
// 1.32) and the QoS class (pkg/apis/core/helper/qos).
#include <map>
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

constexpr int64_t kMaxInt32 = 2147483647;


void ValidateVolumeSource(const Json& v, const std::string& path,
                          FieldErrors& errs) {
  int sources = 0;
  for (const char* s : kVolumeSources) {
    if (!v.contains(s) || v[s].is_null()) continue;
    std::string p = Child(path, s);
    if (sources++ > 0) {
      errs.push_back(Forbidden(p, "may not specify more than 1 volume type"));
      continue;
    }
    std::string k = s;
    const Json& src = v[s];
    if (k == "hostPath" && Str(src, "path").empty()) {
      errs.push_back(Required(Child(p, "path")));
    } else if (k == "secret" && Str(src, "secretName").empty()) {
      errs.push_back(Required(Child(p, "secretName")));
    } else if (k == "configMap" && Str(src, "name").empty()) {
      errs.push_back(Required(Child(p, "name")));
    } else if (k == "persistentVolumeClaim" && Str(src, "claimName").empty()) {
      errs.push_back(Required(Child(p, "claimName")));
    } else if (k == "nfs") {
      if (Str(src, "server").empty())
        errs.push_back(Required(Child(p, "server")));
      if (Str(src, "path").empty()) errs.push_back(Required(Child(p, "path")));
    }
  }
  if (sources == 0)
    errs.push_back(Required(path, "must specify a volume type"));
}

void ValidateVolumes(const Json& spec, const std::string& path,
                     FieldErrors& errs) {
  const Json* volumes = Arr(spec, "volumes");
  if (volumes == nullptr) return;
  std::set<std::string> names;
  for (size_t i = 0; i < volumes->size(); ++i) {
    const Json& v = (*volumes)[i];
    std::string p = Index(path, i);
    FieldErrors el;
    ValidateVolumeSource(v, p, el);
    std::string name = Str(v, "name");
    if (name.empty()) {
      el.push_back(Required(Child(p, "name")));
    } else {
      for (std::string& m : IsDNS1123Label(name)) {
        el.push_back(Invalid(Child(p, "name"), name, std::move(m)));
      }
    }
    if (names.count(name)) el.push_back(Duplicate(Child(p, "name"), name));
    if (el.empty()) names.insert(name);
    Append(errs, std::move(el));
  }
}

void Enum(const Json& spec, const char* key, const std::string& path,
          const std::vector<std::string>& allowed, FieldErrors& errs) {
  std::string v = Str(spec, key);
  if (v.empty()) {
    errs.push_back(Required(path));
    return;
  }
  for (const std::string& a : allowed) {
    if (v == a) return;
  }
  errs.push_back(NotSupported(path, v, allowed));
}

void ValidateSecurityContext(const Json& spec, const std::string& path,
                             FieldErrors& errs) {
  const Json* sc = Obj(spec, "securityContext");
  if (sc == nullptr) return;
  for (const char* f : {"fsGroup", "runAsUser", "runAsGroup"}) {
    if (sc->contains(f) && (*sc)[f].is_number_integer()) {
      for (std::string& m : IsValidUserOrGroupID((*sc)[f].get<int64_t>())) {
        errs.push_back(Invalid(Child(path, f), (*sc)[f], std::move(m)));
      }
    }
  }
  if (const Json* groups = Arr(*sc, "supplementalGroups")) {
    for (size_t i = 0; i < groups->size(); ++i) {
      if (!(*groups)[i].is_number_integer()) continue;
      for (std::string& m : IsValidUserOrGroupID((*groups)[i].get<int64_t>())) {
        errs.push_back(Invalid(Index(Child(path, "supplementalGroups"), i),
                               (*groups)[i], std::move(m)));
      }
    }
  }
}

void ValidateHostNetworkPorts(const Json& spec, const std::string& path,
                              bool is_pod, FieldErrors& errs) {
  if (!BoolField(spec, "hostNetwork")) return;
  const Json* containers = Arr(spec, "containers");
  for (size_t i = 0; containers && i < containers->size(); ++i) {
    const Json* ports = Arr((*containers)[i], "ports");
    for (size_t j = 0; ports && j < ports->size(); ++j) {
      const Json& p = (*ports)[j];
      int64_t hp = IntField(p, "hostPort");
      int64_t cp = IntField(p, "containerPort");
      if ((is_pod || hp != 0) && hp != cp) {
        errs.push_back(Invalid(
            Child(Index(Child(Index(Child(path, "containers"), i), "ports"), j),
                  "hostPort"),
            hp, "must match `containerPort` when `hostNetwork` is true"));
      }
    }
  }
}

void ValidateNamedRefs(const Json& spec, const std::string& path,
                       FieldErrors& errs) {
  for (const char* f : {"serviceAccountName", "nodeName"}) {
    std::string v = Str(spec, f);
    if (!v.empty())
      AddNameErrors(NameRule::kDNS1123Subdomain, Child(path, f), v, errs);
  }
  if (spec.contains("activeDeadlineSeconds") &&
      spec["activeDeadlineSeconds"].is_number_integer()) {
    int64_t v = spec["activeDeadlineSeconds"].get<int64_t>();
    if (v < 1 || v > kMaxInt32) {
      errs.push_back(Invalid(Child(path, "activeDeadlineSeconds"), v,
                             InclusiveRangeError(1, kMaxInt32)));
    }
  }
  for (const char* f : {"hostname", "subdomain"}) {
    std::string v = Str(spec, f);
    if (v.empty()) continue;
    for (std::string& m : IsDNS1123Label(v)) {
      errs.push_back(Invalid(Child(path, f), v, std::move(m)));
    }
  }
}

}  // namespace

FieldErrors ValidateTolerations(const Json* tolerations,
                                const std::string& path) {
  FieldErrors errs;
  for (size_t i = 0; tolerations && i < tolerations->size(); ++i) {
    const Json& t = (*tolerations)[i];
    std::string p = Index(path, i);
    std::string key = Str(t, "key"), op = Str(t, "operator");
    std::string value = Str(t, "value"), effect = Str(t, "effect");
    if (!key.empty()) {
      for (std::string& m : IsQualifiedName(key)) {
        errs.push_back(Invalid(Child(p, "key"), key, std::move(m)));
      }
    }
    if (key.empty() && op != "Exists") {
      errs.push_back(
          Invalid(Child(p, "operator"), op,
                  "operator must be Exists when `key` is empty, which "
                  "means \"match all values and all keys\""));
    }
    if (t.contains("tolerationSeconds") && !t["tolerationSeconds"].is_null() &&
        effect != "NoExecute") {
      errs.push_back(
          Invalid(Child(p, "effect"), effect,
                  "effect must be 'NoExecute' when `tolerationSeconds` "
                  "is set"));
    }
    if (op == "Equal" || op.empty()) {
      Messages msgs = IsValidLabelValue(value);
      if (!msgs.empty()) {
        std::string joined;
        for (size_t k = 0; k < msgs.size(); ++k)
          joined += (k ? ";" : "") + msgs[k];
        errs.push_back(Invalid(Child(p, "operator"), value, joined));
      }
    } else if (op == "Exists") {
      if (!value.empty()) {
        errs.push_back(
            Invalid(Child(p, "operator"), value,
                    "value must be empty when `operator` is 'Exists'"));
      }
    } else {
      errs.push_back(
          NotSupported(Child(p, "operator"), op, {"Equal", "Exists"}));
    }
    if (!effect.empty() && effect != "NoSchedule" &&
        effect != "PreferNoSchedule" && effect != "NoExecute") {
      errs.push_back(
          NotSupported(Child(p, "effect"), effect,
                       {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
  }
  return errs;
}

FieldErrors ValidatePodSpec(const Json& spec, const std::string& path,
                            bool is_pod) {
  FieldErrors errs;
  if (!spec.contains("terminationGracePeriodSeconds") ||
      spec["terminationGracePeriodSeconds"].is_null()) {
    errs.push_back(Required(Child(path, "terminationGracePeriodSeconds")));
  }
  ValidateVolumes(spec, Child(path, "volumes"), errs);
  Append(errs, ValidateContainers(Arr(spec, "containers"), spec,
                                  Child(path, "containers"), false));
  Append(errs, ValidateContainers(Arr(spec, "initContainers"), spec,
                                  Child(path, "initContainers"), true));
  ValidateHostNetworkPorts(spec, path, is_pod, errs);
  Enum(spec, "restartPolicy", Child(path, "restartPolicy"),
       {"Always", "OnFailure", "Never"}, errs);
  Enum(spec, "dnsPolicy", Child(path, "dnsPolicy"),
       {"ClusterFirstWithHostNet", "ClusterFirst", "Default", "None"}, errs);
  Append(errs, ValidateLabels(Obj(spec, "nodeSelector"),
                              Child(path, "nodeSelector")));
  ValidateSecurityContext(spec, Child(path, "securityContext"), errs);
  if (Str(spec, "dnsPolicy") == "None" && Obj(spec, "dnsConfig") == nullptr) {
    errs.push_back(
        Required(Child(path, "dnsConfig"),
                 "must provide `dnsConfig` when `dnsPolicy` is None"));
  }
  ValidateNamedRefs(spec, path, errs);
  Append(errs, ValidateTolerations(Arr(spec, "tolerations"),
                                   Child(path, "tolerations")));
  std::string pcn = Str(spec, "priorityClassName");
  if (!pcn.empty()) {
    AddNameErrors(NameRule::kDNS1123Subdomain, Child(path, "priorityClassName"),
                  pcn, errs);
  }
  if (spec.contains("preemptionPolicy") &&
      !spec["preemptionPolicy"].is_null()) {
    Enum(spec, "preemptionPolicy", Child(path, "preemptionPolicy"),
         {"PreemptLowerPriority", "Never"}, errs);
  }
  return errs;
}

FieldErrors ValidatePodTemplateSpec(const Json& tmpl, const std::string& path) {
  FieldErrors errs;
  static const Json kEmpty = Json::object();
  const Json* meta = Obj(tmpl, "metadata");
  Append(errs, ValidateLabels(Obj(meta ? *meta : kEmpty, "labels"),
                              Child(path, "labels")));
  Append(errs, ValidateAnnotations(Obj(meta ? *meta : kEmpty, "annotations"),
                                   Child(path, "annotations")));
  const Json* spec = Obj(tmpl, "spec");
  Append(errs,
         ValidatePodSpec(spec ? *spec : kEmpty, Child(path, "spec"), false));
  if (spec && Arr(*spec, "ephemeralContainers") &&
      !Arr(*spec, "ephemeralContainers")->empty()) {
    errs.push_back(
        Forbidden(Child(Child(path, "spec"), "ephemeralContainers"),
                  "ephemeral containers not allowed in pod template"));
  }
  return errs;
}

std::string ComputePodQOS(const Json& pod) {
  static const Json kNone = Json::object();
  std::map<std::string, Quantity> requests, limits;
  bool guaranteed = true;
  const Json* spec = Obj(pod, "spec");
  auto add = [](std::map<std::string, Quantity>& sum, const std::string& name,
                const Quantity& q) {
    auto it = sum.find(name);
    if (it == sum.end()) {
      sum.emplace(name, q);
    } else {
      it->second = it->second.Plus(q);
    }
  };
  for (const char* list : {"containers", "initContainers"}) {
    const Json* containers = spec ? Arr(*spec, list) : nullptr;
    for (size_t i = 0; containers && i < containers->size(); ++i) {
      const Json* res = Obj((*containers)[i], "resources");
      const Json* req = res ? Obj(*res, "requests") : nullptr;
      const Json* lim = res ? Obj(*res, "limits") : nullptr;
      for (const auto& [name, v] : (req ? *req : kNone).items()) {
        if (name != "cpu" && name != "memory") continue;
        auto q = Quantity::FromJson(v);
        if (q && q->Compare(*Quantity::Parse("0")) > 0) add(requests, name, *q);
      }
      std::set<std::string> found;
      for (const auto& [name, v] : (lim ? *lim : kNone).items()) {
        if (name != "cpu" && name != "memory") continue;
        auto q = Quantity::FromJson(v);
        if (q && q->Compare(*Quantity::Parse("0")) > 0) {
          found.insert(name);
          add(limits, name, *q);
        }
      }
      if (!found.count("cpu") || !found.count("memory")) guaranteed = false;
    }
  }
  if (requests.empty() && limits.empty()) return "BestEffort";
  if (guaranteed) {
    for (const auto& [name, req] : requests) {
      auto lim = limits.find(name);
      if (lim == limits.end() || lim->second.Compare(req) != 0) {
        guaranteed = false;
        break;
      }
    }
  }
  if (guaranteed && requests.size() == limits.size()) return "Guaranteed";
  return "Burstable";
}

}  // namespace ksim::apiserver
