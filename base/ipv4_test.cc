#include "base/ipv4.h"

#include <catch2/catch.hpp>

namespace ksim::base {
namespace {

TEST_CASE("IPv4 addresses parse and format", "[ipv4]") {
  CHECK(ParseIpv4("10.1.2.3") == 0x0A010203u);
  CHECK(ParseIpv4("255.255.255.255") == 0xFFFFFFFFu);
  CHECK(FormatIpv4(0x0A010203u) == "10.1.2.3");
  for (const char* bad : {"", "10.1.2", "10.1.2.3.4", "10.1.2.256", "a.b.c.d",
                          "10.1.2.3 ", "10..2.3", "1000.1.2.3"}) {
    INFO(bad);
    CHECK_FALSE(ParseIpv4(bad).has_value());
  }
}

TEST_CASE("IPv4 CIDRs", "[ipv4]") {
  auto c = ParseIpv4Cidr("10.244.3.7/16");
  REQUIRE(c.has_value());
  CHECK(c->prefix == 16);
  CHECK(FormatIpv4(c->Network()) == "10.244.0.0");
  CHECK(FormatIpv4(c->Broadcast()) == "10.244.255.255");
  CHECK(ParseIpv4Cidr("0.0.0.0/0")->Mask() == 0);
  for (const char* bad : {"10.0.0.0", "10.0.0.0/33", "10.0.0.0/", "10.0.0/8",
                          "10.0.0.0/8x"}) {
    INFO(bad);
    CHECK_FALSE(ParseIpv4Cidr(bad).has_value());
  }
}

}  // namespace
}  // namespace ksim::base
