#include "apiserver/selector.h"

#include <catch2/catch.hpp>

#include "apiserver/selector_internal.h"

namespace ksim::apiserver {
namespace {

using base::Json;

std::string ParseError(std::string_view s) {
  auto sel = LabelSelector::Parse(s);
  REQUIRE_FALSE(sel.ok());
  CHECK(sel.status().code() == base::Code::kBadRequest);
  return sel.status().message();
}

std::string Canonical(std::string_view s) {
  auto sel = LabelSelector::Parse(s);
  REQUIRE(sel.ok());
  return sel->String();
}

const char* kNameMsg =
    "name part must consist of alphanumeric characters, '-', '_' or '.', and "
    "must start and end with an alphanumeric character (e.g. 'MyName',  or "
    "'my.name',  or '123-abc', regex used for validation is "
    "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')";
const char* kValueMsg =
    "a valid label must be an empty string or consist of alphanumeric "
    "characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
    "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')";

TEST_CASE("label selector canonical strings", "[selector]") {
  CHECK(Canonical("") == "");
  CHECK(Canonical("   ") == "");
  CHECK(Canonical("app=web") == "app=web");
  CHECK(Canonical("x in (b,a,a)") == "x in (a,b)");
  CHECK(Canonical("tier!=db,app==web,!legacy,partition") ==
        "app==web,!legacy,partition,tier!=db");
  CHECK(Canonical("x in ()") == "x in ()");
  CHECK(Canonical("x in (,a)") == "x in (,a)");
  CHECK(Canonical("x notin (a,,b)") == "x notin (,a,b)");
  CHECK(Canonical("a=") == "a=");
  CHECK(Canonical("  a  =  b  , c in ( d , e ) ") == "a=b,c in (d,e)");
  CHECK(Canonical("in in (in),notin notin (notin)") ==
        "in in (in),notin notin (notin)");
  CHECK(Canonical("example.com/app=web,x>3,y<2") ==
        "example.com/app=web,x>3,y<2");
  // Sorting by key is stable: same-key requirements keep their order.
  CHECK(Canonical("b,a!=2,a=1") == "a!=2,a=1,b");
}

TEST_CASE("label selector matching", "[selector]") {
  auto m = [](std::string_view sel, const StringMap& labels) {
    auto s = LabelSelector::Parse(sel);
    REQUIRE(s.ok());
    return s->Matches(labels);
  };
  CHECK(m("", {}));
  CHECK(m("app=web", {{"app", "web"}, {"x", "y"}}));
  CHECK_FALSE(m("app=web", {{"app", "db"}}));
  CHECK_FALSE(m("app=web", {}));
  CHECK(m("app!=web", {}));
  CHECK(m("env in (a,b)", {{"env", "b"}}));
  CHECK_FALSE(m("env in (a,b)", {}));
  CHECK(m("env notin (a,b)", {}));
  CHECK_FALSE(m("env notin (a,b)", {{"env", "a"}}));
  CHECK(m("partition", {{"partition", ""}}));
  CHECK_FALSE(m("!partition", {{"partition", ""}}));
  CHECK(m("x in ()", {{"x", ""}}));
  CHECK(m("x>3", {{"x", "5"}}));
  CHECK_FALSE(m("x>3", {{"x", "3"}}));
  CHECK_FALSE(m("x>3", {{"x", "abc"}}));
  CHECK_FALSE(m("x>3", {}));
  CHECK(m("x<3", {{"x", "-7"}}));
  CHECK_FALSE(m("x<3", {{"x", "99999999999999999999"}}));
  CHECK(m("app=web,tier in (fe)", {{"app", "web"}, {"tier", "fe"}}));
  CHECK_FALSE(m("app=web,tier in (fe)", {{"app", "web"}}));
}

TEST_CASE("label selector grammar errors", "[selector]") {
  CHECK(ParseError("a in") ==
        "unable to parse requirement: found '' expected: '('");
  CHECK(ParseError("a in b") ==
        "unable to parse requirement: found 'b' expected: '('");
  CHECK(ParseError("a in (b") ==
        "unable to parse requirement: found '', expected: ',' or ')'");
  CHECK(ParseError("a in (b c)") ==
        "unable to parse requirement: found 'c', expected: ',' or ')'");
  CHECK(ParseError("a in (=)") ==
        "unable to parse requirement: found '=', expected: ',', ')' or "
        "identifier");
  CHECK(ParseError("a b") ==
        "unable to parse requirement: found 'b', expected: in, notin, =, ==, "
        "!=, gt, lt");
  CHECK(ParseError("a!b") ==
        "unable to parse requirement: found '!', expected: in, notin, =, ==, "
        "!=, gt, lt");
  CHECK(ParseError("a=(b)") ==
        "unable to parse requirement: found '(', expected: identifier");
  CHECK(ParseError("!=a") ==
        "found '!=', expected: !, identifier, or 'end of string'");
  CHECK(ParseError("!,a") ==
        "unable to parse requirement: found ',', expected: identifier");
  CHECK(ParseError("=a") ==
        "found '=', expected: !, identifier, or 'end of string'");
  CHECK(ParseError("a=b,") == "found '', expected: identifier after ','");
  CHECK(ParseError("a=b c") == "found 'c', expected: ',' or 'end of string'");
  CHECK(ParseError("!a=b") == "found '=', expected: ',' or 'end of string'");
}

TEST_CASE("label selector validation errors", "[selector]") {
  CHECK(ParseError("-a=b") ==
        std::string("unable to parse requirement: <nil>: Invalid value: "
                    "\"-a\": ") +
            kNameMsg);
  CHECK(ParseError("a=b_") ==
        std::string("unable to parse requirement: values[0][a]: Invalid "
                    "value: \"b_\": ") +
            kValueMsg);
  CHECK(ParseError("x>abc") ==
        "unable to parse requirement: values[0]: Invalid value: \"abc\": for "
        "'Gt', 'Lt' operators, the value must be an integer");
  // A negative bound parses as an integer but is not a valid label value.
  CHECK(ParseError("y<-2") ==
        std::string("unable to parse requirement: values[0][y]: Invalid "
                    "value: \"-2\": ") +
            kValueMsg);
  CHECK(ParseError("x>a_") ==
        std::string("unable to parse requirement: [values[0]: Invalid value: "
                    "\"a_\": for 'Gt', 'Lt' operators, the value must be an "
                    "integer, values[0][x]: Invalid value: \"a_\": ") +
            kValueMsg + "]");
  CHECK(ParseError("Foo.com/a") ==
        "unable to parse requirement: <nil>: Invalid value: \"Foo.com/a\": "
        "prefix part a lowercase RFC 1123 subdomain must consist of lower "
        "case alphanumeric characters, '-' or '.', and must start and end "
        "with an alphanumeric character (e.g. 'example.com', regex used for "
        "validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  CHECK(ParseError("/a") ==
        "unable to parse requirement: <nil>: Invalid value: \"/a\": prefix "
        "part must be non-empty");
  CHECK(ParseError("a/") ==
        std::string("unable to parse requirement: <nil>: Invalid value: "
                    "\"a/\": name part must be non-empty; ") +
            kNameMsg);
  CHECK(ParseError("a/b/c") ==
        "unable to parse requirement: <nil>: Invalid value: \"a/b/c\": a "
        "qualified name must consist of alphanumeric characters, '-', '_' or "
        "'.', and must start and end with an alphanumeric character (e.g. "
        "'MyName',  or 'my.name',  or '123-abc', regex used for validation "
        "is '([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]') with an optional DNS "
        "subdomain prefix and '/' (e.g. 'example.com/MyName')");
  CHECK(ParseError(std::string(64, 'a')) ==
        "unable to parse requirement: <nil>: Invalid value: \"" +
            std::string(64, 'a') +
            "\": name part must be no more than 63 characters");
  CHECK(LabelSelector::Parse(std::string(63, 'a') + "=" + std::string(63, 'b'))
            .ok());
}

TEST_CASE("label selector from metav1.LabelSelector", "[selector]") {
  auto from = [](const char* text) {
    return LabelSelector::FromJson(Json::parse(text));
  };
  auto empty = from("{}");
  REQUIRE(empty.ok());
  CHECK(empty->Empty());
  CHECK(empty->Matches({{"a", "b"}}));

  auto nothing = LabelSelector::FromJson(Json());
  REQUIRE(nothing.ok());
  CHECK_FALSE(nothing->Empty());
  CHECK_FALSE(nothing->Matches({}));
  CHECK(nothing->String() == "");

  auto full = from(
      R"({"matchLabels":{"tier":"fe","app":"web"},
          "matchExpressions":[{"key":"env","operator":"In","values":["b","a"]},
                              {"key":"app","operator":"Exists"},
                              {"key":"old","operator":"DoesNotExist"},
                              {"key":"zone","operator":"NotIn","values":["x"]}]})");
  REQUIRE(full.ok());
  CHECK(full->String() ==
        "app=web,app,env in (a,b),!old,tier=fe,zone notin (x)");
  CHECK(full->Matches({{"app", "web"}, {"tier", "fe"}, {"env", "a"}}));
  CHECK_FALSE(full->Matches({{"app", "web"}, {"tier", "fe"}, {"env", "c"}}));
  CHECK(full->RequiresExactMatch("app") == "web");
  CHECK(full->RequiresExactMatch("env") == std::nullopt);

  auto bad_op = from(R"({"matchExpressions":[{"key":"a","operator":"Foo"}]})");
  REQUIRE_FALSE(bad_op.ok());
  CHECK(bad_op.status().message() ==
        "\"Foo\" is not a valid label selector operator");
  auto no_values =
      from(R"({"matchExpressions":[{"key":"a","operator":"In","values":[]}]})");
  REQUIRE_FALSE(no_values.ok());
  CHECK(no_values.status().message() ==
        "values: Invalid value: []string(nil): for 'in', 'notin' operators, "
        "values set can't be empty");
  auto exists_values = from(
      R"({"matchExpressions":[{"key":"a","operator":"Exists","values":["x"]}]})");
  REQUIRE_FALSE(exists_values.ok());
  CHECK(exists_values.status().message() ==
        "values: Invalid value: []string{\"x\"}: values set must be empty for "
        "exists and does not exist");
  auto bad_key = from(R"({"matchLabels":{"a b":"c"}})");
  REQUIRE_FALSE(bad_key.ok());
  CHECK(bad_key.status().message() ==
        std::string("key: Invalid value: \"a b\": ") + kNameMsg);
}

TEST_CASE("label selector from a set", "[selector]") {
  LabelSelector sel = LabelSelector::FromSet({{"tier", "fe"}, {"app", "web"}});
  CHECK(sel.String() == "app=web,tier=fe");
  CHECK(sel.Matches({{"app", "web"}, {"tier", "fe"}, {"x", "y"}}));
  CHECK_FALSE(sel.Matches({{"app", "web"}}));
  CHECK(LabelSelector::FromSet({}).Empty());
  CHECK(LabelSelector::FromSet({}).Matches({{"a", "b"}}));
}

TEST_CASE("field selector parsing and matching", "[selector]") {
  auto parse = [](std::string_view s) {
    auto f = FieldSelector::Parse(s);
    REQUIRE(f.ok());
    return *f;
  };
  FieldSelector name = parse("metadata.name=webapp");
  CHECK(name.Matches({{"metadata.name", "webapp"}}));
  CHECK_FALSE(name.Matches({{"metadata.name", "other"}}));
  CHECK_FALSE(name.Matches({}));
  CHECK(name.RequiresExactMatch("metadata.name") == "webapp");

  CHECK(parse("b=1,a!=2").String() == "a!=2,b=1");
  CHECK(parse("a==b").String() == "a=b");
  CHECK(parse("spec.nodeName=").Matches({}));
  CHECK_FALSE(parse("spec.nodeName!=").Matches({}));
  CHECK(parse("status.phase!=Running").Matches({}));
  CHECK(parse("").Empty());
  CHECK(parse("=").Empty());
  CHECK(parse(",a=b,").terms().size() == 1);

  FieldSelector escaped = parse("a=x\\,y\\=z\\\\");
  REQUIRE(escaped.terms().size() == 1);
  CHECK(escaped.terms()[0].value == "x,y=z\\");
  CHECK(escaped.String() == "a=x\\,y\\=z\\\\");
  CHECK(escaped.Matches({{"a", "x,y=z\\"}}));

  // kubectl describe sends the involvedObject terms in random order.
  const char* kTerms[] = {
      "involvedObject.kind=Service,involvedObject.uid=U1,"
      "involvedObject.name=webapp,involvedObject.namespace=default",
      "involvedObject.namespace=default,involvedObject.name=webapp,"
      "involvedObject.uid=U1,involvedObject.kind=Service"};
  CHECK(parse(kTerms[0]).String() == parse(kTerms[1]).String());
  CHECK(parse(kTerms[1]).Matches({{"involvedObject.kind", "Service"},
                                  {"involvedObject.uid", "U1"},
                                  {"involvedObject.name", "webapp"},
                                  {"involvedObject.namespace", "default"}}));
}

TEST_CASE("field selector errors", "[selector]") {
  auto err = [](std::string_view s) {
    auto f = FieldSelector::Parse(s);
    REQUIRE_FALSE(f.ok());
    CHECK(f.status().code() == base::Code::kBadRequest);
    return f.status().message();
  };
  CHECK(err("a") == "invalid selector: 'a'; can't understand 'a'");
  CHECK(err("x=1,b") == "invalid selector: 'x=1,b'; can't understand 'b'");
  CHECK(err("a=b=c") ==
        "invalid field selector: unescaped character in value: 61");
  CHECK(err("a=b\\x") ==
        "invalid field selector: invalid escape sequence: \\x");
  CHECK(err("a=b\\") == "invalid field selector: invalid escape sequence: \\");
}

TEST_CASE("Go %q quoting for messages", "[selector]") {
  using selector_internal::GoQuote;
  CHECK(GoQuote("abc") == "\"abc\"");
  CHECK(GoQuote("a\"b\\c") == "\"a\\\"b\\\\c\"");
  CHECK(GoQuote("\n\t\x01\x7f") == "\"\\n\\t\\x01\\x7f\"");
  CHECK(GoQuote("caf\xc3\xa9") == "\"caf\xc3\xa9\"");
  CHECK(GoQuote("\xff") == "\"\\xff\"");
  CHECK(GoQuote("\xc2\x85") == "\"\\u0085\"");
}

}  // namespace
}  // namespace ksim::apiserver
