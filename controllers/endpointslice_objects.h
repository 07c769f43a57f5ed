// The EndpointSlice objects the endpointslice controller writes, and how it
// compares them (k8s.io/endpointslice utils.go and util/): pure functions
// over objects as the API serves them.
#ifndef KSIM_CONTROLLERS_ENDPOINTSLICE_OBJECTS_H_
#define KSIM_CONTROLLERS_ENDPOINTSLICE_OBJECTS_H_

#include <set>
#include <string>

#include "base/json.h"
#include "controllers/endpoints_util.h"

namespace ksim::controllers {

inline constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";
inline constexpr char kManagedByLabel[] =
    "endpointslice.kubernetes.io/managed-by";
inline constexpr char kEndpointSliceControllerName[] =
    "endpointslice-controller.k8s.io";
inline constexpr char kZoneLabel[] = "topology.kubernetes.io/zone";

// An endpoint's identity (EndpointSet's hash): its sorted addresses,
// hostname and target namespace and name.
std::string EndpointKey(const base::Json& endpoint);
// EndpointsEqualBeyondHash: nodeName, zone, the three conditions and
// targetRef (but its resourceVersion) are equal.
bool EndpointsEqualBeyondHash(const base::Json& a, const base::Json& b);
// NewPortMapKey: equal for the same ports in any order (null = none).
std::string PortKey(const base::Json* ports);
// Number of endpoints of a slice.
size_t EndpointCount(const base::Json& slice);

// getAddressTypesForService: "IPv4"/"IPv6" from spec.ipFamilies, else from
// the clusterIP, else (headless) both.
std::set<std::string> AddressTypes(const base::Json& service);
bool PublishNotReady(const base::Json& service);
// setEndpointSliceLabels: the service's labels but the reserved keys, plus
// service.kubernetes.io/headless for a headless service,
// kubernetes.io/service-name and endpointslice.kubernetes.io/managed-by.
// `changed` (may be null) tells whether the slice's non-reserved labels
// differ from the service's.
Labels SliceLabels(const base::Json& slice, const base::Json& service,
                   bool* changed);
// The slice has an ownerReference to this Service (by uid).
bool OwnedBy(const base::Json& slice, const base::Json& service);
// newEndpointSlice: generateName "<service>-", labels, a controller
// ownerReference to the service, no endpoints.
base::Json NewSlice(const base::Json& service, const base::Json& ports,
                    const std::string& address_type);
// placeholderSliceCompare: same namespace, labels and owners, and both
// without endpoints and ports.
bool SamePlaceholder(const base::Json& a, const base::Json& b);

// getEndpointPorts: the service ports resolved on the pod, in service order,
// each with a name ("" when the service port has none).
base::Json EndpointPorts(const base::Json& service, const base::Json& pod);
// podToEndpoint: the pod's addresses of `address_type`, conditions
// {ready, serving, terminating}, targetRef, nodeName, the node's zone and,
// when the pod's subdomain is the service, its hostname. `node` may be null.
base::Json PodToEndpoint(const base::Json& pod, const base::Json* node,
                         const base::Json& service,
                         const std::string& address_type);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTSLICE_OBJECTS_H_
