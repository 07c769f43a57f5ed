#include "scenario/checks.h"

#include "scenario/jsonpath.h"

namespace ksim::scenario {
namespace {

using base::Json;

std::string Num(double v) {
  char buf[64];
  std::snprintf(buf, sizeof buf, "%.6g", v);
  return buf;
}

bool HasCondition(const Json& obj, const std::string& type,
                  const std::string& status) {
  const Json* conds = base::Find(obj, {"status", "conditions"});
  if (!conds || !conds->is_array()) return false;
  for (const auto& c : *conds) {
    if (c.value("type", "") == type) return c.value("status", "") == status;
  }
  return false;
}

std::string ConditionStatus(const Json& obj, const std::string& type) {
  const Json* conds = base::Find(obj, {"status", "conditions"});
  if (!conds || !conds->is_array()) return "(none)";
  for (const auto& c : *conds) {
    if (c.value("type", "") == type) return c.value("status", "");
  }
  return "(none)";
}

std::string ListNs(const ObjectRef& r) { return r.ns == "*" ? "" : r.ns; }

base::StatusOr<std::vector<Json>> Matching(const ObjectRef& r,
                                           client::Client* client) {
  if (!r.name.empty()) {
    auto got = client->Get(r.resource, r.ns, r.name);
    if (!got.ok()) {
      if (got.status().code() == base::Code::kNotFound) {
        return std::vector<Json>{};
      }
      return got.status();
    }
    return std::vector<Json>{*got};
  }
  client::ListOptions o;
  o.label_selector = r.selector;
  o.field_selector = r.field_selector;
  auto l = client->List(r.resource, ListNs(r), o);
  if (!l.ok()) return l.status();
  return std::move(l->items);
}

CheckOutcome Count(const Check& c, client::Client* client) {
  auto items = Matching(c.ref, client);
  if (!items.ok()) return {false, items.status().message()};
  int64_t n = 0;
  for (const Json& o : *items) {
    if (c.ref.resource.kind != "Pod" || PodMatches(o, c.phase, c.ready)) ++n;
  }
  return {c.bound.Holds(static_cast<double>(n)),
          std::to_string(n) + " " + c.ref.resource.resource};
}

// Ready and not-ready addresses of one Service's Endpoints, or summed over
// the Endpoints a selector picks.
CheckOutcome Endpoints(const Check& c, client::Client* client) {
  auto items = Matching(c.ref, client);
  if (!items.ok()) return {false, items.status().message()};
  int64_t ready = 0, not_ready = 0;
  for (const Json& ep : *items) {
    const Json* subsets = base::Find(ep, {"subsets"});
    if (!subsets || !subsets->is_array()) continue;
    for (const Json& s : *subsets) {
      if (const Json* a = base::Find(s, {"addresses"})) ready += a->size();
      if (const Json* a = base::Find(s, {"notReadyAddresses"})) {
        not_ready += a->size();
      }
    }
  }
  return {c.bound.Holds(static_cast<double>(ready)),
          std::to_string(ready) + " ready, " + std::to_string(not_ready) +
              " not ready"};
}

CheckOutcome JsonPathValue(const Check& c, client::Client* client) {
  auto got = client->Get(c.ref.resource, c.ref.ns, c.ref.name);
  if (!got.ok()) return {false, got.status().message()};
  auto text = JsonPathText(*got, c.jsonpath);
  if (!text.ok()) return {false, text.status().message()};
  if (c.equals) return {*text == *c.equals, "\"" + *text + "\""};
  char* end = nullptr;
  double v = std::strtod(text->c_str(), &end);
  if (text->empty() || end == nullptr || *end != '\0') {
    return {false, "\"" + *text + "\" (not a number)"};
  }
  return {c.bound.Holds(v), Num(v)};
}

CheckOutcome DeploymentAvailable(const Check& c, client::Client* client) {
  auto d = client->Get(client::kDeployments, c.ref.ns, c.ref.name);
  if (!d.ok()) return {false, d.status().message()};
  int64_t want = base::GetInt(*d, {"spec", "replicas"}, 1);
  int64_t gen = base::GetInt(*d, {"metadata", "generation"});
  int64_t observed = base::GetInt(*d, {"status", "observedGeneration"});
  int64_t total = base::GetInt(*d, {"status", "replicas"});
  int64_t updated = base::GetInt(*d, {"status", "updatedReplicas"});
  int64_t ready = base::GetInt(*d, {"status", "readyReplicas"});
  int64_t available = base::GetInt(*d, {"status", "availableReplicas"});
  // What `kubectl rollout status` waits for, plus the Available condition.
  bool ok = observed >= gen && updated == want && total == want &&
            available == want && ready == want &&
            HasCondition(*d, "Available", "True");
  return {ok, std::to_string(updated) + " updated, " + std::to_string(ready) +
                  " ready, " + std::to_string(available) + " available of " +
                  std::to_string(want) + " (" + std::to_string(total) +
                  " total)"};
}

}  // namespace

bool PodMatches(const Json& pod, const std::string& phase,
                std::optional<bool> ready) {
  bool terminating = base::Find(pod, {"metadata", "deletionTimestamp"});
  if (phase == "Terminating") {
    if (!terminating) return false;
  } else {
    if (terminating) return false;
    if (!phase.empty() && base::GetString(pod, {"status", "phase"}) != phase) {
      return false;
    }
  }
  if (ready && HasCondition(pod, "Ready", "True") != *ready) return false;
  return true;
}

CheckOutcome EvalStateCheck(const Check& c, client::Client* client) {
  switch (c.kind) {
    case Check::Kind::kCount:
      return Count(c, client);
    case Check::Kind::kEndpoints:
      return Endpoints(c, client);
    case Check::Kind::kJsonPath:
      return JsonPathValue(c, client);
    case Check::Kind::kDeploymentAvailable:
      return DeploymentAvailable(c, client);
    case Check::Kind::kNodeReady: {
      auto n = client->Get(client::kNodes, "", c.ref.name);
      if (!n.ok()) return {false, n.status().message()};
      std::string s = ConditionStatus(*n, "Ready");
      return {s == c.status, "Ready=" + s};
    }
    case Check::Kind::kGone: {
      auto items = Matching(c.ref, client);
      if (!items.ok()) return {false, items.status().message()};
      return {items->empty(), std::to_string(items->size()) + " left"};
    }
    default:
      return {false, "not a state check"};
  }
}

}  // namespace ksim::scenario
