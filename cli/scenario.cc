#include "cli/scenario.h"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>

#include "apiserver/server.h"
#include "base/clock.h"
#include "cli/flags.h"
#include "cli/kubeconfig.h"
#include "cli/up_options.h"
#include "cluster/cluster.h"
#include "scenario/replay.h"
#include "scenario/report.h"
#include "scenario/runner.h"

namespace ksim::cli {
namespace {

namespace fs = std::filesystem;
using scenario::Progress;

constexpr char kUsage[] =
    "Usage: ksim scenario run FILE [--seed N] [--report DIR] "
    "[--speed max|N]\n"
    "       ksim scenario replay FILE [--seed N] [--settle 1m]\n"
    "\n"
    "run: runs a scenario (docs/scenarios.md) on a simulated cluster in\n"
    "this process; exit status 0 when every assertion holds.\n"
    "replay: plays a recording of `ksim up --record FILE` in virtual time;\n"
    "exit status 0 when it reaches the recorded final state.\n";

struct Flags {
  std::string seed;
  std::string report;
  std::string speed = "max";
  std::string address = "127.0.0.1";
  int port = 6443;
  std::string kubeconfig;
  bool quiet = false;
  bool help = false;
};

// Progress on stderr: on a terminal, one line rewritten about every 0.2 s
// of wall time; otherwise (a log) a line every 10 s, so short runs stay
// silent.
class ProgressLine {
 public:
  ProgressLine() : wall_(base::NewRealClock()), begin_(wall_->Now()) {
    tty_ = ::isatty(2) == 1;
    last_ = begin_;
  }
  void Show(const Progress& p) {
    base::Time now = wall_->Now();
    auto every = tty_ ? std::chrono::milliseconds(200) : std::chrono::seconds(10);
    if (now - last_ < every) return;
    last_ = now;
    std::fprintf(stderr, "%s[t=%s] step %zu/%zu, revision %lld, %lld requests%s",
                 tty_ ? "\r" : "", scenario::FormatDuration(p.t).c_str(),
                 std::min(p.step + 1, p.steps), p.steps,
                 static_cast<long long>(p.revision),
                 static_cast<long long>(p.requests), tty_ ? "\033[K" : "\n");
    shown_ = true;
  }
  void Done() {
    if (shown_ && tty_) std::fputs("\r\033[K", stderr);
  }
  double WallSeconds() const {
    return std::chrono::duration<double>(wall_->Now() - begin_).count();
  }

 private:
  std::unique_ptr<base::Clock> wall_;
  base::Time begin_, last_;
  bool tty_ = false;
  bool shown_ = false;
};

// Real time: the progress line from a loop timer about every wall second
// (the loop thread owns the runner's state).
void ShowProgressOnLoop(cluster::Cluster* c, scenario::Runner* r,
                        double speed, ProgressLine* line) {
  auto every = std::chrono::duration_cast<base::Duration>(
      std::chrono::duration<double>(speed));
  c->loop()->RunAfter(every, [=] {
    if (r->done()) return;
    line->Show(r->progress());
    ShowProgressOnLoop(c, r, speed, line);
  });
}

base::Status WriteFile(const fs::path& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary);
  out << text;
  out.close();
  if (!out) return base::Internal("cannot write " + path.string());
  return base::Status::Ok();
}

base::Status WriteReport(const std::string& dir, const scenario::Scenario& s,
                         const scenario::RunResult& r) {
  KSIM_RETURN_IF_ERROR(
      WriteFile(fs::path(dir) / "summary.json",
                scenario::SummaryJson(s, r).dump(2) + "\n"));
  return WriteFile(fs::path(dir) / "report.html", scenario::ReportHtml(s, r));
}

// Real time: the HTTP API serves the cluster while the scenario plays.
base::StatusOr<std::unique_ptr<apiserver::ApiServer>> ServeApi(
    const Flags& f, cluster::Cluster* c) {
  apiserver::ServerOptions o;
  o.address = f.address;
  o.port = f.port;
  KSIM_ASSIGN_OR_RETURN(
      auto server, apiserver::ApiServer::Serve(o, c->control_plane(),
                                               c->pod_logs(), c->net_gateway()));
  KubeconfigEntry entry{"ksim", ServerUrl(f.address, server->port())};
  std::string path = f.kubeconfig;
  if (path.empty()) {
    const char* env = std::getenv("KUBECONFIG");
    const char* home = std::getenv("HOME");
    path = KubeconfigPathForMerge("", env ? env : "", home ? home : "/");
    KSIM_RETURN_IF_ERROR(MergeKubeconfigFile(path, entry));
  } else {
    KSIM_RETURN_IF_ERROR(WriteKubeconfigFile(path, entry));
  }
  std::fprintf(stderr, "ksim scenario: serving on %s (kubeconfig %s, context "
               "\"ksim\")\n", entry.server.c_str(), path.c_str());
  return server;
}

int Run(const Flags& f, const std::string& file) {
  auto parsed = scenario::LoadScenario(file);
  if (!parsed.ok()) {
    std::fprintf(stderr, "ksim scenario: %s\n",
                 parsed.status().message().c_str());
    return 2;
  }
  scenario::Scenario s = std::move(parsed).value();
  cluster::ClusterOptions co;
  co.config = s.cluster;
  co.seed = s.seed;
  if (!f.seed.empty()) {
    char* end = nullptr;
    co.seed = std::strtoull(f.seed.c_str(), &end, 10);
    if (f.seed[0] == '-' || *end != '\0') {
      std::fprintf(stderr, "ksim scenario: --seed must be a number\n");
      return 2;
    }
  }
  co.virtual_time = f.speed == "max";
  if (!co.virtual_time) {
    char* end = nullptr;
    co.speed = std::strtod(f.speed.c_str(), &end);
    if (*end != '\0' || !(co.speed > 0)) {
      std::fprintf(stderr, "ksim scenario: --speed is max or a positive "
                           "number\n");
      return 2;
    }
  }
  std::ofstream trace;
  if (!f.report.empty()) {
    std::error_code ec;
    fs::create_directories(f.report, ec);
    trace.open(fs::path(f.report) / "trace.jsonl", std::ios::binary);
    if (ec || !trace) {
      std::fprintf(stderr, "ksim scenario: cannot write into %s\n",
                   f.report.c_str());
      return 1;
    }
  }
  auto created = cluster::Cluster::Create(co);
  base::Status started = created.ok() ? (*created)->Start() : created.status();
  if (!started.ok()) {
    std::fprintf(stderr, "ksim scenario: cannot start the cluster: %s\n",
                 started.message().c_str());
    return 1;
  }
  std::unique_ptr<cluster::Cluster> c = std::move(created).value();
  scenario::RunOptions ro;
  ro.seed = co.seed;
  ro.trace = f.report.empty() ? nullptr : &trace;
  auto runner = std::make_unique<scenario::Runner>(s, c.get(), ro);
  ProgressLine progress;
  scenario::RunResult result;
  if (co.virtual_time) {
    result = runner->RunVirtual([&](const Progress& p) {
      if (!f.quiet) progress.Show(p);
    });
  } else {
    auto server = ServeApi(f, c.get());
    if (!server.ok()) {
      std::fprintf(stderr, "ksim scenario: cannot serve the API: %s\n",
                   server.status().message().c_str());
      return 1;
    }
    scenario::Runner* r = runner.get();
    c->loop()->Post([r] {
      if (base::Status st = r->Start(); !st.ok()) {
        std::fprintf(stderr, "ksim scenario: %s\n", st.message().c_str());
      }
    });
    if (!f.quiet) ShowProgressOnLoop(c.get(), r, co.speed, &progress);
    runner->WaitDone();
    (*server)->Stop();
    c.reset();  // the loop thread stops before the runner goes
    result = runner->TakeResult();
  }
  progress.Done();
  if (!f.report.empty()) {
    trace.close();
    if (base::Status w = WriteReport(f.report, s, result); !w.ok()) {
      std::fprintf(stderr, "ksim scenario: %s\n", w.message().c_str());
      return 1;
    }
  }
  std::printf("%s\n", scenario::Verdict(s, result).c_str());
  std::fprintf(stderr, "ksim scenario: %s of virtual time in %.2f s of wall "
               "time\n", scenario::FormatDuration(result.end).c_str(),
               progress.WallSeconds());
  runner.reset();
  c.reset();
  return result.passed ? 0 : 1;
}

int RunReplay(const std::vector<std::string>& args) {
  std::string seed, settle = "1m", cluster_config;
  bool help = false;
  FlagSet flags("ksim scenario replay FILE [flags]");
  flags.AddString("seed", &seed, "seed (default: the recording's)");
  flags.AddString("settle", &settle,
                  "virtual time after the last request before comparing");
  flags.AddString("cluster-config", &cluster_config,
                  "the cluster's shape (default: the seed's three nodes)");
  flags.AddBool("help", &help, "show this help");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (base::Status s = flags.Parse(rest); !s.ok()) {
    std::fprintf(stderr, "ksim scenario replay: %s\n", s.message().c_str());
    return 2;
  }
  if (help) {
    std::printf("%s\n%s", kUsage, flags.Usage().c_str());
    return 0;
  }
  if (flags.positional().size() != 1) {
    std::fprintf(stderr, "ksim scenario replay: one FILE expected\n");
    return 2;
  }
  scenario::ReplayOptions o;
  auto d = cluster::ParseGoDuration(settle);
  if (!d.ok()) {
    std::fprintf(stderr, "ksim scenario replay: bad --settle\n");
    return 2;
  }
  o.settle = *d;
  if (!seed.empty()) o.seed = std::strtoull(seed.c_str(), nullptr, 10);
  if (!cluster_config.empty()) {
    auto c = cluster::LoadClusterConfig(cluster_config);
    if (!c.ok()) {
      std::fprintf(stderr, "ksim scenario replay: %s\n",
                   c.status().message().c_str());
      return 2;
    }
    o.cluster = *c;
  }
  auto r = scenario::Replay(flags.positional()[0], o);
  if (!r.ok()) {
    std::fprintf(stderr, "ksim scenario replay: %s\n",
                 r.status().message().c_str());
    return 2;
  }
  for (const auto& m : r->code_mismatches) {
    std::fprintf(stderr, "status differs: %s\n", m.c_str());
  }
  std::printf("replayed %zu requests over %s of virtual time; %zu objects\n",
              r->requests, scenario::FormatDuration(r->end).c_str(),
              r->final_state.size());
  if (!r->has_expected) {
    std::printf("the recording has no final state to compare with (was ksim "
                "up stopped cleanly?)\n");
    return 1;
  }
  if (r->same()) {
    std::printf("SAME final state as recorded\n");
    return 0;
  }
  std::printf("DIFFERENT final state:\n");
  for (const auto& d : r->differences) std::printf("  %s\n", d.c_str());
  return 1;
}

}  // namespace

int RunScenario(const std::vector<std::string>& args) {
  if (args.empty() || args[0] == "--help" || args[0] == "-h" ||
      args[0] == "help") {
    std::fputs(kUsage, args.empty() ? stderr : stdout);
    return args.empty() ? 2 : 0;
  }
  if (args[0] == "replay") return RunReplay(args);
  if (args[0] != "run") {
    std::fprintf(stderr, "ksim scenario: unknown verb \"%s\"\n%s",
                 args[0].c_str(), kUsage);
    return 2;
  }
  Flags f;
  FlagSet flags("ksim scenario run FILE [flags]");
  flags.AddString("seed", &f.seed, "seed of the run (default: the scenario's)");
  flags.AddString("report", &f.report,
                  "write trace.jsonl, summary.json and report.html here");
  flags.AddString("speed", &f.speed,
                  "max: virtual time as fast as possible; N: real time N "
                  "times faster, with the HTTP API up");
  flags.AddString("address", &f.address, "with --speed N: address to serve");
  flags.AddInt("port", &f.port, "with --speed N: port to serve (0: any)");
  flags.AddString("kubeconfig", &f.kubeconfig,
                  "with --speed N: write this kubeconfig (default: merge "
                  "into ~/.kube/config)");
  flags.AddBool("quiet", &f.quiet, "no progress line");
  flags.AddBool("help", &f.help, "show this help");
  std::vector<std::string> rest(args.begin() + 1, args.end());
  if (base::Status s = flags.Parse(rest); !s.ok()) {
    std::fprintf(stderr, "ksim scenario run: %s\n", s.message().c_str());
    return 2;
  }
  if (f.help) {
    std::printf("%s\n%s", kUsage, flags.Usage().c_str());
    return 0;
  }
  if (flags.positional().size() != 1) {
    std::fprintf(stderr, "ksim scenario run: one scenario FILE expected\n%s",
                 kUsage);
    return 2;
  }
  return Run(f, flags.positional()[0]);
}

}  // namespace ksim::cli
