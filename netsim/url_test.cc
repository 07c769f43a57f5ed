#include "netsim/url.h"

#include <catch2/catch.hpp>

namespace ksim::netsim {
namespace {

TEST_CASE("URLs as curl reads them", "[netsim]") {
  auto u = ParseUrl("10.244.1.5:8080");
  REQUIRE(u.ok());
  CHECK(u->scheme == "http");
  CHECK(u->host == "10.244.1.5");
  CHECK(u->port == 8080);
  CHECK(u->target == "/");
  CHECK(HostHeader(*u) == "10.244.1.5:8080");

  u = ParseUrl("http://WebApp.default/a/b?x=1#frag");
  REQUIRE(u.ok());
  CHECK(u->host == "webapp.default");
  CHECK(u->port == 80);
  CHECK(u->target == "/a/b?x=1");
  CHECK(HostHeader(*u) == "webapp.default");

  u = ParseUrl("http://h:80?q");
  REQUIRE(u.ok());
  CHECK(u->target == "/?q");
  CHECK(HostHeader(*u) == "h");

  u = ParseUrl("https://h/");
  REQUIRE(u.ok());
  CHECK(u->port == 443);

  CHECK(ParseUrl("ftp://h/").status().message() ==
        "Protocol \"ftp\" not supported");
  CHECK_FALSE(ParseUrl("http://h:99999/").ok());
  CHECK_FALSE(ParseUrl("http://:80/").ok());
}

}  // namespace
}  // namespace ksim::netsim
