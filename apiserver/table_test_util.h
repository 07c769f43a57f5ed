// Helpers shared by the table tests.
#ifndef KSIM_APISERVER_TABLE_TEST_UTIL_H_
#define KSIM_APISERVER_TABLE_TEST_UTIL_H_

#include <catch2/catch.hpp>
#include <chrono>
#include <string>
#include <string_view>

#include "apiserver/table.h"

namespace ksim::apiserver::table_test {

using std::chrono::hours;
using std::chrono::minutes;
using std::chrono::seconds;

inline const base::Time kT0 = *base::ParseRfc3339("2025-01-01T00:00:00Z");

inline std::string Ts(base::Duration offset) {
  return base::FormatRfc3339(kT0 + offset);
}

inline const ResourceInfo& Res(std::string_view group,
                               std::string_view resource) {
  const ResourceInfo* r = FindResource(group, "v1", resource);
  REQUIRE(r != nullptr);
  return *r;
}

inline Json Cells(std::string_view group, std::string_view resource,
                  const Json& obj, base::Time now) {
  return TableRow(Res(group, resource), obj, now,
                  IncludeObject::kNone)["cells"];
}

inline Json Meta(const char* name) {
  return {{"name", name},
          {"namespace", "default"},
          {"uid", std::string("uid-") + name},
          {"creationTimestamp", Ts(seconds(0))}};
}

// A pod with one container unless `spec` lists its own.
inline Json Pod(Json status, Json spec = Json::object()) {
  if (!spec.contains("containers")) {
    spec["containers"] = {{{"name", "webapp"}, {"image", "tomcat"}}};
  }
  return {{"metadata", Meta("webapp-1")}, {"spec", spec}, {"status", status}};
}

}  // namespace ksim::apiserver::table_test

#endif  // KSIM_APISERVER_TABLE_TEST_UTIL_H_
