// Pods: pkg/registry/core/pod/strategy.go and ValidatePodCreate /
// ValidatePodUpdate / ValidatePodStatusUpdate (1.32).
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

constexpr int64_t kMaxInt32 = 2147483647;

// A short stand-in for the cmp.Diff kube appends (whose exact layout is
// deliberately unstable): one -/+ pair per differing field.
void Diff(const Json& a, const Json& b, const std::string& path,
          std::string& out) {
  if (SemanticEqual(a, b)) return;
  if (a.is_object() && b.is_object()) {
    std::set<std::string> keys;
    for (const auto& [k, v] : a.items()) keys.insert(k);
    for (const auto& [k, v] : b.items()) keys.insert(k);
    for (const std::string& k : keys) {
      Diff(a.contains(k) ? a[k] : Json(), b.contains(k) ? b[k] : Json(),
           Child(path, k), out);
    }
    return;
  }
  if (a.is_array() && b.is_array() && a.size() == b.size()) {
    for (size_t i = 0; i < a.size(); ++i) Diff(a[i], b[i], Index(path, i), out);
    return;
  }
  out += "- \t" + path + ": " + a.dump() + ",\n";
  out += "+ \t" + path + ": " + b.dump() + ",\n";
}

FieldErrors ValidateMetadataAndSpec(const Json& pod) {
  FieldErrors errs = ValidateObjectMeta(pod, true, NameRule::kDNS1123Subdomain);
  static const Json kEmpty = Json::object();
  const Json* spec = Obj(pod, "spec");
  Append(errs, ValidatePodSpec(spec ? *spec : kEmpty, "spec", true));
  for (const char* list : {"containers", "initContainers"}) {
    const Json* cs = spec ? Arr(*spec, list) : nullptr;
    for (size_t i = 0; cs && i < cs->size(); ++i) {
      std::string image = Str((*cs)[i], "image");
      size_t b = image.find_first_not_of(" \t\n\v\f\r");
      size_t e = image.find_last_not_of(" \t\n\v\f\r");
      if (!image.empty() && (b != 0 || e != image.size() - 1)) {
        errs.push_back(Invalid(Child(Index(Child("spec", list), i), "image"),
                               image,
                               "must not have leading or trailing whitespace"));
      }
    }
  }
  return errs;
}

// ValidateContainerUpdates; true when the lists differ in length (the rest
// of the update checks are skipped then).
bool ContainerUpdates(const Json& spec, const Json& old_spec, const char* list,
                      FieldErrors& errs) {
  const Json* now = Arr(spec, list);
  const Json* before = Arr(old_spec, list);
  size_t n = now ? now->size() : 0, m = before ? before->size() : 0;
  std::string path = Child("spec", list);
  if (n != m) {
    errs.push_back(
        Forbidden(path, "pod updates may not add or remove containers"));
    return true;
  }
  for (size_t i = 0; i < n; ++i) {
    std::string image = Str((*now)[i], "image");
    if (image.empty()) errs.push_back(Required(Child(Index(path, i), "image")));
    size_t b = image.find_first_not_of(" \t\n\v\f\r");
    size_t e = image.find_last_not_of(" \t\n\v\f\r");
    if (!image.empty() && (b != 0 || e != image.size() - 1)) {
      errs.push_back(Invalid(Child(Index(path, i), "image"), image,
                             "must not have leading or trailing whitespace"));
    }
  }
  return false;
}

// True when kube stops validating the update here.
bool ActiveDeadlineUpdate(const Json& spec, const Json& old_spec,
                          FieldErrors& errs) {
  const std::string path = "spec.activeDeadlineSeconds";
  bool has_new = spec.contains("activeDeadlineSeconds") &&
                 !spec["activeDeadlineSeconds"].is_null();
  bool has_old = old_spec.contains("activeDeadlineSeconds") &&
                 !old_spec["activeDeadlineSeconds"].is_null();
  if (has_new) {
    int64_t v = IntField(spec, "activeDeadlineSeconds");
    if (v < 0 || v > kMaxInt32) {
      errs.push_back(Invalid(path, v, InclusiveRangeError(0, kMaxInt32)));
      return true;
    }
    if (has_old && IntField(old_spec, "activeDeadlineSeconds") < v) {
      errs.push_back(
          Invalid(path, v, "must be less than or equal to previous value"));
      return true;
    }
  } else if (has_old) {
    errs.push_back(Invalid(
        path, nullptr, "must not update from a positive integer to nil value"));
  }
  return false;
}

void TolerationUpdates(const Json& spec, const Json& old_spec,
                       FieldErrors& errs) {
  const Json* now = Arr(spec, "tolerations");
  const Json* before = Arr(old_spec, "tolerations");
  for (size_t i = 0; before && i < before->size(); ++i) {
    Json old = (*before)[i];
    bool found = false;
    for (size_t j = 0; now && j < now->size() && !found; ++j) {
      Json a = old, b = (*now)[j];
      a.erase("tolerationSeconds");
      b.erase("tolerationSeconds");
      found = SemanticEqual(a, b);
    }
    if (!found) {
      errs.push_back(Forbidden("spec.tolerations",
                               "existing toleration can not be modified except "
                               "its tolerationSeconds"));
      return;
    }
  }
}

class PodStrategy : public Strategy {
 public:
  void Default(Json& obj) const override { DefaultPod(obj); }

  void PrepareForCreate(Json& obj) const override {
    AdmitPod(obj);
    Json status = {{"phase", "Pending"}, {"qosClass", ComputePodQOS(obj)}};
    const Json* gates = Arr(obj["spec"], "schedulingGates");
    if (gates && !gates->empty()) {
      status["conditions"] = Json::array(
          {Json{{"type", "PodScheduled"},
                {"status", "False"},
                {"reason", "SchedulingGated"},
                {"message",
                 "Scheduling is blocked due to non-empty scheduling gates"},
                {"lastProbeTime", nullptr},
                {"lastTransitionTime",
                 obj["metadata"].value("creationTimestamp", Json())}}});
    }
    obj["status"] = std::move(status);
  }

  void PrepareForUpdate(Json& obj, const Json& old) const override {
    obj["status"] = old.contains("status") ? old["status"] : Json::object();
  }

  void PrepareForStatusUpdate(Json& obj, const Json& old) const override {
    Strategy::PrepareForStatusUpdate(obj, old);
    // The kubelet may not touch owner references or deletion through status.
    Json& meta = obj["metadata"];
    const Json* old_meta = Obj(old, "metadata");
    for (const char* k : {"ownerReferences", "deletionTimestamp"}) {
      if (old_meta && old_meta->contains(k)) {
        meta[k] = (*old_meta)[k];
      } else {
        meta.erase(k);
      }
    }
  }

  FieldErrors ValidateCreate(const Json& obj) const override {
    FieldErrors errs = ValidateMetadataAndSpec(obj);
    const Json* spec = Obj(obj, "spec");
    if (spec && Arr(*spec, "ephemeralContainers") &&
        !Arr(*spec, "ephemeralContainers")->empty()) {
      errs.push_back(
          Forbidden("spec.ephemeralContainers", "cannot be set on create"));
    }
    if (spec && !Str(*spec, "nodeName").empty() &&
        Arr(*spec, "schedulingGates") &&
        !Arr(*spec, "schedulingGates")->empty()) {
      errs.push_back(Forbidden("spec.nodeName",
                               "cannot be set until all schedulingGates have "
                               "been cleared"));
    }
    return errs;
  }

  FieldErrors ValidateUpdate(const Json& obj, const Json& old) const override;
  FieldErrors ValidateStatusUpdate(const Json& obj,
                                   const Json& old) const override;

  void AddSelectableFields(
      const Json& obj,
      std::map<std::string, std::string>& fields) const override {
    static const Json kEmpty = Json::object();
    const Json* s = Obj(obj, "spec");
    const Json& spec = s ? *s : kEmpty;
    const Json* st = Obj(obj, "status");
    const Json& status = st ? *st : kEmpty;
    fields["spec.nodeName"] = Str(spec, "nodeName");
    fields["spec.restartPolicy"] = Str(spec, "restartPolicy");
    fields["spec.schedulerName"] = Str(spec, "schedulerName");
    fields["spec.serviceAccountName"] = Str(spec, "serviceAccountName");
    fields["spec.hostNetwork"] =
        BoolField(spec, "hostNetwork") ? "true" : "false";
    fields["status.phase"] = Str(status, "phase");
    const Json* ips = Arr(status, "podIPs");
    fields["status.podIP"] =
        ips && !ips->empty() ? Str((*ips)[0], "ip") : Str(status, "podIP");
    fields["status.nominatedNodeName"] = Str(status, "nominatedNodeName");
  }

  bool IsSelectableField(const std::string& field) const override {
    static const std::set<std::string> kFields = {
        "spec.nodeName",      "spec.restartPolicy",
        "spec.schedulerName", "spec.serviceAccountName",
        "spec.hostNetwork",   "status.phase",
        "status.podIP",       "status.nominatedNodeName"};
    return kFields.count(field) > 0;
  }
};

FieldErrors PodStrategy::ValidateUpdate(const Json& obj,
                                        const Json& old) const {
  FieldErrors errs = ValidateObjectMetaUpdate(obj, old);
  Append(errs, ValidateMetadataAndSpec(obj));
  static const Json kEmpty = Json::object();
  const Json* s = Obj(obj, "spec");
  const Json* o = Obj(old, "spec");
  const Json& spec = s ? *s : kEmpty;
  const Json& old_spec = o ? *o : kEmpty;
  if (ContainerUpdates(spec, old_spec, "containers", errs)) return errs;
  if (ContainerUpdates(spec, old_spec, "initContainers", errs)) return errs;
  if (ActiveDeadlineUpdate(spec, old_spec, errs)) return errs;
  TolerationUpdates(spec, old_spec, errs);
  if (SemanticEqual(spec, old_spec)) return errs;
  // Mask the mutable fields, then anything left is a forbidden change.
  Json munged = spec;
  for (const char* list : {"containers", "initContainers"}) {
    const Json* before = Arr(old_spec, list);
    if (!munged.contains(list) || !munged[list].is_array() || !before) continue;
    for (size_t i = 0; i < munged[list].size() && i < before->size(); ++i) {
      Json& c = munged[list][i];
      if (!c.is_object() || !(*before)[i].is_object()) continue;
      c["image"] = (*before)[i].value("image", Json());
    }
  }
  for (const char* k :
       {"activeDeadlineSeconds", "schedulingGates", "tolerations"}) {
    if (old_spec.contains(k)) {
      munged[k] = old_spec[k];
    } else {
      munged.erase(k);
    }
  }
  if (IntField(old_spec, "terminationGracePeriodSeconds") < 0 &&
      IntField(munged, "terminationGracePeriodSeconds") == 1) {
    munged["terminationGracePeriodSeconds"] =
        old_spec["terminationGracePeriodSeconds"];
  }
  if (!SemanticEqual(munged, old_spec)) {
    std::string diff = "  core.PodSpec{\n";
    Diff(old_spec, munged, "", diff);
    diff += "  }\n";
    errs.push_back(Forbidden(
        "spec",
        "pod updates may not change fields other than "
        "`spec.containers[*].image`,`spec.initContainers[*].image`,"
        "`spec.activeDeadlineSeconds`,`spec.tolerations` (only additions to "
        "existing tolerations),`spec.terminationGracePeriodSeconds` (allow it "
        "to be set to 1 if it was previously negative)\n" +
            diff));
  }
  return errs;
}

FieldErrors PodStrategy::ValidateStatusUpdate(const Json& obj,
                                              const Json& old) const {
  FieldErrors errs = ValidateObjectMetaUpdate(obj, old);
  static const Json kEmpty = Json::object();
  const Json* st = Obj(obj, "status");
  const Json* ost = Obj(old, "status");
  const Json& status = st ? *st : kEmpty;
  const Json& old_status = ost ? *ost : kEmpty;
  if (const Json* conds = Arr(status, "conditions")) {
    for (size_t i = 0; i < conds->size(); ++i) {
      std::string type = Str((*conds)[i], "type");
      if (type == "PodScheduled" || type == "Ready" || type == "Initialized")
        continue;
      for (std::string& m : IsQualifiedName(type)) {
        errs.push_back(Invalid(Child(Index("metadata.conditions", i), "Type"),
                               type, std::move(m)));
      }
    }
  }
  std::string nominated = Str(status, "nominatedNodeName");
  if (!nominated.empty() && nominated != Str(old_status, "nominatedNodeName")) {
    AddNameErrors(NameRule::kDNS1123Subdomain, "status.nominatedNodeName",
                  nominated, errs);
  }
  if (Str(status, "qosClass") != Str(old_status, "qosClass")) {
    errs.push_back(Invalid("status.qosClass", Str(status, "qosClass"),
                           "field is immutable"));
  }
  // A pod that may not restart may not bring terminated containers back.
  std::string restart =
      Str(Obj(old, "spec") ? old["spec"] : kEmpty, "restartPolicy");
  const Json* before = Arr(old_status, "containerStatuses");
  const Json* now = Arr(status, "containerStatuses");
  for (size_t i = 0; restart != "Always" && before && i < before->size(); ++i) {
    const Json* state = Obj((*before)[i], "state");
    const Json* term = state ? Obj(*state, "terminated") : nullptr;
    if (term == nullptr) continue;
    if (IntField(*term, "exitCode") != 0 && restart == "OnFailure") continue;
    for (size_t j = 0; now && j < now->size(); ++j) {
      const Json* ns = Obj((*now)[j], "state");
      if (Str((*now)[j], "name") == Str((*before)[i], "name") &&
          (ns == nullptr || Obj(*ns, "terminated") == nullptr)) {
        errs.push_back(
            Forbidden(Child(Index("status.containerStatuses", i), "state"),
                      "may not be transitioned to non-terminated state"));
      }
    }
  }
  if (const Json* ips = Arr(status, "podIPs")) {
    for (size_t i = 0; i < ips->size(); ++i) {
      Append(errs, ValidateIP(Index("status.podIPs", i), Str((*ips)[i], "ip")));
    }
  }
  return errs;
}

}  // namespace

const Strategy& PodStrategyInstance() {
  static const PodStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
