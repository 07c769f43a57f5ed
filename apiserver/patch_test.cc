#include "apiserver/patch.h"

#include <catch2/catch.hpp>

#include "apiserver/go_format.h"

namespace ksim::apiserver {
namespace {

using base::Code;
using base::Json;

const Json kPod = Json::parse(R"({
  "apiVersion": "v1", "kind": "Pod",
  "metadata": {"name": "web", "labels": {"app": "web", "tier": "fe"}},
  "spec": {"containers": [{"name": "web", "image": "nginx"}]}
})");

TEST_CASE("JSON patch applies RFC 6902 operations", "[patch]") {
  auto r = ApplyJsonPatch(kPod, Json::parse(R"([
    {"op": "test", "path": "/metadata/name", "value": "web"},
    {"op": "replace", "path": "/spec/containers/0/image", "value": "nginx:2"},
    {"op": "add", "path": "/metadata/labels/env", "value": "prod"},
    {"op": "remove", "path": "/metadata/labels/tier"},
    {"op": "copy", "from": "/metadata/name", "path": "/metadata/generateName"},
    {"op": "move", "from": "/metadata/generateName", "path": "/metadata/x"},
    {"op": "add", "path": "/spec/containers/-", "value": {"name": "side"}}
  ])"));
  REQUIRE(r.ok());
  CHECK(r->at("spec")["containers"][0]["image"] == "nginx:2");
  CHECK(r->at("spec")["containers"][1]["name"] == "side");
  CHECK(r->at("metadata")["labels"] == Json({{"app", "web"}, {"env", "prod"}}));
  CHECK(r->at("metadata")["x"] == "web");
  CHECK_FALSE(r->at("metadata").contains("generateName"));
}

TEST_CASE("JSON patch documents of the wrong shape are 400", "[patch]") {
  auto obj = ApplyJsonPatch(kPod, Json::parse(R"({"op": "add"})"));
  REQUIRE(obj.status().code() == Code::kBadRequest);
  CHECK(obj.status().message() ==
        "error decoding patch: json: cannot unmarshal object into Go value of "
        "type []handlers.jsonPatchOp");
  auto item = ApplyJsonPatch(kPod, Json::parse(R"(["x"])"));
  CHECK(item.status().message() ==
        "error decoding patch: json: cannot unmarshal string into Go value of "
        "type handlers.jsonPatchOp");
  auto field =
      ApplyJsonPatch(kPod, Json::parse(R"([{"op": 1, "path": "/a"}])"));
  CHECK(field.status().message() ==
        "error decoding patch: json: cannot unmarshal number into Go struct "
        "field jsonPatchOp.op of type string");
  Json many = Json::array();
  for (int i = 0; i < 10001; ++i) {
    many.push_back({{"op", "test"}, {"path", "/kind"}, {"value", "Pod"}});
  }
  auto big = ApplyJsonPatch(kPod, many);
  CHECK(big.status().code() == Code::kRequestEntityTooLarge);
  CHECK(big.status().message() ==
        "Request entity too large: The allowed maximum operations in a JSON "
        "patch is 10000, got 10001");
}

TEST_CASE("JSON patch operations that fail are 422 with kube's wording",
          "[patch]") {
  const char* failing[] = {
      R"([{"op": "remove", "path": "/metadata/missing"}])",
      R"([{"op": "replace", "path": "/spec/nope/x", "value": 1}])",
      R"([{"op": "test", "path": "/metadata/name", "value": "other"}])",
      R"([{"op": "frobnicate", "path": "/metadata/name"}])",
      R"([{"op": "add", "path": "/spec/containers/7", "value": {}}])",
  };
  for (const char* p : failing) {
    INFO(p);
    auto r = ApplyJsonPatch(kPod, Json::parse(p));
    REQUIRE(r.status().code() == Code::kInvalid);
    CHECK(r.status().message() ==
          "the server rejected our request due to an error in our request");
  }
}

TEST_CASE("JSON patch edge cases follow evanphx/json-patch", "[patch]") {
  // A missing value is null, not an error.
  auto r = ApplyJsonPatch(kPod, Json::parse(R"([{"op":"add","path":"/x"}])"));
  REQUIRE(r.ok());
  CHECK(r->at("x").is_null());
  // A null document is an empty patch.
  CHECK(*ApplyJsonPatch(kPod, Json()) == kPod);
  // evanphx/json-patch v4 cannot address the root (except to test it).
  auto root = ApplyJsonPatch(
      kPod, Json::parse(R"([{"op":"replace","path":"","value":[1]}])"));
  CHECK(root.status().code() == Code::kInvalid);
  CHECK(ApplyJsonPatch(kPod, Json::parse(R"([{"op":"test","path":"","value":)" +
                                         kPod.dump() + "}]"))
            .ok());
}

TEST_CASE("JSON merge patch merges, deletes with null, replaces lists",
          "[patch]") {
  auto r = ApplyMergePatch(kPod, Json::parse(R"({
    "metadata": {"labels": {"tier": null, "env": "prod"}},
    "spec": {"containers": [{"name": "x", "image": null, "env": [{"a": null}]}]},
    "status": {"phase": "Running", "gone": null}
  })"));
  REQUIRE(r.ok());
  CHECK(r->at("metadata")["labels"] == Json({{"app", "web"}, {"env", "prod"}}));
  // Nulls inside list items are pruned (evanphx/json-patch), not kept.
  CHECK(r->at("spec")["containers"] ==
        Json::parse(R"([{"name": "x", "env": [{}]}])"));
  CHECK(r->at("status") == Json({{"phase", "Running"}}));
}

TEST_CASE("JSON merge patch that is not an object is rejected", "[patch]") {
  auto arr = ApplyMergePatch(kPod, Json::parse("[1]"));
  REQUIRE(arr.status().code() == Code::kBadRequest);
  CHECK(arr.status().message() ==
        "error decoding patch: json: cannot unmarshal array into Go value of "
        "type map[string]interface {}");
  auto str = ApplyMergePatch(kPod, Json("x"));
  CHECK(str.status().message() ==
        "error decoding patch: json: cannot unmarshal string into Go value of "
        "type map[string]interface {}");
  auto null = ApplyMergePatch(kPod, Json());
  REQUIRE(null.status().code() == Code::kBadRequest);
  CHECK(null.status().message() == "Invalid JSON Patch");
}

TEST_CASE("Go formatting of decoded values", "[patch]") {
  CHECK(GoFormat(Json::parse(R"({"b": [1, "x"], "a": null, "c": true})")) ==
        "map[a:<nil> b:[1 x] c:true]");
  CHECK(GoFormat(Json(1.5)) == "1.5");
  CHECK(GoFormat(Json(1000000.0)) == "1e+06");
  CHECK(GoFormat(Json(123456.0)) == "123456");
  CHECK(GoFormat(Json(0.00001)) == "1e-05");
  CHECK(GoFormat(Json(0.0001)) == "0.0001");
  CHECK(GoTypeName(Json::object()) == "map[string]interface {}");
  CHECK(GoTypeName(Json(3)) == "int64");
  CHECK(GoQuote("a\"b\n") == "\"a\\\"b\\n\"");
  CHECK(GoJsonMarshal(Json({{"k", "<a&b>"}})) ==
        "{\"k\":\"\\u003ca\\u0026b\\u003e\"}");
}

}  // namespace
}  // namespace ksim::apiserver
