#include "apiserver/object_codec.h"

#include <catch2/catch.hpp>

namespace ksim::apiserver {
namespace {

TEST_CASE("resourceVersion is spliced into the top-level metadata",
          "[codec]") {
  REQUIRE(WithResourceVersion(R"({"kind":"Pod","metadata":{"name":"a"}})", 7) ==
          R"({"kind":"Pod","metadata":{"resourceVersion":"7","name":"a"}})");
  REQUIRE(WithResourceVersion(R"({"metadata":{}})", 3) ==
          R"({"metadata":{"resourceVersion":"3"}})");
  // A "metadata" key nested before the top-level one is skipped, and so are
  // look-alikes inside strings.
  std::string tricky =
      R"({"a":{"metadata":{"x":1}},"b":"\"metadata\":{","metadata":{"n":1}})";
  auto parsed = base::Json::parse(WithResourceVersion(tricky, 9));
  REQUIRE(parsed["metadata"]["resourceVersion"] == "9");
  REQUIRE_FALSE(parsed["a"]["metadata"].contains("resourceVersion"));
  REQUIRE(WithResourceVersion(R"({"kind":"X"})", 1) == R"({"kind":"X"})");
}

TEST_CASE("storage encoding drops resourceVersion; keys by scope", "[codec]") {
  base::Json obj = {{"metadata", {{"name", "a"}, {"resourceVersion", "5"}}}};
  REQUIRE(EncodeForStorage(obj) == R"({"metadata":{"name":"a"}})");
  // Empty omitempty collections of ObjectMeta are dropped, as Go does.
  base::Json empty = {{"metadata", {{"name", "a"},
                                    {"labels", base::Json::object()},
                                    {"finalizers", base::Json::array()}}}};
  REQUIRE(EncodeForStorage(empty) == R"({"metadata":{"name":"a"}})");
  const ResourceInfo* pods = FindResource("", "v1", "pods");
  const ResourceInfo* deploy = FindResource("apps", "v1", "deployments");
  const ResourceInfo* nodes = FindResource("", "v1", "nodes");
  REQUIRE(ObjectKey(*pods, "default", "x") == "/registry/pods/default/x");
  REQUIRE(ObjectKey(*deploy, "ns", "d") == "/registry/deployments.apps/ns/d");
  REQUIRE(ObjectKey(*nodes, "", "n1") == "/registry/nodes/n1");
  REQUIRE(ResourceOfKey("/registry/deployments.apps/ns/d") == deploy);
  REQUIRE(ResourceOfKey("/elsewhere/x") == nullptr);
}

}  // namespace
}  // namespace ksim::apiserver
