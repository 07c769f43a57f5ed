// ksim_api_bench: API-server load generator (see docs/benchmarks.md).
//
//   ksim_api_bench --ksim build-bench/ksim [options]   starts its own ksim
//   ksim_api_bench --server http://127.0.0.1:6443 [options]
//
// Prints a table and one JSON line: creates/s and gets/s with 1 and N
// clients, list latency of 10,000 pods (JSON and Table), watch event latency
// with 1,000 open watches and GET latency while they are open.
#include <sched.h>
#include <signal.h>
#include <sys/resource.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <random>
#include <sstream>

#include "bench/api_load.h"

namespace ksim::bench {
namespace {

constexpr char kUsage[] =
    "usage: ksim_api_bench (--ksim PATH | --server URL) [options]\n"
    "  --phases LIST         create,get,list,watch (default: all)\n"
    "  --duration SEC        per throughput phase (default 5)\n"
    "  --max-ops N           per throughput phase (default 500000)\n"
    "  --clients N           the concurrent-clients case (default 32)\n"
    "  --list-pods N         pods in the listed namespace (default 10000)\n"
    "  --list-runs N         lists per format (default 20)\n"
    "  --watchers N          open watch streams (default 1000)\n"
    "  --watch-duration SEC  how long the writer runs (default 10)\n"
    "  --watch-rate N        writes per second (default 20)\n"
    "  --keep-data           keep the started ksim's temp dir\n"
    "  --cluster             start the whole cluster (controllers, scheduler,\n"
    "                        kubelets); default: ksim up --api-only\n";

[[noreturn]] void Usage(const std::string& why) {
  if (!why.empty()) std::fprintf(stderr, "ksim_api_bench: %s\n", why.c_str());
  std::fputs(kUsage, why.empty() ? stdout : stderr);
  std::exit(why.empty() ? 0 : 2);
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream in(s);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

double Number(const std::string& flag, const std::string& v) {
  char* end = nullptr;
  double d = std::strtod(v.c_str(), &end);
  if (v.empty() || *end != '\0' || d <= 0) {
    Usage("invalid value \"" + v + "\" for " + flag);
  }
  return d;
}

Options Parse(int argc, char** argv) {
  Options o;
  for (int i = 0; i < argc; ++i) {
    o.command += (i ? " " : "") + std::string(argv[i]);
  }
  for (int i = 1; i < argc; ++i) {
    std::string a = argv[i], v;
    if (a == "--help" || a == "-h") Usage("");
    if (a == "--keep-data") {
      o.keep_data = true;
      continue;
    }
    if (a == "--cluster") {
      o.cluster = true;
      continue;
    }
    size_t eq = a.find('=');
    if (eq != std::string::npos) {
      v = a.substr(eq + 1);
      a = a.substr(0, eq);
    } else if (i + 1 < argc) {
      v = argv[++i];
    } else {
      Usage("flag " + a + " needs a value");
    }
    if (a == "--ksim")
      o.ksim = v;
    else if (a == "--server")
      o.server = v;
    else if (a == "--phases")
      o.phases = SplitComma(v);
    else if (a == "--duration")
      o.duration = Number(a, v);
    else if (a == "--max-ops")
      o.max_ops = Number(a, v);
    else if (a == "--clients")
      o.clients = Number(a, v);
    else if (a == "--list-pods")
      o.list_pods = Number(a, v);
    else if (a == "--list-runs")
      o.list_runs = Number(a, v);
    else if (a == "--watchers")
      o.watchers = Number(a, v);
    else if (a == "--watch-duration")
      o.watch_duration = Number(a, v);
    else if (a == "--watch-rate")
      o.watch_rate = Number(a, v);
    else
      Usage("unknown flag " + a);
  }
  if (o.ksim.empty() == o.server.empty()) {
    Usage("give exactly one of --ksim and --server");
  }
  for (const std::string& p : o.phases) {
    if (p != "create" && p != "get" && p != "list" && p != "watch") {
      Usage("unknown phase " + p);
    }
  }
  return o;
}

bool Wants(const Options& o, const std::string& phase) {
  for (const std::string& p : o.phases) {
    if (p == phase) return true;
  }
  return false;
}

int CpuCount() {
  cpu_set_t set;
  if (::sched_getaffinity(0, sizeof(set), &set) == 0) return CPU_COUNT(&set);
  return static_cast<int>(::sysconf(_SC_NPROCESSORS_ONLN));
}

// The 1-minute load average at the start: other work on a shared machine
// skews every figure, so the report says how busy it was.
double LoadAverage() {
  double load = -1;
  if (std::FILE* f = std::fopen("/proc/loadavg", "r")) {
    if (std::fscanf(f, "%lf", &load) != 1) load = -1;
    std::fclose(f);
  }
  return load;
}

std::string UtcNow() {
  std::time_t t = std::time(nullptr);
  char buf[32];
  std::strftime(buf, sizeof(buf), "%Y-%m-%dT%H:%M:%SZ", std::gmtime(&t));
  return buf;
}

nlohmann::json ToJson(PhaseResult& r) {
  nlohmann::json j = {{"name", r.name},
                      {"clients", r.clients},
                      {"ops", r.ops},
                      {"errors", r.errors},
                      {"seconds", r.seconds},
                      {"ops_per_s", r.Rate()},
                      {"p50_ms", r.latency.Ms(0.5)},
                      {"p99_ms", r.latency.Ms(0.99)},
                      {"max_ms", r.latency.MaxMs()},
                      {"client_cpu_s", r.client_cpu}};
  if (r.server_cpu >= 0) {
    j["server_cpu_s"] = r.server_cpu;
    if (r.ops > 0) j["server_cpu_us_per_op"] = 1e6 * r.server_cpu / r.ops;
  }
  for (auto& [k, v] : r.extra.items()) j[k] = v;
  return j;
}

void PrintTable(std::vector<PhaseResult>& results) {
  // srv cpu: seconds of server CPU in the phase; srv us/op: the same per
  // successful operation (on N cores the server cannot exceed N / that).
  std::printf("%-34s %7s %8s %6s %6s %8s %8s %8s %8s %7s %8s %7s\n", "phase",
              "clients", "ok", "errors", "secs", "ok/s", "p50 ms", "p99 ms",
              "max ms", "srv cpu", "srv us/op", "gen cpu");
  for (PhaseResult& r : results) {
    char srv[16] = "-", per_op[16] = "-";
    if (r.server_cpu >= 0) {
      std::snprintf(srv, sizeof(srv), "%.2f", r.server_cpu);
      if (r.ops > 0) {
        std::snprintf(per_op, sizeof(per_op), "%.0f",
                      1e6 * r.server_cpu / r.ops);
      }
    }
    std::printf(
        "%-34s %7d %8lld %6lld %6.2f %8.0f %8.2f %8.2f %8.2f %7s %8s %7.2f\n",
        r.name.c_str(), r.clients, static_cast<long long>(r.ops),
        static_cast<long long>(r.errors), r.seconds, r.Rate(),
        r.latency.Ms(0.5), r.latency.Ms(0.99), r.latency.MaxMs(), srv, per_op,
        r.client_cpu);
  }
}

// The targets, checked against what was measured.
nlohmann::json Targets(std::vector<PhaseResult>& results, int clients) {
  nlohmann::json t = nlohmann::json::array();
  for (PhaseResult& r : results) {
    std::string c = std::to_string(clients);
    if (r.key == "create_c" + c) {
      t.push_back({{"what", "creates/s, " + c + " clients"},
                   {"target", ">= 20000"},
                   {"measured", r.Rate()},
                   {"met", r.Rate() >= 20000}});
    } else if (r.key == "get_c" + c) {
      t.push_back({{"what", "gets/s, " + c + " clients"},
                   {"target", ">= 30000"},
                   {"measured", r.Rate()},
                   {"met", r.Rate() >= 30000}});
    } else if (r.key == "watch") {
      double p99 = r.latency.Ms(0.99);
      t.push_back(
          {{"what", "watch p99 ms, " + std::to_string(r.clients) + " watchers"},
           {"target", "< 50"},
           {"measured", p99},
           {"met", p99 < 50 && r.errors == 0}});
    }
  }
  return t;
}

}  // namespace

int Main(int argc, char** argv) {
  ::signal(SIGPIPE, SIG_IGN);
  std::setvbuf(stdout, nullptr, _IOLBF, 0);  // partial output survives a kill
  rlimit nofile{};                           // watchers need a descriptor each
  if (::getrlimit(RLIMIT_NOFILE, &nofile) == 0) {
    nofile.rlim_cur = nofile.rlim_max;
    ::setrlimit(RLIMIT_NOFILE, &nofile);
  }
  Context ctx;
  ctx.options = Parse(argc, argv);
  const Options& o = ctx.options;
  char id[16];
  std::snprintf(id, sizeof(id), "%06x", std::random_device{}() & 0xffffff);
  ctx.run_id = id;
  ServerProcess proc;
  if (!o.ksim.empty()) {
    if (!StartKsim(o.ksim, o.cluster, &proc)) return 1;
    ctx.url = proc.url;
    ctx.server_pid = proc.pid;
  } else {
    ctx.url = o.server;
  }
  std::string date = UtcNow();
  double load = LoadAverage();
  std::printf(
      "ksim_api_bench %s\nmachine: %d CPUs, %s, load average %.2f\n"
      "command: %s\nserver: %s%s\n\n",
      date.c_str(), CpuCount(), CpuModel().c_str(), load, o.command.c_str(),
      ctx.url.c_str(), proc.pid > 0 ? " (started by the benchmark)" : "");
  std::fflush(stdout);

  std::vector<PhaseResult> results;
  bool ok = true;
  if (Wants(o, "create") || Wants(o, "get")) {
    ok = RunCreateGet(ctx, Wants(o, "create"), Wants(o, "get"), &results);
  }
  if (ok && Wants(o, "list")) ok = RunList(ctx, &results);
  if (ok && Wants(o, "watch")) ok = RunWatch(ctx, &results);
  std::string stopped = proc.pid > 0 ? StopKsim(proc, o.keep_data) : "";

  PrintTable(results);
  nlohmann::json targets = Targets(results, o.clients);
  std::printf("\ntargets (issue, 2 cores):\n");
  for (const auto& t : targets) {
    std::printf("  %-32s %-8s measured %10.2f  %s\n",
                t["what"].get<std::string>().c_str(),
                t["target"].get<std::string>().c_str(),
                t["measured"].get<double>(), t["met"] ? "met" : "MISSED");
  }
  if (!stopped.empty()) std::printf("ksim stopped: %s\n", stopped.c_str());
  nlohmann::json line = {
      {"benchmark", "ksim_api_bench"},
      {"date", date},
      {"machine",
       {{"nproc", CpuCount()}, {"cpu", CpuModel()}, {"load_average", load}}},
      {"command", o.command},
      {"server", ctx.url},
      {"complete", ok},
      {"targets", targets}};
  for (PhaseResult& r : results) line["results"][r.key] = ToJson(r);
  std::printf("\n%s\n", line.dump().c_str());
  return ok ? 0 : 1;
}

}  // namespace ksim::bench

int main(int argc, char** argv) { return ksim::bench::Main(argc, argv); }
