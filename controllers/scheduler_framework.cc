#include "controllers/scheduler_framework.h"

#include <algorithm>
#include <cmath>
#include <limits>

namespace ksim::controllers::sched {
namespace {

constexpr int64_t kMaxNodeScore = 100;

bool NoScheduleOrNoExecute(const std::string& e) {
  return e == "NoSchedule" || e == "NoExecute";
}
bool PreferNoSchedule(const std::string& e) { return e == "PreferNoSchedule"; }

FilterStatus Fail(bool unresolvable, std::vector<std::string> reasons) {
  return {false, unresolvable, std::move(reasons)};
}

bool PortsConflict(const std::vector<HostPort>& used,
                   const std::vector<HostPort>& want) {
  for (const HostPort& w : want) {
    for (const HostPort& u : used) {
      if (u.port != w.port || u.protocol != w.protocol) continue;
      if (w.ip == "0.0.0.0" || u.ip == "0.0.0.0" || u.ip == w.ip) return true;
    }
  }
  return false;
}

// noderesources.fitsRequest: every insufficient resource is a reason.
FilterStatus FitsRequest(const PodInfo& pod, const NodeInfo& n) {
  std::vector<std::string> reasons;
  bool unresolvable = false;
  const Resources& alloc = n.node.allocatable;
  if (n.pod_count + 1 > n.node.allowed_pods) reasons.push_back("Too many pods");
  const Resources& r = pod.requests;
  auto check = [&](int64_t req, int64_t have, int64_t used, std::string why) {
    if (req > 0 && req > have - used) {
      reasons.push_back(std::move(why));
      if (req > have) unresolvable = true;
    }
  };
  check(r.milli_cpu, alloc.milli_cpu, n.requested.milli_cpu,
        "Insufficient cpu");
  check(r.memory, alloc.memory, n.requested.memory, "Insufficient memory");
  check(r.ephemeral_storage, alloc.ephemeral_storage,
        n.requested.ephemeral_storage, "Insufficient ephemeral-storage");
  for (const auto& [name, req] : r.scalar) {
    auto a = alloc.scalar.find(name);
    auto u = n.requested.scalar.find(name);
    check(req, a == alloc.scalar.end() ? 0 : a->second,
          u == n.requested.scalar.end() ? 0 : u->second,
          "Insufficient " + name);
  }
  if (reasons.empty()) return {};
  return Fail(unresolvable, std::move(reasons));
}

// helper.DefaultNormalizeScore.
void NormalizeDefault(std::vector<int64_t>& s, bool reverse) {
  int64_t max = 0;
  for (int64_t v : s) max = std::max(max, v);
  for (int64_t& v : s) {
    if (max == 0) {
      v = reverse ? kMaxNodeScore : v;
      continue;
    }
    v = kMaxNodeScore * v / max;
    if (reverse) v = kMaxNodeScore - v;
  }
}

int64_t LeastRequested(int64_t requested, int64_t capacity) {
  if (capacity == 0 || requested > capacity) return 0;
  return (capacity - requested) * kMaxNodeScore / capacity;
}

int64_t LeastAllocatedScore(const PodInfo& pod, const NodeInfo& n) {
  const Resources& a = n.node.allocatable;
  int64_t sum = 0, weights = 0;
  if (a.milli_cpu != 0) {
    sum += LeastRequested(n.nonzero_requested.milli_cpu + pod.nonzero.milli_cpu,
                          a.milli_cpu);
    ++weights;
  }
  if (a.memory != 0) {
    sum += LeastRequested(n.nonzero_requested.memory + pod.nonzero.memory,
                          a.memory);
    ++weights;
  }
  return weights == 0 ? 0 : sum / weights;
}

int64_t BalancedAllocationScore(const PodInfo& pod, const NodeInfo& n) {
  const Resources& a = n.node.allocatable;
  std::vector<double> fractions;
  auto add = [&](int64_t req, int64_t alloc) {
    if (alloc == 0) return;
    fractions.push_back(std::min(1.0, static_cast<double>(req) / alloc));
  };
  add(n.requested.milli_cpu + pod.requests.milli_cpu, a.milli_cpu);
  add(n.requested.memory + pod.requests.memory, a.memory);
  double std_dev = 0;
  if (fractions.size() == 2)
    std_dev = std::abs((fractions[0] - fractions[1]) / 2);
  return static_cast<int64_t>((1 - std_dev) * kMaxNodeScore);
}

// PodTopologySpread with the system default constraints (hostname maxSkew
// 3, zone maxSkew 5, ScheduleAnyway), pods grouped by their controller (what
// DefaultSelector selects for a ReplicaSet's pods).
std::vector<int64_t> SpreadScores(const PodInfo& pod,
                                  const std::vector<const NodeInfo*>& nodes) {
  std::vector<int64_t> out(nodes.size(), 0);
  if (pod.owner_uid.empty() || nodes.empty()) return out;
  std::vector<int64_t> counts(nodes.size(), 0);
  std::map<std::string, int64_t> zone_counts;
  for (size_t i = 0; i < nodes.size(); ++i) {
    auto c = nodes[i]->owner_counts.find(pod.owner_uid);
    if (c != nodes[i]->owner_counts.end()) counts[i] = c->second;
    // Counted over the feasible nodes' zones, as PreScore does.
    if (nodes[i]->node.zone) zone_counts[*nodes[i]->node.zone] += counts[i];
  }
  double host_weight = std::log(static_cast<double>(nodes.size() + 2));
  double zone_weight = std::log(static_cast<double>(zone_counts.size() + 2));
  int64_t min = std::numeric_limits<int64_t>::max(), max = 0;
  for (size_t i = 0; i < nodes.size(); ++i) {
    const NodeStatic& n = nodes[i]->node;
    double score = 0;
    if (n.has_hostname_label) score += counts[i] * host_weight + (3 - 1);
    if (n.zone) score += zone_counts[*n.zone] * zone_weight + (5 - 1);
    out[i] = static_cast<int64_t>(std::round(score));
    min = std::min(min, out[i]);
    max = std::max(max, out[i]);
  }
  for (int64_t& v : out) {
    v = max == 0 ? kMaxNodeScore : kMaxNodeScore * (max + min - v) / max;
  }
  return out;
}

}  // namespace

FilterStatus RunFilters(const PodInfo& pod, const NodeInfo& n) {
  const NodeStatic& node = n.node;
  if (node.unschedulable) {
    // NodeUnschedulable lets pods through that tolerate its taint.
    Taint t{"node.kubernetes.io/unschedulable", "", "NoSchedule", ""};
    bool tolerated = std::any_of(
        pod.tolerations.begin(), pod.tolerations.end(),
        [&](const Toleration& tol) { return ToleratesTaint(tol, t); });
    if (!tolerated) return Fail(true, {"node(s) were unschedulable"});
  }
  if (const Taint* t = FindUntoleratedTaint(node.taints, pod.tolerations,
                                            NoScheduleOrNoExecute)) {
    return Fail(true, {"node(s) had untolerated taint {" + t->key + ": " +
                       t->value + "}"});
  }
  if (!MatchesRequiredAffinity(pod, node)) {
    return Fail(true, {"node(s) didn't match Pod's node affinity/selector"});
  }
  if (!pod.host_ports.empty() && PortsConflict(n.used_ports, pod.host_ports)) {
    return Fail(false,
                {"node(s) didn't have free ports for the requested pod ports"});
  }
  return FitsRequest(pod, n);
}

std::optional<std::set<std::string>> PreFilterNodeNames(const PodInfo& pod) {
  if (!pod.has_required_affinity || pod.required_terms.empty()) {
    return std::nullopt;
  }
  std::set<std::string> names;
  for (const NodeSelectorTerm& t : pod.required_terms) {
    std::optional<std::set<std::string>> term_names;
    for (const NodeRequirement& r : t.match_fields) {
      if (r.key != "metadata.name" || r.op != "In") continue;
      std::set<std::string> s(r.values.begin(), r.values.end());
      if (!term_names) {
        term_names = std::move(s);
      } else {
        std::set<std::string> both;
        std::set_intersection(term_names->begin(), term_names->end(), s.begin(),
                              s.end(), std::inserter(both, both.end()));
        term_names = std::move(both);
      }
    }
    if (!term_names) return std::nullopt;  // terms are ORed
    names.insert(term_names->begin(), term_names->end());
  }
  return names;
}

std::vector<int64_t> ScoreNodes(const PodInfo& pod,
                                const std::vector<const NodeInfo*>& nodes) {
  size_t n = nodes.size();
  std::vector<int64_t> taint(n), affinity(n), total(n, 0);
  for (size_t i = 0; i < n; ++i) {
    const NodeStatic& node = nodes[i]->node;
    for (const Taint& t : node.taints) {
      if (!PreferNoSchedule(t.effect)) continue;
      bool ok = std::any_of(
          pod.tolerations.begin(), pod.tolerations.end(),
          [&](const Toleration& tol) {
            return (tol.effect.empty() || tol.effect == "PreferNoSchedule") &&
                   ToleratesTaint(tol, t);
          });
      if (!ok) ++taint[i];
    }
    for (const auto& [weight, term] : pod.preferred_terms) {
      if (MatchesNodeSelectorTerm(term, node)) affinity[i] += weight;
    }
  }
  NormalizeDefault(taint, /*reverse=*/true);
  NormalizeDefault(affinity, /*reverse=*/false);
  std::vector<int64_t> spread = SpreadScores(pod, nodes);
  for (size_t i = 0; i < n; ++i) {
    total[i] = 3 * taint[i] + 2 * affinity[i] +
               LeastAllocatedScore(pod, *nodes[i]) +
               BalancedAllocationScore(pod, *nodes[i]) + 2 * spread[i];
  }
  return total;
}

}  // namespace ksim::controllers::sched
