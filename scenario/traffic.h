// Traffic: a client that sends requests through the simulated network
// (apiserver::NetGateway) at a steady rate for a duration, and what came
// back. Request k leaves at start + k/rate on the cluster's clock, so in
// virtual time the same seed gives the same outcomes.
//
// Thread-safety: loop thread only (the gateway calls `done` there).
#ifndef KSIM_SCENARIO_TRAFFIC_H_
#define KSIM_SCENARIO_TRAFFIC_H_

#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/net_gateway.h"
#include "base/event_loop.h"
#include "scenario/scenario.h"

namespace ksim::scenario {

struct Outcome {
  base::Duration sent{0};     // since the scenario's start
  base::Duration latency{0};  // until the answer (or the error)
  int curl_code = 0;
  int status = 0;
  std::string endpoint;  // pod IP:port that answered
  std::string error;
  // curl succeeded and the HTTP status is below 400.
  bool ok() const { return curl_code == 0 && status > 0 && status < 400; }
};

struct TrafficStats {
  int64_t requests = 0;
  int64_t failures = 0;
  double success_ratio = 1;  // 1 when no request was made
  base::Duration p50{0}, p90{0}, p99{0}, max{0};
};

// Nearest-rank percentiles over the outcomes sent in [from, to).
TrafficStats Summarize(const std::vector<Outcome>& outcomes,
                       std::optional<base::Duration> from = std::nullopt,
                       std::optional<base::Duration> to = std::nullopt);

class Traffic {
 public:
  using OnOutcome = std::function<void(const Outcome&)>;
  // REQUIRES: loop and gateway outlive the Traffic, or the loop stops
  // running first.
  Traffic(base::EventLoop* loop, apiserver::NetGateway* gateway,
          TrafficSpec spec, base::Time scenario_start, OnOutcome on_outcome);
  ~Traffic();

  // Sends the first request now, the others at the spec's rate.
  void Start();
  const TrafficSpec& spec() const { return spec_; }
  const std::vector<Outcome>& outcomes() const { return outcomes_; }
  int64_t in_flight() const { return sent_ - static_cast<int64_t>(outcomes_.size()); }

 private:
  void Send();

  base::EventLoop* loop_;
  apiserver::NetGateway* gateway_;
  TrafficSpec spec_;
  base::Time scenario_start_;
  base::Time first_{};
  OnOutcome on_outcome_;
  int64_t total_ = 0;
  int64_t sent_ = 0;
  std::vector<Outcome> outcomes_;
  // Answers that arrive after the Traffic is gone are dropped.
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_TRAFFIC_H_
