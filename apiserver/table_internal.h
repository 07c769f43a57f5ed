// Shared pieces of the server-side printers (table*.cc): one Printer per
// resource with kube's column definitions and a function computing a row's
// cells as pkg/printers/internalversion/printers.go computes them with
// GenerateOptions{Wide: true} (kube-apiserver always prints all columns).
// Not for use outside table*.cc.
#ifndef KSIM_APISERVER_TABLE_INTERNAL_H_
#define KSIM_APISERVER_TABLE_INTERNAL_H_

#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"

namespace ksim::apiserver::table_internal {

using base::Json;

struct Column {
  const char* name;
  const char* type;    // "string", "integer", "date", ...
  const char* format;  // "name" for the object name column, else ""
  const char* description;
  int priority;  // 1 = shown only with -o wide
};

struct PrintedRow {
  Json cells = Json::array();
  Json conditions;  // metav1.TableRowCondition list; null when none
};

struct Printer {
  std::vector<Column> columns;
  PrintedRow (*print)(const Json& obj, base::Time now);
};

// Printers by group-qualified resource ("pods", "deployments.apps").
const Printer& PodPrinter();
const Printer* CorePrinter(std::string_view resource);    // table_core.cc
const Printer* GroupPrinter(std::string_view qualified);  // table_groups.cc

// Helpers mirroring the printers' own.
// RFC 3339 timestamp at `path` in obj; nullopt when missing or null (Go's
// zero time).
std::optional<base::Time> TimeAt(const Json& obj,
                                 std::initializer_list<std::string_view> path);
// translateTimestampSince: "<unknown>" for a zero time, else HumanDuration.
std::string Since(const std::optional<base::Time>& t, base::Time now);
// AGE of metadata.creationTimestamp.
std::string Age(const Json& obj, base::Time now);
std::string Name(const Json& obj);
// labels.FormatLabels of a string map ("<none>" when empty).
std::string FormatLabels(const Json* map);
// Names and images of a container list joined with "," (layoutContainerCells).
void ContainerCells(const Json* containers, std::string& names,
                    std::string& images);
// Null-safe field reads: the fallback when `obj` is not an object or the
// field is missing, null or of another type (Go's zero values).
std::string Str(const Json& obj, std::string_view key);
int64_t Int(const Json& obj, std::string_view key);
bool Bool(const Json& obj, std::string_view key);
// Elements of an array at path, or an empty array.
const Json& ArrayAt(const Json& obj,
                    std::initializer_list<std::string_view> path);
// Go's net.JoinHostPort: brackets around IPv6 hosts.
std::string JoinHostPort(const std::string& host, int64_t port);

// Common column descriptions.
extern const char* const kNameDescription;
extern const char* const kAgeDescription;

}  // namespace ksim::apiserver::table_internal

#endif  // KSIM_APISERVER_TABLE_INTERNAL_H_
