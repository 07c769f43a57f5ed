// `ksim up` flags: parsing and checking them into ServerOptions, apart from
// running the server so that tests can cover them without a server.
//
// Thread-safety: pure functions of their arguments.
#ifndef KSIM_CLI_UP_OPTIONS_H_
#define KSIM_CLI_UP_OPTIONS_H_

#include <string>
#include <vector>

#include "apiserver/server.h"
#include "base/status.h"
#include "cluster/cluster.h"

namespace ksim::cli {

struct UpOptions {
  apiserver::ServerOptions server;
  // The simulated cluster (controllers, scheduler, kubelets), unless
  // --api-only. Filled by ParseUpOptions from --cluster-config, --speed,
  // --nodes, --pod-cidr, --service-cidr, --node-port-range (flags win over
  // the file).
  bool api_only = false;
  cluster::ClusterOptions cluster;
  std::string kubeconfig;  // --kubeconfig: write this file alone; "" = merge
  bool help = false;       // --help: print Usage and exit 0
};

// Parses the arguments after `up`. BadRequest (the message is one line for
// the user, e.g. "unknown flag: --x") on an unknown flag, a bad value, a
// port outside 0..65535, a --kube-version that is not MAJOR.MINOR, or a
// positional argument, a --speed that is not a positive number, or a
// cluster config or CIDR flag that does not parse. With --help the other
// checks are skipped.
base::StatusOr<UpOptions> ParseUpOptions(const std::vector<std::string>& args);

// The help text of `ksim up`.
std::string UpUsage();

// The URL clients use to reach a server bound to `address`:`port`. Wildcard
// addresses (0.0.0.0, ::, "") become the loopback address; IPv6 literals
// get brackets.
std::string ServerUrl(const std::string& address, int port);

}  // namespace ksim::cli

#endif  // KSIM_CLI_UP_OPTIONS_H_
