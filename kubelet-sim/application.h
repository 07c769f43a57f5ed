// Application: what a running container answers on its ports. The netsim
// finds the listener of an IP:port through KubeletSet::FindListener and
// hands each request to its Application; probes (httpGet, tcpSocket) ask it
// too, so a probe sees exactly what a client would.
//
// An application may call another service before it answers (a frontend
// calling its backend): Upstream() says which call, the netsim carries it
// from the pod like any other request, and ServeWithUpstream() builds the
// answer from its result. So applications stay free of the network.
//
// Thread-safety: Applications are immutable and stateless (time and per-pod
// data come in ServeContext); call them from the cluster loop.
#ifndef KSIM_KUBELET_SIM_APPLICATION_H_
#define KSIM_KUBELET_SIM_APPLICATION_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "base/clock.h"
#include "kubelet-sim/images.h"

namespace ksim::kubelet {

struct HttpRequest {
  std::string method = "GET";
  std::string target = "/";  // path and query, as on the request line
  std::string version = "HTTP/1.1";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  std::string client_ip;  // the source address the server sees
  int client_port = 0;
};

struct HttpResponse {
  int status = 200;
  std::string reason = "OK";
  std::vector<std::pair<std::string, std::string>> headers;
  std::string body;
  // "HTTP/1.0" for a server that answers a bare response and closes (Go's
  // answer to plain HTTP on a TLS port): then no Date/Content-Length added.
  std::string version = "HTTP/1.1";
};

// Who is answering: the pod, container and port a request reached.
struct ServeContext {
  std::string pod_name;  // also the container's hostname
  std::string pod_namespace;
  std::string pod_ip;
  std::string node_name;
  std::string container_name;
  int port = 0;
  base::Time now{};
  base::Time started_at{};  // the container's start (registry.k8s.io/liveness)
  std::map<std::string, std::string> env;
  std::vector<std::string> args;  // container args (http-echo's -text)
  // ksim.io/http-status: every request gets this status instead.
  std::optional<int> forced_status;
};

// The environment variable that makes an HTTP application a frontend: every
// request it serves first calls this URL (e.g. http://backend:8080/) from
// its pod, and its answer includes the upstream's (README.md).
inline constexpr char kUpstreamUrlEnv[] = "KSIM_UPSTREAM_URL";

// A call to make before answering.
struct UpstreamCall {
  std::string url;
  std::string method = "GET";
  std::vector<std::pair<std::string, std::string>> headers;
};

// How the upstream call went, as curl would report it.
struct UpstreamResult {
  int curl_code = 0;   // 0: answered (then status and body)
  std::string error;   // curl's message otherwise
  int status = 0;
  std::string reason;
  std::string body;
  std::string endpoint;  // the pod IP:port that answered
};

class Application {
 public:
  virtual ~Application() = default;
  virtual const std::string& name() const = 0;
  // Whether the port speaks HTTP (false: a raw TCP protocol, e.g. redis).
  virtual bool SpeaksHttp() const { return true; }
  virtual HttpResponse ServeHttp(const ServeContext& ctx,
                                 const HttpRequest& req) const = 0;
  // One exchange over raw TCP: bytes in, bytes out (RESP for redis; an HTTP
  // server answers a bare connection with nothing).
  virtual std::string ServeTcp(const ServeContext& ctx,
                               std::string_view data) const {
    return "";
  }
  // The call to make before answering `req` (nullopt: answer at once with
  // ServeHttp). HTTP applications call $KSIM_UPSTREAM_URL when it is set.
  virtual std::optional<UpstreamCall> Upstream(const ServeContext& ctx,
                                               const HttpRequest& req) const {
    return std::nullopt;
  }
  // The answer once the upstream call ended.
  virtual HttpResponse ServeWithUpstream(const ServeContext& ctx,
                                         const HttpRequest& req,
                                         const UpstreamCall& call,
                                         const UpstreamResult& up) const {
    return ServeHttp(ctx, req);
  }
};

// The application an image profile runs (a static instance).
const Application& ApplicationFor(const ImageProfile& profile);

// The reason phrase of an HTTP status ("Not Found").
std::string HttpReason(int status);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_APPLICATION_H_
