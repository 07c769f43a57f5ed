// Network: the simulated network of one cluster, on the cluster loop.
// Every node (its InternalIP) and every pod (its IP, through the
// KubeletSet) is a host; kube-proxy's rules (Proxier) rewrite connections
// to Service addresses; the cluster DNS (Dns) resolves names; Faults cut,
// slow down and drop traffic; Metrics count what happened.
//
// A connection (Dial) as TCP on Linux behaves:
//  - to a pod whose container listens on the port: connected after one
//    round trip; to a port nobody listens on: refused (RST);
//  - to a Service address: through the Proxier (REJECT: refused at once,
//    DROP: timeout); a ClusterIP on a port the Service does not have:
//    no rule catches it, so it is routed nowhere (timeout);
//  - to an address no host has, a host that is down (NodeDown, or a pod on
//    a down node), or across a partition: no answer (timeout); to a pod
//    address of a node's podCIDR that no pod has: "No route to host"
//    after the ARP timeout (3 s), as the node's bridge reports;
//  - a node listens on its NodePorts, the kubelet's 10250 and (the
//    control-plane node) kube-apiserver's 6443 (node_services.h).
// An exchange (Exchange) is curl's: resolve, connect (within curl's
// connect timeout, else the kernel's 127 s of SYN retries), send the
// request (it reaches the pod half a round trip later: a process that
// exited meanwhile resets it), and get the answer back, with curl's exit
// codes and messages (apiserver/net_gateway.h). Times are loop timers.
//
// Thread-safety: loop thread only, except metrics() and faults() (their
// methods are thread-safe). netsim/gateway.h is the thread-safe front.
#ifndef KSIM_NETSIM_NETWORK_H_
#define KSIM_NETSIM_NETWORK_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "apiserver/net_gateway.h"
#include "base/rng.h"
#include "client/cluster_context.h"
#include "kubelet-sim/kubelet_set.h"
#include "netsim/dns.h"
#include "netsim/faults.h"
#include "netsim/metrics.h"
#include "netsim/proxier.h"

namespace ksim::netsim {

using std::chrono::microseconds;
using std::chrono::milliseconds;
using std::chrono::seconds;

struct NetworkOptions {
  // The source of requests that name none ("": the first node).
  std::string default_source_node;
  // The node running kube-apiserver (it listens on 6443 there).
  std::string apiserver_node;
  std::string cluster_domain = "cluster.local";
  ProxierOptions proxier;
  base::Duration same_node_rtt = microseconds(60);    // veth + bridge
  base::Duration cross_node_rtt = microseconds(400);  // VXLAN between nodes
  base::Duration dns_time = microseconds(500);        // a query to CoreDNS
  base::Duration server_time = microseconds(100);     // the app's work
  base::Duration no_route_time = seconds(3);          // ARP gives up
  base::Duration syn_give_up = seconds(127);          // tcp_syn_retries 6
  // An established connection whose peer vanished: tcp_retries2 = 15.
  base::Duration data_give_up = milliseconds(924'600);
};

// A host: a node or a pod.
struct Host {
  uint32_t ip = 0;
  std::string node;
  std::string pod;        // "ns/name" for a pod
  // The pod's namespace when it resolves through the cluster DNS (its
  // search path); "" for a node's resolver (nodes, dnsPolicy Default).
  std::string namespace_;
};

// The outcome of one connection attempt.
struct Dialed {
  enum class Kind { kConnected, kRefused, kTimeout, kNoRoute };
  Kind kind = Kind::kTimeout;
  base::Duration rtt{};           // a round trip between the two ends
  base::Duration connect_time{};  // until connected (SYN retransmissions)
  const ServicePort* service = nullptr;  // valid until the next sync
  std::string service_key;              // "ns/name" via a Service
  uint32_t ip = 0;                      // where it went (after DNAT)
  int port = 0;
  std::string endpoint;  // "ip:port" when it reached a pod
  std::string pod;       // that pod's key
  std::optional<kubelet::Listener> listener;
};

class Network {
 public:
  // Registers informer handlers (Services, EndpointSlices, Nodes, Pods);
  // call before the informers start. REQUIRES: ctx members, `kubelets`
  // and `rng` (the netsim's own stream) outlive the network.
  Network(const client::ClusterContext& ctx, kubelet::KubeletSet* kubelets,
          base::Rng* rng, NetworkOptions options = {});
  ~Network();
  Network(const Network&) = delete;
  Network& operator=(const Network&) = delete;

  // How NodeDown faults take a node down and bring it back (the cluster's
  // SetNodeDown).
  void set_node_down(std::function<base::Status(const std::string&, bool)> f) {
    node_down_ = std::move(f);
  }

  // One exchange; `done` runs on the loop once the answer (or the failure)
  // reaches the client. A bad source or URL: curl_code -1 and the reason.
  void Exchange(apiserver::NetRequest req,
                std::function<void(apiserver::NetResponse)> done);

  base::StatusOr<base::Json> AddFault(const base::Json& spec);
  base::StatusOr<base::Json> ListFaults() const { return faults_.List(); }
  base::Status RemoveFault(const std::string& id);

  // The building blocks (tests, the bench).
  // "", "node/NAME", "pod/NS/NAME" or "pod/NAME" (namespace default).
  base::StatusOr<Host> SourceHost(const std::string& source) const;
  // A connection attempt from `src` to ip:port now.
  Dialed Dial(const Host& src, uint32_t ip, int port);
  std::string NodeOfAddress(uint32_t ip) const;

  Proxier* proxier() { return proxier_.get(); }
  Dns* dns() { return dns_.get(); }
  Metrics* metrics() { return &metrics_; }
  Faults* faults() { return &faults_; }
  const NetworkOptions& options() const { return options_; }
  base::EventLoop* loop() const { return ctx_.loop; }

 private:
  struct Call;  // one exchange in flight (exchange.cc)
  void OnNode(const client::ObjectPtr& node, bool deleted);
  bool HostDown(const std::string& node) const;
  // ip_text: ip as text when the caller has it ("" otherwise).
  Dialed DialHost(const Host& src, uint32_t ip, std::string ip_text, int port,
                  Dialed d);
  Dialed DialNode(const Host& src, uint32_t ip, int port,
                  const std::string& node, Dialed d);
  // The SYN exchange once something listens: loss and retransmissions.
  Dialed Handshake(const FaultHost& a, const FaultHost& b, bool faults,
                   Dialed d);
  void Resolved(std::shared_ptr<Call> c);
  void Connected(std::shared_ptr<Call> c);
  void Serve(std::shared_ptr<Call> c);
  void Answer(std::shared_ptr<Call> c, const kubelet::Listener& l,
              kubelet::HttpResponse r);
  void Fail(std::shared_ptr<Call> c, base::Time at, int code,
            std::string error);
  void Finish(std::shared_ptr<Call> c, base::Time at);
  void At(base::Time t, std::function<void()> fn);

  client::ClusterContext ctx_;
  kubelet::KubeletSet* kubelets_;
  base::Rng* rng_;
  NetworkOptions options_;
  std::unique_ptr<Proxier> proxier_;
  std::unique_ptr<Dns> dns_;
  Faults faults_;
  Metrics metrics_;
  std::function<base::Status(const std::string&, bool)> node_down_;
  // From the Node objects: InternalIP and podCIDR of each node.
  std::map<std::string, uint32_t> node_ip_;
  std::map<uint32_t, std::string> ip_node_;
  std::map<std::string, std::pair<uint32_t, uint32_t>> node_cidr_;  // net, mask
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_NETWORK_H_
