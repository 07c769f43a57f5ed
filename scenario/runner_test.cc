#include "scenario/runner.h"

#include <catch2/catch.hpp>
#include <sstream>

#include "scenario/report.h"

namespace ksim::scenario {
namespace {

using base::Json;

// A network answering every request 200 after 2 ms, or timing out while a
// Loss fault is in effect; NodeDown faults reach the cluster's kubelets.
class FakeGateway : public apiserver::NetGateway {
 public:
  explicit FakeGateway(cluster::Cluster* c) : c_(c) {}
  void Exchange(apiserver::NetRequest request,
                std::function<void(apiserver::NetResponse)> done) override {
    ++requests;
    apiserver::NetResponse r;
    bool lossy = false;
    for (const auto& [id, f] : faults_) lossy |= f["kind"] == "Loss";
    auto delay = std::chrono::milliseconds(2);
    if (lossy) {
      r.curl_code = 28;
      r.error = "Operation timed out";
      delay = std::chrono::milliseconds(
          static_cast<int>(request.max_time_seconds * 1000));
    } else {
      r.status = 200;
      r.endpoint = "10.244.1.2:80";
    }
    c_->loop()->RunAfter(delay, [done, r] { done(r); });
  }
  base::StatusOr<Json> AddFault(const Json& spec) override {
    if (!spec.contains("kind")) return base::BadRequest("kind is required");
    Json f = spec;
    f["id"] = "fault-" + std::to_string(++next_);
    if (f["kind"] == "NodeDown") {
      KSIM_RETURN_IF_ERROR(c_->SetNodeDown(f["node"], true));
    }
    faults_[f["id"]] = f;
    return f;
  }
  base::StatusOr<Json> ListFaults() override { return Json::object(); }
  base::Status RemoveFault(const std::string& id) override {
    auto it = faults_.find(id);
    if (it == faults_.end()) return base::NotFound(id);
    if (it->second["kind"] == "NodeDown") {
      KSIM_RETURN_IF_ERROR(c_->SetNodeDown(it->second["node"], false));
    }
    faults_.erase(it);
    return base::Status::Ok();
  }
  std::string Metrics() override { return ""; }

  int requests = 0;

 private:
  cluster::Cluster* c_;
  std::map<std::string, Json> faults_;
  int next_ = 0;
};

constexpr char kScenario[] = R"(
name: runner-test
steps:
- apply:
  - apiVersion: apps/v1
    kind: Deployment
    metadata: {name: web}
    spec:
      replicas: 2
      selector: {matchLabels: {app: web}}
      template:
        metadata: {labels: {app: web}}
        spec: {containers: [{name: web, image: nginx}]}
  - apiVersion: v1
    kind: Service
    metadata: {name: web}
    spec: {selector: {app: web}, ports: [{port: 80}]}
- name: ready
  wait: {deploymentAvailable: web, endpoints: {service: web, count: 2}, timeout: 2m}
- name: traffic
  traffic: {name: t, url: "http://web/", rate: 10, duration: 10s, timeout: 1s}
- name: loss
  after: 4s
  fault: {kind: Loss, target: "node/k8s-node-1", probability: 1}
- after: 2s
  heal: loss
- run: 6s
- assert:
  - podsRunning: {selector: app=web, count: 2}
  - traffic: {name: t, minRequests: 100, maxFailures: 20, maxP50: 2ms}
  - traffic: {name: t, from: 0s, to: 4s, minSuccessRatio: 1}
  - elapsed: {from: traffic, to: loss, min: 4s, max: 4s}
  - count: {kind: Service, selector: "", count: 2}
  - jsonpath: {kind: Deployment, name: web, path: "{.status.readyReplicas}", equals: 3}
)";

struct Run {
  RunResult result;
  std::string trace;
  int requests = 0;
};

Run RunOnce(const Scenario& s, uint64_t seed) {
  cluster::ClusterOptions o;
  o.virtual_time = true;
  o.seed = seed;
  o.config = s.cluster;
  auto c = cluster::Cluster::Create(o);
  REQUIRE(c.ok());
  REQUIRE((*c)->Start().ok());
  FakeGateway gw(c->get());
  std::ostringstream trace;
  RunOptions ro;
  ro.seed = seed;
  ro.trace = &trace;
  ro.gateway = &gw;
  Run out;
  {
    Runner r(s, c->get(), ro);
    out.result = r.RunVirtual(nullptr);
  }
  out.trace = trace.str();
  out.requests = gw.requests;
  return out;
}

TEST_CASE("the runner plays steps, traffic and faults in virtual time",
          "[scenario][runner]") {
  auto s = ParseScenario(kScenario, "runner-test.yaml");
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  Run a = RunOnce(*s, 3);
  const RunResult& r = a.result;
  INFO(Verdict(*s, r));
  REQUIRE(r.checks.size() == 6);
  for (size_t i = 0; i + 1 < r.checks.size(); ++i) {
    INFO(r.checks[i].check->text << ": " << r.checks[i].observed);
    CHECK(r.checks[i].ok);
  }
  // The last assertion is wrong on purpose: 2 replicas, not 3.
  CHECK_FALSE(r.checks[5].ok);
  CHECK(r.checks[5].observed == "2");
  CHECK_FALSE(r.passed);
  CHECK(r.failure.find("assertion failed: line 34: jsonpath") == 0);
  CHECK(Verdict(*s, r).find("--seed 3") != std::string::npos);
  CHECK(a.requests == 100);
  REQUIRE(r.traffic.at("t").size() == 100);
  TrafficStats st = Summarize(r.traffic.at("t"));
  CHECK(st.failures == 20);  // 2 s of 10 requests/s lost
  // Every stored change is in the trace with its revision, in order.
  CHECK(a.trace.find("\"rev\":1,") != std::string::npos);
  CHECK(a.trace.find("\"event\":\"request\"") != std::string::npos);
  CHECK(a.trace.find("\"key\":\"/registry/deployments.apps/default/web\"") !=
        std::string::npos);
  Json summary = SummaryJson(*s, r);
  CHECK(summary["traffic"]["t"]["requests"] == 100);
  CHECK(summary["assertions"].size() == 6);
  std::string html = ReportHtml(*s, r);
  CHECK(html.find("<svg") != std::string::npos);
  CHECK(html.find("Pods by phase") != std::string::npos);
  CHECK(html.find("http") == html.find("http://www.w3.org"));  // no fetches

  Run b = RunOnce(*s, 3);
  CHECK(a.trace == b.trace);
  Run c = RunOnce(*s, 4);
  CHECK(a.trace != c.trace);
  CHECK(c.result.checks.size() == 6);
}

TEST_CASE("a wait that times out ends the run with the check and the time",
          "[scenario][runner]") {
  auto s = ParseScenario(R"(
steps:
- apply:
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec: {containers: [{name: c, image: nginx}]}
- wait: {podsRunning: {count: 2}, timeout: 30s}
- assert: {podsRunning: {count: 1}}
)",
                         "w.yaml");
  REQUIRE(s.ok());
  Run a = RunOnce(*s, 1);
  INFO(a.result.failure);
  CHECK_FALSE(a.result.passed);
  CHECK(a.result.failure_time == std::chrono::seconds(30));
  CHECK(a.result.failure.find("line 8: wait") == 0);
  CHECK(a.result.failure.find("timed out after 30s (line 8: podsRunning") !=
        std::string::npos);
  CHECK(a.result.failure.find("observed 1 pods") != std::string::npos);
  CHECK(a.result.checks.empty());  // the assert never ran
  CHECK_FALSE(a.result.steps[2].started);
}

TEST_CASE("virtual time passes through quiet stretches with no timer",
          "[scenario][runner]") {
  // Between the kubelets' 10 s heartbeats nothing is due for seconds at a
  // time; the run must still get to the step at 2m.
  auto s = ParseScenario(R"(
poll: 30s
sample: 30s
steps:
- at: 2m
  assert: {count: {kind: Node, count: 3}}
)",
                         "quiet.yaml");
  INFO(s.status().ToString());
  REQUIRE(s.ok());
  Run a = RunOnce(*s, 1);
  INFO(a.result.failure);
  CHECK(a.result.passed);
  CHECK(a.result.steps[0].started);
}

TEST_CASE("a step the API rejects fails the run", "[scenario][runner]") {
  auto s = ParseScenario(R"(
steps:
- apply:
    apiVersion: v1
    kind: Pod
    metadata: {name: p}
    spec: {containers: []}
)",
                         "bad.yaml");
  REQUIRE(s.ok());
  Run a = RunOnce(*s, 1);
  CHECK_FALSE(a.result.passed);
  CHECK(a.result.failure.find("pods/p: Invalid") != std::string::npos);
}

}  // namespace
}  // namespace ksim::scenario
