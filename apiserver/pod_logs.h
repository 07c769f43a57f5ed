// PodLogs: what the kubelet knows of its containers' logs, read by the API
// server for GET pods/<name>/log (kubectl logs). kubelet-sim implements it;
// the API server only forwards the request, as kube-apiserver forwards it to
// the node's kubelet.
//
// Thread-safety: implementations must be safe for concurrent use: HTTP
// threads read while the cluster loop appends.
#ifndef KSIM_APISERVER_POD_LOGS_H_
#define KSIM_APISERVER_POD_LOGS_H_

#include <functional>
#include <string>
#include <string_view>

#include "apiserver/registry.h"
#include "base/status.h"

namespace ksim::apiserver {

class PodLogs {
 public:
  virtual ~PodLogs() = default;
  // The log of `container` of pod ns/name (uid identifies the incarnation)
  // as the kubelet would return it for `req` (tail, limitBytes, previous,
  // timestamps). Errors carry the kubelet's wording, e.g. BadRequest
  // `container "web" in pod "web-1" is waiting to start: ContainerCreating`
  // or `previous terminated container "web" in pod "web-1" not found`.
  virtual base::StatusOr<std::string> Read(const std::string& ns,
                                           const std::string& pod,
                                           const std::string& uid,
                                           const LogRequest& req) = 0;
  // kubectl logs -f: writes what Read would, then every new line as it is
  // logged, until `sink` returns false (the client went away) or the
  // container stops. Blocks the calling (HTTP) thread meanwhile; waits on a
  // condition, never polls in real time.
  virtual base::Status Follow(
      const std::string& ns, const std::string& pod, const std::string& uid,
      const LogRequest& req,
      const std::function<bool(std::string_view chunk)>& sink) = 0;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_POD_LOGS_H_
