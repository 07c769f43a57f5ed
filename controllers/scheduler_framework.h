// The default kube-scheduler profile's filter and score plugins (1.32), as
// plain functions over the parsed pod and the cache's NodeInfo:
//   filters, in the profile's order: NodeUnschedulable, TaintToleration,
//     NodeAffinity, NodePorts, NodeResourcesFit (the first that fails
//     decides the node's status, as RunFilterPlugins stops there);
//   scores: TaintToleration (weight 3), NodeAffinity (2), NodeResourcesFit
//     LeastAllocated (1), NodeResourcesBalancedAllocation (1),
//     PodTopologySpread with the system default constraints (2), each
//     normalised to 0..100 as its NormalizeScore does.
// FitErrorMessage composes framework.FitError.Error() with DefaultPreemption's
// PostFilter message ("preemption: 0/3 nodes are available: ...").
//
// Pure functions; loop thread only through the cache they read.
#ifndef KSIM_CONTROLLERS_SCHEDULER_FRAMEWORK_H_
#define KSIM_CONTROLLERS_SCHEDULER_FRAMEWORK_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "controllers/scheduler_cache.h"
#include "controllers/scheduler_types.h"

namespace ksim::controllers::sched {

struct FilterStatus {
  bool ok = true;
  // UnschedulableAndUnresolvable: preemption cannot help on this node.
  bool unresolvable = false;
  std::vector<std::string> reasons;
};

FilterStatus RunFilters(const PodInfo& pod, const NodeInfo& node);

// NodeAffinity's PreFilter: the node names a required matchFields
// metadata.name In term pins (nullopt: every node is eligible). An empty set
// means the terms conflict.
std::optional<std::set<std::string>> PreFilterNodeNames(const PodInfo& pod);

// Total weighted scores, one per node of `feasible`, in that order.
std::vector<int64_t> ScoreNodes(const PodInfo& pod,
                                const std::vector<const NodeInfo*>& feasible);

// The diagnosis of a failed scheduling cycle.
struct Diagnosis {
  size_t num_all_nodes = 0;
  std::string pre_filter_msg;                    // set when PreFilter failed
  std::map<std::string, FilterStatus> statuses;  // node -> failed status
  // Status of nodes absent from `statuses` (PreFilter narrowed the set).
  std::optional<FilterStatus> absent;
};

// "0/3 nodes are available: 1 node(s) had untolerated taint
// {node-role.kubernetes.io/control-plane: }, 2 Insufficient cpu. preemption:
// 0/3 nodes are available: 1 Preemption is not helpful for scheduling, 2 No
// preemption victims found for incoming pod."
std::string FitErrorMessage(const PodInfo& pod, const Diagnosis& d,
                            const SchedulerCache& cache);

}  // namespace ksim::controllers::sched

#endif  // KSIM_CONTROLLERS_SCHEDULER_FRAMEWORK_H_
