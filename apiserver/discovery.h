// API discovery documents built from the resources table:
//  legacy:     /api (APIVersions), /apis (APIGroupList),
//              /api/v1 and /apis/<g>/<v> (APIResourceList);
//  aggregated: /api and /apis as APIGroupDiscoveryList in
//              apidiscovery.k8s.io/v2 or v2beta1, negotiated from the Accept
//              header exactly as client-go expects (see
//              shared/notes/kubectl-wire.md section 1).
// Documents are computed once and cached. Thread-safe.
#ifndef KSIM_APISERVER_DISCOVERY_H_
#define KSIM_APISERVER_DISCOVERY_H_

#include <optional>
#include <string>
#include <string_view>

namespace ksim::apiserver {

struct DiscoveryResponse {
  std::string body;
  std::string content_type;
};

// `path` is "/api" or "/apis"; `accept` the request's Accept header;
// `server_address` is "host:port" for serverAddressByClientCIDRs.
DiscoveryResponse DiscoveryRoot(std::string_view path, std::string_view accept,
                                std::string_view server_address);
// `group_version` is "v1" or "apps/v1"; nullopt if not served.
std::optional<DiscoveryResponse> DiscoveryGroupVersion(
    std::string_view group_version);
// `group` is "apps"; the APIGroup document of /apis/<group>; nullopt if not
// served.
std::optional<DiscoveryResponse> DiscoveryGroup(std::string_view group);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_DISCOVERY_H_
