#include "scenario/traffic.h"

#include <algorithm>
#include <cmath>

namespace ksim::scenario {
namespace {

base::Duration Rank(const std::vector<base::Duration>& sorted, double q) {
  if (sorted.empty()) return base::Duration(0);
  size_t k = static_cast<size_t>(std::ceil(q * sorted.size()));
  return sorted[std::clamp<size_t>(k, 1, sorted.size()) - 1];
}

}  // namespace

TrafficStats Summarize(const std::vector<Outcome>& outcomes,
                       std::optional<base::Duration> from,
                       std::optional<base::Duration> to) {
  TrafficStats s;
  std::vector<base::Duration> lat;
  for (const Outcome& o : outcomes) {
    if (from && o.sent < *from) continue;
    if (to && o.sent >= *to) continue;
    ++s.requests;
    s.failures += !o.ok();
    lat.push_back(o.latency);
  }
  if (s.requests > 0) {
    s.success_ratio = static_cast<double>(s.requests - s.failures) /
                      static_cast<double>(s.requests);
  }
  std::sort(lat.begin(), lat.end());
  s.p50 = Rank(lat, 0.50);
  s.p90 = Rank(lat, 0.90);
  s.p99 = Rank(lat, 0.99);
  s.max = lat.empty() ? base::Duration(0) : lat.back();
  return s;
}

Traffic::Traffic(base::EventLoop* loop, apiserver::NetGateway* gateway,
                 TrafficSpec spec, base::Time scenario_start,
                 OnOutcome on_outcome)
    : loop_(loop),
      gateway_(gateway),
      spec_(std::move(spec)),
      scenario_start_(scenario_start),
      on_outcome_(std::move(on_outcome)),
      alive_(std::make_shared<bool>(true)) {
  double n = std::floor(spec_.rate *
                        std::chrono::duration<double>(spec_.duration).count());
  total_ = std::max<int64_t>(1, static_cast<int64_t>(n));
}

Traffic::~Traffic() { *alive_ = false; }

void Traffic::Start() {
  first_ = loop_->Now();
  Send();
}

void Traffic::Send() {
  base::Time now = loop_->Now();
  apiserver::NetRequest req;
  req.source = spec_.source;
  req.url = spec_.url;
  req.method = spec_.method;
  req.max_time_seconds = std::chrono::duration<double>(spec_.timeout).count();
  base::Duration sent = now - scenario_start_;
  std::shared_ptr<bool> alive = alive_;
  ++sent_;
  gateway_->Exchange(std::move(req), [this, alive, sent,
                                      now](apiserver::NetResponse r) {
    if (!*alive) return;
    Outcome o;
    o.sent = sent;
    o.latency = loop_->Now() - now;
    o.curl_code = r.curl_code;
    o.status = r.status;
    o.endpoint = r.endpoint;
    o.error = r.error;
    outcomes_.push_back(o);
    if (on_outcome_) on_outcome_(o);
  });
  if (sent_ >= total_) return;
  // Request k leaves at first + k / rate, computed from k so that rounding
  // does not drift.
  auto at = first_ + base::Duration(static_cast<int64_t>(
                         std::llround(static_cast<double>(sent_) * 1e9 /
                                      spec_.rate)));
  loop_->RunAt(at, [this, alive] {
    if (*alive) Send();
  });
}

}  // namespace ksim::scenario
