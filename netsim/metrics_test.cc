#include "netsim/metrics.h"

#include <catch2/catch.hpp>

namespace ksim::netsim {
namespace {

TEST_CASE("netsim metrics in the Prometheus text format", "[netsim]") {
  Metrics m;
  m.Record({0, 200, "default/webapp", "10.244.1.2:8080", "default/web-1",
            0.0008});
  m.Record({0, 503, "default/webapp", "10.244.1.2:8080", "default/web-1",
            0.003});
  m.Record({7, 0, "default/webapp", "", "", 0});
  m.Record({0, 200, "", "10.244.2.2:80", "default/x", 0.02});
  CHECK(m.ServiceCounts("default/webapp") == std::make_pair<uint64_t, uint64_t>(3, 2));
  CHECK(m.EndpointCounts("10.244.1.2:8080") == std::make_pair<uint64_t, uint64_t>(2, 1));
  std::string t = m.Render();
  CHECK(t.find("# HELP ksim_netsim_requests_total ") != std::string::npos);
  CHECK(t.find("# TYPE ksim_netsim_requests_total counter\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_requests_total{code=\"0\"} 3\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_requests_total{code=\"7\"} 1\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_service_requests_total{namespace=\"default\","
               "service=\"webapp\"} 3\n") != std::string::npos);
  CHECK(t.find("ksim_netsim_service_failures_total{namespace=\"default\","
               "service=\"webapp\"} 2\n") != std::string::npos);
  CHECK(t.find("# TYPE ksim_netsim_service_request_duration_seconds "
               "histogram\n") != std::string::npos);
  // Cumulative buckets: 0.0008 and 0 under 0.001, 0.003 under 0.005.
  CHECK(t.find("ksim_netsim_service_request_duration_seconds_bucket{namespace="
               "\"default\",service=\"webapp\",le=\"0.001\"} 2\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_service_request_duration_seconds_bucket{namespace="
               "\"default\",service=\"webapp\",le=\"0.005\"} 3\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_service_request_duration_seconds_bucket{namespace="
               "\"default\",service=\"webapp\",le=\"+Inf\"} 3\n") !=
        std::string::npos);
  CHECK(t.find("ksim_netsim_service_request_duration_seconds_count{namespace="
               "\"default\",service=\"webapp\"} 3\n") != std::string::npos);
  CHECK(t.find("ksim_netsim_endpoint_requests_total{namespace=\"default\","
               "service=\"\",endpoint=\"10.244.2.2:80\",pod=\"x\"} 1\n") !=
        std::string::npos);
}

}  // namespace
}  // namespace ksim::netsim
