// Endpoints subsets as the endpoint controller builds them: one subset per
// (pod, port) first, then packed into kube's canonical layout
// (endpoints.RepackSubsets) so that equal contents compare equal, then
// truncated to the Endpoints capacity.
//
// Values only; no thread-safety concerns.
#ifndef KSIM_CONTROLLERS_ENDPOINTS_SUBSETS_H_
#define KSIM_CONTROLLERS_ENDPOINTS_SUBSETS_H_

#include <compare>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "base/json.h"

namespace ksim::controllers {

struct EndpointAddress {
  std::string ip;
  std::string hostname;
  std::optional<std::string> node_name;
  bool has_target_ref = false;
  // targetRef without its resourceVersion, which the controller neither
  // sets nor compares.
  std::string ref_kind, ref_namespace, ref_name, ref_uid;

  bool operator==(const EndpointAddress&) const = default;
  auto operator<=>(const EndpointAddress&) const = default;
};

struct EndpointPort {
  std::string name;
  int64_t port = 0;
  std::string protocol;
  std::optional<std::string> app_protocol;

  bool operator==(const EndpointPort&) const = default;
  auto operator<=>(const EndpointPort&) const = default;
};

struct EndpointSubset {
  std::vector<EndpointAddress> addresses;
  std::vector<EndpointAddress> not_ready_addresses;
  std::vector<EndpointPort> ports;

  bool operator==(const EndpointSubset&) const = default;
  auto operator<=>(const EndpointSubset&) const = default;
};

// RepackSubsets: every address (by ip and targetRef uid) offering the same
// ports with the same readiness ends up in one subset; an address not ready
// on some subset is not ready everywhere for that port. Addresses are sorted
// by IP then uid, ports and subsets in a fixed order. (kube orders ports and
// subsets by an md5 of their Go dump; ours is a plain lexicographic order:
// equally stable, but a multi-port or multi-subset object may list them in
// another order than kube would.)
std::vector<EndpointSubset> RepackSubsets(
    const std::vector<EndpointSubset>& subsets);

// truncateEndpoints: when the subsets hold more than `max_capacity`
// addresses, keeps at most that many, ready ones first, spreading the cut
// over subsets by their share. Returns whether anything was cut.
bool TruncateSubsets(std::vector<EndpointSubset>* subsets, int max_capacity);

// Total addresses, ready and not ready.
size_t CountAddresses(const std::vector<EndpointSubset>& subsets);

// The JSON form (Go's omitempty: empty lists and names are left out), and
// back from an Endpoints object's "subsets" (null or absent: none).
base::Json SubsetsToJson(const std::vector<EndpointSubset>& subsets);
std::vector<EndpointSubset> SubsetsFromJson(const base::Json* subsets);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTS_SUBSETS_H_
