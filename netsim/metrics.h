// Metrics: the netsim's counters, rendered in the Prometheus text format
// (0.0.4) for ksim's /metrics:
//   ksim_netsim_requests_total{code}            every exchange, by curl
//                                               exit code ("0" = answered)
//   ksim_netsim_service_requests_total{namespace,service}
//   ksim_netsim_service_failures_total{namespace,service}
//   ksim_netsim_service_request_duration_seconds{namespace,service} (histogram)
//   ksim_netsim_endpoint_requests_total{namespace,service,endpoint,pod}
//   ksim_netsim_endpoint_failures_total{namespace,service,endpoint,pod}
//   ksim_netsim_endpoint_request_duration_seconds{...} (histogram)
// A failure is an exchange that got no HTTP answer (curl exit code not 0)
// or a 5xx answer. Service series count exchanges addressed to the
// Service (its ClusterIP, NodePort or DNS name); endpoint series count
// exchanges that reached a pod (service="" when addressed to the pod).
//
// Thread-safety: every method is safe from any thread (a mutex).
#ifndef KSIM_NETSIM_METRICS_H_
#define KSIM_NETSIM_METRICS_H_

#include <array>
#include <cstdint>
#include <map>
#include <mutex>
#include <string>
#include <tuple>

namespace ksim::netsim {

struct ExchangeRecord {
  int curl_code = 0;
  int status = 0;
  std::string service;  // "ns/name" or ""
  std::string endpoint; // "ip:port" or ""
  std::string pod;      // "ns/name" of the endpoint or ""
  double seconds = 0;
};

class Metrics {
 public:
  // Upper bounds of the latency buckets, in seconds (+Inf implied).
  static constexpr std::array<double, 14> kBuckets = {
      0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05,
      0.1,    0.25,  0.5,    1,     2.5,  5,     10};

  void Record(const ExchangeRecord& r);
  std::string Render() const;
  // Totals, for tests: (requests, failures) of a Service or an endpoint.
  std::pair<uint64_t, uint64_t> ServiceCounts(const std::string& svc) const;
  std::pair<uint64_t, uint64_t> EndpointCounts(
      const std::string& endpoint) const;

 private:
  struct Series {
    uint64_t requests = 0;
    uint64_t failures = 0;
    std::array<uint64_t, kBuckets.size()> buckets{};  // non-cumulative
    double sum = 0;
    void Add(bool failed, double seconds);
  };
  mutable std::mutex mu_;
  std::map<int, uint64_t> by_code_;
  std::map<std::string, Series> services_;
  // (service, endpoint, pod)
  std::map<std::tuple<std::string, std::string, std::string>, Series>
      endpoints_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_METRICS_H_
