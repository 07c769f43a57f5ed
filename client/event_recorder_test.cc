#include "client/event_recorder.h"

#include <catch2/catch.hpp>

#include "client/fake_client.h"
#include "client/test_cluster.h"

namespace ksim::client {
namespace {

using testing::TestCluster;

Json CreatedPod(TestCluster& c, const std::string& name) {
  auto pod = c.Sync([&](WriteCallback d) {
    c.client->Create(kPods, "default", testing::Pod(name), d);
  });
  REQUIRE(pod.ok());
  return *pod;
}

TEST_CASE("event recorder creates core/v1 Events", "[client]") {
  TestCluster c;
  Json pod = CreatedPod(c, "web-1");
  EventRecorder rec(c.client.get(), &c.clock, "default-scheduler");
  rec.Event(pod, "Normal", "Scheduled",
            "Successfully assigned default/web-1 to k8s-node-1");
  c.loop->RunUntilIdle();
  auto events = c.client->List(kEvents, "default", {});
  REQUIRE(events.ok());
  REQUIRE(events->items.size() == 1);
  const Json& e = events->items[0];
  // 1700000000 s in nanoseconds, in hex.
  CHECK(e["metadata"]["name"] == "web-1.17979cfe362a0000");
  CHECK(e["metadata"]["namespace"] == "default");
  CHECK(e["involvedObject"] ==
        Json{{"kind", "Pod"},
             {"namespace", "default"},
             {"name", "web-1"},
             {"uid", pod["metadata"]["uid"]},
             {"apiVersion", "v1"},
             {"resourceVersion", pod["metadata"]["resourceVersion"]}});
  CHECK(e["reason"] == "Scheduled");
  CHECK(e["message"] == "Successfully assigned default/web-1 to k8s-node-1");
  CHECK(e["source"] == Json{{"component", "default-scheduler"}});
  CHECK(e["firstTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(e["lastTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(e["count"] == 1);
  CHECK(e["type"] == "Normal");
  CHECK(e["reportingComponent"] == "default-scheduler");
  CHECK(e["reportingInstance"] == "");

  // Kubelet events carry the node as source.host and a field path; two at
  // the same instant still get distinct names.
  EventRecorder kubelet(c.client.get(), &c.clock, "kubelet", "k8s-node-1");
  kubelet.EventWithFieldPath(pod, "spec.containers{web}", "Normal", "Pulling",
                             "Pulling image \"nginx\"");
  kubelet.EventWithFieldPath(pod, "spec.containers{web}", "Normal", "Pulled",
                             "Successfully pulled image \"nginx\"");
  c.loop->RunUntilIdle();
  events = c.client->List(kEvents, "default", {});
  REQUIRE(events->items.size() == 3);
  for (const auto& ev : events->items) {
    if (ev["reason"] == "Scheduled") continue;
    CHECK(ev["source"] ==
          Json{{"component", "kubelet"}, {"host", "k8s-node-1"}});
    CHECK(ev["involvedObject"]["fieldPath"] == "spec.containers{web}");
    CHECK(ev["reportingInstance"] == "k8s-node-1");
  }
}

TEST_CASE("event recorder names around another component's event", "[client]") {
  TestCluster c;
  Json pod = CreatedPod(c, "web-1");
  EventRecorder a(c.client.get(), &c.clock, "default-scheduler");
  EventRecorder b(c.client.get(), &c.clock, "kubelet", "n1");
  a.Event(pod, "Normal", "Scheduled", "one");
  b.Event(pod, "Normal", "Pulling", "two");  // same object, same instant
  c.loop->RunUntilIdle();
  auto events = c.client->List(kEvents, "default", {});
  REQUIRE(events->items.size() == 2);
  // And aggregation still finds the renamed event.
  c.clock.Advance(std::chrono::seconds(5));
  b.Event(pod, "Normal", "Pulling", "two");
  c.loop->RunUntilIdle();
  events = c.client->List(kEvents, "default", {});
  REQUIRE(events->items.size() == 2);
  int counts = 0;
  for (const auto& e : events->items) counts += e["count"].get<int>();
  CHECK(counts == 3);
}

TEST_CASE("event recorder aggregates identical events by patch", "[client]") {
  TestCluster c;
  Json pod = CreatedPod(c, "web-1");
  EventRecorder rec(c.client.get(), &c.clock, "kubelet", "k8s-node-1");
  rec.Event(pod, "Warning", "BackOff", "Back-off restarting failed container");
  c.loop->RunUntilIdle();
  c.clock.Advance(std::chrono::seconds(30));
  rec.Event(pod, "Warning", "BackOff", "Back-off restarting failed container");
  c.loop->RunUntilIdle();
  auto events = c.client->List(kEvents, "default", {});
  REQUIRE(events->items.size() == 1);
  const Json& e = events->items[0];
  CHECK(e["count"] == 2);
  CHECK(e["firstTimestamp"] == "2023-11-14T22:13:20Z");
  CHECK(e["lastTimestamp"] == "2023-11-14T22:13:50Z");

  // A different message is another event.
  rec.Event(pod, "Warning", "BackOff", "something else");
  c.loop->RunUntilIdle();
  CHECK(c.client->List(kEvents, "default", {})->items.size() == 2);

  // A deleted event is created again under its name, count kept.
  std::string name = e["metadata"]["name"];
  REQUIRE(c.Sync([&](WriteCallback d) {
             c.client->Delete(kEvents, "default", name, {}, d);
           }).ok());
  rec.Event(pod, "Warning", "BackOff", "Back-off restarting failed container");
  c.loop->RunUntilIdle();
  c.loop->RunUntilIdle();
  auto again = c.client->Get(kEvents, "default", name);
  REQUIRE(again.ok());
  CHECK((*again)["count"] == 3);
}

TEST_CASE("event recorder: cluster-scoped objects and the patch it sends",
          "[client]") {
  base::VirtualClock clock(testing::kStart);
  auto loop = base::EventLoop::NewVirtual(&clock);
  FakeClient fake(loop.get());
  EventRecorder rec(&fake, &clock, "node-controller");
  Json node = {{"apiVersion", "v1"},
               {"kind", "Node"},
               {"metadata", {{"name", "n1"}, {"uid", "u1"}}}};
  rec.Event(node, "Normal", "RegisteredNode", "Node n1 event: Registered");
  clock.Advance(std::chrono::seconds(1));
  rec.Event(node, "Normal", "RegisteredNode", "Node n1 event: Registered");
  loop->RunUntilIdle();
  REQUIRE(fake.actions().size() == 2);
  const Action& create = fake.actions()[0];
  CHECK(create.verb == Verb::kCreate);
  CHECK(create.ns == "default");
  CHECK_FALSE(create.object["involvedObject"].contains("namespace"));
  const Action& patch = fake.actions()[1];
  CHECK(patch.verb == Verb::kPatch);
  CHECK(patch.patch_type == PatchType::kStrategicMerge);
  CHECK(patch.name == create.object["metadata"]["name"]);
  CHECK(patch.object == Json{{"count", 2},
                             {"lastTimestamp", "2023-11-14T22:13:21Z"},
                             {"message", "Node n1 event: Registered"}});

  // The cache is bounded: once 4096 other events pushed it out, the first
  // event is created anew.
  for (int i = 0; i < 4096; ++i) {
    rec.Event(node, "Normal", "Other", "message " + std::to_string(i));
  }
  fake.ClearActions();
  rec.Event(node, "Normal", "RegisteredNode", "Node n1 event: Registered");
  REQUIRE(fake.actions().size() == 1);
  CHECK(fake.actions()[0].verb == Verb::kCreate);
  loop->RunUntilIdle();
}

}  // namespace
}  // namespace ksim::client
