// Accept negotiation for the discovery endpoints, after kube-apiserver's
// discovery WrappedHandler: munnerz/goautoneg parses and orders the media
// ranges, and the first range the endpoint can serve decides whether the
// aggregated (APIGroupDiscoveryList) or the legacy document is returned.
#include <algorithm>
#include <cstdlib>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/discovery.h"

namespace ksim::apiserver {
namespace {

struct MediaRange {
  std::string type;
  std::string subtype;
  double q = 1.0;
  std::map<std::string, std::string> params;
};

std::string_view Trim(std::string_view s) {
  const char* kSpace = " \t\r\n";
  size_t b = s.find_first_not_of(kSpace);
  if (b == s.npos) return {};
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

std::vector<std::string_view> Split(std::string_view s, char sep) {
  std::vector<std::string_view> out;
  size_t start = 0;
  while (true) {
    size_t pos = s.find(sep, start);
    out.push_back(s.substr(start, pos == s.npos ? s.npos : pos - start));
    if (pos == s.npos) return out;
    start = pos + 1;
  }
}

// goautoneg.ParseAccept: plain splits on ',' and ';' (no quoting), q parsed
// as a float (0 when malformed), then ordered by q and by specificity.
std::vector<MediaRange> ParseAccept(std::string_view header) {
  std::vector<MediaRange> ranges;
  for (std::string_view part : Split(header, ',')) {
    std::vector<std::string_view> fields = Split(part, ';');
    std::vector<std::string_view> type = Split(Trim(fields[0]), '/');
    if (type.size() > 2) continue;
    MediaRange r;
    r.type = std::string(Trim(type[0]));
    if (type.size() > 1) r.subtype = std::string(Trim(type[1]));
    for (size_t i = 1; i < fields.size(); ++i) {
      size_t eq = fields[i].find('=');
      if (eq == std::string_view::npos) continue;
      std::string key(Trim(fields[i].substr(0, eq)));
      std::string value(Trim(fields[i].substr(eq + 1)));
      if (key == "q") {
        char* end = nullptr;
        r.q = std::strtod(value.c_str(), &end);
        if (end == value.c_str() || *end != '\0') r.q = 0;
      } else {
        r.params[key] = value;
      }
    }
    ranges.push_back(std::move(r));
  }
  // goautoneg's Less is not a strict ordering (a specific type beats a
  // wildcard even at lower q), so the result depends on the algorithm: Go's
  // sort.Sort insertion-sorts lists this short, and so do we.
  auto less = [](const MediaRange& a, const MediaRange& b) {
    if (a.q > b.q) return true;
    if (a.type != "*" && b.type == "*") return true;
    return a.subtype != "*" && b.subtype == "*";
  };
  for (size_t i = 1; i < ranges.size(); ++i) {
    for (size_t j = i; j > 0 && less(ranges[j], ranges[j - 1]); --j) {
      std::swap(ranges[j], ranges[j - 1]);
    }
  }
  return ranges;
}

std::string Param(const MediaRange& r, const char* key) {
  auto it = r.params.find(key);
  return it == r.params.end() ? "" : it->second;
}

}  // namespace

DiscoveryFormat NegotiateDiscovery(std::string_view accept) {
  for (const MediaRange& r : ParseAccept(accept)) {
    if (r.q <= 0) continue;
    bool json = (r.type == "application" || r.type == "*") &&
                (r.subtype == "json" || r.subtype == "*");
    if (!json) continue;  // we serve discovery as JSON only
    bool converts =
        r.params.count("as") || r.params.count("g") || r.params.count("v");
    if (!converts) return DiscoveryFormat::kLegacy;
    if (Param(r, "g") != "apidiscovery.k8s.io" ||
        Param(r, "as") != "APIGroupDiscoveryList") {
      continue;  // a conversion the discovery endpoints do not offer
    }
    if (Param(r, "v") == "v2") return DiscoveryFormat::kAggregatedV2;
    if (Param(r, "v") == "v2beta1") return DiscoveryFormat::kAggregatedV2Beta1;
  }
  return DiscoveryFormat::kLegacy;
}

}  // namespace ksim::apiserver
