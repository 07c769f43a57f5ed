// Proxier: kube-proxy in iptables mode, for the whole simulated cluster.
// It watches Services and EndpointSlices (the shared informers) and, like
// kube-proxy's sync loop, rebuilds its rule table from them some time after
// they change: a change is applied `sync_delay` after it is seen (the
// iptables-restore run), and never sooner than `min_sync_period` after the
// previous sync (kube-proxy's --iptables-min-sync-period, 1 s by default).
// Until then connections follow the old rules — the window in which a
// rolling update without preStop hooks loses requests.
//
// Routing as the generated rules do (pkg/proxy/iptables/proxier.go):
//  - ClusterIP:port (and NodePort on any node IP) -> one endpoint chosen
//    uniformly at random (the "statistic --mode random" chain) with the
//    seeded Rng; sessionAffinity ClientIP pins a client IP to its endpoint
//    for timeoutSeconds after its last connection ("recent" match);
//  - endpoints as CategorizeEndpoints (1.28+) picks them: the ready ones,
//    or the serving+terminating ones when none is ready;
//  - no usable endpoint at all: REJECT (connection refused);
//  - internalTrafficPolicy Local (externalTrafficPolicy Local for NodePort)
//    with endpoints elsewhere only: DROP (the client times out);
//  - headless Services (clusterIP None) get no rule.
// One rule table serves every node (each real node runs its own
// kube-proxy with the same rules, synced at about the same time); the
// "Local" policies filter by the source's node at connection time. Like
// kube-proxy's change trackers, a sync rebuilds only the Services whose
// object or slices changed since the previous one.
//
// Thread-safety: loop thread only.
#ifndef KSIM_NETSIM_PROXIER_H_
#define KSIM_NETSIM_PROXIER_H_

#include <cstdint>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <unordered_map>
#include <vector>

#include "base/clock.h"
#include "base/rng.h"
#include "client/cluster_context.h"

namespace ksim::netsim {

struct ProxierOptions {
  base::Duration min_sync_period = std::chrono::seconds(1);
  // From a change being seen to the rules being in place (watch delivery
  // plus iptables-restore on a small cluster).
  base::Duration sync_delay = std::chrono::milliseconds(100);
};

struct ProxyEndpoint {
  uint32_t ip = 0;
  int port = 0;
  std::string node;     // nodeName of the endpoint ("" when unset)
  std::string pod;      // targetRef "ns/name" ("" when none)
  std::string ip_text;  // "10.244.1.2"
  std::string address;  // "10.244.1.2:8080", for metrics and answers
  bool ready = false;
  bool serving = false;
  bool terminating = false;
};

// One port of one Service, with its endpoints: a KUBE-SVC chain.
struct ServicePort {
  std::string ns, name, port_name;
  std::string service_key;  // "ns/name"
  uint32_t cluster_ip = 0;  // 0: headless or none
  int port = 0;
  int node_port = 0;  // 0: none
  bool affinity = false;
  base::Duration affinity_timeout = std::chrono::seconds(10800);
  bool internal_local = false;
  bool external_local = false;
  std::vector<ProxyEndpoint> endpoints;  // by (ip, port), deduplicated
  // Indices of the endpoints cluster-wide traffic uses (ready ones, or the
  // serving+terminating fallback).
  std::vector<size_t> cluster;
};

enum class Verdict {
  kNoRule,   // not a service address: the packet goes on as addressed
  kForward,  // DNAT to `endpoint`
  kReject,   // "has no endpoints": ICMP port unreachable -> refused
  kDrop,     // "has no local endpoints": silently dropped -> timeout
};

struct Decision {
  Verdict verdict = Verdict::kNoRule;
  const ServicePort* service = nullptr;
  const ProxyEndpoint* endpoint = nullptr;
};

class Proxier {
 public:
  // Registers informer handlers (Services, EndpointSlices); call before the
  // informers start. REQUIRES: ctx members and `rng` outlive the proxier.
  Proxier(const client::ClusterContext& ctx, base::Rng* rng,
          ProxierOptions options = {});
  ~Proxier();
  Proxier(const Proxier&) = delete;
  Proxier& operator=(const Proxier&) = delete;

  // Where a TCP connection from src_ip (a host on src_node) to
  // dst_ip:dst_port goes. `dst_node`: the node whose address dst_ip is
  // ("" when it is no node's): NodePort rules apply there.
  Decision Route(uint32_t dst_ip, int dst_port, const std::string& dst_node,
                 uint32_t src_ip, const std::string& src_node);
  // Whether ip is a Service's ClusterIP (on some port).
  bool IsClusterIP(uint32_t ip) const { return cluster_ips_.count(ip) > 0; }
  size_t service_count() const { return services_.size(); }
  // The rule of a Service port by name ("" matches an unnamed port, or the
  // only port); null when none.
  const ServicePort* Find(const std::string& ns, const std::string& name,
                          const std::string& port_name) const;

  // Applies the pending changes from the informer caches now (tests,
  // bench).
  void SyncNow();
  uint64_t syncs() const { return syncs_; }
  base::Time last_sync() const { return last_sync_; }

 private:
  void OnChange(const std::string& service_key);
  void Sync();
  void Rebuild(const std::string& service_key);
  void Unindex(const std::vector<ServicePort>& ports);
  std::vector<ServicePort> BuildPorts(const base::Json& svc) const;
  const ProxyEndpoint* Pick(const ServicePort& sp, uint32_t src_ip,
                            const std::vector<size_t>& candidates);

  client::ClusterContext ctx_;
  base::Rng* rng_;
  ProxierOptions options_;
  // Service key -> its ports. A rebuilt Service gets new ServicePorts
  // (pointers handed out by Route and Find are valid until the next sync).
  std::map<std::string, std::vector<ServicePort>> services_;
  std::unordered_map<uint64_t, const ServicePort*> vip_;  // ip << 16 | port
  std::unordered_map<int, const ServicePort*> node_ports_;
  std::map<uint32_t, int> cluster_ips_;  // ClusterIP -> ports using it
  std::set<std::string> dirty_;          // Service keys to rebuild
  // (service key / port name, client ip) -> (endpoint address, last use)
  std::map<std::pair<std::string, uint32_t>, std::pair<std::string, base::Time>>
      affinity_;
  bool sync_pending_ = false;
  base::Time last_sync_{};
  uint64_t syncs_ = 0;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_PROXIER_H_
