// Field-by-field navigation of an OpenAPI schema for the patch engines.
//
// Kubernetes puts a field's patch metadata (x-kubernetes-patch-strategy,
// x-kubernetes-patch-merge-key, x-kubernetes-list-type, ...) on the property
// as written, next to an allOf/$ref, while the type's own extensions
// (x-kubernetes-map-type: atomic on LabelSelector) sit on the referenced
// component. A FieldSchema keeps both so either can be consulted.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_SCHEMA_LOOKUP_H_
#define KSIM_APISERVER_SCHEMA_LOOKUP_H_

#include <string>
#include <string_view>
#include <vector>

#include "apiserver/schema.h"

namespace ksim::apiserver {

struct FieldSchema {
  const Json* raw = nullptr;       // the property node as written
  const Json* resolved = nullptr;  // after $ref/allOf; null: unknown field
  bool declared = false;           // named in "properties"

  bool known() const { return resolved != nullptr; }
  // The extension from the property node, else from the resolved type.
  const Json* Extension(std::string_view key) const;
  std::string StringExtension(std::string_view key) const;
  // The same as a view into the schema (empty when absent or no string).
  std::string_view StringExtensionView(std::string_view key) const;
};

// The schema of a whole object (a component or any schema node).
FieldSchema RootSchema(const SchemaRegistry& registry, const Json& schema);
// Property `name` of an object schema (or its additionalProperties schema);
// unknown when `parent` is unknown or declares no such field.
FieldSchema LookupField(const SchemaRegistry& registry,
                        const FieldSchema& parent, std::string_view name);
// The item schema of an array schema.
FieldSchema LookupItems(const SchemaRegistry& registry,
                        const FieldSchema& list);

// x-kubernetes-patch-strategy split at commas ("merge,retainKeys").
std::vector<std::string> PatchStrategies(const FieldSchema& field);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SCHEMA_LOOKUP_H_
