#include "netsim/url.h"

#include <algorithm>
#include <cctype>

namespace ksim::netsim {

base::StatusOr<Url> ParseUrl(std::string_view in) {
  Url u;
  std::string_view rest = in;
  if (size_t p = rest.find("://"); p != std::string_view::npos) {
    u.scheme = std::string(rest.substr(0, p));
    std::transform(u.scheme.begin(), u.scheme.end(), u.scheme.begin(),
                   [](unsigned char c) { return std::tolower(c); });
    rest.remove_prefix(p + 3);
  }
  if (u.scheme == "https") {
    u.port = 443;
  } else if (u.scheme != "http") {
    return base::BadRequest("Protocol \"" + u.scheme +
                                 "\" not supported");
  }
  size_t end = rest.find_first_of("/?#");
  std::string_view authority = rest.substr(0, end);
  std::string_view tail =
      end == std::string_view::npos ? "" : rest.substr(end);
  if (size_t at = authority.rfind('@'); at != std::string_view::npos) {
    authority.remove_prefix(at + 1);  // user:password@ is not ours to use
  }
  std::string_view host = authority;
  if (size_t colon = authority.rfind(':'); colon != std::string_view::npos) {
    host = authority.substr(0, colon);
    std::string_view port = authority.substr(colon + 1);
    if (!port.empty()) {
      int n = 0;
      for (char c : port) {
        if (!std::isdigit(static_cast<unsigned char>(c)) || n > 65535) {
          return base::BadRequest("Port number was not a decimal number "
                                       "between 0 and 65535");
        }
        n = n * 10 + (c - '0');
      }
      if (n > 65535) {
        return base::BadRequest("Port number was not a decimal number "
                                     "between 0 and 65535");
      }
      u.port = n;
      u.explicit_port = true;
    }
  }
  if (host.empty()) return base::BadRequest("No host part in the URL");
  u.host = std::string(host);
  std::transform(u.host.begin(), u.host.end(), u.host.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (size_t hash = tail.find('#'); hash != std::string_view::npos) {
    tail = tail.substr(0, hash);  // curl never sends the fragment
  }
  if (tail.empty()) {
    u.target = "/";
  } else if (tail[0] == '?') {
    u.target = "/" + std::string(tail);
  } else {
    u.target = std::string(tail);
  }
  return u;
}

std::string HostHeader(const Url& u) {
  int def = u.scheme == "https" ? 443 : 80;
  if (!u.explicit_port || u.port == def) return u.host;
  return u.host + ":" + std::to_string(u.port);
}

}  // namespace ksim::netsim
