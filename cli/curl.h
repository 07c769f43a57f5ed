// `ksim curl [--from pod/NAME|pod/NS/NAME|node/NAME] [-n NS] [curl flags]
// URL`: one HTTP request through the simulated network of the running
// cluster (POST /ksim/v1/exchange), printed as curl 7.88.1 prints it: the
// body on stdout; -i/-I the response headers; -v curl's trace on stderr
// ("*   Trying ...", "> GET / HTTP/1.1", "< HTTP/1.1 200 OK", ...); -s,
// -S, -f, -o, -w; and curl's exit codes and "curl: (N) ..." messages
// (6 unknown host, 7 refused, 28 timeout, 22 for -f on HTTP >= 400).
// The request leaves from the control-plane node unless --from says
// otherwise. Not emulated: the progress meter curl draws on stderr when
// stdout is not a terminal, redirects (-L), TLS.
//
// Thread-safety: the functions share no state.
#ifndef KSIM_CLI_CURL_H_
#define KSIM_CLI_CURL_H_

#include <string>
#include <vector>

#include "apiserver/net_gateway.h"
#include "base/status.h"
#include "cli/api_client.h"

namespace ksim::cli {

// The curl version whose output and User-Agent ksim curl reproduces.
inline constexpr char kCurlVersion[] = "7.88.1";

struct CurlOptions {
  std::string url;
  std::string method;  // -X; empty: GET, POST with data, HEAD with -I
  std::vector<std::string> headers;  // -H lines as given
  std::vector<std::string> data;     // -d/--data-raw/--data-binary parts
  bool has_data = false;
  bool include = false;        // -i
  bool head = false;           // -I
  bool verbose = false;        // -v
  bool silent = false;         // -s
  bool show_error = false;     // -S
  bool fail = false;           // -f
  double max_time = 0;         // -m/--max-time
  double connect_timeout = 0;  // --connect-timeout
  std::string output;          // -o FILE ("" or "-": stdout)
  std::string write_out;       // -w FORMAT
  std::string user_agent = std::string("curl/") + kCurlVersion;  // -A
  // ksim's own flags.
  std::string from;            // --from
  std::string ns = "default";  // -n/--namespace for --from pod/NAME
  ClusterFlags cluster;
  bool help = false;
};

// Parses the arguments after `curl`. On error the message is curl's
// ("option -X: requires parameter", "option --bogus: is unknown",
// "no URL specified!"), without the "curl: " prefix.
base::StatusOr<CurlOptions> ParseCurlArgs(const std::vector<std::string>& args);

// The exchange the options describe: URL with a scheme and a path, curl's
// default headers (Host, User-Agent, Accept) merged with -H, the body and
// its Content-Type, the method. InvalidArgument-like BadRequest for a bad
// --from; curl code 1 problems (another protocol) are reported by
// RenderCurl from the URL, not here.
base::StatusOr<apiserver::NetRequest> BuildNetRequest(const CurlOptions& o);

struct CurlOutput {
  std::string out;        // for stdout
  std::string err;        // for stderr
  std::string file_body;  // for -o FILE (empty when there is none)
  int exit_code = 0;
};

// What curl prints for `response` to `request`. `stdout_tty`: whether
// stdout is a terminal (curl then leaves out the "{ [N bytes data]" trace
// lines when the body goes there).
CurlOutput RenderCurl(const CurlOptions& o,
                      const apiserver::NetRequest& request,
                      const apiserver::NetResponse& response, bool stdout_tty);

// The usage text of `ksim curl --help`.
std::string CurlUsage();

// `ksim curl ...`; returns the process exit status.
int RunCurl(const std::vector<std::string>& args);

}  // namespace ksim::cli

#endif  // KSIM_CLI_CURL_H_
