#include "cli/up_options.h"

#include <regex>

#include "cli/flags.h"

namespace ksim::cli {
namespace {

constexpr char kDescription[] =
    "Runs a simulated Kubernetes cluster in the foreground: the API server, "
    "its\ncontrollers and scheduler, and simulated kubelets on the nodes "
    "k8s-master,\nk8s-node-1 and k8s-node-2 (see --cluster-config). Writes a "
    "kubeconfig whose\ncontext \"ksim\" points at it, and serves until "
    "interrupted (Ctrl-C or SIGTERM).\n\n";

// Cluster flags as typed, resolved into ClusterOptions after parsing.
struct ClusterFlags {
  std::string config_file;
  std::string speed = "1";
  int nodes = -1;
  std::string pod_cidr;
  std::string service_cidr;
  std::string node_port_range;
};

void RegisterCluster(FlagSet& flags, UpOptions& o, ClusterFlags& c) {
  flags.AddBool("api-only", &o.api_only,
                "serve the API alone: no controllers, scheduler or nodes");
  flags.AddString("cluster-config", &c.config_file,
                  "YAML file declaring the nodes (names, sizes, labels, "
                  "taints), CIDRs and kubelet delays");
  flags.AddString("speed", &c.speed,
                  "run the cluster's clock this many times faster than the "
                  "wall clock (e.g. 10: a 5-minute eviction takes 30 s)");
  flags.AddInt("nodes", &c.nodes,
               "number of worker nodes k8s-node-1..N besides k8s-master "
               "(default 2)");
  flags.AddString("pod-cidr", &c.pod_cidr,
                  "cluster CIDR the nodes' /24 pod CIDRs come from "
                  "(default 10.244.0.0/16)");
  flags.AddString("service-cidr", &c.service_cidr,
                  "range of Service ClusterIPs (default 10.1.0.0/16)");
  flags.AddString("node-port-range", &c.node_port_range,
                  "range of NodePorts (default 30000-32767)");
}

base::Status ResolveCluster(const ClusterFlags& f, UpOptions& o) {
  cluster::ClusterOptions& c = o.cluster;
  if (!f.config_file.empty()) {
    KSIM_ASSIGN_OR_RETURN(c.config, cluster::LoadClusterConfig(f.config_file));
  }
  try {
    size_t used = 0;
    c.speed = std::stod(f.speed, &used);
    if (used != f.speed.size() || !(c.speed > 0))
      throw std::invalid_argument("");
  } catch (...) {
    return base::BadRequest("invalid argument \"" + f.speed +
                            "\" for \"--speed\" flag: must be a positive "
                            "number");
  }
  if (f.nodes >= 0) {
    if (f.nodes > 100000) {
      return base::BadRequest("--nodes must be at most 100000");
    }
    std::vector<cluster::NodeSpec> nodes;
    for (const auto& n : c.config.nodes) {
      if (n.control_plane) nodes.push_back(n);
    }
    for (int i = 1; i <= f.nodes; ++i) {
      cluster::NodeSpec w;
      w.name = "k8s-node-" + std::to_string(i);
      nodes.push_back(w);
    }
    c.config.nodes = std::move(nodes);
  }
  if (!f.pod_cidr.empty()) c.config.pod_cidr = f.pod_cidr;
  if (!f.service_cidr.empty()) c.config.service_cidr = f.service_cidr;
  if (!f.node_port_range.empty()) {
    // Same syntax as the config file's nodePortRange.
    KSIM_ASSIGN_OR_RETURN(
        cluster::ClusterConfig parsed,
        cluster::ParseClusterConfig("nodePortRange: " + f.node_port_range));
    c.config.node_port_min = parsed.node_port_min;
    c.config.node_port_max = parsed.node_port_max;
  }
  if (!std::regex_match(c.config.pod_cidr,
                        std::regex(R"(\d+\.\d+\.\d+\.\d+/\d+)")) ||
      !std::regex_match(c.config.service_cidr,
                        std::regex(R"(\d+\.\d+\.\d+\.\d+/\d+)"))) {
    return base::BadRequest("a CIDR must look like 10.244.0.0/16");
  }
  c.seed = o.server.seed;
  c.data_dir = o.server.data_dir;
  c.compaction_interval_seconds = o.server.compaction_interval_seconds;
  c.virtual_time = false;
  return base::Status::Ok();
}

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
  flags.AddString("record", &s.record_file,
                  "write every mutating API request, with its time, to this "
                  "file (JSON lines) for `ksim scenario replay`");
  flags.AddInt("v", &s.verbosity,
               "log verbosity; 1 or more logs one line per request");
  flags.AddBool("help", &o.help, "show this help");
}

}  // namespace

std::string UpUsage() {
  UpOptions defaults;
  ClusterFlags cluster_defaults;
  FlagSet flags("ksim up [flags]");
  Register(flags, defaults);
  RegisterCluster(flags, defaults, cluster_defaults);
  return kDescription + flags.Usage();
}

base::StatusOr<UpOptions> ParseUpOptions(const std::vector<std::string>& args) {
  UpOptions o;
  ClusterFlags cf;
  FlagSet flags("ksim up [flags]");
  Register(flags, o);
  RegisterCluster(flags, o, cf);
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
  KSIM_RETURN_IF_ERROR(ResolveCluster(cf, o));
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
