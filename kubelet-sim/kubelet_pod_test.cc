// Pod lifecycle: status sequence, events, IPs, init containers, command
// containers, logs.
#include "kubelet-sim/kubelet_test_util.h"

namespace ksim::kubelet {
namespace {

using namespace testing;  // NOLINT

Json Cond(const Json& status, const std::string& type) {
  for (const auto& c : status["conditions"]) {
    if (c["type"] == type) return c;
  }
  return Json();
}

TEST_CASE("pod: Pending -> ContainerCreating -> Running with events",
          "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec(
      "web-1", Json::array({Container(
                   "web", "nginx", {{"ports", {{{"containerPort", 80}}}}})})));
  auto patches = f.StatusPatches("web-1");
  REQUIRE(patches.size() == 1);
  Json s = patches[0];
  CHECK(s["phase"] == "Pending");
  CHECK(s["hostIP"] == "192.168.56.11");
  CHECK(s["hostIPs"] == Json::array({{{"ip", "192.168.56.11"}}}));
  CHECK(s["startTime"] == "2025-11-24T19:03:54Z");
  CHECK_FALSE(s.contains("podIP"));
  CHECK(s["qosClass"] == "BestEffort");
  CHECK(Cond(s, "PodReadyToStartContainers")["status"] == "False");
  CHECK(Cond(s, "Initialized")["status"] == "True");
  CHECK(Cond(s, "Ready")["reason"] == "ContainersNotReady");
  CHECK(Cond(s, "Ready")["message"] == "containers with unready status: [web]");
  CHECK(Cond(s, "PodScheduled")["status"] == "True");
  CHECK(s["conditions"][0]["type"] == "PodReadyToStartContainers");
  CHECK(s["containerStatuses"][0]["state"] ==
        Json({{"waiting", {{"reason", "ContainerCreating"}}}}));
  CHECK(s["containerStatuses"][0]["image"] == "docker.io/library/nginx:latest");
  CHECK(s["containerStatuses"][0]["imageID"] == "");

  f.RunFor(seconds(1));
  patches = f.StatusPatches("web-1");
  REQUIRE(patches.size() == 2);
  CHECK(patches[1]["podIP"] == "10.244.1.2");
  CHECK(patches[1]["podIPs"] == Json::array({{{"ip", "10.244.1.2"}}}));
  CHECK(Cond(patches[1], "PodReadyToStartContainers")["status"] == "True");
  CHECK(f.HasEvent("Pulling: Pulling image \"nginx\""));

  f.RunFor(milliseconds(2500));
  CHECK(f.HasEvent(
      "Pulled: Successfully pulled image \"nginx\" in 2s (2s including "
      "waiting). Image size: 72188133 bytes."));
  CHECK(f.HasEvent("Created: Created container: web"));
  CHECK(f.HasEvent("Started: Started container web"));
  Json pod = f.Pod("web-1");
  CHECK(pod["status"]["phase"] == "Running");
  Json cs = pod["status"]["containerStatuses"][0];
  CHECK(cs["ready"] == true);
  CHECK(cs["started"] == true);
  CHECK(cs["restartCount"] == 0);
  CHECK(cs["state"]["running"]["startedAt"] == "2025-11-24T19:03:57Z");
  CHECK(cs["containerID"].get<std::string>().rfind("containerd://", 0) == 0);
  CHECK(cs["containerID"].get<std::string>().size() == 13 + 64);
  CHECK(cs["imageID"].get<std::string>().rfind(
            "docker.io/library/nginx@sha256:", 0) == 0);
  CHECK(Cond(pod["status"], "Ready")["status"] == "True");
  CHECK(Cond(pod["status"], "Ready")["lastTransitionTime"] ==
        "2025-11-24T19:03:57Z");
  // Nothing changes any more: no further writes.
  size_t writes = f.StatusPatches("web-1").size();
  f.RunFor(seconds(60));
  CHECK(f.StatusPatches("web-1").size() == writes);
  // The events name the container.
  auto events = f.fake->ActionsFor(client::Verb::kCreate, client::kEvents);
  bool found = false;
  for (const auto& e : events) {
    if (e.object["reason"] == "Started") {
      CHECK(e.object["involvedObject"]["fieldPath"] == "spec.containers{web}");
      CHECK(e.object["source"]["component"] == "kubelet");
      CHECK(e.object["source"]["host"] == "k8s-node-1");
      found = true;
    }
  }
  CHECK(found);
  // The application answers on its port, not on others.
  auto l = f.kubelet->FindListener("10.244.1.2", 80);
  REQUIRE(l);
  HttpRequest req;
  CHECK(l->app->ServeHttp(l->context, req).status == 200);
  CHECK_FALSE(f.kubelet->FindListener("10.244.1.2", 8080));
}

TEST_CASE("pod: IPs from the podCIDR, released when the pod goes",
          "[kubelet]") {
  NodeConfig cfg = TestNode();
  cfg.pod_cidr = "";  // the node IPAM sets it later
  Fixture f(1, cfg);
  f.AddPod(PodSpec("a", Json::array({Container("c", "nginx")})));
  f.RunFor(seconds(5));
  CHECK(f.kubelet->PodIP("default/a") == "");
  CHECK(f.Pod("a")["status"]["containerStatuses"][0]["state"]["waiting"]
                  ["reason"] == "ContainerCreating");
  Json node = *f.fake->Get(client::kNodes, "", "k8s-node-1");
  node["spec"]["podCIDR"] = "10.244.7.0/24";
  f.fake->Update(client::kNodes, node);
  f.RunFor(seconds(5));
  CHECK(f.kubelet->PodIP("default/a") == "10.244.7.2");
  f.AddPod(PodSpec("b", Json::array({Container("c", "nginx")})));
  f.RunFor(seconds(5));
  CHECK(f.kubelet->PodIP("default/b") == "10.244.7.3");
  f.fake->Delete(client::kPods, "default", "a");
  f.RunFor(seconds(1));
  CHECK(f.kubelet->PodIP("default/a") == "");
  CHECK_FALSE(f.kubelet->FindListener("10.244.7.2", 80));
}

TEST_CASE("pod: init containers run first, in order", "[kubelet]") {
  Fixture f;
  Json pod = PodSpec("app", Json::array({Container("main", "nginx")}));
  pod["spec"]["initContainers"] = Json::array(
      {Container("init-a", "busybox", {{"command", {"sh", "-c", "sleep 2"}}}),
       Container("init-b", "busybox", {{"command", {"echo", "done"}}})});
  f.AddPod(pod);
  Json s = f.StatusPatches("app")[0];
  CHECK(Cond(s, "Initialized")["status"] == "False");
  CHECK(Cond(s, "Initialized")["message"] ==
        "containers with incomplete status: [init-a init-b]");
  CHECK(s["initContainerStatuses"][0]["state"]["waiting"]["reason"] ==
        "PodInitializing");
  f.RunFor(seconds(4));  // sandbox 1, pull 2, start 0.5
  s = f.Pod("app")["status"];
  CHECK(s["initContainerStatuses"][0]["state"].contains("running"));
  CHECK(s["phase"] == "Pending");
  f.RunFor(seconds(10));
  s = f.Pod("app")["status"];
  CHECK(s["initContainerStatuses"][0]["state"]["terminated"]["reason"] ==
        "Completed");
  CHECK(s["initContainerStatuses"][1]["state"]["terminated"]["exitCode"] == 0);
  CHECK(Cond(s, "Initialized")["status"] == "True");
  CHECK(s["phase"] == "Running");
  CHECK(*f.logs.Read("default", "app", "uid-app", LogReq("init-b")) ==
        "done\n");
}

TEST_CASE("pod: command containers complete or fail", "[kubelet]") {
  Fixture f;
  Json ok =
      PodSpec("job-ok", Json::array({Container("c", "busybox",
                                               {{"command",
                                                 {"sh", "-c",
                                                  "echo working; sleep 5; "
                                                  "echo finished"}}})}));
  ok["spec"]["restartPolicy"] = "Never";
  f.AddPod(ok);
  Json bad = PodSpec(
      "job-bad", Json::array({Container(
                     "c", "alpine", {{"command", {"sh", "-c", "exit 3"}}})}));
  bad["spec"]["restartPolicy"] = "Never";
  f.AddPod(bad);
  f.RunFor(seconds(20));
  Json s = f.Pod("job-ok")["status"];
  CHECK(s["phase"] == "Succeeded");
  CHECK(s["containerStatuses"][0]["state"]["terminated"]["reason"] ==
        "Completed");
  CHECK(Cond(s, "Ready")["reason"] == "PodCompleted");
  CHECK(Cond(s, "PodReadyToStartContainers")["status"] == "False");
  CHECK(*f.logs.Read("default", "job-ok", "uid-job-ok", LogReq("c")) ==
        "working\nfinished\n");
  Json b = f.Pod("job-bad")["status"];
  CHECK(b["phase"] == "Failed");
  CHECK(b["containerStatuses"][0]["state"]["terminated"]["exitCode"] == 3);
  CHECK(b["containerStatuses"][0]["state"]["terminated"]["reason"] == "Error");
}

TEST_CASE("pod: images already present are not pulled again", "[kubelet]") {
  Fixture f;
  f.AddPod(PodSpec("a", Json::array({Container("c", "redis:7")})));
  f.RunFor(seconds(5));
  f.AddPod(PodSpec("b", Json::array({Container("c", "redis:7")})));
  f.RunFor(seconds(5));
  CHECK(
      f.HasEvent("Pulled: Container image \"redis:7\" already present on "
                 "machine"));
  CHECK(f.Pod("b")["status"]["phase"] == "Running");
  auto l = f.kubelet->FindListener("10.244.1.3", 6379);
  REQUIRE(l);
  CHECK(l->app->ServeTcp(l->context, "PING\r\n") == "+PONG\r\n");
}

TEST_CASE("pod: seeded delays give the same history for the same seed",
          "[kubelet]") {
  auto run = [](uint64_t seed) {
    NodeConfig cfg = TestNode();
    cfg.delays.jitter = 0.3;
    Fixture f(seed, cfg);
    f.AddPod(PodSpec("w", Json::array({Container("c", "nginx")})));
    f.RunFor(seconds(10));
    return f.Pod("w")["status"].dump() + f.Events().back();
  };
  uint64_t seed = 42;
  INFO("seed " << seed);
  CHECK(run(seed) == run(seed));
}


TEST_CASE("pod: steps at one instant cost one status write (zero delays)",
          "[kubelet]") {
  NodeConfig node = TestNode();
  node.delays = Delays::Zero();
  Fixture f(1, node);
  f.AddPod(PodSpec(
      "web-1", Json::array({Container(
                   "web", "nginx", {{"ports", {{{"containerPort", 80}}}}})})));
  // Scheduled, sandbox, pull, start and readiness all happen at t0: the
  // status manager sends only the last state, not one patch per step.
  auto patches = f.StatusPatches("web-1");
  REQUIRE(patches.size() == 1);
  CHECK(patches[0]["phase"] == "Running");
  CHECK(patches[0]["podIP"] == "10.244.1.2");
  CHECK(Cond(patches[0], "Ready")["status"] == "True");
  CHECK(f.HasEvent("Started: Started container web"));
}
}  // namespace
}  // namespace ksim::kubelet
