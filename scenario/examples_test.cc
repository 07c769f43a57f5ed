// The examples that ship in scenarios/: each passes with its seed, gives a
// byte-identical trace when run again with that seed, and passes with
// another seed with a different trace (a different but valid history).
#include <catch2/catch.hpp>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/report.h"
#include "scenario/runner.h"

namespace ksim::scenario {
namespace {

namespace fs = std::filesystem;

std::string ExamplePath(const std::string& name) {
  return (fs::path(__FILE__).parent_path().parent_path() / "scenarios" / name)
      .string();
}

struct Played {
  RunResult result;
  std::string trace;
};

Played Play(const Scenario& s, uint64_t seed) {
  cluster::ClusterOptions o;
  o.virtual_time = true;
  o.seed = seed;
  o.config = s.cluster;
  auto c = cluster::Cluster::Create(o);
  REQUIRE(c.ok());
  REQUIRE((*c)->Start().ok());
  std::ostringstream trace;
  RunOptions ro;
  ro.seed = seed;
  ro.trace = &trace;
  Played p;
  {
    Runner r(s, c->get(), ro);
    p.result = r.RunVirtual(nullptr);
  }
  p.trace = trace.str();
  return p;
}

void CheckExample(const std::string& file) {
  auto s = LoadScenario(ExamplePath(file));
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  Played a = Play(*s, s->seed);
  // KSIM_SCENARIO_TRACE=FILE keeps the first run's trace for a look.
  if (const char* keep = std::getenv("KSIM_SCENARIO_TRACE")) {
    std::ofstream(keep, std::ios::binary) << a.trace;
  }
  INFO(Verdict(*s, a.result));
  REQUIRE(a.result.passed);
  Played b = Play(*s, s->seed);
  CHECK(a.trace.size() == b.trace.size());
  CHECK(a.trace == b.trace);
  Played other = Play(*s, s->seed + 1);
  INFO("with seed " << s->seed + 1 << ": " << Verdict(*s, other.result));
  CHECK(other.result.passed);
  CHECK(other.trace != a.trace);
}

TEST_CASE("scenarios/seed.yaml", "[scenario][examples]") {
  CheckExample("seed.yaml");
}
TEST_CASE("scenarios/node-failure.yaml", "[scenario][examples]") {
  CheckExample("node-failure.yaml");
}
TEST_CASE("scenarios/rolling-update.yaml", "[scenario][examples]") {
  CheckExample("rolling-update.yaml");
}
TEST_CASE("scenarios/crashloop.yaml", "[scenario][examples]") {
  CheckExample("crashloop.yaml");
}
// scale-50.yaml (40 s of wall time) runs once, through the ksim binary
// (tests/CMakeLists.txt); scale-5k from bench/.
TEST_CASE("scenarios/scale-5k.yaml parses", "[scenario][examples]") {
  auto s = LoadScenario(ExamplePath("scale-5k.yaml"));
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  CHECK(s->cluster.nodes.size() == 5001);
  CHECK(s->steps[1].manifests.size() == 20000);
  CHECK(s->steps[1].manifests[19999]["metadata"]["name"] == "svc-9999");
}

}  // namespace
}  // namespace ksim::scenario
