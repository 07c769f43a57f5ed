#include "controllers/controller_utils.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <set>

namespace ksim::controllers {

std::string NameOf(const Json& obj) {
  return base::GetString(obj, {"metadata", "name"});
}
std::string NamespaceOf(const Json& obj) {
  return base::GetString(obj, {"metadata", "namespace"});
}
std::string UidOf(const Json& obj) {
  return base::GetString(obj, {"metadata", "uid"});
}
int64_t GenerationOf(const Json& obj) {
  return base::GetInt(obj, {"metadata", "generation"});
}
bool IsBeingDeleted(const Json& obj) {
  const Json* t = base::Find(obj, {"metadata", "deletionTimestamp"});
  return t != nullptr && !t->is_null();
}

apiserver::StringMap StringMapOf(const Json& obj,
                                 std::initializer_list<std::string_view> path) {
  apiserver::StringMap out;
  const Json* m = base::Find(obj, path);
  if (m == nullptr || !m->is_object()) return out;
  for (const auto& [k, v] : m->items()) {
    if (v.is_string()) out[k] = v.get<std::string>();
  }
  return out;
}

apiserver::StringMap LabelsOf(const Json& obj) {
  return StringMapOf(obj, {"metadata", "labels"});
}

std::optional<base::Time> CreationTimeOf(const Json& obj) {
  std::string s = base::GetString(obj, {"metadata", "creationTimestamp"});
  if (s.empty()) return std::nullopt;
  return base::ParseRfc3339(s);
}

const Json* ControllerOf(const Json& obj) {
  const Json* refs = base::Find(obj, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return nullptr;
  for (const Json& r : *refs) {
    if (r.is_object() && r.value("controller", false)) return &r;
  }
  return nullptr;
}

Json NewControllerRef(const Json& owner, const std::string& api_version,
                      const std::string& kind) {
  return Json{{"apiVersion", api_version}, {"kind", kind},
              {"name", NameOf(owner)},     {"uid", UidOf(owner)},
              {"controller", true},        {"blockOwnerDeletion", true}};
}

Json AdoptPatch(const Json& obj, const Json& controller_ref) {
  return Json{{"metadata",
               {{"ownerReferences", Json::array({controller_ref})},
                {"uid", UidOf(obj)}}}};
}

Json ReleasePatch(const Json& obj, const std::string& owner_uid) {
  Json del = {{"$patch", "delete"}, {"uid", owner_uid}};
  return Json{{"metadata",
               {{"ownerReferences", Json::array({del})}, {"uid", UidOf(obj)}}}};
}

apiserver::LabelSelector SpecSelectorOf(const Json& obj) {
  const Json* sel = base::Find(obj, {"spec", "selector"});
  if (sel == nullptr) return apiserver::LabelSelector::Nothing();
  auto parsed = apiserver::LabelSelector::FromJson(*sel);
  if (!parsed.ok()) return apiserver::LabelSelector::Nothing();
  return std::move(parsed).value();
}

bool IsEmptySelectorObject(const Json* selector) {
  if (selector == nullptr || !selector->is_object()) return false;
  for (const auto& [k, v] : selector->items()) {
    if (!v.is_null() && !v.empty()) return false;
  }
  return true;
}

bool IsPodActive(const Json& pod) {
  std::string phase = base::GetString(pod, {"status", "phase"});
  return phase != "Succeeded" && phase != "Failed" && !IsBeingDeleted(pod);
}

const Json* FindCondition(const Json& status, const std::string& type) {
  const Json* conds = base::Find(status, {"conditions"});
  if (conds == nullptr || !conds->is_array()) return nullptr;
  for (const Json& c : *conds) {
    if (c.is_object() && c.value("type", "") == type) return &c;
  }
  return nullptr;
}

static const Json* ReadyCondition(const Json& pod) {
  const Json* status = base::Find(pod, {"status"});
  return status == nullptr ? nullptr : FindCondition(*status, "Ready");
}

bool PodIsReady(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  return c != nullptr && c->value("status", "") == "True";
}

std::optional<base::Time> PodReadyTime(const Json& pod) {
  const Json* c = ReadyCondition(pod);
  if (c == nullptr || c->value("status", "") != "True") return std::nullopt;
  std::string t = c->value("lastTransitionTime", "");
  if (t.empty()) return std::nullopt;
  return base::ParseRfc3339(t);
}

bool IsPodAvailable(const Json& pod, int64_t min_ready_seconds,
                    base::Time now) {
  if (!PodIsReady(pod)) return false;
  if (min_ready_seconds == 0) return true;
  std::optional<base::Time> ready = PodReadyTime(pod);
  return ready.has_value() &&
         *ready + std::chrono::seconds(min_ready_seconds) < now;
}

std::string PodKey(const Json& pod) {
  return client::MakeKey(NamespaceOf(pod), NameOf(pod));
}

namespace {

int PhaseOrdinal(const Json& pod) {
  std::string phase = base::GetString(pod, {"status", "phase"});
  if (phase == "Unknown") return 1;
  if (phase == "Running") return 2;
  return 0;  // Pending, and phases the map does not list
}

// helper.GetDeletionCostFromPodAnnotations: an invalid value counts as 0.
int64_t DeletionCost(const Json& pod) {
  std::string v =
      base::GetString(pod, {"metadata", "annotations",
                            "controller.kubernetes.io/pod-deletion-cost"});
  if (v.empty()) return 0;
  size_t pos = 0;
  try {
    int64_t cost = std::stoll(v, &pos);
    if (pos != v.size() || cost < INT32_MIN || cost > INT32_MAX) return 0;
    return cost;
  } catch (...) {
    return 0;
  }
}

// afterOrZero: a zero time sorts first, then the later time.
bool AfterOrZero(const std::optional<base::Time>& a,
                 const std::optional<base::Time>& b) {
  if (!a || !b) return !a;
  return *a > *b;
}

int64_t LogRank(base::Time t, base::Time now) {
  auto d = (now - t).count();
  return d > 0 ? static_cast<int64_t>(std::log2(static_cast<double>(d))) : -1;
}

// Compares two times as Less does with LogarithmicScaleDown: by the power
// of two of their age, ties broken by UID. Returns nullopt when equal.
std::optional<bool> CompareTimes(const std::optional<base::Time>& a,
                                 const std::optional<base::Time>& b,
                                 const Json& pa, const Json& pb,
                                 base::Time now) {
  if (a == b) return std::nullopt;
  if (!a || !b) return AfterOrZero(a, b);
  int64_t diff = LogRank(*a, now) - LogRank(*b, now);
  if (diff == 0) return UidOf(pa) < UidOf(pb);
  return diff < 0;
}

std::pair<int64_t, int64_t> MaxRestarts(const Json& pod) {
  int64_t regular = 0, sidecar = 0;
  const Json* st = base::Find(pod, {"status", "containerStatuses"});
  if (st && st->is_array()) {
    for (const Json& c : *st)
      regular = std::max(regular, c.value("restartCount", int64_t{0}));
  }
  std::set<std::string> sidecars;
  const Json* init = base::Find(pod, {"spec", "initContainers"});
  if (init && init->is_array()) {
    for (const Json& c : *init) {
      if (c.value("restartPolicy", "") == "Always")
        sidecars.insert(c.value("name", ""));
    }
  }
  const Json* ist = base::Find(pod, {"status", "initContainerStatuses"});
  if (ist && ist->is_array()) {
    for (const Json& c : *ist) {
      if (sidecars.count(c.value("name", ""))) {
        sidecar = std::max(sidecar, c.value("restartCount", int64_t{0}));
      }
    }
  }
  return {regular, sidecar};
}

}  // namespace

bool DeletePodBefore(const Json& a, int ra, const Json& b, int rb,
                     base::Time now) {
  std::string na = base::GetString(a, {"spec", "nodeName"});
  std::string nb = base::GetString(b, {"spec", "nodeName"});
  if (na != nb && (na.empty() || nb.empty())) return na.empty();
  if (PhaseOrdinal(a) != PhaseOrdinal(b))
    return PhaseOrdinal(a) < PhaseOrdinal(b);
  bool ready_a = PodIsReady(a), ready_b = PodIsReady(b);
  if (ready_a != ready_b) return !ready_a;
  if (DeletionCost(a) != DeletionCost(b))
    return DeletionCost(a) < DeletionCost(b);
  if (ra != rb) return ra > rb;
  if (ready_a && ready_b) {
    if (auto r = CompareTimes(PodReadyTime(a), PodReadyTime(b), a, b, now)) {
      return *r;
    }
  }
  auto [reg_a, side_a] = MaxRestarts(a);
  auto [reg_b, side_b] = MaxRestarts(b);
  if (reg_a != reg_b) return reg_a > reg_b;
  if (side_a != side_b) return side_a > side_b;
  if (auto r = CompareTimes(CreationTimeOf(a), CreationTimeOf(b), a, b, now)) {
    return *r;
  }
  return false;
}

std::vector<ObjectPtr> PodsToDelete(std::vector<ObjectPtr> pods,
                                    const std::vector<ObjectPtr>& related,
                                    int diff, base::Time now) {
  diff = std::min<int>(diff, static_cast<int>(pods.size()));
  if (diff < static_cast<int>(pods.size())) {
    std::map<std::string, int> on_node;
    for (const ObjectPtr& p : related) {
      if (IsPodActive(*p)) ++on_node[base::GetString(*p, {"spec", "nodeName"})];
    }
    std::vector<std::pair<ObjectPtr, int>> ranked;
    for (const ObjectPtr& p : pods) {
      ranked.emplace_back(p,
                          on_node[base::GetString(*p, {"spec", "nodeName"})]);
    }
    // Stable, so that equal pods keep the informer's (key) order.
    std::stable_sort(
        ranked.begin(), ranked.end(), [now](const auto& x, const auto& y) {
          return DeletePodBefore(*x.first, x.second, *y.first, y.second, now);
        });
    for (size_t i = 0; i < pods.size(); ++i) pods[i] = ranked[i].first;
  }
  pods.resize(diff);
  return pods;
}

bool HasNamespaceTerminatingCause(const base::Status& st) {
  if (st.details() == nullptr) return false;
  for (const auto& c : st.details()->causes) {
    if (c.reason == "NamespaceTerminating") return true;
  }
  return false;
}

ObjectPtr ResolveControllerRef(const client::Informer& owners,
                               const std::string& kind, const std::string& ns,
                               const Json* ref) {
  if (ref == nullptr || ref->value("kind", "") != kind) return nullptr;
  ObjectPtr owner = owners.Get(ns, ref->value("name", ""));
  if (owner == nullptr || UidOf(*owner) != ref->value("uid", "")) {
    return nullptr;
  }
  return owner;
}

std::vector<ObjectPtr> OwnersSelecting(const client::Informer& owners,
                                       const Json& obj) {
  std::vector<ObjectPtr> out;
  apiserver::StringMap labels = LabelsOf(obj);
  if (labels.empty()) return out;
  for (const ObjectPtr& owner : owners.List(NamespaceOf(obj))) {
    apiserver::LabelSelector sel = SpecSelectorOf(*owner);
    if (!sel.Empty() && sel.Matches(labels)) out.push_back(owner);
  }
  return out;
}

}  // namespace ksim::controllers
