// Network::Exchange: one curl-like HTTP exchange through the network, as a
// chain of loop timers (resolve, connect, request, answer).
#include <cctype>
#include <cstdio>
#include <ctime>
#include <utility>

#include "base/ipv4.h"
#include "netsim/network.h"
#include "netsim/node_services.h"
#include "netsim/url.h"

namespace ksim::netsim {

// curl's defaults when the request sets none (Debian 12's curl, as
// `ksim curl` sends).
constexpr char kUserAgent[] = "curl/7.88.1";
// curl's default --connect-timeout (CURL_DEFAULT_CONNECT_TIMEOUT).
constexpr double kCurlConnectTimeoutSeconds = 300;

struct Network::Call {
  apiserver::NetRequest req;
  std::function<void(apiserver::NetResponse)> done;
  apiserver::NetResponse resp;
  base::Time start{};
  base::Time connect_deadline{};
  std::optional<base::Time> deadline;  // --max-time
  Host src;
  Url url;
  uint32_t ip = 0;
  Dialed dialed;
};

namespace {

base::Duration Seconds(double s) {
  return std::chrono::duration_cast<base::Duration>(
      std::chrono::duration<double>(s));
}

int64_t Millis(base::Duration d) {
  return std::chrono::duration_cast<std::chrono::milliseconds>(d).count();
}

bool SameName(const std::string& a, const char* b) {
  if (a.size() != std::strlen(b)) return false;
  for (size_t i = 0; i < a.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(a[i])) !=
        std::tolower(static_cast<unsigned char>(b[i]))) {
      return false;
    }
  }
  return true;
}

bool HasHeader(const std::vector<std::pair<std::string, std::string>>& h,
               const char* name) {
  for (const auto& [k, v] : h) {
    if (SameName(k, name)) return true;
  }
  return false;
}

// RFC 7231 IMF-fixdate, as servers send in Date.
std::string HttpDate(base::Time t) {
  std::time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(t.time_since_epoch())
          .count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a, %d %b %Y %H:%M:%S GMT", &tm);
  return buf;
}

kubelet::HttpRequest CurlRequest(const apiserver::NetRequest& req,
                                 const Url& url) {
  kubelet::HttpRequest r;
  r.method = req.method.empty() ? "GET" : req.method;
  r.target = url.target;
  if (!HasHeader(req.headers, "Host")) r.headers.push_back({"Host", HostHeader(url)});
  if (!HasHeader(req.headers, "User-Agent")) {
    r.headers.push_back({"User-Agent", kUserAgent});
  }
  if (!HasHeader(req.headers, "Accept")) r.headers.push_back({"Accept", "*/*"});
  for (const auto& h : req.headers) r.headers.push_back(h);
  if (!req.body.empty() && !HasHeader(req.headers, "Content-Length")) {
    r.headers.push_back({"Content-Length", std::to_string(req.body.size())});
  }
  r.body = req.body;
  return r;
}

}  // namespace

void Network::At(base::Time t, std::function<void()> fn) {
  std::weak_ptr<bool> alive = alive_;
  ctx_.loop->RunAt(t, [alive, fn = std::move(fn)] {
    if (!alive.expired()) fn();
  });
}

void Network::Exchange(apiserver::NetRequest req,
                       std::function<void(apiserver::NetResponse)> done) {
  auto c = std::make_shared<Call>();
  c->start = ctx_.clock->Now();
  c->req = std::move(req);
  c->done = std::move(done);
  double ct = c->req.connect_timeout_seconds > 0 ? c->req.connect_timeout_seconds
                                                 : kCurlConnectTimeoutSeconds;
  if (c->req.max_time_seconds > 0) {
    ct = std::min(ct, c->req.max_time_seconds);
    c->deadline = c->start + Seconds(c->req.max_time_seconds);
  }
  c->connect_deadline = c->start + Seconds(ct);
  auto src = SourceHost(c->req.source);
  if (!src.ok()) return Fail(c, c->start, -1, src.status().message());
  c->src = *src;
  auto url = ParseUrl(c->req.url);
  if (!url.ok()) {
    const std::string& m = url.status().message();
    return Fail(c, c->start, m.rfind("Protocol", 0) == 0 ? 1 : 3, m);
  }
  c->url = *url;
  if (auto ip = base::ParseIpv4(c->url.host)) {
    // Loopback stays on the source host (a pod's containers share it).
    c->ip = (*ip >> 24) == 127 ? c->src.ip : *ip;
    return Resolved(c);
  }
  // /etc/hosts: localhost, and a pod's own hostname.
  std::string self;
  if (!c->src.pod.empty()) self = c->src.pod.substr(c->src.pod.find('/') + 1);
  if (c->url.host == "localhost" || (!self.empty() && c->url.host == self)) {
    c->ip = c->src.ip;
    return Resolved(c);
  }
  std::vector<uint32_t> ips = dns_->Resolve(c->url.host, c->src.namespace_);
  base::Time t = c->start + options_.dns_time;
  if (ips.empty()) {
    return Fail(c, t, 6, "Could not resolve host: " + c->url.host);
  }
  // CoreDNS's loadbalance plugin shuffles the A records; curl takes the
  // first.
  c->ip = ips.size() == 1 ? ips[0] : ips[rng_->Uniform(ips.size())];
  At(t, [this, c] { Resolved(c); });
}

void Network::Resolved(std::shared_ptr<Call> c) {
  base::Time now = ctx_.clock->Now();
  c->dialed = Dial(c->src, c->ip, c->url.port);
  c->resp.remote_ip = base::FormatIpv4(c->ip);
  c->resp.remote_port = c->url.port;
  const Dialed& d = c->dialed;
  std::string prefix = "Failed to connect to " + c->url.host + " port " +
                       std::to_string(c->url.port) + " after ";
  auto fail_at = [&](base::Time at, const char* why, int code) {
    if (at > c->connect_deadline) {
      at = c->connect_deadline;
      why = "Timeout was reached";
      code = 28;
    }
    Fail(c, at, code,
         prefix + std::to_string(Millis(at - c->start)) + " ms: " + why);
  };
  switch (d.kind) {
    case Dialed::Kind::kRefused:
      return fail_at(now + d.rtt, "Couldn't connect to server", 7);
    case Dialed::Kind::kNoRoute:
      return fail_at(now + options_.no_route_time,
                     "Couldn't connect to server", 7);
    case Dialed::Kind::kTimeout:
      // The kernel's ETIMEDOUT is reported as a timeout (28) too.
      return fail_at(now + options_.syn_give_up, "Couldn't connect to server",
                     28);
    case Dialed::Kind::kConnected:
      break;
  }
  base::Time at = now + d.connect_time;
  if (at > c->connect_deadline) {
    return fail_at(at, "Timeout was reached", 28);
  }
  At(at, [this, c] { Connected(c); });
}

void Network::Connected(std::shared_ptr<Call> c) {
  base::Time now = ctx_.clock->Now();
  bool tls = c->dialed.listener && IsTlsService(c->dialed.listener->app);
  if (c->url.scheme == "https" && tls) {
    // The handshake works; the cluster's CA is not in curl's store.
    return Fail(c, now + c->dialed.rtt * 2, 60,
                "SSL certificate problem: unable to get local issuer "
                "certificate");
  }
  if (c->url.scheme == "https") {
    // An HTTP server answers the TLS ClientHello with plain HTTP.
    return Fail(c, now + c->dialed.rtt, 35,
                "OpenSSL/3.0.13: error:0A00010B:SSL routines::wrong version "
                "number");
  }
  At(now + c->dialed.rtt / 2, [this, c] { Serve(c); });
}

void Network::Serve(std::shared_ptr<Call> c) {
  base::Time now = ctx_.clock->Now();
  base::Duration half = c->dialed.rtt / 2;
  std::string ip = base::FormatIpv4(c->dialed.ip);
  std::optional<kubelet::Listener> l;
  std::string node;
  if (c->dialed.listener && IsTlsService(c->dialed.listener->app)) {
    node = c->dialed.listener->context.node_name;
    if (!HostDown(node)) l = c->dialed.listener;
  } else {
    l = kubelets_->FindListener(ip, c->dialed.port);
    if (!l) node = kubelets_->NodeOf(ip);
  }
  if (!l) {
    if (!node.empty() && (HostDown(node) ||
                          faults_.Partitioned(c->src.node, node))) {
      // The peer vanished without a word: the request is retransmitted
      // until --max-time or tcp_retries2.
      if (c->deadline && *c->deadline < now + options_.data_give_up) {
        return Fail(c, *c->deadline, 28,
                    "Operation timed out after " +
                        std::to_string(Millis(*c->deadline - c->start)) +
                        " milliseconds with 0 bytes received");
      }
      return Fail(c, now + options_.data_give_up, 56,
                  "Recv failure: Connection timed out");
    }
    // The process exited after accepting: its socket is gone (RST).
    return Fail(c, now + half, 56, "Recv failure: Connection reset by peer");
  }
  if (!l->app->SpeaksHttp()) {
    return Fail(c, now + half, 52, "Empty reply from server");
  }
  kubelet::HttpRequest req = CurlRequest(c->req, c->url);
  req.client_ip = base::FormatIpv4(c->src.ip);
  req.client_port = 32768 + static_cast<int>(rng_->Uniform(28232));
  std::optional<kubelet::UpstreamCall> up = l->app->Upstream(l->context, req);
  if (!up) {
    kubelet::HttpResponse r = l->app->ServeHttp(l->context, req);
    return Answer(c, *l, std::move(r));
  }
  apiserver::NetRequest sub;
  sub.source = "pod/" + l->pod_key;
  sub.url = up->url;
  sub.method = up->method;
  sub.headers = up->headers;
  // The call carries the remaining --max-time of the client, if any.
  if (c->deadline) {
    sub.max_time_seconds =
        std::max(0.001, std::chrono::duration<double>(*c->deadline - now).count());
  }
  Exchange(std::move(sub), [this, c, l = *l, req = std::move(req),
                            call = *up](apiserver::NetResponse r) {
    kubelet::UpstreamResult u;
    u.curl_code = r.curl_code;
    u.error = r.error;
    u.status = r.status;
    u.reason = r.reason;
    u.body = r.body;
    u.endpoint = r.endpoint;
    kubelet::ServeContext ctx = l.context;
    ctx.now = ctx_.clock->Now();
    Answer(c, l, l.app->ServeWithUpstream(ctx, req, call, u));
  });
}

void Network::Answer(std::shared_ptr<Call> c, const kubelet::Listener& l,
                     kubelet::HttpResponse r) {
  base::Time now = ctx_.clock->Now();
  base::Time at = now + options_.server_time + c->dialed.rtt / 2;
  if (r.status == 0) return Fail(c, at, 52, "Empty reply from server");
  if (c->deadline && at > *c->deadline) {
    return Fail(c, *c->deadline, 28,
                "Operation timed out after " +
                    std::to_string(Millis(*c->deadline - c->start)) +
                    " milliseconds with 0 bytes received");
  }
  apiserver::NetResponse& resp = c->resp;
  resp.curl_code = 0;
  resp.endpoint = c->dialed.endpoint;
  resp.status = r.status;
  resp.reason = r.reason;
  resp.headers = std::move(r.headers);
  resp.http_version = r.version;
  bool bare = r.version == "HTTP/1.0";  // a bare answer, then close
  if (!bare && !HasHeader(resp.headers, "Date")) {
    resp.headers.push_back({"Date", HttpDate(at)});
  }
  if (!bare && !HasHeader(resp.headers, "Content-Length")) {
    resp.headers.push_back({"Content-Length", std::to_string(r.body.size())});
  }
  if (c->req.method != "HEAD") resp.body = std::move(r.body);
  Finish(c, at);
}

void Network::Fail(std::shared_ptr<Call> c, base::Time at, int code,
                   std::string error) {
  c->resp.curl_code = code;
  c->resp.error = std::move(error);
  c->resp.endpoint = code == 0 ? c->dialed.endpoint : "";
  Finish(c, at);
}

void Network::Finish(std::shared_ptr<Call> c, base::Time at) {
  At(at, [this, c, at] {
    c->resp.elapsed_seconds =
        std::chrono::duration<double>(at - c->start).count();
    ExchangeRecord rec;
    rec.curl_code = c->resp.curl_code;
    rec.status = c->resp.status;
    rec.service = c->dialed.service_key;
    // A failed exchange that reached a pod still counts against it.
    rec.endpoint = c->dialed.endpoint;
    rec.pod = c->dialed.pod;
    rec.seconds = c->resp.elapsed_seconds;
    if (c->resp.curl_code >= 0) metrics_.Record(rec);
    c->done(std::move(c->resp));
  });
}

}  // namespace ksim::netsim
