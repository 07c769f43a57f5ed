// The ksim API (/ksim/v1) and /metrics against a fake network, and the
// NetRequest/NetResponse wire form.
#include <catch2/catch.hpp>
#include <atomic>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/http_net.h"
#include "apiserver/http_net_test_util.h"
#include "apiserver/net_json.h"

namespace ksim::apiserver {
namespace {

using base::Json;
using testing::FakeGateway;
using testing::NetServer;

TEST_CASE("NetRequest and NetResponse round-trip through JSON",
          "[ksim_api][http_net]") {
  NetRequest r;
  r.source = "pod/default/web-1";
  r.url = "http://webapp:8080/";
  r.method = "POST";
  r.headers = {{"Accept", "*/*"}, {"X-A", "1"}};
  r.body = std::string("\xff\x00\x01", 3);
  r.max_time_seconds = 2.5;
  auto back = NetRequestFromJson(NetRequestToJson(r));
  REQUIRE(back.ok());
  CHECK(back->source == r.source);
  CHECK(back->url == r.url);
  CHECK(back->method == "POST");
  CHECK(back->headers == r.headers);
  CHECK(back->body == r.body);
  CHECK(NetRequestToJson(r).contains("bodyBase64"));
  CHECK(back->max_time_seconds == 2.5);
  CHECK(back->connect_timeout_seconds == 0);

  NetResponse a = FakeGateway::Echo(r);
  a.endpoint = "10.244.1.5:8080";
  auto b = NetResponseFromJson(NetResponseToJson(a));
  REQUIRE(b.ok());
  CHECK(b->status == 200);
  CHECK(b->reason == "OK");
  CHECK(b->body == a.body);
  CHECK(b->headers == a.headers);
  CHECK(b->endpoint == a.endpoint);
  CHECK(b->remote_ip == "10.96.0.10");

  CHECK(!NetRequestFromJson(Json{{"method", "GET"}}).ok());
  CHECK(NetRequestFromJson(Json{{"url", 3}}).status().message() ==
        "invalid url: expected a string");
  CHECK(!NetRequestFromJson(Json{{"url", "x"}, {"headers", {1}}}).ok());
  auto objects = NetRequestFromJson(
      Json{{"url", "x"}, {"headers", {{{"name", "A"}, {"value", "b"}}}}});
  REQUIRE(objects.ok());
  CHECK(objects->headers.front().first == "A");
  CHECK(objects->method == "GET");
}

TEST_CASE("POST /ksim/v1/exchange goes through the gateway",
          "[ksim_api][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  Json req = {{"url", "http://10.1.183.185:8080/"},
              {"source", "node/k8s-node-1"},
              {"headers", {{"User-Agent", "curl/7.88.1"}}},
              {"maxTimeSeconds", 3}};
  auto r = s.client->Post("/ksim/v1/exchange", req.dump(), "application/json");
  REQUIRE(r);
  INFO(r->body);
  REQUIRE(r->status == 200);
  Json got = Json::parse(r->body);
  CHECK(got["curlCode"] == 0);
  CHECK(got["status"] == 200);
  CHECK(got["body"] == "ECHO GET http://10.1.183.185:8080/\n");
  auto seen = net.seen();
  REQUIRE(seen.size() == 1);
  CHECK(seen[0].source == "node/k8s-node-1");
  CHECK(seen[0].max_time_seconds == 3);
  CHECK(seen[0].headers.size() == 1);

  auto bad = s.client->Post("/ksim/v1/exchange", "{", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  CHECK(Json::parse(bad->body)["reason"] == "BadRequest");
  auto no_url = s.client->Post("/ksim/v1/exchange", "{}", "application/json");
  REQUIRE(no_url);
  CHECK(no_url->status == 400);
  CHECK(Json::parse(no_url->body)["message"] == "url: Required value");
  auto get = s.client->Get("/ksim/v1/exchange");
  REQUIRE(get);
  CHECK(get->status == 405);
  auto unknown = s.client->Get("/ksim/v1/nothing");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto index = s.client->Get("/ksim/v1");
  REQUIRE(index);
  CHECK(Json::parse(index->body)["paths"].size() == 5);
}

TEST_CASE("exchange gives up when the network never answers",
          "[ksim_api][http_net]") {
  class Silent : public FakeGateway {
   public:
    void Exchange(NetRequest, std::function<void(NetResponse)>) override {}
  } net;
  NetRequest r;
  r.url = "http://10.0.0.1/";
  r.max_time_seconds = 0.01;
  auto start = std::chrono::steady_clock::now();
  auto answer = ExchangeAndWait(&net, r);
  CHECK(answer.status().code() == base::Code::kTimeout);
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
  CHECK(ExchangeAndWait(nullptr, r).status().code() ==
        base::Code::kServiceUnavailable);
  // A server that stops does not wait for the network's answer.
  std::atomic<bool> stopping{false};
  r.max_time_seconds = 600;
  std::thread stopper([&] {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));
    stopping = true;
  });
  start = std::chrono::steady_clock::now();
  auto stopped = ExchangeAndWait(&net, r, &stopping);
  stopper.join();
  CHECK(stopped.status().code() == base::Code::kServiceUnavailable);
  CHECK(stopped.status().message() == "the server is shutting down");
  CHECK(std::chrono::steady_clock::now() - start < std::chrono::seconds(30));
}

TEST_CASE("faults are added, listed and lifted over HTTP",
          "[ksim_api][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  auto& c = *s.client;
  auto added =
      c.Post("/ksim/v1/faults", R"({"kind":"NodeDown","node":"k8s-node-1"})",
             "application/json");
  REQUIRE(added);
  CHECK(added->status == 201);
  CHECK(Json::parse(added->body)["id"] == "fault-1");
  auto list = c.Get("/ksim/v1/faults");
  REQUIRE(list);
  CHECK(Json::parse(list->body)["items"].size() == 1);
  auto one = c.Get("/ksim/v1/faults/fault-1");
  REQUIRE(one);
  CHECK(Json::parse(one->body)["node"] == "k8s-node-1");
  auto bad = c.Post("/ksim/v1/faults", "{}", "application/json");
  REQUIRE(bad);
  CHECK(bad->status == 400);
  auto unknown =
      c.Post("/ksim/v1/faults", R"({"kind":"NodeDown","node":"no-such-node"})",
             "application/json");
  REQUIRE(unknown);
  CHECK(unknown->status == 404);
  auto rm = c.Delete("/ksim/v1/faults/fault-1");
  REQUIRE(rm);
  CHECK(rm->status == 200);
  CHECK(Json::parse(rm->body)["status"] == "Success");
  auto again = c.Delete("/ksim/v1/faults/fault-1");
  REQUIRE(again);
  CHECK(again->status == 404);
  CHECK(Json::parse(again->body)["message"] == "fault \"fault-1\" not found");
}

TEST_CASE("/metrics counts requests as kube-apiserver labels them",
          "[metrics][http_net]") {
  FakeGateway net;
  NetServer s(&net);
  auto& c = *s.client;
  for (int i = 0; i < 3; ++i) {
    REQUIRE(c.Get("/api/v1/namespaces/default/pods"));
  }
  REQUIRE(c.Get("/api/v1/namespaces/default/pods/ghost"));
  REQUIRE(c.Get("/apis/apps/v1/deployments"));
  REQUIRE(c.Get("/readyz"));
  REQUIRE(c.Get("/api/v1/namespaces/default/services/x/proxy/"));
  auto m = c.Get("/metrics");
  REQUIRE(m);
  CHECK(m->status == 200);
  CHECK(m->get_header_value("Content-Type") ==
        "text/plain; version=0.0.4; charset=utf-8");
  const std::string& t = m->body;
  INFO(t);
  CHECK(t.find("# TYPE apiserver_request_total counter\n") !=
        std::string::npos);
  auto has = [&](const std::string& line) {
    return t.find(line + "\n") != std::string::npos;
  };
  CHECK(
      has("apiserver_request_total{code=\"200\",component=\"apiserver\","
          "dry_run=\"\",group=\"\",resource=\"pods\",scope=\"namespace\","
          "subresource=\"\",verb=\"LIST\",version=\"v1\"} 3"));
  CHECK(
      has("apiserver_request_total{code=\"404\",component=\"apiserver\","
          "dry_run=\"\",group=\"\",resource=\"pods\",scope=\"resource\","
          "subresource=\"\",verb=\"GET\",version=\"v1\"} 1"));
  CHECK(
      has("apiserver_request_total{code=\"200\",component=\"apiserver\","
          "dry_run=\"\",group=\"apps\",resource=\"deployments\","
          "scope=\"cluster\",subresource=\"\",verb=\"LIST\","
          "version=\"v1\"} 1"));
  CHECK(
      has("apiserver_request_total{code=\"200\",component=\"\","
          "dry_run=\"\",group=\"\",resource=\"\",scope=\"\","
          "subresource=\"/readyz\",verb=\"GET\",version=\"\"} 1"));
  CHECK(
      has("apiserver_request_total{code=\"404\",component=\"apiserver\","
          "dry_run=\"\",group=\"\",resource=\"services\","
          "scope=\"resource\",subresource=\"proxy\",verb=\"CONNECT\","
          "version=\"v1\"} 1"));
  CHECK(has("netsim_requests_total{service=\"default/webapp\"} 7"));
}

TEST_CASE("request counters are exact under concurrent counting",
          "[metrics][http_net]") {
  auto counters = std::make_unique<RequestCounters>();
  httplib::Request get;
  get.method = "GET";
  get.path = "/api/v1/namespaces/default/pods/web-1";
  httplib::Request watch = get;
  watch.path = "/api/v1/pods";
  watch.params.emplace("watch", "true");
  std::vector<std::thread> threads;
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&] {
      for (int i = 0; i < 20000; ++i) {
        counters->Count(get, 200);
        counters->Count(watch, 200);
        counters->Count(get, 404);
      }
    });
  }
  for (auto& t : threads) t.join();
  std::string text = counters->Render();
  INFO(text);
  CHECK(text.find("scope=\"resource\",subresource=\"\",verb=\"GET\","
                  "version=\"v1\"} 80000\n") != std::string::npos);
  CHECK(text.find("scope=\"cluster\",subresource=\"\",verb=\"WATCH\","
                  "version=\"v1\"} 80000\n") != std::string::npos);
  CHECK(text.find("code=\"404\"") != std::string::npos);
}

}  // namespace
}  // namespace ksim::apiserver
