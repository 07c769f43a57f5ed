// The services and pods proxy subresources, resolved as kube-apiserver does
// (pkg/registry/core/service/storage ResourceLocation, pkg/registry/core/pod
// ResourceLocation) and forwarded through the simulated network from the
// control-plane node, as kube-apiserver's proxy transport dials from there
// (k8s.io/apimachinery/pkg/util/proxy: UpgradeAwareHandler + Transport).
//
//   /api/v1/namespaces/NS/services/[SCHEME:]NAME[:PORT]/proxy[/PATH]
//       -> a random ready address of the Service's Endpoints (not the
//          ClusterIP), the port picked by name or service port number.
//   /api/v1/namespaces/NS/pods/[SCHEME:]NAME[:PORT]/proxy[/PATH]
//       -> the pod IP, the port given or the first declared container port.
#include <strings.h>

#include <optional>
#include <string>
#include <utility>
#include <vector>

#include "apiserver/api_errors.h"
#include "apiserver/go_format.h"
#include "apiserver/http_net.h"
#include "apiserver/resources.h"
#include "base/ipv4.h"

namespace ksim::apiserver {
namespace {

// kube-apiserver's proxy dialer gives up connecting after 30 s.
constexpr double kDialTimeoutSeconds = 30;

struct ProxyPath {
  std::string ns;
  std::string resource;  // "services" or "pods"
  std::string id;        // [scheme:]name[:port]
  std::string prefix;    // /api/v1/namespaces/NS/RESOURCE/ID/proxy
  std::string rest;      // what follows prefix ("" or "/...")
};

std::optional<ProxyPath> ParseProxyPath(const std::string& path) {
  static const std::string kHead = "/api/v1/namespaces/";
  if (path.rfind(kHead, 0) != 0) return std::nullopt;
  ProxyPath p;
  size_t pos = kHead.size();
  auto next = [&](std::string* out) {
    if (pos >= path.size()) return false;
    size_t slash = path.find('/', pos);
    if (slash == std::string::npos) slash = path.size();
    *out = path.substr(pos, slash - pos);
    pos = slash + 1;
    return !out->empty();
  };
  std::string proxy;
  if (!next(&p.ns) || !next(&p.resource) || !next(&p.id) || !next(&proxy)) {
    return std::nullopt;
  }
  if (proxy != "proxy" || (p.resource != "services" && p.resource != "pods")) {
    return std::nullopt;
  }
  p.prefix = kHead + p.ns + "/" + p.resource + "/" + p.id + "/proxy";
  if (path.size() > p.prefix.size() && path[p.prefix.size()] != '/') {
    return std::nullopt;
  }
  p.rest = path.substr(p.prefix.size());
  return p;
}

// utilnet.SplitSchemeNamePort: "name", "name:port" or "scheme:name:port"
// with scheme "", "http" or "https".
bool SplitSchemeNamePort(const std::string& id, std::string* scheme,
                         std::string* name, std::string* port) {
  std::vector<std::string> parts;
  size_t start = 0;
  while (true) {
    size_t colon = id.find(':', start);
    parts.push_back(id.substr(start, colon - start));
    if (colon == std::string::npos) break;
    start = colon + 1;
  }
  scheme->clear();
  port->clear();
  if (parts.size() == 1) {
    *name = parts[0];
  } else if (parts.size() == 2) {
    *name = parts[0];
    *port = parts[1];
  } else if (parts.size() == 3) {
    *scheme = parts[0];
    *name = parts[1];
    *port = parts[2];
  } else {
    return false;
  }
  return !name->empty() &&
         (scheme->empty() || *scheme == "http" || *scheme == "https");
}

base::StatusOr<base::Json> GetObject(const HttpContext& ctx,
                                     const std::string& resource,
                                     const std::string& ns,
                                     const std::string& name) {
  Target t;
  t.resource = FindResource("", "v1", resource);
  t.ns = ns;
  t.name = name;
  KSIM_ASSIGN_OR_RETURN(std::string body, ctx.registry->Get(t));
  return base::ParseJson(body);
}

std::optional<int64_t> ParseInt(const std::string& s) {
  if (s.empty() || s.size() > 18) return std::nullopt;
  size_t i = s[0] == '-' || s[0] == '+' ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k) {
    if (s[k] < '0' || s[k] > '9') return std::nullopt;
  }
  return std::stoll(s);
}

base::Status Unavailable(const std::string& message) {
  return base::Status(base::Code::kServiceUnavailable, message);
}

// Endpoints address -> "" when valid: a pod in this namespace whose IPs
// include the address (isValidAddress).
bool ValidAddress(const HttpContext& ctx, const std::string& ns,
                  const base::Json& addr) {
  const base::Json* ref = base::Find(addr, {"targetRef"});
  if (ref == nullptr || ref->value("namespace", "") != ns) return false;
  auto pod = GetObject(ctx, "pods", ns, ref->value("name", ""));
  if (!pod.ok()) return false;
  std::string ip = addr.value("ip", "");
  const base::Json* ips = base::Find(*pod, {"status", "podIPs"});
  if (ips != nullptr && ips->is_array()) {
    for (const auto& p : *ips) {
      if (p.value("ip", "") == ip) return true;
    }
  }
  return false;
}

// The service's ResourceLocation: scheme://endpointIP:port.
base::StatusOr<std::string> ServiceLocation(const HttpContext& ctx,
                                            NetFront& net, const ProxyPath& p) {
  std::string scheme, name, port;
  if (!SplitSchemeNamePort(p.id, &scheme, &name, &port)) {
    return base::BadRequest("invalid service request " + GoQuote(p.id));
  }
  if (auto number = ParseInt(port)) {
    KSIM_ASSIGN_OR_RETURN(base::Json svc,
                          GetObject(ctx, "services", p.ns, name));
    bool found = false;
    const base::Json* ports = base::Find(svc, {"spec", "ports"});
    for (const auto& sp : ports ? *ports : base::Json::array()) {
      if (sp.value("port", int64_t{0}) == *number) {
        port = sp.value("name", "");
        found = true;
        break;
      }
    }
    if (!found) {
      return Unavailable("no service port " + std::to_string(*number) +
                         " found for service " + GoQuote(name));
    }
  }
  KSIM_ASSIGN_OR_RETURN(base::Json eps,
                        GetObject(ctx, "endpoints", p.ns, name));
  const base::Json* subsets = base::Find(eps, {"subsets"});
  if (subsets == nullptr || !subsets->is_array() || subsets->empty()) {
    return Unavailable("no endpoints available for service " + GoQuote(name));
  }
  size_t n = subsets->size();
  size_t ss_seed = net.rng.Uniform(n);
  for (size_t ssi = 0; ssi < n; ++ssi) {
    const base::Json& ss = (*subsets)[(ss_seed + ssi) % n];
    const base::Json* addrs = base::Find(ss, {"addresses"});
    const base::Json* eports = base::Find(ss, {"ports"});
    if (addrs == nullptr || addrs->empty() || eports == nullptr) continue;
    for (const auto& ep : *eports) {
      if (ep.value("name", "") != port) continue;
      size_t seed = net.rng.Uniform(addrs->size());
      for (size_t t = 0; t < addrs->size(); ++t) {
        const base::Json& addr = (*addrs)[(seed + t) % addrs->size()];
        if (!ValidAddress(ctx, p.ns, addr)) continue;
        return (scheme.empty() ? "http" : scheme) + "://" +
               addr.value("ip", "") + ":" +
               std::to_string(ep.value("port", int64_t{0}));
      }
    }
  }
  return Unavailable("no endpoints available for service " + GoQuote(p.id));
}

// ip.IsGlobalUnicast() for IPv4.
bool GlobalUnicast(const std::string& ip) {
  auto v = base::ParseIpv4(ip);
  if (!v) return false;
  uint32_t a = *v;
  return a != 0 && a != 0xFFFFFFFFu && (a >> 24) != 127 && (a >> 28) != 14 &&
         (a >> 16) != 0xA9FE;
}

// The pod's ResourceLocation: scheme://podIP[:port].
base::StatusOr<std::string> PodLocation(const HttpContext& ctx,
                                        const ProxyPath& p) {
  std::string scheme, name, port;
  if (!SplitSchemeNamePort(p.id, &scheme, &name, &port)) {
    return base::BadRequest("invalid pod request " + GoQuote(p.id));
  }
  KSIM_ASSIGN_OR_RETURN(base::Json pod, GetObject(ctx, "pods", p.ns, name));
  if (port.empty()) {
    const base::Json* cs = base::Find(pod, {"spec", "containers"});
    for (const auto& c : cs ? *cs : base::Json::array()) {
      const base::Json* ports = base::Find(c, {"ports"});
      if (ports != nullptr && ports->is_array() && !ports->empty()) {
        port = std::to_string((*ports)[0].value("containerPort", 0));
        break;
      }
    }
  }
  std::string ip = base::GetString(pod, {"status", "podIP"});
  if (!GlobalUnicast(ip)) return base::BadRequest("address not allowed");
  return (scheme.empty() ? "http" : scheme) + "://" + ip +
         (port.empty() ? "" : ":" + port);
}

bool HopByHop(const std::string& name) {
  static const char* kNames[] = {
      "Connection",          "Keep-Alive", "Proxy-Authenticate",
      "Proxy-Authorization", "Te",         "Trailer",
      "Transfer-Encoding",   "Upgrade",    "Proxy-Connection",
      "Content-Length"};
  for (const char* n : kNames) {
    if (strcasecmp(n, name.c_str()) == 0) return true;
  }
  return false;
}

// The Go error net/http would report for the failed exchange.
std::string GoDialError(const NetResponse& r, const std::string& hostport) {
  switch (r.curl_code) {
    case 7:
      return "dial tcp " + hostport + ": connect: connection refused";
    case 28:
      return "dial tcp " + hostport + ": i/o timeout";
    case 52:
      return "EOF";
    case 56:
      return "read tcp " + hostport + ": read: " +
             (r.error.find("timed out") != std::string::npos
                  ? "connection timed out"
                  : "connection reset by peer");
    default:
      return r.error;
  }
}

NetRequest BuildRequest(const httplib::Request& req, const ProxyPath& p,
                        const std::string& location) {
  NetRequest out;
  out.url = location + p.rest;
  std::string query = req.target.find('?') == std::string::npos
                          ? ""
                          : req.target.substr(req.target.find('?'));
  out.url += query;
  out.method = req.method;
  out.body = req.body;
  out.connect_timeout_seconds = kDialTimeoutSeconds;
  std::string forwarded_for;
  for (const auto& [name, value] : req.headers) {
    // The authentication filter drops credentials before proxying.
    if (HopByHop(name) || strcasecmp(name.c_str(), "Authorization") == 0 ||
        strcasecmp(name.c_str(), "REMOTE_ADDR") == 0 ||
        strcasecmp(name.c_str(), "REMOTE_PORT") == 0 ||
        strcasecmp(name.c_str(), "LOCAL_ADDR") == 0 ||
        strcasecmp(name.c_str(), "LOCAL_PORT") == 0) {
      continue;
    }
    if (strcasecmp(name.c_str(), "X-Forwarded-For") == 0) {
      forwarded_for = value + ", ";
      continue;
    }
    out.headers.emplace_back(name, value);
  }
  if (!req.body.empty()) {
    out.headers.emplace_back("Content-Length", std::to_string(req.body.size()));
  }
  out.headers.emplace_back("X-Forwarded-For", forwarded_for + req.remote_addr);
  out.headers.emplace_back("X-Forwarded-Uri",
                           p.rest.empty() ? p.prefix : p.prefix + p.rest);
  return out;
}

void Relay(const NetResponse& r, const ProxyRewrite& rw,
           const httplib::Request& req, httplib::Response& res) {
  std::string content_type, encoding;
  bool redirect = false;
  for (const auto& [name, value] : r.headers) {
    if (HopByHop(name)) continue;
    // corsRemovingTransport: the apiserver's own CORS policy applies.
    if (strncasecmp(name.c_str(), "Access-Control-Allow-", 21) == 0) continue;
    if (strcasecmp(name.c_str(), "Content-Type") == 0) {
      content_type = value;
      continue;
    }
    std::string v = value;
    if (strcasecmp(name.c_str(), "Content-Encoding") == 0) encoding = value;
    if (strcasecmp(name.c_str(), "Location") == 0 && !v.empty()) {
      v = RewriteProxiedUrl(v, rw);
      redirect = true;
    }
    res.set_header(name, v);
  }
  std::string body = r.body;
  std::string base_type = content_type.substr(0, content_type.find(';'));
  while (!base_type.empty() && base_type.back() == ' ') base_type.pop_back();
  // A redirect's body is left alone; so is an encoding (gzip) this proxy
  // does not decode, as kube-apiserver leaves encodings it does not know.
  if (!redirect && base_type == "text/html" && encoding.empty()) {
    body = RewriteProxiedHtml(r.body, rw);
  }
  // The upstream body goes back as is: no compression by the front.
  const_cast<httplib::Request&>(req).headers.erase("Accept-Encoding");
  res.status = r.status;
  if (!body.empty() || !content_type.empty()) {
    res.set_content(std::move(body), content_type.empty()
                                         ? "text/plain; charset=utf-8"
                                         : content_type.c_str());
  }
}

}  // namespace

bool HandleProxy(const HttpContext& ctx, NetFront& net,
                 const httplib::Request& req, httplib::Response& res) {
  std::optional<ProxyPath> p = ParseProxyPath(req.path);
  if (!p) return false;
  auto location = p->resource == "services" ? ServiceLocation(ctx, net, *p)
                                            : PodLocation(ctx, *p);
  if (!location.ok()) return WriteStatus(req, res, location.status()), true;
  if (p->rest.empty()) {
    // UpgradeAwareHandler: an empty path redirects to ".../proxy/".
    size_t q = req.target.find('?');
    res.status = 301;
    res.set_header(
        "Location",
        req.path + "/" + (q == std::string::npos ? "" : req.target.substr(q)));
    return true;
  }
  NetRequest request = BuildRequest(req, *p, *location);
  std::string hostport = location->substr(location->find("://") + 3);
  if (hostport.find(':') == std::string::npos) {
    hostport += location->rfind("https", 0) == 0 ? ":443" : ":80";
  }
  auto answer = ExchangeAndWait(net.gateway, std::move(request), net.stopping);
  if (!answer.ok()) return WriteStatus(req, res, answer.status()), true;
  if (answer->curl_code != 0) {
    WriteStatus(req, res,
                Unavailable("error trying to reach service: " +
                            GoDialError(*answer, hostport)));
    return true;
  }
  ProxyRewrite rw{p->prefix, location->substr(location->find("://") + 3),
                  req.get_header_value("Host")};
  Relay(*answer, rw, req, res);
  return true;
}

}  // namespace ksim::apiserver
