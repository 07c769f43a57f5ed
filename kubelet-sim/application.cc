#include "kubelet-sim/application.h"

#include <chrono>

#include "base/json.h"

namespace ksim::kubelet {
namespace {

HttpResponse Make(int status, std::string content_type, std::string server,
                  std::string body) {
  HttpResponse r;
  r.status = status;
  r.reason = HttpReason(status);
  if (!server.empty()) r.headers.push_back({"Server", std::move(server)});
  r.headers.push_back({"Content-Type", std::move(content_type)});
  r.body = std::move(body);
  return r;
}

std::string PathOf(const std::string& target) {
  size_t q = target.find('?');
  return q == std::string::npos ? target : target.substr(0, q);
}

HttpResponse Tomcat(const ServeContext& c, const HttpRequest& req) {
  std::string path = PathOf(req.target);
  std::string version = "Apache Tomcat/8.0.35";
  if (path != "/" && path != "/index.jsp" && path != "/index.html") {
    return Make(404, "text/html;charset=utf-8", "Apache-Coyote/1.1",
                "<!DOCTYPE html><html><head><title>" + version +
                    " - Error report</title></head><body><h1>HTTP Status 404 "
                    "- " +
                    path + "</h1><hr class=\"line\"><h3>" + version +
                    "</h3></body></html>");
  }
  // Appended piece by piece: this page is the netsim's hot path.
  std::string body;
  body.reserve(1400);
  body.append(
      "<!DOCTYPE html>\n<html lang=\"en\">\n    <head>\n        <meta "
      "charset=\"UTF-8\" />\n        <title>");
  body.append(version);
  body.append(
      "</title>\n        <link href=\"favicon.ico\" rel=\"icon\" "
      "type=\"image/x-icon\" />\n        <link href=\"tomcat.css\" "
      "rel=\"stylesheet\" type=\"text/css\" />\n    </head>\n\n    <body>\n"
      "        <div id=\"wrapper\">\n            <div id=\"navigation\" "
      "class=\"curved container\">\n                <span id=\"nav-home\"><a "
      "href=\"http://tomcat.apache.org/\">Home</a></span>\n            "
      "</div>\n            <div id=\"asf-box\">\n                <h1>");
  body.append(version);
  body.append(
      "</h1>\n            </div>\n            <div id=\"upper\" "
      "class=\"curved container\">\n                <div id=\"congrats\" "
      "class=\"curved container\">\n                    <h2>If you're seeing "
      "this, you've successfully installed Tomcat. Congratulations!</h2>\n"
      "                </div>\n                <p>Served by pod <b>");
  body.append(c.pod_name).append("</b> (").append(c.pod_ip);
  body.append(") on node ").append(c.node_name);
  body.append(
      "</p>\n            </div>\n        </div>\n    </body>\n\n</html>\n");
  return Make(200, "text/html;charset=UTF-8", "Apache-Coyote/1.1",
              std::move(body));
}

HttpResponse Nginx(const ServeContext& c, const HttpRequest& req) {
  std::string path = PathOf(req.target);
  if (path != "/" && path != "/index.html") {
    return Make(404, "text/html", "nginx/1.27.3",
                "<html>\r\n<head><title>404 Not Found</title></head>\r\n"
                "<body>\r\n<center><h1>404 Not Found</h1></center>\r\n"
                "<hr><center>nginx/1.27.3</center>\r\n</body>\r\n</html>\r\n");
  }
  return Make(
      200, "text/html", "nginx/1.27.3",
      "<!DOCTYPE html>\n<html>\n<head>\n<title>Welcome to nginx!</title>\n"
      "<style>\nhtml { color-scheme: light dark; }\nbody { width: 35em; "
      "margin: 0 auto;\nfont-family: Tahoma, Verdana, Arial, sans-serif; }\n"
      "</style>\n</head>\n<body>\n<h1>Welcome to nginx!</h1>\n<p>If you see "
      "this page, the nginx web server is successfully installed and\n"
      "working. Further configuration is required.</p>\n\n<p>For online "
      "documentation and support please refer to\n<a "
      "href=\"http://nginx.org/\">nginx.org</a>.<br/>\nCommercial support is "
      "available at\n<a href=\"http://nginx.com/\">nginx.com</a>.</p>\n\n"
      "<p><em>Thank you for using nginx.</em></p>\n</body>\n</html>\n");
}

HttpResponse Httpd(const ServeContext& c, const HttpRequest& req) {
  std::string path = PathOf(req.target);
  if (path != "/" && path != "/index.html") {
    return Make(404, "text/html; charset=iso-8859-1", "Apache/2.4.62 (Unix)",
                "<!DOCTYPE HTML PUBLIC \"-//IETF//DTD HTML 2.0//EN\">\n"
                "<html><head>\n<title>404 Not Found</title>\n</head><body>\n"
                "<h1>Not Found</h1>\n<p>The requested URL was not found on "
                "this server.</p>\n</body></html>\n");
  }
  return Make(200, "text/html", "Apache/2.4.62 (Unix)",
              "<html><body><h1>It works!</h1></body></html>\n");
}

HttpResponse Echo(const ServeContext& c, const HttpRequest& req) {
  base::Json headers = base::Json::object();
  for (const auto& [k, v] : req.headers) headers[k] = v;
  std::string path = PathOf(req.target);
  base::Json body = {
      {"host", {{"hostname", c.pod_name}, {"ip", c.pod_ip}}},
      {"http",
       {{"method", req.method},
        {"baseUrl", ""},
        {"originalUrl", req.target},
        {"protocol", "http"}}},
      {"request",
       {{"params", {{"0", path}}},
        {"headers", headers},
        {"body", req.body},
        {"remoteAddress", req.client_ip}}},
      {"environment", {{"HOSTNAME", c.pod_name}}},
  };
  if (!c.node_name.empty()) body["host"]["node"] = c.node_name;
  return Make(200, "application/json; charset=utf-8", "", body.dump());
}

HttpResponse HttpEcho(const ServeContext& c, const HttpRequest& req) {
  std::string text = "hello-world";
  for (const auto& a : c.args) {
    for (const char* p : {"-text=", "--text="}) {
      if (a.rfind(p, 0) == 0) text = a.substr(std::string(p).size());
    }
  }
  return Make(200, "text/plain; charset=utf-8", "", text + "\n");
}

HttpResponse Liveness(const ServeContext& c, const HttpRequest& req) {
  // registry.k8s.io/liveness: healthy for the first 10 seconds only.
  auto up = c.now - c.started_at;
  if (PathOf(req.target) == "/healthz" && up > std::chrono::seconds(10)) {
    auto secs = std::chrono::duration<double>(up).count();
    return Make(500, "text/plain; charset=utf-8", "",
                "error: " + std::to_string(secs));
  }
  return Make(200, "text/plain; charset=utf-8", "", "ok");
}

HttpResponse Python(const ServeContext& c, const HttpRequest& req) {
  std::string path = PathOf(req.target);
  if (path != "/") {
    return Make(404, "text/html;charset=utf-8", "SimpleHTTP/0.6 Python/3.13.0",
                "<!DOCTYPE HTML>\n<html lang=\"en\">\n    <head>\n        "
                "<title>Error response</title>\n    </head>\n    <body>\n"
                "        <h1>Error response</h1>\n        <p>Error code: "
                "404</p>\n        <p>Message: File not found.</p>\n    "
                "</body>\n</html>\n");
  }
  return Make(200, "text/html; charset=utf-8", "SimpleHTTP/0.6 Python/3.13.0",
              "<!DOCTYPE HTML>\n<html lang=\"en\">\n<head>\n<meta "
              "charset=\"utf-8\">\n<title>Directory listing for /</title>\n"
              "</head>\n<body>\n<h1>Directory listing for /</h1>\n<hr>\n<ul>"
              "\n</ul>\n<hr>\n</body>\n</html>\n");
}

// A frontend whose upstream failed answers as a reverse proxy does.
HttpResponse BadGateway(const UpstreamCall& call, const UpstreamResult& up) {
  return Make(502, "text/plain; charset=utf-8", "",
              "upstream " + call.url + " failed: curl: (" +
                  std::to_string(up.curl_code) + ") " + up.error + "\n");
}

// The echo server's JSON with the upstream's answer under "upstream".
HttpResponse EchoWithUpstream(const ServeContext& c, const HttpRequest& req,
                              const UpstreamCall& call,
                              const UpstreamResult& up) {
  HttpResponse r = Echo(c, req);
  base::Json body = base::Json::parse(r.body);
  base::Json u = {{"url", call.url},
                  {"status", up.status},
                  {"endpoint", up.endpoint}};
  auto parsed = base::Json::parse(up.body, nullptr, /*allow_exceptions=*/false);
  u["body"] = parsed.is_discarded() ? base::Json(up.body) : parsed;
  body["upstream"] = u;
  r.body = body.dump();
  return r;
}

class HttpApp : public Application {
 public:
  HttpApp(std::string name, HttpFlavor flavor)
      : name_(std::move(name)), flavor_(flavor) {}
  const std::string& name() const override { return name_; }
  std::optional<UpstreamCall> Upstream(const ServeContext& c,
                                       const HttpRequest& req) const override {
    auto it = c.env.find(kUpstreamUrlEnv);
    if (it == c.env.end() || it->second.empty() || c.forced_status) {
      return std::nullopt;
    }
    UpstreamCall call;
    call.url = it->second;
    return call;
  }
  HttpResponse ServeWithUpstream(const ServeContext& c, const HttpRequest& req,
                                 const UpstreamCall& call,
                                 const UpstreamResult& up) const override {
    if (up.curl_code != 0) return BadGateway(call, up);
    if (flavor_ == HttpFlavor::kEcho) {
      return EchoWithUpstream(c, req, call, up);
    }
    HttpResponse r = ServeHttp(c, req);
    r.body += "\n--- upstream " + call.url + " answered " +
              std::to_string(up.status) + " " + up.reason + " from " +
              up.endpoint + " ---\n" + up.body;
    return r;
  }
  HttpResponse ServeHttp(const ServeContext& c,
                         const HttpRequest& req) const override {
    if (c.forced_status) {
      return Make(*c.forced_status, "text/plain; charset=utf-8", "",
                  HttpReason(*c.forced_status) + "\n");
    }
    switch (flavor_) {
      case HttpFlavor::kTomcat:
        return Tomcat(c, req);
      case HttpFlavor::kNginx:
        return Nginx(c, req);
      case HttpFlavor::kHttpd:
        return Httpd(c, req);
      case HttpFlavor::kEcho:
        return Echo(c, req);
      case HttpFlavor::kHttpEcho:
        return HttpEcho(c, req);
      case HttpFlavor::kLiveness:
        return Liveness(c, req);
      case HttpFlavor::kPython:
        return Python(c, req);
      case HttpFlavor::kDefault:
        break;
    }
    return Make(200, "text/plain; charset=utf-8", "",
                "Hello from " + c.pod_name + " (" + c.pod_ip + ")\n");
  }

 private:
  std::string name_;
  HttpFlavor flavor_;
};

class RedisApp : public Application {
 public:
  const std::string& name() const override { return name_; }
  bool SpeaksHttp() const override { return false; }
  HttpResponse ServeHttp(const ServeContext& c,
                         const HttpRequest& req) const override {
    // Redis drops a connection that sends HTTP ("Possible SECURITY ATTACK").
    HttpResponse r;
    r.status = 0;
    r.reason = "";
    return r;
  }
  std::string ServeTcp(const ServeContext& c,
                       std::string_view data) const override {
    std::string d(data);
    for (auto& ch : d) ch = static_cast<char>(std::toupper(ch));
    if (d.find("PING") != std::string::npos) return "+PONG\r\n";
    if (d.find("QUIT") != std::string::npos) return "+OK\r\n";
    if (d.empty()) return "";
    return "-ERR unknown command\r\n";
  }

 private:
  std::string name_ = "redis";
};

}  // namespace

const Application& ApplicationFor(const ImageProfile& p) {
  static const auto* redis = new RedisApp();
  static const auto* apps = [] {
    auto* m = new std::map<HttpFlavor, HttpApp>();
    for (auto [f, n] : std::vector<std::pair<HttpFlavor, const char*>>{
             {HttpFlavor::kDefault, "default"},
             {HttpFlavor::kTomcat, "tomcat"},
             {HttpFlavor::kNginx, "nginx"},
             {HttpFlavor::kHttpd, "httpd"},
             {HttpFlavor::kEcho, "echo"},
             {HttpFlavor::kHttpEcho, "http-echo"},
             {HttpFlavor::kLiveness, "liveness"},
             {HttpFlavor::kPython, "python"}}) {
      m->emplace(f, HttpApp(n, f));
    }
    return m;
  }();
  if (p.app == AppKind::kRedis) return *redis;
  return apps->at(p.flavor);
}

std::string HttpReason(int status) {
  switch (status) {
    case 200:
      return "OK";
    case 201:
      return "Created";
    case 204:
      return "No Content";
    case 301:
      return "Moved Permanently";
    case 302:
      return "Found";
    case 304:
      return "Not Modified";
    case 400:
      return "Bad Request";
    case 401:
      return "Unauthorized";
    case 403:
      return "Forbidden";
    case 404:
      return "Not Found";
    case 405:
      return "Method Not Allowed";
    case 429:
      return "Too Many Requests";
    case 500:
      return "Internal Server Error";
    case 502:
      return "Bad Gateway";
    case 503:
      return "Service Unavailable";
    case 504:
      return "Gateway Timeout";
    default:
      return "Unknown";
  }
}

}  // namespace ksim::kubelet
