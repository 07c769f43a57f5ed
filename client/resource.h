// The resources controllers, kubelets and the netsim read and write, named
// the way the API names them. Plain data: the client layer does not depend
// on the API server's tables.
#ifndef KSIM_CLIENT_RESOURCE_H_
#define KSIM_CLIENT_RESOURCE_H_

#include <string>

namespace ksim::client {

struct Resource {
  std::string group;     // "" for core
  std::string version;   // "v1"
  std::string resource;  // plural: "pods"
  std::string kind;      // "Pod"
  bool namespaced = true;

  std::string ApiVersion() const {
    return group.empty() ? version : group + "/" + version;
  }
  bool operator==(const Resource& o) const {
    return group == o.group && resource == o.resource;
  }
};

inline const Resource kNamespaces{"", "v1", "namespaces", "Namespace", false};
inline const Resource kNodes{"", "v1", "nodes", "Node", false};
inline const Resource kPods{"", "v1", "pods", "Pod"};
inline const Resource kServices{"", "v1", "services", "Service"};
inline const Resource kEndpoints{"", "v1", "endpoints", "Endpoints"};
inline const Resource kEvents{"", "v1", "events", "Event"};
inline const Resource kConfigMaps{"", "v1", "configmaps", "ConfigMap"};
inline const Resource kSecrets{"", "v1", "secrets", "Secret"};
inline const Resource kServiceAccounts{"", "v1", "serviceaccounts",
                                       "ServiceAccount"};
inline const Resource kDeployments{"apps", "v1", "deployments", "Deployment"};
inline const Resource kReplicaSets{"apps", "v1", "replicasets", "ReplicaSet"};
inline const Resource kEndpointSlices{"discovery.k8s.io", "v1",
                                      "endpointslices", "EndpointSlice"};
inline const Resource kLeases{"coordination.k8s.io", "v1", "leases", "Lease"};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_RESOURCE_H_
