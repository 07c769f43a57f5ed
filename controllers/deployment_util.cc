#include "controllers/deployment_util.h"

#include <climits>
#include <cmath>

#include "controllers/controller_utils.h"

namespace ksim::controllers {

namespace {

// kube's maxRevHistoryLengthInChars.
constexpr size_t kMaxRevHistoryLength = 2000;

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  size_t pos = 0;
  try {
    int64_t v = std::stoll(s, &pos);
    if (pos != s.size()) return std::nullopt;
    return v;
  } catch (...) {
    return std::nullopt;
  }
}

std::string Annotation(const Json& obj, const char* key) {
  return base::GetString(obj, {"metadata", "annotations", key});
}

Json& Annotations(Json& obj) {
  Json& a = obj["metadata"]["annotations"];
  if (!a.is_object()) a = Json::object();
  return a;
}

}  // namespace

int32_t SpecReplicas(const Json& obj) {
  return static_cast<int32_t>(base::GetInt(obj, {"spec", "replicas"}, 1));
}

int32_t StatusCount(const Json& obj, const char* field) {
  return static_cast<int32_t>(base::GetInt(obj, {"status", field}));
}

bool IsRollingUpdate(const Json& d) {
  return base::GetString(d, {"spec", "strategy", "type"}, "RollingUpdate") ==
         "RollingUpdate";
}

bool IsRecreate(const Json& d) {
  return base::GetString(d, {"spec", "strategy", "type"}) == "Recreate";
}

std::optional<int32_t> ScaledValue(const Json& v, int32_t total,
                                   bool round_up) {
  if (v.is_number_integer()) return v.get<int32_t>();
  if (!v.is_string()) return std::nullopt;
  std::string s = v.get<std::string>();
  if (s.empty() || s.back() != '%') return std::nullopt;
  std::optional<int64_t> pct = ParseInt(s.substr(0, s.size() - 1));
  if (!pct) return std::nullopt;
  double scaled = static_cast<double>(*pct) * static_cast<double>(total) / 100;
  return static_cast<int32_t>(round_up ? std::ceil(scaled)
                                       : std::floor(scaled));
}

std::pair<int32_t, int32_t> ResolveFenceposts(const Json& d) {
  const Json* ru = base::Find(d, {"spec", "strategy", "rollingUpdate"});
  auto field = [ru](const char* name) {
    return ru && ru->contains(name) && !(*ru)[name].is_null() ? (*ru)[name]
                                                              : Json(0);
  };
  int32_t desired = SpecReplicas(d);
  int32_t surge = ScaledValue(field("maxSurge"), desired, true).value_or(0);
  int32_t unavailable =
      ScaledValue(field("maxUnavailable"), desired, false).value_or(0);
  // Rounding down may make both zero; then allow one unavailable pod, on
  // the theory that surge might not work because of quota.
  if (surge == 0 && unavailable == 0) unavailable = 1;
  return {surge, unavailable};
}

int32_t MaxSurge(const Json& d) {
  if (!IsRollingUpdate(d)) return 0;
  return ResolveFenceposts(d).first;
}

int32_t MaxUnavailable(const Json& d) {
  int32_t replicas = SpecReplicas(d);
  if (!IsRollingUpdate(d) || replicas == 0) return 0;
  return std::min(ResolveFenceposts(d).second, replicas);
}

int32_t SumSpecReplicas(const std::vector<const Json*>& rss) {
  int32_t n = 0;
  for (const Json* rs : rss) n += rs ? SpecReplicas(*rs) : 0;
  return n;
}

int32_t SumStatus(const std::vector<const Json*>& rss, const char* field) {
  int32_t n = 0;
  for (const Json* rs : rss) n += rs ? StatusCount(*rs, field) : 0;
  return n;
}

int32_t NewRSNewReplicas(const Json& d, const std::vector<const Json*>& all,
                         const Json& new_rs) {
  int32_t desired = SpecReplicas(d);
  if (!IsRollingUpdate(d)) return desired;  // Recreate
  const Json* ms =
      base::Find(d, {"spec", "strategy", "rollingUpdate", "maxSurge"});
  int32_t surge = ms ? ScaledValue(*ms, desired, true).value_or(0) : 0;
  int32_t current = SumSpecReplicas(all);
  int32_t max_total = desired + surge;
  int32_t new_replicas = SpecReplicas(new_rs);
  if (current >= max_total) return new_replicas;
  int32_t up = std::min(max_total - current, desired - new_replicas);
  return new_replicas + up;
}

int64_t RevisionOf(const Json& obj) {
  return ParseInt(Annotation(obj, kRevisionAnnotation)).value_or(0);
}

int64_t MaxRevision(const std::vector<const Json*>& rss) {
  int64_t max = 0;
  for (const Json* rs : rss) max = std::max(max, RevisionOf(*rs));
  return max;
}

static bool SkipCopyAnnotation(const std::string& key) {
  return key == "kubectl.kubernetes.io/last-applied-configuration" ||
         key == kRevisionAnnotation || key == kRevisionHistoryAnnotation ||
         key == kDesiredReplicasAnnotation || key == kMaxReplicasAnnotation ||
         key == "deprecated.deployment.rollback.to";
}

bool SetNewReplicaSetAnnotations(const Json& d, Json& rs,
                                 const std::string& new_revision, bool exists) {
  bool changed = false;
  Json& ann = Annotations(rs);
  const Json* dann = base::Find(d, {"metadata", "annotations"});
  if (dann && dann->is_object()) {
    for (const auto& [k, v] : dann->items()) {
      if (SkipCopyAnnotation(k) || ann.value(k, Json()) == v) continue;
      ann[k] = v;
      changed = true;
    }
  }
  bool had = ann.contains(kRevisionAnnotation);
  std::string old_revision = ann.value(kRevisionAnnotation, "");
  std::optional<int64_t> old_int = ParseInt(old_revision);
  if (!old_int && !old_revision.empty()) return false;
  std::optional<int64_t> new_int = ParseInt(new_revision);
  if (!new_int) return false;
  if (old_int.value_or(0) < *new_int) {
    ann[kRevisionAnnotation] = new_revision;
    changed = true;
    if (had) {
      // A rollback to this RS: keep the revisions it served before.
      std::string history = ann.value(kRevisionHistoryAnnotation, "");
      if (history.empty()) {
        ann[kRevisionHistoryAnnotation] = old_revision;
      } else {
        std::vector<std::string> parts;
        size_t start = 0;
        for (size_t i = 0; i <= history.size(); ++i) {
          if (i == history.size() || history[i] == ',') {
            parts.push_back(history.substr(start, i - start));
            start = i + 1;
          }
        }
        size_t total = history.size() + old_revision.size() + 1;
        size_t first = 0;
        while (total > kMaxRevHistoryLength && first < parts.size()) {
          total -= parts[first].size() + 1;
          ++first;
        }
        if (total <= kMaxRevHistoryLength) {
          std::string joined;
          for (size_t i = first; i < parts.size(); ++i)
            joined += parts[i] + ",";
          ann[kRevisionHistoryAnnotation] = joined + old_revision;
        }
      }
    }
  }
  if (!exists && SetReplicasAnnotations(rs, SpecReplicas(d),
                                        SpecReplicas(d) + MaxSurge(d))) {
    changed = true;
  }
  return changed;
}

bool SetReplicasAnnotations(Json& rs, int32_t desired, int32_t max) {
  bool changed = ReplicasAnnotationsNeedUpdate(rs, desired, max);
  Json& ann = Annotations(rs);
  ann[kDesiredReplicasAnnotation] = std::to_string(desired);
  ann[kMaxReplicasAnnotation] = std::to_string(max);
  return changed;
}

bool ReplicasAnnotationsNeedUpdate(const Json& rs, int32_t desired,
                                   int32_t max) {
  return Annotation(rs, kDesiredReplicasAnnotation) !=
             std::to_string(desired) ||
         Annotation(rs, kMaxReplicasAnnotation) != std::to_string(max);
}

std::optional<int32_t> DesiredReplicasAnnotation(const Json& rs) {
  const Json* v =
      base::Find(rs, {"metadata", "annotations", kDesiredReplicasAnnotation});
  if (v == nullptr || !v->is_string()) return std::nullopt;
  std::optional<int64_t> n = ParseInt(v->get<std::string>());
  if (!n || *n < INT32_MIN || *n > INT32_MAX) return std::nullopt;
  return static_cast<int32_t>(*n);
}

bool SetDeploymentRevision(Json& d, const std::string& revision) {
  Json& ann = Annotations(d);
  if (ann.value(kRevisionAnnotation, Json()) == revision) return false;
  ann[kRevisionAnnotation] = revision;
  return true;
}

bool EqualIgnoreHash(const Json& t1, const Json& t2) {
  Json a = t1, b = t2;
  for (Json* t : {&a, &b}) {
    if (!t->is_object()) continue;
    Json* labels = t->contains("metadata") && (*t)["metadata"].is_object() &&
                           (*t)["metadata"].contains("labels")
                       ? &(*t)["metadata"]["labels"]
                       : nullptr;
    if (labels && labels->is_object()) labels->erase(kPodTemplateHashLabel);
  }
  return base::SemanticEqual(a, b);
}

bool CreatedBefore(const Json& a, const Json& b) {
  std::string ta = base::GetString(a, {"metadata", "creationTimestamp"});
  std::string tb = base::GetString(b, {"metadata", "creationTimestamp"});
  std::optional<base::Time> pa = base::ParseRfc3339(ta);
  std::optional<base::Time> pb = base::ParseRfc3339(tb);
  if (pa == pb) return NameOf(a) < NameOf(b);
  if (!pa || !pb) return !pa;  // a zero time is before any other
  return *pa < *pb;
}

Json NewDeploymentCondition(const std::string& type, const std::string& status,
                            const std::string& reason,
                            const std::string& message, base::Time now) {
  std::string t = base::FormatRfc3339(now);
  return Json{{"type", type},        {"status", status},
              {"lastUpdateTime", t}, {"lastTransitionTime", t},
              {"reason", reason},    {"message", message}};
}

const Json* GetDeploymentCondition(const Json& status,
                                   const std::string& type) {
  return FindCondition(status, type);
}

void RemoveDeploymentCondition(Json& status, const std::string& type) {
  if (!status.contains("conditions")) return;
  Json kept = Json::array();
  for (const Json& c : status["conditions"]) {
    if (c.value("type", "") != type) kept.push_back(c);
  }
  if (kept.empty()) {
    status.erase("conditions");
  } else {
    status["conditions"] = kept;
  }
}

void SetDeploymentCondition(Json& status, Json condition) {
  std::string type = condition.value("type", "");
  const Json* cur = GetDeploymentCondition(status, type);
  if (cur && cur->value("status", "") == condition.value("status", "") &&
      cur->value("reason", "") == condition.value("reason", "")) {
    return;
  }
  if (cur && cur->value("status", "") == condition.value("status", "")) {
    condition["lastTransitionTime"] = cur->value("lastTransitionTime", Json());
  }
  RemoveDeploymentCondition(status, type);
  status["conditions"].push_back(std::move(condition));
}

bool HasProgressDeadline(const Json& d) {
  const Json* p = base::Find(d, {"spec", "progressDeadlineSeconds"});
  return p && p->is_number_integer() && p->get<int64_t>() != INT32_MAX;
}

bool DeploymentComplete(const Json& d, const Json& status) {
  int32_t want = SpecReplicas(d);
  return status.value("updatedReplicas", 0) == want &&
         status.value("replicas", 0) == want &&
         status.value("availableReplicas", 0) == want &&
         status.value("observedGeneration", int64_t{0}) >= GenerationOf(d);
}

bool DeploymentProgressing(const Json& d, const Json& status) {
  auto old = [&d](const char* f) { return StatusCount(d, f); };
  auto now = [&status](const char* f) { return status.value(f, 0); };
  int32_t old_old = old("replicas") - old("updatedReplicas");
  int32_t new_old = now("replicas") - now("updatedReplicas");
  return now("updatedReplicas") > old("updatedReplicas") || new_old < old_old ||
         now("readyReplicas") > old("readyReplicas") ||
         now("availableReplicas") > old("availableReplicas");
}

bool DeploymentTimedOut(const Json& d, const Json& status, base::Time now) {
  if (!HasProgressDeadline(d)) return false;
  const Json* c = GetDeploymentCondition(status, "Progressing");
  if (c == nullptr) return false;
  std::string reason = c->value("reason", "");
  if (reason == kNewRSAvailableReason) return false;
  if (reason == kTimedOutReason) return true;
  std::optional<base::Time> from =
      base::ParseRfc3339(c->value("lastUpdateTime", ""));
  if (!from) return false;
  auto deadline = std::chrono::seconds(
      base::GetInt(d, {"spec", "progressDeadlineSeconds"}));
  return *from + deadline < now;
}

bool IsSaturated(const Json& d, const Json* rs) {
  if (rs == nullptr) return false;
  std::optional<int64_t> desired =
      ParseInt(Annotation(*rs, kDesiredReplicasAnnotation));
  if (!desired) return false;
  int32_t want = SpecReplicas(d);
  return SpecReplicas(*rs) == want && *desired == want &&
         StatusCount(*rs, "availableReplicas") == want;
}

}  // namespace ksim::controllers
