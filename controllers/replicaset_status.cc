// ReplicaSet status: replica_set_utils.go calculateStatus and
// updateReplicaSetStatus (v1.32).
#include "controllers/replicaset.h"

namespace ksim::controllers {

namespace {

// Go's omitempty: zero counts are not sent (replicas always is).
void SetCount(Json& status, const char* field, int64_t n) {
  if (n == 0) {
    status.erase(field);
  } else {
    status[field] = n;
  }
}

Json ConditionsOrEmpty(const Json& status) {
  const Json* c = base::Find(status, {"conditions"});
  return c && c->is_array() ? *c : Json::array();
}

}  // namespace

Json ReplicaSetController::CalculateStatus(
    const Json& rs, const std::vector<ObjectPtr>& pods,
    const std::string& manage_error) const {
  const Json* cur = base::Find(rs, {"status"});
  Json status = cur && cur->is_object() ? *cur : Json::object();
  apiserver::StringMap template_labels =
      StringMapOf(rs, {"spec", "template", "metadata", "labels"});
  apiserver::LabelSelector template_sel =
      apiserver::LabelSelector::FromSet(template_labels);
  int64_t min_ready = base::GetInt(rs, {"spec", "minReadySeconds"});
  base::Time now = ctx_.clock->Now();
  int64_t fully_labeled = 0, ready = 0, available = 0;
  for (const ObjectPtr& pod : pods) {
    if (template_sel.Matches(LabelsOf(*pod))) ++fully_labeled;
    if (PodIsReady(*pod)) {
      ++ready;
      if (IsPodAvailable(*pod, min_ready, now)) ++available;
    }
  }
  const Json* failure = FindCondition(status, "ReplicaFailure");
  if (!manage_error.empty() && failure == nullptr) {
    int64_t want = base::GetInt(rs, {"spec", "replicas"}, 1);
    int64_t diff = static_cast<int64_t>(pods.size()) - want;
    std::string reason = diff < 0   ? "FailedCreate"
                         : diff > 0 ? "FailedDelete"
                                    : "";
    Json conds = ConditionsOrEmpty(status);
    conds.push_back({{"type", "ReplicaFailure"},
                     {"status", "True"},
                     {"lastTransitionTime", base::FormatRfc3339(now)},
                     {"reason", reason},
                     {"message", manage_error}});
    status["conditions"] = conds;
  } else if (manage_error.empty() && failure != nullptr) {
    Json conds = Json::array();
    for (const Json& c : ConditionsOrEmpty(status)) {
      if (c.value("type", "") != "ReplicaFailure") conds.push_back(c);
    }
    if (conds.empty()) {
      status.erase("conditions");
    } else {
      status["conditions"] = conds;
    }
  }
  status["replicas"] = static_cast<int64_t>(pods.size());
  SetCount(status, "fullyLabeledReplicas", fully_labeled);
  SetCount(status, "readyReplicas", ready);
  SetCount(status, "availableReplicas", available);
  return status;
}

void ReplicaSetController::UpdateStatus(const Json& rs, const Json& status) {
  const Json* cur = base::Find(rs, {"status"});
  Json old = cur && cur->is_object() ? *cur : Json::object();
  auto count = [](const Json& s, const char* f) {
    return s.value(f, int64_t{0});
  };
  int64_t generation = GenerationOf(rs);
  if (count(old, "replicas") == count(status, "replicas") &&
      count(old, "fullyLabeledReplicas") ==
          count(status, "fullyLabeledReplicas") &&
      count(old, "readyReplicas") == count(status, "readyReplicas") &&
      count(old, "availableReplicas") == count(status, "availableReplicas") &&
      count(old, "observedGeneration") == generation &&
      ConditionsOrEmpty(old) == ConditionsOrEmpty(status)) {
    return;  // no-op writes are skipped
  }
  Json updated = rs;
  updated["status"] = status;
  SetCount(updated["status"], "observedGeneration", generation);
  std::string key = client::KeyOf(rs);
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->UpdateStatus(
      client::kReplicaSets, std::move(updated),
      [this, alive, key](base::StatusOr<Json> r) {
        if (alive.expired() || r.ok()) return;
        if (r.status().code() == base::Code::kNotFound) return;
        queue_->AddRateLimited(key);  // a conflict: retry on fresh state
      });
}

}  // namespace ksim::controllers
