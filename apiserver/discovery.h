// API discovery documents built from the resources table:
//  legacy:     /api (APIVersions), /apis (APIGroupList), /apis/<g> (APIGroup),
//              /api/v1 and /apis/<g>/<v> (APIResourceList);
//  aggregated: /api and /apis as APIGroupDiscoveryList in
//              apidiscovery.k8s.io/v2 or v2beta1, negotiated from the Accept
//              header exactly as client-go expects (see
//              shared/notes/kubectl-wire.md section 1).
// The bodies mirror kube-apiserver 1.32's: resources sorted by name with
// their subresources, sorted verbs, storageVersionHash on top-level
// resources, responseKind group/version set only where a subresource speaks
// another group-version (deployments/scale -> autoscaling/v1 Scale).
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

// The discovery format an Accept header asks for. Media ranges are taken in
// order of preference (q first, then position); the first one the discovery
// endpoints can serve as JSON wins:
//   application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList
//     -> kAggregatedV2 (v=v2beta1 -> kAggregatedV2Beta1)
//   application/json, application/*, */* without conversion parameters
//     -> kLegacy
// Ranges asking for other conversions (as=Table ...) or other encodings
// (protobuf, yaml) are skipped. When nothing matches (or Accept is empty) the
// answer is kLegacy JSON.
enum class DiscoveryFormat { kLegacy, kAggregatedV2, kAggregatedV2Beta1 };
DiscoveryFormat NegotiateDiscovery(std::string_view accept);

// `path` is "/api" or "/apis"; `accept` the request's Accept header;
// `server_address` is "host:port" for serverAddressByClientCIDRs.
// content_type is "application/json" for legacy documents and exactly
// "application/json;g=apidiscovery.k8s.io;v=v2;as=APIGroupDiscoveryList"
// (or v=v2beta1) for aggregated ones.
DiscoveryResponse DiscoveryRoot(std::string_view path, std::string_view accept,
                                std::string_view server_address);
// `group_version` is "v1" or "apps/v1"; nullopt if not served.
std::optional<DiscoveryResponse> DiscoveryGroupVersion(
    std::string_view group_version);
// `group` is "apps"; the APIGroup document of /apis/<group>; nullopt if not
// served.
std::optional<DiscoveryResponse> DiscoveryGroup(std::string_view group);

// metav1.APIResource's storageVersionHash for a kind's storage version:
// base64 of the first 8 bytes of sha256("<group>/<version>/<kind>"), as
// kube-apiserver computes it (pods: "xPOwRZ+Yhw8=").
std::string StorageVersionHash(std::string_view group, std::string_view version,
                               std::string_view kind);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_DISCOVERY_H_
