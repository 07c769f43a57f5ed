// The pod printer: READY, STATUS and RESTARTS exactly as printPod in
// pkg/printers/internalversion/printers.go (Kubernetes 1.32) derives them
// from the pod's spec and status.
#include <map>
#include <string>

#include "apiserver/table_internal.h"

namespace ksim::apiserver::table_internal {
namespace {

// Pod state the two container loops accumulate.
struct PodState {
  std::string reason;
  int64_t restarts = 0;
  int64_t ready = 0;
  std::optional<base::Time> last_restart;
};

bool IsRestartable(const Json* init_container) {
  return init_container != nullptr &&
         Str(*init_container, "restartPolicy") == "Always";
}

// hasPodReadyCondition: any condition of the type that is True.
bool AnyConditionTrue(const Json& pod, std::string_view type) {
  for (const auto& c : ArrayAt(pod, {"status", "conditions"})) {
    if (Str(c, "type") == type && Str(c, "status") == "True") return true;
  }
  return false;
}

// isPodInitializedConditionTrue: the first condition of the type decides.
bool FirstConditionTrue(const Json& pod, std::string_view type) {
  for (const auto& c : ArrayAt(pod, {"status", "conditions"})) {
    if (Str(c, "type") == type) return Str(c, "status") == "True";
  }
  return false;
}

// metav1.Time.Before: strictly earlier, with the zero time before all.
void NoteTermination(const Json& status, std::optional<base::Time>& last) {
  if (base::Find(status, {"lastState", "terminated"}) == nullptr) return;
  auto finished = TimeAt(status, {"lastState", "terminated", "finishedAt"});
  if (finished && (!last || *last < *finished)) last = finished;
}

// "Init:Signal:9", "Init:ExitCode:1" or "Signal:9" ... for a terminated
// state without a reason.
std::string TerminatedReason(const Json& terminated, const char* prefix) {
  std::string reason = Str(terminated, "reason");
  if (!reason.empty()) return prefix + reason;
  int64_t signal = Int(terminated, "signal");
  if (signal != 0)
    return prefix + std::string("Signal:") + std::to_string(signal);
  return prefix + std::string("ExitCode:") +
         std::to_string(Int(terminated, "exitCode"));
}

// The init container loop; returns whether the pod is still initializing.
bool ScanInitContainers(const Json& pod, PodState& st,
                        int64_t& sidecar_restarts,
                        std::optional<base::Time>& sidecar_last_restart) {
  std::map<std::string, const Json*> specs;
  for (const auto& c : ArrayAt(pod, {"spec", "initContainers"})) {
    specs[Str(c, "name")] = &c;
  }
  const Json& statuses = ArrayAt(pod, {"status", "initContainerStatuses"});
  const size_t total = ArrayAt(pod, {"spec", "initContainers"}).size();
  for (size_t i = 0; i < statuses.size(); ++i) {
    const Json& c = statuses[i];
    auto spec = specs.find(Str(c, "name"));
    bool restartable =
        IsRestartable(spec == specs.end() ? nullptr : spec->second);
    st.restarts += Int(c, "restartCount");
    NoteTermination(c, st.last_restart);
    if (restartable) {
      sidecar_restarts += Int(c, "restartCount");
      NoteTermination(c, sidecar_last_restart);
    }
    const Json* terminated = base::Find(c, {"state", "terminated"});
    const Json* waiting = base::Find(c, {"state", "waiting"});
    if (terminated && Int(*terminated, "exitCode") == 0) continue;
    if (restartable && Bool(c, "started")) {
      if (Bool(c, "ready")) ++st.ready;
      continue;
    }
    std::string waiting_reason = waiting ? Str(*waiting, "reason") : "";
    if (terminated) {
      st.reason = TerminatedReason(*terminated, "Init:");
    } else if (!waiting_reason.empty() && waiting_reason != "PodInitializing") {
      st.reason = "Init:" + waiting_reason;
    } else {
      st.reason = "Init:" + std::to_string(i) + "/" + std::to_string(total);
    }
    return true;
  }
  return false;
}

// The main container loop, last container first as kube walks them.
void ScanContainers(const Json& pod, PodState& st) {
  bool has_running = false;
  const Json& statuses = ArrayAt(pod, {"status", "containerStatuses"});
  for (size_t k = statuses.size(); k-- > 0;) {
    const Json& c = statuses[k];
    st.restarts += Int(c, "restartCount");
    NoteTermination(c, st.last_restart);
    const Json* waiting = base::Find(c, {"state", "waiting"});
    const Json* terminated = base::Find(c, {"state", "terminated"});
    if (waiting && !Str(*waiting, "reason").empty()) {
      st.reason = Str(*waiting, "reason");
    } else if (terminated) {
      st.reason = TerminatedReason(*terminated, "");
    } else if (Bool(c, "ready") &&
               base::Find(c, {"state", "running"}) != nullptr) {
      has_running = true;
      ++st.ready;
    }
  }
  // Back to "Running" while a container still runs after another completed.
  if (st.reason == "Completed" && has_running) {
    st.reason = AnyConditionTrue(pod, "Ready") ? "Running" : "NotReady";
  }
}

std::string ReadinessGates(const Json& pod) {
  const Json& gates = ArrayAt(pod, {"spec", "readinessGates"});
  if (gates.empty()) return "<none>";
  int true_conditions = 0;
  for (const auto& gate : gates) {
    std::string type = Str(gate, "conditionType");
    for (const auto& c : ArrayAt(pod, {"status", "conditions"})) {
      if (Str(c, "type") != type) continue;
      if (Str(c, "status") == "True") ++true_conditions;
      break;
    }
  }
  return std::to_string(true_conditions) + "/" + std::to_string(gates.size());
}

std::string OrNone(std::string s) { return s.empty() ? "<none>" : s; }

Json RowConditions(const std::string& phase) {
  if (phase != "Succeeded" && phase != "Failed") return nullptr;
  return Json::array(
      {{{"type", "Completed"},
        {"status", "True"},
        {"reason", phase},
        {"message", phase == "Succeeded" ? "The pod has completed successfully."
                                         : "The pod failed."}}});
}

PrintedRow PrintPod(const Json& pod, base::Time now) {
  const std::string phase = base::GetString(pod, {"status", "phase"});
  PodState st;
  st.reason = base::GetString(pod, {"status", "reason"}, phase);
  if (st.reason.empty()) st.reason = phase;
  for (const auto& c : ArrayAt(pod, {"status", "conditions"})) {
    if (Str(c, "type") == "PodScheduled" &&
        Str(c, "reason") == "SchedulingGated") {
      st.reason = "SchedulingGated";
    }
  }
  int64_t total = ArrayAt(pod, {"spec", "containers"}).size();
  for (const auto& c : ArrayAt(pod, {"spec", "initContainers"})) {
    if (IsRestartable(&c)) ++total;
  }

  int64_t sidecar_restarts = 0;
  std::optional<base::Time> sidecar_last_restart;
  bool initializing =
      ScanInitContainers(pod, st, sidecar_restarts, sidecar_last_restart);
  if (!initializing || FirstConditionTrue(pod, "Initialized")) {
    st.restarts = sidecar_restarts;
    st.last_restart = sidecar_last_restart;
    ScanContainers(pod, st);
  }

  const Json* deletion = base::Find(pod, {"metadata", "deletionTimestamp"});
  bool deleting = deletion != nullptr && !deletion->is_null();
  if (deleting && base::GetString(pod, {"status", "reason"}) == "NodeLost") {
    st.reason = "Unknown";
  } else if (deleting && phase != "Succeeded" && phase != "Failed") {
    st.reason = "Terminating";
  }

  std::string restarts = std::to_string(st.restarts);
  if (st.restarts != 0 && st.last_restart) {
    restarts += " (" + Since(st.last_restart, now) + " ago)";
  }
  const Json& ips = ArrayAt(pod, {"status", "podIPs"});
  std::string ip = ips.empty() ? "" : Str(ips[0], "ip");

  PrintedRow row;
  row.cells = Json::array(
      {Name(pod), std::to_string(st.ready) + "/" + std::to_string(total),
       st.reason, restarts, Age(pod, now), OrNone(ip),
       OrNone(base::GetString(pod, {"spec", "nodeName"})),
       OrNone(base::GetString(pod, {"status", "nominatedNodeName"})),
       ReadinessGates(pod)});
  row.conditions = RowConditions(phase);
  return row;
}

}  // namespace

const Printer& PodPrinter() {
  static const Printer kPrinter{
      {{"Name", "string", "name", kNameDescription, 0},
       {"Ready", "string", "",
        "The aggregate readiness state of this pod for accepting traffic.", 0},
       {"Status", "string", "",
        "The aggregate status of the containers in this pod.", 0},
       {"Restarts", "string", "",
        "The number of times the containers in this pod have been restarted "
        "and when the last container in this pod has restarted.",
        0},
       {"Age", "string", "", kAgeDescription, 0},
       {"IP", "string", "", "The pod's first IP address.", 1},
       {"Node", "string", "", "The node the pod is bound to.", 1},
       {"Nominated Node", "string", "",
        "The node the scheduler nominated for this pod while preempting.", 1},
       {"Readiness Gates", "string", "",
        "How many of the pod's readiness gates are satisfied.", 1}},
      &PrintPod};
  return kPrinter;
}

}  // namespace ksim::apiserver::table_internal
