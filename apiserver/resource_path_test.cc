#include "apiserver/resource_path.h"

#include <catch2/catch.hpp>

namespace ksim::apiserver {
namespace {

TEST_CASE("resource paths parse as kube-apiserver's request info reads them",
          "[resource_path]") {
  ResourcePath r;
  REQUIRE(ParseResourcePath("/api/v1/namespaces/default/pods/web/log", &r));
  CHECK(r.resource->resource == "pods");
  CHECK(r.ns == "default");
  CHECK(r.name == "web");
  CHECK(r.subresource == "log");
  CHECK(r.rest == 2);
  CHECK_FALSE(r.watch);

  // A namespace object, not a namespace prefix.
  REQUIRE(ParseResourcePath("/api/v1/namespaces/kube-system", &r));
  CHECK(r.resource->resource == "namespaces");
  CHECK(r.ns.empty());
  CHECK(r.name == "kube-system");

  REQUIRE(
      ParseResourcePath("/apis/apps/v1/watch/namespaces/a/deployments", &r));
  CHECK(r.watch);
  CHECK(r.group == "apps");
  CHECK(r.resource->resource == "deployments");
  CHECK(r.ns == "a");
  CHECK(r.rest == 0);

  // A proxied path keeps its segments for the caller to judge.
  REQUIRE(ParseResourcePath(
      "/api/v1/namespaces/default/services/web:80/proxy/a/b", &r));
  CHECK(r.subresource == "proxy");
  CHECK(r.rest == 4);

  CHECK_FALSE(ParseResourcePath("/api/v1", &r));
  CHECK_FALSE(ParseResourcePath("/api/v1/widgets", &r));
  CHECK_FALSE(ParseResourcePath("/healthz", &r));
  // "namespaces" is no apps/v1 resource.
  CHECK_FALSE(ParseResourcePath("/apis/apps/v1/namespaces/a", &r));
}

}  // namespace
}  // namespace ksim::apiserver
