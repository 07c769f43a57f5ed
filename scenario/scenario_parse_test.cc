#include <catch2/catch.hpp>

#include "scenario/jsonpath.h"
#include "scenario/scenario.h"

namespace ksim::scenario {
namespace {

using std::chrono::seconds;

std::string ErrorOf(const std::string& yaml) {
  auto s = ParseScenario(yaml, "t.yaml");
  REQUIRE_FALSE(s.ok());
  return s.status().message();
}

TEST_CASE("a scenario parses into timed steps", "[scenario][parse]") {
  auto s = ParseScenario(R"(
name: demo
seed: 7
poll: 500ms
cluster:
  nodes:
  - namePrefix: w-
    count: 3
steps:
- apply:
    apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec: {replicas: 2}
- name: up
  wait: {deploymentAvailable: web, timeout: 2m}
- at: 90s
  scale: {name: web, replicas: 3}
- after: 5s
  patch: {kind: deploy, name: web, type: merge, patch: {spec: {paused: true}}}
- name: down
  nodeDown: w-1
- traffic: {name: t, url: "http://web:80/", rate: 10, duration: 30s}
- run: 1m
- assert:
  - podsRunning: {selector: app=web, count: 3}
  - endpoints: {service: web, min: 1}
  - jsonpath: {kind: Deployment, name: web, path: "{.spec.replicas}", equals: 3}
  - traffic: {name: t, minSuccessRatio: 0.99, maxP99: 100ms}
  - elapsed: {from: down, to: up, max: 5m}
)",
                         "demo.yaml");
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  CHECK(s->name == "demo");
  CHECK(s->seed == 7);
  CHECK(s->poll == std::chrono::milliseconds(500));
  CHECK(s->cluster.nodes.size() == 3);
  REQUIRE(s->steps.size() == 8);
  CHECK(s->steps[0].kind == Step::Kind::kApply);
  CHECK(s->steps[0].manifests[0]["spec"]["replicas"] == 2);
  CHECK(s->steps[1].timeout == seconds(120));
  CHECK(s->steps[1].checks[0].kind == Check::Kind::kDeploymentAvailable);
  CHECK(s->steps[1].line == 15);
  CHECK(*s->steps[2].at == seconds(90));
  CHECK(s->steps[2].target.resource.resource == "deployments");
  CHECK(s->steps[3].after == seconds(5));
  CHECK(s->steps[3].patch_type == client::PatchType::kMerge);
  CHECK(s->steps[4].node == "w-1");
  CHECK(s->steps[5].traffic.rate == 10);
  CHECK(s->steps[6].run == seconds(60));
  const auto& checks = s->steps[7].checks;
  REQUIRE(checks.size() == 5);
  CHECK(checks[0].phase == "Running");
  CHECK(*checks[0].ready);
  CHECK(checks[0].bound.Holds(3));
  CHECK_FALSE(checks[0].bound.Holds(2));
  CHECK(checks[1].bound.Holds(5));
  CHECK(checks[2].bound.equals == 3.0);
  CHECK(*checks[3].max_p99 == std::chrono::milliseconds(100));
  CHECK(*checks[4].max_elapsed == seconds(300));
}

TEST_CASE("malformed scenarios name the line", "[scenario][parse]") {
  CHECK(ErrorOf("steps:\n- apply: {kind: Nope, apiVersion: v1, "
                "metadata: {name: x}}\n") ==
        "t.yaml:2:17: ksim does not serve kind \"Nope\" in v1");
  CHECK(ErrorOf("steps:\n- wait: {podsRunning: {count: 2}, timeuot: 1s}\n")
            .find("t.yaml:2:35: unknown check \"timeuot\"") == 0);
  CHECK(ErrorOf("steps:\n- run: 10 parsecs\n")
            .find("t.yaml:2:8: run must be a duration") == 0);
  CHECK(ErrorOf("steps:\n- run: 1s\n  scale: {name: a, replicas: 1}\n")
            .find("t.yaml:3:3: a step has one action") == 0);
  CHECK(ErrorOf("steps: [\n") .find("t.yaml:") == 0);
  CHECK(ErrorOf("steps:\n- heal: nothing\n") ==
        "t.yaml:2: heal names no earlier fault or nodeDown step \"nothing\"");
  CHECK(ErrorOf("stpes: []\n").find("t.yaml:1:1: unknown field \"stpes\"") ==
        0);
  CHECK(ErrorOf("steps:\n- wait: {traffic: {name: x}}\n")
            .find("is an assertion, not a wait") != std::string::npos);
  CHECK(ErrorOf("cluster: {nodes: [{name: a, pods: -1}]}\nsteps: [{run: 1s}]\n")
            .find("t.yaml:1:10: cluster config:") == 0);
}

TEST_CASE("jsonpath selects as kubectl does", "[scenario][jsonpath]") {
  base::Json pod = base::Json::parse(R"({"spec":{"containers":[
    {"name":"a","image":"nginx"},{"name":"b","image":"redis"}]},
    "status":{"conditions":[{"type":"Ready","status":"True"},
    {"type":"PodScheduled","status":"True"}],"phase":"Running"},
    "metadata":{"labels":{"app.kubernetes.io/name":"x"}}})");
  CHECK(*JsonPathText(pod, "{.status.phase}") == "Running");
  CHECK(*JsonPathText(pod, ".spec.containers[1].image") == "redis");
  CHECK(*JsonPathText(pod, ".spec.containers[-1].name") == "b");
  CHECK(*JsonPathText(pod, "{.spec.containers[*].name}") == "a b");
  CHECK(*JsonPathText(pod,
                      "{.status.conditions[?(@.type==\"Ready\")].status}") ==
        "True");
  CHECK(*JsonPathText(pod, ".metadata.labels['app.kubernetes.io/name']") ==
        "x");
  CHECK(*JsonPathText(pod, ".status.missing") == "");
  CHECK(*JsonPathText(pod, ".spec.containers[0]") ==
        R"({"image":"nginx","name":"a"})");
  CHECK_FALSE(JsonPathText(pod, ".spec..x").ok());
  CHECK_FALSE(JsonPathText(pod, "spec").ok());
}

TEST_CASE("durations print as Go prints them", "[scenario][parse]") {
  CHECK(FormatDuration(seconds(90)) == "1m30s");
  CHECK(FormatDuration(std::chrono::milliseconds(1500)) == "1.5s");
  CHECK(FormatDuration(std::chrono::milliseconds(250)) == "250ms");
  CHECK(FormatDuration(seconds(3600 + 5)) == "1h0m5s");
  CHECK(FormatDuration(base::Duration(0)) == "0s");
}

}  // namespace
}  // namespace ksim::scenario
