// Kubelet: one simulated node's kubelet, as kubectl sees a Kubernetes 1.32
// kubelet: it registers its Node (adopting an existing one), renews its
// Lease in kube-node-lease every 10 s, posts node status every 10 s when it
// changed and every 5 min regardless, and runs the pods bound to its node:
// sandbox and pod IP from the node's podCIDR, image pulls, init containers
// in order, containers started with events, applications from the image
// table, probes, restarts with CrashLoopBackOff, graceful termination with
// preStop hooks and the final delete, and container logs.
//
// Shape (DESIGN.md "Controllers"): informer events map to pod keys on a
// WorkQueue; Reconcile(key) is level-triggered and writes the pod status
// (a strategic-merge patch of pods/status with the uid precondition, as the
// status manager does) only when it changed. Runtime progress (pulls,
// starts, exits, probes) happens on loop timers, which change the pod's
// runtime state and queue its key.
//
// Thread-safety: loop thread only (the log store it writes is thread-safe).
#ifndef KSIM_KUBELET_SIM_KUBELET_H_
#define KSIM_KUBELET_SIM_KUBELET_H_

#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"
#include "kubelet-sim/application.h"
#include "kubelet-sim/ip_pool.h"
#include "kubelet-sim/log_store.h"
#include "kubelet-sim/node_config.h"
#include "kubelet-sim/pod_state.h"

namespace ksim::kubelet {

// A container accepting connections on an IP:port, for the netsim.
struct Listener {
  const Application* app = nullptr;
  ServeContext context;  // context.now is the lookup time
  std::string pod_key;   // "ns/name"
  std::string container;
  bool ready = false;  // the container's readiness
};

class Kubelet {
 public:
  // own_handlers: register informer handlers itself (filtered by node
  // name); false when a KubeletSet dispatches events to it.
  // REQUIRES: ctx members and `logs` outlive the kubelet.
  Kubelet(const client::ClusterContext& ctx, NodeConfig config,
          ContainerLogStore* logs, bool own_handlers = true);
  ~Kubelet();
  Kubelet(const Kubelet&) = delete;
  Kubelet& operator=(const Kubelet&) = delete;

  // Registers the node and starts the lease and status loops.
  void Start();
  // Node failure: no heartbeats, lease renewals, status writes or pod
  // handling while down; containers keep their state (their timers wait
  // and run, in order, once the node is back).
  void SetDown(bool down);
  bool down() const { return down_; }

  const std::string& node_name() const { return config_.name; }
  const NodeConfig& config() const { return config_; }
  bool registered() const { return !node_uid_.empty(); }

  // Event entry points (informer handlers or the KubeletSet).
  void OnPodEvent(const std::string& key) { queue_.Add(key); }
  void OnNodeEvent(const client::ObjectPtr& node);

  // Level-triggered reconcile of one pod key ("ns/name").
  base::Status Reconcile(const std::string& key);

  // The netsim's view: who listens on ip:port (nullopt: refused).
  std::optional<Listener> FindListener(const std::string& ip, int port) const;
  // The pod IP assigned to a pod key ("" when none).
  std::string PodIP(const std::string& key) const;
  // Called with (ip, pod key) when an IP is assigned and (ip, "") when
  // released; the KubeletSet keeps its IP index with it.
  void set_ip_observer(
      std::function<void(const std::string&, const std::string&)> f) {
    ip_observer_ = std::move(f);
  }

 private:
  friend class PodWorker;
  // Node (kubelet.cc).
  void Register();
  void RecordNodeStartEvents();
  void RenewLease();
  void SyncNodeStatus(bool force);
  void After(base::Duration d, std::function<void()> fn);
  base::Json NodeRef() const;

  // Pods (pod_worker.cc).
  PodRt* FindPod(const std::string& uid);
  ContainerRt* FindContainer(const std::string& uid, bool init, size_t index,
                             uint64_t inc);
  PodRt& AdoptPod(const std::string& key, const client::ObjectPtr& obj);
  void ForgetPod(const std::string& key);
  void Advance(PodRt& p);
  void StartSandbox(PodRt& p);
  void StartContainer(PodRt& p, ContainerRt& c);
  void FinishStart(PodRt& p, ContainerRt& c);
  void RunProcess(PodRt& p, ContainerRt& c);
  void StartServer(PodRt& p, ContainerRt& c, const ImageProfile& profile);
  void StepShell(const std::string& uid, bool init, size_t index, uint64_t inc);
  void Exit(PodRt& p, ContainerRt& c, int code);
  void AfterExit(PodRt& p, ContainerRt& c);
  void Restart(PodRt& p, ContainerRt& c);
  void Kill(PodRt& p, ContainerRt& c, const std::string& message,
            int64_t grace_seconds);
  void BeginTermination(PodRt& p);
  void CheckTerminal(PodRt& p);
  void ReleaseIP(PodRt& p);
  void Touch(PodRt& p) { queue_.Add(p.key); }
  void Event(const PodRt& p, const ContainerRt& c, const char* type,
             const char* reason, const std::string& message);
  void PublishLogState(const PodRt& p, const ContainerRt& c);
  void Log(const PodRt& p, const ContainerRt& c, const std::string& line,
           base::Time when);
  ServeContext ContextFor(const PodRt& p, const ContainerRt& c, int port) const;

  // Probes (probes.cc).
  void StartProbes(PodRt& p, ContainerRt& c);
  void ScheduleProbe(PodRt& p, ContainerRt& c, ProbeKind kind,
                     base::Duration delay);
  void ProbeTick(const std::string& uid, bool init, size_t index, uint64_t inc,
                 ProbeKind kind);
  bool RunProbe(PodRt& p, ContainerRt& c, const base::Json& probe,
                std::string* message);
  void ApplyProbeResult(PodRt& p, ContainerRt& c, ProbeKind kind, bool ok,
                        const std::string& message);
  void ScheduleFlap(PodRt& p, ContainerRt& c);
  std::string Exec(PodRt& p, ContainerRt& c,
                   const std::vector<std::string>& argv, int* code,
                   base::Duration* slept);

  // Status (pod_status.cc).
  base::Json BuildStatus(PodRt& p);
  base::Json ContainerStatus(const PodRt& p, const ContainerRt& c) const;
  std::string Phase(const PodRt& p) const;
  void SetCondition(PodRt& p, base::Json& conds, const std::string& type,
                    bool status, const std::string& reason,
                    const std::string& message);
  // The status manager: WriteStatus records the pod's newest status and
  // an idle task sends it (SendStatus), so the steps a pod takes at one
  // instant (zero delays) cost one write, as the kubelet's status manager
  // coalesces its updates. A pod whose reconcile is queued waits for it.
  void WriteStatus(PodRt& p, base::Json status);
  void FlushStatuses();
  void SendStatus(PodRt& p);
  void FinalDelete(PodRt& p);

  client::ClusterContext ctx_;
  NodeConfig config_;
  ContainerLogStore* logs_;
  client::EventRecorder recorder_;
  base::WorkQueue queue_;
  NodeIdentity identity_;
  std::string node_uid_;
  bool started_ = false;
  bool down_ = false;
  bool loops_running_ = false;
  uint64_t epoch_ = 0;  // bumped by SetDown so old loop timers stop
  std::vector<std::function<void()>> deferred_;  // timers fired while down
  std::optional<base::Json> lease_;              // as last written
  base::Json last_node_status_;                  // without heartbeats
  base::Time last_status_report_{};
  std::string pod_cidr_;
  std::unique_ptr<IpPool> ips_;
  std::map<std::string, int64_t> images_;  // pulled image -> size
  std::map<std::string, PodRt> pods_;      // by key
  std::map<std::string, std::string> uid_to_key_;
  std::set<std::string> status_dirty_;  // pod keys with a pending status
  bool flush_posted_ = false;
  std::function<void(const std::string&, const std::string&)> ip_observer_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_KUBELET_H_
