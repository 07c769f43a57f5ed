// Restarts and CrashLoopBackOff, probes, graceful deletion, node down.
#include "kubelet-sim/kubelet_test_util.h"

namespace ksim::kubelet {
namespace {

using namespace testing;  // NOLINT

// Times (seconds since t0) at which the container started, from the
// Started events' count: sampled every 100 ms.
std::vector<double> StartTimes(Fixture& f, const std::string& pod,
                               base::Duration total) {
  std::vector<double> out;
  std::string last;
  for (auto t = base::Duration(0); t < total; t += milliseconds(100)) {
    f.RunFor(milliseconds(100));
    Json cs = f.ContainerStatus(pod);
    if (!cs.contains("state") || !cs["state"].contains("running")) continue;
    std::string started = cs["state"]["running"]["startedAt"];
    if (started != last) {
      last = started;
      out.push_back(
          std::chrono::duration<double>(*base::ParseRfc3339(started) - kStart)
              .count());
    }
  }
  return out;
}

TEST_CASE("restart: CrashLoopBackOff backs off 10s, 20s, 40s", "[kubelet]") {
  NodeConfig cfg = TestNode();
  cfg.delays.sandbox = base::Duration(0);
  cfg.delays.image_pull = base::Duration(0);
  cfg.delays.container_start = base::Duration(0);
  Fixture f(1, cfg);
  // busybox without a command: sh reads EOF and exits 0 at once.
  f.AddPod(PodSpec(
      "crash",
      Json::array({Container(
          "c", "busybox", {{"command", {"sh", "-c", "sleep 1; exit 1"}}})})));
  auto starts = StartTimes(f, "crash", seconds(120));
  // Runs 1 s each: first restart at once, then 10, 20, 40 s after each exit.
  REQUIRE(starts.size() >= 5);
  CHECK(starts[0] == Approx(0));
  CHECK(starts[1] == Approx(1));
  CHECK(starts[2] == Approx(12));
  CHECK(starts[3] == Approx(33));
  CHECK(starts[4] == Approx(74));
  // In the back-off window: waiting with kube's message, lastState set.
  f.RunFor(seconds(1));  // t = 121: exited at 75, back-off 80 s
  Json cs = f.ContainerStatus("crash");
  CHECK(cs["state"]["waiting"]["reason"] == "CrashLoopBackOff");
  CHECK(cs["state"]["waiting"]["message"] ==
        "back-off 1m20s restarting failed container=c "
        "pod=crash_default(uid-crash)");
  CHECK(cs["lastState"]["terminated"]["exitCode"] == 1);
  CHECK(cs["lastState"]["terminated"]["reason"] == "Error");
  CHECK(cs["restartCount"] == 4);
  CHECK(cs["ready"] == false);
  CHECK(f.Pod("crash")["status"]["phase"] == "Running");
  CHECK(
      f.HasEvent("BackOff: Back-off restarting failed container c in pod "
                 "crash_default(uid-crash)"));
  // kubectl logs --previous shows the last attempt.
  apiserver::LogRequest prev = LogReq("c", true);
  CHECK(f.logs.Read("default", "crash", "uid-crash", prev).ok());
}

TEST_CASE("restart: OnFailure restarts failures only; Never does not",
          "[kubelet]") {
  Fixture f;
  Json a = PodSpec(
      "onfail", Json::array({Container(
                    "c", "busybox", {{"command", {"sh", "-c", "exit 0"}}})}));
  a["spec"]["restartPolicy"] = "OnFailure";
  f.AddPod(a);
  Json b = PodSpec("never", Json::array({Container("c", "busybox")}));
  b["metadata"]["annotations"]["ksim.io/crash-after"] = "2s";
  b["spec"]["restartPolicy"] = "Never";
  f.AddPod(b);
  f.RunFor(seconds(30));
  CHECK(f.Pod("onfail")["status"]["phase"] == "Succeeded");
  CHECK(f.ContainerStatus("onfail")["restartCount"] == 0);
  // busybox with no command exits 0 at once, before the crash timer.
  CHECK(f.Pod("never")["status"]["phase"] == "Succeeded");
}

TEST_CASE("probes: failing readiness keeps the pod unready", "[kubelet]") {
  Fixture f;
  f.AddPod(
      PodSpec("web", Json::array({Container(
                         "c", "nginx",
                         {{"readinessProbe",
                           {{"httpGet", {{"path", "/healthz"}, {"port", 80}}},
                            {"periodSeconds", 5}}}})})));
  f.RunFor(seconds(30));
  Json pod = f.Pod("web");
  CHECK(pod["status"]["phase"] == "Running");
  CHECK(f.ContainerStatus("web")["ready"] == false);
  CHECK(Json(pod["status"]["conditions"][2])["status"] == "False");
  CHECK(
      f.HasEvent("Unhealthy: Readiness probe failed: HTTP probe failed with "
                 "statuscode: 404"));
  auto l = f.kubelet->FindListener("10.244.1.2", 80);
  REQUIRE(l);
  CHECK_FALSE(l->ready);
}

TEST_CASE("probes: readiness succeeds after initialDelaySeconds", "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec("web", Json::array({Container(
                              "c", "nginx",
                              {{"readinessProbe",
                                {{"httpGet", {{"path", "/"}, {"port", 80}}},
                                 {"initialDelaySeconds", 5},
                                 {"periodSeconds", 10}}}})})));
  f.RunFor(seconds(8));  // started at 3.5 s; first probe at 3.5 + 10
  CHECK(f.ContainerStatus("web")["ready"] == false);
  f.RunFor(seconds(6));
  CHECK(f.ContainerStatus("web")["ready"] == true);
}

TEST_CASE("probes: failing liveness restarts the container", "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec("live",
                   Json::array({Container(
                       "c", "busybox",
                       {{"command",
                         {"sh", "-c",
                          "touch /tmp/healthy; sleep 10; rm -f /tmp/healthy; "
                          "sleep 600"}},
                        {"livenessProbe",
                         {{"exec", {{"command", {"cat", "/tmp/healthy"}}}},
                          {"initialDelaySeconds", 5},
                          {"periodSeconds", 5}}}})})));
  f.RunFor(seconds(60));
  CHECK(f.HasEvent(
      "Unhealthy: Liveness probe failed: cat: can't open '/tmp/healthy': No "
      "such file or directory\n"));
  CHECK(
      f.HasEvent("Killing: Container c failed liveness probe, will be "
                 "restarted"));
  Json cs = f.ContainerStatus("live");
  CHECK(cs["restartCount"].get<int>() >= 1);
  // sh ignores SIGTERM: killed at the end of the 30 s grace period.
  CHECK(cs["lastState"]["terminated"]["exitCode"] == 137);
}

TEST_CASE("probes: tcpSocket against a listening port", "[kubelet]") {
  Fixture f;
  f.AddPod(
      PodSpec("db", Json::array({Container("redis", "redis",
                                           {{"readinessProbe",
                                             {{"tcpSocket", {{"port", 6379}}},
                                              {"periodSeconds", 2}}}})})));
  f.RunFor(seconds(10));
  CHECK(f.ContainerStatus("db")["ready"] == true);
}

TEST_CASE("delete: preStop, SIGTERM, then the final delete", "[kubelet]") {
  Fixture f;
  Json pod = PodSpec(
      "web", Json::array({Container(
                 "c", "nginx",
                 {{"lifecycle",
                   {{"preStop",
                     {{"exec", {{"command", {"sh", "-c", "sleep 5"}}}}}}}}})}));
  f.AddPod(pod);
  f.RunFor(seconds(10));
  REQUIRE(f.Pod("web")["status"]["phase"] == "Running");
  f.fake->ClearActions();
  Json deleting = f.Pod("web");
  deleting["metadata"]["deletionTimestamp"] = "2025-11-24T19:04:34Z";
  deleting["metadata"]["deletionGracePeriodSeconds"] = 30;
  f.fake->Seed(client::kPods, deleting);
  f.loop->RunUntilIdle();
  CHECK(f.HasEvent("Killing: Stopping container c"));
  f.RunFor(seconds(5));
  CHECK(f.ContainerStatus("web")["state"].contains("running"));
  f.RunFor(seconds(1));  // preStop 5 s + nginx's 200 ms drain
  auto deletes = f.fake->ActionsFor(client::Verb::kDelete, client::kPods);
  REQUIRE(deletes.size() == 1);
  CHECK(deletes[0].delete_options.grace_period_seconds == 0);
  CHECK(deletes[0].delete_options.precondition_uid == "uid-web");
  auto patches = f.StatusPatches("web");
  REQUIRE(!patches.empty());
  CHECK(patches.back()["containerStatuses"][0]["state"]["terminated"]
                      ["exitCode"] == 0);
  CHECK(patches.back()["phase"] == "Succeeded");
}

TEST_CASE("delete: an app ignoring SIGTERM is killed after the grace period",
          "[kubelet]") {
  Fixture f;
  Json pod = PodSpec("web", Json::array({Container("c", "nginx")}));
  pod["metadata"]["annotations"]["ksim.io/sigterm"] = "ignore";
  f.AddPod(pod);
  f.RunFor(seconds(10));
  Json deleting = f.Pod("web");
  deleting["metadata"]["deletionTimestamp"] = "2025-11-24T19:04:14Z";
  deleting["metadata"]["deletionGracePeriodSeconds"] = 10;
  f.fake->Seed(client::kPods, deleting);
  f.RunFor(seconds(9));
  CHECK(f.fake->ActionsFor(client::Verb::kDelete, client::kPods).empty());
  f.RunFor(seconds(2));
  CHECK(f.fake->ActionsFor(client::Verb::kDelete, client::kPods).size() == 1);
  auto patches = f.StatusPatches("web");
  CHECK(patches.back()["containerStatuses"][0]["state"]["terminated"]
                      ["exitCode"] == 137);
  CHECK(patches.back()["phase"] == "Failed");
}

TEST_CASE("down: a down node leaves pods as they are", "[kubelet]") {
  Fixture f;
  Json pod = PodSpec(
      "job",
      Json::array({Container("c", "busybox", {{"command", {"sleep", "30"}}})}));
  pod["spec"]["restartPolicy"] = "Never";
  f.AddPod(pod);
  f.RunFor(seconds(10));
  REQUIRE(f.Pod("job")["status"]["phase"] == "Running");
  f.kubelet->SetDown(true);
  f.RunFor(seconds(60));
  CHECK(f.Pod("job")["status"]["phase"] == "Running");
  f.kubelet->SetDown(false);
  f.loop->RunUntilIdle();
  CHECK(f.Pod("job")["status"]["phase"] == "Succeeded");
}

}  // namespace
}  // namespace ksim::kubelet
