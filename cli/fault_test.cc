// ksim fault's specs and table, and the ksim API client: server discovery
// from kubeconfigs and calls against a server with a fake network.
#include "cli/fault.h"

#include <catch2/catch.hpp>
#include <fstream>

#include "apiserver/http_net_test_util.h"
#include "apiserver/net_json.h"
#include "base/testing/temp_dir.h"
#include "cli/api_client.h"

namespace ksim::cli {
namespace {

using base::Json;

TEST_CASE("fault add words become the gateway's fault specs", "[fault]") {
  CHECK(*BuildFaultSpec({"node-down", "k8s-node-1"}, "default") ==
        Json{{"kind", "NodeDown"}, {"node", "k8s-node-1"}});
  CHECK(*BuildFaultSpec({"partition", "--group", "k8s-node-1", "--group",
                         "k8s-node-2,k8s-master"},
                        "default") ==
        Json{{"kind", "Partition"},
             {"groups", {{"k8s-node-1"}, {"k8s-node-2", "k8s-master"}}}});
  CHECK(*BuildFaultSpec(
            {"latency", "node/k8s-node-1", "100ms", "--jitter", "10ms"},
            "default") == Json{{"kind", "Latency"},
                               {"target", "node/k8s-node-1"},
                               {"latency", "100ms"},
                               {"jitter", "10ms"}});
  CHECK(*BuildFaultSpec({"loss", "pod/web-1", "0.1"}, "shop") ==
        Json{{"kind", "Loss"},
             {"target", "pod/shop/web-1"},
             {"probability", 0.1}});
  CHECK(!BuildFaultSpec({"loss", "pod/web-1", "1.5"}, "d").ok());
  CHECK(!BuildFaultSpec({"latency", "node/a", "fast"}, "d").ok());
  CHECK(!BuildFaultSpec({"latency", "web-1", "1s"}, "d").ok());
  CHECK(!BuildFaultSpec({"partition", "--group", "a"}, "d").ok());
  CHECK(!BuildFaultSpec({"meteor"}, "d").ok());
  CHECK(!BuildFaultSpec({}, "d").ok());
}

TEST_CASE("fault list prints a table", "[fault]") {
  CHECK(FormatFaultTable(Json{{"items", Json::array()}}) == "No faults.\n");
  Json list = {{"items",
                {{{"id", "fault-1"}, {"kind", "NodeDown"}, {"node", "n1"}},
                 {{"id", "fault-2"},
                  {"kind", "Latency"},
                  {"target", "pod/default/web-1"},
                  {"latency", "100ms"},
                  {"jitter", "10ms"}},
                 {{"id", "fault-3"},
                  {"kind", "Partition"},
                  {"groups", {{"a"}, {"b", "c"}}}}}}};
  CHECK(FormatFaultTable(list) ==
        "ID        KIND        TARGET              EFFECT\n"
        "fault-1   NodeDown    node/n1             unreachable\n"
        "fault-2   Latency     pod/default/web-1   +100ms ±10ms\n"
        "fault-3   Partition                       a | b,c\n");
}

TEST_CASE("the server comes from the kubeconfig's current context",
          "[api_client]") {
  std::string a =
      "apiVersion: v1\nkind: Config\ncurrent-context: ksim\n"
      "contexts:\n- name: ksim\n  context: {cluster: ksim, user: ksim}\n"
      "- name: other\n  context: {cluster: far}\n"
      "clusters:\n- name: ksim\n  cluster: {server: 'http://127.0.0.1:6443'}\n";
  std::string b =
      "clusters:\n- name: far\n  cluster: {server: "
      "'http://10.0.0.1:6443'}\ncurrent-context: other\n";
  CHECK(*ServerFromKubeconfigs({a, b}, "") == "http://127.0.0.1:6443");
  CHECK(*ServerFromKubeconfigs({b, a}, "") == "http://10.0.0.1:6443");
  CHECK(*ServerFromKubeconfigs({a, b}, "other") == "http://10.0.0.1:6443");
  CHECK(ServerFromKubeconfigs({a}, "nope").status().message() ==
        "context \"nope\" does not exist");
  CHECK(!ServerFromKubeconfigs({}, "").ok());

  testing::TempDir dir;
  std::ofstream(dir.File("config")) << a;
  std::ofstream(dir.File("second")) << b;
  std::string missing = dir.File("missing");
  CHECK(*ResolveServer(
            {}, missing + ":" + dir.File("second") + ":" + dir.File("config"),
            "/nonexistent") == "http://10.0.0.1:6443");
  ClusterFlags explicit_file;
  explicit_file.kubeconfig = dir.File("config");
  CHECK(*ResolveServer(explicit_file, "", "") == "http://127.0.0.1:6443");
  ClusterFlags server;
  server.server = "127.0.0.1:7000/";
  CHECK(*ResolveServer(server, "", "") == "http://127.0.0.1:7000");
}

TEST_CASE("the ksim API client calls exchange and faults", "[api_client]") {
  apiserver::testing::FakeGateway net;
  apiserver::testing::NetServer s(&net);
  ApiClient api("http://127.0.0.1:" + std::to_string(s.server->port()));
  apiserver::NetRequest q;
  q.url = "http://10.1.0.5:8080/";
  Json body = apiserver::NetRequestToJson(q);
  auto answer = api.Call("POST", "/ksim/v1/exchange", &body, 10);
  REQUIRE(answer.ok());
  CHECK((*answer)["body"] == "ECHO GET http://10.1.0.5:8080/\n");
  Json spec = *BuildFaultSpec({"node-down", "k8s-node-1"}, "default");
  auto added = api.Call("POST", "/ksim/v1/faults", &spec, 10);
  REQUIRE(added.ok());
  CHECK((*added)["id"] == "fault-1");
  auto gone = api.Call("DELETE", "/ksim/v1/faults/fault-9", nullptr, 10);
  CHECK(gone.status().code() == base::Code::kNotFound);
  CHECK(gone.status().message() == "fault \"fault-9\" not found");
  ApiClient nowhere("http://127.0.0.1:1");
  CHECK(nowhere.Call("GET", "/ksim/v1/faults", nullptr, 5).status().code() ==
        base::Code::kServiceUnavailable);
}

}  // namespace
}  // namespace ksim::cli
