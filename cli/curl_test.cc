// ksim curl: argument parsing, the request it builds, and its output
// compared byte for byte with the real curl 7.88.1 against a local server
// (skipped when that curl is not installed).
#include "cli/curl.h"

#include <httplib.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <cstdio>
#include <fstream>
#include <sstream>
#include <thread>

#include "base/testing/temp_dir.h"

namespace ksim::cli {
namespace {

using apiserver::NetRequest;
using apiserver::NetResponse;

CurlOptions Parse(const std::vector<std::string>& args) {
  auto o = ParseCurlArgs(args);
  INFO(o.status().message());
  REQUIRE(o.ok());
  return *o;
}

TEST_CASE("curl arguments parse as curl parses them", "[curl]") {
  CurlOptions o =
      Parse({"-sSv", "-XPUT", "-H", "X-A: 1", "-m5", "-d", "a=1", "--data-raw",
             "@b", "10.1.0.5:8080", "--from=pod/web", "-n", "shop"});
  CHECK(o.silent);
  CHECK(o.show_error);
  CHECK(o.verbose);
  CHECK(o.method == "PUT");
  CHECK(o.headers == std::vector<std::string>{"X-A: 1"});
  CHECK(o.max_time == 5);
  CHECK(o.data == std::vector<std::string>{"a=1", "@b"});
  CHECK(o.url == "10.1.0.5:8080");
  CHECK(o.from == "pod/web");
  CHECK(o.ns == "shop");
  CHECK(ParseCurlArgs({"-X"}).status().message() ==
        "option -X: requires parameter");
  CHECK(ParseCurlArgs({"--bogus", "x"}).status().message() ==
        "option --bogus: is unknown");
  CHECK(ParseCurlArgs({"-s"}).status().message() == "no URL specified!");
  CHECK(ParseCurlArgs({"-m", "soon", "x"}).status().message() ==
        "option -m: expected a proper numerical parameter");
  CHECK(Parse({"--help"}).help);
}

TEST_CASE("the request carries curl's headers, body and method", "[curl]") {
  auto q = BuildNetRequest(
      Parse({"-d", "a=1", "-d", "b=2", "-H", "X-A: 1", "-H",
             "Accept:", "webapp:8080/x?y=1#frag", "--from", "pod/web-1"}));
  REQUIRE(q.ok());
  CHECK(q->url == "http://webapp:8080/x?y=1");
  CHECK(q->method == "POST");
  CHECK(q->source == "pod/default/web-1");
  CHECK(q->body == "a=1&b=2");
  using H = std::vector<std::pair<std::string, std::string>>;
  CHECK(q->headers == H{{"Host", "webapp:8080"},
                        {"User-Agent", "curl/7.88.1"},
                        {"X-A", "1"},
                        {"Content-Length", "7"},
                        {"Content-Type", "application/x-www-form-urlencoded"}});
  auto head = BuildNetRequest(Parse({"-I", "http://10.1.0.5"}));
  REQUIRE(head.ok());
  CHECK(head->method == "HEAD");
  CHECK(head->url == "http://10.1.0.5/");
  CHECK(head->headers.front() ==
        std::pair<std::string, std::string>("Host", "10.1.0.5"));
  CHECK(BuildNetRequest(Parse({"--from", "node/k8s-node-1", "x"}))->source ==
        "node/k8s-node-1");
  CHECK(!BuildNetRequest(Parse({"--from", "web-1", "x"})).ok());
}

TEST_CASE("an invalid --from is ksim's error, not a curl code", "[curl]") {
  CurlOptions o = Parse({"--from", "pod/ghost", "10.1.0.9"});
  NetRequest q = *BuildNetRequest(o);
  NetResponse r;
  r.curl_code = -1;
  r.error = "pods \"ghost\" not found";
  CurlOutput out = RenderCurl(o, q, r, true);
  CHECK(out.exit_code == 1);
  CHECK(out.out.empty());
  CHECK(out.err == "ksim curl: --from pod/ghost: pods \"ghost\" not found\n");
}

TEST_CASE("errors print curl's message and exit code", "[curl]") {
  NetRequest q = *BuildNetRequest(Parse({"10.1.0.9"}));
  NetResponse r;
  r.curl_code = 28;
  r.error =
      "Failed to connect to 10.1.0.9 port 80 after 1000 ms: Timeout was "
      "reached";
  r.remote_ip = "10.1.0.9";
  r.remote_port = 80;
  CurlOutput out = RenderCurl(Parse({"10.1.0.9"}), q, r, true);
  CHECK(out.exit_code == 28);
  CHECK(out.out.empty());
  CHECK(out.err ==
        "curl: (28) Failed to connect to 10.1.0.9 port 80 after 1000 ms: "
        "Timeout was reached\n");
  CHECK(RenderCurl(Parse({"-s", "x"}), q, r, true).err.empty());
  CHECK(RenderCurl(Parse({"-sS", "x"}), q, r, true).err == out.err);
  CurlOutput v = RenderCurl(Parse({"-v", "x"}), q, r, true);
  CHECK(v.err ==
        "*   Trying 10.1.0.9:80...\n"
        "* Failed to connect to 10.1.0.9 port 80 after 1000 ms: Timeout was "
        "reached\n"
        "* Closing connection 0\n"
        "curl: (28) Failed to connect to 10.1.0.9 port 80 after 1000 ms: "
        "Timeout was reached\n");
  r.curl_code = 6;
  r.error = "Could not resolve host: nosuch";
  CHECK(RenderCurl(Parse({"-v", "x"}), q, r, true).err ==
        "* Could not resolve host: nosuch\n* Closing connection 0\n"
        "curl: (6) Could not resolve host: nosuch\n");
}

// Runs /usr/bin/curl with `args`; returns {stdout, stderr, exit code}.
struct Run {
  std::string out, err;
  int rc = -1;
};
Run RealCurl(const std::vector<std::string>& args) {
  testing::TempDir dir;
  std::string cmd = "/usr/bin/curl";
  for (const auto& a : args) cmd += " '" + a + "'";
  cmd += " >" + dir.File("out") + " 2>" + dir.File("err");
  Run r;
  int status = std::system(cmd.c_str());
  r.rc = WIFEXITED(status) ? WEXITSTATUS(status) : -1;
  auto slurp = [](const std::string& p) {
    std::ifstream in(p, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  };
  r.out = slurp(dir.File("out"));
  r.err = slurp(dir.File("err"));
  return r;
}

// The response as `curl -si` printed it.
NetResponse FromIncluded(const std::string& text, int port) {
  NetResponse r;
  size_t end = text.find("\r\n\r\n");
  std::istringstream head(text.substr(0, end));
  std::string line;
  std::getline(head, line);
  line.pop_back();  // \r
  r.http_version = line.substr(0, 8);
  r.status = std::stoi(line.substr(9, 3));
  r.reason = line.size() > 13 ? line.substr(13) : "";
  while (std::getline(head, line)) {
    if (!line.empty() && line.back() == '\r') line.pop_back();
    size_t colon = line.find(": ");
    r.headers.emplace_back(line.substr(0, colon), line.substr(colon + 2));
  }
  r.body = text.substr(end + 4);
  r.remote_ip = "127.0.0.1";
  r.remote_port = port;
  return r;
}

TEST_CASE("ksim curl prints what curl 7.88.1 prints", "[curl]") {
  Run version = RealCurl({"--version"});
  if (version.out.rfind("curl 7.88.1 ", 0) != 0) {
    WARN("curl 7.88.1 is not installed; output comparison skipped");
    return;
  }
  httplib::Server srv;
  auto handler = [](const httplib::Request& req, httplib::Response& res) {
    res.status = req.path == "/missing" ? 404 : 200;
    res.set_header("X-Served-By", "web-1");
    res.set_content("hello " + req.method + " " + req.body + "\n",
                    "text/plain");
  };
  srv.Get(".*", handler);
  srv.Post(".*", handler);
  int port = srv.bind_to_any_port("127.0.0.1");
  std::thread t([&] { srv.listen_after_bind(); });
  while (!srv.is_running())
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  std::string base = "127.0.0.1:" + std::to_string(port);
  std::vector<std::vector<std::string>> cases = {
      {"-sv", "-i", base + "/page?x=1"},
      {"-sv", "-d", "a=1", "-d", "b=2", "-H", "X-A: 1", base + "/form"},
      {"-s", "-w", "%{http_code} %{size_download} %{url_effective}\\n", base},
      {"-svf", base + "/missing"},
      {"-sS", "-f", base + "/missing"},
      {"-sSi", "-H", "X-B: 2", "-A", "probe/1", base + "/x"},
      {"-sI", base + "/head"},
  };
  for (const auto& args : cases) {
    Run real = RealCurl(args);
    // The same exchange seen with -si gives the response to replay.
    std::vector<std::string> probe = {args[0] == "-sI" ? "-sI" : "-si"};
    for (size_t i = 0; i + 1 < args.size(); ++i) {
      if (args[i] == "-d" || args[i] == "-H" || args[i] == "-X" ||
          args[i] == "-A") {
        probe.push_back(args[i]);
        probe.push_back(args[i + 1]);
      }
    }
    probe.push_back(args.back());
    NetResponse r = FromIncluded(RealCurl(probe).out, port);
    CurlOptions o = Parse(args);
    NetRequest q = *BuildNetRequest(o);
    CurlOutput ours = RenderCurl(o, q, r, false);
    INFO("curl " << args[0] << " ... " << args.back());
    CHECK(ours.out == real.out);
    CHECK(ours.err == real.err);
    CHECK(ours.exit_code == real.rc);
  }
  srv.stop();
  t.join();
  // A refused connection.
  Run refused = RealCurl({"-v", "127.0.0.1:1"});
  NetResponse r;
  r.curl_code = 7;
  r.error =
      "Failed to connect to 127.0.0.1 port 1 after 0 ms: Couldn't "
      "connect to server";
  r.remote_ip = "127.0.0.1";
  r.remote_port = 1;
  CurlOptions o = Parse({"-v", "127.0.0.1:1"});
  CurlOutput ours = RenderCurl(o, *BuildNetRequest(o), r, false);
  std::string real_err;
  CHECK(ours.exit_code == refused.rc);
  // Real curl also draws its progress meter here; compare the trace lines.
  std::string trace;
  for (std::istringstream in(refused.err); std::getline(in, real_err);) {
    size_t star = real_err.find("* ");
    if (real_err.find("curl: (") != std::string::npos) {
      trace += real_err.substr(real_err.find("curl: (")) + "\n";
    } else if (star != std::string::npos) {
      trace += real_err.substr(star) + "\n";
    }
  }
  CHECK(ours.err == trace);
}

}  // namespace
}  // namespace ksim::cli
