// Runner: executes a Scenario on a started cluster::Cluster. Everything runs
// on the cluster loop: each step is a loop timer at its virtual time, waits
// re-check their conditions as the store changes (Recorder::set_on_change)
// and time out on a timer, traffic is loop timers and gateway callbacks. So
// one Runner serves both modes:
//  - virtual time: RunVirtual() drives the loop as fast as the CPU allows;
//  - real (scaled) time: Start() from the loop thread (Post it), then wait
//    for done() — the loop thread of the cluster runs everything.
//
// Failures: an assertion that does not hold is recorded and the run goes
// on (so the report shows them all); a wait that times out or a step the
// cluster rejects ends the run. The result names the first failure with its
// virtual time.
//
// Thread-safety: loop thread only, except done() and WaitDone() (any
// thread). REQUIRES: the cluster outlives the Runner, and the loop no longer
// runs when the Runner is destroyed (destroy the cluster's loop thread
// first in real time).
#ifndef KSIM_SCENARIO_RUNNER_H_
#define KSIM_SCENARIO_RUNNER_H_

#include <atomic>
#include <condition_variable>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <ostream>
#include <string>
#include <vector>

#include "base/rng.h"
#include "cluster/cluster.h"
#include "scenario/recorder.h"
#include "scenario/scenario.h"
#include "scenario/traffic.h"

namespace ksim::scenario {

struct StepRecord {
  bool started = false, ended = false;
  base::Duration start{0}, end{0};
  std::string error;  // why the step failed ("" when it did not)
};

struct CheckRecord {
  const Step* step = nullptr;
  const Check* check = nullptr;
  base::Duration t{0};
  bool ok = false;
  std::string observed;
};

struct Progress {
  base::Duration t{0};
  size_t step = 0;  // index of the step running (== steps when finished)
  size_t steps = 0;
  int64_t revision = 0;
  int64_t requests = 0;
};

struct RunResult {
  bool passed = false;
  uint64_t seed = 0;
  base::Duration end{0};
  std::string failure;  // the first failure, "" when passed
  base::Duration failure_time{0};
  std::vector<StepRecord> steps;
  std::vector<CheckRecord> checks;  // every assertion evaluated
  std::map<std::string, std::vector<Outcome>> traffic;
  std::vector<Sample> samples;
  std::map<std::string, int64_t> final_pods_by_phase;
  int64_t final_revision = 0;
};

struct RunOptions {
  uint64_t seed = 1;  // the cluster's seed (for messages and the run's Rng)
  std::ostream* trace = nullptr;  // JSON lines; null: no trace
  // The network for traffic and faults; null: the cluster's net_gateway().
  // REQUIRES: outlives the Runner.
  apiserver::NetGateway* gateway = nullptr;
};

class Runner {
 public:
  Runner(const Scenario& scenario, cluster::Cluster* cluster,
         RunOptions options);
  ~Runner();
  Runner(const Runner&) = delete;
  Runner& operator=(const Runner&) = delete;

  // Loop thread. Opens the recorder's watch and schedules the first step.
  base::Status Start();
  // Virtual time: Start, then runs the loop until the scenario ends;
  // `progress` (may be empty) is called about every virtual second of a
  // chunk the loop ran.
  RunResult RunVirtual(const std::function<void(const Progress&)>& progress);
  // Thread-safe.
  bool done() const { return done_.load(); }
  void WaitDone();
  Progress progress() const;  // loop thread
  // REQUIRES: done().
  RunResult TakeResult();

 private:
  void ScheduleStep(size_t i);
  void BeginStep(size_t i);
  void EndStep(size_t i, const std::string& error);
  void Finish();
  void Fail(const std::string& message);
  // Step bodies (runner_steps.cc); each ends its step (now or later).
  void DoWrites(size_t i);
  void DoWait(size_t i);
  void CheckWait();
  void DoAssert(size_t i);
  void DoFault(size_t i);
  void DoTraffic(size_t i);
  CheckRecord Evaluate(const Step& step, const Check& c);
  // Issues writes and ends step i once all answered.
  void Write(size_t i, client::Action action);
  void WriteAnswered(size_t i, const base::StatusOr<base::Json>& r,
                     const std::string& what);
  std::string Where() const;
  apiserver::NetGateway* gateway() const {
    return options_.gateway ? options_.gateway : cluster_->net_gateway();
  }

  const Scenario& scenario_;
  cluster::Cluster* cluster_;
  RunOptions options_;
  base::Rng rng_;
  base::Time start_;
  std::unique_ptr<Recorder> recorder_;
  RunResult result_;
  size_t current_ = 0;
  // The wait in progress.
  struct ActiveWait {
    size_t step = 0;
    base::EventLoop::TimerId timeout = 0;
    base::EventLoop::TimerId recheck = 0;
    base::Time last_eval{};
    base::Duration poll{0};
    bool active = false;
  } wait_;
  // Writes of the current step still unanswered, and the first error.
  int pending_writes_ = 0;
  std::string write_error_;
  std::map<std::string, std::string> fault_ids_;  // step name -> gateway id
  std::map<std::string, std::string> node_faults_;  // node -> gateway id
  std::map<std::string, std::unique_ptr<Traffic>> traffic_;
  std::map<std::string, size_t> step_by_name_;
  std::atomic<bool> done_{false};
  mutable std::mutex mu_;
  std::condition_variable cv_;
};

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_RUNNER_H_
