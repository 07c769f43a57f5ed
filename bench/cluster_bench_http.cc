// ksim_cluster_bench's HTTP mode: `ksim up` as a child process, driven
// over HTTP with cpp-httplib.
#include <httplib.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <optional>
#include <set>
#include <string>
#include <thread>

#include "bench/cluster_bench.h"

namespace ksim::bench {
namespace {

std::optional<Json> GetJson(httplib::Client& c, const std::string& path) {
  auto res = c.Get(path.c_str());
  if (!res || res->status != 200) return std::nullopt;
  try {
    return Json::parse(res->body);
  } catch (const Json::exception&) {
    return std::nullopt;
  }
}

bool Post(httplib::Client& c, const std::string& path, const Json& body) {
  auto res = c.Post(path.c_str(), body.dump(), "application/json");
  if (res && res->status == 201) return true;
  ReportFailure("POST " + path, res);
  return false;
}

size_t HttpReadyAddresses(httplib::Client& c) {
  auto l = GetJson(c,
                   "/apis/discovery.k8s.io/v1/namespaces/default/"
                   "endpointslices?labelSelector=kubernetes.io%2Fservice-name%"
                   "3D" +
                       std::string(kName));
  if (!l) return 0;
  AddressCount addrs;
  for (const auto& s : (*l)["items"]) {
    addrs.Set(s["metadata"]["name"], ReadyAddresses(s));
  }
  return addrs.size();
}

size_t HttpRunningReadyPods(httplib::Client& c) {
  auto l = GetJson(c, "/api/v1/namespaces/default/pods?labelSelector=app%3D" +
                          std::string(kName) +
                          "&fieldSelector=status.phase%3DRunning");
  size_t n = 0;
  if (l) {
    for (const auto& p : (*l)["items"]) n += PodRunningReady(p);
  }
  return n;
}

size_t HttpReadyNodes(httplib::Client& c) {
  auto l = GetJson(c, "/api/v1/nodes");
  size_t n = 0;
  if (!l) return 0;
  for (const auto& node : (*l)["items"]) {
    bool ready = false;
    for (const auto& c : node["status"].value("conditions", Json::array())) {
      ready |=
          c.value("type", "") == "Ready" && c.value("status", "") == "True";
    }
    n += ready && node["spec"].contains("podCIDR");
  }
  return n;
}

double PeakRssMb(pid_t pid) {  // VmHWM of a live process
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("VmHWM:", 0) == 0) return std::stod(line.substr(6)) / 1024;
  }
  return -1;
}

// Polls the slices every poll_ms; once they hold every address, lists the
// Running pods to confirm (a 10,000-pod list costs the server ~0.3 s of
// CPU, too much to repeat every 100 ms on the CPU the cluster needs).
void PollHttp(const Flags& f, httplib::Client& c, SteadyClock::time_point t0,
              Result* r) {
  size_t want = f.replicas;
  double next_report = 5;
  while (Since(t0) < f.timeout) {
    r->addresses = HttpReadyAddresses(c);
    if (r->addresses == want) {
      double at = Since(t0);
      r->ready = HttpRunningReadyPods(c);
      if (r->ready == want) {
        r->wall_s = at;
        r->complete = true;
        return;
      }
    }
    if (Since(t0) >= next_report) {
      std::fprintf(stderr, "  http %.0f s: %zu ready addresses\n", Since(t0),
                   r->addresses);
      next_report += 5;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(f.poll_ms));
  }
  r->wall_s = Since(t0);
  r->ready = HttpRunningReadyPods(c);
}

}  // namespace

Result RunHttp(const Flags& f) {
  Result r;
  char tmpl[] = "/tmp/ksim-cluster-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    r.note = "mkdtemp failed";
    return r;
  }
  std::string dir = tmpl, yaml = dir + "/cluster.yaml",
              wrapper = dir + "/ksim-up.sh";
  std::ofstream(yaml) << ClusterYaml(f);
  // StartKsim runs `BINARY up --port ... --data ...`; the wrapper execs the
  // real binary (same pid) with the cluster config added.
  std::ofstream(wrapper) << "#!/bin/sh\nexec '"
                         << std::filesystem::absolute(f.ksim).string()
                         << "' \"$@\" --cluster-config '" << yaml << "'\n";
  std::filesystem::permissions(wrapper, std::filesystem::perms::owner_all);
  ServerProcess server;
  if (!StartKsim(wrapper, /*cluster=*/true, &server)) {
    r.note = "ksim did not start";
    std::filesystem::remove_all(dir);
    return r;
  }
  auto c = NewClient(server.url, 120);
  auto nodes_t0 = SteadyClock::now();
  while (HttpReadyNodes(*c) != static_cast<size_t>(f.nodes + 1) &&
         Since(nodes_t0) < 120) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
  }
  if (Post(*c, "/api/v1/namespaces/default/services", ServiceJson())) {
    double cpu0 = ProcessCpuSeconds(server.pid);
    auto t0 = SteadyClock::now();
    if (Post(*c, "/apis/apps/v1/namespaces/default/deployments",
             DeploymentJson(f.replicas))) {
      PollHttp(f, *c, t0, &r);
    }
    r.cpu_s = ProcessCpuSeconds(server.pid) - cpu0;
    r.rss_mb = PeakRssMb(server.pid);
  }
  r.note = "server " + StopKsim(server, false);
  std::filesystem::remove_all(dir);
  return r;
}

}  // namespace ksim::bench
