#include <catch2/catch.hpp>

#include "apiserver/patch.h"
#include "apiserver/patch_testdata.h"

namespace ksim::apiserver {
namespace {

using base::Code;
using base::Json;

const SchemaRegistry& Registry() {
  static const auto* reg =
      SchemaRegistry::FromYaml(testdata::kPatchSchemas).value().release();
  return *reg;
}

base::StatusOr<Json> Smp(const char* kind, const std::string& original,
                         const std::string& patch) {
  return ApplyStrategicMergePatch(Registry(), *Registry().ByName(kind),
                                  Json::parse(original), Json::parse(patch));
}

struct Case {
  const char* name;
  const char* kind;
  const char* original;
  const char* patch;
  const char* want;
};

// Own cases, after the semantics that strategicpatch's testdata pins down.
const Case kCases[] = {
    {"maps merge recursively and null deletes", "t.Service",
     R"({"metadata":{"labels":{"a":"1","b":"2"}},"spec":{"type":"ClusterIP"}})",
     R"({"metadata":{"labels":{"a":null,"c":"3"}},"spec":{"clusterIP":"None"}})",
     R"({"metadata":{"labels":{"b":"2","c":"3"}},
         "spec":{"type":"ClusterIP","clusterIP":"None"}})"},
    {"kubectl apply: $setElementOrder with a deleted port", "t.Service",
     R"({"metadata":{"name":"webapp"},"spec":{"ports":[
         {"port":8080,"protocol":"TCP","targetPort":8080}]}})",
     R"({"metadata":{"annotations":{"kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},
         "spec":{"$setElementOrder/ports":[{"port":8081}],
                 "ports":[{"port":8081,"targetPort":8080},{"$patch":"delete","port":8080}]}})",
     R"({"metadata":{"name":"webapp","annotations":{
           "kubectl.kubernetes.io/last-applied-configuration":"{}\n"}},
         "spec":{"ports":[{"port":8081,"targetPort":8080}]}})"},
    {"merge by key keeps server-only items at their live positions",
     "t.PodSpec",
     R"({"containers":[{"name":"a"},{"name":"b","image":"1"},{"name":"c"}]})",
     R"({"containers":[{"name":"b","image":"2"},{"name":"d"}]})",
     R"({"containers":[{"name":"a"},{"name":"b","image":"2"},{"name":"d"},
                       {"name":"c"}]})"},
    {"$setElementOrder orders the merged list", "t.PodSpec",
     R"({"containers":[{"name":"a"},{"name":"b"},{"name":"c"}]})",
     R"({"$setElementOrder/containers":[{"name":"c"},{"name":"a"},{"name":"b"}],
         "containers":[{"name":"a","image":"x"}]})",
     R"({"containers":[{"name":"c"},{"name":"a","image":"x"},{"name":"b"}]})"},
    {"$setElementOrder alone reorders", "t.PodSpec",
     R"({"containers":[{"name":"a"},{"name":"b"}]})",
     R"({"$setElementOrder/containers":[{"name":"b"},{"name":"a"}]})",
     R"({"containers":[{"name":"b"},{"name":"a"}]})"},
    {"nested merge lists: container ports by containerPort", "t.PodSpec",
     R"({"containers":[{"name":"web","ports":[{"containerPort":80},
         {"containerPort":443}]}]})",
     R"({"containers":[{"name":"web","$setElementOrder/ports":[
         {"containerPort":8080},{"containerPort":443}],
         "ports":[{"containerPort":8080},{"$patch":"delete","containerPort":80}]}]})",
     R"({"containers":[{"name":"web","ports":[{"containerPort":8080},
         {"containerPort":443}]}]})"},
    {"primitive merge lists merge as sets", "t.ObjectMeta",
     R"({"finalizers":["x","y"]})", R"({"finalizers":["z","x"]})",
     R"({"finalizers":["z","x","y"]})"},
    {"$deleteFromPrimitiveList", "t.ObjectMeta",
     R"({"finalizers":["x","y","z"]})",
     R"({"$deleteFromPrimitiveList/finalizers":["x","z"]})",
     R"({"finalizers":["y"]})"},
    {"$deleteFromPrimitiveList with $setElementOrder", "t.ObjectMeta",
     R"({"finalizers":["a","b","c"]})",
     R"({"$setElementOrder/finalizers":["c","a"],
         "$deleteFromPrimitiveList/finalizers":["b"]})",
     R"({"finalizers":["c","a"]})"},
    {"lists without a strategy are replaced", "t.Container",
     R"({"name":"a","args":["1","2"]})", R"({"args":["3"]})",
     R"({"name":"a","args":["3"]})"},
    {"$patch: replace on a map", "t.ServiceSpec",
     R"({"selector":{"app":"a","tier":"b"},"type":"NodePort"})",
     R"({"selector":{"$patch":"replace","app":"c"}})",
     R"({"selector":{"app":"c"},"type":"NodePort"})"},
    {"$patch: delete on a map empties it", "t.DeploymentSpec",
     R"({"replicas":1,"strategy":{"type":"Recreate"}})",
     R"({"strategy":{"$patch":"delete"}})", R"({"replicas":1,"strategy":{}})"},
    {"$patch: replace in a list", "t.PodSpec",
     R"({"containers":[{"name":"a"},{"name":"b"}]})",
     R"({"containers":[{"$patch":"replace"},{"name":"z","image":"i"}]})",
     R"({"containers":[{"name":"z","image":"i"}]})"},
    {"$retainKeys clears the other keys", "t.DeploymentSpec",
     R"({"strategy":{"type":"RollingUpdate","rollingUpdate":{"maxSurge":1}}})",
     R"({"strategy":{"$retainKeys":["type"],"type":"Recreate"}})",
     R"({"strategy":{"type":"Recreate"}})"},
    {"$retainKeys inside merge list items", "t.PodSpec",
     R"({"volumes":[{"name":"v","emptyDir":{}}]})",
     R"({"$setElementOrder/volumes":[{"name":"v"}],"volumes":[
         {"$retainKeys":["configMap","name"],"name":"v","configMap":{"name":"c"}}]})",
     R"({"volumes":[{"name":"v","configMap":{"name":"c"}}]})"},
    {"fields without patch metadata: maps merge, lists replace", "t.Service",
     R"({"extra":{"a":1,"l":[1,2]}})", R"({"extra":{"b":2,"l":[3]}})",
     R"({"extra":{"a":1,"b":2,"l":[3]}})"},
    {"nulls in values new to the object are dropped", "t.Service",
     R"({"spec":{}})", R"({"spec":{"selector":{"a":"1","b":null}}})",
     R"({"spec":{"selector":{"a":"1"}}})"},
    {"directives inside new values are removed", "t.PodSpec", R"({})",
     R"({"containers":[{"name":"a"},{"$patch":"delete","name":"b"}]})",
     R"({"containers":[{"name":"a"}]})"},
    {"a value of another type replaces", "t.Service",
     R"({"spec":{"ports":"x"}})", R"({"spec":{"ports":[{"port":1}]}})",
     R"({"spec":{"ports":[{"port":1}]}})"},
    {"client-side apply to an object created without the annotation",
     "t.Deployment", R"({"spec":{"replicas":1,"template":{}}})",
     R"({"metadata":{"annotations":{"k":"v"}},"spec":{"replicas":3}})",
     R"({"metadata":{"annotations":{"k":"v"}},
         "spec":{"replicas":3,"template":{}}})"},
    {"$patch: replace at the top replaces the object", "t.Service",
     R"({"spec":{"type":"A"}})", R"({"$patch":"replace","kind":"Service"})",
     R"({"kind":"Service"})"},
};

TEST_CASE("strategic merge patch cases", "[smp]") {
  for (const Case& c : kCases) {
    INFO(c.name);
    auto got = Smp(c.kind, c.original, c.patch);
    REQUIRE(got.ok());
    CHECK(got->dump() == Json::parse(c.want).dump());
  }
}

struct ErrorCase {
  const char* name;
  const char* kind;
  const char* original;
  const char* patch;
  Code code;
  const char* message;
};

const ErrorCase kErrors[] = {
    {"merge key missing", "t.PodSpec", R"({"containers":[{"name":"a"}]})",
     R"({"containers":[{"image":"x"}]})", Code::kInternal,
     "map: map[image:x] does not contain declared merge key: name"},
    {"unknown directive", "t.PodSpec", R"({"containers":[{"name":"a"}]})",
     R"({"containers":[{"name":"a","$patch":"frob"}]})", Code::kInternal,
     "unknown patch type: frob in map: map[$patch:frob name:a]"},
    {"merge directive in a list", "t.PodSpec",
     R"({"containers":[{"name":"a"}]})",
     R"({"containers":[{"$patch":"merge"}]})", Code::kInternal,
     "merging lists cannot yet be specified in the patch"},
    {"retainKeys not covering the patch", "t.DeploymentSpec",
     R"({"strategy":{}})",
     R"({"strategy":{"$retainKeys":["type"],"rollingUpdate":{}}})",
     Code::kBadRequest, "invalid patch format of retainKeys"},
    {"retainKeys not a list", "t.DeploymentSpec", R"({"strategy":{}})",
     R"({"strategy":{"$retainKeys":"type"}})", Code::kBadRequest,
     "invalid patch format of retainKeys"},
    {"setElementOrder not a list", "t.PodSpec",
     R"({"containers":[{"name":"a"}]})",
     R"({"$setElementOrder/containers":"a"})", Code::kInternal,
     "expected a []interface {}, but received a string"},
    {"setElementOrder key malformed", "t.PodSpec", R"({})",
     R"({"$setElementOrderX":[]})", Code::kBadRequest,
     "invalid patch format of setElementOrder list"},
    {"deleteFromPrimitiveList key malformed", "t.ObjectMeta", R"({})",
     R"({"$deleteFromPrimitiveList":["a"]})", Code::kBadRequest,
     "invalid patch format of primitive list"},
    {"patch items out of $setElementOrder", "t.PodSpec",
     R"({"containers":[{"name":"a"},{"name":"b"}]})",
     R"({"$setElementOrder/containers":[{"name":"a"}],
         "containers":[{"name":"b","image":"x"}]})",
     Code::kInternal,
     "The order in patch list:\n[map[image:x name:b]]\n doesn't match "
     "$setElementOrder list:\n[map[name:a]]\n"},
    {"lists of lists", "t.ObjectMeta", R"({"finalizers":[["a"]]})",
     R"({"finalizers":[["b"]]})", Code::kInvalid,
     "the server rejected our request due to an error in our request"},
    {"mixed element types", "t.ObjectMeta", R"({"finalizers":["a"]})",
     R"({"finalizers":[1]})", Code::kInternal,
     "list element types are not identical: [[a] [1]]"},
    {"a patch that is not an object", "t.Service", R"({})", R"([1])",
     Code::kBadRequest,
     "json: cannot unmarshal array into Go value of type map[string]interface "
     "{}"},
};

TEST_CASE("strategic merge patch errors are kube's", "[smp]") {
  for (const ErrorCase& c : kErrors) {
    INFO(c.name);
    auto got = Smp(c.kind, c.original, c.patch);
    REQUIRE_FALSE(got.ok());
    CHECK(got.status().code() == c.code);
    CHECK(got.status().message() == c.message);
  }
}

TEST_CASE("strategic merge patch: null patch is a no-op", "[smp]") {
  auto got = Smp("t.Service", R"({"spec":{"type":"A"}})", "null");
  REQUIRE(got.ok());
  CHECK(*got == Json::parse(R"({"spec":{"type":"A"}})"));
}

}  // namespace
}  // namespace ksim::apiserver
