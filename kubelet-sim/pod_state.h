// The kubelet's runtime view of one pod and its containers: what the CRI
// and the probe manager know on a real node. Internal to kubelet-sim.
#ifndef KSIM_KUBELET_SIM_POD_STATE_H_
#define KSIM_KUBELET_SIM_POD_STATE_H_

#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "client/informer.h"
#include "kubelet-sim/images.h"
#include "kubelet-sim/overrides.h"
#include "kubelet-sim/shell.h"

namespace ksim::kubelet {

enum class ProbeKind { kStartup, kReadiness, kLiveness };

struct ProbeState {
  int successes = 0;
  int failures = 0;
};

struct TerminatedState {
  std::string id;
  base::Time started{};
  base::Time finished{};
  int exit_code = 0;
  std::string reason;  // "Completed", "Error"
};

struct ContainerRt {
  enum class St { kWaiting, kRunning, kTerminated };

  std::string name;
  bool init = false;
  size_t index = 0;  // in spec.containers / spec.initContainers
  base::Json spec;
  ImageRef image;
  const ImageProfile* profile = nullptr;

  St st = St::kWaiting;
  std::string reason = "ContainerCreating";  // while waiting
  std::string message;
  std::optional<TerminatedState> current;  // running (finished unset) or
                                           // terminated
  std::optional<TerminatedState> last;     // lastState.terminated
  int restarts = 0;
  bool ready = false;
  bool started = false;    // the startup probe passed (or there is none)
  bool listening = false;  // the server accepts connections
  bool want_start = true;  // waits to be (re)started
  bool killing = false;    // SIGTERM sent, not exited yet
  uint64_t inc = 0;        // bumped at each start and exit: stale timers
  std::unique_ptr<ShellProcess> shell;
  std::vector<std::string> argv;  // the process as started
  std::vector<int> ports;         // what it listens on
  ProbeState probes[3];
  bool flap_ready = true;  // ksim.io/ready-flap's current half
  // CrashLoopBackOff (flowcontrol.Backoff of the kubelet).
  bool has_backoff = false;
  base::Duration backoff{};
  base::Time backoff_updated{};
};

struct PodRt {
  std::string key, ns, name, uid;
  client::ObjectPtr pod;
  PodOverrides ov;
  base::Time start_time{};
  bool sandbox_ready = false;
  bool sandbox_pending = false;
  std::string ip;
  std::vector<ContainerRt> init;
  std::vector<ContainerRt> main;
  bool busy = false;         // a container start is in progress
  bool terminating = false;  // deletionTimestamp seen, containers killed
  bool terminal = false;     // phase Succeeded or Failed reached
  std::string terminal_phase;
  bool frozen = false;  // adopted already finished: report nothing
  bool final_delete_sent = false;
  // Condition type -> (status, lastTransitionTime).
  std::map<std::string, std::pair<std::string, std::string>> conditions;
  base::Json last_sent;                      // the status last written
  std::optional<base::Json> pending_status;  // newer, not yet sent

  std::string RestartPolicy() const {
    return base::GetString(*pod, {"spec", "restartPolicy"}, "Always");
  }
  // "name_ns(uid)", the kubelet's format.Pod.
  std::string Formatted() const { return name + "_" + ns + "(" + uid + ")"; }
};

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_POD_STATE_H_
