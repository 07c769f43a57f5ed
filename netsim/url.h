// The part of a URL curl needs to open a connection: scheme, host, port and
// the request target. Only http:// is carried by the netsim (it has no TLS).
//
// Thread-safety: pure functions.
#ifndef KSIM_NETSIM_URL_H_
#define KSIM_NETSIM_URL_H_

#include <string>
#include <string_view>

#include "base/status.h"

namespace ksim::netsim {

struct Url {
  std::string scheme = "http";
  std::string host;       // an IPv4 address or a DNS name (lower case)
  int port = 80;          // the default of the scheme when not written
  bool explicit_port = false;
  std::string target = "/";  // path and query, as on the request line
};

// Parses "http://host[:port][/path][?query]"; a URL without a scheme is
// http, as curl guesses ("10.1.0.5:8080" -> http://10.1.0.5:8080/).
// InvalidArgument with curl's wording for what curl rejects.
base::StatusOr<Url> ParseUrl(std::string_view url);

// The Host header curl sends: host, plus ":port" when it was written and
// is not the scheme's default.
std::string HostHeader(const Url& u);

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_URL_H_
