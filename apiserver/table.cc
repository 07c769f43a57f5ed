// meta.k8s.io/v1 Table assembly (kube-apiserver's TableConvertor plus the
// handlers' row-object transformation) and the helpers the printers share.
#include "apiserver/table.h"

#include <algorithm>

#include "apiserver/table_internal.h"

namespace ksim::apiserver {
namespace table_internal {

const char* const kNameDescription =
    "Name must be unique within a namespace. It identifies the object.";
const char* const kAgeDescription =
    "CreationTimestamp is the server time when this object was created, shown "
    "as the time elapsed since then.";

std::optional<base::Time> TimeAt(const Json& obj,
                                 std::initializer_list<std::string_view> path) {
  const Json* v = base::Find(obj, path);
  if (v == nullptr || !v->is_string()) return std::nullopt;
  return base::ParseRfc3339(v->get<std::string>());
}

std::string Since(const std::optional<base::Time>& t, base::Time now) {
  if (!t) return "<unknown>";
  return base::HumanDuration(now - *t);
}

std::string Age(const Json& obj, base::Time now) {
  return Since(TimeAt(obj, {"metadata", "creationTimestamp"}), now);
}

std::string Name(const Json& obj) {
  return base::GetString(obj, {"metadata", "name"});
}

std::string FormatLabels(const Json* map) {
  // labels.Set.String sorts the "key=value" strings, not the keys.
  std::vector<std::string> pairs;
  if (map != nullptr && map->is_object()) {
    for (const auto& [k, v] : map->items()) {
      pairs.push_back(k + "=" + (v.is_string() ? v.get<std::string>() : ""));
    }
  }
  std::sort(pairs.begin(), pairs.end());
  std::string out;
  for (const auto& p : pairs) out += (out.empty() ? "" : ",") + p;
  return out.empty() ? "<none>" : out;
}

void ContainerCells(const Json* containers, std::string& names,
                    std::string& images) {
  names.clear();
  images.clear();
  if (containers == nullptr || !containers->is_array()) return;
  bool first = true;
  for (const auto& c : *containers) {
    if (!first) {
      names += ",";
      images += ",";
    }
    first = false;
    names += Str(c, "name");
    images += Str(c, "image");
  }
}

std::string Str(const Json& obj, std::string_view key) {
  const Json* v = base::Find(obj, {key});
  return v != nullptr && v->is_string() ? v->get<std::string>() : "";
}

int64_t Int(const Json& obj, std::string_view key) {
  const Json* v = base::Find(obj, {key});
  return v != nullptr && v->is_number_integer() ? v->get<int64_t>() : 0;
}

bool Bool(const Json& obj, std::string_view key) {
  const Json* v = base::Find(obj, {key});
  return v != nullptr && v->is_boolean() && v->get<bool>();
}

const Json& ArrayAt(const Json& obj,
                    std::initializer_list<std::string_view> path) {
  static const Json kEmpty = Json::array();
  const Json* v = base::Find(obj, path);
  return v != nullptr && v->is_array() ? *v : kEmpty;
}

std::string JoinHostPort(const std::string& host, int64_t port) {
  if (host.find(':') != std::string::npos) {
    return "[" + host + "]:" + std::to_string(port);
  }
  return host + ":" + std::to_string(port);
}

}  // namespace table_internal

namespace {

using table_internal::Column;
using table_internal::PrintedRow;
using table_internal::Printer;

// rest.defaultTableConvertor, for kinds without a printer.
PrintedRow PrintDefault(const Json& obj, base::Time) {
  PrintedRow row;
  auto created = table_internal::TimeAt(obj, {"metadata", "creationTimestamp"});
  // A missing timestamp is Go's zero time, which formats as year 1.
  row.cells = Json::array({table_internal::Name(obj),
                           created ? base::FormatRfc3339(*created)
                                   : std::string("0001-01-01T00:00:00Z")});
  return row;
}

const Printer& DefaultPrinter() {
  static const Printer kPrinter{
      {{"Name", "string", "name", table_internal::kNameDescription, 0},
       {"Created At", "date", "",
        "CreationTimestamp is the server time when this object was created.",
        0}},
      &PrintDefault};
  return kPrinter;
}

const Printer& PrinterFor(const ResourceInfo& resource) {
  if (resource.group.empty()) {
    if (resource.resource == "pods") return table_internal::PodPrinter();
    if (const Printer* p = table_internal::CorePrinter(resource.resource)) {
      return *p;
    }
  } else if (const Printer* p =
                 table_internal::GroupPrinter(resource.QualifiedResource())) {
    return *p;
  }
  return DefaultPrinter();
}

Json RowObject(const ResourceInfo& resource, const Json& obj,
               IncludeObject include) {
  switch (include) {
    case IncludeObject::kNone:
      // TableRow.object is a RawExtension: Go encodes an empty one as null.
      return nullptr;
    case IncludeObject::kObject: {
      Json full = obj;
      if (!full.contains("kind")) full["kind"] = resource.kind;
      if (!full.contains("apiVersion")) {
        full["apiVersion"] = resource.GroupVersion();
      }
      return full;
    }
    case IncludeObject::kMetadata:
      break;
  }
  const Json* meta = base::Find(obj, {"metadata"});
  return Json{{"kind", "PartialObjectMetadata"},
              {"apiVersion", "meta.k8s.io/v1"},
              {"metadata", meta != nullptr ? *meta : Json::object()}};
}

}  // namespace

Json TableColumns(const ResourceInfo& resource) {
  Json cols = Json::array();
  for (const Column& c : PrinterFor(resource).columns) {
    cols.push_back({{"name", c.name},
                    {"type", c.type},
                    {"format", c.format},
                    {"description", c.description},
                    {"priority", c.priority}});
  }
  return cols;
}

Json TableRow(const ResourceInfo& resource, const Json& obj, base::Time now,
              IncludeObject include) {
  PrintedRow printed = PrinterFor(resource).print(obj, now);
  Json row = {{"cells", std::move(printed.cells)},
              {"object", RowObject(resource, obj, include)}};
  if (!printed.conditions.is_null()) {
    row["conditions"] = std::move(printed.conditions);
  }
  return row;
}

Json BuildTable(const ResourceInfo& resource, const std::vector<Json>& objs,
                const Json& list_meta, base::Time now, IncludeObject include,
                bool with_columns) {
  Json rows = Json::array();
  for (const Json& obj : objs) {
    rows.push_back(TableRow(resource, obj, now, include));
  }
  return {{"kind", "Table"},
          {"apiVersion", "meta.k8s.io/v1"},
          {"metadata", list_meta.is_object() ? list_meta : Json::object()},
          {"columnDefinitions",
           with_columns ? TableColumns(resource) : Json(nullptr)},
          {"rows", std::move(rows)}};
}

}  // namespace ksim::apiserver
