#include "kubelet-sim/overrides.h"

#include <cctype>
#include <cstdio>
#include <cstdlib>

namespace ksim::kubelet {
namespace {

std::string Annotation(const base::Json& pod, const char* key) {
  const base::Json* a = base::Find(pod, {"metadata", "annotations"});
  if (!a || !a->is_object()) return "";
  auto it = a->find(key);
  return it != a->end() && it->is_string() ? it->get<std::string>() : "";
}

std::optional<int> ParseInt(const std::string& s) {
  if (s.empty()) return std::nullopt;
  char* end = nullptr;
  long v = std::strtol(s.c_str(), &end, 10);
  if (*end != '\0') return std::nullopt;
  return static_cast<int>(v);
}

// "1.500" -> "1.5", "2.000" -> "2".
std::string TrimFraction(std::string s) {
  if (s.find('.') == std::string::npos) return s;
  while (s.back() == '0') s.pop_back();
  if (s.back() == '.') s.pop_back();
  return s;
}

}  // namespace

std::optional<base::Duration> ParseGoDuration(std::string_view s) {
  if (s.empty()) return std::nullopt;
  std::string str(s);
  char* end = nullptr;
  double bare = std::strtod(str.c_str(), &end);
  if (*end == '\0') {
    if (bare < 0) return std::nullopt;
    return std::chrono::duration_cast<base::Duration>(
        std::chrono::duration<double>(bare));
  }
  double total = 0;
  size_t i = 0;
  while (i < str.size()) {
    const char* start = str.c_str() + i;
    double v = std::strtod(start, &end);
    if (end == start) return std::nullopt;
    i += end - start;
    std::string unit;
    while (i < str.size() &&
           !std::isdigit(static_cast<unsigned char>(str[i])) && str[i] != '.') {
      unit += str[i++];
    }
    double mult = unit == "ns"                   ? 1e-9
                  : unit == "us" || unit == "µs" ? 1e-6
                  : unit == "ms"                 ? 1e-3
                  : unit == "s"                  ? 1
                  : unit == "m"                  ? 60
                  : unit == "h"                  ? 3600
                                                 : -1;
    if (mult < 0) return std::nullopt;
    total += v * mult;
  }
  if (total < 0) return std::nullopt;
  return std::chrono::duration_cast<base::Duration>(
      std::chrono::duration<double>(total));
}

std::string FormatGoDuration(base::Duration d) {
  int64_t ns = d.count();
  if (ns == 0) return "0s";
  std::string sign = ns < 0 ? "-" : "";
  if (ns < 0) ns = -ns;
  char buf[64];
  if (ns < 1000) return sign + std::to_string(ns) + "ns";
  if (ns < 1000000) {
    std::snprintf(buf, sizeof buf, "%.3f", ns / 1e3);
    return sign + TrimFraction(buf) + "µs";
  }
  if (ns < 1000000000) {
    std::snprintf(buf, sizeof buf, "%.6f", ns / 1e6);
    return sign + TrimFraction(buf) + "ms";
  }
  int64_t h = ns / 3600000000000LL;
  ns -= h * 3600000000000LL;
  int64_t m = ns / 60000000000LL;
  ns -= m * 60000000000LL;
  std::snprintf(buf, sizeof buf, "%lld.%09lld",
                static_cast<long long>(ns / 1000000000),
                static_cast<long long>(ns % 1000000000));
  std::string out = sign;
  if (h > 0) out += std::to_string(h) + "h";
  if (h > 0 || m > 0) out += std::to_string(m) + "m";
  return out + TrimFraction(buf) + "s";
}

PodOverrides ParseOverrides(const base::Json& pod) {
  PodOverrides o;
  o.start_delay = ParseGoDuration(Annotation(pod, kAnnotationStartDelay));
  o.pull_delay = ParseGoDuration(Annotation(pod, kAnnotationPullDelay));
  o.crash_after = ParseGoDuration(Annotation(pod, kAnnotationCrashAfter));
  o.exit_code = ParseInt(Annotation(pod, kAnnotationExitCode));
  o.ready_flap = ParseGoDuration(Annotation(pod, kAnnotationReadyFlap));
  if (o.ready_flap && o.ready_flap->count() == 0) o.ready_flap.reset();
  std::string sig = Annotation(pod, kAnnotationSigterm);
  if (sig == "ignore" || sig == "exit" || ParseGoDuration(sig)) {
    o.sigterm = sig;
  }
  o.http_status = ParseInt(Annotation(pod, kAnnotationHttpStatus));
  if (o.http_status && (*o.http_status < 100 || *o.http_status > 599)) {
    o.http_status.reset();
  }
  return o;
}

}  // namespace ksim::kubelet
