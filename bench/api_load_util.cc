// ksim_api_bench: statistics, CPU accounting, clients, the pod body and the
// worker loop.
#include <sys/resource.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <mutex>
#include <sstream>
#include <thread>

#include "bench/api_load.h"

namespace ksim::bench {

void LatencySample::Merge(const LatencySample& other) {
  ns_.insert(ns_.end(), other.ns_.begin(), other.ns_.end());
  sorted_ = false;
}

double LatencySample::Ms(double q) {
  if (ns_.empty()) return 0;
  if (!sorted_) {
    std::sort(ns_.begin(), ns_.end());
    sorted_ = true;
  }
  // Nearest rank: the smallest value with at least q of the sample <= it.
  size_t rank = static_cast<size_t>(std::ceil(q * ns_.size()));
  size_t i = rank == 0 ? 0 : std::min(rank - 1, ns_.size() - 1);
  return ns_[i] / 1e6;
}

double LatencySample::MaxMs() { return Ms(1.0); }

int64_t NowNs() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             SteadyClock::now().time_since_epoch())
      .count();
}

double ProcessCpuSeconds(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/stat");
  std::string stat;
  if (pid < 0 || !std::getline(in, stat)) return -1;
  // Fields after the parenthesised command name (which may hold spaces);
  // utime and stime are fields 14 and 15 of the whole line.
  std::istringstream rest(stat.substr(stat.rfind(')') + 2));
  std::string field;
  double ticks = 0;
  for (int i = 3; i <= 15 && rest >> field; ++i) {
    if (i >= 14) ticks += std::stod(field);
  }
  return ticks / ::sysconf(_SC_CLK_TCK);
}

int ProcessThreads(pid_t pid) {
  std::ifstream in("/proc/" + std::to_string(pid) + "/status");
  std::string line;
  while (pid >= 0 && std::getline(in, line)) {
    if (line.rfind("Threads:", 0) == 0) return std::stoi(line.substr(8));
  }
  return -1;
}

double SelfCpuSeconds() {
  rusage u{};
  ::getrusage(RUSAGE_SELF, &u);
  return u.ru_utime.tv_sec + u.ru_stime.tv_sec +
         (u.ru_utime.tv_usec + u.ru_stime.tv_usec) / 1e6;
}

Meter::Meter(pid_t server_pid)
    : pid_(server_pid),
      start_(SteadyClock::now()),
      server_cpu_(ProcessCpuSeconds(server_pid)),
      client_cpu_(SelfCpuSeconds()) {}

void Meter::Finish(PhaseResult* r) const {
  r->seconds =
      std::chrono::duration<double>(SteadyClock::now() - start_).count();
  double server_now = ProcessCpuSeconds(pid_);
  r->server_cpu =
      server_cpu_ >= 0 && server_now >= 0 ? server_now - server_cpu_ : -1;
  r->client_cpu = SelfCpuSeconds() - client_cpu_;
}

std::unique_ptr<httplib::Client> NewClient(const std::string& url,
                                           int read_timeout_s) {
  auto c = std::make_unique<httplib::Client>(url);
  c->set_tcp_nodelay(true);
  c->set_keep_alive(true);
  c->set_connection_timeout(10);
  c->set_read_timeout(read_timeout_s);
  c->set_write_timeout(30);
  return c;
}

PodTemplate::PodTemplate(const std::string& ns) {
  using nlohmann::json;
  json container = {
      {"name", "webapp"},
      {"image", "kubeguide/tomcat-app:v1"},
      {"imagePullPolicy", "IfNotPresent"},
      {"ports",
       {{{"name", "http"}, {"containerPort", 8080}, {"protocol", "TCP"}}}},
      {"env",
       {{{"name", "MYSQL_SERVICE_HOST"}, {"value", "mysql"}},
        {{"name", "MYSQL_SERVICE_PORT"}, {"value", "3306"}},
        {{"name", "JAVA_OPTS"}, {"value", "-Xms256m -Xmx512m"}}}},
      {"resources",
       {{"requests", {{"cpu", "100m"}, {"memory", "128Mi"}}},
        {"limits", {{"cpu", "500m"}, {"memory", "512Mi"}}}}},
      {"readinessProbe",
       {{"httpGet", {{"path", "/"}, {"port", 8080}}},
        {"initialDelaySeconds", 5},
        {"periodSeconds", 10}}},
      {"volumeMounts",
       {{{"name", "logs"}, {"mountPath", "/usr/local/tomcat/logs"}}}}};
  json pod = {
      {"apiVersion", "v1"},
      {"kind", "Pod"},
      {"metadata",
       {{"name", "@NAME@"},
        {"namespace", ns},
        {"labels",
         {{"app", "webapp"},
          {"tier", "frontend"},
          {"pod-template-hash", "5d8f7c9b6d"}}},
        {"annotations", {{"bench.ksim.io/purpose", "api load benchmark"}}}}},
      {"spec",
       {{"containers", {container}},
        {"volumes", {{{"name", "logs"}, {"emptyDir", json::object()}}}},
        {"restartPolicy", "Always"},
        {"terminationGracePeriodSeconds", 30},
        {"dnsPolicy", "ClusterFirst"}}}};
  std::string s = pod.dump();
  size_t at = s.find("@NAME@");
  head_ = s.substr(0, at);
  tail_ = s.substr(at + 6);
}

bool CreateNamespace(httplib::Client& c, const std::string& ns) {
  nlohmann::json body = {{"apiVersion", "v1"},
                         {"kind", "Namespace"},
                         {"metadata", {{"name", ns}}}};
  auto res = c.Post("/api/v1/namespaces", body.dump(), "application/json");
  if (res && (res->status == 201 || res->status == 409)) return true;
  ReportFailure("create namespace " + ns, res);
  return false;
}

void ReportFailure(const std::string& what, const httplib::Result& res) {
  static std::atomic<int> reported{0};
  if (reported.fetch_add(1) >= 5) return;  // the first few are enough
  if (!res) {
    std::fprintf(stderr, "%s: %s\n", what.c_str(),
                 httplib::to_string(res.error()).c_str());
  } else {
    std::fprintf(stderr, "%s: HTTP %d %s\n", what.c_str(), res->status,
                 res->body.substr(0, 300).c_str());
  }
}

void RunClients(const std::string& url, int clients, double seconds,
                int64_t max_ops, pid_t server_pid, const Op& op,
                PhaseResult* r) {
  std::atomic<int64_t> tickets{0};
  std::vector<LatencySample> samples(clients);
  std::vector<int64_t> errors(clients, 0);
  std::vector<std::unique_ptr<httplib::Client>> conns;
  for (int w = 0; w < clients; ++w) conns.push_back(NewClient(url));
  auto deadline =
      SteadyClock::now() + std::chrono::duration_cast<SteadyClock::duration>(
                               std::chrono::duration<double>(seconds));
  Meter meter(server_pid);
  std::vector<std::thread> threads;
  for (int w = 0; w < clients; ++w) {
    threads.emplace_back([&, w] {
      while (SteadyClock::now() < deadline) {
        int64_t t = tickets.fetch_add(1);
        if (t >= max_ops) break;
        int64_t start = NowNs();
        bool ok = op(w, t, *conns[w]);
        samples[w].Add(NowNs() - start);
        if (!ok) ++errors[w];
      }
    });
  }
  for (auto& t : threads) t.join();
  meter.Finish(r);
  r->clients = clients;
  for (int w = 0; w < clients; ++w) {
    r->latency.Merge(samples[w]);
    r->errors += errors[w];
  }
  r->ops = static_cast<int64_t>(r->latency.size()) - r->errors;
}

}  // namespace ksim::bench
