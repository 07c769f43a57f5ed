// ksim_netsim_bench: how many requests the netsim routes per second in
// process, without HTTP. A virtual-time cluster (the seed's three nodes,
// zero kubelet delays) runs a tomcat Deployment of --replicas pods behind a
// ClusterIP Service; then, on this one thread:
//  - route:        kube-proxy's decision (ClusterIP:port -> endpoint);
//  - dial:         a whole connect (rules, hosts, faults, the listener);
//  - route+serve:  dial plus the application's answer (the tomcat page);
//  - exchange:     curl-like exchanges through the NetGateway with their
//                  loop timers (DNS-free, virtual time), end to end.
// Not a test: it prints one line per phase.
#include <time.h>

#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "base/ipv4.h"
#include "client/resource.h"
#include "cluster/cluster.h"
#include "netsim/network.h"

namespace {

using namespace ksim;  // NOLINT: a bench main
using SteadyClock = std::chrono::steady_clock;

// CPU time of this thread: the figure that does not depend on what else
// runs on the machine (the wall-clock rate is printed too).
double ThreadCpu() {
  timespec ts{};
  clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
  return ts.tv_sec + ts.tv_nsec / 1e9;
}

struct Timer {
  SteadyClock::time_point wall = SteadyClock::now();
  double cpu = ThreadCpu();
};

void Report(const char* phase, long n, const Timer& t) {
  double wall =
      std::chrono::duration<double>(SteadyClock::now() - t.wall).count();
  double cpu = ThreadCpu() - t.cpu;
  std::printf("%-12s %10ld in %7.3f s wall = %10.0f /s; %7.3f s CPU = %10.0f /s\n",
              phase, n, wall, n / wall, cpu, n / cpu);
}

base::Json Deployment(int replicas) {
  return {{"apiVersion", "apps/v1"},
          {"kind", "Deployment"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"replicas", replicas},
            {"selector", {{"matchLabels", {{"app", "web"}}}}},
            {"template",
             {{"metadata", {{"labels", {{"app", "web"}}}}},
              {"spec",
               {{"containers",
                 {{{"name", "web"},
                   {"image", "kubeguide/tomcat-app:v1"},
                   {"ports", {{{"containerPort", 8080}}}}}}}}}}}}}};
}

base::Json Service() {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"metadata", {{"name", "web"}}},
          {"spec",
           {{"selector", {{"app", "web"}}},
            {"ports", {{{"port", 8080}, {"targetPort", 8080}}}}}}};
}

}  // namespace

int main(int argc, char** argv) {
  int replicas = 10;
  long iterations = 2'000'000;
  long exchanges = 200'000;
  for (int i = 1; i + 1 < argc; i += 2) {
    std::string f = argv[i];
    if (f == "--replicas") replicas = std::atoi(argv[i + 1]);
    if (f == "--iterations") iterations = std::atol(argv[i + 1]);
    if (f == "--exchanges") exchanges = std::atol(argv[i + 1]);
  }
  cluster::ClusterOptions o;
  o.virtual_time = true;
  o.seed = 7;
  o.config.kubelet.image_pull = base::Duration(0);
  o.config.kubelet.container_start = base::Duration(0);
  auto made = cluster::Cluster::Create(o);
  if (!made.ok() || !(*made)->Start().ok()) return 1;
  cluster::Cluster& c = **made;
  c.client()->Create(client::kDeployments, "default", Deployment(replicas));
  c.client()->Create(client::kServices, "default", Service());
  netsim::Network* net = c.network();
  c.loop()->RunUntilCondition(
      [&] {
        const auto* sp = net->proxier()->Find("default", "web", "");
        return sp && static_cast<int>(sp->cluster.size()) == replicas;
      },
      c.loop()->Now() + std::chrono::minutes(10));
  const netsim::ServicePort* sp = net->proxier()->Find("default", "web", "");
  if (!sp || static_cast<int>(sp->cluster.size()) != replicas) {
    std::fprintf(stderr, "the Service never got %d endpoints\n", replicas);
    return 1;
  }
  uint32_t vip = sp->cluster_ip;
  auto src = net->SourceHost("");
  if (!src.ok()) return 1;
  std::printf("netsim bench: %d tomcat endpoints behind %s:8080, from %s\n",
              replicas, base::FormatIpv4(vip).c_str(), src->node.c_str());

  long sink = 0;
  Timer t0;
  for (long i = 0; i < iterations; ++i) {
    auto d = net->proxier()->Route(vip, 8080, "", src->ip, src->node);
    sink += d.endpoint->port;
  }
  Report("route", iterations, t0);

  t0 = Timer();
  for (long i = 0; i < iterations; ++i) {
    netsim::Dialed d = net->Dial(*src, vip, 8080);
    sink += static_cast<long>(d.kind);
  }
  Report("dial", iterations, t0);

  kubelet::HttpRequest req;
  req.headers = {{"Host", "web:8080"}, {"User-Agent", "curl/7.88.1"},
                 {"Accept", "*/*"}};
  req.client_ip = base::FormatIpv4(src->ip);
  t0 = Timer();
  long failed = 0;
  for (long i = 0; i < iterations; ++i) {
    netsim::Dialed d = net->Dial(*src, vip, 8080);
    if (!d.listener) {
      ++failed;
      continue;
    }
    kubelet::HttpResponse r = d.listener->app->ServeHttp(d.listener->context, req);
    sink += r.body.size();
  }
  Report("route+serve", iterations, t0);

  long done = 0;
  std::string url = "http://" + base::FormatIpv4(vip) + ":8080/";
  t0 = Timer();
  for (long i = 0; i < exchanges; ++i) {
    apiserver::NetRequest r;
    r.url = url;
    c.net_gateway()->Exchange(r, [&](apiserver::NetResponse resp) {
      ++done;
      failed += resp.curl_code != 0;
    });
  }
  c.loop()->RunUntilCondition([&] { return done == exchanges; },
                              c.loop()->Now() + std::chrono::hours(1));
  Report("exchange", done, t0);
  std::printf("failed=%ld (sink %ld)\n", failed, sink % 10);
  return failed == 0 ? 0 : 1;
}
