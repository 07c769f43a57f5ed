#include "apiserver/table.h"

#include <catch2/catch.hpp>

#include "apiserver/table_test_util.h"

namespace ksim::apiserver {
namespace {

using namespace table_test;  // NOLINT: test helpers

TEST_CASE("column definitions", "[table]") {
  Json pods = TableColumns(Res("", "pods"));
  REQUIRE(pods.size() == 9);
  std::vector<std::string> names;
  for (const auto& c : pods) names.push_back(c["name"]);
  CHECK(names == std::vector<std::string>{"Name", "Ready", "Status", "Restarts",
                                          "Age", "IP", "Node", "Nominated Node",
                                          "Readiness Gates"});
  CHECK(pods[0]["format"] == "name");
  CHECK(pods[1]["format"] == "");
  CHECK(pods[4]["priority"] == 0);
  CHECK(pods[5]["priority"] == 1);
  CHECK(pods[3]["type"] == "string");
  CHECK(pods[2]["description"].get<std::string>().size() > 10);

  Json rs = TableColumns(Res("apps", "replicasets"));
  CHECK(rs[1] == Json::parse(R"({"name":"Desired","type":"integer",
      "format":"","description":"Number of desired pods.","priority":0})"));
  Json events = TableColumns(Res("", "events"));
  CHECK(events[0]["name"] == "Last Seen");
  CHECK(events[9]["name"] == "Name");
  CHECK(events[9]["format"] == "name");
  CHECK(events[9]["priority"] == 1);
  for (const auto& r : AllResources()) {
    // Every served resource has kube's own printer, not the fallback.
    CHECK(TableColumns(r)[1]["name"] != "Created At");
  }
}

TEST_CASE("BuildTable and row objects", "[table]") {
  const ResourceInfo& pods = Res("", "pods");
  Json pod = Pod({{"phase", "Pending"}});
  pod["metadata"]["labels"] = {{"app", "webapp"}};
  Json table = BuildTable(pods, {pod, pod}, {{"resourceVersion", "1029"}}, kT0,
                          IncludeObject::kMetadata);
  CHECK(table["kind"] == "Table");
  CHECK(table["apiVersion"] == "meta.k8s.io/v1");
  CHECK(table["metadata"] == Json({{"resourceVersion", "1029"}}));
  CHECK(table["columnDefinitions"].size() == 9);
  REQUIRE(table["rows"].size() == 2);
  CHECK(table["rows"][0]["object"] == Json({{"kind", "PartialObjectMetadata"},
                                            {"apiVersion", "meta.k8s.io/v1"},
                                            {"metadata", pod["metadata"]}}));
  CHECK_FALSE(table["rows"][0].contains("conditions"));

  Json watch_event =
      BuildTable(pods, {pod}, Json(), kT0, IncludeObject::kObject, false);
  CHECK(watch_event["columnDefinitions"].is_null());
  CHECK(watch_event["metadata"] == Json::object());
  Json full = watch_event["rows"][0]["object"];
  CHECK(full["kind"] == "Pod");
  CHECK(full["apiVersion"] == "v1");
  CHECK(full["spec"] == pod["spec"]);

  Json none =
      BuildTable(pods, {pod}, Json::object(), kT0, IncludeObject::kNone);
  CHECK(none["rows"][0]["object"].is_null());
  CHECK(none["rows"][0].contains("object"));
  Json empty =
      BuildTable(pods, {}, Json::object(), kT0, IncludeObject::kMetadata);
  CHECK(empty["rows"] == Json::array());

  ResourceInfo widgets;
  widgets.group = "example.com";
  widgets.version = "v1";
  widgets.resource = "widgets";
  widgets.kind = "Widget";
  Json cols = TableColumns(widgets);
  CHECK(cols[1]["name"] == "Created At");
  CHECK(cols[1]["type"] == "date");
  Json w = {
      {"metadata", {{"name", "w1"}, {"creationTimestamp", Ts(hours(1))}}}};
  CHECK(TableRow(widgets, w, kT0, IncludeObject::kNone)["cells"] ==
        Json({"w1", "2025-01-01T01:00:00Z"}));
  CHECK(TableRow(widgets, {{"metadata", {{"name", "w2"}}}}, kT0,
                 IncludeObject::kNone)["cells"][1] == "0001-01-01T00:00:00Z");
}

}  // namespace
}  // namespace ksim::apiserver
