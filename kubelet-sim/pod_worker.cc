// The pod half of the Kubelet: Reconcile, the sandbox, container starts
// with image pulls, processes, exits, restarts with CrashLoopBackOff.
#include <algorithm>

#include "client/resource.h"
#include "kubelet-sim/kubelet.h"

namespace ksim::kubelet {

using base::Json;
using std::chrono::seconds;

namespace {

// flowcontrol.Backoff of the kubelet: 10 s doubling to 300 s; an entry
// older than twice the maximum is forgotten (the container ran fine).
constexpr auto kBackoffInitial = seconds(10);
constexpr auto kBackoffMax = seconds(300);

base::Duration Jitter(base::Rng* rng, base::Duration d, double jitter) {
  if (jitter <= 0 || d.count() == 0) return d;
  double f = 1 - jitter + 2 * jitter * rng->UniformDouble();
  return std::chrono::duration_cast<base::Duration>(d * f);
}

std::string Hex64(base::Rng* rng) {
  static const char kDigits[] = "0123456789abcdef";
  std::string s;
  for (int i = 0; i < 64; ++i) s += kDigits[rng->Uniform(16)];
  return s;
}

std::vector<ContainerRt> MakeContainers(const Json& pod, const char* field,
                                        bool init) {
  std::vector<ContainerRt> out;
  const Json* list = base::Find(pod, {"spec", field});
  if (!list || !list->is_array()) return out;
  for (size_t i = 0; i < list->size(); ++i) {
    ContainerRt c;
    c.name = (*list)[i].value("name", "");
    c.init = init;
    c.index = i;
    c.spec = (*list)[i];
    c.image = NormalizeImage(c.spec.value("image", ""));
    c.profile = &LookupImage(c.image);
    c.reason = init ? "PodInitializing" : "ContainerCreating";
    out.push_back(std::move(c));
  }
  return out;
}

}  // namespace

PodRt* Kubelet::FindPod(const std::string& uid) {
  auto it = uid_to_key_.find(uid);
  if (it == uid_to_key_.end()) return nullptr;
  auto pit = pods_.find(it->second);
  return pit == pods_.end() || pit->second.uid != uid ? nullptr : &pit->second;
}

ContainerRt* Kubelet::FindContainer(const std::string& uid, bool init,
                                    size_t index, uint64_t inc) {
  PodRt* p = FindPod(uid);
  if (!p) return nullptr;
  auto& list = init ? p->init : p->main;
  if (index >= list.size() || list[index].inc != inc) return nullptr;
  return &list[index];
}

base::Status Kubelet::Reconcile(const std::string& key) {
  if (down_) return base::Status();
  client::ObjectPtr obj = ctx_.informers->For(client::kPods)->Get(key);
  bool mine =
      obj && base::GetString(*obj, {"spec", "nodeName"}) == config_.name;
  auto it = pods_.find(key);
  std::string uid = obj ? base::GetString(*obj, {"metadata", "uid"}) : "";
  if (it != pods_.end() && (!mine || it->second.uid != uid)) {
    ForgetPod(key);
    it = pods_.end();
  }
  if (!mine) return base::Status();
  PodRt& p = it == pods_.end() ? AdoptPod(key, obj) : it->second;
  p.pod = obj;
  const Json& meta = (*obj)["metadata"];
  if (meta.contains("deletionTimestamp") && !p.terminating) {
    BeginTermination(p);
  }
  Advance(p);
  if (!p.frozen) WriteStatus(p, BuildStatus(p));
  if (p.terminating && p.terminal && !p.final_delete_sent) {
    SendStatus(p);  // the terminal status is stored before the delete
    FinalDelete(p);
  }
  return base::Status();
}

PodRt& Kubelet::AdoptPod(const std::string& key, const client::ObjectPtr& obj) {
  PodRt& p = pods_[key];
  p.key = key;
  p.pod = obj;
  client::SplitKey(key, &p.ns, &p.name);
  p.uid = base::GetString(*obj, {"metadata", "uid"});
  uid_to_key_[p.uid] = key;
  p.ov = ParseOverrides(*obj);
  p.start_time = ctx_.clock->Now();
  p.init = MakeContainers(*obj, "initContainers", true);
  p.main = MakeContainers(*obj, "containers", false);
  // Keep the transition times of conditions already reported.
  if (const Json* conds = base::Find(*obj, {"status", "conditions"})) {
    for (const auto& c : *conds) {
      p.conditions[c.value("type", "")] = {c.value("status", ""),
                                           c.value("lastTransitionTime", "")};
    }
  }
  if (auto st =
          base::ParseRfc3339(base::GetString(*obj, {"status", "startTime"}))) {
    p.start_time = *st;
  }
  std::string phase = base::GetString(*obj, {"status", "phase"});
  if (phase == "Succeeded" || phase == "Failed") {
    // Finished before we saw it (another run): never run it again.
    p.terminal = true;
    p.terminal_phase = phase;
    p.frozen = true;
    for (auto* list : {&p.init, &p.main}) {
      for (auto& c : *list) c.want_start = false;
    }
  }
  for (auto* list : {&p.init, &p.main}) {
    for (auto& c : *list) PublishLogState(p, c);
  }
  return p;
}

void Kubelet::ForgetPod(const std::string& key) {
  auto it = pods_.find(key);
  if (it == pods_.end()) return;
  PodRt& p = it->second;
  ReleaseIP(p);
  logs_->RemovePod(p.ns, p.name, p.uid);
  uid_to_key_.erase(p.uid);
  pods_.erase(it);  // pending timers find no pod and do nothing
}

void Kubelet::Advance(PodRt& p) {
  if (p.terminal || p.terminating) return;
  if (!p.sandbox_ready) {
    StartSandbox(p);
    return;
  }
  if (p.busy) return;
  for (auto& c : p.init) {
    if (c.current && c.st == ContainerRt::St::kTerminated &&
        c.current->exit_code == 0) {
      continue;  // done
    }
    if (c.want_start) StartContainer(p, c);
    return;  // one init container at a time, in order
  }
  for (auto& c : p.main) {
    if (c.want_start) {
      StartContainer(p, c);
      return;  // one start at a time; FinishStart comes back here
    }
  }
}

void Kubelet::StartSandbox(PodRt& p) {
  const Json* hn = base::Find(*p.pod, {"spec", "hostNetwork"});
  bool host_network = hn && *hn == true;
  if (p.sandbox_pending || (!ips_ && !host_network)) {
    return;  // no podCIDR yet: wait for one
  }
  p.sandbox_pending = true;
  std::string uid = p.uid;
  After(Jitter(ctx_.rng, config_.delays.sandbox, config_.delays.jitter),
        [this, uid, host_network] {
          PodRt* p = FindPod(uid);
          if (!p || p->terminating) return;
          if (host_network) {
            p->ip = config_.internal_ip;  // the node's own address
          } else {
            // A pod adopted from an earlier run keeps its address.
            std::string had = base::GetString(*p->pod, {"status", "podIP"});
            auto ip = !had.empty() && ips_->TryReserve(had, p->key)
                          ? std::optional<std::string>(had)
                          : ips_->Allocate(p->key);
            if (!ip) return;  // range full: stays ContainerCreating
            p->ip = *ip;
            if (ip_observer_) ip_observer_(p->ip, p->key);
          }
          p->sandbox_ready = true;
          Touch(*p);
        });
}

void Kubelet::StartContainer(PodRt& p, ContainerRt& c) {
  p.busy = true;
  c.want_start = false;
  const std::string image = c.spec.value("image", "");
  std::string policy = c.spec.value("imagePullPolicy", "IfNotPresent");
  bool present = images_.count(c.image.full) > 0;
  base::Duration pull{};
  if (policy == "Always" || (!present && policy != "Never")) {
    pull = p.ov.pull_delay.value_or(
        config_.delays.image_pull.value_or(c.profile->pull_time));
    // A present image only has its manifest checked.
    if (present && !p.ov.pull_delay) pull /= 4;
    pull = Jitter(ctx_.rng, pull, config_.delays.jitter);
    Event(p, c, "Normal", "Pulling", "Pulling image \"" + image + "\"");
  } else {
    Event(p, c, "Normal", "Pulled",
          "Container image \"" + image + "\" already present on machine");
  }
  base::Duration start =
      Jitter(ctx_.rng, config_.delays.container_start, config_.delays.jitter) +
      p.ov.start_delay.value_or(base::Duration(0));
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  bool pulled = pull.count() > 0 || policy == "Always" || !present;
  After(pull, [this, uid, init, index, inc, pull, pulled, image, start] {
    ContainerRt* c = FindContainer(uid, init, index, inc);
    PodRt* p = FindPod(uid);
    if (!c || !p) return;
    if (pulled) {
      std::string d = FormatGoDuration(
          std::chrono::duration_cast<std::chrono::milliseconds>(pull));
      images_[c->image.full] = c->profile->size_bytes;
      Event(*p, *c, "Normal", "Pulled",
            "Successfully pulled image \"" + image + "\" in " + d + " (" + d +
                " including waiting). Image size: " +
                std::to_string(c->profile->size_bytes) + " bytes.");
    }
    After(start, [this, uid, init, index, inc] {
      ContainerRt* c = FindContainer(uid, init, index, inc);
      PodRt* p = FindPod(uid);
      if (c && p) FinishStart(*p, *c);
    });
  });
}

void Kubelet::FinishStart(PodRt& p, ContainerRt& c) {
  p.busy = false;
  if (p.terminating) {
    CheckTerminal(p);
    Touch(p);
    return;
  }
  if (c.current) {
    c.last = c.current;  // the previous attempt becomes lastState
    ++c.restarts;
  }
  base::Time now = ctx_.clock->Now();
  c.current =
      TerminatedState{"containerd://" + Hex64(ctx_.rng), now, {}, 0, ""};
  c.st = ContainerRt::St::kRunning;
  c.reason.clear();
  c.message.clear();
  c.ready = false;
  c.started = false;
  c.killing = false;
  c.flap_ready = true;
  ++c.inc;
  for (auto& s : c.probes) s = ProbeState();
  Event(p, c, "Normal", "Created", "Created container: " + c.name);
  Event(p, c, "Normal", "Started", "Started container " + c.name);
  PublishLogState(p, c);
  RunProcess(p, c);
  if (c.st == ContainerRt::St::kRunning) StartProbes(p, c);
  Touch(p);
}

void Kubelet::Exit(PodRt& p, ContainerRt& c, int code) {
  if (c.st != ContainerRt::St::kRunning) return;
  base::Time now = ctx_.clock->Now();
  c.st = ContainerRt::St::kTerminated;
  c.current->finished = now;
  c.current->exit_code = code;
  c.current->reason = code == 0 ? "Completed" : "Error";
  c.ready = false;
  c.listening = false;
  c.killing = false;
  c.shell.reset();
  ++c.inc;  // stops its probes, log lines and exit timers
  logs_->EndInstance(p.ns, p.name, c.current->id);
  PublishLogState(p, c);
  AfterExit(p, c);
  Touch(p);
}

void Kubelet::AfterExit(PodRt& p, ContainerRt& c) {
  if (p.terminating) {
    CheckTerminal(p);
    return;
  }
  std::string policy = p.RestartPolicy();
  int code = c.current->exit_code;
  bool restart = policy == "Always" || (policy == "OnFailure" && code != 0);
  if (c.init && code == 0) {
    Advance(p);  // the next init container, or the main ones
    return;
  }
  if (restart) {
    Restart(p, c);
  } else {
    CheckTerminal(p);
  }
}

void Kubelet::Restart(PodRt& p, ContainerRt& c) {
  base::Time now = ctx_.clock->Now();
  base::Time finished = c.current->finished;
  bool expired =
      !c.has_backoff || finished - c.backoff_updated > 2 * kBackoffMax;
  if (!expired && now - finished < c.backoff) {
    std::string wait = FormatGoDuration(c.backoff);
    c.st = ContainerRt::St::kWaiting;
    c.reason = "CrashLoopBackOff";
    c.message = "back-off " + wait + " restarting failed container=" + c.name +
                " pod=" + p.Formatted();
    Event(p, c, "Warning", "BackOff",
          "Back-off restarting failed container " + c.name + " in pod " +
              p.Formatted());
    PublishLogState(p, c);
    std::string uid = p.uid;
    bool init = c.init;
    size_t index = c.index;
    uint64_t inc = c.inc;
    After(finished + c.backoff - now, [this, uid, init, index, inc] {
      ContainerRt* c = FindContainer(uid, init, index, inc);
      PodRt* p = FindPod(uid);
      if (c && p && !p->terminating) Restart(*p, *c);
    });
    return;
  }
  c.backoff = expired ? base::Duration(kBackoffInitial)
                      : std::min<base::Duration>(c.backoff * 2, kBackoffMax);
  c.backoff_updated = now;
  c.has_backoff = true;
  c.want_start = true;
  Advance(p);
}

void Kubelet::CheckTerminal(PodRt& p) {
  if (p.terminal) return;
  for (const auto* list : {&p.init, &p.main}) {
    for (const auto& c : *list) {
      if (c.st == ContainerRt::St::kRunning) return;
    }
  }
  if (p.busy && !p.terminating) return;
  if (!p.terminating) {
    // Not deleted: terminal only when nothing will run again.
    for (const auto* list : {&p.init, &p.main}) {
      for (const auto& c : *list) {
        if (c.want_start || c.reason == "CrashLoopBackOff") return;
      }
    }
    bool init_failed = false;
    for (const auto& c : p.init) {
      if (!c.current || c.current->exit_code != 0) init_failed = true;
    }
    if (init_failed && p.RestartPolicy() != "Never") return;
  }
  bool failed = false;
  for (const auto* list : {&p.init, &p.main}) {
    for (const auto& c : *list) {
      bool exited = c.current && c.st == ContainerRt::St::kTerminated;
      if (exited && c.current->exit_code != 0) failed = true;
      // Deleted before this container ever ran: a terminal pod with a
      // waiting container is Failed (getPhase).
      if (p.terminating && !c.init && !c.current) failed = true;
    }
  }
  p.terminal = true;
  p.terminal_phase = failed ? "Failed" : "Succeeded";
  // The sandbox goes with the last container: its IP is free again.
  ReleaseIP(p);
  Touch(p);
}

void Kubelet::ReleaseIP(PodRt& p) {
  if (p.ip.empty() || p.ip == config_.internal_ip) return;  // hostNetwork
  if (ips_) ips_->Release(p.ip);
  if (ip_observer_) ip_observer_(p.ip, "");
}

}  // namespace ksim::kubelet
