#include "base/status.h"

#include <catch2/catch.hpp>

#include "base/clock.h"
#include "base/rng.h"

namespace ksim::base {
namespace {

StatusOr<int> Half(int x) {
  if (x % 2) return BadRequest("odd");
  return x / 2;
}

Status UseHalf(int x, int* out) {
  KSIM_ASSIGN_OR_RETURN(*out, Half(x));
  return Status::Ok();
}

TEST_CASE("StatusOr carries a value or an error") {
  int v = 0;
  REQUIRE(UseHalf(4, &v).ok());
  REQUIRE(v == 2);
  Status s = UseHalf(3, &v);
  REQUIRE(s.code() == Code::kBadRequest);
  REQUIRE(s.ToString() == "BadRequest: odd");
  REQUIRE(HttpCodeOf(Code::kExpired) == 410);
  REQUIRE(std::string(ReasonOf(Code::kInternal)) == "InternalError");
}

TEST_CASE("RFC 3339 round trip and HumanDuration") {
  auto t = ParseRfc3339("2025-11-24T19:03:54Z");
  REQUIRE(t.has_value());
  REQUIRE(FormatRfc3339(*t) == "2025-11-24T19:03:54Z");
  auto m = ParseRfc3339("2025-11-24T19:03:54.123456Z");
  REQUIRE(FormatRfc3339Micro(*m) == "2025-11-24T19:03:54.123456Z");
  auto off = ParseRfc3339("2025-11-24T21:03:54+02:00");
  REQUIRE(*off == *t);
  REQUIRE_FALSE(ParseRfc3339("yesterday").has_value());
  using namespace std::chrono;
  REQUIRE(HumanDuration(seconds(45)) == "45s");
  REQUIRE(HumanDuration(seconds(330)) == "5m30s");
  REQUIRE(HumanDuration(minutes(95)) == "95m");
  REQUIRE(HumanDuration(minutes(200)) == "3h20m");
  REQUIRE(HumanDuration(hours(30)) == "30h");
  REQUIRE(HumanDuration(hours(76)) == "3d4h");
  REQUIRE(HumanDuration(hours(24 * 120)) == "120d");
}

TEST_CASE("Rng is deterministic per seed") {
  Rng a(42), b(42), c(43);
  std::string ua = a.Uuid(), ub = b.Uuid();
  REQUIRE(ua == ub);
  REQUIRE(ua != c.Uuid());
  REQUIRE(ua.size() == 36);
  REQUIRE(ua[14] == '4');
  std::string s = a.KubeString(5);
  REQUIRE(s.size() == 5);
  REQUIRE(s.find_first_not_of("bcdfghjklmnpqrstvwxz2456789") ==
          std::string::npos);
  for (int i = 0; i < 1000; ++i) REQUIRE(a.Uniform(7) < 7);
}

}  // namespace
}  // namespace ksim::base
