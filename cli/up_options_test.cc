#include "cli/up_options.h"

#include <catch2/catch.hpp>

namespace ksim::cli {
namespace {

TEST_CASE("up options: defaults", "[cli]") {
  auto o = ParseUpOptions({});
  REQUIRE(o.ok());
  CHECK(o->server.port == 6443);
  CHECK(o->server.address == "127.0.0.1");
  CHECK(o->server.data_dir == ".ksim");
  CHECK(o->server.kube_version == "1.32");
  CHECK(o->server.seed == 1);
  CHECK(o->server.verbosity == 0);
  CHECK(o->kubeconfig.empty());
  CHECK_FALSE(o->help);
}

TEST_CASE("up options: every flag reaches the server options", "[cli]") {
  auto o = ParseUpOptions({"--port=0", "--address", "0.0.0.0", "--data",
                           "/tmp/d", "--kubeconfig=/tmp/k", "--kube-version",
                           "1.27", "--seed", "99", "-v", "2"});
  REQUIRE(o.ok());
  CHECK(o->server.port == 0);
  CHECK(o->server.address == "0.0.0.0");
  CHECK(o->server.data_dir == "/tmp/d");
  CHECK(o->kubeconfig == "/tmp/k");
  CHECK(o->server.kube_version == "1.27");
  CHECK(o->server.seed == 99);
  CHECK(o->server.verbosity == 2);
  auto v = ParseUpOptions({"--v=5"});
  REQUIRE(v.ok());
  CHECK(v->server.verbosity == 5);
}

TEST_CASE("up options: bad input is rejected with the flag named", "[cli]") {
  CHECK(ParseUpOptions({"--bogus"}).status().message() ==
        "unknown flag: --bogus");
  CHECK(ParseUpOptions({"--port=70000"}).status().message() ==
        "invalid argument \"70000\" for \"--port\" flag: must be 0 to 65535");
  CHECK(ParseUpOptions({"--port=-1"}).status().code() ==
        base::Code::kBadRequest);
  CHECK(ParseUpOptions({"--kube-version=v1.32"}).status().message() ==
        "invalid argument \"v1.32\" for \"--kube-version\" flag: want "
        "MAJOR.MINOR, e.g. 1.32");
  CHECK(ParseUpOptions({"now"}).status().message() ==
        "unexpected argument \"now\": ksim up takes only flags");
  CHECK_FALSE(ParseUpOptions({"--data="}).ok());
  CHECK(ParseUpOptions({"--compaction-interval=0"}).status().message() ==
        "invalid argument \"0\" for \"--compaction-interval\" flag: must be "
        "at least 1");
}

TEST_CASE("up options: --compaction-interval", "[cli]") {
  CHECK(ParseUpOptions({})->server.compaction_interval_seconds == 300);
  auto o = ParseUpOptions({"--compaction-interval", "5"});
  REQUIRE(o.ok());
  CHECK(o->server.compaction_interval_seconds == 5);
}

TEST_CASE("up options: --help skips the other checks", "[cli]") {
  auto o = ParseUpOptions({"--port=70000", "--help"});
  REQUIRE(o.ok());
  CHECK(o->help);
  std::string usage = UpUsage();
  for (const char* flag : {"--port int", "--address string", "--data string",
                           "--kubeconfig string", "--kube-version string",
                           "--seed uint", "-v, --v int", "--help"}) {
    INFO(flag);
    CHECK(usage.find(flag) != std::string::npos);
  }
  CHECK(usage.find("(default \".ksim\")") != std::string::npos);
}

TEST_CASE("up options: server URL for the kubeconfig", "[cli]") {
  CHECK(ServerUrl("127.0.0.1", 6443) == "http://127.0.0.1:6443");
  CHECK(ServerUrl("0.0.0.0", 80) == "http://127.0.0.1:80");
  CHECK(ServerUrl("::", 1) == "http://[::1]:1");
  CHECK(ServerUrl("::1", 1) == "http://[::1]:1");
  CHECK(ServerUrl("localhost", 2) == "http://localhost:2");
}

}  // namespace
}  // namespace ksim::cli
