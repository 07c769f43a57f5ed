// apiserver_request_total as kube-apiserver labels it
// (k8s.io/apiserver/pkg/endpoints/metrics): verb (LIST, WATCH, APPLY,
// CONNECT for proxy subresources ...), dry_run, group, version, resource,
// subresource, scope (resource, namespace, cluster), component and code;
// non-resource requests carry their path as subresource and no component.
// Plus the simulated network's metrics, at GET /metrics.
#include <algorithm>
#include <string_view>
#include <utility>
#include <vector>

#include "apiserver/http_net.h"
#include "apiserver/resource_path.h"
#include "apiserver/resources.h"

namespace ksim::apiserver {
namespace {

constexpr const char* kVerbs[] = {"GET",     "LIST",   "WATCH",
                                  "POST",    "PUT",    "PATCH",
                                  "APPLY",   "DELETE", "DELETECOLLECTION",
                                  "CONNECT", "HEAD",   "OPTIONS",
                                  "other"};
enum Verb {
  kGet,
  kList,
  kWatch,
  kPost,
  kPut,
  kPatch,
  kApply,
  kDelete,
  kDeleteCollection,
  kConnect,
  kHead,
  kOptions,
  kOtherVerb
};

// Non-resource paths that keep their own label (others are "other", which
// bounds the label set as kube-apiserver does).
constexpr const char* kPaths[] = {"other",
                                  "/api",
                                  "/apis",
                                  "/healthz",
                                  "/livez",
                                  "/readyz",
                                  "/version",
                                  "/metrics",
                                  "/openapi/v2",
                                  "/openapi/v3",
                                  "/ksim/v1/exchange",
                                  "/ksim/v1/faults",
                                  "/ksim/v1"};
constexpr int kPathCount = sizeof(kPaths) / sizeof(kPaths[0]);

constexpr int kProxySub = 15;  // subresource index of "proxy"
constexpr const char* kScopes[] = {"", "resource", "namespace", "cluster"};

struct Route {
  bool resource = false;
  int index = 0;  // into AllResources() or kPaths
  int sub = 0;    // 0: none, i+1: subresources[i], kProxySub: proxy
  int scope = 0;
  bool named = false;
  bool watch = false;
};

int PathIndex(std::string_view path) {
  for (int i = kPathCount - 1; i > 0; --i) {
    std::string_view p = kPaths[i];
    if (path == p || (path.substr(0, p.size()) == p && path.size() > p.size() &&
                      path[p.size()] == '/' && p != "/api" && p != "/apis" &&
                      p != "/ksim/v1")) {
      return i;
    }
  }
  return 0;
}

bool ParseResourceRoute(std::string_view path, Route* r) {
  ResourcePath p;
  if (!ParseResourcePath(path, &p)) return false;
  const ResourceInfo* info = p.resource;
  r->watch = p.watch;
  r->resource = true;
  r->index = static_cast<int>(info - AllResources().data());
  r->named = p.rest >= 1;
  if (p.rest >= 2) {
    if (p.subresource == "proxy") {
      r->sub = kProxySub;  // the proxied path follows
    } else {
      for (size_t k = 0; k < info->subresources.size() && k + 1 < kProxySub;
           ++k) {
        if (info->subresources[k].name == p.subresource) r->sub = k + 1;
      }
      if (r->sub == 0 || p.rest > 2) return false;
    }
  }
  r->scope = r->named ? 1 : !p.ns.empty() ? 2 : 3;
  return true;
}

int VerbOf(const httplib::Request& req, const Route& r) {
  const std::string& m = req.method;
  if (r.resource && r.sub == kProxySub) return kConnect;
  if (m == "GET") {
    if (!r.resource) return kGet;
    auto w = req.params.find("watch");
    bool watch = r.watch || (w != req.params.end() && w->second != "false" &&
                             w->second != "0" && w->second != "False");
    if (watch) return kWatch;
    return r.named ? kGet : kList;
  }
  if (m == "POST") return kPost;
  if (m == "PUT") return kPut;
  if (m == "PATCH") {
    return req.get_header_value("Content-Type")
                       .rfind("application/apply-patch", 0) == 0
               ? kApply
               : kPatch;
  }
  if (m == "DELETE")
    return r.resource && !r.named ? kDeleteCollection : kDelete;
  if (m == "HEAD") return kHead;
  if (m == "OPTIONS") return kOptions;
  return kOtherVerb;
}

// key = 1 + fields packed in mixed radix (0 marks an empty slot).
uint64_t Pack(int verb, bool dry, const Route& r, int code) {
  uint64_t k = static_cast<uint64_t>(verb);
  k = k * 2 + (dry ? 1 : 0);
  k = k * 2 + (r.resource ? 1 : 0);
  k = k * 256 + static_cast<uint64_t>(r.index & 255);
  k = k * 16 + static_cast<uint64_t>(r.sub & 15);
  k = k * 4 + static_cast<uint64_t>(r.scope & 3);
  k = k * 1024 + static_cast<uint64_t>(code < 0 || code > 999 ? 0 : code);
  return k + 1;
}

std::string Labels(uint64_t key) {
  uint64_t k = key - 1;
  int code = static_cast<int>(k % 1024);
  k /= 1024;
  int scope = static_cast<int>(k % 4);
  k /= 4;
  int sub = static_cast<int>(k % 16);
  k /= 16;
  int index = static_cast<int>(k % 256);
  k /= 256;
  bool resource = k % 2;
  k /= 2;
  bool dry = k % 2;
  int verb = static_cast<int>(k / 2);
  std::string group, version, res, subresource, component;
  if (resource && index < static_cast<int>(AllResources().size())) {
    const ResourceInfo& info = AllResources()[index];
    group = info.group;
    version = info.version;
    res = info.resource;
    component = "apiserver";
    if (sub == kProxySub) {
      subresource = "proxy";
    } else if (sub > 0 && sub <= static_cast<int>(info.subresources.size())) {
      subresource = info.subresources[sub - 1].name;
    }
  } else {
    subresource = kPaths[index < kPathCount ? index : 0];
  }
  return "code=\"" + std::to_string(code) + "\",component=\"" + component +
         "\",dry_run=\"" + (dry ? "All" : "") + "\",group=\"" + group +
         "\",resource=\"" + res + "\",scope=\"" + kScopes[scope] +
         "\",subresource=\"" + subresource + "\",verb=\"" +
         kVerbs[std::min(verb, static_cast<int>(kOtherVerb))] +
         "\",version=\"" + version + "\"";
}

}  // namespace

RequestCounters::RequestCounters() = default;

void RequestCounters::Count(const httplib::Request& req, int code) {
  Route r;
  if (!ParseResourceRoute(req.path, &r)) {
    r = Route();
    r.index = PathIndex(req.path);
  }
  auto dry = req.params.find("dryRun");
  uint64_t key = Pack(VerbOf(req, r), dry != req.params.end(), r, code);
  size_t i = (key * 0x9E3779B97F4A7C15ull) >> 51;  // 13 bits: kSlots
  for (size_t probe = 0; probe < kSlots; ++probe, i = (i + 1) % kSlots) {
    uint64_t seen = slots_[i].key.load(std::memory_order_relaxed);
    if (seen == 0) {
      uint64_t expected = 0;
      if (slots_[i].key.compare_exchange_strong(expected, key,
                                                std::memory_order_relaxed)) {
        seen = key;
      } else {
        seen = expected;
      }
    }
    if (seen == key) {
      slots_[i].count.fetch_add(1, std::memory_order_relaxed);
      return;
    }
  }
  dropped_.fetch_add(1, std::memory_order_relaxed);
}

std::string RequestCounters::Render() const {
  std::vector<std::pair<std::string, uint64_t>> rows;
  for (const Slot& s : slots_) {
    uint64_t key = s.key.load(std::memory_order_relaxed);
    uint64_t n = s.count.load(std::memory_order_relaxed);
    if (key != 0 && n != 0) rows.emplace_back(Labels(key), n);
  }
  std::sort(rows.begin(), rows.end());
  std::string out =
      "# HELP apiserver_request_total [STABLE] Counter of apiserver requests "
      "broken out for each verb, dry run value, group, version, resource, "
      "scope, component, and HTTP response code.\n"
      "# TYPE apiserver_request_total counter\n";
  for (const auto& [labels, n] : rows) {
    out +=
        "apiserver_request_total{" + labels + "} " + std::to_string(n) + "\n";
  }
  return out;
}

void ServeMetrics(NetFront& net, const httplib::Request& req,
                  httplib::Response& res) {
  std::string body = net.counters.Render();
  if (net.gateway != nullptr) body += net.gateway->Metrics();
  WriteBody(req, res, 200, std::move(body),
            "text/plain; version=0.0.4; charset=utf-8");
}

}  // namespace ksim::apiserver
