// NetGateway: how everything outside the cluster loop reaches the simulated
// network (netsim/): `ksim curl` and the ksim API (/ksim/v1/...), the API
// server's services/pods proxy subresources, live faults, /metrics, and
// scenarios. The netsim implements it (netsim/gateway.h); the HTTP front
// and the scenario runner only see this interface, as kube-apiserver only
// sees the node's network through its dialer.
//
// Thread-safety: every method may be called from any thread (HTTP pool
// threads, the loop thread). Exchange runs on the cluster loop and calls
// `done` on the loop thread, once, after the simulated network time (in
// virtual time: when the loop reaches it). A blocking caller (an HTTP
// thread) waits on its own promise; the loop thread must never block.
#ifndef KSIM_APISERVER_NET_GATEWAY_H_
#define KSIM_APISERVER_NET_GATEWAY_H_

#include <functional>
#include <string>
#include <utility>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

// One HTTP exchange as curl (or the apiserver's proxy) would make it.
struct NetRequest {
  // Where the connection starts: "node/NAME", "pod/NAMESPACE/NAME", or ""
  // for the control-plane node (the seed's `[root@k8s-master ~]# curl`).
  // A pod source resolves DNS with the pod's search path.
  std::string source;
  // http://HOST[:PORT][/PATH][?QUERY]; HOST is an IP or a DNS name.
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // curl --max-time; 0: no limit beyond the connect timeout of the stack.
  double max_time_seconds = 0;
  // curl --connect-timeout; 0: curl's default.
  double connect_timeout_seconds = 0;
};

struct NetResponse {
  // curl's exit code: 0 success; 6 could not resolve host; 7 failed to
  // connect (refused); 28 timeout; 52 empty reply; 56 recv failure (reset).
  // -1: not attempted, the source is invalid (an unknown node or pod, a pod
  // without an IP yet); `error` says why, e.g. `pods "ghost" not found`.
  int curl_code = 0;
  // curl's message for a non-zero code, without the "curl: (N) " prefix,
  // e.g. "Failed to connect to 10.1.0.5 port 80 after 0 ms: Couldn't
  // connect to server".
  std::string error;
  std::string remote_ip;  // the address connected to (the ClusterIP, ...)
  int remote_port = 0;
  std::string endpoint;   // the pod IP:port that answered ("" if none)
  std::string http_version = "HTTP/1.1";
  int status = 0;
  std::string reason;
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  double elapsed_seconds = 0;  // on the cluster's clock
};

class NetGateway {
 public:
  virtual ~NetGateway() = default;

  virtual void Exchange(NetRequest request,
                        std::function<void(NetResponse)> done) = 0;

  // Faults on the live network and nodes. A fault is JSON:
  //   {"kind": "NodeDown", "node": "k8s-node-1"}
  //   {"kind": "Partition", "groups": [["k8s-node-1"], ["k8s-node-2"]]}
  //       (no traffic between nodes — and their pods — of different
  //       groups; nodes named in no group are unaffected)
  //   {"kind": "Latency", "target": "node/NAME" | "pod/NS/NAME",
  //    "latency": "100ms", "jitter": "10ms"}
  //   {"kind": "Loss", "target": "node/NAME" | "pod/NS/NAME",
  //    "probability": 0.1}
  // AddFault returns the stored fault with its "id" ("fault-1", ...).
  // InvalidArgument for a malformed spec, NotFound for an unknown node or
  // pod.
  virtual base::StatusOr<base::Json> AddFault(const base::Json& spec) = 0;
  // {"items": [fault, ...]} in id order.
  virtual base::StatusOr<base::Json> ListFaults() = 0;
  // Lifts a fault (a NodeDown fault brings the node back). NotFound when
  // no fault has that id.
  virtual base::Status RemoveFault(const std::string& id) = 0;

  // The network's counters in Prometheus text format (per Service and per
  // endpoint: requests, failures, latency histogram).
  virtual std::string Metrics() = 0;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_NET_GATEWAY_H_
