#include <catch2/catch.hpp>

#include "apiserver/table.h"
#include "apiserver/table_test_util.h"

namespace ksim::apiserver {
namespace {

using namespace table_test;  // NOLINT: test helpers

Json RunningContainer(const char* name) {
  return {{"name", name},
          {"ready", true},
          {"restartCount", 0},
          {"state", {{"running", {{"startedAt", Ts(seconds(1))}}}}}};
}

Json PodCells(const Json& pod, base::Time now = kT0 + seconds(2)) {
  return Cells("", "pods", pod, now);
}

TEST_CASE("pod printer: running, pending, crash loop", "[table]") {
  Json running = Pod({{"phase", "Running"},
                      {"podIPs", {{{"ip", "10.244.0.12"}}}},
                      {"conditions", {{{"type", "Ready"}, {"status", "True"}}}},
                      {"containerStatuses", {RunningContainer("webapp")}}},
                     {{"nodeName", "node-1"}});
  CHECK(PodCells(running) ==
        Json({"webapp-1", "1/1", "Running", "0", "2s", "10.244.0.12", "node-1",
              "<none>", "<none>"}));

  CHECK(PodCells(Pod({{"phase", "Pending"}}))[2] == "Pending");
  Json creating =
      Pod({{"phase", "Pending"},
           {"containerStatuses",
            {{{"name", "webapp"},
              {"ready", false},
              {"restartCount", 0},
              {"state", {{"waiting", {{"reason", "ContainerCreating"}}}}}}}}});
  CHECK(PodCells(creating)[1] == "0/1");
  CHECK(PodCells(creating)[2] == "ContainerCreating");

  Json crash =
      Pod({{"phase", "Running"},
           {"containerStatuses",
            {{{"name", "webapp"},
              {"ready", false},
              {"restartCount", 3},
              {"state", {{"waiting", {{"reason", "CrashLoopBackOff"}}}}},
              {"lastState",
               {{"terminated",
                 {{"exitCode", 1},
                  {"reason", "Error"},
                  {"finishedAt", Ts(minutes(5))}}}}}}}}});
  Json cells = PodCells(crash, kT0 + minutes(10));
  CHECK(cells[1] == "0/1");
  CHECK(cells[2] == "CrashLoopBackOff");
  CHECK(cells[3] == "3 (5m ago)");
  CHECK(cells[4] == "10m");

  Json exited = Pod({{"phase", "Running"},
                     {"containerStatuses",
                      {{{"name", "webapp"},
                        {"state", {{"terminated", {{"exitCode", 2}}}}}}}}});
  CHECK(PodCells(exited)[2] == "ExitCode:2");
  exited["status"]["containerStatuses"][0]["state"]["terminated"]["signal"] = 9;
  CHECK(PodCells(exited)[2] == "Signal:9");
  Json gated = Pod({{"phase", "Pending"},
                    {"conditions",
                     {{{"type", "PodScheduled"},
                       {"status", "False"},
                       {"reason", "SchedulingGated"}}}}});
  CHECK(PodCells(gated)[2] == "SchedulingGated");
}

TEST_CASE("pod printer: terminating, completed, node lost", "[table]") {
  Json terminating = Pod({{"phase", "Running"},
                          {"containerStatuses", {RunningContainer("webapp")}}});
  terminating["metadata"]["deletionTimestamp"] = Ts(seconds(1));
  CHECK(PodCells(terminating)[2] == "Terminating");
  CHECK(PodCells(terminating)[1] == "1/1");

  Json done = Pod(
      {{"phase", "Succeeded"},
       {"containerStatuses",
        {{{"name", "webapp"},
          {"state",
           {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}}}});
  Json row = TableRow(Res("", "pods"), done, kT0, IncludeObject::kNone);
  CHECK(row["cells"][2] == "Completed");
  CHECK(row["conditions"] ==
        Json::parse(R"([{"type":"Completed","status":"True",
                         "reason":"Succeeded",
                         "message":"The pod has completed successfully."}])"));
  // A pod in a terminal phase is not shown as Terminating.
  done["metadata"]["deletionTimestamp"] = Ts(seconds(1));
  CHECK(PodCells(done)[2] == "Completed");

  Json lost = terminating;
  lost["status"]["reason"] = "NodeLost";
  CHECK(PodCells(lost)[2] == "Unknown");

  // One container completed, another still runs: Running or NotReady.
  Json mixed = Pod(
      {{"phase", "Running"},
       {"containerStatuses",
        {RunningContainer("a"),
         {{"name", "b"},
          {"state",
           {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}}}}},
      {{"containers", {{{"name", "a"}}, {{"name", "b"}}}}});
  CHECK(PodCells(mixed)[2] == "NotReady");
  mixed["status"]["conditions"] = {{{"type", "Ready"}, {"status", "True"}}};
  CHECK(PodCells(mixed)[2] == "Running");
  CHECK(PodCells(mixed)[1] == "1/2");
}

TEST_CASE("pod printer: init containers and sidecars", "[table]") {
  Json spec = {{"initContainers", {{{"name", "i1"}}, {{"name", "i2"}}}}};
  Json done_init = {
      {"name", "i1"},
      {"state", {{"terminated", {{"exitCode", 0}, {"reason", "Completed"}}}}}};
  auto init_pod = [&](Json second) {
    return Pod(
        {{"phase", "Pending"}, {"initContainerStatuses", {done_init, second}}},
        spec);
  };
  CHECK(PodCells(init_pod(
            {{"name", "i2"}, {"state", {{"running", Json::object()}}}}))[2] ==
        "Init:1/2");
  CHECK(PodCells(init_pod(
            {{"name", "i2"},
             {"state", {{"waiting", {{"reason", "ImagePullBackOff"}}}}}}))[2] ==
        "Init:ImagePullBackOff");
  CHECK(PodCells(init_pod(
            {{"name", "i2"},
             {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}))[2] ==
        "Init:1/2");
  CHECK(
      PodCells(init_pod({{"name", "i2"},
                         {"state", {{"terminated", {{"exitCode", 1}}}}}}))[2] ==
      "Init:ExitCode:1");
  CHECK(PodCells(init_pod(
            {{"name", "i2"},
             {"state",
              {{"terminated", {{"exitCode", 137}, {"signal", 9}}}}}}))[2] ==
        "Init:Signal:9");
  CHECK(PodCells(init_pod(
            {{"name", "i2"},
             {"state",
              {{"terminated", {{"exitCode", 1}, {"reason", "Error"}}}}}}))[2] ==
        "Init:Error");

  Json initialized =
      Pod({{"phase", "Pending"},
           {"initContainerStatuses", {done_init, done_init}},
           {"containerStatuses",
            {{{"name", "webapp"},
              {"state", {{"waiting", {{"reason", "PodInitializing"}}}}}}}}},
          spec);
  initialized["status"]["initContainerStatuses"][1]["name"] = "i2";
  CHECK(PodCells(initialized)[2] == "PodInitializing");

  // A restartable init container (sidecar) counts in READY and RESTARTS.
  Json sidecar = Pod(
      {{"phase", "Running"},
       {"conditions",
        {{{"type", "Initialized"}, {"status", "True"}},
         {{"type", "Ready"}, {"status", "True"}}}},
       {"initContainerStatuses",
        {{{"name", "proxy"},
          {"started", true},
          {"ready", true},
          {"restartCount", 2},
          {"state", {{"running", Json::object()}}},
          {"lastState",
           {{"terminated",
             {{"exitCode", 1}, {"finishedAt", Ts(minutes(1))}}}}}}}},
       {"containerStatuses", {RunningContainer("webapp")}}},
      {{"initContainers", {{{"name", "proxy"}, {"restartPolicy", "Always"}}}}});
  Json cells = PodCells(sidecar, kT0 + minutes(3));
  CHECK(cells[1] == "2/2");
  CHECK(cells[2] == "Running");
  CHECK(cells[3] == "2 (2m ago)");
}

TEST_CASE("pod printer: wide columns", "[table]") {
  Json pod = Pod({{"phase", "Running"},
                  {"nominatedNodeName", "node-2"},
                  {"conditions",
                   {{{"type", "example.com/gate-a"}, {"status", "True"}},
                    {{"type", "example.com/gate-b"}, {"status", "False"}}}}},
                 {{"readinessGates",
                   {{{"conditionType", "example.com/gate-a"}},
                    {{"conditionType", "example.com/gate-b"}}}}});
  Json cells = PodCells(pod);
  CHECK(cells[5] == "<none>");
  CHECK(cells[6] == "<none>");
  CHECK(cells[7] == "node-2");
  CHECK(cells[8] == "1/2");
}

}  // namespace
}  // namespace ksim::apiserver
