#include "apiserver/validation.h"

#include <catch2/catch.hpp>

namespace ksim::apiserver {
namespace {

std::string Joined(const FieldErrors& errs) {
  std::string out;
  for (const auto& e : errs) out += e.ToString() + "\n";
  return out;
}

TEST_CASE("DNS names", "[validation]") {
  CHECK(IsDNS1123Subdomain("example.com").empty());
  REQUIRE(IsDNS1123Subdomain("Foo_bar").size() == 1);
  CHECK(
      IsDNS1123Subdomain("Foo_bar")[0] ==
      "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
      "characters, '-' or '.', and must start and end with an alphanumeric "
      "character (e.g. 'example.com', regex used for validation is "
      "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')");
  CHECK(IsDNS1123Label("a.b") == Messages{"must not contain dots"});
  Messages long_label = IsDNS1123Label(std::string(64, 'a'));
  CHECK(long_label == Messages{"must be no more than 63 characters"});
  CHECK(IsDNS1123Label("-a")[0] ==
        "a lowercase RFC 1123 label must consist of lower case alphanumeric "
        "characters or '-', and must start and end with an alphanumeric "
        "character "
        "(e.g. 'my-name',  or '123-abc', regex used for validation is "
        "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')");
  CHECK(
      IsDNS1035Label("1svc")[0] ==
      "a DNS-1035 label must consist of lower case alphanumeric characters or "
      "'-', start with an alphabetic character, and end with an alphanumeric "
      "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
      "'[a-z]([-a-z0-9]*[a-z0-9])?')");
  // A generateName may end in a dash.
  CHECK(ValidateName(NameRule::kDNS1123Subdomain, "web-", true).empty());
  CHECK(!ValidateName(NameRule::kDNS1123Subdomain, "web-", false).empty());
  CHECK(ValidateName(NameRule::kPathSegment, "..", false) ==
        Messages{"may not be '..'"});
  CHECK(ValidateName(NameRule::kPathSegment, "a/b%", false) ==
        (Messages{"may not contain '/'", "may not contain '%'"}));
}

TEST_CASE("qualified names and label values", "[validation]") {
  CHECK(IsQualifiedName("app.kubernetes.io/name").empty());
  CHECK(IsQualifiedName("/x") == Messages{"prefix part must be non-empty"});
  Messages m = IsQualifiedName("x/");
  REQUIRE(m.size() == 2);
  CHECK(m[0] == "name part must be non-empty");
  CHECK(
      m[1] ==
      "name part must consist of alphanumeric characters, '-', '_' or '.', and "
      "must start and end with an alphanumeric character (e.g. 'MyName',  or "
      "'my.name',  or '123-abc', regex used for validation is "
      "'([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]')");
  CHECK(IsQualifiedName("a/b/c")[0].rfind("a qualified name must consist of",
                                          0) == 0);
  CHECK(IsQualifiedName("Example.com/x")[0].rfind(
            "prefix part a lowercase RFC 1123 subdomain", 0) == 0);
  CHECK(IsValidLabelValue("").empty());
  CHECK(
      IsValidLabelValue("a b")[0] ==
      "a valid label must be an empty string or consist of alphanumeric "
      "characters, '-', '_' or '.', and must start and end with an "
      "alphanumeric "
      "character (e.g. 'MyValue',  or 'my_value',  or '12345', regex used for "
      "validation is '(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?')");
  CHECK(IsConfigMapKey("..x") == Messages{"must not start with '..'"});
  CHECK(IsConfigMapKey("a b").size() == 1);
}

TEST_CASE("ports, percents, IPs", "[validation]") {
  CHECK(IsValidPortNum(0) ==
        Messages{"must be between 1 and 65535, inclusive"});
  CHECK(IsValidPortNum(65535).empty());
  CHECK(IsValidPortName("http").empty());
  CHECK(IsValidPortName("a--b") ==
        Messages{"must not contain consecutive hyphens"});
  CHECK(IsValidPortName("8080") ==
        Messages{"must contain at least one letter (a-z)"});
  CHECK(IsValidPortName("abcdefghijklmnop") ==
        Messages{"must be no more than 15 characters"});
  CHECK(IsValidPercent("25%").empty());
  CHECK(!IsValidPercent("25").empty());
  CHECK(IsIPv4("10.0.0.1"));
  CHECK(IsIPv4("010.000.0.1"));  // ParseIPSloppy allows leading zeros
  CHECK(!IsIPv4("256.0.0.1"));
  CHECK(IsIPv6("fd00::1"));
  CHECK(!IsIP("10.0.0"));
  CHECK(IsCIDR("10.244.0.0/24"));
  CHECK(!IsCIDR("10.244.0.0/33"));
  CHECK(Joined(ValidateNonSpecialIP("ip", "127.0.0.1")) ==
        "ip: Invalid value: \"127.0.0.1\": may not be in the loopback range "
        "(127.0.0.0/8, ::1/128)\n");
  CHECK(Joined(ValidateIP("ip", "nope")) ==
        "ip: Invalid value: \"nope\": must be a valid IP address, (e.g. "
        "10.9.8.7 or "
        "2001:db8::ffff)\n");
}

TEST_CASE("ValidateObjectMeta", "[validation]") {
  Json obj = {{"metadata", {{"name", "web"}, {"namespace", "default"}}}};
  CHECK(ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain).empty());

  Json unnamed = {{"metadata", {{"namespace", "default"}}}};
  CHECK(
      Joined(ValidateObjectMeta(unnamed, true, NameRule::kDNS1123Subdomain)) ==
      "metadata.name: Required value: name or generateName is required\n");

  Json no_ns = {{"metadata", {{"name", "web"}}}};
  CHECK(Joined(ValidateObjectMeta(no_ns, true, NameRule::kDNS1123Subdomain)) ==
        "metadata.namespace: Required value\n");
  CHECK(Joined(ValidateObjectMeta(obj, false, NameRule::kDNS1123Subdomain)) ==
        "metadata.namespace: Forbidden: not allowed on this type\n");

  Json bad = {{"metadata",
               {{"name", "Web"},
                {"namespace", "default"},
                {"generateName", "Web-"},
                {"labels", {{"a b", "ok"}}},
                {"finalizers", {"foo"}},
                {"ownerReferences",
                 {{{"apiVersion", "v1"}, {"kind", "Pod"}, {"name", "p"}}}}}}};
  FieldErrors errs = ValidateObjectMeta(bad, true, NameRule::kDNS1123Subdomain);
  std::string text = Joined(errs);
  CHECK(text.find("metadata.generateName: Invalid value: \"Web-\": a lowercase "
                  "RFC 1123 "
                  "subdomain") != std::string::npos);
  CHECK(text.find("metadata.name: Invalid value: \"Web\": a lowercase RFC 1123 "
                  "subdomain") != std::string::npos);
  CHECK(text.find("metadata.labels: Invalid value: \"a b\": name part must "
                  "consist of") != std::string::npos);
  CHECK(text.find("metadata.ownerReferences.uid: Invalid value: \"\": uid must "
                  "not be empty") != std::string::npos);
  CHECK(text.find(
            "metadata.finalizers[0]: Invalid value: \"foo\": name is neither a "
            "standard finalizer name nor is it fully qualified") !=
        std::string::npos);

  Json big = {{"metadata",
               {{"name", "a"},
                {"namespace", "n"},
                {"annotations", {{"k", std::string(256 * 1024, 'x')}}}}}};
  CHECK(Joined(ValidateObjectMeta(big, true, NameRule::kDNS1123Subdomain)) ==
        "metadata.annotations: Too long: may not be more than 262144 bytes\n");
}

TEST_CASE("two controller owner references", "[validation]") {
  Json ref = {{"apiVersion", "apps/v1"},
              {"kind", "ReplicaSet"},
              {"uid", "u"},
              {"controller", true}};
  Json a = ref, b = ref;
  a["name"] = "a";
  b["name"] = "b";
  Json obj = {
      {"metadata",
       {{"name", "p"}, {"namespace", "n"}, {"ownerReferences", {a, b}}}}};
  FieldErrors errs = ValidateObjectMeta(obj, true, NameRule::kDNS1123Subdomain);
  REQUIRE(errs.size() == 1);
  CHECK(errs[0].detail ==
        "Only one reference can have Controller set to true. Found \"true\" in "
        "references for ReplicaSet/a and ReplicaSet/b");
}

TEST_CASE("ValidateObjectMetaUpdate", "[validation]") {
  Json old = {{"metadata",
               {{"name", "a"},
                {"namespace", "n"},
                {"uid", "1"},
                {"resourceVersion", "5"},
                {"creationTimestamp", "2025-01-01T00:00:00Z"}}}};
  Json now = old;
  CHECK(ValidateObjectMetaUpdate(now, old).empty());
  now["metadata"]["name"] = "b";
  now["metadata"]["uid"] = "2";
  now["metadata"].erase("resourceVersion");
  now["metadata"]["creationTimestamp"] = "2025-02-01T00:00:00Z";
  CHECK(Joined(ValidateObjectMetaUpdate(now, old)) ==
        "metadata.name: Invalid value: \"b\": field is immutable\n"
        "metadata.uid: Invalid value: \"2\": field is immutable\n"
        "metadata.creationTimestamp: Invalid value: 2025-02-01 00:00:00 +0000 "
        "UTC: field "
        "is immutable\n");

  Json deleting = old;
  deleting["metadata"]["deletionTimestamp"] = "2025-03-01T00:00:00Z";
  Json added = deleting;
  added["metadata"]["finalizers"] = {"example.com/x"};
  CHECK(Joined(ValidateObjectMetaUpdate(added, deleting)) ==
        "metadata.finalizers: Forbidden: no new finalizers can be added if the "
        "object "
        "is being deleted, found new finalizers []string{\"example.com/x\"}\n");
}

TEST_CASE("label selectors", "[validation]") {
  Json sel = {{"matchLabels", {{"app", "x"}}},
              {"matchExpressions",
               {{{"key", "tier"}, {"operator", "In"}},
                {{"key", "env"}, {"operator", "Exists"}, {"values", {"a"}}},
                {{"key", "k"}, {"operator", "Near"}, {"values", {"a"}}}}}};
  CHECK(Joined(ValidateLabelSelector(&sel, "spec.selector")) ==
        "spec.selector.matchExpressions[0].values: Required value: must be "
        "specified "
        "when `operator` is 'In' or 'NotIn'\n"
        "spec.selector.matchExpressions[1].values: Forbidden: may not be "
        "specified "
        "when `operator` is 'Exists' or 'DoesNotExist'\n"
        "spec.selector.matchExpressions[2].operator: Invalid value: \"Near\": "
        "not a "
        "valid selector operator\n");
}

}  // namespace
}  // namespace ksim::apiserver
