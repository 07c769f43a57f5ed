// ksim curl: builds the request as curl 7.88.1 would send it, has the
// cluster's network carry it (POST /ksim/v1/exchange) and prints the answer
// as curl does (tool_cb_dbg.c for -v, tool_writeout.c for -w).
#include "cli/curl.h"

#include <strings.h>
#include <unistd.h>

#include <cstdio>
#include <fstream>

#include "apiserver/net_json.h"

namespace ksim::cli {
namespace {

using apiserver::NetRequest;
using apiserver::NetResponse;

struct Url {
  std::string scheme, host, hostport, target;  // target: path?query
  int port = 80;
  std::string effective;  // what curl calls url_effective
};

Url ParseUrl(const std::string& raw) {
  Url u;
  std::string rest = raw;
  size_t sep = raw.find("://");
  if (sep == std::string::npos) {
    u.scheme = "http";  // curl guesses http:// for a URL without scheme
  } else {
    u.scheme = raw.substr(0, sep);
    for (char& c : u.scheme) c = static_cast<char>(tolower(c));
    rest = raw.substr(sep + 3);
  }
  size_t end = rest.find_first_of("/?#");
  u.hostport = rest.substr(0, end);
  u.target = end == std::string::npos ? "/" : rest.substr(end);
  if (!u.target.empty() && u.target[0] == '?') u.target = "/" + u.target;
  size_t hash = u.target.find('#');
  if (hash != std::string::npos) u.target.resize(hash);
  if (u.target.empty()) u.target = "/";
  u.host = u.hostport;
  u.port = u.scheme == "https" ? 443 : 80;
  size_t colon = u.hostport.rfind(':');
  if (colon != std::string::npos) {
    u.host = u.hostport.substr(0, colon);
    u.port = std::atoi(u.hostport.c_str() + colon + 1);
  }
  u.effective = u.scheme + "://" + u.hostport + u.target;
  return u;
}

std::string HeaderName(const std::string& line) {
  size_t end = line.find_first_of(":;");
  return line.substr(0, end);
}

bool HasHeader(const std::vector<std::string>& lines, const char* name) {
  for (const auto& l : lines) {
    if (strcasecmp(HeaderName(l).c_str(), name) == 0) return true;
  }
  return false;
}

std::string Source(const CurlOptions& o) {
  const std::string& f = o.from;
  if (f.empty() || f.rfind("node/", 0) == 0) return f;
  if (f.rfind("pod/", 0) == 0) {
    std::string rest = f.substr(4);
    return rest.find('/') == std::string::npos ? "pod/" + o.ns + "/" + rest : f;
  }
  return "?";
}

const char* Method(const CurlOptions& o) {
  if (!o.method.empty()) return o.method.c_str();
  if (o.head) return "HEAD";
  return o.has_data ? "POST" : "GET";
}

std::string Find(const NetResponse& r, const char* name) {
  for (const auto& [k, v] : r.headers) {
    if (strcasecmp(k.c_str(), name) == 0) return v;
  }
  return "";
}

std::string StatusLine(const NetResponse& r) {
  return r.http_version + " " + std::to_string(r.status) +
         (r.reason.empty() ? "" : " " + r.reason);
}

std::string HeaderBlock(const NetResponse& r, const char* prefix) {
  std::string out = prefix + StatusLine(r) + "\r\n";
  for (const auto& [k, v] : r.headers) out += prefix + k + ": " + v + "\r\n";
  return out + prefix + "\r\n";
}

// The -v trace of the request and response (tool_cb_dbg.c, TRACE_PLAIN).
std::string Trace(const CurlOptions& o, const NetRequest& q,
                  const NetResponse& r, bool data_marks, bool failed_http) {
  Url u = ParseUrl(q.url);
  std::string ip = r.remote_ip.empty() ? u.host : r.remote_ip;
  int port = r.remote_port != 0 ? r.remote_port : u.port;
  std::string t;
  if (r.curl_code == 6) {
    return "* " + r.error + "\n* Closing connection 0\n";
  }
  t += "*   Trying " + ip + ":" + std::to_string(port) + "...\n";
  // Connecting failed (7, 28 "Failed to connect ...") or never started
  // (1, 3); every other outcome sent the request.
  bool connected =
      r.curl_code != 7 && r.curl_code != 1 && r.curl_code != 3 &&
      !(r.curl_code == 28 && r.error.rfind("Failed to connect", 0) == 0 &&
        r.status == 0);
  if (!connected) {
    if (r.curl_code == 7) {
      t += "* connect to " + ip + " port " + std::to_string(port) +
           " failed: Connection refused\n";
    }
    return t + "* " + r.error + "\n* Closing connection 0\n";
  }
  t += "* Connected to " + u.host + " (" + ip + ") port " +
       std::to_string(port) + " (#0)\n";
  t += "> " + q.method + " " + u.target + " HTTP/1.1\r\n";
  for (const auto& [k, v] : q.headers) t += "> " + k + ": " + v + "\r\n";
  t += "> \r\n";
  if (!q.body.empty() && data_marks) {
    t += "} [" + std::to_string(q.body.size()) + " bytes data]\n";
  }
  if (r.curl_code != 0 && r.status == 0) {
    return t + "* " + r.error + "\n* Closing connection 0\n";
  }
  if (r.http_version == "HTTP/1.0")
    t += "* HTTP 1.0, assume close after body\n";
  std::string block = HeaderBlock(r, "< ");
  if (failed_http) {
    // curl gives up before it traces the end of the headers.
    block.resize(block.size() - 4);  // "< \r\n"
    return t + block +
           "* The requested URL returned error: " + std::to_string(r.status) +
           "\n* Closing connection 0\n";
  }
  t += block;
  if (!r.body.empty() && data_marks) {
    t += "{ [" + std::to_string(r.body.size()) + " bytes data]\n";
  }
  if (r.curl_code != 0) {
    return t + "* " + r.error + "\n* Closing connection 0\n";
  }
  bool close = r.http_version == "HTTP/1.0" ||
               strcasecmp(Find(r, "Connection").c_str(), "close") == 0;
  return t + (close ? "* Closing connection 0\n"
                    : "* Connection #0 to host " + u.host + " left intact\n");
}

// -w FORMAT (tool_writeout.c): %{variable}, %% and \n \r \t escapes.
std::string WriteOut(const std::string& fmt, const NetRequest& q,
                     const NetResponse& r, int exit_code, std::string* err) {
  Url u = ParseUrl(q.url);
  char buf[32];
  std::snprintf(buf, sizeof buf, "%03d", r.status);
  std::string code = buf;
  std::snprintf(buf, sizeof buf, "%.6f", r.elapsed_seconds);
  std::string elapsed = buf;
  auto var = [&](const std::string& n, bool* known) -> std::string {
    *known = true;
    if (n == "http_code" || n == "response_code") return code;
    if (n == "remote_ip") return r.remote_ip;
    if (n == "remote_port")
      return r.remote_port ? std::to_string(r.remote_port) : "";
    if (n == "size_download") return std::to_string(r.body.size());
    if (n == "size_upload") return std::to_string(q.body.size());
    if (n == "url_effective" || n == "url") return u.effective;
    if (n == "content_type") return Find(r, "Content-Type");
    if (n == "exitcode") return std::to_string(exit_code);
    if (n == "errormsg") return r.error;
    if (n == "method") return q.method;
    if (n == "scheme") return u.scheme;
    if (n == "num_headers") return std::to_string(r.headers.size());
    if (n == "http_version") return r.http_version.substr(5);
    if (n.rfind("time_", 0) == 0) return elapsed;
    *known = false;
    return "";
  };
  std::string out;
  for (size_t i = 0; i < fmt.size(); ++i) {
    char c = fmt[i];
    if (c == '%' && i + 1 < fmt.size() && fmt[i + 1] == '%') {
      out += '%';
      ++i;
    } else if (c == '%' && i + 1 < fmt.size() && fmt[i + 1] == '{' &&
               fmt.find('}', i) != std::string::npos) {
      size_t close = fmt.find('}', i);
      std::string name = fmt.substr(i + 2, close - i - 2);
      bool known = false;
      out += var(name, &known);
      if (!known)
        *err += "curl: unknown --write-out variable: '" + name + "'\n";
      i = close;
    } else if (c == '\\' && i + 1 < fmt.size() &&
               (fmt[i + 1] == 'n' || fmt[i + 1] == 'r' || fmt[i + 1] == 't')) {
      out += fmt[i + 1] == 'n' ? '\n' : fmt[i + 1] == 'r' ? '\r' : '\t';
      ++i;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace

base::StatusOr<NetRequest> BuildNetRequest(const CurlOptions& o) {
  NetRequest q;
  q.source = Source(o);
  if (q.source == "?") {
    return base::BadRequest(
        "--from must be pod/NAME, pod/NAMESPACE/NAME or "
        "node/NAME, not \"" +
        o.from + "\"");
  }
  Url u = ParseUrl(o.url);
  q.url = u.effective;
  q.method = Method(o);
  std::vector<std::pair<const char*, std::string>> defaults = {
      {"Host", u.hostport}, {"User-Agent", o.user_agent}, {"Accept", "*/*"}};
  for (const auto& [name, value] : defaults) {
    if (!HasHeader(o.headers, name) && !value.empty()) {
      q.headers.emplace_back(name, value);
    }
  }
  for (const std::string& line : o.headers) {
    size_t colon = line.find(':');
    if (colon != std::string::npos) {
      std::string value = line.substr(colon + 1);
      size_t start = value.find_first_not_of(" \t");
      value = start == std::string::npos ? "" : value.substr(start);
      if (!value.empty()) q.headers.emplace_back(line.substr(0, colon), value);
    } else if (line.find(';') != std::string::npos) {
      q.headers.emplace_back(line.substr(0, line.find(';')), "");
    }
  }
  if (o.has_data) {
    for (size_t i = 0; i < o.data.size(); ++i) {
      q.body += (i ? "&" : "") + o.data[i];
    }
    if (!HasHeader(o.headers, "Content-Length")) {
      q.headers.emplace_back("Content-Length", std::to_string(q.body.size()));
    }
    if (!HasHeader(o.headers, "Content-Type")) {
      q.headers.emplace_back("Content-Type",
                             "application/x-www-form-urlencoded");
    }
  }
  q.max_time_seconds = o.max_time;
  q.connect_timeout_seconds = o.connect_timeout;
  return q;
}

CurlOutput RenderCurl(const CurlOptions& o, const NetRequest& q,
                      const NetResponse& response, bool stdout_tty) {
  CurlOutput out;
  NetResponse r = response;
  if (r.curl_code < 0) {  // no request was made: --from names no host
    out.exit_code = 1;
    out.err = "ksim curl: --from " + o.from + ": " + r.error + "\n";
    return out;
  }
  bool to_file = !o.output.empty() && o.output != "-";
  bool failed_http = o.fail && r.curl_code == 0 && r.status >= 400;
  if (failed_http) {
    r.curl_code = 22;
    r.error = "The requested URL returned error: " + std::to_string(r.status);
  }
  out.exit_code = r.curl_code;
  if (o.verbose) {
    out.err += Trace(o, q, r, !stdout_tty || to_file, failed_http);
  }
  bool transferred = r.curl_code == 0 || r.curl_code == 28 || r.curl_code == 56;
  if (transferred && r.status != 0) {
    std::string headers = (o.include || o.head) ? HeaderBlock(r, "") : "";
    std::string body = q.method == "HEAD" ? "" : r.body;
    if (to_file) {
      out.file_body = headers + body;
    } else {
      out.out = headers + body;
    }
  }
  if (!o.write_out.empty()) {
    out.out += WriteOut(o.write_out, q, r, out.exit_code, &out.err);
  }
  if (r.curl_code != 0 && (!o.silent || o.show_error)) {
    out.err += "curl: (" + std::to_string(r.curl_code) + ") " + r.error + "\n";
  }
  return out;
}

int RunCurl(const std::vector<std::string>& args) {
  if (args.empty()) {  // curl alone says only this
    std::fputs("curl: try 'ksim curl --help' for more information\n", stderr);
    return 2;
  }
  auto parsed = ParseCurlArgs(args);
  if (!parsed.ok()) {
    std::fprintf(stderr,
                 "curl: %s\ncurl: try 'ksim curl --help' for more "
                 "information\n",
                 parsed.status().message().c_str());
    return 2;
  }
  const CurlOptions& o = *parsed;
  if (o.help) {
    std::fputs(CurlUsage().c_str(), stdout);
    return 0;
  }
  Url u = ParseUrl(o.url);
  if (u.scheme != "http") {
    if (!o.silent || o.show_error) {
      std::fprintf(stderr,
                   "curl: (1) Protocol \"%s\" not supported or disabled in "
                   "libcurl\n",
                   u.scheme.c_str());
    }
    return 1;
  }
  auto request = BuildNetRequest(o);
  auto server = ResolveServer(o.cluster);
  if (!request.ok() || !server.ok()) {
    std::fprintf(
        stderr, "ksim curl: %s\n",
        (request.ok() ? server.status() : request.status()).message().c_str());
    return 2;
  }
  double wait = (o.max_time > 0 ? o.max_time : 330) + 30;
  base::Json body = apiserver::NetRequestToJson(*request);
  auto answer =
      ApiClient(*server).Call("POST", "/ksim/v1/exchange", &body, wait);
  auto response = answer.ok() ? apiserver::NetResponseFromJson(*answer)
                              : base::StatusOr<NetResponse>(answer.status());
  if (!response.ok()) {
    std::fprintf(stderr, "ksim curl: %s\n",
                 response.status().message().c_str());
    return 1;
  }
  CurlOutput out = RenderCurl(o, *request, *response, ::isatty(1) != 0);
  if (!o.output.empty() && o.output != "-") {
    std::ofstream f(o.output, std::ios::binary);
    f << out.file_body;
    if (!f) {
      std::fprintf(stderr,
                   "curl: (23) Failure writing output to destination\n");
      return 23;
    }
  }
  std::fwrite(out.err.data(), 1, out.err.size(), stderr);
  std::fwrite(out.out.data(), 1, out.out.size(), stdout);
  std::fflush(stdout);
  return out.exit_code;
}

}  // namespace ksim::cli
