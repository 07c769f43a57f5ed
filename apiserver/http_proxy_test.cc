// The services/pods proxy subresources against a fake network: endpoint
// resolution, kube-apiserver's error wording, forwarding and relaying.
#include <catch2/catch.hpp>
#include <set>
#include <string>

#include "apiserver/http_net.h"
#include "apiserver/http_net_test_util.h"
#include "base/json.h"

namespace ksim::apiserver {
namespace {

using base::Json;
using testing::FakeGateway;
using testing::NetServer;

void Post(httplib::Client& c, const std::string& path, const Json& obj) {
  auto r = c.Post(path.c_str(), obj.dump(), "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 201);
}

// A pod with a container port and (unless ip is empty) a pod IP.
void CreatePod(httplib::Client& c, const std::string& name,
               const std::string& ip, bool ports = true) {
  Json container = {{"name", "app"}, {"image", "tomcat"}};
  if (ports) container["ports"] = {{{"containerPort", 8080}}};
  Json pod = {{"apiVersion", "v1"},
              {"kind", "Pod"},
              {"metadata", {{"name", name}, {"namespace", "default"}}},
              {"spec", {{"containers", {container}}}}};
  Post(c, "/api/v1/namespaces/default/pods", pod);
  if (ip.empty()) return;
  auto got = c.Get(("/api/v1/namespaces/default/pods/" + name).c_str());
  REQUIRE(got);
  Json live = Json::parse(got->body);
  live["status"]["podIP"] = ip;
  live["status"]["podIPs"] = {{{"ip", ip}}};
  auto put =
      c.Put(("/api/v1/namespaces/default/pods/" + name + "/status").c_str(),
            live.dump(), "application/json");
  REQUIRE(put);
  INFO(put->body);
  REQUIRE(put->status == 200);
}

void CreateService(httplib::Client& c, const std::string& name,
                   const Json& ports) {
  Post(c, "/api/v1/namespaces/default/services",
       {{"apiVersion", "v1"},
        {"kind", "Service"},
        {"metadata", {{"name", name}}},
        {"spec", {{"selector", {{"app", name}}}, {"ports", ports}}}});
}

void CreateEndpoints(httplib::Client& c, const std::string& name,
                     const Json& subsets) {
  Json eps = {{"apiVersion", "v1"},
              {"kind", "Endpoints"},
              {"metadata", {{"name", name}}}};
  if (!subsets.is_null()) eps["subsets"] = subsets;
  Post(c, "/api/v1/namespaces/default/endpoints", eps);
}

Json Address(const std::string& ip, const std::string& pod) {
  return {{"ip", ip},
          {"targetRef",
           {{"kind", "Pod"}, {"namespace", "default"}, {"name", pod}}}};
}

// webapp: port 8080 -> targetPort 8080 on web-1 and web-2; web-0 has no IP.
void Seed(httplib::Client& c) {
  CreatePod(c, "web-1", "10.244.1.5");
  CreatePod(c, "web-2", "10.244.2.7");
  CreatePod(c, "web-0", "");
  CreateService(c, "webapp", {{{"port", 8080}, {"targetPort", 8080}}});
  CreateEndpoints(
      c, "webapp",
      {{{"addresses",
         {Address("10.244.1.5", "web-1"), Address("10.244.2.7", "web-2")}},
        {"ports", {{{"port", 8080}, {"protocol", "TCP"}}}}}});
  CreateService(c, "empty", {{{"port", 80}}});
  CreateEndpoints(c, "empty", Json());
}

void CheckStatus(const httplib::Result& r, int code, const std::string& reason,
                 const std::string& message) {
  REQUIRE(r);
  INFO(r->body);
  CHECK(r->status == code);
  Json s = Json::parse(r->body);
  CHECK(s["kind"] == "Status");
  CHECK(s["reason"] == reason);
  CHECK(s["message"] == message);
  CHECK(s["code"] == code);
}

const std::string kSvc = "/api/v1/namespaces/default/services/";
const std::string kPods = "/api/v1/namespaces/default/pods/";

TEST_CASE("service proxy reaches a random ready endpoint",
          "[proxy][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  Seed(*s.client);
  std::set<std::string> urls;
  for (int i = 0; i < 40; ++i) {
    auto r = s.client->Get((kSvc + "webapp:8080/proxy/index.jsp?x=1").c_str());
    REQUIRE(r);
    CHECK(r->status == 200);
    CHECK(r->get_header_value("Content-Type") == "text/plain");
    CHECK(r->get_header_value("Server") == "echo");
    urls.insert(r->body.substr(0, r->body.find('\n')));
  }
  CHECK(urls ==
        std::set<std::string>{"ECHO GET http://10.244.1.5:8080/index.jsp?x=1",
                              "ECHO GET http://10.244.2.7:8080/index.jsp?x=1"});
  NetRequest sent = net.seen().back();
  CHECK(sent.source == "");
  bool uri = false, forwarded = false;
  for (const auto& [k, v] : sent.headers) {
    if (k == "X-Forwarded-Uri") {
      uri = v == kSvc + "webapp:8080/proxy/index.jsp";
    }
    if (k == "X-Forwarded-For") forwarded = v == "127.0.0.1";
    CHECK(k != "Authorization");
  }
  CHECK(uri);
  CHECK(forwarded);
  // The service name alone uses the unnamed port; http: is accepted.
  auto bare = s.client->Get((kSvc + "http:webapp:/proxy/").c_str());
  REQUIRE(bare);
  CHECK(bare->status == 200);
}

TEST_CASE("service proxy errors are kube-apiserver's", "[proxy][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  Seed(*s.client);
  auto& c = *s.client;
  CheckStatus(c.Get((kSvc + "nope:80/proxy/").c_str()), 404, "NotFound",
              "services \"nope\" not found");
  CheckStatus(c.Get((kSvc + "nope/proxy/").c_str()), 404, "NotFound",
              "endpoints \"nope\" not found");
  CheckStatus(c.Get((kSvc + "empty/proxy/").c_str()), 503, "ServiceUnavailable",
              "no endpoints available for service "
              "\"empty\"");
  CheckStatus(c.Get((kSvc + "webapp:9999/proxy/").c_str()), 503,
              "ServiceUnavailable",
              "no service port 9999 found for service \"webapp\"");
  CheckStatus(c.Get((kSvc + "webapp:web/proxy/").c_str()), 503,
              "ServiceUnavailable",
              "no endpoints available for service \"webapp:web\"");
  CheckStatus(c.Get((kSvc + "a:b:c:d/proxy/").c_str()), 400, "BadRequest",
              "invalid service request \"a:b:c:d\"");
  CheckStatus(c.Get((kSvc + "ftp:webapp:80/proxy/").c_str()), 400, "BadRequest",
              "invalid service request \"ftp:webapp:80\"");
  CHECK(net.seen().empty());
  net.answer = [](const NetRequest&) {
    NetResponse r;
    r.curl_code = 7;
    r.error =
        "Failed to connect to 10.244.1.5 port 8080 after 0 ms: "
        "Couldn't connect to server";
    return r;
  };
  auto refused = c.Get((kSvc + "webapp:8080/proxy/").c_str());
  REQUIRE(refused);
  CHECK(refused->status == 503);
  Json st = Json::parse(refused->body);
  CHECK(st["reason"] == "ServiceUnavailable");
  std::string m = st["message"];
  CHECK((m == "error trying to reach service: dial tcp 10.244.1.5:8080: "
              "connect: connection refused" ||
         m == "error trying to reach service: dial tcp 10.244.2.7:8080: "
              "connect: connection refused"));
}

TEST_CASE("proxy without a trailing slash redirects", "[proxy][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  Seed(*s.client);
  auto r = s.client->Get((kSvc + "webapp:8080/proxy?a=b").c_str());
  REQUIRE(r);
  CHECK(r->status == 301);
  CHECK(r->get_header_value("Location") == kSvc + "webapp:8080/proxy/?a=b");
  CHECK(net.seen().empty());
}

TEST_CASE("pod proxy forwards verbs, bodies and upstream answers as is",
          "[proxy][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  Seed(*s.client);
  auto& c = *s.client;
  auto post = c.Post((kPods + "web-1:8080/proxy/api/items").c_str(),
                     "{\"a\":1}", "application/json");
  REQUIRE(post);
  CHECK(post->status == 200);
  CHECK(post->body == "ECHO POST http://10.244.1.5:8080/api/items\n{\"a\":1}");
  // No port: the first declared container port.
  auto get = c.Get((kPods + "web-2/proxy/").c_str());
  REQUIRE(get);
  CHECK(get->body.rfind("ECHO GET http://10.244.2.7:8080/\n", 0) == 0);
  auto del = c.Delete((kPods + "web-2:9000/proxy/x").c_str());
  REQUIRE(del);
  CHECK(del->body.rfind("ECHO DELETE http://10.244.2.7:9000/x", 0) == 0);
  CheckStatus(c.Get((kPods + "web-0/proxy/").c_str()), 400, "BadRequest",
              "address not allowed");
  CheckStatus(c.Get((kPods + "ghost/proxy/").c_str()), 404, "NotFound",
              "pods \"ghost\" not found");
  CheckStatus(c.Get((kPods + "a:b:c:d/proxy/").c_str()), 400, "BadRequest",
              "invalid pod request \"a:b:c:d\"");
  net.answer = [](const NetRequest&) {
    NetResponse r;
    r.status = 404;
    r.reason = "Not Found";
    r.headers = {{"Content-Type", "text/html;charset=utf-8"},
                 {"Access-Control-Allow-Origin", "*"},
                 {"Location", "/login"}};
    r.body = "<h1>HTTP Status 404</h1>";
    return r;
  };
  auto missing = c.Get((kPods + "web-1:8080/proxy/nope").c_str());
  REQUIRE(missing);
  CHECK(missing->status == 404);
  CHECK(missing->body == "<h1>HTTP Status 404</h1>");
  CHECK(missing->get_header_value("Content-Type") == "text/html;charset=utf-8");
  CHECK(!missing->has_header("Access-Control-Allow-Origin"));
  CHECK(missing->get_header_value("Location") ==
        kPods + "web-1:8080/proxy/login");
}

TEST_CASE("html answers are rewritten as kube-apiserver's proxy does",
          "[proxy][http_net]") {
  ProxyRewrite rw{"/api/v1/namespaces/default/services/webapp:8080/proxy",
                  "10.244.1.5:8080", "127.0.0.1:6443"};
  const std::string p = rw.path_prepend;
  CHECK(RewriteProxiedHtml(
            "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta "
            "charset=\"UTF-8\" />\n<link href=\"tomcat.css\" "
            "rel=stylesheet>\n<title>a<b></title></head>\n<body><a "
            "href=\"/docs/?x=1&amp;y=2#top\">d</a> <A "
            "HREF='http://10.244.1.5:8080/manager/'>m</A> <a "
            "href=\"http://tomcat.apache.org/\">h</a> <img "
            "src=\"/img/a.png\"/><br>x < y<!-- <a href=\"/c\"> --><p "
            "title=\"it's\" hidden>"
            "</body></html>\n",
            rw) ==
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head><meta "
        "charset=\"UTF-8\"/>\n<link href=\"tomcat.css\" "
        "rel=\"stylesheet\">\n<title>a<b></title></head>\n<body><a href=\"" +
            p + "/docs/?x=1&amp;y=2#top\">d</a> <a href=\"" + p +
            "/manager/\">m</A> <a href=\"http://tomcat.apache.org/\">h</a> "
            "<img src=\"" +
            p +
            "/img/a.png\"/><br>x < y<!-- <a href=\"/c\"> --><p "
            "title=\"it&#39;s\" hidden=\"\"></body></html>\n");
  CHECK(RewriteProxiedUrl("/login", rw) == p + "/login");
  CHECK(RewriteProxiedUrl(p + "/x", rw) == p + "/x");
  CHECK(RewriteProxiedUrl("http://127.0.0.1:6443/a/../b/", rw) == p + "/b/");
  CHECK(RewriteProxiedUrl("http://example.com/a", rw) ==
        "http://example.com/a");
  CHECK(RewriteProxiedUrl("rel/path", rw) == "rel/path");
}

TEST_CASE("proxy and ksim API answer 503 without a network",
          "[proxy][http_net]") {
  NetServer s(nullptr);
  Seed(*s.client);
  auto r = s.client->Get((kPods + "web-1:8080/proxy/").c_str());
  REQUIRE(r);
  CHECK(r->status == 503);
  CHECK(Json::parse(r->body)["reason"] == "ServiceUnavailable");
  auto f = s.client->Get("/ksim/v1/faults");
  REQUIRE(f);
  CHECK(f->status == 503);
  // Other resources are unaffected.
  auto pods = s.client->Get("/api/v1/namespaces/default/pods/web-1");
  REQUIRE(pods);
  CHECK(pods->status == 200);
}

}  // namespace
}  // namespace ksim::apiserver
