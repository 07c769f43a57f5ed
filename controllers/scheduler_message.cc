// FitError.Error() and DefaultPreemption's PostFilter message.
#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "controllers/scheduler_framework.h"

namespace ksim::controllers::sched {
namespace {

// "2 Insufficient cpu, 1 node(s) ...": counts first, sorted as strings (Go's
// sort.Strings over fmt.Sprintf("%v %v", count, reason)).
std::string Histogram(const std::map<std::string, size_t>& reasons) {
  std::vector<std::string> parts;
  for (const auto& [reason, count] : reasons) {
    parts.push_back(std::to_string(count) + " " + reason);
  }
  std::sort(parts.begin(), parts.end());
  std::string out;
  for (const std::string& p : parts) {
    if (!out.empty()) out += ", ";
    out += p;
  }
  return out;
}

bool HasLowerPriorityPods(const NodeInfo& n, int32_t priority) {
  return !n.priority_counts.empty() &&
         n.priority_counts.begin()->first < priority;
}

// Preemption.findCandidates' diagnosis: nodes where preemption cannot help
// (an unresolvable status), nodes with no lower-priority pod to evict, and
// otherwise the filter's own reasons (ksim does not evict victims).
std::string PreemptionMessage(const PodInfo& pod, const Diagnosis& d,
                              const SchedulerCache& cache) {
  if (pod.preempt_never) return "not eligible due to preemptionPolicy=Never.";
  std::map<std::string, size_t> reasons;
  size_t total = 0;
  for (const NodeInfo* n : cache.Nodes()) {
    ++total;
    const FilterStatus* st = nullptr;
    auto it = d.statuses.find(n->node.name);
    if (it != d.statuses.end()) {
      st = &it->second;
    } else if (d.absent) {
      st = &*d.absent;
    }
    if (!d.pre_filter_msg.empty() || st == nullptr || st->unresolvable) {
      ++reasons["Preemption is not helpful for scheduling"];
    } else if (!HasLowerPriorityPods(*n, pod.priority)) {
      ++reasons["No preemption victims found for incoming pod"];
    } else {
      for (const std::string& r : st->reasons) ++reasons[r];
    }
  }
  std::string msg = "0/" + std::to_string(total) + " nodes are available:";
  std::string hist = Histogram(reasons);
  if (!hist.empty()) msg += " " + hist + ".";
  return msg;
}

}  // namespace

std::string FitErrorMessage(const PodInfo& pod, const Diagnosis& d,
                            const SchedulerCache& cache) {
  std::string msg =
      "0/" + std::to_string(d.num_all_nodes) + " nodes are available:";
  if (!d.pre_filter_msg.empty()) {
    msg += " " + d.pre_filter_msg + ".";
  } else {
    std::map<std::string, size_t> reasons;
    for (const auto& [node, st] : d.statuses) {
      for (const std::string& r : st.reasons) ++reasons[r];
    }
    if (d.absent && d.statuses.size() < d.num_all_nodes) {
      for (const std::string& r : d.absent->reasons) {
        reasons[r] += d.num_all_nodes - d.statuses.size();
      }
    }
    std::string hist = Histogram(reasons);
    if (!hist.empty()) msg += " " + hist + ".";
  }
  msg += " preemption: " + PreemptionMessage(pod, d, cache);
  return msg;
}

}  // namespace ksim::controllers::sched
