#include "controllers/endpointslice_controller.h"

#include <algorithm>
#include <charconv>
#include <utility>

#include "controllers/endpointslice_objects.h"

namespace ksim::controllers {

using base::Json;
using base::Status;
using client::ObjectPtr;

namespace {

constexpr char kPodsByNode[] = "endpointslice-controller/node";
constexpr char kSlicesByService[] = "endpointslice-controller/service";
// endpointSliceChangeMinSyncDelay: a slice changed by someone else.
constexpr base::Duration kSliceChangeDelay = std::chrono::seconds(1);
constexpr int kMaxRetries = 15;

// a < b as resourceVersions (decimal revisions here); false when either is
// not a number.
bool OlderRV(const std::string& a, const std::string& b) {
  int64_t x = 0, y = 0;
  auto [pa, ea] = std::from_chars(a.data(), a.data() + a.size(), x);
  auto [pb, eb] = std::from_chars(b.data(), b.data() + b.size(), y);
  if (ea != std::errc() || eb != std::errc()) return false;
  return x < y;
}

base::Duration Backoff(int failures) {
  base::Duration d = std::chrono::milliseconds(5);
  for (int i = 0; i < failures && d < std::chrono::seconds(1000); ++i) d *= 2;
  return std::min<base::Duration>(d, std::chrono::seconds(1000));
}

// utilerrors.NewAggregate(...).Error(): one message as is, several
// deduplicated in brackets.
std::string Aggregate(const std::vector<std::string>& errors) {
  std::vector<std::string> seen;
  for (const std::string& e : errors) {
    if (std::find(seen.begin(), seen.end(), e) == seen.end()) seen.push_back(e);
  }
  if (seen.size() == 1) return seen[0];
  std::string out = "[";
  for (size_t i = 0; i < seen.size(); ++i) out += (i ? ", " : "") + seen[i];
  return out + "]";
}

// The service key of a slice this controller manages ("" if it is not).
std::string ManagedServiceKey(const Json& slice) {
  if (base::GetString(slice, {"metadata", "labels", kManagedByLabel}) !=
      kEndpointSliceControllerName) {
    return "";
  }
  std::string svc =
      base::GetString(slice, {"metadata", "labels", kServiceNameLabel});
  if (svc.empty()) return "";
  return base::GetString(slice, {"metadata", "namespace"}) + "/" + svc;
}

}  // namespace

EndpointSliceController::EndpointSliceController(
    const client::ClusterContext& ctx, EndpointSliceControllerOptions options)
    : ctx_(ctx),
      options_(options),
      services_(ctx.informers->For(client::kServices)),
      pods_(ctx.informers->For(client::kPods)),
      nodes_(ctx.informers->For(client::kNodes)),
      slices_(ctx.informers->For(client::kEndpointSlices)),
      recorder_(ctx.client, ctx.clock, "endpointslice-controller"),
      reconciler_(options.max_endpoints_per_slice),
      alive_(std::make_shared<bool>(true)) {
  queue_ = std::make_unique<base::WorkQueue>(
      ctx.loop, base::WorkQueue::Options{.name = "endpoint_slice"},
      [this](const std::string& key) { return Reconcile(key); });
  AddPodLabelIndex(pods_);
  pods_->AddIndex(kPodsByNode, [](const Json& pod) {
    std::string node = base::GetString(pod, {"spec", "nodeName"});
    return node.empty() ? std::vector<std::string>{}
                        : std::vector<std::string>{node};
  });
  slices_->AddIndex(kSlicesByService, [](const Json& slice) {
    std::string key = ManagedServiceKey(slice);
    return key.empty() ? std::vector<std::string>{}
                       : std::vector<std::string>{key};
  });
  auto on_service = [this](const ObjectPtr& s, bool deleted) {
    if (deleted) {
      selectors_.Remove(*s);
    } else {
      selectors_.Upsert(*s);
    }
    queue_->Add(client::KeyOf(*s));
  };
  services_->AddEventHandlers({
      .on_add = [on_service](const ObjectPtr& s) { on_service(s, false); },
      .on_update = [on_service](const ObjectPtr&,
                                const ObjectPtr& s) { on_service(s, false); },
      .on_delete = [on_service](const ObjectPtr& s) { on_service(s, true); },
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
  nodes_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& n) { OnNodeEvent(*n); },
      .on_update =
          [this](const ObjectPtr& old, const ObjectPtr& n) {
            if (base::GetString(*old, {"metadata", "labels", kZoneLabel}) !=
                base::GetString(*n, {"metadata", "labels", kZoneLabel})) {
              OnNodeEvent(*n);
            }
          },
      .on_delete = [this](const ObjectPtr& n) { OnNodeEvent(*n); },
  });
  slices_->AddEventHandlers({
      .on_add = [this](const ObjectPtr& s) { OnSliceEvent(*s, false); },
      .on_update = [this](const ObjectPtr&,
                          const ObjectPtr& s) { OnSliceEvent(*s, false); },
      .on_delete = [this](const ObjectPtr& s) { OnSliceEvent(*s, true); },
  });
}

EndpointSliceController::~EndpointSliceController() {
  *alive_ = false;
  queue_->ShutDown();
}

void EndpointSliceController::OnPodEvent(const std::set<std::string>& keys) {
  for (const std::string& key : keys) {
    queue_->AddAfter(key, options_.batch_period);
  }
}

// A node's zone goes into its pods' endpoints, and a pod on a node the
// cache did not know was left out: resync the services of its pods.
void EndpointSliceController::OnNodeEvent(const Json& node) {
  std::set<std::string> keys;
  for (const ObjectPtr& pod : pods_->ByIndex(
           kPodsByNode, base::GetString(node, {"metadata", "name"}))) {
    std::set<std::string> of_pod = selectors_.ServicesForPod(*pod);
    keys.insert(of_pod.begin(), of_pod.end());
  }
  OnPodEvent(keys);
}

void EndpointSliceController::OnSliceEvent(const Json& slice, bool deleted) {
  std::string key = ManagedServiceKey(slice);
  if (key.empty()) return;
  auto it = writes_.find(key);
  std::string name = base::GetString(slice, {"metadata", "name"});
  std::string rv = base::GetString(slice, {"metadata", "resourceVersion"});
  bool ours = false;
  if (it != writes_.end()) {
    WriteState& ws = it->second;
    auto exp = ws.expected.find(name);
    if (exp != ws.expected.end()) {
      ours = deleted ? exp->second.empty()
                     : !OlderRV(exp->second, rv) && !OlderRV(rv, exp->second);
      if (deleted) ws.expected.erase(exp);
    }
    if (ws.awaiting_cache) {
      ws.awaiting_cache = false;
      queue_->Add(key);
      return;
    }
  }
  // A slice changed by someone else (or a write whose reply is still on
  // its way): look again shortly, as kube's EndpointSliceTracker.ShouldSync.
  if (!ours) queue_->AddAfter(key, kSliceChangeDelay);
}

std::vector<const Json*> EndpointSliceController::SlicesOf(
    const std::string& key, std::vector<ObjectPtr>* hold) {
  *hold = slices_->ByIndex(kSlicesByService, key);
  std::vector<const Json*> out;
  for (const ObjectPtr& s : *hold) {
    // dropEndpointSlicesPendingDeletion.
    if (!IsTerminating(*s)) out.push_back(s.get());
  }
  return out;
}

bool EndpointSliceController::CacheIsStale(
    const std::string& key, const std::vector<const Json*>& slices) {
  auto it = writes_.find(key);
  if (it == writes_.end()) return false;
  WriteState& ws = it->second;
  std::map<std::string, std::string> cached;
  for (const Json* s : slices) {
    cached[base::GetString(*s, {"metadata", "name"})] =
        base::GetString(*s, {"metadata", "resourceVersion"});
  }
  bool stale = false;
  for (auto e = ws.expected.begin(); e != ws.expected.end();) {
    auto c = cached.find(e->first);
    bool seen = e->second.empty()
                    ? c == cached.end()
                    : c != cached.end() && !OlderRV(c->second, e->second);
    if (seen) {
      e = ws.expected.erase(e);
    } else {
      stale = true;
      ++e;
    }
  }
  ws.awaiting_cache = stale;
  MaybeForget(key);
  return stale;
}

void EndpointSliceController::MaybeForget(const std::string& key) {
  auto it = writes_.find(key);
  if (it == writes_.end()) return;
  const WriteState& ws = it->second;
  if (ws.in_flight == 0 && !ws.reconcile_when_done && !ws.awaiting_cache &&
      ws.expected.empty() && ws.failures == 0) {
    writes_.erase(it);
  }
}

Status EndpointSliceController::Reconcile(const std::string& key) {
  ObjectPtr svc = services_->Get(key);
  auto ws = writes_.find(key);
  if (ws != writes_.end() && ws->second.in_flight > 0) {
    ws->second.reconcile_when_done = true;  // OnWriteDone re-queues
    return Status::Ok();
  }
  if (svc == nullptr) {
    // The garbage collector deletes the slices through their owner.
    trigger_times_.DeleteService(key);
    writes_.erase(key);
    return Status::Ok();
  }
  if (base::GetString(*svc, {"spec", "type"}) == "ExternalName") {
    return Status::Ok();
  }
  std::optional<Labels> selector = ServiceSelector(*svc);
  if (!selector) return Status::Ok();
  std::vector<ObjectPtr> hold;
  std::vector<const Json*> slices = SlicesOf(key, &hold);
  if (CacheIsStale(key, slices)) return Status::Ok();

  std::string ns = base::GetString(*svc, {"metadata", "namespace"});
  std::vector<ObjectPtr> all = SelectPods(*pods_, ns, *selector);
  std::vector<const Json*> pods;
  for (const ObjectPtr& p : all) pods.push_back(p.get());
  std::optional<base::Time> trigger = trigger_times_.Compute(key, *svc, pods);
  std::vector<ObjectPtr> nodes_held;
  auto node_lookup = [this, &nodes_held](const std::string& name) {
    ObjectPtr n = name.empty() ? nullptr : nodes_->Get(name);
    if (n) nodes_held.push_back(n);
    return n.get();
  };
  EndpointSlicePlan plan =
      reconciler_.Plan(*svc, pods, slices, trigger, node_lookup);
  std::vector<std::string> errors = std::move(plan.errors);
  if (plan.empty()) {
    if (auto it = writes_.find(key); it != writes_.end()) {
      it->second.failures = 0;  // nothing left to retry
      MaybeForget(key);
    }
  }
  IssueWrites(key, *svc, std::move(plan));
  if (errors.empty()) return Status::Ok();
  std::string message = "Error updating Endpoint Slices for Service " + key +
                        ": " + Aggregate(errors);
  recorder_.Event(*svc, "Warning", "FailedToUpdateEndpointSlices", message);
  return Status(base::Code::kInternal, message);
}

void EndpointSliceController::IssueWrites(const std::string& key,
                                          const Json& svc,
                                          EndpointSlicePlan plan) {
  std::string ns = base::GetString(svc, {"metadata", "namespace"});
  auto done = [this, alive = alive_, key](std::string what, std::string name,
                                          bool deletion) {
    return [this, alive, key, what = std::move(what), name = std::move(name),
            deletion](base::StatusOr<Json> r) {
      if (!*alive) return;
      OnWriteDone(key, what, name, deletion, r);
    };
  };
  const std::string for_svc = "EndpointSlice for Service " + key;
  // Don't create slices for a service being deleted: the garbage collector
  // would race with them.
  if (!IsTerminating(svc)) {
    for (Json& slice : plan.to_create) {
      writes_[key].in_flight++;
      ctx_.client->Create(client::kEndpointSlices, ns, std::move(slice),
                          done("failed to create " + for_svc, "", false));
    }
  }
  for (Json& slice : plan.to_update) {
    std::string name = base::GetString(slice, {"metadata", "name"});
    writes_[key].in_flight++;
    ctx_.client->Update(
        client::kEndpointSlices, std::move(slice),
        done("failed to update " + name + " " + for_svc, name, false));
  }
  for (const Json& slice : plan.to_delete) {
    std::string name = base::GetString(slice, {"metadata", "name"});
    writes_[key].in_flight++;
    ctx_.client->Delete(
        client::kEndpointSlices, ns, name, {},
        done("failed to delete " + name + " " + for_svc, name, true));
  }
}

void EndpointSliceController::OnWriteDone(const std::string& key,
                                          const std::string& what,
                                          const std::string& slice_name,
                                          bool deletion,
                                          const base::StatusOr<Json>& result) {
  WriteState& ws = writes_[key];
  ws.in_flight--;
  bool not_found =
      !result.ok() && result.status().code() == base::Code::kNotFound;
  if (result.ok() || (deletion && not_found)) {
    if (deletion) {
      ws.expected[slice_name] = "";
    } else {
      ws.expected[base::GetString(*result, {"metadata", "name"})] =
          base::GetString(*result, {"metadata", "resourceVersion"});
    }
    if (ws.in_flight == 0) ws.failures = 0;
  } else {
    const Status& err = result.status();
    bool ns_terminating = false;
    if (err.details() != nullptr) {
      for (const base::Cause& c : err.details()->causes) {
        ns_terminating = ns_terminating || c.reason == "NamespaceTerminating";
      }
    }
    // Creates in a terminating namespace keep failing: drop them quietly.
    if (!ns_terminating) {
      ObjectPtr svc = services_->Get(key);
      if (svc) {
        recorder_.Event(*svc, "Warning", "FailedToUpdateEndpointSlices",
                        "Error updating Endpoint Slices for Service " + key +
                            ": " + what + ": " + err.message());
      }
      if (ws.failures < kMaxRetries) {
        queue_->AddAfter(key, Backoff(ws.failures++));
      } else {
        ws.failures = 0;  // dropped, as handleErr's Forget
      }
    }
  }
  if (ws.in_flight == 0 && ws.reconcile_when_done) {
    ws.reconcile_when_done = false;
    queue_->Add(key);
  }
  MaybeForget(key);
}

}  // namespace ksim::controllers
