#include "apiserver/field_errors.h"

#include <catch2/catch.hpp>

#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

TEST_CASE("field error bodies use kube 1.32 wording", "[fielderrors]") {
  CHECK(Required("spec.ports").ToString() == "spec.ports: Required value");
  CHECK(Required("metadata.name", "name or generateName is required")
            .ToString() ==
        "metadata.name: Required value: name or generateName is required");
  CHECK(
      NotSupported("spec.type", "Foo",
                   {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"})
          .ToString() ==
      "spec.type: Unsupported value: \"Foo\": supported values: \"ClusterIP\", "
      "\"ExternalName\", \"LoadBalancer\", \"NodePort\"");
  CHECK(TooLong("metadata.annotations", "", 262144).ToString() ==
        "metadata.annotations: Too long: may not be more than 262144 bytes");
  CHECK(TooMany("endpoints", 1001, 1000).Body() ==
        "Too many: 1001: must have at most 1000 items");
  CHECK(TooMany("x", -1, 3).Body() == "Too many: must have at most 3 items");
  CHECK(Forbidden("spec", "nope").Body() == "Forbidden: nope");
  CHECK(Duplicate("spec.containers[1].name", "a").ToString() ==
        "spec.containers[1].name: Duplicate value: \"a\"");
  CHECK(
      NotFoundField("spec.containers[0].volumeMounts[0].name", "data").Body() ==
      "Not found: \"data\"");
  CHECK(InternalError("spec", "boom").Body() == "Internal error: boom");
}

TEST_CASE("bad values print as Go's fmt prints them", "[fielderrors]") {
  CHECK(Invalid("spec.replicas", -1, "must be greater than or equal to 0")
            .ToString() ==
        "spec.replicas: Invalid value: -1: must be greater than or equal to 0");
  CHECK(Invalid("x", true, "d").Body() == "Invalid value: true: d");
  CHECK(Invalid("x", 0.5, "d").Body() == "Invalid value: 0.5: d");
  CHECK(Invalid("x", 1e21, "d").Body() == "Invalid value: 1e+21: d");
  // A nil value prints as the quoted string "null" in 1.32.
  CHECK(Invalid("x", nullptr, "d").Body() == "Invalid value: \"null\": d");
  CHECK(InvalidGo("spec.clusterIPs[0]", "[]string{\"10.0.0.2\"}",
                  "may not change once set")
            .ToString() ==
        "spec.clusterIPs[0]: Invalid value: []string{\"10.0.0.2\"}: may not "
        "change once set");
}

TEST_CASE("strconv.Quote escapes like Go", "[fielderrors]") {
  CHECK(StrconvQuote("a\tb\"c\\") == "\"a\\tb\\\"c\\\\\"");
  CHECK(StrconvQuote("\x01") == "\"\\x01\"");
  CHECK(StrconvQuote("\xff") == "\"\\xff\"");
  CHECK(StrconvQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");  // printable kept
  CHECK(StrconvQuote("\xc2\xa0") == "\"\\u00a0\"");         // NBSP is not
  CHECK(StrconvQuote("\xf3\xa0\x80\x81") == "\"\\U000e0001\"");
}

TEST_CASE("Go renderings of lists and structs", "[fielderrors]") {
  Json list = {"a", "b"};
  CHECK(GoStringSlice(&list) == "[]string{\"a\", \"b\"}");
  CHECK(GoStringSlice(nullptr) == "[]string(nil)");
  Json map = {{"b", "2"}, {"a", "1"}};
  CHECK(GoStringMap(&map) == "map[string]string{\"a\":\"1\", \"b\":\"2\"}");
  CHECK(GoIntOrString(0) ==
        "intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}");
  CHECK(GoIntOrString("25%") ==
        "intstr.IntOrString{Type:1, IntVal:0, StrVal:\"25%\"}");
  Json sel = {{"matchLabels", {{"app", "x"}}}};
  CHECK(GoLabelSelector(&sel) ==
        "v1.LabelSelector{MatchLabels:map[string]string{\"app\":\"x\"}, "
        "MatchExpressions:[]v1.LabelSelectorRequirement(nil)}");
  Json exprs = {{"matchExpressions",
                 {{{"key", "tier"}, {"operator", "In"}, {"values", {"a"}}}}}};
  CHECK(GoLabelSelector(&exprs) ==
        "v1.LabelSelector{MatchLabels:map[string]string(nil), "
        "MatchExpressions:[]v1.LabelSelectorRequirement{v1."
        "LabelSelectorRequirement{"
        "Key:\"tier\", Operator:\"In\", Values:[]string{\"a\"}}}}");
}

TEST_CASE("field paths print as field.Path does", "[fielderrors]") {
  CHECK(Child("", "spec") == "spec");
  CHECK(Child(Index(Child("spec", "ports"), 2), "port") ==
        "spec.ports[2].port");
  CHECK(Key("data", "a.b") == "data[a.b]");
}

TEST_CASE("NewInvalid: message, causes and details", "[fielderrors]") {
  base::Status s =
      ToInvalidStatus("", "Service", "badsvc", {Required("spec.ports")});
  CHECK(s.code() == base::Code::kInvalid);
  CHECK(s.message() ==
        "Service \"badsvc\" is invalid: spec.ports: Required value");
  REQUIRE(s.details() != nullptr);
  CHECK(s.details()->kind == "Service");
  CHECK(s.details()->group.empty());
  CHECK(s.details()->name == "badsvc");
  REQUIRE(s.details()->causes.size() == 1);
  CHECK(s.details()->causes[0].reason == "FieldValueRequired");
  CHECK(s.details()->causes[0].message == "Required value");
  CHECK(s.details()->causes[0].field == "spec.ports");

  base::Status two = ToInvalidStatus(
      "apps", "Deployment", "web",
      {Invalid("spec.replicas", -1, "must be greater than or equal to 0"),
       Required("spec.selector")});
  CHECK(two.message() ==
        "Deployment.apps \"web\" is invalid: [spec.replicas: Invalid value: "
        "-1: must "
        "be greater than or equal to 0, spec.selector: Required value]");
  CHECK(two.details()->group == "apps");
  CHECK(two.details()->causes[1].reason == "FieldValueRequired");

  // Repeated messages print once; every cause stays.
  base::Status dup = ToInvalidStatus(
      "", "Pod", "p",
      {Required("spec.containers"), Required("spec.containers")});
  CHECK(dup.message() ==
        "Pod \"p\" is invalid: spec.containers: Required value");
  CHECK(dup.details()->causes.size() == 2);
}

}  // namespace
}  // namespace ksim::apiserver
