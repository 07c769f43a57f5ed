#include "apiserver/protobuf.h"

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>
#include <google/protobuf/wire_format_lite.h>

#include <catch2/catch.hpp>
#include <random>
#include <set>

#include "apiserver/protobuf_messages.h"
#include "apiserver/protobuf_testdata.h"

namespace ksim::apiserver {
namespace {

using base::Code;
using base::Json;
using Wire = google::protobuf::internal::WireFormatLite;

// A protobuf message writer for building test bodies, through libprotobuf.
class Pb {
 public:
  Pb& Str(int n, std::string_view s) {
    return Raw(n, Wire::WIRETYPE_LENGTH_DELIMITED, s);
  }
  Pb& Msg(int n, const Pb& m) { return Str(n, m.bytes_); }
  Pb& Varint(int n, uint64_t v) {
    Write([&](auto& out) {
      out.WriteTag(Wire::MakeTag(n, Wire::WIRETYPE_VARINT));
      out.WriteVarint64(v);
    });
    return *this;
  }
  Pb& Fixed32(int n, uint32_t v) {
    Write([&](auto& out) {
      out.WriteTag(Wire::MakeTag(n, Wire::WIRETYPE_FIXED32));
      out.WriteLittleEndian32(v);
    });
    return *this;
  }
  Pb& Raw(int n, Wire::WireType wt, std::string_view s) {
    Write([&](auto& out) {
      out.WriteTag(Wire::MakeTag(n, wt));
      out.WriteVarint32(static_cast<uint32_t>(s.size()));
      out.WriteRaw(s.data(), static_cast<int>(s.size()));
    });
    return *this;
  }
  Pb& Entry(int n, std::string_view k, std::string_view v) {
    return Msg(n, Pb().Str(1, k).Str(2, v));
  }
  const std::string& bytes() const { return bytes_; }

  // "k8s\0" + runtime.Unknown around this message.
  std::string Body(std::string_view api_version, std::string_view kind) const {
    Pb unknown;
    unknown.Msg(1, Pb().Str(1, api_version).Str(2, kind)).Str(2, bytes_);
    unknown.Str(3, "").Str(4, "");
    return std::string("k8s\0", 4) + unknown.bytes_;
  }

 private:
  template <typename F>
  void Write(F f) {
    google::protobuf::io::StringOutputStream stream(&bytes_);
    google::protobuf::io::CodedOutputStream out(&stream);
    f(out);
  }
  std::string bytes_;
};

Pb Meta(std::string_view name) {
  return Pb().Str(1, name).Str(2, "").Msg(8, Pb());
}

Json Decoded(const std::string& body) {
  auto j = DecodeKubeProtobuf(body);
  INFO(j.status().ToString());
  REQUIRE(j.ok());
  return *j;
}

// Every message reachable from a root kind is in the table, and no message
// repeats a field number or a JSON name.
TEST_CASE("the message table is closed and unambiguous", "[protobuf]") {
  std::vector<const proto::Message*> todo;
  for (auto [api_version, kind] :
       std::vector<std::pair<std::string, std::string>>{
           {"v1", "Namespace"},
           {"v1", "ConfigMap"},
           {"v1", "Secret"},
           {"v1", "ServiceAccount"},
           {"v1", "Service"},
           {"v1", "Pod"},
           {"apps/v1", "Deployment"}}) {
    const proto::Message* root = proto::RootMessage(api_version, kind);
    REQUIRE(root != nullptr);
    todo.push_back(root);
  }
  CHECK(proto::RootMessage("v1", "Deployment") == nullptr);
  std::set<std::string_view> seen;
  while (!todo.empty()) {
    const proto::Message* m = todo.back();
    todo.pop_back();
    if (!seen.insert(m->name).second) continue;
    std::set<int> numbers;
    std::set<std::string_view> names;
    for (const proto::Field& f : m->fields) {
      INFO(m->name << "." << f.json << " = " << f.number);
      CHECK(numbers.insert(f.number).second);
      CHECK(proto::FindField(*m, f.number) == &f);
      if (f.kind == proto::Kind::kMessage || f.kind == proto::Kind::kInline) {
        const proto::Message* sub = proto::FindMessage(f.message);
        REQUIRE(sub != nullptr);
        todo.push_back(sub);
      }
      if (f.kind != proto::Kind::kInline) CHECK(names.insert(f.json).second);
    }
  }
  CHECK(seen.size() > 90);
}

TEST_CASE("a namespace decodes with null creationTimestamp and empty structs",
          "[protobuf]") {
  Pb ns;
  ns.Msg(1, Meta("team-a")).Msg(2, Pb()).Msg(3, Pb().Str(1, ""));
  CHECK(Decoded(ns.Body("v1", "Namespace")) == Json::parse(R"({
    "apiVersion": "v1", "kind": "Namespace",
    "metadata": {"name": "team-a", "creationTimestamp": null},
    "spec": {}, "status": {}})"));
}

TEST_CASE("pointer fields keep their zero values, others drop them",
          "[protobuf]") {
  Pb spec;
  spec.Varint(1, 0).Varint(5, 0).Varint(6, 0).Varint(7, 0).Varint(9, 0);
  Pb deploy;
  deploy
      .Msg(1, Meta("d").Varint(10, 0).Msg(13, Pb().Str(5, "v1")
                                                  .Str(1, "X")
                                                  .Str(3, "")
                                                  .Str(4, "")
                                                  .Varint(6, 0)
                                                  .Varint(7, 1)))
      .Msg(2, spec);
  Json j = Decoded(deploy.Body("apps/v1", "Deployment"));
  CHECK(j["spec"] == Json::parse(R"({"replicas": 0, "revisionHistoryLimit": 0,
                                    "progressDeadlineSeconds": 0})"));
  CHECK(j["metadata"]["deletionGracePeriodSeconds"] == 0);
  CHECK(j["metadata"]["ownerReferences"] == Json::parse(R"([{"apiVersion": "v1",
      "kind": "X", "name": "", "uid": "", "controller": false,
      "blockOwnerDeletion": true}])"));

  Pb cm;
  cm.Msg(1, Meta("c"))
      .Varint(4, 0)
      .Entry(2, "a", "")
      .Entry(3, "bin", "\x01\xff");
  CHECK(Decoded(cm.Body("v1", "ConfigMap")) == Json::parse(R"({
    "apiVersion": "v1", "kind": "ConfigMap", "immutable": false,
    "metadata": {"name": "c", "creationTimestamp": null},
    "data": {"a": ""}, "binaryData": {"bin": "Af8="}})"));

  Pb sa;
  sa.Msg(1, Meta("s")).Varint(4, 0);
  CHECK(Decoded(sa.Body(
            "v1", "ServiceAccount"))["automountServiceAccountToken"] == false);
}

TEST_CASE("value types: IntOrString, Quantity, Time, inline refs, fieldsV1",
          "[protobuf]") {
  Pb container;
  container.Str(1, "c")
      .Str(2, "nginx")
      .Str(4, "")
      .Str(4, "-x")
      .Msg(8, Pb().Msg(1, Pb().Str(1, "cpu").Msg(2, Pb().Str(1, "100m"))))
      .Msg(7,
           Pb().Str(1, "K").Msg(3, Pb().Msg(4, Pb().Msg(1, Pb().Str(1, "sec"))
                                                   .Str(2, "key")
                                                   .Varint(3, 0))));
  Pb pod_spec;
  pod_spec.Msg(2, container)
      .Varint(4, 30)
      .Msg(39, Pb());  // resourceClaims: [{}]
  Pb spec;
  spec.Msg(3, Pb().Msg(1, Meta("")).Msg(2, pod_spec))
      .Msg(4,
           Pb().Str(1, "RollingUpdate")
               .Msg(2, Pb().Msg(1, Pb().Varint(1, 1).Varint(2, 0).Str(3, "25%"))
                           .Msg(2, Pb().Varint(1, 0).Varint(2, 2))));
  Pb managed;
  managed.Str(1, "kubectl")
      .Msg(4, Pb().Varint(1, 1700000000).Varint(2, 5))
      .Msg(7, Pb().Str(1, R"({"f:spec":{}})"));
  Pb deploy;
  deploy
      .Msg(1, Meta("d").Msg(9, Pb().Varint(1, 0).Varint(2, 0)).Msg(17, managed))
      .Msg(2, spec);
  Json j = Decoded(deploy.Body("apps/v1", "Deployment"));
  CHECK(j["spec"]["template"]["spec"] == Json::parse(R"({
    "terminationGracePeriodSeconds": 30,
    "containers": [{"name": "c", "image": "nginx", "args": ["", "-x"],
      "resources": {"limits": {"cpu": "100m"}},
      "env": [{"name": "K", "valueFrom": {"secretKeyRef":
        {"name": "sec", "key": "key", "optional": false}}}]}]})"));
  CHECK(j["spec"]["strategy"] == Json::parse(R"({"type": "RollingUpdate",
      "rollingUpdate": {"maxUnavailable": "25%", "maxSurge": 2}})"));
  CHECK(j["metadata"]["deletionTimestamp"] == "1970-01-01T00:00:00Z");
  CHECK(j["metadata"]["managedFields"] == Json::parse(R"([{"manager": "kubectl",
      "time": "2023-11-14T22:13:20Z", "fieldsV1": {"f:spec": {}}}])"));
}

TEST_CASE("repeated integers decode packed and unpacked", "[protobuf]") {
  Pb packed;  // supplementalGroups: [3000, 4000] in one packed run
  packed.Raw(4, Wire::WIRETYPE_LENGTH_DELIMITED, "\xb8\x17\xa0\x1f");
  Pb pod;
  pod.Msg(1, Meta("p")).Msg(2, Pb().Msg(14, packed));
  Json j = Decoded(pod.Body("v1", "Pod"));
  CHECK(j["spec"]["securityContext"]["supplementalGroups"] ==
        Json::array({3000, 4000}));
  Pb unpacked;
  unpacked.Varint(4, 3000).Varint(4, 0);
  Pb pod2;
  pod2.Msg(1, Meta("p")).Msg(2, Pb().Msg(14, unpacked));
  CHECK(Decoded(pod2.Body("v1", "Pod"))["spec"]["securityContext"] ==
        Json::parse(R"({"supplementalGroups": [3000, 0]})"));
}

TEST_CASE("unknown fields holding zero values are skipped", "[protobuf]") {
  Pb pod_spec;
  pod_spec.Varint(99, 0)
      .Fixed32(98, 0)
      .Str(97, "")
      .Msg(96, Pb().Varint(1, 0).Str(2, "").Msg(3, Pb().Varint(4, 0)))
      .Msg(2, Pb().Str(1, "c").Msg(21, Pb()).Str(1000, ""));
  Pb deploy;
  deploy.Msg(1, Meta("d")).Msg(2, Pb().Msg(3, Pb().Msg(2, pod_spec)));
  CHECK(Decoded(deploy.Body("apps/v1", "Deployment"))["spec"] ==
        Json::parse(
            R"({"template": {"spec": {"containers": [{"name": "c"}]}}})"));
}

TEST_CASE("unknown fields holding data are refused, naming the field",
          "[protobuf]") {
  auto refused = [](const Pb& pod_spec) {
    Pb deploy;
    deploy.Msg(1, Meta("d")).Msg(2, Pb().Msg(3, Pb().Msg(2, pod_spec)));
    auto r = DecodeKubeProtobuf(deploy.Body("apps/v1", "Deployment"));
    REQUIRE(r.status().code() == Code::kBadRequest);
    return r.status().message();
  };
  // resourceClaims: [{name: "v"}]
  CHECK(refused(Pb().Msg(39, Pb().Str(1, "v"))) ==
        "the protobuf body sets field 39 of PodSpec (at spec.template.spec), "
        "which ksim does not decode; send this object as application/json "
        "instead (for example with kubectl create -f <manifest>)");
  CHECK_THAT(refused(Pb().Varint(99, 7)),
             Catch::Contains("field 99 of PodSpec"));
  CHECK_THAT(refused(Pb().Fixed32(98, 1)), Catch::Contains("field 98"));
  // volumeDevices: [{name: "d"}] inside the second container.
  CHECK_THAT(
      refused(
          Pb().Msg(2, Pb().Str(1, "a")).Msg(2, Pb().Msg(21, Pb().Str(1, "d")))),
      Catch::Contains("field 21 of Container (at "
                      "spec.template.spec.containers[1])"));
  // A known field with the wrong wire type.
  CHECK_THAT(refused(Pb().Str(4, "30")), Catch::Contains("wrong wire type 2"));
}

TEST_CASE("envelope errors read as kube-apiserver's", "[protobuf]") {
  CHECK(DecodeKubeProtobuf("").status().message() == "empty data");
  CHECK(DecodeKubeProtobuf(std::string("k8s\0", 4)).status().message() ==
        "empty body");
  CHECK(DecodeKubeProtobuf("{\"kind\":\"Namespace\"}").status().message() ==
        "provided data does not appear to be a protobuf message, expected "
        "prefix [107 56 115 0]");
  auto missing = DecodeKubeProtobuf(Pb().Body("v1", ""));
  CHECK(missing.status().code() == Code::kBadRequest);
  CHECK(missing.status().message() ==
        "Object 'Kind' is missing in 'runtime.TypeMeta{APIVersion:\"v1\", "
        "Kind:\"\"}'");
  auto node = DecodeKubeProtobuf(Pb().Msg(1, Meta("n")).Body("v1", "Node"));
  CHECK(node.status().code() == Code::kUnsupportedMediaType);
  CHECK(node.status().message() ==
        "ksim cannot decode Node (v1) from "
        "application/vnd.kubernetes.protobuf; send it as application/json");
  // A Deployment under a group version ksim has no table for.
  CHECK(DecodeKubeProtobuf(Pb().Body("apps/v1beta1", "Deployment"))
            .status()
            .code() == Code::kUnsupportedMediaType);
}

TEST_CASE("invalid UTF-8 becomes U+FFFD as Go's encoding/json writes it",
          "[protobuf]") {
  Pb cm;
  cm.Msg(1, Meta("c"))
      .Entry(2, "k",
             "a\xff"
             "b");
  Json j = Decoded(cm.Body("v1", "ConfigMap"));
  CHECK(j["data"]["k"] ==
        "a\xef\xbf\xbd"
        "b");
  CHECK_NOTHROW(j.dump());
}

// Truncations, garbage and random mutations of real bodies: always a clean
// result or a 400, never a crash, and whatever decodes can be dumped.
TEST_CASE("truncated, garbage and mutated bodies fail cleanly", "[protobuf]") {
  for (const auto& fixture : testdata::kFixtures) {
    const std::string body = testdata::Bytes(fixture.protobuf_hex);
    for (size_t n = 4; n < body.size(); ++n) {
      auto r = DecodeKubeProtobuf(body.substr(0, n));
      if (!r.ok()) CHECK(r.status().code() == Code::kBadRequest);
    }
    std::mt19937 rng(static_cast<uint32_t>(body.size()));
    for (int i = 0; i < 1500; ++i) {
      std::string m = body;
      const int edits = 1 + static_cast<int>(rng() % 4);
      for (int e = 0; e < edits; ++e) {
        const size_t at = 4 + rng() % (m.size() - 4);
        switch (rng() % 3) {
          case 0:
            m[at] = static_cast<char>(rng());
            break;
          case 1:
            m.erase(at, 1 + rng() % 8);
            break;
          default:
            m.insert(at, 1 + rng() % 3, static_cast<char>(rng()));
        }
        if (m.size() <= 4) m = body;
      }
      auto r = DecodeKubeProtobuf(m);
      if (r.ok()) {
        CHECK_NOTHROW(r->dump());
      } else {
        CHECK((r.status().code() == Code::kBadRequest ||
               r.status().code() == Code::kUnsupportedMediaType));
      }
    }
  }
  std::mt19937 rng(7);
  for (int i = 0; i < 2000; ++i) {
    std::string garbage("k8s\0", 4);
    const size_t n = rng() % 64;
    for (size_t k = 0; k < n; ++k) garbage += static_cast<char>(rng());
    auto r = DecodeKubeProtobuf(garbage);
    if (!r.ok()) CHECK(r.status().code() != Code::kInternal);
  }
}

TEST_CASE("a truncated tag at the end of a message is malformed",
          "[protobuf]") {
  Pb ns;
  ns.Msg(1, Meta("x"));
  const std::string type_meta = Pb().Str(1, "v1").Str(2, "Namespace").bytes();
  for (std::string tail : {"\x80", "\xff\xff", "\x08"}) {
    std::string body = std::string("k8s\0", 4) +
                       Pb().Str(1, type_meta).Str(2, ns.bytes() + tail).bytes();
    auto r = DecodeKubeProtobuf(body);
    CHECK(r.status().code() == Code::kBadRequest);
    CHECK_THAT(r.status().message(), Catch::Contains("malformed"));
  }
}

// Deep nesting of unknown messages must not recurse without bound.
TEST_CASE("deeply nested unknown fields are bounded", "[protobuf]") {
  Pb inner;
  inner.Varint(1, 0);
  for (int i = 0; i < 200; ++i) inner = Pb().Msg(1, inner);
  Pb ns;
  ns.Msg(1, Meta("x")).Msg(9, inner);
  auto r = DecodeKubeProtobuf(ns.Body("v1", "Namespace"));
  CHECK(r.status().code() == Code::kBadRequest);
}

TEST_CASE("kubectl 1.32/1.33 create and debug bodies decode to 1.27's JSON",
          "[protobuf]") {
  for (const auto& fixture : testdata::kFixtures) {
    INFO(fixture.command << " (kubectl " << fixture.kubectl << ")");
    CHECK(Decoded(testdata::Bytes(fixture.protobuf_hex)) ==
          Json::parse(fixture.json));
  }
}

}  // namespace
}  // namespace ksim::apiserver
