#include <cstdio>
#include <ctime>

#include "base/clock.h"

namespace ksim::base {
namespace {

std::tm ToTm(Time t) {
  std::time_t secs = std::chrono::floor<std::chrono::seconds>(t)
                         .time_since_epoch()
                         .count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  return tm;
}

}  // namespace

std::string FormatRfc3339(Time t) {
  std::tm tm = ToTm(t);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

std::string FormatRfc3339Micro(Time t) {
  std::tm tm = ToTm(t);
  auto secs = std::chrono::floor<std::chrono::seconds>(t);
  auto micros =
      std::chrono::duration_cast<std::chrono::microseconds>(t - secs).count();
  char buf[48];
  size_t n = std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%S", &tm);
  std::snprintf(buf + n, sizeof buf - n, ".%06lldZ",
                static_cast<long long>(micros));
  return buf;
}

std::optional<Time> ParseRfc3339(std::string_view s) {
  std::string str(s);
  std::tm tm{};
  const char* rest = strptime(str.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (rest == nullptr) return std::nullopt;
  Duration frac{0};
  if (*rest == '.') {
    ++rest;
    int64_t scale = 100000000;  // first digit is 1e8 ns
    while (*rest >= '0' && *rest <= '9') {
      frac += Duration((*rest - '0') * scale);
      scale /= 10;
      ++rest;
    }
  }
  int64_t offset_secs = 0;
  if (*rest == 'Z' || *rest == 'z') {
    ++rest;
  } else if (*rest == '+' || *rest == '-') {
    int sign = *rest == '-' ? -1 : 1;
    int hh = 0, mm = 0;
    if (std::sscanf(rest + 1, "%2d:%2d", &hh, &mm) != 2) return std::nullopt;
    offset_secs = sign * (hh * 3600 + mm * 60);
    rest += 6;
  } else {
    return std::nullopt;
  }
  if (*rest != '\0') return std::nullopt;
  std::time_t secs = timegm(&tm) - offset_secs;
  return Time(std::chrono::seconds(secs)) + frac;
}

// Port of k8s.io/apimachinery/pkg/util/duration.HumanDuration.
std::string HumanDuration(Duration d) {
  using std::chrono::duration_cast;
  int64_t seconds = duration_cast<std::chrono::seconds>(d).count();
  if (seconds < -1) return "<invalid>";
  if (seconds < 0) return "0s";
  if (seconds < 60 * 2) return std::to_string(seconds) + "s";
  int64_t minutes = seconds / 60;
  if (minutes < 10) {
    int64_t s = seconds % 60;
    if (s == 0) return std::to_string(minutes) + "m";
    return std::to_string(minutes) + "m" + std::to_string(s) + "s";
  }
  if (minutes < 60 * 3) return std::to_string(minutes) + "m";
  int64_t hours = minutes / 60;
  if (hours < 8) {
    int64_t m = minutes % 60;
    if (m == 0) return std::to_string(hours) + "h";
    return std::to_string(hours) + "h" + std::to_string(m) + "m";
  }
  if (hours < 48) return std::to_string(hours) + "h";
  if (hours < 24 * 8) {
    int64_t h = hours % 24;
    if (h == 0) return std::to_string(hours / 24) + "d";
    return std::to_string(hours / 24) + "d" + std::to_string(h) + "h";
  }
  if (hours < 24 * 365 * 2) return std::to_string(hours / 24) + "d";
  if (hours < 24 * 365 * 8) {
    int64_t dy = (hours / 24) % 365;
    if (dy == 0) return std::to_string(hours / 24 / 365) + "y";
    return std::to_string(hours / 24 / 365) + "y" + std::to_string(dy) + "d";
  }
  return std::to_string(hours / 24 / 365) + "y";
}

}  // namespace ksim::base
