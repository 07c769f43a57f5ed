// What a node itself listens on, besides NodePorts: the kubelet's API
// (10250, every node) and, on the control-plane node, kube-apiserver
// (6443) — both TLS servers. Plain HTTP gets Go's answer to it ("Client
// sent an HTTP request to an HTTPS server.", HTTP/1.0 400); https:// fails
// curl's certificate check (60), as the cluster's CA is not in the
// client's trust store — the simulated network carries no TLS.
//
// Thread-safety: immutable.
#ifndef KSIM_NETSIM_NODE_SERVICES_H_
#define KSIM_NETSIM_NODE_SERVICES_H_

#include "kubelet-sim/application.h"

namespace ksim::netsim {

inline constexpr int kKubeletPort = 10250;
inline constexpr int kApiServerPort = 6443;

// The TLS server a node runs on `port` (null: none). `control_plane`: the
// node runs kube-apiserver.
const kubelet::Application* NodeService(int port, bool control_plane);
// Whether `app` is one of those TLS servers.
bool IsTlsService(const kubelet::Application* app);

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_NODE_SERVICES_H_
