// Shared parts of ksim_cluster_bench (cluster_bench.cc: flags, the
// virtual-time mode and main; cluster_bench_http.cc: the HTTP mode).
#ifndef KSIM_BENCH_CLUSTER_BENCH_H_
#define KSIM_BENCH_CLUSTER_BENCH_H_

#include <map>
#include <nlohmann/json.hpp>
#include <string>
#include <unordered_map>
#include <vector>

#include "bench/api_load.h"

namespace ksim::bench {

using Json = nlohmann::json;
inline constexpr char kName[] = "bench";
inline constexpr char kNs[] = "default";

struct Flags {
  int replicas = 10000;
  int nodes = 100;
  std::string mode = "both";
  std::string ksim;
  double timeout = 600;  // seconds of wall time per mode
  int poll_ms = 100;
  std::string command;
};

// One mode's figures; virtual_s < 0 when there is no virtual clock.
struct Result {
  bool complete = false;
  double wall_s = 0, pods_ready_wall_s = 0, virtual_s = -1;
  double cpu_s = 0, rss_mb = 0;
  size_t ready = 0, addresses = 0;
  std::string note;
};

double Since(SteadyClock::time_point t0);
// The same cluster for both modes: k8s-master plus `nodes` workers with
// room for every replica, zero kubelet delays.
std::string ClusterYaml(const Flags& f);
Json DeploymentJson(int replicas);
Json ServiceJson();
bool PodRunningReady(const Json& p);
// The ready addresses of one EndpointSlice.
std::vector<std::string> ReadyAddresses(const Json& slice);

// The distinct ready addresses over every slice of the Service (an address
// may sit in two slices for a moment while the reconciler moves it).
class AddressCount {
 public:
  void Set(const std::string& slice, std::vector<std::string> addrs) {
    for (const auto& a : by_slice_[slice]) {
      if (--refs_[a] == 0) refs_.erase(a);
    }
    for (const auto& a : addrs) ++refs_[a];
    by_slice_[slice] = std::move(addrs);
  }
  size_t size() const { return refs_.size(); }

 private:
  std::map<std::string, std::vector<std::string>> by_slice_;
  std::unordered_map<std::string, int> refs_;
};

Result RunVirtual(const Flags& f);
Result RunHttp(const Flags& f);

}  // namespace ksim::bench

#endif  // KSIM_BENCH_CLUSTER_BENCH_H_
