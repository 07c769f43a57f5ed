#include "netsim/faults.h"

#include <catch2/catch.hpp>

namespace ksim::netsim {
namespace {

FaultValidator Known() {
  FaultValidator v;
  v.node_exists = [](const std::string& n) { return n.rfind("node-", 0) == 0; };
  v.pod_exists = [](const std::string& p) { return p == "default/web"; };
  return v;
}

Fault Parse(const char* json) {
  auto f = ParseFault(base::Json::parse(json), Known());
  INFO(json << " " << f.status().ToString());
  REQUIRE(f.ok());
  return *f;
}

TEST_CASE("fault specs parse and validate", "[netsim]") {
  auto bad = [](const char* json) {
    return ParseFault(base::Json::parse(json), Known()).status().code();
  };
  CHECK(bad(R"({"kind":"Nope"})") == base::Code::kBadRequest);
  CHECK(bad(R"({"kind":"NodeDown"})") == base::Code::kBadRequest);
  CHECK(bad(R"({"kind":"NodeDown","node":"ghost"})") == base::Code::kNotFound);
  CHECK(bad(R"({"kind":"Partition","groups":[["node-1"]]})") ==
        base::Code::kBadRequest);
  CHECK(bad(R"({"kind":"Partition","groups":[["node-1"],["node-1"]]})") ==
        base::Code::kBadRequest);
  CHECK(bad(R"({"kind":"Latency","target":"node/node-1"})") ==
        base::Code::kBadRequest);
  CHECK(bad(R"({"kind":"Latency","target":"pod/default/x","latency":"1s"})") ==
        base::Code::kNotFound);
  CHECK(bad(R"({"kind":"Loss","target":"node/node-1","probability":2})") ==
        base::Code::kBadRequest);
  Fault l = Parse(
      R"({"kind":"Latency","target":"pod/web","latency":"100ms","jitter":"10ms"})");
  CHECK(l.target_is_pod);
  CHECK(l.target == "default/web");
  CHECK(l.latency == std::chrono::milliseconds(100));
}

TEST_CASE("faults answer the data path's questions", "[netsim]") {
  Faults f;
  base::Rng rng(1);
  FaultHost a{"node-1", ""}, b{"node-2", "default/web"}, c{"node-3", ""};
  CHECK(f.empty());
  base::Json p = f.Add(Parse(
      R"({"kind":"Partition","groups":[["node-1"],["node-2"]]})"));
  CHECK(p["id"] == "fault-1");
  CHECK(f.Partitioned("node-1", "node-2"));
  CHECK(f.Partitioned("node-2", "node-1"));
  CHECK_FALSE(f.Partitioned("node-1", "node-3"));  // in no group
  CHECK_FALSE(f.Partitioned("node-1", "node-1"));
  f.Add(Parse(R"({"kind":"Latency","target":"node/node-3","latency":"50ms"})"));
  CHECK(f.Delay(a, c, &rng) == std::chrono::milliseconds(50));
  CHECK(f.Delay(a, b, &rng) == base::Duration(0));
  FaultHost c2{"node-3", "default/other"};
  CHECK(f.Delay(c, c2, &rng) == base::Duration(0));  // never leaves the node
  f.Add(Parse(R"({"kind":"Loss","target":"pod/web","probability":0.5})"));
  f.Add(Parse(R"({"kind":"Loss","target":"node/node-1","probability":0.5})"));
  CHECK(f.Loss(a, b) == Approx(0.75));
  CHECK(f.Loss(c, b) == Approx(0.5));
  CHECK(f.List()["items"].size() == 4);
  CHECK(f.Remove("fault-9").status().code() == base::Code::kNotFound);
  REQUIRE(f.Remove("fault-1").ok());
  CHECK_FALSE(f.Partitioned("node-1", "node-2"));
  CHECK(f.List()["items"][0]["id"] == "fault-2");
  f.Add(Parse(R"({"kind":"NodeDown","node":"node-2"})"));
  CHECK(f.NodeHeldDown("node-2"));
}

}  // namespace
}  // namespace ksim::netsim
