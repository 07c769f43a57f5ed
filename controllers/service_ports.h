// Target port resolution shared by the Endpoints and EndpointSlice
// controllers: which container port a Service port reaches on one Pod
// (podutil.FindPort), and the endpoint port it becomes.
//
// Pure functions over objects as the API serves them (JSON, defaulted by the
// API server: a ServicePort always has protocol and targetPort).
#ifndef KSIM_CONTROLLERS_SERVICE_PORTS_H_
#define KSIM_CONTROLLERS_SERVICE_PORTS_H_

#include <cstdint>
#include <optional>
#include <string>

#include "base/json.h"

namespace ksim::controllers {

// The port number `service_port` reaches on `pod`: a numeric targetPort as
// is; a named one looked up among the ports of the pod's containers (and of
// its sidecars, init containers with restartPolicy Always) with the same
// name and protocol. nullopt when a name matches nothing (the pod then gets
// no endpoint for that port, as in kube).
std::optional<int64_t> FindPort(const base::Json& pod,
                                const base::Json& service_port);

// An EndpointSlice port: the service port's name (always present, "" when
// unnamed: kubectl 1.31+ crashes on a slice port without one), `port`,
// protocol (TCP when unset) and appProtocol when the service has one.
// An Endpoints port is the same without an empty name (omitempty there).
base::Json EndpointPortFor(const base::Json& service_port, int64_t port);

// The protocol of a port object, "TCP" when unset.
std::string PortProtocol(const base::Json& port);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_SERVICE_PORTS_H_
