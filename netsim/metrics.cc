#include "netsim/metrics.h"

#include <cstdio>
#include <vector>

namespace ksim::netsim {
namespace {

// Prometheus label value escaping: backslash, double quote, newline.
std::string Escape(const std::string& s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == '"') out += '\\';
    if (c == '\n') {
      out += "\\n";
      continue;
    }
    out += c;
  }
  return out;
}

std::string Num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.17g", v);
  return buf;
}

// Bucket bounds as written ("0.005", not 0.005's 17 digits).
std::string Bound(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%g", v);
  return buf;
}

std::pair<std::string, std::string> SplitKey(const std::string& key) {
  size_t slash = key.find('/');
  if (slash == std::string::npos) return {"", key};
  return {key.substr(0, slash), key.substr(slash + 1)};
}

void Header(std::string& out, const std::string& name, const char* type,
            const char* help) {
  out += "# HELP " + name + " " + help + "\n# TYPE " + name + " " + type +
         "\n";
}

}  // namespace

void Metrics::Series::Add(bool failed, double seconds) {
  ++requests;
  failures += failed;
  sum += seconds;
  for (size_t i = 0; i < kBuckets.size(); ++i) {
    if (seconds <= kBuckets[i]) {
      ++buckets[i];
      return;
    }
  }
}

void Metrics::Record(const ExchangeRecord& r) {
  bool failed = r.curl_code != 0 || r.status >= 500;
  std::lock_guard<std::mutex> l(mu_);
  ++by_code_[r.curl_code];
  if (!r.service.empty()) services_[r.service].Add(failed, r.seconds);
  if (!r.endpoint.empty()) {
    endpoints_[{r.service, r.endpoint, r.pod}].Add(failed, r.seconds);
  }
}

std::pair<uint64_t, uint64_t> Metrics::ServiceCounts(
    const std::string& svc) const {
  std::lock_guard<std::mutex> l(mu_);
  auto it = services_.find(svc);
  if (it == services_.end()) return {0, 0};
  return {it->second.requests, it->second.failures};
}

std::pair<uint64_t, uint64_t> Metrics::EndpointCounts(
    const std::string& endpoint) const {
  std::lock_guard<std::mutex> l(mu_);
  uint64_t req = 0, fail = 0;
  for (const auto& [k, s] : endpoints_) {
    if (std::get<1>(k) != endpoint) continue;
    req += s.requests;
    fail += s.failures;
  }
  return {req, fail};
}

namespace {

template <typename Map, typename LabelFn>
void RenderFamily(std::string& out, const std::string& prefix, const char* what,
                  const Map& series, LabelFn labels) {
  std::string req = prefix + "_requests_total";
  Header(out, req, "counter",
         (std::string("Requests carried by the netsim per ") + what).c_str());
  for (const auto& [k, s] : series) {
    out += req + "{" + labels(k) + "} " + std::to_string(s.requests) + "\n";
  }
  std::string fail = prefix + "_failures_total";
  Header(out, fail, "counter",
         (std::string("Requests per ") + what +
          " that got no HTTP answer or a 5xx one")
             .c_str());
  for (const auto& [k, s] : series) {
    out += fail + "{" + labels(k) + "} " + std::to_string(s.failures) + "\n";
  }
  std::string dur = prefix + "_request_duration_seconds";
  Header(out, dur, "histogram",
         (std::string("Request latency per ") + what +
          " as the client sees it, in seconds")
             .c_str());
  for (const auto& [k, s] : series) {
    std::string l = labels(k);
    uint64_t cum = 0;
    for (size_t i = 0; i < Metrics::kBuckets.size(); ++i) {
      cum += s.buckets[i];
      out += dur + "_bucket{" + l + ",le=\"" + Bound(Metrics::kBuckets[i]) +
             "\"} " + std::to_string(cum) + "\n";
    }
    out += dur + "_bucket{" + l + ",le=\"+Inf\"} " +
           std::to_string(s.requests) + "\n";
    out += dur + "_sum{" + l + "} " + Num(s.sum) + "\n";
    out += dur + "_count{" + l + "} " + std::to_string(s.requests) + "\n";
  }
}

}  // namespace

std::string Metrics::Render() const {
  std::lock_guard<std::mutex> l(mu_);
  std::string out;
  Header(out, "ksim_netsim_requests_total", "counter",
         "Exchanges carried by the netsim, by curl exit code (0: answered)");
  for (const auto& [code, n] : by_code_) {
    out += "ksim_netsim_requests_total{code=\"" + std::to_string(code) +
           "\"} " + std::to_string(n) + "\n";
  }
  RenderFamily(out, "ksim_netsim_service", "Service", services_,
               [](const std::string& key) {
                 auto [ns, name] = SplitKey(key);
                 return "namespace=\"" + Escape(ns) + "\",service=\"" +
                        Escape(name) + "\"";
               });
  RenderFamily(
      out, "ksim_netsim_endpoint", "endpoint", endpoints_,
      [](const std::tuple<std::string, std::string, std::string>& k) {
        auto [ns, name] = SplitKey(std::get<0>(k));
        auto [pns, pod] = SplitKey(std::get<2>(k));
        if (ns.empty()) ns = pns;
        return "namespace=\"" + Escape(ns) + "\",service=\"" + Escape(name) +
               "\",endpoint=\"" + Escape(std::get<1>(k)) + "\",pod=\"" +
               Escape(pod) + "\"";
      });
  return out;
}

}  // namespace ksim::netsim
