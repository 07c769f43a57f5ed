#include "controllers/scheduler_queue.h"

#include <catch2/catch.hpp>
#include <chrono>

#include "controllers/scheduler_test_util.h"

namespace ksim::controllers {
namespace {

using namespace scheduler_testing;  // NOLINT: test helpers
using std::chrono::seconds;

TEST_CASE("scheduling queue pops by priority, then arrival", "[scheduler]") {
  sched::SchedulingQueue q({});
  q.Add("default/low", 0, kStart);
  q.Add("default/high", 1000, kStart);
  q.Add("default/low2", 0, kStart);
  std::string key;
  int attempts = -1;
  REQUIRE(q.Pop(&key, &attempts));
  CHECK(key == "default/high");
  CHECK(attempts == 0);
  REQUIRE(q.Pop(&key, &attempts));
  CHECK(key == "default/low");
  REQUIRE(q.Pop(&key, &attempts));
  CHECK(key == "default/low2");
  CHECK(!q.Pop(&key, &attempts));
}

TEST_CASE("scheduling queue backs off 1s, 2s, 4s ... capped at 10s",
          "[scheduler]") {
  sched::SchedulingQueue q({});
  std::string key;
  int attempts = 0;
  base::Time now = kStart;
  q.Add("default/p", 0, now);
  for (int expect : {1, 2, 4, 8, 10, 10}) {
    REQUIRE(q.Pop(&key, &attempts));
    q.AddUnschedulable(key, 0, now);
    q.MoveAllToActiveOrBackoff(now);  // a cluster event right away
    CHECK(q.BackoffLen() == 1);
    REQUIRE(q.NextWakeup().has_value());
    CHECK(*q.NextWakeup() - now == seconds(expect));
    now = *q.NextWakeup();
    q.Flush(now);
    CHECK(q.ActiveLen() == 1);
  }
}

TEST_CASE("scheduler retries when a node loses its taint", "[scheduler]") {
  Env env;
  Json master = ControlPlane("k8s-master");
  env.AddNode(master);
  env.AddPod(Pod("web"));
  CHECK(env.Bindings().empty());
  // A heartbeat alone does not wake the pod up.
  master["status"]["conditions"][0]["lastHeartbeatTime"] =
      "2023-11-14T22:14:00Z";
  env.fake->Update(client::kNodes, master);
  env.loop->RunUntilIdle();
  CHECK(env.scheduler->queue().UnschedulableLen() == 1);
  auto node = env.fake->Get(client::kNodes, "", "k8s-master");
  REQUIRE(node.ok());
  Json untainted = *node;
  untainted["spec"].erase("taints");
  env.fake->Update(client::kNodes, untainted);
  env.loop->RunFor(seconds(1));
  CHECK(env.Bindings()["web"] == "k8s-master");
}

TEST_CASE("scheduler leaves pods of other schedulers alone", "[scheduler]") {
  Env env;
  env.AddNode(Node("n1"));
  Json p = Pod("custom");
  p["spec"]["schedulerName"] = "my-scheduler";
  env.AddPod(p);
  Json bound = Pod("bound", "", "o2");
  bound["spec"]["nodeName"] = "n1";
  env.AddPod(bound);
  CHECK(env.Bindings().empty());
  CHECK(env.fake->actions().empty());
  // The bound pod is accounted on its node all the same.
  CHECK(env.scheduler->cache().Get("n1")->pod_count == 1);
}

}  // namespace
}  // namespace ksim::controllers
