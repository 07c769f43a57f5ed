#include "base/encoding.h"

#include <catch2/catch.hpp>

namespace ksim::base {
namespace {

TEST_CASE("base64 round trips and rejects bad input", "[encoding]") {
  REQUIRE(Base64Encode("hello") == "aGVsbG8=");
  REQUIRE(Base64Decode("aGVsbG8=").value() == "hello");
  REQUIRE(Base64Decode("aGVsbG8h").value() == "hello!");
  REQUIRE(Base64Decode("").value().empty());
  REQUIRE_FALSE(Base64Decode("aGVsbG8").has_value());   // length
  REQUIRE_FALSE(Base64Decode("aGV$bG8=").has_value());  // alphabet
  REQUIRE_FALSE(Base64Decode("aG=sbG8=").has_value());  // inner padding
  std::string bin("\xfb\xff\x00\x01", 4);
  REQUIRE(Base64UrlDecode(Base64UrlEncode(bin)).value() == bin);
  REQUIRE(Base64UrlEncode(bin).find_first_of("+/") == std::string::npos);
}

TEST_CASE("sha256 hex", "[encoding]") {
  REQUIRE(Sha256Hex("abc") ==
          "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad");
}

}  // namespace
}  // namespace ksim::base
