// Dns: the cluster DNS as CoreDNS's kubernetes plugin answers it (kubeadm's
// Corefile: `kubernetes cluster.local in-addr.arpa ip6.arpa { pods
// insecure }`), behind the stub resolver of the asking host.
//
// Names CoreDNS knows (zone cluster.local):
//  - SVC.NS.svc.cluster.local: a Service's ClusterIP; for a headless
//    Service the addresses of its ready endpoints (none: no answer);
//    an ExternalName Service is a CNAME to its externalName;
//  - HOSTNAME.SVC.NS.svc.cluster.local: the endpoint with that hostname
//    (StatefulSet pods behind their headless Service);
//  - A-B-C-D.NS.pod.cluster.local: the address A.B.C.D ("pods insecure"
//    answers without looking the pod up).
// Anything else is NXDOMAIN, and names outside the zone have no upstream
// to go to (the simulated cluster has no Internet).
//
// The resolvers:
//  - a pod (dnsPolicy ClusterFirst): search NS.svc.cluster.local
//    svc.cluster.local cluster.local, options ndots:5 — so "webapp",
//    "webapp.default", "webapp.default.svc" all resolve;
//  - a node: /etc/hosts names every node (kubeadm tutorials set it up so),
//    and the cluster's names resolve fully qualified only (no search path
//    for cluster.local on the host).
//
// Thread-safety: loop thread only (reads the informer caches).
#ifndef KSIM_NETSIM_DNS_H_
#define KSIM_NETSIM_DNS_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <vector>

#include "client/informer.h"

namespace ksim::netsim {

class Dns {
 public:
  // REQUIRES: informers outlive the Dns; the Service and EndpointSlice
  // informers exist (the Proxier creates them).
  Dns(client::InformerFactory* informers, std::string domain = "cluster.local");

  // /etc/hosts of the nodes: a node's address by name (nullopt: none).
  void set_node_lookup(
      std::function<std::optional<uint32_t>(const std::string&)> f) {
    node_lookup_ = std::move(f);
  }

  // The addresses `name` resolves to from a pod of `pod_namespace`, or from
  // a node when pod_namespace is empty. Empty: "Could not resolve host".
  std::vector<uint32_t> Resolve(const std::string& name,
                                const std::string& pod_namespace) const;

  // What CoreDNS answers for one fully qualified name (no trailing dot).
  std::vector<uint32_t> Query(const std::string& fqdn, int depth = 0) const;

  const std::string& domain() const { return domain_; }

 private:
  std::vector<uint32_t> ServiceAnswer(const std::string& ns,
                                      const std::string& svc,
                                      const std::string& hostname,
                                      int depth) const;

  client::InformerFactory* informers_;
  std::string domain_;
  std::function<std::optional<uint32_t>(const std::string&)> node_lookup_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_DNS_H_
