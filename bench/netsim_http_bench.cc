// ksim_netsim_http_bench: requests per second through the simulated network
// over HTTP, against a whole `ksim up` it starts (--ksim PATH) or an
// existing one (--server URL) running the seed's webapp (2 tomcat replicas
// behind a ClusterIP Service, created here when missing):
//   exchange  POST /ksim/v1/exchange to http://CLUSTER-IP:8080/ (what each
//             `ksim curl` does, minus the process start)
//   proxy     GET /api/v1/namespaces/default/services/webapp:8080/proxy/
//   get svc   GET /api/v1/namespaces/default/services/webapp (the API
//             server's own floor, for comparison)
// each with 1 and --clients keep-alive clients for --duration seconds.
// Figures: docs/benchmarks.md ("netsim over HTTP").
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "bench/api_load.h"

namespace ksim::bench {
namespace {

using nlohmann::json;

struct Flags {
  std::string ksim, server;
  int clients = 8;
  double duration = 5;
};

bool ParseFlags(int argc, char** argv, Flags* f) {
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i];
    auto next = [&]() -> std::string { return i + 1 < argc ? argv[++i] : ""; };
    if (a == "--ksim") {
      f->ksim = next();
    } else if (a == "--server") {
      f->server = next();
    } else if (a == "--clients") {
      f->clients = std::atoi(next().c_str());
    } else if (a == "--duration") {
      f->duration = std::atof(next().c_str());
    } else {
      return false;
    }
  }
  return (!f->ksim.empty() || !f->server.empty()) && f->clients > 0 &&
         f->duration > 0;
}

bool Post(httplib::Client& c, const std::string& path, const json& body) {
  auto r = c.Post(path.c_str(), body.dump(), "application/json");
  if (r && (r->status == 201 || r->status == 409)) return true;
  ReportFailure("POST " + path, r);
  return false;
}

// The seed's Deployment and Service; returns the ClusterIP once two ready
// addresses are in the Endpoints ("" on failure).
std::string DeploySeed(httplib::Client& c) {
  json container = {{"name", "webapp"},
                    {"image", "kubeguide/tomcat-app:v1"},
                    {"ports", {{{"containerPort", 8080}}}}};
  json deploy = {{"apiVersion", "apps/v1"},
                 {"kind", "Deployment"},
                 {"metadata", {{"name", "webapp"}}},
                 {"spec",
                  {{"replicas", 2},
                   {"selector", {{"matchLabels", {{"app", "webapp"}}}}},
                   {"template",
                    {{"metadata", {{"labels", {{"app", "webapp"}}}}},
                     {"spec", {{"containers", {container}}}}}}}}};
  json svc = {{"apiVersion", "v1"},
              {"kind", "Service"},
              {"metadata", {{"name", "webapp"}}},
              {"spec",
               {{"selector", {{"app", "webapp"}}},
                {"ports", {{{"port", 8080}, {"targetPort", 8080}}}}}}};
  if (!Post(c, "/apis/apps/v1/namespaces/default/deployments", deploy) ||
      !Post(c, "/api/v1/namespaces/default/services", svc)) {
    return "";
  }
  auto deadline = SteadyClock::now() + std::chrono::seconds(120);
  int streak = 0;
  while (SteadyClock::now() < deadline) {
    auto r = c.Get("/api/v1/namespaces/default/endpoints/webapp");
    if (r && r->status == 200) {
      json eps = json::parse(r->body, nullptr, false);
      size_t ready = 0;
      for (const auto& s : eps.value("subsets", json::array())) {
        ready += s.value("addresses", json::array()).size();
      }
      auto s = c.Get("/api/v1/namespaces/default/services/webapp");
      std::string ip = ready == 2 && s && s->status == 200
                           ? json::parse(s->body)["spec"].value("clusterIP", "")
                           : "";
      // kube-proxy programs the ClusterIP a moment after the endpoints;
      // ten answers in a row say its rules have settled.
      json probe = {{"url", "http://" + ip + ":8080/"}, {"maxTimeSeconds", 2}};
      if (!ip.empty()) {
        auto e = c.Post("/ksim/v1/exchange", probe.dump(), "application/json");
        bool ok = e && e->status == 200 &&
                  e->body.find("\"curlCode\":0") != std::string::npos;
        streak = ok ? streak + 1 : 0;
        if (streak == 10) return ip;
      }
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  std::fprintf(stderr, "the webapp Service did not become reachable\n");
  return "";
}

void Report(PhaseResult& r) {
  double cpu_us =
      r.server_cpu >= 0 && r.ops > 0 ? r.server_cpu / r.ops * 1e6 : -1;
  std::printf(
      "%-10s %3d clients  %7lld ok %5lld err  %9.0f req/s  p50 %6.2f"
      " ms  p99 %6.2f ms  server CPU %6.1f us/req\n",
      r.name.c_str(), r.clients, static_cast<long long>(r.ops),
      static_cast<long long>(r.errors), r.Rate(), r.latency.Ms(0.5),
      r.latency.Ms(0.99), cpu_us);
  std::fflush(stdout);
}

int Run(const Flags& f) {
  ServerProcess server;
  std::string url = f.server;
  if (url.empty()) {
    if (!StartKsim(f.ksim, /*cluster=*/true, &server)) return 1;
    url = server.url;
  }
  auto c = NewClient(url, 60);
  std::string ip = DeploySeed(*c);
  int rc = ip.empty() ? 1 : 0;
  std::string exchange =
      json{{"url", "http://" + ip + ":8080/"}, {"maxTimeSeconds", 10}}.dump();
  const std::string proxy =
      "/api/v1/namespaces/default/services/webapp:8080/proxy/";
  struct Phase {
    const char* name;
    Op op;
  };
  std::vector<Phase> phases = {
      {"exchange",
       [&](int, int64_t, httplib::Client& cl) {
         auto r = cl.Post("/ksim/v1/exchange", exchange, "application/json");
         bool ok = r && r->status == 200 &&
                   r->body.find("\"curlCode\":0") != std::string::npos &&
                   r->body.find("\"status\":200") != std::string::npos;
         if (!ok) ReportFailure("exchange", r);
         return ok;
       }},
      {"proxy",
       [&](int, int64_t, httplib::Client& cl) {
         auto r = cl.Get(proxy.c_str());
         bool ok = r && r->status == 200;
         if (!ok) ReportFailure("proxy", r);
         return ok;
       }},
      {"get svc", [&](int, int64_t, httplib::Client& cl) {
         auto r = cl.Get("/api/v1/namespaces/default/services/webapp");
         return r && r->status == 200;
       }}};
  std::printf("netsim over HTTP: %s, %s, %.0f s per phase\n",
              CpuModel().c_str(), url.c_str(), f.duration);
  for (const Phase& p : rc == 0 ? phases : std::vector<Phase>{}) {
    for (int clients : {1, f.clients}) {
      PhaseResult r;
      r.name = p.name;
      RunClients(url, clients, f.duration, 100000000, server.pid, p.op, &r);
      Report(r);
      if (r.errors > 0) rc = 1;
    }
  }
  if (server.pid > 0) StopKsim(server, false);
  return rc;
}

}  // namespace
}  // namespace ksim::bench

int main(int argc, char** argv) {
  ksim::bench::Flags f;
  if (!ksim::bench::ParseFlags(argc, argv, &f)) {
    std::fprintf(stderr,
                 "usage: ksim_netsim_http_bench (--ksim PATH | --server URL) "
                 "[--clients N] [--duration SECONDS]\n");
    return 2;
  }
  return ksim::bench::Run(f);
}
