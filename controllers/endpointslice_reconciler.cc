#include "controllers/endpointslice_reconciler.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "controllers/endpoints_util.h"
#include "controllers/endpointslice_objects.h"

namespace ksim::controllers {

using base::Json;

namespace {

// Desired endpoints of one port mapping by EndpointKey; kube pops them in
// map order (random), we in key order.
using EndpointSet = std::map<std::string, Json>;

// What reconcileByPortMapping works on: copies of the slices it changes.
struct PortMapping {
  std::map<std::string, Json> by_name;
  std::set<std::string> unchanged, to_update, to_delete;
};

// Step 1: keep the existing slices' endpoints that are still desired (in
// their desired state), marking slices whose endpoints or labels changed.
void KeepDesired(const Json& svc, const std::vector<const Json*>& existing,
                 EndpointSet& desired, PortMapping& pm) {
  for (const Json* slice : existing) {
    std::string name = base::GetString(*slice, {"metadata", "name"});
    pm.by_name[name] = *slice;
    Json kept = Json::array();
    bool updated = false;
    const Json* eps = base::Find(*slice, {"endpoints"});
    size_t had = EndpointCount(*slice);
    for (size_t i = 0; i < had; ++i) {
      auto it = desired.find(EndpointKey((*eps)[i]));
      if (it == desired.end()) continue;
      if (!EndpointsEqualBeyondHash(it->second, (*eps)[i])) updated = true;
      kept.push_back(std::move(it->second));
      desired.erase(it);
    }
    bool labels_changed = false;
    Labels labels = SliceLabels(*slice, svc, &labels_changed);
    if (updated || kept.size() != had) {
      if (kept.empty()) {
        pm.to_delete.insert(name);
        continue;
      }
      pm.by_name[name]["endpoints"] = std::move(kept);
      pm.by_name[name]["metadata"]["labels"] = labels;
      pm.to_update.insert(name);
    } else if (labels_changed) {
      pm.by_name[name]["metadata"]["labels"] = labels;
      pm.to_update.insert(name);
    } else {
      pm.unchanged.insert(name);
    }
  }
}

void Fill(Json& slice, EndpointSet& desired, size_t max) {
  if (!slice["endpoints"].is_array()) slice["endpoints"] = Json::array();
  while (!desired.empty() && slice["endpoints"].size() < max) {
    slice["endpoints"].push_back(std::move(desired.begin()->second));
    desired.erase(desired.begin());
  }
}

// getSliceToFill: the unchanged slice closest to full once `n` endpoints
// are added; empty when none has room.
std::string SliceToFill(const PortMapping& pm, size_t n, size_t max) {
  size_t closest = max;
  std::string best;
  for (const std::string& name : pm.unchanged) {
    size_t have = EndpointCount(pm.by_name.at(name));
    if (n + have > max) continue;
    size_t diff = max - (n + have);
    if (diff < closest) {
      closest = diff;
      best = name;
      if (diff == 0) break;
    }
  }
  return best;
}

// reconcileByPortMapping.
void PlanPortMapping(const Json& svc, const std::vector<const Json*>& existing,
                     EndpointSet desired, const Json& ports,
                     const std::string& address_type, size_t max,
                     EndpointSlicePlan* plan) {
  PortMapping pm;
  KeepDesired(svc, existing, desired, pm);
  // Step 2: fill the slices being updated anyway, fullest first.
  if (!desired.empty() && !pm.to_update.empty()) {
    std::vector<std::string> names(pm.to_update.begin(), pm.to_update.end());
    std::stable_sort(names.begin(), names.end(),
                     [&pm](const std::string& a, const std::string& b) {
                       return EndpointCount(pm.by_name[a]) >
                              EndpointCount(pm.by_name[b]);
                     });
    for (const std::string& name : names) Fill(pm.by_name[name], desired, max);
  }
  // Step 3: the rest into an unchanged slice they fit in, else new slices.
  while (!desired.empty()) {
    std::string name;
    if (desired.size() < max && !pm.unchanged.empty()) {
      name = SliceToFill(pm, desired.size(), max);
    }
    if (name.empty()) {
      Json slice = NewSlice(svc, ports, address_type);
      Fill(slice, desired, max);
      plan->to_create.push_back(std::move(slice));
      continue;
    }
    Fill(pm.by_name[name], desired, max);
    pm.to_update.insert(name);
    pm.unchanged.erase(name);
  }
  for (const std::string& name : pm.to_update) {
    plan->to_update.push_back(std::move(pm.by_name[name]));
  }
  for (const std::string& name : pm.to_delete) {
    plan->to_delete.push_back(std::move(pm.by_name[name]));
  }
}

bool HasNamedTargetPort(const Json& svc) {
  const Json* ports = base::Find(svc, {"spec", "ports"});
  if (ports == nullptr || !ports->is_array()) return false;
  for (const Json& p : *ports) {
    const Json* t = base::Find(p, {"targetPort"});
    if (t != nullptr && t->is_string()) return true;
  }
  return false;
}

void SetTriggerTime(Json& slice, std::optional<base::Time> t) {
  Json& meta = slice["metadata"];
  if (t) {
    meta["annotations"][kLastChangeTriggerTimeAnnotation] =
        base::FormatRfc3339(*t);
  } else if (meta.contains("annotations") && meta["annotations"].is_object()) {
    meta["annotations"].erase(kLastChangeTriggerTimeAnnotation);
    if (meta["annotations"].empty()) meta.erase("annotations");
  }
}

// finalize's first step: a slice to create takes the place (name and
// resourceVersion) of an owned slice of the same type that would be deleted.
void ReuseDeleted(const Json& svc, EndpointSlicePlan* plan, size_t first) {
  for (size_t i = first; i < plan->to_delete.size();) {
    if (plan->to_create.empty()) break;
    const Json& old = plan->to_delete[i];
    Json& slice = plan->to_create.back();
    if (base::GetString(old, {"addressType"}) !=
            base::GetString(slice, {"addressType"}) ||
        !OwnedBy(old, svc)) {
      ++i;
      continue;
    }
    slice["metadata"].erase("generateName");
    slice["metadata"]["name"] = old["metadata"]["name"];
    slice["metadata"]["resourceVersion"] = old["metadata"]["resourceVersion"];
    plan->to_update.push_back(std::move(slice));
    plan->to_create.pop_back();
    plan->to_delete.erase(plan->to_delete.begin() + i);
  }
}

}  // namespace

void EndpointSliceReconciler::PlanAddressType(
    const Json& svc, const std::vector<const Json*>& pods,
    const std::vector<const Json*>& existing, const std::string& address_type,
    const NodeLookup& nodes, EndpointSlicePlan* plan) const {
  size_t creates_before = plan->to_create.size();
  size_t deletes_before = plan->to_delete.size();
  std::map<std::string, std::vector<const Json*>> existing_by_ports;
  for (const Json* slice : existing) {
    if (OwnedBy(*slice, svc)) {
      existing_by_ports[PortKey(base::Find(*slice, {"ports"}))].push_back(
          slice);
    } else {
      plan->to_delete.push_back(*slice);
    }
  }
  std::map<std::string, EndpointSet> desired;
  std::map<std::string, Json> ports_of;
  std::string ns = base::GetString(svc, {"metadata", "namespace"});
  std::string svc_name = base::GetString(svc, {"metadata", "name"});
  // Without named targetPorts every pod gets the same ports: resolve once.
  bool named = HasNamedTargetPort(svc);
  Json shared_ports;
  std::string shared_key;
  for (const Json* pod : pods) {
    if (!ShouldPodBeInEndpoints(*pod, true)) continue;
    if (shared_ports.is_null() || named) {
      shared_ports = EndpointPorts(svc, *pod);
      shared_key = PortKey(&shared_ports);
    }
    const std::string& key = shared_key;
    desired[key];  // a port mapping exists even if its endpoints are empty
    ports_of.try_emplace(key, shared_ports);
    std::string node_name = base::GetString(*pod, {"spec", "nodeName"});
    const Json* node = nodes(node_name);
    if (node == nullptr && !PublishNotReady(svc)) {
      plan->errors.push_back("skipping Pod " +
                             base::GetString(*pod, {"metadata", "name"}) +
                             " for Service " + ns + "/" + svc_name + ": Node " +
                             node_name + " Not Found");
      continue;
    }
    Json ep = PodToEndpoint(*pod, node, svc, address_type);
    if (ep["addresses"].empty()) continue;
    // The key first: json's operator= takes its argument by value.
    std::string ep_key = EndpointKey(ep);
    desired[key][ep_key] = std::move(ep);
  }
  for (auto& [key, endpoints] : desired) {
    PlanPortMapping(svc, existing_by_ports[key], std::move(endpoints),
                    ports_of[key], address_type, max_endpoints_, plan);
  }
  for (const auto& [key, slices] : existing_by_ports) {
    if (desired.count(key)) continue;
    for (const Json* s : slices) plan->to_delete.push_back(*s);
  }
  // A service without endpoints keeps one empty placeholder slice.
  size_t deleting = plan->to_delete.size() - deletes_before;
  if (existing.size() == deleting && plan->to_create.size() == creates_before) {
    Json placeholder = NewSlice(svc, Json::array(), address_type);
    if (deleting == 1 && SamePlaceholder(plan->to_delete.back(), placeholder)) {
      plan->to_delete.pop_back();
    } else {
      plan->to_create.push_back(std::move(placeholder));
    }
  }
  ReuseDeleted(svc, plan, deletes_before);
}

EndpointSlicePlan EndpointSliceReconciler::Plan(
    const Json& svc, const std::vector<const Json*>& pods,
    const std::vector<const Json*>& existing,
    std::optional<base::Time> trigger_time, const NodeLookup& nodes) const {
  EndpointSlicePlan plan;
  std::set<std::string> types = AddressTypes(svc);
  std::map<std::string, std::vector<const Json*>> by_type;
  std::vector<Json> unsupported;
  for (const Json* slice : existing) {
    std::string type = base::GetString(*slice, {"addressType"});
    if (types.count(type)) {
      by_type[type].push_back(slice);
    } else {
      unsupported.push_back(*slice);
    }
  }
  for (const std::string& type : types) {
    PlanAddressType(svc, pods, by_type[type], type, nodes, &plan);
  }
  for (Json& s : unsupported) plan.to_delete.push_back(std::move(s));
  for (Json& s : plan.to_create) SetTriggerTime(s, trigger_time);
  for (Json& s : plan.to_update) SetTriggerTime(s, trigger_time);
  return plan;
}

}  // namespace ksim::controllers
