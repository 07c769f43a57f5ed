// Objects a kubeadm cluster has from the start, beyond namespaces.
#ifndef KSIM_APISERVER_BOOTSTRAP_H_
#define KSIM_APISERVER_BOOTSTRAP_H_

#include "apiserver/registry.h"
#include "base/status.h"

namespace ksim::apiserver {

// The `kubernetes` Service in `default` (first address of the service CIDR,
// port 443 -> 6443), as kube-apiserver's bootstrap controller creates it.
base::Status BootstrapKubernetesService(Registry* registry,
                                        const ServiceRanges& ranges);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_BOOTSTRAP_H_
