#include "netsim/traffic.h"

#include <cmath>

namespace ksim::netsim {

std::string TrafficSummary::ToString() const {
  std::string out = "sent=" + std::to_string(sent) +
                    " answered=" + std::to_string(answered) +
                    " ok=" + std::to_string(ok) +
                    " failed=" + std::to_string(failed) + " codes={";
  for (const auto& [c, n] : by_curl_code) {
    out += std::to_string(c) + ":" + std::to_string(n) + " ";
  }
  out += "} endpoints={";
  for (const auto& [e, n] : by_endpoint) {
    out += e + ":" + std::to_string(n) + " ";
  }
  return out + "}";
}

TrafficClient::TrafficClient(base::EventLoop* loop,
                             apiserver::NetGateway* gateway,
                             TrafficOptions options)
    : loop_(loop),
      gateway_(gateway),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)) {}

TrafficClient::~TrafficClient() {
  *alive_ = false;
  for (auto id : timers_) loop_->Cancel(id);
}

void TrafficClient::Start() {
  double secs = std::chrono::duration<double>(options_.duration).count();
  planned_ = options_.rate > 0
                 ? static_cast<size_t>(std::floor(secs * options_.rate))
                 : 0;
  samples_.resize(planned_);
  base::Time start = loop_->Now();
  std::weak_ptr<bool> alive = alive_;
  timers_.reserve(planned_);
  for (size_t i = 0; i < planned_; ++i) {
    auto at = start + std::chrono::duration_cast<base::Duration>(
                          std::chrono::duration<double>(i / options_.rate));
    timers_.push_back(loop_->RunAt(at, [this, alive, i] {
      if (!alive.expired()) Send(i);
    }));
  }
}

void TrafficClient::Stop() {
  if (stopped_) return;
  stopped_ = true;
  size_t sent = 0;
  for (size_t i = 0; i < planned_; ++i) {
    if (samples_[i].sent != base::Time{}) sent = i + 1;
  }
  for (auto id : timers_) loop_->Cancel(id);
  timers_.clear();
  planned_ = sent;
  samples_.resize(sent);
}

bool TrafficClient::finished() const {
  if (planned_ == 0) return stopped_ || samples_.empty();
  return answered_ == planned_ &&
         samples_[planned_ - 1].sent != base::Time{};
}

void TrafficClient::Send(size_t index) {
  if (stopped_ || index >= samples_.size()) return;
  samples_[index].sent = loop_->Now();
  apiserver::NetRequest req;
  req.source = options_.source;
  req.url = options_.url;
  req.method = options_.method;
  req.headers = options_.headers;
  req.max_time_seconds = options_.max_time_seconds;
  req.connect_timeout_seconds = options_.connect_timeout_seconds;
  std::weak_ptr<bool> alive = alive_;
  gateway_->Exchange(std::move(req), [this, alive,
                                      index](apiserver::NetResponse r) {
    if (alive.expired() || index >= samples_.size()) return;
    TrafficSample& s = samples_[index];
    if (s.answered) return;
    s.answered = true;
    s.done = loop_->Now();
    s.curl_code = r.curl_code;
    s.status = r.status;
    s.endpoint = r.endpoint;
    s.error = r.error;
    s.latency_seconds = r.elapsed_seconds;
    ++answered_;
  });
}

TrafficSummary TrafficClient::Summary() const {
  TrafficSummary s;
  for (const auto& t : samples_) {
    if (t.sent == base::Time{}) continue;
    ++s.sent;
    if (!t.answered) continue;
    ++s.answered;
    ++s.by_curl_code[t.curl_code];
    if (t.ok()) {
      ++s.ok;
      ++s.by_endpoint[t.endpoint];
    } else {
      ++s.failed;
    }
  }
  return s;
}

}  // namespace ksim::netsim
