#include "controllers/endpoints_controller.h"

#include <algorithm>
#include <utility>

#include "controllers/service_ports.h"

namespace ksim::controllers {

using base::Json;
using base::Status;
using client::ObjectPtr;

namespace {

constexpr char kOverCapacityAnnotation[] =
    "endpoints.kubernetes.io/over-capacity";
// Endpoints written by leader election (no service behind them) are never
// treated as leftovers.
constexpr char kLeaderAnnotation[] = "control-plane.alpha.kubernetes.io/leader";
// handleErr's maxRetries for failed writes.
constexpr int kMaxRetries = 15;

// The family of addresses the service publishes (podToEndpointAddress).
bool ServiceWantsIPv6(const Json& svc, const Json& pod) {
  const Json* families = base::Find(svc, {"spec", "ipFamilies"});
  if (families != nullptr && families->is_array() && !families->empty() &&
      (*families)[0].is_string()) {
    return (*families)[0].get<std::string>() == "IPv6";
  }
  if (IsServiceIPSet(svc)) {
    return IsIPv6(base::GetString(svc, {"spec", "clusterIP"}));
  }
  return IsIPv6(base::GetString(pod, {"status", "podIP"}));
}

// The pod's address for the service; nullopt when it has no IP of the
// service's family.
std::optional<EndpointAddress> AddressFor(const Json& svc, const Json& pod) {
  bool v6 = ServiceWantsIPv6(svc, pod);
  for (const std::string& ip : PodIPs(pod)) {
    if (IsIPv6(ip) != v6) continue;
    EndpointAddress a;
    a.ip = ip;
    std::string node = base::GetString(pod, {"spec", "nodeName"});
    if (!node.empty()) a.node_name = node;
    if (ShouldSetHostname(pod, svc)) {
      a.hostname = base::GetString(pod, {"spec", "hostname"});
    }
    a.has_target_ref = true;
    a.ref_kind = "Pod";
    a.ref_namespace = base::GetString(pod, {"metadata", "namespace"});
    a.ref_name = base::GetString(pod, {"metadata", "name"});
    a.ref_uid = base::GetString(pod, {"metadata", "uid"});
    return a;
  }
  return std::nullopt;
}

void SetOrErase(Json& meta, const char* field, const Labels& values) {
  if (values.empty()) {
    meta.erase(field);
  } else {
    meta[field] = values;
  }
}

base::Duration Backoff(int failures) {
  base::Duration d = std::chrono::milliseconds(5);
  for (int i = 0; i < failures && d < std::chrono::seconds(1000); ++i) d *= 2;
  return std::min<base::Duration>(d, std::chrono::seconds(1000));
}

}  // namespace

EndpointsController::EndpointsController(const client::ClusterContext& ctx,
                                         EndpointsControllerOptions options)
    : ctx_(ctx),
      options_(options),
      services_(ctx.informers->For(client::kServices)),
      pods_(ctx.informers->For(client::kPods)),
      endpoints_(ctx.informers->For(client::kEndpoints)),
      recorder_(ctx.client, ctx.clock, "endpoint-controller"),
      alive_(std::make_shared<bool>(true)) {
  queue_ = std::make_unique<base::WorkQueue>(
      ctx.loop, base::WorkQueue::Options{.name = "endpoint"},
      [this](const std::string& key) { return Reconcile(key); });
  AddPodLabelIndex(pods_);
  services_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& s) { OnServiceEvent(s, false); },
      .on_update = [this](const ObjectPtr&,
                          const ObjectPtr& s) { OnServiceEvent(s, false); },
      .on_delete = [this](const ObjectPtr& s) { OnServiceEvent(s, true); },
  });
  pods_->AddEventHandlers({
      .on_add =
          [this](const ObjectPtr& p) {
            OnPodEvent(selectors_.ServicesForPod(*p));
          },
      .on_update =
          [this](const ObjectPtr& old, const ObjectPtr& p) {
            OnPodEvent(selectors_.ServicesForPodUpdate(*old, *p));
          },
      .on_delete =
          [this](const ObjectPtr& p) {
            OnPodEvent(selectors_.ServicesForPod(*p));
          },
  });
  endpoints_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& e) { OnEndpointsEvent(*e, false); },
      .on_update = [this](const ObjectPtr&,
                          const ObjectPtr& e) { OnEndpointsEvent(*e, false); },
      .on_delete = [this](const ObjectPtr& e) { OnEndpointsEvent(*e, true); },
  });
}

EndpointsController::~EndpointsController() {
  *alive_ = false;
  queue_->ShutDown();
}

void EndpointsController::OnServiceEvent(const ObjectPtr& svc, bool deleted) {
  if (deleted) {
    selectors_.Remove(*svc);
  } else {
    selectors_.Upsert(*svc);
  }
  queue_->Add(client::KeyOf(*svc));
}

void EndpointsController::OnPodEvent(const std::set<std::string>& keys) {
  for (const std::string& key : keys) {
    queue_->AddAfter(key, options_.batch_period);
  }
}

void EndpointsController::OnEndpointsEvent(const Json& ep, bool deleted) {
  std::string key = client::KeyOf(ep);
  bool waited = false;
  auto it = writes_.find(key);
  if (it != writes_.end()) {
    WriteState& ws = it->second;
    // The cache moved: what we wrote is there, or someone changed it.
    ws.created = false;
    ws.deleted = false;
    if (deleted || base::GetString(ep, {"metadata", "resourceVersion"}) !=
                       ws.replaced_rv) {
      ws.replaced_rv.clear();
    }
    waited = ws.awaiting_cache;
    ws.awaiting_cache = false;
    MaybeForget(key);
  }
  // checkLeftoverEndpoints: what the initial list holds is checked once
  // against its service (kube lists the cache after the sync).
  bool leftover =
      !deleted && !endpoints_->HasSynced() &&
      base::Find(ep, {"metadata", "annotations", kLeaderAnnotation}) == nullptr;
  if (deleted || waited || leftover) queue_->Add(key);
}

bool EndpointsController::CacheIsStale(const std::string& key,
                                       const Json* current) {
  auto it = writes_.find(key);
  if (it == writes_.end()) return false;
  WriteState& ws = it->second;
  if ((ws.created && current == nullptr) ||
      (ws.deleted && current != nullptr) ||
      (!ws.replaced_rv.empty() && current != nullptr &&
       base::GetString(*current, {"metadata", "resourceVersion"}) ==
           ws.replaced_rv)) {
    ws.awaiting_cache = true;  // OnEndpointsEvent re-queues
    return true;
  }
  ws.created = false;
  ws.deleted = false;
  ws.replaced_rv.clear();
  MaybeForget(key);
  return false;
}

void EndpointsController::MaybeForget(const std::string& key) {
  auto it = writes_.find(key);
  if (it == writes_.end()) return;
  const WriteState& ws = it->second;
  if (ws.in_flight == 0 && !ws.reconcile_when_done && !ws.awaiting_cache &&
      !ws.created && !ws.deleted && ws.replaced_rv.empty() &&
      ws.failures == 0) {
    writes_.erase(it);
  }
}

Status EndpointsController::Reconcile(const std::string& key) {
  std::string ns, name;
  client::SplitKey(key, &ns, &name);
  ObjectPtr svc = services_->Get(key);
  ObjectPtr current = endpoints_->Get(key);
  auto ws = writes_.find(key);
  if (ws != writes_.end() && ws->second.in_flight > 0) {
    ws->second.reconcile_when_done = true;  // OnWriteDone re-queues
    return Status::Ok();
  }
  if (svc == nullptr) {
    trigger_times_.DeleteService(key);
    bool created = ws != writes_.end() && ws->second.created;
    if (current == nullptr && !created) return Status::Ok();
    if (ws != writes_.end() && ws->second.deleted) {
      ws->second.awaiting_cache = true;  // already gone; the cache lags
      return Status::Ok();
    }
    writes_[key].in_flight++;
    ctx_.client->Delete(client::kEndpoints, ns, name, {},
                        [this, alive = alive_, key](base::StatusOr<Json> r) {
                          if (!*alive) return;
                          OnWriteDone(key, false, Json(), "", r);
                        });
    return Status::Ok();
  }
  if (base::GetString(*svc, {"spec", "type"}) == "ExternalName") {
    return Status::Ok();
  }
  std::optional<Labels> selector = ServiceSelector(*svc);
  if (!selector) return Status::Ok();
  if (CacheIsStale(key, current.get())) return Status::Ok();

  std::vector<ObjectPtr> all = SelectPods(*pods_, ns, *selector);
  std::vector<const Json*> pods;
  for (const ObjectPtr& p : all) pods.push_back(p.get());
  std::optional<base::Time> trigger = trigger_times_.Compute(key, *svc, pods);
  return WriteEndpoints(key, *svc, current.get(), DesiredSubsets(*svc, pods),
                        trigger);
}

std::vector<EndpointSubset> EndpointsController::DesiredSubsets(
    const Json& svc, const std::vector<const Json*>& pods) const {
  const Json* pna = base::Find(svc, {"spec", "publishNotReadyAddresses"});
  bool publish_not_ready =
      pna != nullptr && pna->is_boolean() && pna->get<bool>();
  const Json* ports = base::Find(svc, {"spec", "ports"});
  bool no_ports = ports == nullptr || !ports->is_array() || ports->empty();
  bool headless = base::GetString(svc, {"spec", "clusterIP"}) == "None";
  // Each service port's endpoint port but its number, resolved once.
  std::vector<EndpointPort> templates;
  for (size_t i = 0; !no_ports && i < ports->size(); ++i) {
    Json p = EndpointPortFor((*ports)[i], 0);
    std::optional<std::string> app;
    if (p.contains("appProtocol")) app = p["appProtocol"].get<std::string>();
    templates.push_back(EndpointPort{p["name"].get<std::string>(), 0,
                                     p["protocol"].get<std::string>(), app});
  }
  std::vector<EndpointSubset> subsets;
  for (const Json* pod : pods) {
    if (!ShouldPodBeInEndpoints(*pod, publish_not_ready)) continue;
    std::optional<EndpointAddress> address = AddressFor(svc, *pod);
    if (!address) continue;
    bool ready = publish_not_ready || IsPodReady(*pod);
    auto add = [&](std::vector<EndpointPort> ps) {
      EndpointSubset ss;
      (ready ? ss.addresses : ss.not_ready_addresses).push_back(*address);
      ss.ports = std::move(ps);
      subsets.push_back(std::move(ss));
    };
    if (no_ports) {
      // A headless service may have no ports; others then get nothing.
      if (headless) add({});
      continue;
    }
    for (size_t i = 0; i < templates.size(); ++i) {
      std::optional<int64_t> port = FindPort(*pod, (*ports)[i]);
      if (!port) continue;
      EndpointPort p = templates[i];
      p.port = *port;
      add({std::move(p)});
    }
  }
  return RepackSubsets(subsets);
}

Status EndpointsController::WriteEndpoints(
    const std::string& key, const Json& svc, const Json* current,
    std::vector<EndpointSubset> subsets,
    std::optional<base::Time> trigger_time) {
  // Truncating before the comparison (kube compares the untruncated set and
  // so rewrites an over-capacity object on every sync) keeps an unchanged
  // over-capacity object unwritten.
  bool truncated = TruncateSubsets(&subsets, options_.max_capacity);
  Labels svc_labels = StringMapAt(svc, {"metadata", "labels"});
  if (current != nullptr) {
    Labels labels = StringMapAt(*current, {"metadata", "labels"});
    labels.erase(kHeadlessServiceLabel);
    Labels annotations = StringMapAt(*current, {"metadata", "annotations"});
    bool capacity_ok = truncated
                           ? annotations[kOverCapacityAnnotation] == "truncated"
                           : annotations.count(kOverCapacityAnnotation) == 0;
    if (SubsetsFromJson(base::Find(*current, {"subsets"})) == subsets &&
        labels == svc_labels && capacity_ok) {
      if (auto it = writes_.find(key); it != writes_.end()) {
        it->second.failures = 0;  // nothing left to retry
        MaybeForget(key);
      }
      return Status::Ok();
    }
  }
  Json ep = current != nullptr
                ? *current
                : Json{{"apiVersion", "v1"},
                       {"kind", "Endpoints"},
                       {"metadata",
                        {{"name", base::GetString(svc, {"metadata", "name"})},
                         {"namespace",
                          base::GetString(svc, {"metadata", "namespace"})}}}};
  ep["apiVersion"] = "v1";
  ep["kind"] = "Endpoints";
  if (subsets.empty()) {
    ep.erase("subsets");
  } else {
    ep["subsets"] = SubsetsToJson(subsets);
  }
  Json& meta = ep["metadata"];
  Labels annotations = StringMapAt(meta, {"annotations"});
  if (trigger_time) {
    annotations[kLastChangeTriggerTimeAnnotation] =
        base::FormatRfc3339(*trigger_time);
  } else {
    annotations.erase(kLastChangeTriggerTimeAnnotation);
  }
  if (truncated) {
    annotations[kOverCapacityAnnotation] = "truncated";
  } else {
    annotations.erase(kOverCapacityAnnotation);
  }
  SetOrErase(meta, "annotations", annotations);
  if (!IsServiceIPSet(svc)) svc_labels[kHeadlessServiceLabel] = "";
  SetOrErase(meta, "labels", svc_labels);
  Issue(key, current == nullptr, std::move(ep));
  return Status::Ok();
}

void EndpointsController::Issue(const std::string& key, bool create,
                                Json endpoints) {
  writes_[key].in_flight++;
  std::string old_rv =
      base::GetString(endpoints, {"metadata", "resourceVersion"});
  auto done = [this, alive = alive_, key, create, sent = endpoints,
               old_rv](base::StatusOr<Json> r) {
    if (!*alive) return;
    OnWriteDone(key, create, sent, old_rv, r);
  };
  if (create) {
    std::string ns = base::GetString(endpoints, {"metadata", "namespace"});
    ctx_.client->Create(client::kEndpoints, ns, std::move(endpoints),
                        std::move(done));
  } else {
    ctx_.client->Update(client::kEndpoints, std::move(endpoints),
                        std::move(done));
  }
}

void EndpointsController::OnWriteDone(const std::string& key, bool create,
                                      const Json& sent,
                                      const std::string& old_rv,
                                      const base::StatusOr<Json>& result) {
  WriteState& ws = writes_[key];
  ws.in_flight--;
  bool deletion = sent.is_null();
  if (result.ok() ||
      (deletion && result.status().code() == base::Code::kNotFound)) {
    ws.failures = 0;
    if (deletion) {
      ws.deleted = true;
      ws.created = false;
    } else if (create) {
      ws.created = true;
    } else if (!deletion &&
               base::GetString(*result, {"metadata", "resourceVersion"}) !=
                   old_rv) {
      ws.replaced_rv = old_rv;
    }
  } else {
    const Status& err = result.status();
    bool ns_terminating = false;
    if (err.details() != nullptr) {
      for (const base::Cause& c : err.details()->causes) {
        ns_terminating = ns_terminating || c.reason == "NamespaceTerminating";
      }
    }
    if (deletion) {
      // kube retries a failed delete without an event.
    } else if (create && ns_terminating) {
      // Creates in a terminating namespace keep failing: drop the key.
    } else {
      std::string ns, name;
      client::SplitKey(key, &ns, &name);
      recorder_.Event(
          sent, "Warning",
          create ? "FailedToCreateEndpoint" : "FailedToUpdateEndpoint",
          create ? "Failed to create endpoint for service " + ns + "/" + name +
                       ": " + err.message()
                 : "Failed to update endpoint " + ns + "/" + name + ": " +
                       err.message());
    }
    if (create && ns_terminating) {
      // dropped
    } else if (ws.failures < kMaxRetries) {
      queue_->AddAfter(key, Backoff(ws.failures++));
    } else {
      ws.failures = 0;  // dropped, as handleErr's Forget
    }
  }
  if (ws.in_flight == 0 && ws.reconcile_when_done) {
    ws.reconcile_when_done = false;
    queue_->Add(key);
  }
  MaybeForget(key);
}

}  // namespace ksim::controllers
