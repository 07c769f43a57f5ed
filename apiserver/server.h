// ApiServer: the HTTP front of ksim (cpp-httplib), wired to a Store.
// Start() returns once the port is bound and /readyz answers "ok".
//
// Thread-safety: Start/Stop/Wait from the owning thread; requests are served
// on the server's own pool threads.
#ifndef KSIM_APISERVER_SERVER_H_
#define KSIM_APISERVER_SERVER_H_

#include <cstdint>
#include <memory>
#include <string>

#include "base/status.h"

namespace ksim::apiserver {

class ControlPlane;
class NetGateway;
class PodLogs;

struct ServerOptions {
  std::string address = "127.0.0.1";
  int port = 6443;  // 0 = pick a free port (see ApiServer::port())
  std::string data_dir = ".ksim";     // holds the SQLite database
  std::string kube_version = "1.32";  // what /version reports (major.minor)
  int verbosity = 0;  // >= 1: one log line per request on stderr
  uint64_t seed = 1;  // seeds uids and generated names
  // Auto-compaction keeps this much history (kube-apiserver: 5 minutes).
  int compaction_interval_seconds = 300;
  // ksim up --record: every mutating API request, with its time, written
  // to this file as JSON lines (apiserver/http_record.h); "" = none.
  std::string record_file;
};

class ApiServer {
 public:
  virtual ~ApiServer() = default;
  // Opens a control plane of its own on options.data_dir and serves it.
  static base::StatusOr<std::unique_ptr<ApiServer>> Start(
      const ServerOptions& options);
  // Serves an existing control plane (the cluster's); options.data_dir,
  // seed and compaction_interval_seconds are then the control plane's
  // business. pod_logs (may be null: no kubelet) answers pods/<name>/log.
  // net (may be null: no simulated network; then the proxy subresources
  // and the ksim API answer 503 ServiceUnavailable) carries the services
  // and pods proxy subresources, the ksim API under /ksim/v1 and the
  // network's part of /metrics.
  // REQUIRES: control_plane, pod_logs and net outlive the server.
  static base::StatusOr<std::unique_ptr<ApiServer>> Serve(
      const ServerOptions& options, ControlPlane* control_plane,
      PodLogs* pod_logs, NetGateway* net = nullptr);
  virtual int port() const = 0;
  // Stops accepting, ends watch streams, closes the store if it owns it.
  // Idempotent.
  virtual void Stop() = 0;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SERVER_H_
