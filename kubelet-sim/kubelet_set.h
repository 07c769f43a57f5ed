// KubeletSet: the kubelets of every simulated node, sharing one pod
// informer (indexed by spec.nodeName) and one node informer: an event is
// dispatched to the one kubelet it concerns, so 5,000 nodes cost one
// handler call per event rather than 5,000. It also owns the log store
// (ContainerLogStore, the apiserver::PodLogs the HTTP front serves) and
// keeps the pod-IP index the netsim resolves addresses with.
//
// Thread-safety: loop thread only, except logs() (thread-safe).
#ifndef KSIM_KUBELET_SIM_KUBELET_SET_H_
#define KSIM_KUBELET_SIM_KUBELET_SET_H_

#include <map>
#include <memory>
#include <optional>
#include <string>

#include "client/cluster_context.h"
#include "kubelet-sim/kubelet.h"
#include "kubelet-sim/log_store.h"

namespace ksim::kubelet {

// The name of the pods informer index by spec.nodeName.
inline constexpr char kNodeNameIndex[] = "spec.nodeName";

class KubeletSet {
 public:
  // Registers the informer handlers and the node-name index; call before
  // the informers start. REQUIRES: ctx members outlive the set.
  explicit KubeletSet(const client::ClusterContext& ctx);
  ~KubeletSet();
  KubeletSet(const KubeletSet&) = delete;
  KubeletSet& operator=(const KubeletSet&) = delete;

  // Adds and starts (registers) a node's kubelet. A name already present
  // is replaced.
  Kubelet* AddNode(NodeConfig config);
  void RemoveNode(const std::string& name);
  Kubelet* Get(const std::string& name) const;
  size_t size() const { return kubelets_.size(); }
  const std::map<std::string, std::unique_ptr<Kubelet>>& kubelets() const {
    return kubelets_;
  }

  // Who answers on ip:port (a pod IP), for the netsim.
  std::optional<Listener> FindListener(const std::string& ip, int port) const;
  // The pod key owning a pod IP ("" when none).
  std::string PodAt(const std::string& ip) const;
  // The node hosting a pod IP ("" when none): with Get(node)->down() the
  // netsim tells a host that is down (timeout) from a closed port (refused).
  std::string NodeOf(const std::string& ip) const;

  ContainerLogStore* logs() { return &logs_; }

 private:
  void Dispatch(const client::ObjectPtr& obj);

  client::ClusterContext ctx_;
  ContainerLogStore logs_;
  std::map<std::string, std::unique_ptr<Kubelet>> kubelets_;
  // pod IP -> (node, pod key)
  std::map<std::string, std::pair<std::string, std::string>> ips_;
};

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_KUBELET_SET_H_
