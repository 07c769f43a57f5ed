#include "apiserver/field_set.h"

#include <catch2/catch.hpp>

namespace ksim::apiserver {
namespace {

using base::Json;

PathElement F(const char* n) { return PathElement::Field(n); }
PathElement K(const char* json) { return PathElement::Key(Json::parse(json)); }

TEST_CASE("path elements serialize as fieldsV1 keys and print as SMD",
          "[apply]") {
  CHECK(F("spec").Serialize() == "f:spec");
  CHECK(K(R"({"protocol":"TCP","containerPort":80})").Serialize() ==
        R"(k:{"containerPort":80,"protocol":"TCP"})");
  CHECK(PathElement::Value("x").Serialize() == R"(v:"x")");
  CHECK(PathElement::Index(3).Serialize() == "i:3");
  FieldPath p = {F("spec"), F("containers"), K(R"({"name":"web"})"),
                 F("image")};
  CHECK(PathString(p) == R"(.spec.containers[name="web"].image)");
  CHECK(PathString({F("ports"), K(R"({"port":80,"protocol":"TCP"})")}) ==
        R"(.ports[port=80,protocol="TCP"])");
  CHECK(PathString({F("finalizers"), PathElement::Value("a")}) ==
        R"(.finalizers[="a"])");
  for (const char* s : {"f:a", R"(k:{"name":"x"})", "v:1", "i:0"}) {
    auto pe = PathElement::Deserialize(s);
    REQUIRE(pe.has_value());
    CHECK(pe->Serialize() == s);
  }
  CHECK_FALSE(PathElement::Deserialize("k:[1]").has_value());
  CHECK_FALSE(PathElement::Deserialize("x").has_value());
}

TEST_CASE("elements order as fieldpath: fields, keys, values, indices",
          "[apply]") {
  CHECK(F("z") < K(R"({"a":1})"));
  CHECK(K(R"({"a":1})") < PathElement::Value(0));
  CHECK(PathElement::Value("a") < PathElement::Index(0));
  // Keys compare by value, numbers numerically (not as strings).
  CHECK(K(R"({"port":80})") < K(R"({"port":443})"));
  CHECK(K(R"({"port":443})") < K(R"({"port":8080})"));
  CHECK(CompareValues(Json(1), Json(1.0)) == 0);
  CHECK(CompareValues(Json(2), Json("1")) < 0);  // numbers before strings
}

TEST_CASE("fieldsV1 encoding round-trips", "[apply]") {
  FieldSet s;
  s.Insert({F("metadata"), F("labels"), F("app")});
  s.Insert({F("spec"), F("containers"), K(R"({"name":"web"})")});
  s.Insert({F("spec"), F("containers"), K(R"({"name":"web"})"), F("image")});
  Json want = Json::parse(R"({"f:metadata":{"f:labels":{"f:app":{}}},
    "f:spec":{"f:containers":{"k:{\"name\":\"web\"}":{".":{},"f:image":{}}}}})");
  CHECK(s.ToJson() == want);
  auto back = FieldSet::FromJson(want);
  REQUIRE(back.ok());
  CHECK(*back == s);
  CHECK(back->Has({F("spec"), F("containers"), K(R"({"name":"web"})")}));
  CHECK_FALSE(back->Has({F("spec"), F("containers")}));
  // Unknown element types are skipped; malformed ones are errors.
  CHECK(FieldSet::FromJson(Json::parse(R"({"z:x":{},"f:a":{}})"))->ToJson() ==
        Json::parse(R"({"f:a":{}})"));
  CHECK_FALSE(FieldSet::FromJson(Json::parse(R"({"k:nope":{}})")).ok());
}

TEST_CASE("set algebra", "[apply]") {
  FieldSet a, b;
  a.Insert({F("spec"), F("replicas")});
  a.Insert({F("spec"), F("template"), F("x")});
  a.Insert({F("status")});
  b.Insert({F("spec"), F("replicas")});
  b.Insert({F("spec"), F("paused")});
  CHECK(a.Intersection(b).ToJson() ==
        Json::parse(R"({"f:spec":{"f:replicas":{}}})"));
  CHECK(a.Difference(b).ToJson() ==
        Json::parse(R"({"f:spec":{"f:template":{"f:x":{}}},"f:status":{}})"));
  CHECK(a.Union(b).ToJson() ==
        Json::parse(R"({"f:spec":{"f:paused":{},"f:replicas":{},
                        "f:template":{"f:x":{}}},"f:status":{}})"));
  FieldSet spec;
  spec.Insert({F("spec")});
  // Difference only removes members; RecursiveDifference whole subtrees.
  CHECK(a.Difference(spec) == a);
  CHECK(a.RecursiveDifference(spec).ToJson() ==
        Json::parse(R"({"f:status":{}})"));
  std::vector<std::string> order;
  a.Iterate([&](const FieldPath& p) { order.push_back(PathString(p)); });
  CHECK(order == std::vector<std::string>{".status", ".spec.replicas",
                                          ".spec.template.x"});
}

TEST_CASE("in-place set algebra matches the copying one", "[apply]") {
  auto make = [](std::initializer_list<FieldPath> paths) {
    FieldSet s;
    for (const FieldPath& p : paths) s.Insert(p);
    return s;
  };
  std::vector<FieldSet> sets = {
      FieldSet(),
      make({{F("spec")}, {F("status")}}),
      make({{F("spec"), F("replicas")},
            {F("spec"), F("template"), F("x")},
            {F("status")},
            {F("metadata"), F("labels"), F("app")}}),
      make({{F("spec"), F("replicas")},
            {F("spec"), F("paused")},
            {F("spec"), F("template")},
            {F("metadata"), F("labels")},
            {F("a"), K(R"({"name":"web"})"), F("image")}}),
      make({{F("a"), K(R"({"name":"web"})")},
            {F("a"), K(R"({"name":"db"})"), F("image")},
            {F("spec"), F("template"), F("x")}}),
  };
  for (const FieldSet& a : sets) {
    for (const FieldSet& b : sets) {
      FieldSet u = a, d = a, r = a;
      u.UnionWith(b);
      d.DifferenceWith(b);
      r.RecursiveDifferenceWith(b);
      CHECK(u == a.Union(b));
      CHECK(d == a.Difference(b));
      CHECK(r == a.RecursiveDifference(b));
    }
  }
}

TEST_CASE("a subtree inserts as its paths would", "[apply]") {
  FieldSet below;
  below.Insert({F("image")});
  below.Insert({F("ports"), K(R"({"containerPort":80})")});
  FieldSet got;
  got.Insert({F("spec"), F("replicas")});
  got.InsertWithChildren({F("spec"), F("containers"), K(R"({"name":"w"})")},
                         below);
  got.InsertWithChildren({F("spec"), F("paused")}, FieldSet());
  FieldSet want;
  for (const FieldPath& p : std::initializer_list<FieldPath>{
           {F("spec"), F("replicas")},
           {F("spec"), F("paused")},
           {F("spec"), F("containers"), K(R"({"name":"w"})")},
           {F("spec"), F("containers"), K(R"({"name":"w"})"), F("image")},
           {F("spec"), F("containers"), K(R"({"name":"w"})"), F("ports"),
            K(R"({"containerPort":80})")}}) {
    want.Insert(p);
  }
  CHECK(got == want);
}

}  // namespace
}  // namespace ksim::apiserver
