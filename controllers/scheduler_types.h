// The scheduler's parsed view of pods and nodes (kube-scheduler's
// framework.PodInfo / NodeInfo): everything a filter or score needs is read
// from the JSON once, when the object arrives, so that one scheduling
// decision costs O(nodes) cheap comparisons and no JSON walks.
//
// All functions are pure; values are plain data. Loop thread only (they
// live inside the Scheduler).
#ifndef KSIM_CONTROLLERS_SCHEDULER_TYPES_H_
#define KSIM_CONTROLLERS_SCHEDULER_TYPES_H_

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"

namespace ksim::controllers::sched {

using base::Json;
using Labels = std::map<std::string, std::string>;

// Requests as the scheduler accounts them (framework.Resource).
struct Resources {
  int64_t milli_cpu = 0;
  int64_t memory = 0;
  int64_t ephemeral_storage = 0;
  std::map<std::string, int64_t> scalar;  // extended resources, hugepages

  void Add(const Resources& o);
  void Sub(const Resources& o);
};

struct Toleration {
  std::string key;
  std::string op;  // "Equal" (default) or "Exists"
  std::string value;
  std::string effect;  // "" matches every effect
  std::optional<int64_t> seconds;
};

struct Taint {
  std::string key;
  std::string value;
  std::string effect;
  std::string time_added;  // RFC 3339, "" when unset
};

// v1.NodeSelectorRequirement.
struct NodeRequirement {
  std::string key;
  std::string op;  // In, NotIn, Exists, DoesNotExist, Gt, Lt
  std::vector<std::string> values;
};
struct NodeSelectorTerm {
  std::vector<NodeRequirement> match_expressions;
  std::vector<NodeRequirement> match_fields;  // metadata.name only
};

struct HostPort {
  std::string ip;  // "0.0.0.0" when unset
  std::string protocol;
  int32_t port = 0;
};

struct PodInfo {
  std::string key;  // "ns/name"
  std::string ns;
  std::string name;
  std::string uid;
  int32_t priority = 0;
  bool preempt_never = false;  // preemptionPolicy: Never
  Resources requests;          // what NodeResourcesFit filters on
  Resources nonzero;           // with kube's defaults for unset cpu/memory
  std::vector<Toleration> tolerations;
  Labels node_selector;
  bool has_required_affinity = false;
  std::vector<NodeSelectorTerm> required_terms;  // ORed
  std::vector<std::pair<int32_t, NodeSelectorTerm>> preferred_terms;
  std::vector<HostPort> host_ports;
  std::string owner_uid;  // the controller ownerReference, "" if none
  std::string node_name;  // spec.nodeName
  bool terminating = false;
  bool terminal = false;  // phase Succeeded or Failed
};

struct NodeStatic {
  std::string name;
  Labels labels;
  std::vector<Taint> taints;
  bool unschedulable = false;
  Resources allocatable;
  int64_t allowed_pods = 0;
  // Read by every PodTopologySpread score, so looked up once.
  bool has_hostname_label = false;
  std::optional<std::string> zone;  // topology.kubernetes.io/zone
};

// resource.Quantity's MilliValue() and Value() (both round up). nullopt when
// `s` is not a quantity.
std::optional<int64_t> QuantityMilli(std::string_view s);
std::optional<int64_t> QuantityValue(std::string_view s);

// Parses a pod as the scheduler sees it (spec, owner, requests computed
// with the init-container and sidecar rules of resourcehelper.PodRequests).
PodInfo ParsePod(const Json& pod);
NodeStatic ParseNode(const Json& node);
std::vector<Taint> ParseTaints(const Json* taints);
std::vector<Toleration> ParseTolerations(const Json* tolerations);

// v1helper.TolerationsTolerateTaint for one toleration.
bool ToleratesTaint(const Toleration& t, const Taint& taint);
// The first taint with an effect accepted by `effect_filter` that no
// toleration tolerates, or nullptr.
const Taint* FindUntoleratedTaint(const std::vector<Taint>& taints,
                                  const std::vector<Toleration>& tolerations,
                                  bool (*effect_filter)(const std::string&));

// nodeaffinity: the pod's nodeSelector and required node affinity.
bool MatchesNodeSelectorTerm(const NodeSelectorTerm& term,
                             const NodeStatic& node);
bool MatchesRequiredAffinity(const PodInfo& pod, const NodeStatic& node);

}  // namespace ksim::controllers::sched

#endif  // KSIM_CONTROLLERS_SCHEDULER_TYPES_H_
