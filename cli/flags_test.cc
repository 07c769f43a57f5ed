#include "cli/flags.h"

#include <catch2/catch.hpp>

namespace ksim::cli {
namespace {

struct UpLikeFlags {
  std::string address = "127.0.0.1";
  int port = 6443;
  uint64_t seed = 1;
  int v = 0;
  bool help = false;
  FlagSet set{"ksim up [flags]"};

  UpLikeFlags() {
    set.AddInt("port", &port, "port to serve on");
    set.AddString("address", &address, "address to bind");
    set.AddUint64("seed", &seed, "seed");
    set.AddInt("v", &v, "log verbosity");
    set.AddBool("help", &help, "show help");
  }
};

TEST_CASE("flags: defaults stay when no flag is given", "[cli]") {
  UpLikeFlags f;
  REQUIRE(f.set.Parse({}).ok());
  CHECK(f.port == 6443);
  CHECK(f.address == "127.0.0.1");
  CHECK(f.seed == 1);
  CHECK_FALSE(f.help);
  CHECK(f.set.positional().empty());
}

TEST_CASE("flags: --flag value and --flag=value", "[cli]") {
  UpLikeFlags f;
  REQUIRE(
      f.set.Parse({"--port", "7000", "--address=0.0.0.0", "--seed=42"}).ok());
  CHECK(f.port == 7000);
  CHECK(f.address == "0.0.0.0");
  CHECK(f.seed == 42);
}

TEST_CASE("flags: -v N, --v=N and -v=N", "[cli]") {
  for (std::vector<std::string> args : {std::vector<std::string>{"-v", "4"},
                                        {"--v=4"},
                                        {"-v=4"},
                                        {"--v", "4"}}) {
    UpLikeFlags f;
    REQUIRE(f.set.Parse(args).ok());
    CHECK(f.v == 4);
  }
}

TEST_CASE("flags: a value may contain '=' and start with a dash", "[cli]") {
  UpLikeFlags f;
  REQUIRE(f.set.Parse({"--address=a=b", "--v", "-1"}).ok());
  CHECK(f.address == "a=b");
  CHECK(f.v == -1);
}

TEST_CASE("flags: booleans take no separate value", "[cli]") {
  UpLikeFlags f;
  REQUIRE(f.set.Parse({"--help", "extra"}).ok());
  CHECK(f.help);
  CHECK(f.set.positional() == std::vector<std::string>{"extra"});
  UpLikeFlags g;
  REQUIRE(g.set.Parse({"--help=false"}).ok());
  CHECK_FALSE(g.help);
  base::Status bad = g.set.Parse({"--help=maybe"});
  CHECK(bad.message() ==
        "invalid argument \"maybe\" for \"--help\" flag: not a boolean");
}

TEST_CASE("flags: unknown flags are rejected by name", "[cli]") {
  UpLikeFlags f;
  base::Status s = f.set.Parse({"--port", "1", "--bogus=3"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.code() == base::Code::kBadRequest);
  CHECK(s.message() == "unknown flag: --bogus");
  CHECK(f.set.Parse({"-x"}).message() == "unknown flag: -x");
  CHECK(f.set.Parse({"--=1"}).message() == "unknown flag: --");
}

TEST_CASE("flags: a missing value is an error", "[cli]") {
  UpLikeFlags f;
  base::Status s = f.set.Parse({"--port"});
  REQUIRE_FALSE(s.ok());
  CHECK(s.message() == "flag needs an argument: --port");
}

TEST_CASE("flags: numbers are checked", "[cli]") {
  UpLikeFlags f;
  CHECK(f.set.Parse({"--port=12x"}).message() ==
        "invalid argument \"12x\" for \"--port\" flag: not an integer");
  CHECK(f.set.Parse({"--port="}).message() ==
        "invalid argument \"\" for \"--port\" flag: not an integer");
  CHECK(f.set.Parse({"--port", "99999999999"}).message() ==
        "invalid argument \"99999999999\" for \"--port\" flag: value out of "
        "range");
  CHECK(f.set.Parse({"--seed=-1"}).message() ==
        "invalid argument \"-1\" for \"--seed\" flag: not an integer");
  REQUIRE(f.set.Parse({"--seed=18446744073709551615"}).ok());
  CHECK(f.seed == 18446744073709551615ULL);
  CHECK(f.port == 6443);  // failed parses did not touch it
}

TEST_CASE("flags: -- ends the flags", "[cli]") {
  UpLikeFlags f;
  REQUIRE(f.set.Parse({"a", "--port=1", "--", "--bogus", "-"}).ok());
  CHECK(f.port == 1);
  CHECK(f.set.positional() == std::vector<std::string>{"a", "--bogus", "-"});
}

TEST_CASE("flags: usage lists every flag with its default", "[cli]") {
  UpLikeFlags f;
  std::string usage = f.set.Usage();
  CHECK(usage.rfind("Usage: ksim up [flags]\n", 0) == 0);
  CHECK(usage.find("  --port int") != std::string::npos);
  CHECK(usage.find("port to serve on (default 6443)") != std::string::npos);
  CHECK(usage.find("(default \"127.0.0.1\")") != std::string::npos);
  CHECK(usage.find("  -v, --v int") != std::string::npos);
  CHECK(usage.find("  --help ") != std::string::npos);
}

}  // namespace
}  // namespace ksim::cli
