// Scenario: a scripted history for a simulated cluster — its shape, then
// steps at virtual times (apply, delete, scale, patch, wait, faults,
// traffic, assertions). docs/scenarios.md is the format reference; this
// header is the parsed form the runner (scenario/runner.h) executes.
//
// Thread-safety: plain values.
#ifndef KSIM_SCENARIO_SCENARIO_H_
#define KSIM_SCENARIO_SCENARIO_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"
#include "client/client.h"
#include "client/resource.h"
#include "cluster/cluster_config.h"

namespace ksim::scenario {

using base::Duration;
using base::Json;

// Which objects a step or a check is about: one by name, or those a label
// selector picks (in one namespace, or every namespace for cluster-scoped
// kinds).
struct ObjectRef {
  client::Resource resource;
  std::string ns = "default";  // ignored for cluster-scoped kinds
  std::string name;            // "" = every object matching `selector`
  std::string selector;        // label selector
  std::string field_selector;  // "spec.nodeName=k8s-node-1"
};

// A bound on a number: equals, or within [min, max].
struct Bound {
  std::optional<double> equals, min, max;
  bool Holds(double v) const;
  std::string ToString() const;  // "== 2", ">= 0.99", "in [295, 320]"
};

// A condition on the cluster's state, for `wait` and `assert`.
struct Check {
  enum class Kind {
    kCount,          // objects (by phase / readiness) counted against a Bound
    kEndpoints,      // ready addresses of a Service's Endpoints
    kJsonPath,       // a jsonpath value of one object
    kDeploymentAvailable,  // rollout complete and Available
    kNodeReady,      // Ready condition status ("True", "False", "Unknown")
    kGone,           // the object is absent (deleted)
    kTraffic,        // outcomes of a traffic step (assert only)
    kElapsed,        // time between two named steps (assert only)
  };
  Kind kind = Kind::kCount;
  int line = 0;
  std::string text;  // the check as written, for messages
  ObjectRef ref;
  std::string phase;          // kCount on pods: "Running", ...
  std::optional<bool> ready;  // kCount on pods: Ready condition
  Bound bound;                // kCount, kEndpoints, numeric kJsonPath
  std::string jsonpath;
  std::optional<std::string> equals;  // kJsonPath string comparison
  std::string status = "True";        // kNodeReady
  // kTraffic
  std::string traffic;
  std::optional<Duration> window_from, window_to;  // scenario times
  Bound success_ratio, requests, failures;
  std::optional<Duration> max_p50, max_p90, max_p99, max_latency;
  // kElapsed: from the start of step `from` to the end of step `to`.
  std::string from_step, to_step;
  std::optional<Duration> min_elapsed, max_elapsed;
};

struct TrafficSpec {
  std::string name;
  std::string url;
  std::string source;  // NetRequest::source
  std::string method = "GET";
  double rate = 1;     // requests per virtual second
  Duration duration = std::chrono::seconds(60);
  Duration timeout = std::chrono::seconds(2);  // curl --max-time
};

struct Step {
  enum class Kind {
    kApply,
    kDelete,
    kScale,
    kPatch,
    kWait,
    kAssert,
    kFault,     // NetGateway::AddFault
    kHeal,      // lifts a named fault (or node-down step)
    kNodeDown,
    kNodeUp,
    kKillPod,   // delete with grace 0
    kTraffic,
    kRun,       // just let time pass (`run: 30s`)
  };
  Kind kind = Kind::kRun;
  int line = 0;
  std::string name;                // optional label
  std::optional<Duration> at;      // since the scenario's start
  Duration after{0};               // since the previous step ended
  std::vector<Json> manifests;     // kApply
  ObjectRef target;                // kDelete, kScale, kPatch, kKillPod
  std::optional<int64_t> grace_seconds;  // kDelete
  int64_t replicas = 0;            // kScale
  Json patch;                      // kPatch
  client::PatchType patch_type = client::PatchType::kStrategicMerge;
  int64_t count = 1;               // kKillPod: how many pods
  std::vector<Check> checks;       // kWait (all must hold), kAssert
  Duration timeout = std::chrono::seconds(60);  // kWait
  std::optional<Duration> poll;    // kWait: overrides Scenario::poll
  Json fault;                      // kFault spec
  std::string node;                // kNodeDown, kNodeUp
  std::string heal;                // kHeal: the fault step's name
  TrafficSpec traffic;             // kTraffic
  Duration run{0};                 // kRun

  std::string Describe() const;    // "line 12: wait deploymentAvailable"
};

struct Scenario {
  std::string file;  // as given, for messages
  std::string name;
  std::string description;
  uint64_t seed = 1;  // --seed overrides
  cluster::ClusterConfig cluster = cluster::DefaultClusterConfig();
  // How often waits re-check while the store changes (0: at every change)
  // and how often the charts sample the cluster.
  Duration poll{0};
  Duration sample = std::chrono::seconds(1);
  std::vector<Step> steps;
};

// Parses a scenario. `file` names it in errors ("FILE:LINE:COL: ...") and
// its directory resolves `apply: {file: ...}` paths. BadRequest for every
// malformed scenario, naming the line.
base::StatusOr<Scenario> ParseScenario(std::string_view yaml,
                                       const std::string& file);
base::StatusOr<Scenario> LoadScenario(const std::string& path);

const char* StepKindName(Step::Kind k);

// "1m30s", "250ms", "0s": a duration as Go prints it, for messages.
std::string FormatDuration(Duration d);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_SCENARIO_H_
