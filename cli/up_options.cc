#include "cli/up_options.h"

#include <regex>

#include "cli/flags.h"

namespace ksim::cli {
namespace {

constexpr char kDescription[] =
    "Runs a Kubernetes API server (and, as they land, its controllers and "
    "simulated\nnodes) in the foreground, writes a kubeconfig whose context "
    "\"ksim\" points at it,\nand serves until interrupted (Ctrl-C or "
    "SIGTERM).\n\n";

void Register(FlagSet& flags, UpOptions& o) {
  apiserver::ServerOptions& s = o.server;
  flags.AddInt("port", &s.port, "port to serve on (0 picks a free one)");
  flags.AddString("address", &s.address, "address to bind");
  flags.AddString("data", &s.data_dir,
                  "directory of the cluster's database (created if missing)");
  flags.AddString("kubeconfig", &o.kubeconfig,
                  "write the kubeconfig to this file alone instead of merging "
                  "it into $KUBECONFIG or ~/.kube/config");
  flags.AddString("kube-version", &s.kube_version,
                  "Kubernetes version the server reports (MAJOR.MINOR)");
  flags.AddUint64("seed", &s.seed,
                  "seed of every random choice (names, uids, IPs)");
  flags.AddInt("compaction-interval", &s.compaction_interval_seconds,
               "seconds of history kept for watches and paged lists; the "
               "store compacts older revisions (kube-apiserver: 300)");
  flags.AddInt("v", &s.verbosity,
               "log verbosity; 1 or more logs one line per request");
  flags.AddBool("help", &o.help, "show this help");
}

}  // namespace

std::string UpUsage() {
  UpOptions defaults;
  FlagSet flags("ksim up [flags]");
  Register(flags, defaults);
  return kDescription + flags.Usage();
}

base::StatusOr<UpOptions> ParseUpOptions(const std::vector<std::string>& args) {
  UpOptions o;
  FlagSet flags("ksim up [flags]");
  Register(flags, o);
  KSIM_RETURN_IF_ERROR(flags.Parse(args));
  if (o.help) return o;
  if (!flags.positional().empty()) {
    return base::BadRequest("unexpected argument \"" + flags.positional()[0] +
                            "\": ksim up takes only flags");
  }
  if (o.server.port < 0 || o.server.port > 65535) {
    return base::BadRequest("invalid argument \"" +
                            std::to_string(o.server.port) +
                            "\" for \"--port\" flag: must be 0 to 65535");
  }
  if (!std::regex_match(o.server.kube_version, std::regex(R"(\d+\.\d+)"))) {
    return base::BadRequest("invalid argument \"" + o.server.kube_version +
                            "\" for \"--kube-version\" flag: want "
                            "MAJOR.MINOR, e.g. 1.32");
  }
  if (o.server.compaction_interval_seconds <= 0) {
    return base::BadRequest(
        "invalid argument \"" +
        std::to_string(o.server.compaction_interval_seconds) +
        "\" for \"--compaction-interval\" flag: must be "
        "at least 1");
  }
  if (o.server.address.empty()) {
    return base::BadRequest("--address must not be empty");
  }
  if (o.server.data_dir.empty()) {
    return base::BadRequest("--data must not be empty");
  }
  return o;
}

std::string ServerUrl(const std::string& address, int port) {
  std::string host = address;
  if (host.empty() || host == "0.0.0.0") host = "127.0.0.1";
  if (host == "::" || host == "[::]") host = "::1";
  if (host.find(':') != std::string::npos && host.front() != '[') {
    host = "[" + host + "]";
  }
  return "http://" + host + ":" + std::to_string(port);
}

}  // namespace ksim::cli
