// Replay: plays a recording of `ksim up --record FILE` back on a simulated
// cluster in virtual time — each request at its recorded offset, through
// the HTTP front's own handler (apiserver::ReplayRequest) without sockets —
// and compares the final state with the one the recording ended with
// (apiserver::NormalizedState: objects without uid, resourceVersion,
// timestamps, managedFields, status and pod placement).
//
// Thread-safety: runs on the calling thread (it drives the cluster loop).
#ifndef KSIM_SCENARIO_REPLAY_H_
#define KSIM_SCENARIO_REPLAY_H_

#include <optional>
#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"
#include "cluster/cluster_config.h"

namespace ksim::scenario {

struct ReplayOptions {
  std::optional<uint64_t> seed;  // default: the recording's
  cluster::ClusterConfig cluster = cluster::DefaultClusterConfig();
  // Virtual time let pass after the last request before the comparison.
  base::Duration settle = std::chrono::minutes(1);
};

struct ReplayResult {
  size_t requests = 0;
  // Requests whose status code differs from the recorded one.
  std::vector<std::string> code_mismatches;
  base::Duration end{0};
  base::Json final_state;          // what the replay reached
  bool has_expected = false;       // the recording had a "final" line
  std::vector<std::string> differences;  // vs the recorded final state
  bool same() const { return has_expected && differences.empty(); }
};

base::StatusOr<ReplayResult> Replay(const std::string& file,
                                    const ReplayOptions& options);

// Differences between two normalised states ("missing KEY", "extra KEY",
// "KEY: replace /spec/replicas"), at most `max`.
std::vector<std::string> CompareStates(const base::Json& want,
                                       const base::Json& got, size_t max);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_REPLAY_H_
