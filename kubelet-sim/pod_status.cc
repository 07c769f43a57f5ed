// The pod status the kubelet reports (kubelet_pods.go generateAPIPodStatus,
// status/generate.go) and its write through the status subresource.
#include <algorithm>

#include "client/resource.h"
#include "kubelet-sim/kubelet.h"

namespace ksim::kubelet {

using base::Json;

namespace {

Json Terminated(const TerminatedState& t) {
  return {{"containerID", t.id},
          {"exitCode", t.exit_code},
          {"finishedAt", base::FormatRfc3339(t.finished)},
          {"reason", t.reason},
          {"startedAt", base::FormatRfc3339(t.started)}};
}

// Containers' volumeMounts as the kubelet reports them (1.31+).
Json VolumeMounts(const Json& spec) {
  Json out = Json::array();
  if (auto it = spec.find("volumeMounts"); it != spec.end() && it->is_array()) {
    for (const auto& m : *it) {
      Json v = {{"name", m.value("name", "")},
                {"mountPath", m.value("mountPath", "")}};
      if (m.value("readOnly", false)) {
        v["readOnly"] = true;
        v["recursiveReadOnly"] = "Disabled";
      }
      out.push_back(v);
    }
  }
  return out;
}

std::string Names(const std::vector<std::string>& names) {
  std::string s = "[";
  for (size_t i = 0; i < names.size(); ++i) s += (i ? " " : "") + names[i];
  return s + "]";
}

}  // namespace

Json Kubelet::ContainerStatus(const PodRt& p, const ContainerRt& c) const {
  Json s = {{"name", c.name},
            {"image", c.image.full},
            {"imageID", ""},
            {"ready", c.ready},
            {"restartCount", c.restarts},
            {"started", c.st == ContainerRt::St::kRunning && c.started},
            {"lastState", Json::object()}};
  if (c.current) {
    s["containerID"] = c.current->id;
    s["imageID"] = c.image.ImageId();
  }
  switch (c.st) {
    case ContainerRt::St::kWaiting: {
      Json w = {{"reason", c.reason}};
      if (!c.message.empty()) w["message"] = c.message;
      s["state"] = {{"waiting", w}};
      if (c.current) {
        s["lastState"] = {{"terminated", Terminated(*c.current)}};
      }
      break;
    }
    case ContainerRt::St::kRunning:
      s["state"] = {{"running",
                     {{"startedAt", base::FormatRfc3339(c.current->started)}}}};
      if (c.last) s["lastState"] = {{"terminated", Terminated(*c.last)}};
      break;
    case ContainerRt::St::kTerminated:
      s["state"] = {{"terminated", Terminated(*c.current)}};
      if (c.last) s["lastState"] = {{"terminated", Terminated(*c.last)}};
      break;
  }
  Json mounts = VolumeMounts(c.spec);
  if (!mounts.empty()) s["volumeMounts"] = mounts;
  return s;
}

std::string Kubelet::Phase(const PodRt& p) const {
  if (p.terminal) return p.terminal_phase;
  int pending_init = 0, failed_init = 0;
  for (const auto& c : p.init) {
    if (c.st == ContainerRt::St::kTerminated) {
      if (c.current->exit_code != 0) ++failed_init;
    } else if (!(c.st == ContainerRt::St::kWaiting && c.current &&
                 c.current->exit_code == 0)) {
      ++pending_init;
    }
  }
  if (failed_init > 0 && p.RestartPolicy() == "Never") return "Failed";
  if (pending_init > 0 || failed_init > 0) return "Pending";
  int running = 0, waiting = 0, stopped = 0, succeeded = 0;
  for (const auto& c : p.main) {
    if (c.st == ContainerRt::St::kRunning) {
      ++running;
    } else if (c.st == ContainerRt::St::kTerminated) {
      ++stopped;
      if (c.current->exit_code == 0) ++succeeded;
    } else if (c.current) {
      ++stopped;  // waiting to restart: it ran before
    } else {
      ++waiting;
    }
  }
  if (waiting > 0) return "Pending";
  if (running > 0) return "Running";
  if (stopped == 0) return "Pending";
  std::string policy = p.RestartPolicy();
  if (policy == "Always") return "Running";
  if (stopped == succeeded) return "Succeeded";
  if (policy == "Never") return "Failed";
  return "Running";
}

void Kubelet::SetCondition(PodRt& p, Json& conds, const std::string& type,
                           bool status, const std::string& reason,
                           const std::string& message) {
  std::string st = status ? "True" : "False";
  auto& [prev, when] = p.conditions[type];
  if (prev != st || when.empty()) {
    prev = st;
    when = base::FormatRfc3339(ctx_.clock->Now());
  }
  Json c = {{"type", type},
            {"status", st},
            {"lastProbeTime", nullptr},
            {"lastTransitionTime", when}};
  if (!reason.empty()) c["reason"] = reason;
  if (!message.empty()) c["message"] = message;
  conds.push_back(c);
}

Json Kubelet::BuildStatus(PodRt& p) {
  std::string phase = Phase(p);
  bool succeeded = phase == "Succeeded";
  Json conds = Json::array();
  SetCondition(p, conds, "PodReadyToStartContainers",
               p.sandbox_ready && !p.terminal, "", "");
  std::vector<std::string> incomplete;
  for (const auto& c : p.init) {
    bool done = c.current && c.current->exit_code == 0 &&
                c.st != ContainerRt::St::kRunning;
    if (!done) incomplete.push_back(c.name);
  }
  if (incomplete.empty()) {
    SetCondition(p, conds, "Initialized", true,
                 succeeded && !p.init.empty() ? "PodCompleted" : "", "");
  } else {
    SetCondition(p, conds, "Initialized", false, "ContainersNotInitialized",
                 "containers with incomplete status: " + Names(incomplete));
  }
  std::vector<std::string> unready;
  for (const auto& c : p.main) {
    if (!c.ready) unready.push_back(c.name);
  }
  std::string reason, message;
  if (succeeded) {
    reason = "PodCompleted";
  } else if (!unready.empty()) {
    reason = "ContainersNotReady";
    message = "containers with unready status: " + Names(unready);
  }
  bool ready = unready.empty() && !succeeded && !p.terminal;
  SetCondition(p, conds, "Ready", ready, reason, message);
  SetCondition(p, conds, "ContainersReady", ready, reason, message);
  SetCondition(p, conds, "PodScheduled", true, "", "");

  Json status = {{"phase", phase},
                 {"conditions", conds},
                 {"hostIP", config_.internal_ip},
                 {"hostIPs", Json::array({{{"ip", config_.internal_ip}}})},
                 {"startTime", base::FormatRfc3339(p.start_time)}};
  if (!p.ip.empty()) {
    status["podIP"] = p.ip;
    status["podIPs"] = Json::array({{{"ip", p.ip}}});
  }
  if (!p.init.empty()) {
    Json init = Json::array();
    for (const auto& c : p.init) init.push_back(ContainerStatus(p, c));
    status["initContainerStatuses"] = init;
  }
  // The kubelet sorts container statuses by name.
  std::vector<const ContainerRt*> main;
  for (const auto& c : p.main) main.push_back(&c);
  std::sort(main.begin(), main.end(),
            [](auto* a, auto* b) { return a->name < b->name; });
  Json cs = Json::array();
  for (const auto* c : main) cs.push_back(ContainerStatus(p, *c));
  status["containerStatuses"] = cs;
  if (const Json* qos = base::Find(*p.pod, {"status", "qosClass"})) {
    status["qosClass"] = *qos;
  }
  return status;
}

void Kubelet::Event(const PodRt& p, const ContainerRt& c, const char* type,
                    const char* reason, const std::string& message) {
  std::string path =
      std::string(c.init ? "spec.initContainers{" : "spec.containers{") +
      c.name + "}";
  recorder_.EventWithFieldPath(*p.pod, path, type, reason, message);
}

void Kubelet::PublishLogState(const PodRt& p, const ContainerRt& c) {
  ContainerLogState s;
  using State = ContainerLogState::State;
  s.state = c.st == ContainerRt::St::kRunning      ? State::kRunning
            : c.st == ContainerRt::St::kTerminated ? State::kTerminated
                                                   : State::kWaiting;
  s.waiting_reason = c.reason;
  if (c.current && c.st != ContainerRt::St::kWaiting)
    s.current_id = c.current->id;
  // While waiting after a crash the latest attempt shows as lastState.
  if (c.st == ContainerRt::St::kWaiting && c.current) {
    s.last_id = c.current->id;
  } else if (c.last) {
    s.last_id = c.last->id;
  }
  logs_->SetContainer(p.ns, p.name, p.uid, c.name, s);
}

void Kubelet::Log(const PodRt& p, const ContainerRt& c, const std::string& line,
                  base::Time when) {
  if (c.current) logs_->Append(p.ns, p.name, c.current->id, when, line);
}

void Kubelet::WriteStatus(PodRt& p, Json status) {
  if (status == p.last_sent) {
    p.pending_status.reset();
    return;
  }
  p.pending_status = std::move(status);
  status_dirty_.insert(p.key);
  if (flush_posted_) return;
  flush_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  ctx_.loop->PostIdle([this, alive] {
    if (alive.expired()) return;
    flush_posted_ = false;
    FlushStatuses();
  });
}

void Kubelet::FlushStatuses() {
  // A node that is down reports nothing; coming back re-reconciles its pods.
  if (down_) return;
  std::set<std::string> dirty;
  dirty.swap(status_dirty_);
  bool waiting = false;
  for (const std::string& key : dirty) {
    auto it = pods_.find(key);
    if (it == pods_.end() || !it->second.pending_status) continue;
    if (queue_.Queued(key)) {
      // Its reconcile runs before this flush's next turn and has the
      // newer state.
      status_dirty_.insert(key);
      waiting = true;
      continue;
    }
    SendStatus(it->second);
  }
  if (waiting && !flush_posted_) {
    flush_posted_ = true;
    std::weak_ptr<bool> alive = alive_;
    ctx_.loop->PostIdle([this, alive] {
      if (alive.expired()) return;
      flush_posted_ = false;
      FlushStatuses();
    });
  }
}

void Kubelet::SendStatus(PodRt& p) {
  if (!p.pending_status) return;
  Json status = std::move(*p.pending_status);
  p.pending_status.reset();
  status_dirty_.erase(p.key);
  p.last_sent = status;
  Json patch = {{"metadata", {{"uid", p.uid}}}, {"status", std::move(status)}};
  std::string uid = p.uid;
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Patch(client::kPods, p.ns, p.name,
                     client::PatchType::kStrategicMerge, std::move(patch),
                     "status", [this, alive, uid](base::StatusOr<Json> r) {
                       if (alive.expired() || r.ok() ||
                           r.status().code() == base::Code::kNotFound) {
                         return;
                       }
                       if (PodRt* p = FindPod(uid)) {
                         p->last_sent = Json();  // write it again
                         queue_.AddRateLimited(p->key);
                       }
                     });
}

}  // namespace ksim::kubelet
