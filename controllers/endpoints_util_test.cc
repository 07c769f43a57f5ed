#include "controllers/endpoints_util.h"

#include <catch2/catch.hpp>
#include <set>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "client/fake_client.h"
#include "client/informer.h"

namespace ksim::controllers {
namespace {

using base::Json;

Json Pod(const std::string& ns, const std::string& name, Json labels) {
  return {{"apiVersion", "v1"},
          {"kind", "Pod"},
          {"metadata",
           {{"namespace", ns}, {"name", name}, {"labels", std::move(labels)}}}};
}

std::vector<std::string> Names(const std::vector<client::ObjectPtr>& pods) {
  std::vector<std::string> out;
  for (const auto& p : pods) out.push_back(client::KeyOf(*p));
  return out;
}

TEST_CASE("SelectPods reads a selector's pods from the label index",
          "[endpoints]") {
  base::VirtualClock clock(base::Time(std::chrono::seconds(1'700'000'000)));
  auto loop = base::EventLoop::NewVirtual(&clock);
  client::FakeClient fake(loop.get());
  client::Informer pods(&fake, loop.get(), client::kPods);
  AddPodLabelIndex(&pods);
  pods.Apply(client::EventType::kAdded,
             Pod("default", "web-b", {{"app", "web"}, {"tier", "front"}}));
  pods.Apply(client::EventType::kAdded,
             Pod("default", "web-a", {{"app", "web"}, {"tier", "back"}}));
  pods.Apply(client::EventType::kAdded, Pod("default", "db", {{"app", "db"}}));
  pods.Apply(client::EventType::kAdded,
             Pod("other", "web-c", {{"app", "web"}}));

  // Key order, this namespace only, every pair matched.
  CHECK(Names(SelectPods(pods, "default", {{"app", "web"}})) ==
        std::vector<std::string>{"default/web-a", "default/web-b"});
  CHECK(
      Names(SelectPods(pods, "default", {{"app", "web"}, {"tier", "back"}})) ==
      std::vector<std::string>{"default/web-a"});
  CHECK(
      SelectPods(pods, "default", {{"app", "web"}, {"tier", "none"}}).empty());
  CHECK(Names(SelectPods(pods, "other", {{"app", "web"}})) ==
        std::vector<std::string>{"other/web-c"});

  // A relabelled pod leaves its old posting list; a deleted one is gone.
  pods.Apply(client::EventType::kModified,
             Pod("default", "web-b", {{"app", "db"}}));
  pods.Apply(client::EventType::kDeleted, Pod("default", "web-a", {}));
  CHECK(SelectPods(pods, "default", {{"app", "web"}}).empty());
  CHECK(Names(SelectPods(pods, "default", {{"app", "db"}})) ==
        std::vector<std::string>{"default/db", "default/web-b"});
}

Json Service(const std::string& ns, const std::string& name, Json selector) {
  return {{"metadata", {{"namespace", ns}, {"name", name}}},
          {"spec", {{"selector", std::move(selector)}}}};
}

TEST_CASE(
    "ServiceSelectorIndex finds a pod's services through their first "
    "selector pair",
    "[endpoints]") {
  ServiceSelectorIndex idx;
  idx.Upsert(Service("default", "web", {{"app", "web"}}));
  idx.Upsert(Service("default", "front", {{"app", "web"}, {"tier", "front"}}));
  idx.Upsert(Service("default", "by-tier", {{"tier", "front"}}));
  idx.Upsert(Service("default", "none", Json::object()));  // selects nothing
  idx.Upsert(Service("other", "web", {{"app", "web"}}));

  using Keys = std::set<std::string>;
  Labels front = {{"app", "web"}, {"tier", "front"}};
  CHECK(idx.ServicesFor("default", front) ==
        Keys{"default/by-tier", "default/front", "default/web"});
  CHECK(idx.ServicesFor("default", {{"app", "web"}}) == Keys{"default/web"});
  CHECK(idx.ServicesFor("default", {{"tier", "back"}}).empty());
  CHECK(idx.ServicesFor("other", front) == Keys{"other/web"});

  // A changed selector leaves its old pair; a removed service is gone.
  idx.Upsert(Service("default", "web", {{"app", "api"}}));
  idx.Remove(Service("default", "by-tier", Json::object()));
  CHECK(idx.ServicesFor("default", front) == Keys{"default/front"});
  CHECK(idx.ServicesFor("default", {{"app", "api"}}) == Keys{"default/web"});
  idx.Upsert(Service("default", "front", Json::object()));
  CHECK(idx.ServicesFor("default", front).empty());
}

}  // namespace
}  // namespace ksim::controllers
