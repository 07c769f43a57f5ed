// The runner's control flow: scheduling steps, ending them, finishing.
#include "scenario/runner.h"

namespace ksim::scenario {

using base::Json;

Runner::Runner(const Scenario& scenario, cluster::Cluster* cluster,
               RunOptions options)
    : scenario_(scenario),
      cluster_(cluster),
      options_(options),
      // The run's own choices (which pod a killPod takes) draw from a
      // stream of their own, so they do not shift the cluster's.
      rng_(options.seed * 0xD1B54A32D192ED03ULL + 0x2545F4914F6CDD1DULL) {}

Runner::~Runner() = default;

base::Status Runner::Start() {
  base::EventLoop* loop = cluster_->loop();
  start_ = loop->Now();
  result_.seed = options_.seed;
  result_.steps.resize(scenario_.steps.size());
  for (size_t i = 0; i < scenario_.steps.size(); ++i) {
    if (!scenario_.steps[i].name.empty()) {
      step_by_name_[scenario_.steps[i].name] = i;
    }
  }
  recorder_ = std::make_unique<Recorder>(
      loop, cluster_->control_plane()->store(), start_, options_.trace);
  KSIM_RETURN_IF_ERROR(recorder_->Start());
  recorder_->set_on_change([this] {
    if (wait_.active) CheckWait();
  });
  recorder_->Line({{"event", "start"},
                   {"scenario", scenario_.name},
                   {"seed", options_.seed},
                   {"steps", scenario_.steps.size()}});
  recorder_->StartSampling(scenario_.sample);
  ScheduleStep(0);
  return base::Status::Ok();
}

RunResult Runner::RunVirtual(
    const std::function<void(const Progress&)>& progress) {
  base::EventLoop* loop = cluster_->loop();
  base::Status s = Start();
  if (!s.ok()) {
    Fail("cannot start: " + s.message());
    Finish();
  }
  while (!done()) {
    base::Time until = loop->Now() + std::chrono::seconds(1);
    // RunUntilCondition stops before a timer beyond `until` without moving
    // the clock: RunUntil moves it there, or a quiet second (the next
    // timer further away, e.g. a 5 s poll) would never pass.
    if (!loop->RunUntilCondition([this] { return done(); }, until) && !done()) {
      loop->RunUntil(until);
    }
    if (progress) progress(this->progress());
  }
  return TakeResult();
}

void Runner::WaitDone() {
  std::unique_lock<std::mutex> l(mu_);
  cv_.wait(l, [this] { return done_.load(); });
}

Progress Runner::progress() const {
  Progress p;
  p.t = recorder_ ? recorder_->Elapsed() : base::Duration(0);
  p.step = done() ? scenario_.steps.size() : current_;
  p.steps = scenario_.steps.size();
  p.revision = recorder_ ? recorder_->revision() : 0;
  for (const auto& [name, t] : traffic_) {
    p.requests += static_cast<int64_t>(t->outcomes().size());
  }
  return p;
}

RunResult Runner::TakeResult() { return std::move(result_); }

std::string Runner::Where() const {
  return "t=" + FormatDuration(recorder_->Elapsed());
}

void Runner::ScheduleStep(size_t i) {
  if (done()) return;
  if (i >= scenario_.steps.size()) {
    Finish();
    return;
  }
  const Step& step = scenario_.steps[i];
  base::EventLoop* loop = cluster_->loop();
  base::Time when = step.at ? start_ + *step.at : loop->Now() + step.after;
  if (when < loop->Now()) when = loop->Now();
  loop->RunAt(when, [this, i] { BeginStep(i); });
}

void Runner::BeginStep(size_t i) {
  if (done()) return;
  current_ = i;
  const Step& step = scenario_.steps[i];
  StepRecord& rec = result_.steps[i];
  rec.started = true;
  rec.start = recorder_->Elapsed();
  recorder_->Line({{"event", "step"},
                   {"step", i},
                   {"line", step.line},
                   {"kind", StepKindName(step.kind)},
                   {"name", step.name}});
  switch (step.kind) {
    case Step::Kind::kApply:
    case Step::Kind::kDelete:
    case Step::Kind::kScale:
    case Step::Kind::kPatch:
    case Step::Kind::kKillPod:
      DoWrites(i);
      return;
    case Step::Kind::kWait:
      DoWait(i);
      return;
    case Step::Kind::kAssert:
      DoAssert(i);
      return;
    case Step::Kind::kFault:
    case Step::Kind::kHeal:
    case Step::Kind::kNodeDown:
    case Step::Kind::kNodeUp:
      DoFault(i);
      return;
    case Step::Kind::kTraffic:
      DoTraffic(i);
      return;
    case Step::Kind::kRun:
      cluster_->loop()->RunAfter(step.run, [this, i] { EndStep(i, ""); });
      return;
  }
}

void Runner::EndStep(size_t i, const std::string& error) {
  if (done()) return;
  StepRecord& rec = result_.steps[i];
  rec.ended = true;
  rec.end = recorder_->Elapsed();
  rec.error = error;
  Json line = {{"event", "step-end"}, {"step", i}};
  if (!error.empty()) line["error"] = error;
  recorder_->Line(line);
  if (!error.empty()) {
    Fail(scenario_.steps[i].Describe() + ": " + error);
    Finish();
    return;
  }
  ScheduleStep(i + 1);
}

void Runner::Fail(const std::string& message) {
  if (!result_.failure.empty()) return;
  result_.failure = message;
  result_.failure_time = recorder_ ? recorder_->Elapsed() : base::Duration(0);
}

void Runner::Finish() {
  if (done()) return;
  wait_.active = false;
  if (recorder_) {
    recorder_->TakeSample();
    recorder_->StopSampling();
    if (!recorder_->watch_status().ok()) {
      Fail("the trace is incomplete: " + recorder_->watch_status().message());
    }
    result_.end = recorder_->Elapsed();
    result_.samples = recorder_->samples();
    result_.final_pods_by_phase = recorder_->pods_by_phase();
    result_.final_revision = recorder_->revision();
    recorder_->Line({{"event", "end"},
                     {"passed", result_.failure.empty()},
                     {"revision", result_.final_revision}});
  }
  for (const auto& [name, t] : traffic_) result_.traffic[name] = t->outcomes();
  result_.passed = result_.failure.empty();
  {
    std::lock_guard<std::mutex> l(mu_);
    done_.store(true);
  }
  cv_.notify_all();
}

}  // namespace ksim::scenario
