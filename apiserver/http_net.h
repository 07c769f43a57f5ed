// The HTTP front's ways into the simulated network and its counters: the
// services/pods proxy subresources (http_proxy.cc), the ksim API under
// /ksim/v1 (http_ksim.cc) and /metrics (http_metrics.cc).
//
// Thread-safety: NetFront is shared by all HTTP threads; RequestCounters
// uses relaxed atomics only, the rng has its own lock, the gateway is
// thread-safe by contract. Waiting for the network happens on the HTTP
// thread that serves the request (never on the cluster loop).
#ifndef KSIM_APISERVER_HTTP_NET_H_
#define KSIM_APISERVER_HTTP_NET_H_

#include <httplib.h>

#include <array>
#include <atomic>
#include <cstdint>
#include <string>
#include <string_view>

#include "apiserver/http_internal.h"
#include "apiserver/net_gateway.h"
#include "base/rng.h"
#include "base/status.h"

namespace ksim::apiserver {

// apiserver_request_total, counted from the path, method and status of each
// answered request. A fixed open-addressing table of atomic slots: no lock
// and no allocation on the request path.
class RequestCounters {
 public:
  RequestCounters();
  // Counts one answered request.
  void Count(const httplib::Request& req, int code);
  // "# HELP ...\n# TYPE ...\napiserver_request_total{...} N\n" lines,
  // sorted by label values.
  std::string Render() const;

 private:
  static constexpr size_t kSlots = 8192;
  struct Slot {
    std::atomic<uint64_t> key{0};  // 0: empty
    std::atomic<uint64_t> count{0};
  };
  std::array<Slot, kSlots> slots_;
  std::atomic<uint64_t> dropped_{0};  // the table was full
};

struct NetFront {
  explicit NetFront(uint64_t seed) : rng(seed) {}
  NetGateway* gateway = nullptr;  // null: no simulated network (api-only)
  // Set when the server stops: waiting exchanges give up at once, so a
  // request to a black hole does not hold shutdown for minutes.
  const std::atomic<bool>* stopping = nullptr;
  // Picks the endpoint a service proxy request goes to (kube-apiserver
  // uses math/rand); a stream of its own so the registry's names and uids
  // do not depend on proxy traffic.
  base::Rng rng;
  RequestCounters counters;
};

// Sends `request` through the gateway and waits for the answer on this
// thread, at most the request's max-time (or connect timeout) plus a
// margin. ServiceUnavailable without a gateway, Timeout when the network
// does not answer in time.
base::StatusOr<NetResponse> ExchangeAndWait(
    NetGateway* gateway, NetRequest request,
    const std::atomic<bool>* stopping = nullptr);

// GET|POST|PUT|PATCH|DELETE|HEAD /api/v1/namespaces/NS/services/ID/proxy...
// and .../pods/ID/proxy...; returns false when the path is not a proxy
// subresource (nothing written).
bool HandleProxy(const HttpContext& ctx, NetFront& net,
                 const httplib::Request& req, httplib::Response& res);

// How kube-apiserver's proxy transport rewrites same-host links of an
// answer so they stay on the proxy (http_proxy_html.cc).
struct ProxyRewrite {
  std::string path_prepend;   // /api/v1/namespaces/NS/services/ID/proxy
  std::string upstream_host;  // the IP[:PORT] the proxy dialed
  std::string request_host;   // the Host header the client sent us
};
// A Location header or link: same-host absolute paths get the prefix.
std::string RewriteProxiedUrl(const std::string& url, const ProxyRewrite& rw);
// A text/html body: links rewritten, start tags re-serialised as Go's
// html.Token.String() writes them.
std::string RewriteProxiedHtml(std::string_view html, const ProxyRewrite& rw);

// Everything under /ksim/ (the ksim API); returns false for other paths.
bool HandleKsimApi(NetFront& net, const httplib::Request& req,
                   httplib::Response& res);

// GET /metrics: the request counters and the network's metrics.
void ServeMetrics(NetFront& net, const httplib::Request& req,
                  httplib::Response& res);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_HTTP_NET_H_
