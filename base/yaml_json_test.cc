#include "base/yaml_json.h"

#include <catch2/catch.hpp>

namespace ksim::base {
namespace {

TEST_CASE("YAML scalars are typed like YAML 1.2", "[yaml]") {
  auto j = ParseYaml(
      "a: 1\nb: \"1\"\nc: true\nd: ~\ne: 1.5\nf: web\ng: [x, 2]\nh: {}\n");
  REQUIRE(j.ok());
  REQUIRE((*j)["a"] == 1);
  REQUIRE((*j)["b"] == "1");
  REQUIRE((*j)["c"] == true);
  REQUIRE((*j)["d"].is_null());
  REQUIRE((*j)["e"] == 1.5);
  REQUIRE((*j)["f"] == "web");
  REQUIRE((*j)["g"] == Json::array({"x", 2}));
  REQUIRE((*j)["h"] == Json::object());
  REQUIRE(ParseYaml("a: [1,").status().code() == Code::kBadRequest);
}

}  // namespace
}  // namespace ksim::base
