// ksim_api_bench: a load generator for ksim's API server (or any
// kube-apiserver reachable over plain HTTP without auth). Shared pieces of
// the benchmark: options, latency statistics, HTTP clients, the pod it
// writes, the worker loop and the server process it may start.
//
// bench/ may use real time and threads (it measures them); none of this is
// linked into ksim itself.
//
// Thread-safety: LatencySample and PhaseResult are plain values owned by one
// thread at a time; RunClients gives every worker thread its own client and
// its own sample and merges them after joining.
#ifndef KSIM_BENCH_API_LOAD_H_
#define KSIM_BENCH_API_LOAD_H_

#include <httplib.h>
#include <sys/types.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>
#include <vector>

namespace ksim::bench {

using SteadyClock = std::chrono::steady_clock;

struct Options {
  std::string ksim;    // binary to start (--ksim), or
  std::string server;  // an existing server URL (--server)
  std::vector<std::string> phases = {"create", "get", "list", "watch"};
  double duration = 5;       // seconds per throughput phase
  int64_t max_ops = 500000;  // per throughput phase
  int clients = 32;          // the "many clients" count
  int list_pods = 10000;
  int list_runs = 20;  // per format
  int watchers = 1000;
  double watch_duration = 10;  // seconds the writer runs
  double watch_rate = 20;      // updates per second
  bool keep_data = false;
  // Start the whole cluster rather than `ksim up --api-only`: the
  // controllers and kubelets then act on every created pod, on the same CPU.
  bool cluster = false;
  std::string command;  // the command line, for the report
};

// Latencies in nanoseconds.
class LatencySample {
 public:
  void Add(int64_t ns) { ns_.push_back(ns); }
  void Merge(const LatencySample& other);
  size_t size() const { return ns_.size(); }
  // Milliseconds at quantile q in [0, 1]; 0 when empty. Sorts lazily.
  double Ms(double q);
  double MaxMs();

 private:
  std::vector<int64_t> ns_;
  bool sorted_ = false;
};

// One line of the report.
struct PhaseResult {
  std::string name;  // e.g. "create pods"
  std::string key;   // JSON key, e.g. "create_c32"
  int clients = 0;
  int64_t ops = 0;
  int64_t errors = 0;
  double seconds = 0;
  double server_cpu = -1;  // seconds of server CPU during the phase, if known
  double client_cpu = 0;   // seconds of this process's CPU
  LatencySample latency;
  nlohmann::json extra = nlohmann::json::object();

  double Rate() const { return seconds > 0 ? ops / seconds : 0; }
};

// Measures elapsed time and CPU of this process and of the server (pid >= 0).
class Meter {
 public:
  explicit Meter(pid_t server_pid);
  // Fills seconds, server_cpu and client_cpu of `r`.
  void Finish(PhaseResult* r) const;

 private:
  pid_t pid_;
  SteadyClock::time_point start_;
  double server_cpu_;
  double client_cpu_;
};

double ProcessCpuSeconds(pid_t pid);  // utime+stime from /proc; -1 if gone
int ProcessThreads(pid_t pid);        // from /proc; -1 if unknown
double SelfCpuSeconds();

int64_t NowNs();  // steady clock, for latencies measured in one process

// A keep-alive client with TCP_NODELAY (without it a keep-alive connection
// manages ~40 requests/s: Nagle + delayed ACK).
std::unique_ptr<httplib::Client> NewClient(const std::string& url,
                                           int read_timeout_s = 60);

// The seed's webapp pod (kubeguide/tomcat-app:v1 from the webapp
// Deployment), about 1 KiB of JSON, in namespace `ns` named `name`.
class PodTemplate {
 public:
  explicit PodTemplate(const std::string& ns);
  std::string Body(const std::string& name) const {
    return head_ + name + tail_;
  }

 private:
  std::string head_, tail_;
};

// Creates namespace `ns`; ok if it exists.
bool CreateNamespace(httplib::Client& c, const std::string& ns);

// Runs `clients` threads, each with its own client, calling op(worker,
// ticket, client) until `seconds` pass or `max_ops` tickets (unique across
// workers, from 0) are taken. op returns false on a failed request.
using Op = std::function<bool(int, int64_t, httplib::Client&)>;
void RunClients(const std::string& url, int clients, double seconds,
                int64_t max_ops, pid_t server_pid, const Op& op,
                PhaseResult* r);

// Reports the first failure of a phase on stderr (later ones are counted).
void ReportFailure(const std::string& what, const httplib::Result& res);

// A ksim started for the run: `ksim up` on a free port with a temp data dir.
struct ServerProcess {
  pid_t pid = -1;
  std::string url;
  std::string dir;  // temp dir: data/, kubeconfig, ksim.log
};
bool StartKsim(const std::string& binary, bool cluster, ServerProcess* out);
// SIGTERM, waits up to 15 s, then SIGKILL. Returns the exit description.
std::string StopKsim(const ServerProcess& p, bool keep_dir);

std::string CpuModel();

// What every phase needs.
struct Context {
  Options options;
  std::string url;
  pid_t server_pid = -1;  // -1 for a --server we did not start
  std::string run_id;     // makes this run's namespaces unique
};

// Phases; each appends its lines to `out` and returns false on a fatal
// failure (nothing more can be measured).
// Creates and/or gets (gets without creates first create 1,000 pods).
bool RunCreateGet(const Context& ctx, bool creates, bool gets,
                  std::vector<PhaseResult>* out);
bool RunList(const Context& ctx, std::vector<PhaseResult>* out);
bool RunWatch(const Context& ctx, std::vector<PhaseResult>* out);

}  // namespace ksim::bench

#endif  // KSIM_BENCH_API_LOAD_H_
