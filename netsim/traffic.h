// TrafficClient: a steady client, as `while true; do curl ...; sleep` or a
// load generator would be: `rate` requests per second to one URL from one
// source for `duration`, each an independent exchange through a
// NetGateway (requests do not wait for each other), every outcome
// recorded. Tests and scenarios use it to see what traffic goes through
// during a rollout, a node failure or a partition.
//
// Thread-safety: loop thread only (construct, Start, read results there or
// once the loop stopped). The gateway's callbacks arrive on the loop.
#ifndef KSIM_NETSIM_TRAFFIC_H_
#define KSIM_NETSIM_TRAFFIC_H_

#include <map>
#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "apiserver/net_gateway.h"
#include "base/event_loop.h"

namespace ksim::netsim {

struct TrafficOptions {
  std::string source;  // as NetRequest::source ("" = control-plane node)
  std::string url;
  double rate = 10;  // requests per second, > 0
  base::Duration duration = std::chrono::seconds(10);
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
  double max_time_seconds = 0;         // curl --max-time
  double connect_timeout_seconds = 0;  // curl --connect-timeout
};

struct TrafficSample {
  base::Time sent{};
  base::Time done{};  // unset until answered
  bool answered = false;
  int curl_code = 0;
  int status = 0;
  std::string endpoint;  // pod IP:port that answered
  std::string error;
  double latency_seconds = 0;
  // Delivered and not a 5xx.
  bool ok() const { return answered && curl_code == 0 && status < 500; }
};

struct TrafficSummary {
  size_t sent = 0;
  size_t answered = 0;  // exchanges that ended (any outcome)
  size_t ok = 0;
  size_t failed = 0;                         // ended and not ok
  std::map<int, size_t> by_curl_code;        // of ended exchanges
  std::map<std::string, size_t> by_endpoint; // of ok exchanges
  std::string ToString() const;
};

class TrafficClient {
 public:
  // REQUIRES: loop and gateway outlive the client (pending callbacks of a
  // destroyed client are ignored).
  TrafficClient(base::EventLoop* loop, apiserver::NetGateway* gateway,
                TrafficOptions options);
  ~TrafficClient();
  TrafficClient(const TrafficClient&) = delete;
  TrafficClient& operator=(const TrafficClient&) = delete;

  // Starts sending now: request i leaves at now + i / rate.
  void Start();
  // Sends nothing more (answers of requests in flight are still recorded).
  void Stop();
  // Everything planned was sent (or Stop was called) and has ended.
  bool finished() const;

  const std::vector<TrafficSample>& samples() const { return samples_; }
  TrafficSummary Summary() const;

 private:
  void Send(size_t index);

  base::EventLoop* loop_;
  apiserver::NetGateway* gateway_;
  TrafficOptions options_;
  std::vector<TrafficSample> samples_;
  size_t planned_ = 0;
  size_t answered_ = 0;
  bool stopped_ = false;
  std::vector<base::EventLoop::TimerId> timers_;
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_TRAFFIC_H_
