// The runner's step bodies: writes, waits, assertions, faults, traffic.
#include <algorithm>

#include "apiserver/resources.h"
#include "scenario/checks.h"
#include "scenario/runner.h"

namespace ksim::scenario {
namespace {

using base::Json;

base::StatusOr<client::Resource> ResourceOfManifest(const Json& m) {
  std::string av = m.value("apiVersion", ""), kind = m.value("kind", "");
  std::string group = av.find('/') == std::string::npos
                          ? ""
                          : av.substr(0, av.find('/'));
  const apiserver::ResourceInfo* r =
      apiserver::FindResourceByKind(group, kind);
  if (r == nullptr) {
    return base::NotFound("ksim does not serve " + kind + " in " + av);
  }
  return client::Resource{r->group, r->version, r->resource, r->kind,
                          r->namespaced};
}

double Seconds(base::Duration d) {
  return std::chrono::duration<double>(d).count();
}

std::string DurationText(std::optional<base::Duration> d) {
  return d ? FormatDuration(*d) : "-";
}

}  // namespace

void Runner::Write(size_t i, client::Action action) {
  ++pending_writes_;
  std::string what = action.resource.resource + "/" + action.name;
  if (action.name.empty() && action.object.is_object()) {
    what = action.resource.resource + "/" +
           base::GetString(action.object, {"metadata", "name"});
  }
  cluster_->client()->Do(std::move(action),
                         [this, i, what](base::StatusOr<Json> r) {
                           WriteAnswered(i, r, what);
                         });
}

void Runner::WriteAnswered(size_t i, const base::StatusOr<Json>& r,
                           const std::string& what) {
  if (!r.ok() && write_error_.empty()) {
    write_error_ = what + ": " + r.status().ToString();
  }
  if (--pending_writes_ == 0) {
    std::string error = std::move(write_error_);
    write_error_.clear();
    EndStep(i, error);
  }
}

void Runner::DoWrites(size_t i) {
  const Step& step = scenario_.steps[i];
  client::Client* c = cluster_->client();
  std::vector<client::Action> actions;
  auto action = [&](client::Verb verb, const client::Resource& r,
                    const std::string& ns, const std::string& name) {
    client::Action a;
    a.verb = verb;
    a.resource = r;
    a.ns = r.namespaced ? ns : "";
    a.name = name;
    a.field_manager = c->field_manager();
    return a;
  };
  const ObjectRef& t = step.target;
  std::vector<std::string> names;
  if (step.kind != Step::Kind::kApply) {
    if (!t.name.empty()) {
      names.push_back(t.name);
    } else {
      client::ListOptions o;
      o.label_selector = t.selector;
      o.field_selector = t.field_selector;
      auto l = c->List(t.resource, t.ns == "*" ? "" : t.ns, o);
      if (!l.ok()) return EndStep(i, l.status().ToString());
      for (const Json& obj : l->items) {
        if (step.kind == Step::Kind::kKillPod &&
            !PodMatches(obj, "", std::nullopt)) {
          continue;  // already going
        }
        names.push_back(base::GetString(obj, {"metadata", "name"}));
      }
    }
  }
  switch (step.kind) {
    case Step::Kind::kApply:
      for (const Json& m : step.manifests) {
        auto r = ResourceOfManifest(m);
        if (!r.ok()) return EndStep(i, r.status().message());
        std::string ns = base::GetString(m, {"metadata", "namespace"},
                                         "default");
        client::Action a = action(client::Verb::kPatch, *r, ns,
                                  base::GetString(m, {"metadata", "name"}));
        a.patch_type = client::PatchType::kApply;
        a.object = m;
        actions.push_back(std::move(a));
      }
      break;
    case Step::Kind::kDelete:
      for (const auto& n : names) {
        client::Action a = action(client::Verb::kDelete, t.resource, t.ns, n);
        a.delete_options.grace_period_seconds = step.grace_seconds;
        actions.push_back(std::move(a));
      }
      break;
    case Step::Kind::kScale:
    case Step::Kind::kPatch:
      for (const auto& n : names) {
        client::Action a = action(client::Verb::kPatch, t.resource, t.ns, n);
        if (step.kind == Step::Kind::kScale) {
          a.patch_type = client::PatchType::kMerge;
          a.object = {{"spec", {{"replicas", step.replicas}}}};
        } else {
          a.patch_type = step.patch_type;
          a.object = step.patch;
        }
        actions.push_back(std::move(a));
      }
      break;
    case Step::Kind::kKillPod: {
      if (names.empty()) return EndStep(i, "no running pod matches");
      // A seeded choice of `count` victims (a partial Fisher-Yates).
      size_t k = std::min<size_t>(names.size(), step.count);
      for (size_t j = 0; j < k; ++j) {
        std::swap(names[j], names[j + rng_.Uniform(names.size() - j)]);
        client::Action a =
            action(client::Verb::kDelete, t.resource, t.ns, names[j]);
        a.delete_options.grace_period_seconds = 0;
        recorder_->Line({{"event", "kill"}, {"pod", t.ns + "/" + names[j]}});
        actions.push_back(std::move(a));
      }
      break;
    }
    default:
      break;
  }
  if (actions.empty()) return EndStep(i, "");
  for (auto& a : actions) Write(i, std::move(a));
}

void Runner::DoWait(size_t i) {
  const Step& step = scenario_.steps[i];
  wait_ = ActiveWait();
  wait_.step = i;
  wait_.active = true;
  wait_.poll = step.poll ? *step.poll : scenario_.poll;
  base::EventLoop* loop = cluster_->loop();
  wait_.last_eval = loop->Now() - wait_.poll;
  wait_.timeout = loop->RunAfter(step.timeout, [this, i] {
    if (!wait_.active || wait_.step != i) return;
    const Step& s = scenario_.steps[i];
    std::string why;
    for (const Check& c : s.checks) {
      CheckOutcome o = EvalStateCheck(c, cluster_->client());
      if (o.ok) continue;
      why = "line " + std::to_string(c.line) + ": " + c.text +
            ": observed " + o.observed;
      break;
    }
    if (why.empty()) {  // it held at the last instant
      wait_.active = false;
      cluster_->loop()->Cancel(wait_.recheck);
      return EndStep(i, "");
    }
    wait_.active = false;
    cluster_->loop()->Cancel(wait_.recheck);
    EndStep(i, "timed out after " + FormatDuration(s.timeout) + " (" + why +
                   ")");
  });
  CheckWait();
}

void Runner::CheckWait() {
  if (!wait_.active) return;
  base::EventLoop* loop = cluster_->loop();
  base::Time now = loop->Now();
  if (wait_.poll > base::Duration(0) && now - wait_.last_eval < wait_.poll) {
    if (wait_.recheck == 0) {
      wait_.recheck = loop->RunAt(wait_.last_eval + wait_.poll, [this] {
        wait_.recheck = 0;
        CheckWait();
      });
    }
    return;
  }
  wait_.last_eval = now;
  const Step& step = scenario_.steps[wait_.step];
  for (const Check& c : step.checks) {
    if (!EvalStateCheck(c, cluster_->client()).ok) return;
  }
  wait_.active = false;
  loop->Cancel(wait_.timeout);
  if (wait_.recheck) loop->Cancel(wait_.recheck);
  EndStep(wait_.step, "");
}

CheckRecord Runner::Evaluate(const Step& step, const Check& c) {
  CheckRecord r;
  r.step = &step;
  r.check = &c;
  r.t = recorder_->Elapsed();
  if (c.kind == Check::Kind::kTraffic) {
    auto it = traffic_.find(c.traffic);
    if (it == traffic_.end()) {
      r.observed = "no traffic named \"" + c.traffic + "\" has started";
      return r;
    }
    TrafficStats s = Summarize(it->second->outcomes(), c.window_from,
                               c.window_to);
    char ratio[32];
    std::snprintf(ratio, sizeof ratio, "%.4f", s.success_ratio);
    r.observed = std::to_string(s.requests) + " requests, " +
                 std::to_string(s.failures) + " failed (success " + ratio +
                 "), p50 " + FormatDuration(s.p50) + ", p90 " +
                 FormatDuration(s.p90) + ", p99 " + FormatDuration(s.p99) +
                 ", max " + FormatDuration(s.max);
    r.ok = c.success_ratio.Holds(s.success_ratio) &&
           c.requests.Holds(static_cast<double>(s.requests)) &&
           c.failures.Holds(static_cast<double>(s.failures)) &&
           (!c.max_p50 || s.p50 <= *c.max_p50) &&
           (!c.max_p90 || s.p90 <= *c.max_p90) &&
           (!c.max_p99 || s.p99 <= *c.max_p99) &&
           (!c.max_latency || s.max <= *c.max_latency);
    return r;
  }
  if (c.kind == Check::Kind::kElapsed) {
    auto from = step_by_name_.find(c.from_step);
    auto to = step_by_name_.find(c.to_step);
    if (from == step_by_name_.end() || to == step_by_name_.end() ||
        !result_.steps[from->second].started ||
        !result_.steps[to->second].ended) {
      r.observed = "steps \"" + c.from_step + "\" and \"" + c.to_step +
                   "\" have not both run";
      return r;
    }
    base::Duration d =
        result_.steps[to->second].end - result_.steps[from->second].start;
    r.observed = FormatDuration(d) + " (bounds " +
                 DurationText(c.min_elapsed) + " .. " +
                 DurationText(c.max_elapsed) + ")";
    r.ok = (!c.min_elapsed || d >= *c.min_elapsed) &&
           (!c.max_elapsed || d <= *c.max_elapsed);
    return r;
  }
  CheckOutcome o = EvalStateCheck(c, cluster_->client());
  r.ok = o.ok;
  r.observed = o.observed;
  return r;
}

void Runner::DoAssert(size_t i) {
  const Step& step = scenario_.steps[i];
  for (const Check& c : step.checks) {
    CheckRecord r = Evaluate(step, c);
    recorder_->Line({{"event", "assert"},
                     {"line", c.line},
                     {"check", c.text},
                     {"ok", r.ok},
                     {"observed", r.observed}});
    if (!r.ok) {
      Fail("assertion failed: line " + std::to_string(c.line) + ": " +
           c.text + ": observed " + r.observed);
    }
    result_.checks.push_back(std::move(r));
  }
  EndStep(i, "");
}

void Runner::DoFault(size_t i) {
  const Step& step = scenario_.steps[i];
  apiserver::NetGateway* gw = gateway();
  std::string key = step.name.empty() ? "#" + std::to_string(i) : step.name;
  auto add = [&](const Json& spec) -> std::string {
    if (gw == nullptr) return "no simulated network (NetGateway) is wired";
    auto r = gw->AddFault(spec);
    if (!r.ok()) return r.status().ToString();
    fault_ids_[key] = r->value("id", "");
    recorder_->Line({{"event", "fault"}, {"fault", *r}});
    return "";
  };
  std::string error;
  switch (step.kind) {
    case Step::Kind::kFault:
      error = add(step.fault);
      break;
    case Step::Kind::kNodeDown:
      if (gw != nullptr) {
        error = add({{"kind", "NodeDown"}, {"node", step.node}});
        if (error.empty()) node_faults_[step.node] = fault_ids_[key];
      } else {
        base::Status s = cluster_->SetNodeDown(step.node, true);
        error = s.ok() ? "" : s.ToString();
        if (s.ok()) fault_ids_[key] = "node:" + step.node;
      }
      break;
    case Step::Kind::kNodeUp:
    case Step::Kind::kHeal: {
      std::string id;
      if (step.kind == Step::Kind::kNodeUp) {
        auto it = node_faults_.find(step.node);
        id = it != node_faults_.end() ? it->second : "node:" + step.node;
      } else {
        auto it = fault_ids_.find(step.heal);
        if (it == fault_ids_.end()) {
          error = "no fault step named \"" + step.heal + "\" is in effect";
          break;
        }
        id = it->second;
      }
      base::Status s = base::Status::Ok();
      if (id.rfind("node:", 0) == 0) {
        s = cluster_->SetNodeDown(id.substr(5), false);
      } else if (gw != nullptr) {
        s = gw->RemoveFault(id);
      }
      for (auto it = node_faults_.begin(); it != node_faults_.end();) {
        it = it->second == id ? node_faults_.erase(it) : std::next(it);
      }
      error = s.ok() ? "" : s.ToString();
      recorder_->Line({{"event", "heal"}, {"id", id}});
      break;
    }
    default:
      break;
  }
  EndStep(i, error);
}

void Runner::DoTraffic(size_t i) {
  const Step& step = scenario_.steps[i];
  apiserver::NetGateway* gw = gateway();
  if (gw == nullptr) {
    return EndStep(i, "no simulated network (NetGateway) is wired");
  }
  const std::string& name = step.traffic.name;
  auto t = std::make_unique<Traffic>(
      cluster_->loop(), gw, step.traffic, start_,
      [this, name](const Outcome& o) {
        Json line = {{"event", "request"},
                     {"traffic", name},
                     {"sent", Seconds(o.sent)},
                     {"latency", Seconds(o.latency)},
                     {"code", o.curl_code},
                     {"status", o.status}};
        if (!o.endpoint.empty()) line["endpoint"] = o.endpoint;
        if (!o.error.empty()) line["error"] = o.error;
        recorder_->Line(line);
      });
  Traffic* raw = t.get();
  traffic_[name] = std::move(t);
  raw->Start();
  EndStep(i, "");
}

}  // namespace ksim::scenario
