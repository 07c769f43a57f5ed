// Recorder: what a scenario run leaves behind. It watches the control
// plane's store from revision 0 — every stored change, with its virtual
// time and revision, goes to the trace (JSON lines) — and keeps the live
// counts the report charts: pods by phase, ready endpoints per Service,
// Ready nodes, sampled at a fixed virtual interval. The runner adds its own
// lines (steps, traffic outcomes, assertions) through Line().
//
// Determinism: the trace holds no wall-clock time and no pointer; stored
// values are the API server's sorted-key JSON; times are offsets from the
// scenario's start on the cluster's clock.
//
// Thread-safety: loop thread only, except the store's on_ready hook, which
// only posts a drain to the loop. REQUIRES: the loop no longer runs (or was
// destroyed) when the Recorder is destroyed.
#ifndef KSIM_SCENARIO_RECORDER_H_
#define KSIM_SCENARIO_RECORDER_H_

#include <atomic>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <ostream>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "base/json.h"
#include "store/store.h"

namespace ksim::scenario {

struct Sample {
  base::Duration t{0};  // since the start
  int64_t revision = 0;
  std::map<std::string, int64_t> pods_by_phase;
  // "namespace/name" -> ready addresses; the first kMaxChartedServices
  // Services by name, plus "(all)" for the sum over every Service.
  std::map<std::string, int64_t> ready_endpoints;
  int64_t nodes_ready = 0;
  int64_t nodes = 0;
};

inline constexpr size_t kMaxChartedServices = 12;

// Seconds with up to nanosecond digits and no trailing zeros ("12.5"):
// exact, so equal durations always print alike.
std::string SecondsText(base::Duration d);

class Recorder {
 public:
  // `trace` may be null (no trace kept). REQUIRES: loop, store and trace
  // outlive the Recorder.
  Recorder(base::EventLoop* loop, store::Store* store, base::Time start,
           std::ostream* trace);
  ~Recorder();
  Recorder(const Recorder&) = delete;
  Recorder& operator=(const Recorder&) = delete;

  // Opens the watch from revision 0 (the bootstrap objects included).
  base::Status Start();
  // Samples every `every` of virtual time from now on, until StopSampling.
  void StartSampling(base::Duration every);
  void StopSampling() { sampling_ = false; }
  // Runs after every drained batch of changes (the runner's waits).
  void set_on_change(std::function<void()> f) { on_change_ = std::move(f); }

  // Takes every pending change now.
  void Drain();
  // Appends {"t": <now>, ...fields} to the trace.
  void Line(const base::Json& fields);
  void TakeSample();

  base::Duration Elapsed() const { return loop_->Now() - start_; }
  int64_t revision() const { return revision_; }
  const std::vector<Sample>& samples() const { return samples_; }
  const std::map<std::string, int64_t>& pods_by_phase() const {
    return phases_count_;
  }
  // Set when the watch ended early (cut off or compacted away): the trace
  // is then incomplete and the run must fail.
  const base::Status& watch_status() const { return watch_status_; }

 private:
  void Apply(const store::Event& e);
  void WriteTrace(const store::Event& e);

  base::EventLoop* loop_;
  store::Store* store_;
  base::Time start_;
  std::ostream* trace_;
  std::unique_ptr<store::Watcher> watcher_;
  std::shared_ptr<std::atomic<bool>> drain_posted_;
  std::function<void()> on_change_;
  int64_t revision_ = 0;
  base::Status watch_status_;
  base::Duration sample_every_{0};
  bool sampling_ = false;
  // Live state, by store key.
  std::map<std::string, std::string> pod_phase_;
  std::map<std::string, int64_t> phases_count_;
  std::map<std::string, int64_t> endpoints_ready_;  // "ns/name"
  std::map<std::string, bool> node_ready_;
  std::vector<Sample> samples_;
};

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_RECORDER_H_
