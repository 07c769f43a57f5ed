// ksim_cluster_bench: how fast the whole cluster brings up a Deployment.
// A Deployment of --replicas pods (default 10,000) on --nodes workers
// (default 100) plus the control-plane node, with zero image-pull and start
// delays, behind a Service; timed from the Deployment's create until every
// pod is Running and Ready and every pod address is ready in the Service's
// EndpointSlices (Endpoints stop at 1,000 addresses, as kube's do).
//  - virtual: cluster::Cluster in this process with virtual time;
//  - http: `ksim up` started as a child process, driven over HTTP.
// Not a test: nothing asserts timing; it prints one summary line per mode.
#include <httplib.h>
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <string>
#include <thread>
#include <unordered_map>

#include "bench/api_load.h"
#include "client/informer.h"
#include "client/resource.h"
#include "cluster/cluster.h"

namespace ksim::bench {
namespace {

using Json = nlohmann::json;
constexpr char kName[] = "bench";
constexpr char kNs[] = "default";

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

double Since(SteadyClock::time_point t0) {
  return std::chrono::duration<double>(SteadyClock::now() - t0).count();
}

std::string LoadAverage() {
  std::ifstream in("/proc/loadavg");
  std::string a, b, c;
  in >> a >> b >> c;
  return a + " " + b + " " + c;
}

// The same cluster for both modes: k8s-master plus `nodes` workers with
// room for every replica, zero kubelet delays.
std::string ClusterYaml(const Flags& f) {
  int per_node = (f.replicas + f.nodes - 1) / f.nodes;
  int pods = std::max(110, per_node + per_node / 5 + 10);
  return "kubelet: {imagePullDelay: 0s, startDelay: 0s}\n"
         "nodes:\n- name: k8s-master\n  controlPlane: true\n"
         "- namePrefix: worker-\n  count: " +
         std::to_string(f.nodes) + "\n  pods: " + std::to_string(pods) +
         "\n  cpu: \"64\"\n  memory: 256Gi\n";
}

Json DeploymentJson(int replicas) {
  Json labels = {{"app", kName}};
  Json container = {{"name", kName}, {"image", "nginx:1.25"}};
  container["ports"] = Json::array({{{"containerPort", 80}}});
  Json d = {{"apiVersion", "apps/v1"}, {"kind", "Deployment"}};
  d["metadata"]["name"] = kName;
  d["spec"]["replicas"] = replicas;
  d["spec"]["selector"]["matchLabels"] = labels;
  d["spec"]["template"]["metadata"]["labels"] = labels;
  d["spec"]["template"]["spec"]["containers"] = Json::array({container});
  return d;
}

Json ServiceJson() {
  Json s = {{"apiVersion", "v1"}, {"kind", "Service"}};
  s["metadata"]["name"] = kName;
  s["spec"]["selector"]["app"] = kName;
  s["spec"]["ports"] = Json::array({{{"port", 80}, {"targetPort", 80}}});
  return s;
}

bool PodRunningReady(const Json& p) {
  if (p["metadata"].contains("deletionTimestamp")) return false;
  const Json& st = p.value("status", Json::object());
  if (st.value("phase", "") != "Running") return false;
  for (const auto& c : st.value("conditions", Json::array())) {
    if (c.value("type", "") == "Ready") return c.value("status", "") == "True";
  }
  return false;
}

// Addresses of the ready endpoints of one of the Service's slices.
std::vector<std::string> ReadyAddresses(const Json& slice) {
  std::vector<std::string> out;
  const Json& labels = slice["metadata"].value("labels", Json::object());
  if (labels.value("kubernetes.io/service-name", "") != kName) return out;
  for (const auto& e : slice.value("endpoints", Json::array())) {
    const Json& c = e.value("conditions", Json::object());
    if (!c.value("ready", false)) continue;
    for (const auto& a : e.value("addresses", Json::array())) {
      out.push_back(a.get<std::string>());
    }
  }
  return out;
}

// Distinct ready addresses over a set of slices, kept up to date slice by
// slice (an address may briefly sit in two slices while they rebalance).
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

// ---- virtual time, in process ----

// Runs the loop a virtual second at a time until `done`, at most `limit`.
bool Settle(cluster::Cluster& c, const std::function<bool()>& done, int limit) {
  for (int i = 0; i < limit && !done(); ++i) {
    c.loop()->RunFor(std::chrono::seconds(1));
  }
  return done();
}

size_t ReadyNodes(client::Client* cl) {
  auto nodes = cl->List(client::kNodes, "", {});
  size_t n = 0;
  if (!nodes.ok()) return 0;
  for (const auto& node : nodes->items) {
    bool ready = false;
    for (const auto& c : node["status"].value("conditions", Json::array())) {
      ready |=
          c.value("type", "") == "Ready" && c.value("status", "") == "True";
    }
    n += ready && node["spec"].contains("podCIDR");
  }
  return n;
}

Result RunVirtual(const Flags& f) {
  Result r;
  auto config = cluster::ParseClusterConfig(ClusterYaml(f));
  if (!config.ok()) {
    r.note = "config: " + config.status().ToString();
    return r;
  }
  cluster::ClusterOptions o;
  o.virtual_time = true;
  o.config = *config;
  auto made = cluster::Cluster::Create(o);
  if (!made.ok() || !(*made)->Start().ok()) {
    r.note = "cluster did not start";
    return r;
  }
  cluster::Cluster& c = **made;
  client::Client* cl = c.client();
  size_t want_nodes = f.nodes + 1;
  if (!Settle(
          c, [&] { return ReadyNodes(cl) == want_nodes; }, 120)) {
    r.note = "nodes not ready after 120 virtual seconds";
    return r;
  }
  cl->Create(client::kServices, kNs, ServiceJson());
  c.loop()->RunUntilIdle();

  // Watch what the bench waits for, incrementally (the condition is checked
  // after every loop task, so it must be cheap).
  std::set<std::string> ready;
  AddressCount addrs;
  client::Informer pods(cl, c.loop(), client::kPods);
  client::Informer slices(cl, c.loop(), client::kEndpointSlices);
  auto pod_seen = [&](const client::ObjectPtr& p) {
    std::string name = (*p)["metadata"]["name"];
    if (PodRunningReady(*p))
      ready.insert(name);
    else
      ready.erase(name);
  };
  pods.AddEventHandlers(
      {pod_seen, [&](auto&, const auto& p) { pod_seen(p); },
       [&](const auto& p) {
         ready.erase((*p)["metadata"]["name"].template get<std::string>());
       }});
  auto slice_seen = [&](const client::ObjectPtr& s) {
    addrs.Set((*s)["metadata"]["name"].get<std::string>(), ReadyAddresses(*s));
  };
  slices.AddEventHandlers(
      {slice_seen, [&](auto&, const auto& s) { slice_seen(s); },
       [&](const auto& s) {
         addrs.Set((*s)["metadata"]["name"].template get<std::string>(), {});
       }});
  if (!pods.Start().ok() || !slices.Start().ok()) {
    r.note = "informers did not start";
    return r;
  }
  c.loop()->RunUntilIdle();

  size_t want = f.replicas;
  auto t0 = SteadyClock::now();
  base::Time v0 = c.loop()->Now();
  double cpu0 = SelfCpuSeconds();
  bool timed_out = false;
  cl->Create(client::kDeployments, kNs, DeploymentJson(f.replicas),
             [&](base::StatusOr<base::Json> res) {
               if (!res.ok()) r.note = "create: " + res.status().ToString();
             });
  auto done = [&] {
    if (r.pods_ready_wall_s == 0 && ready.size() == want) {
      r.pods_ready_wall_s = Since(t0);
    }
    if (Since(t0) > f.timeout) timed_out = true;
    return timed_out || (ready.size() == want && addrs.size() == want);
  };
  c.loop()->RunUntilCondition(
      done, v0 + std::chrono::seconds(static_cast<int64_t>(f.timeout)));
  r.wall_s = Since(t0);
  r.virtual_s = std::chrono::duration<double>(c.loop()->Now() - v0).count();
  r.cpu_s = SelfCpuSeconds() - cpu0;
  r.ready = ready.size();
  r.addresses = addrs.size();
  r.complete = !timed_out && r.ready == want && r.addresses == want;
  if (!r.complete) {  // cross-check the informer's count with one list
    auto all = cl->List(client::kPods, kNs, {});
    size_t listed = 0, ready_listed = 0;
    if (all.ok()) {
      listed = all->items.size();
      for (const auto& p : all->items) ready_listed += PodRunningReady(p);
    }
    r.note += "listed " + std::to_string(listed) + " pods, " +
              std::to_string(ready_listed) + " Running and Ready";
  }
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  r.rss_mb = u.ru_maxrss / 1024.0;  // ru_maxrss is in KiB on Linux
  pods.Stop();
  slices.Stop();
  return r;
}

// ---- real time, over HTTP ----

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

void Print(const Flags& f, const std::string& mode, const Result& r,
           const std::string& load_before) {
  // An incomplete run reports the pods that did get Ready per second.
  double rate =
      r.wall_s > 0 ? (r.complete ? f.replicas : r.ready) / r.wall_s : 0;
  std::printf("%s: %s %d pods on %d nodes: %.2f s wall", mode.c_str(),
              r.complete ? "complete" : "INCOMPLETE", f.replicas, f.nodes,
              r.wall_s);
  if (r.virtual_s >= 0) {
    std::printf(" (all Ready at %.2f s), %.2f s virtual", r.pods_ready_wall_s,
                r.virtual_s);
  }
  std::printf(
      ", %.0f pods/s wall, %s CPU %.1f s, peak RSS %.0f MB; ready pods "
      "%zu, slice addresses %zu; load %s -> %s%s%s\n",
      rate, r.virtual_s >= 0 ? "bench" : "server", r.cpu_s, r.rss_mb, r.ready,
      r.addresses, load_before.c_str(), LoadAverage().c_str(),
      r.note.empty() ? "" : "; ", r.note.c_str());
  std::fflush(stdout);
}

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    f->command += (i > 1 ? " " : "") + a;
    auto value = [&]() -> std::string {
      if (i + 1 >= argc) throw std::invalid_argument(a + " needs a value");
      f->command += std::string(" ") + argv[i + 1];
      return argv[++i];
    };
    if (a == "--replicas")
      f->replicas = std::stoi(value());
    else if (a == "--nodes")
      f->nodes = std::stoi(value());
    else if (a == "--mode")
      f->mode = value();
    else if (a == "--ksim")
      f->ksim = value();
    else if (a == "--timeout")
      f->timeout = std::stod(value());
    else if (a == "--poll-ms")
      f->poll_ms = std::stoi(value());
    else
      throw std::invalid_argument("unknown flag " + a);
  }
  if (f->mode != "virtual" && f->mode != "http" && f->mode != "both") {
    throw std::invalid_argument("--mode is virtual, http or both");
  }
  if (f->mode != "virtual" && f->ksim.empty()) {
    throw std::invalid_argument("--mode http needs --ksim PATH");
  }
  if (f->replicas < 1 || f->nodes < 1 || !(f->timeout > 0) ||
      f->timeout > 3600 || f->poll_ms < 1) {
    throw std::invalid_argument("bad --replicas/--nodes/--timeout/--poll-ms");
  }
  return true;
}

}  // namespace
}  // namespace ksim::bench

int main(int argc, char** argv) {
  using namespace ksim::bench;  // NOLINT: the program's own namespace
  Flags f;
  try {
    ParseFlags(argc, argv, &f);
  } catch (const std::exception& e) {
    std::fprintf(stderr,
                 "%s\nusage: ksim_cluster_bench [--replicas 10000] [--nodes "
                 "100] [--mode virtual|http|both] [--ksim PATH] [--timeout "
                 "600] [--poll-ms 100]\n",
                 e.what());
    return 2;
  }
  std::printf("ksim_cluster_bench %s\nmachine: %ld CPUs, %s\n",
              f.command.c_str(), ::sysconf(_SC_NPROCESSORS_ONLN),
              CpuModel().c_str());
  bool ok = true;
  if (f.mode != "http") {
    std::string load = LoadAverage();
    Result r = RunVirtual(f);
    Print(f, "virtual", r, load);
    ok &= r.complete;
  }
  if (f.mode != "virtual") {
    std::string load = LoadAverage();
    Result r = RunHttp(f);
    Print(f, "http", r, load);
    ok &= r.complete;
  }
  return ok ? 0 : 1;
}
