#include <httplib.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <filesystem>
#include <fstream>

#include "apiserver/server.h"
#include "cluster/cluster.h"
#include "scenario/replay.h"

namespace ksim::scenario {
namespace {

namespace fs = std::filesystem;

// Records a few writes against a cluster in real time, as `ksim up
// --record` does.
std::string RecordSession() {
  fs::path dir = fs::temp_directory_path() /
                 ("ksim-replay-" + std::to_string(::getpid()));
  fs::remove_all(dir);
  fs::create_directories(dir);
  apiserver::ServerOptions o;
  o.port = 0;
  o.data_dir = (dir / "data").string();
  o.seed = 42;
  o.record_file = (dir / "record.jsonl").string();
  cluster::ClusterOptions co;
  co.seed = 42;
  auto c = cluster::Cluster::Create(co);
  REQUIRE(c.ok());
  REQUIRE((*c)->Start().ok());
  auto server = apiserver::ApiServer::Serve(o, (*c)->control_plane(),
                                            (*c)->pod_logs(),
                                            (*c)->net_gateway());
  REQUIRE(server.ok());
  httplib::Client cli("127.0.0.1", (*server)->port());
  const char* json = "application/json";
  auto post = [&](const std::string& path, const std::string& body) {
    auto r = cli.Post(path.c_str(), body, json);
    REQUIRE(r);
    return r->status;
  };
  CHECK(post("/api/v1/namespaces/default/configmaps",
             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"},"data":{"k":"v"}})") == 201);
  CHECK(post("/api/v1/namespaces/default/configmaps",
             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"generateName":"gen-"}})") == 201);
  CHECK(post("/api/v1/namespaces/default/services",
             R"({"apiVersion":"v1","kind":"Service","metadata":{"name":"web"},"spec":{"selector":{"app":"web"},"ports":[{"port":80}]}})") == 201);
  CHECK(post("/api/v1/namespaces/default/pods",
             R"({"apiVersion":"v1","kind":"Pod","metadata":{"name":"p","labels":{"app":"web"}},"spec":{"containers":[{"name":"c","image":"nginx"}]}})") == 201);
  // A request the API rejects is recorded with its code too.
  CHECK(post("/api/v1/namespaces/default/configmaps",
             R"({"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"a"}})") == 409);
  auto patch = cli.Patch("/api/v1/namespaces/default/configmaps/a",
                         R"({"data":{"k":"w"}})",
                         "application/merge-patch+json");
  REQUIRE(patch);
  CHECK(patch->status == 200);
  auto del = cli.Delete("/api/v1/namespaces/default/services/web");
  REQUIRE(del);
  CHECK(del->status == 200);
  CHECK(cli.Get("/api/v1/namespaces/default/configmaps"));  // not recorded
  (*server)->Stop();
  c->reset();
  return o.record_file;
}

TEST_CASE("a recording replays to the same final state",
          "[scenario][replay]") {
  std::string file = RecordSession();
  std::ifstream in(file);
  std::vector<std::string> lines;
  for (std::string l; std::getline(in, l);) lines.push_back(l);
  REQUIRE(lines.size() == 9);  // header, 7 writes, final
  CHECK(lines[0].find("\"seed\":42") != std::string::npos);
  CHECK(lines[5].find("\"code\":409") != std::string::npos);
  CHECK(lines[8].find("\"final\"") == 1);

  auto r = Replay(file, ReplayOptions());
  INFO(r.status().ToString());
  REQUIRE(r.ok());
  CHECK(r->requests == 7);
  CHECK(r->code_mismatches.empty());
  INFO((r->differences.empty() ? "" : r->differences[0]));
  CHECK(r->same());
  CHECK(r->final_state.contains("/registry/configmaps/default/a"));
  CHECK(r->final_state["/registry/configmaps/default/a"]["data"]["k"] == "w");
  CHECK_FALSE(r->final_state.contains("/registry/services/default/web"));
  CHECK(r->final_state.contains("/registry/pods/default/p"));

  // Another seed names the generated ConfigMap differently.
  ReplayOptions other;
  other.seed = 43;
  auto o = Replay(file, other);
  REQUIRE(o.ok());
  CHECK_FALSE(o->same());
  CHECK(o->differences.size() == 2);  // one missing, one extra
}

TEST_CASE("states compare by key and content", "[scenario][replay]") {
  base::Json a = {{"k1", {{"spec", {{"replicas", 2}}}}}, {"k2", 1}};
  base::Json b = {{"k1", {{"spec", {{"replicas", 3}}}}}, {"k3", 1}};
  auto d = CompareStates(a, b, 10);
  REQUIRE(d.size() == 3);
  CHECK(d[0] == "k1: replace /spec/replicas");
  CHECK(d[1] == "missing k2");
  CHECK(d[2] == "extra k3");
}

}  // namespace
}  // namespace ksim::scenario
