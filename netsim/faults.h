// Faults: the network faults in force (apiserver/net_gateway.h documents
// the JSON specs). NodeDown is carried out by the Network through the
// cluster's node-down path; this class keeps the specs and answers the
// data path's questions: is traffic between two nodes cut, how much delay
// and loss does a packet between two hosts get.
//
// Semantics (netsim/README.md):
//  - Partition: traffic between nodes of different groups, and their pods,
//    is dropped (the client times out); nodes in no group are unaffected.
//  - Latency on a node: each round trip that leaves or enters that node
//    (its NIC, as `tc qdisc add dev eth0 root netem delay L J`) gets L plus
//    a jitter uniform in [-J, J]; on a pod: each round trip to or from it
//    (its veth).
//  - Loss on a node or a pod: each SYN crossing it is lost with that
//    probability; the client's kernel retransmits it after 1, 2, 4 ... 64 s
//    and gives up after the 7th (tcp_syn_retries = 6).
//
// Thread-safety: every method is safe from any thread (a mutex), so the
// fault list can be read while the loop uses it.
#ifndef KSIM_NETSIM_FAULTS_H_
#define KSIM_NETSIM_FAULTS_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <mutex>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/rng.h"
#include "base/status.h"

namespace ksim::netsim {

// A host as faults see it: its node and, for a pod, "ns/name".
struct FaultHost {
  std::string node;
  std::string pod;
};

struct Fault {
  uint64_t number = 0;  // "fault-<number>"
  std::string kind;     // NodeDown, Partition, Latency, Loss
  std::string node;     // NodeDown
  std::vector<std::set<std::string>> groups;  // Partition
  bool target_is_pod = false;                 // Latency, Loss
  std::string target;  // node name or "ns/name"
  base::Duration latency{}, jitter{};
  double probability = 0;
  base::Json spec;  // as stored and listed (with "id")
};

// Checks that a node or pod named by a spec exists (NotFound otherwise).
struct FaultValidator {
  std::function<bool(const std::string& node)> node_exists;
  std::function<bool(const std::string& pod_key)> pod_exists;
};

// Parses and validates a spec: InvalidArgument or NotFound with a message
// naming the field.
base::StatusOr<Fault> ParseFault(const base::Json& spec,
                                 const FaultValidator& v);

class Faults {
 public:
  // Stores a parsed fault and gives it its id; returns the stored spec.
  base::Json Add(Fault f);
  // Removes it; NotFound for an unknown id.
  base::StatusOr<Fault> Remove(const std::string& id);
  // {"items": [...]} in id order.
  base::Json List() const;
  // Whether some NodeDown fault still holds `node` down.
  bool NodeHeldDown(const std::string& node) const;

  bool Partitioned(const std::string& node_a, const std::string& node_b) const;
  // Extra round-trip delay between two hosts (draws jitter from rng).
  base::Duration Delay(const FaultHost& a, const FaultHost& b,
                       base::Rng* rng) const;
  // Probability that a SYN between the two hosts is lost.
  double Loss(const FaultHost& a, const FaultHost& b) const;
  bool empty() const;

 private:
  mutable std::mutex mu_;
  uint64_t next_ = 1;
  std::map<uint64_t, Fault> faults_;
  // Count of path-affecting faults (Partition, Latency, Loss), so the data
  // path skips the lock-and-scan when there are none.
  std::atomic<size_t> path_faults_{0};
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_FAULTS_H_
