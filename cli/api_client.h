// How `ksim curl` and `ksim fault` find and call the running ksim: the
// server URL comes from --server, or from the kubeconfig kubectl would use
// (--kubeconfig, else the files of $KUBECONFIG, else ~/.kube/config) and
// its current context (or --context); then JSON calls to the ksim API
// (docs/ksim-api.md) whose errors are the server's Status messages.
//
// Thread-safety: ApiClient is used from one thread; the functions share no
// state.
#ifndef KSIM_CLI_API_CLIENT_H_
#define KSIM_CLI_API_CLIENT_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::cli {

struct ClusterFlags {
  std::string server;      // --server: wins over the kubeconfig
  std::string kubeconfig;  // --kubeconfig
  std::string context;     // --context: instead of current-context
};

// The server of `context` (or of the current context) in kubeconfig texts
// given in kubectl's precedence order: the first file that sets
// current-context, and the first definition of a context or cluster name,
// win. NotFound with kubectl-like wording when it cannot be resolved.
base::StatusOr<std::string> ServerFromKubeconfigs(
    const std::vector<std::string>& yaml_texts, const std::string& context);

// --server, else the kubeconfig's; `kubeconfig_env` is $KUBECONFIG and
// `home` the home directory. A server without a scheme gets http://.
base::StatusOr<std::string> ResolveServer(const ClusterFlags& flags,
                                          const std::string& kubeconfig_env,
                                          const std::string& home);
// ResolveServer with the process's $KUBECONFIG and $HOME.
base::StatusOr<std::string> ResolveServer(const ClusterFlags& flags);

class ApiClient {
 public:
  explicit ApiClient(std::string server) : server_(std::move(server)) {}
  // `method` `path` with `body` (null: none) as JSON; waits at most
  // timeout_seconds. The parsed 2xx answer, or the server's Status message
  // (its code kept), or ServiceUnavailable when the server cannot be
  // reached.
  base::StatusOr<base::Json> Call(const std::string& method,
                                  const std::string& path,
                                  const base::Json* body,
                                  double timeout_seconds);
  const std::string& server() const { return server_; }

 private:
  std::string server_;
};

}  // namespace ksim::cli

#endif  // KSIM_CLI_API_CLIENT_H_
