// ksim_cluster_bench: how fast the whole cluster brings up a Deployment.
// A Deployment of --replicas pods (default 10,000) on --nodes workers
// (default 100) plus the control-plane node, with zero image-pull and start
// delays, behind a Service; timed from the Deployment's create until every
// pod is Running and Ready and every pod address is ready in the Service's
// EndpointSlices (Endpoints stop at 1,000 addresses, as kube's do).
//  - virtual: cluster::Cluster in this process with virtual time;
//  - http: `ksim up` started as a child process, driven over HTTP.
// Not a test: nothing asserts timing; it prints one summary line per mode.
#include "bench/cluster_bench.h"

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
