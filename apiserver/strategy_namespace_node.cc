// Namespaces and Nodes: core/v1 defaults, pkg/registry/core/{namespace,node}
// strategies and their validation (1.32).
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

bool Deleting(const Json& obj) {
  const Json& meta = Field(obj, "metadata");
  return meta.contains("deletionTimestamp") &&
         !meta["deletionTimestamp"].is_null();
}

class NamespaceStrategy : public Strategy {
 public:
  void Default(Json& ns) const override {
    Json& meta = ns["metadata"];
    std::string name = Str(meta, "name");
    if (!name.empty()) {
      if (!meta.contains("labels") || !meta["labels"].is_object()) {
        meta["labels"] = Json::object();
      }
      meta["labels"]["kubernetes.io/metadata.name"] = name;
    }
    if (!ns.contains("spec") || !ns["spec"].is_object())
      ns["spec"] = Json::object();
    if (!ns.contains("status") || !ns["status"].is_object()) {
      ns["status"] = Json::object();
    }
    if (Str(ns["status"], "phase").empty()) ns["status"]["phase"] = "Active";
  }

  void PrepareForCreate(Json& ns) const override {
    ns["status"] = {{"phase", "Active"}};
    Json& spec = ns["spec"];
    if (!spec.contains("finalizers") || !spec["finalizers"].is_array()) {
      spec["finalizers"] = Json::array();
    }
    bool has = false;
    for (const Json& f : spec["finalizers"]) has = has || f == "kubernetes";
    if (!has) spec["finalizers"].push_back("kubernetes");
  }

  void PrepareForUpdate(Json& ns, const Json& old) const override {
    const Json& old_spec = Field(old, "spec");
    if (old_spec.contains("finalizers")) {
      ns["spec"]["finalizers"] = old_spec["finalizers"];
    } else {
      ns["spec"].erase("finalizers");
    }
    ns["status"] = old.contains("status") ? old["status"] : Json::object();
  }

  FieldErrors ValidateCreate(const Json& ns) const override {
    FieldErrors errs = ValidateObjectMeta(ns, false, NameRule::kDNS1123Label);
    if (const Json* fins = Arr(Field(ns, "spec"), "finalizers")) {
      for (const Json& f : *fins) {
        Append(errs,
               ValidateFinalizerName(f.is_string() ? f.get<std::string>() : "",
                                     "spec.finalizers"));
      }
    }
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& ns, const Json& old) const override {
    return ValidateObjectMetaUpdate(ns, old);
  }

  FieldErrors ValidateStatusUpdate(const Json& ns,
                                   const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(ns, old);
    std::string phase = Str(Field(ns, "status"), "phase");
    if (!Deleting(ns) && phase != "Active") {
      errs.push_back(
          Invalid("status.Phase", phase,
                  "may only be 'Active' if `deletionTimestamp` is empty"));
    } else if (Deleting(ns) && phase != "Terminating") {
      errs.push_back(
          Invalid("status.Phase", phase,
                  "may only be 'Terminating' if `deletionTimestamp` is "
                  "not empty"));
    }
    return errs;
  }

  void AddSelectableFields(
      const Json& ns,
      std::map<std::string, std::string>& fields) const override {
    fields["status.phase"] = Str(Field(ns, "status"), "phase");
    // "name" is a historical mistake kube keeps for compatibility.
    fields["name"] = Str(Field(ns, "metadata"), "name");
  }

  bool IsSelectableField(const std::string& field) const override {
    return field == "status.phase" || field == "name";
  }
};

void CanonicalizeResources(Json& status, const char* key) {
  if (!status.contains(key) || !status[key].is_object()) return;
  for (auto& [name, value] : status[key].items()) {
    auto q = Quantity::FromJson(value);
    if (!q) continue;
    q->RoundUp(-3);
    value = q->String();
  }
}

void ValidateNodeResources(const Json& node, FieldErrors& errs) {
  const Json& status = Field(node, "status");
  for (const char* key : {"capacity", "allocatable"}) {
    const Json* list = Obj(status, key);
    if (list == nullptr) continue;
    for (const auto& [name, v] : list->items()) {
      std::string path = Child(Child("status", key), name);
      auto q = Quantity::FromJson(v);
      if (!q) {
        errs.push_back(Invalid(path, v, kQuantityFormatError));
      } else if (q->IsNegative()) {
        errs.push_back(
            Invalid(path, q->String(), "must be greater than or equal to 0"));
      }
    }
  }
}

std::string GoTaint(const Json& t) {
  return "core.Taint{Key:" + StrconvQuote(Str(t, "key")) +
         ", Value:" + StrconvQuote(Str(t, "value")) +
         ", Effect:" + StrconvQuote(Str(t, "effect")) +
         ", TimeAdded:(*v1.Time)(" +
         (t.contains("timeAdded") && !t["timeAdded"].is_null() ? "0xc000010000"
                                                               : "nil") +
         ")}";
}

void ValidateTaints(const Json& node, FieldErrors& errs) {
  const Json* taints = Arr(Field(node, "spec"), "taints");
  std::set<std::string> seen;
  for (size_t i = 0; taints && i < taints->size(); ++i) {
    const Json& t = (*taints)[i];
    std::string p = Index("metadata.taints", i);  // sic: kube's path
    std::string key = Str(t, "key"), value = Str(t, "value"),
                effect = Str(t, "effect");
    for (std::string& m : IsQualifiedName(key)) {
      errs.push_back(Invalid(Child(p, "key"), key, std::move(m)));
    }
    Messages msgs = IsValidLabelValue(value);
    if (!msgs.empty()) {
      std::string joined;
      for (size_t k = 0; k < msgs.size(); ++k)
        joined += (k ? ";" : "") + msgs[k];
      errs.push_back(Invalid(Child(p, "value"), value, joined));
    }
    if (effect.empty()) {
      errs.push_back(Required(Child(p, "effect")));
    } else if (effect != "NoSchedule" && effect != "PreferNoSchedule" &&
               effect != "NoExecute") {
      errs.push_back(
          NotSupported(Child(p, "effect"), effect,
                       {"NoSchedule", "PreferNoSchedule", "NoExecute"}));
    }
    if (!seen.insert(effect + "\n" + key).second) {
      FieldError e = Duplicate(p, nullptr);
      e.go_value = GoTaint(t);
      e.detail = "taints must be unique by key and effect pair";
      errs.push_back(std::move(e));
    }
  }
}

class NodeStrategy : public Strategy {
 public:
  void Default(Json& node) const override {
    if (!node.contains("spec") || !node["spec"].is_object())
      node["spec"] = Json::object();
    Json& spec = node["spec"];
    // v1 podCIDR mirrors podCIDRs[0]; a lone podCIDR seeds the list.
    std::string cidr = Str(spec, "podCIDR");
    const Json* cidrs = Arr(spec, "podCIDRs");
    if (!cidr.empty() && (cidrs == nullptr || cidrs->empty())) {
      spec["podCIDRs"] = Json::array({cidr});
    } else if (cidr.empty() && cidrs && !cidrs->empty() &&
               (*cidrs)[0].is_string()) {
      spec["podCIDR"] = (*cidrs)[0];
    }
    if (!node.contains("status") || !node["status"].is_object()) {
      node["status"] = Json::object();
    }
    Json& status = node["status"];
    if (!status.contains("allocatable") && status.contains("capacity")) {
      status["allocatable"] = status["capacity"];
    }
    CanonicalizeResources(status, "capacity");
    CanonicalizeResources(status, "allocatable");
    // Structs without omitempty that Go always prints.
    if (!Obj(status, "daemonEndpoints"))
      status["daemonEndpoints"] = Json::object();
    if (!Obj(status["daemonEndpoints"], "kubeletEndpoint")) {
      status["daemonEndpoints"]["kubeletEndpoint"] = {{"Port", 0}};
    }
    if (!Obj(status, "nodeInfo")) status["nodeInfo"] = Json::object();
    for (const char* k :
         {"machineID", "systemUUID", "bootID", "kernelVersion", "osImage",
          "containerRuntimeVersion", "kubeletVersion", "kubeProxyVersion",
          "operatingSystem", "architecture"}) {
      if (!status["nodeInfo"].contains(k)) status["nodeInfo"][k] = "";
    }
  }

  void PrepareForUpdate(Json& node, const Json& old) const override {
    node["status"] = old.contains("status") ? old["status"] : Json::object();
  }

  FieldErrors ValidateCreate(const Json& node) const override {
    FieldErrors errs =
        ValidateObjectMeta(node, false, NameRule::kDNS1123Subdomain);
    ValidateTaints(node, errs);
    ValidateNodeResources(node, errs);
    const Json* cidrs = Arr(Field(node, "spec"), "podCIDRs");
    size_t n = cidrs ? cidrs->size() : 0;
    std::set<std::string> seen;
    for (size_t i = 0; i < n; ++i) {
      std::string c =
          (*cidrs)[i].is_string() ? (*cidrs)[i].get<std::string>() : "";
      Append(errs, ValidateCIDR(Index("spec.podCIDRs", i), c));
    }
    if (n > 1) {
      auto v6 = [&](size_t i) {
        std::string c =
            (*cidrs)[i].is_string() ? (*cidrs)[i].get<std::string>() : "";
        return c.find(':') != std::string::npos;
      };
      if (n > 2 || v6(0) == v6(1)) {
        errs.push_back(
            InvalidGo("spec.podCIDRs", GoStringSlice(cidrs),
                      "may specify no more than one CIDR for each IP family"));
      }
      for (size_t i = 0; i < n; ++i) {
        std::string c =
            (*cidrs)[i].is_string() ? (*cidrs)[i].get<std::string>() : "";
        if (!seen.insert(c).second)
          errs.push_back(Duplicate(Index("spec.podCIDRs", i), c));
      }
    }
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& node, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(node, old);
    ValidateNodeResources(node, errs);
    const Json* cidrs = Arr(Field(node, "spec"), "podCIDRs");
    const Json* old_cidrs = Arr(Field(old, "spec"), "podCIDRs");
    const char* kCidrMsg =
        "node updates may not change podCIDR except from \"\" to valid";
    if (old_cidrs && !old_cidrs->empty()) {
      if (!cidrs || cidrs->size() != old_cidrs->size()) {
        errs.push_back(Forbidden("spec.podCIDRs", kCidrMsg));
      } else {
        for (size_t i = 0; i < old_cidrs->size(); ++i) {
          if ((*old_cidrs)[i] != (*cidrs)[i]) {
            errs.push_back(Forbidden("spec.podCIDRs", kCidrMsg));
          }
        }
      }
    }
    std::string old_pid = Str(Field(old, "spec"), "providerID");
    if (!old_pid.empty() && old_pid != Str(Field(node, "spec"), "providerID")) {
      errs.push_back(
          Forbidden("spec.providerID",
                    "node updates may not change providerID except from "
                    "\"\" to valid"));
    }
    ValidateTaints(node, errs);
    return errs;
  }

  FieldErrors ValidateStatusUpdate(const Json& node,
                                   const Json& old) const override {
    return ValidateUpdate(node, old);
  }

  void AddSelectableFields(
      const Json& node,
      std::map<std::string, std::string>& fields) const override {
    fields["spec.unschedulable"] =
        BoolField(Field(node, "spec"), "unschedulable") ? "true" : "false";
  }

  bool IsSelectableField(const std::string& field) const override {
    return field == "spec.unschedulable";
  }
};

}  // namespace

const Strategy& NamespaceStrategyInstance() {
  static const NamespaceStrategy kStrategy;
  return kStrategy;
}

const Strategy& NodeStrategyInstance() {
  static const NodeStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
