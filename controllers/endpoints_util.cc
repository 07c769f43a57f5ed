#include "controllers/endpoints_util.h"

#include <algorithm>
#include <iterator>

namespace ksim::controllers {

using base::Json;

namespace {

// podEndpointsChanged: {the pod's endpoint may differ, its service
// membership may differ}.
std::pair<bool, bool> PodEndpointsChanged(const Json& old_pod,
                                          const Json& pod) {
  bool labels_changed = StringMapAt(old_pod, {"metadata", "labels"}) !=
                            StringMapAt(pod, {"metadata", "labels"}) ||
                        base::GetString(old_pod, {"spec", "hostname"}) !=
                            base::GetString(pod, {"spec", "hostname"}) ||
                        base::GetString(old_pod, {"spec", "subdomain"}) !=
                            base::GetString(pod, {"spec", "subdomain"});
  bool pod_changed =
      base::GetString(old_pod, {"metadata", "deletionTimestamp"}) !=
          base::GetString(pod, {"metadata", "deletionTimestamp"}) ||
      IsPodReady(old_pod) != IsPodReady(pod) || PodIPs(old_pod) != PodIPs(pod);
  return {pod_changed, labels_changed};
}

const Json* ReadyCondition(const Json& pod) {
  const Json* conditions = base::Find(pod, {"status", "conditions"});
  if (conditions == nullptr || !conditions->is_array()) return nullptr;
  for (const Json& c : *conditions) {
    if (base::GetString(c, {"type"}) == "Ready") return &c;
  }
  return nullptr;
}

}  // namespace

bool IsPodReady(const Json& pod) {
  const Json* ready = ReadyCondition(pod);
  return ready != nullptr && base::GetString(*ready, {"status"}) == "True";
}

bool IsTerminating(const Json& obj) {
  const Json* ts = base::Find(obj, {"metadata", "deletionTimestamp"});
  return ts != nullptr && !ts->is_null();
}

std::vector<std::string> PodIPs(const Json& pod) {
  std::vector<std::string> ips;
  const Json* list = base::Find(pod, {"status", "podIPs"});
  if (list != nullptr && list->is_array()) {
    for (const Json& ip : *list) {
      std::string s = base::GetString(ip, {"ip"});
      if (!s.empty()) ips.push_back(std::move(s));
    }
  }
  if (ips.empty()) {
    std::string ip = base::GetString(pod, {"status", "podIP"});
    if (!ip.empty()) ips.push_back(std::move(ip));
  }
  return ips;
}

bool ShouldPodBeInEndpoints(const Json& pod, bool include_terminating) {
  std::string phase = base::GetString(pod, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") return false;
  if (PodIPs(pod).empty()) return false;
  return include_terminating || !IsTerminating(pod);
}

bool ShouldSetHostname(const Json& pod, const Json& service) {
  std::string hostname = base::GetString(pod, {"spec", "hostname"});
  return !hostname.empty() &&
         base::GetString(pod, {"spec", "subdomain"}) ==
             base::GetString(service, {"metadata", "name"}) &&
         base::GetString(pod, {"metadata", "namespace"}) ==
             base::GetString(service, {"metadata", "namespace"});
}

bool IsServiceIPSet(const Json& service) {
  std::string ip = base::GetString(service, {"spec", "clusterIP"});
  return !ip.empty() && ip != "None";
}

bool IsIPv6(const std::string& ip) { return ip.find(':') != std::string::npos; }

Labels StringMapAt(const Json& obj,
                   std::initializer_list<std::string_view> path) {
  Labels out;
  const Json* m = base::Find(obj, path);
  if (m == nullptr || !m->is_object()) return out;
  for (auto it = m->begin(); it != m->end(); ++it) {
    if (it.value().is_string()) out[it.key()] = it.value().get<std::string>();
  }
  return out;
}

std::optional<Labels> ServiceSelector(const Json& service) {
  Labels selector = StringMapAt(service, {"spec", "selector"});
  if (selector.empty()) return std::nullopt;
  return selector;
}

bool SelectorMatches(const Labels& selector, const Labels& labels) {
  for (const auto& [k, v] : selector) {
    auto it = labels.find(k);
    if (it == labels.end() || it->second != v) return false;
  }
  return true;
}

bool PodMatches(const Labels& selector, const Json& pod) {
  const Json* labels = base::Find(pod, {"metadata", "labels"});
  if (labels == nullptr || !labels->is_object()) return selector.empty();
  for (const auto& [k, v] : selector) {
    auto it = labels->find(k);
    if (it == labels->end() || !it->is_string() ||
        it->get_ref<const std::string&>() != v) {
      return false;
    }
  }
  return true;
}

void AddPodLabelIndex(client::Informer* pods) {
  pods->AddIndex(kPodsByLabel, [](const Json& pod) {
    std::vector<std::string> out;
    const Json* labels = base::Find(pod, {"metadata", "labels"});
    if (labels == nullptr || !labels->is_object()) return out;
    std::string prefix = base::GetString(pod, {"metadata", "namespace"}) + "/";
    for (const auto& [k, v] : labels->items()) {
      if (v.is_string()) {
        out.push_back(prefix + k + "=" + v.get_ref<const std::string&>());
      }
    }
    return out;
  });
}

std::vector<client::ObjectPtr> SelectPods(const client::Informer& pods,
                                          const std::string& ns,
                                          const Labels& selector) {
  std::string best;
  size_t best_count = 0;
  for (const auto& [k, v] : selector) {
    std::string value = ns + "/" + k + "=" + v;
    size_t n = pods.IndexCount(kPodsByLabel, value);
    if (best.empty() || n < best_count) {
      best = std::move(value);
      best_count = n;
    }
    if (n == 0) break;
  }
  std::vector<client::ObjectPtr> out;
  if (best_count == 0) return out;
  for (client::ObjectPtr& p : pods.ByIndex(kPodsByLabel, best)) {
    if (PodMatches(selector, *p)) out.push_back(std::move(p));
  }
  return out;
}

namespace {
std::string PairKey(const std::string& ns, const std::string& k,
                    const std::string& v) {
  return ns + "/" + k + "=" + v;
}
}  // namespace

void ServiceSelectorIndex::Upsert(const Json& service) {
  std::string ns = base::GetString(service, {"metadata", "namespace"});
  std::string name = base::GetString(service, {"metadata", "name"});
  std::optional<Labels> selector = ServiceSelector(service);
  Unindex(ns, name);
  if (!selector) return;  // selects nothing (ServiceSelector is never empty)
  const auto& [k, v] = *selector->begin();
  by_first_pair_[PairKey(ns, k, v)].insert(name);
  by_namespace_[ns][name] = std::move(*selector);
}

void ServiceSelectorIndex::Remove(const Json& service) {
  Unindex(base::GetString(service, {"metadata", "namespace"}),
          base::GetString(service, {"metadata", "name"}));
}

void ServiceSelectorIndex::Unindex(const std::string& ns,
                                   const std::string& name) {
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return;
  auto svc = it->second.find(name);
  if (svc == it->second.end()) return;
  const auto& [k, v] = *svc->second.begin();
  auto pair = by_first_pair_.find(PairKey(ns, k, v));
  if (pair != by_first_pair_.end()) {
    pair->second.erase(name);
    if (pair->second.empty()) by_first_pair_.erase(pair);
  }
  it->second.erase(svc);
  if (it->second.empty()) by_namespace_.erase(it);
}

std::set<std::string> ServiceSelectorIndex::ServicesFor(
    const std::string& ns, const Labels& labels) const {
  std::set<std::string> keys;
  auto it = by_namespace_.find(ns);
  if (it == by_namespace_.end()) return keys;
  // A selector that matches has its first pair among the labels.
  for (const auto& [k, v] : labels) {
    auto pair = by_first_pair_.find(PairKey(ns, k, v));
    if (pair == by_first_pair_.end()) continue;
    for (const std::string& name : pair->second) {
      auto svc = it->second.find(name);
      if (svc != it->second.end() && SelectorMatches(svc->second, labels)) {
        keys.insert(ns + "/" + name);
      }
    }
  }
  return keys;
}

std::set<std::string> ServiceSelectorIndex::ServicesForPod(
    const Json& pod) const {
  return ServicesFor(base::GetString(pod, {"metadata", "namespace"}),
                     StringMapAt(pod, {"metadata", "labels"}));
}

std::set<std::string> ServiceSelectorIndex::ServicesForPodUpdate(
    const Json& old_pod, const Json& pod) const {
  if (base::GetString(old_pod, {"metadata", "resourceVersion"}) ==
      base::GetString(pod, {"metadata", "resourceVersion"})) {
    return {};
  }
  auto [pod_changed, labels_changed] = PodEndpointsChanged(old_pod, pod);
  if (!pod_changed && !labels_changed) return {};
  std::set<std::string> now = ServicesForPod(pod);
  if (!labels_changed) return now;
  std::set<std::string> before = ServicesForPod(old_pod);
  std::set<std::string> out;
  if (pod_changed) {
    std::set_union(now.begin(), now.end(), before.begin(), before.end(),
                   std::inserter(out, out.end()));
  } else {
    std::set_symmetric_difference(now.begin(), now.end(), before.begin(),
                                  before.end(), std::inserter(out, out.end()));
  }
  return out;
}

std::optional<base::Time> TriggerTimeTracker::Compute(
    const std::string& key, const Json& service,
    const std::vector<const Json*>& pods) {
  auto found = states_.find(key);
  bool was_known = found != states_.end();
  State& state = states_[key];
  std::optional<base::Time> min_changed;
  auto note = [&min_changed](base::Time t) {
    if (!min_changed || t < *min_changed) min_changed = t;
  };
  std::map<std::string, base::Time> pod_times;
  for (const Json* pod : pods) {
    const Json* ready = ReadyCondition(*pod);
    if (ready == nullptr) continue;
    std::optional<base::Time> t =
        base::ParseRfc3339(base::GetString(*ready, {"lastTransitionTime"}));
    if (!t) continue;
    std::string name = base::GetString(*pod, {"metadata", "name"});
    auto last = state.pod_times.find(name);
    if (last == state.pod_times.end() || *t > last->second) note(*t);
    pod_times[name] = *t;
  }
  std::optional<base::Time> created = base::ParseRfc3339(
      base::GetString(service, {"metadata", "creationTimestamp"}));
  if (created && (!state.service_time || *created > *state.service_time)) {
    note(*created);
  }
  state.pod_times = std::move(pod_times);
  state.service_time = created;
  if (!was_known) return created;
  return min_changed;
}

}  // namespace ksim::controllers
