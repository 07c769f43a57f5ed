// Cluster: one simulated Kubernetes cluster in this process — the control
// plane (store, registry), the cluster loop and everything it drives: the
// shared informers, the controllers (deployment, replicaset, endpoints,
// endpointslice, node IPAM, node lifecycle), the scheduler and one
// simulated kubelet per configured node.
//
// Two modes:
//  - real time (ksim up): Start() runs the loop on a thread of its own; the
//    clock is the wall clock, or runs `speed` times faster; in-process
//    writes go through a pool of writer threads so that they share group
//    commits; the HTTP front serves control_plane() concurrently.
//  - virtual time (tests, scenarios): nothing runs until the caller drives
//    loop() (RunFor, RunUntilCondition); writes run inline on the loop
//    thread, so the same seed gives the same history.
//
// Thread-safety: construction, Start and destruction from one thread. In
// real time, the components belong to the loop thread once Start returned;
// control_plane() and pod_logs() are safe from any thread.
#ifndef KSIM_CLUSTER_CLUSTER_H_
#define KSIM_CLUSTER_CLUSTER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "apiserver/control_plane.h"
#include "apiserver/net_gateway.h"
#include "apiserver/pod_logs.h"
#include "base/event_loop.h"
#include "base/status.h"
#include "client/client.h"
#include "cluster/cluster_config.h"

namespace ksim::netsim {
class Network;
}  // namespace ksim::netsim

namespace ksim::cluster {

struct ClusterOptions {
  ClusterConfig config = DefaultClusterConfig();
  uint64_t seed = 1;
  bool virtual_time = false;
  // Real time only: how much faster than the wall clock the cluster's clock
  // runs (ksim up --speed 10).
  double speed = 1.0;
  // Where the store lives; empty: in memory.
  std::string data_dir;
  bool full_sync = true;
  int compaction_interval_seconds = 300;
  // Virtual time only: where the clock starts.
  base::Time start_time = base::Time(std::chrono::seconds(1'767'225'600));
};

class Cluster {
 public:
  static base::StatusOr<std::unique_ptr<Cluster>> Create(
      ClusterOptions options);
  // Stops the loop, then the components, then the control plane.
  virtual ~Cluster() = default;

  // Starts the informers and components; in real time also the loop thread.
  virtual base::Status Start() = 0;

  virtual base::EventLoop* loop() = 0;
  virtual const base::Clock& clock() = 0;
  virtual apiserver::ControlPlane* control_plane() = 0;
  virtual apiserver::PodLogs* pod_logs() = 0;
  // The simulated network (curl, proxy subresources, faults, metrics);
  // null until the netsim is wired in. Safe from any thread.
  virtual apiserver::NetGateway* net_gateway() = 0;
  // The netsim behind net_gateway(), for tests and benches that look inside
  // (its proxier, DNS, metrics) or route without timers. Loop thread only.
  virtual netsim::Network* network() = 0;
  // A client writing as "ksim" (scenarios, tests). Loop thread only.
  virtual client::Client* client() = 0;
  // Node failure and recovery (a kubelet that stops and resumes heartbeats
  // and pod handling). Loop thread only. NotFound for an unknown node.
  virtual base::Status SetNodeDown(const std::string& node, bool down) = 0;
};

}  // namespace ksim::cluster

#endif  // KSIM_CLUSTER_CLUSTER_H_
