// Behaviours from the image table and annotations: the liveness example
// image, startup probes, crash-after, ready-flap, tomcat's log.
#include "kubelet-sim/kubelet_test_util.h"

namespace ksim::kubelet {
namespace {

using namespace testing;  // NOLINT

TEST_CASE("scenario: registry.k8s.io/liveness fails /healthz after 10s",
          "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec("liveness-http",
                   Json::array({Container(
                       "liveness", "registry.k8s.io/liveness",
                       {{"args", {"/server"}},
                        {"livenessProbe",
                         {{"httpGet", {{"path", "/healthz"}, {"port", 8080}}},
                          {"initialDelaySeconds", 3},
                          {"periodSeconds", 3}}}})})));
  f.RunFor(seconds(40));
  CHECK(
      f.HasEvent("Unhealthy: Liveness probe failed: HTTP probe failed with "
                 "statuscode: 500"));
  CHECK(
      f.HasEvent("Killing: Container liveness failed liveness probe, will "
                 "be restarted"));
  CHECK(f.ContainerStatus("liveness-http")["restartCount"].get<int>() >= 1);
}

TEST_CASE("scenario: a startup probe holds readiness back", "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec("slow", Json::array({Container(
                               "c", "nginx",
                               {{"startupProbe",
                                 {{"httpGet", {{"path", "/"}, {"port", 80}}},
                                  {"periodSeconds", 10}}}})})));
  f.RunFor(seconds(3));  // started at 3.5 s
  CHECK(f.ContainerStatus("slow")["started"] == false);
  f.RunFor(seconds(1));  // the first probe runs at the start
  CHECK(f.ContainerStatus("slow")["started"] == true);
  CHECK(f.ContainerStatus("slow")["ready"] == true);
}

TEST_CASE("scenario: ksim.io/crash-after and exit-code", "[kubelet]") {
  Fixture f;
  Json pod = PodSpec("flaky", Json::array({Container("c", "nginx")}));
  pod["metadata"]["annotations"]["ksim.io/crash-after"] = "20s";
  pod["metadata"]["annotations"]["ksim.io/exit-code"] = "2";
  f.AddPod(pod);
  f.RunFor(seconds(25));  // started 3.5 s, crashed 23.5 s, restarted
  Json cs = f.ContainerStatus("flaky");
  CHECK(cs["restartCount"] == 1);
  CHECK(cs["lastState"]["terminated"]["exitCode"] == 2);
  CHECK(cs["lastState"]["terminated"]["reason"] == "Error");
}

TEST_CASE("scenario: ksim.io/ready-flap toggles readiness", "[kubelet]") {
  Fixture f;
  Json pod = PodSpec("flap", Json::array({Container("c", "nginx")}));
  pod["metadata"]["annotations"]["ksim.io/ready-flap"] = "10s";
  f.AddPod(pod);
  f.RunFor(seconds(5));
  CHECK(f.ContainerStatus("flap")["ready"] == true);
  f.RunFor(seconds(10));  // 15 s: flapped at 13.5 s
  CHECK(f.ContainerStatus("flap")["ready"] == false);
  f.RunFor(seconds(10));  // 25 s: back at 23.5 s
  CHECK(f.ContainerStatus("flap")["ready"] == true);
}

TEST_CASE("scenario: tomcat logs its start-up; kubectl logs reads it",
          "[kubelet]") {
  NodeConfig cfg = TestNode();
  cfg.delays.instant_apps = false;
  Fixture f(1, cfg);
  f.AddPod(PodSpec("webapp", Json::array({Container(
                                 "webapp", "kubeguide/tomcat-app:v1",
                                 {{"ports", {{{"containerPort", 8080}}}}})})));
  f.RunFor(seconds(4));  // running since 3.5 s, still starting
  CHECK_FALSE(f.kubelet->FindListener("10.244.1.2", 8080));
  f.RunFor(seconds(3));
  auto l = f.kubelet->FindListener("10.244.1.2", 8080);
  REQUIRE(l);
  auto log = f.logs.Read("default", "webapp", "uid-webapp", LogReq("webapp"));
  REQUIRE(log.ok());
  CHECK(log->find("org.apache.catalina.startup.Catalina.start Server "
                  "startup in 2345 ms\n") != std::string::npos);
  auto waiting = LogReq("webapp", true);
  CHECK(f.logs.Read("default", "webapp", "uid-webapp", waiting)
            .status()
            .message() ==
        "previous terminated container \"webapp\" in pod \"webapp\" not "
        "found");
}

}  // namespace
}  // namespace ksim::kubelet
