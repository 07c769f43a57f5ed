// The OpenAPI schemas of the served kinds, in Kubernetes' own OpenAPI v3 form
// (components.schemas keyed "io.k8s.api.core.v1.Pod", "$ref" between them,
// and the x-kubernetes-* extensions: group-version-kind, patch-merge-key,
// patch-strategy, list-type, list-map-keys, map-type, preserve-unknown-fields,
// int-or-string, embedded-resource).
//
// They are authored in apiserver/schemas/*.yaml and compiled into the binary.
// One description serves: the /openapi/v3 documents (and so kubectl explain
// and kubectl's field-validation probe), strict field validation (unknown and
// duplicate fields, wrong types), pruning of unknown fields, and the patch
// metadata that strategic merge patch and server-side apply need.
//
// Thread-safety: immutable after construction; safe for concurrent use.
#ifndef KSIM_APISERVER_SCHEMA_H_
#define KSIM_APISERVER_SCHEMA_H_

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

using base::Json;

class SchemaRegistry {
 public:
  SchemaRegistry();
  // The reference index points into components_: no copies.
  SchemaRegistry(const SchemaRegistry&) = delete;
  SchemaRegistry& operator=(const SchemaRegistry&) = delete;

  // The built-in schemas of every served kind (parsed once, on first use).
  static const SchemaRegistry& Default();
  // From a YAML (or JSON) mapping of component name -> schema; for tests.
  static base::StatusOr<std::unique_ptr<SchemaRegistry>> FromYaml(
      std::string_view yaml);

  // Unique among the registries of the process, never reused: with a node's
  // address it keys what callers derive from schemas and cache.
  uint64_t id() const { return id_; }

  // All component schemas, keyed by component name.
  const Json& Components() const { return components_; }
  // The component whose x-kubernetes-group-version-kind names this kind;
  // null if none. (group "" is the core group.)
  const Json* ForKind(std::string_view group, std::string_view version,
                      std::string_view kind) const;
  const Json* ByName(std::string_view component_name) const;

  // Follows "$ref" ("#/components/schemas/<name>") and a one-element allOf
  // wrapping a $ref. Returns the input when it is no reference; an unknown
  // reference resolves to an empty schema (anything goes). O(1) for nodes of
  // Components() (answered from an index built once); other nodes are
  // followed reference by reference.
  const Json& Resolve(const Json& schema) const;
  // The component a reference node names (the last segment of its "$ref",
  // direct or in a one-element allOf); empty when the node is no reference.
  // A view into the schema.
  std::string_view RefName(const Json& schema) const;
  // What the schema walkers (type checks, pruning, structured merge) ask of
  // a node, looked up once: members of Resolve(node), and the x-kubernetes
  // extensions of the node as written, else of Resolve(node).
  struct NodeFacts {
    const Json* resolved = nullptr;
    std::string_view ref;              // RefName(node)
    std::string_view type;             // "type" of resolved ("" if none)
    std::string_view format;           // "format" of resolved
    const Json* properties = nullptr;  // when an object
    const Json* additional = nullptr;  // additionalProperties, an object
    bool additional_true = false;      // additionalProperties: true
    bool has_items = false;            // resolved has "items"
    bool int_or_string = false;        // x-kubernetes-int-or-string: true
    bool preserve_unknown = false;     // on the node or resolved
    std::string_view map_type, list_type, patch_strategy, patch_merge_key;
    const Json* list_map_keys = nullptr;
  };
  // Null for nodes outside Components().
  const NodeFacts* Facts(const Json& node) const;
  // The same for any node, computed (slower) when not indexed.
  NodeFacts ComputeFacts(const Json& node) const;
  // The name of a component of Components(); empty for any other node.
  std::string_view NameOf(const Json& component) const;
  // The (resolved) schema of property `name` of an object schema, or of its
  // additionalProperties; null when the object declares no such field.
  const Json* Property(const Json& schema, std::string_view name) const;
  // The (resolved) item schema of an array schema; null if none.
  const Json* Items(const Json& schema) const;

  // Paths of fields in `obj` that the schema does not declare, in the form
  // kube-apiserver reports them: "spec.foo", "spec.containers[0].bar".
  // Subtrees under x-kubernetes-preserve-unknown-fields are not inspected.
  std::vector<std::string> UnknownFields(const Json& schema,
                                         const Json& obj) const;
  // Removes the fields UnknownFields would report (what decoding into Go
  // types does under fieldValidation=Ignore/Warn).
  void PruneUnknownFields(const Json& schema, Json& obj) const;
  // Checks JSON types against the schema (integer, string, boolean, array,
  // object, int-or-string, quantity as string or number). Returns the first
  // mismatch worded as kube-apiserver's decoder does, e.g.
  //   json: cannot unmarshal string into Go struct field
  //   DeploymentSpec.spec.replicas of type int32
  // or OK.
  base::Status CheckTypes(const Json& schema, const Json& obj) const;

 private:
  // Fills resolved_ for every object node of components_. Called once the
  // components are final; afterwards the registry is never modified.
  void IndexReferences();
  const Json& ResolveSlow(const Json& schema) const;
  static std::string_view RefNameSlow(const Json& schema);

  uint64_t id_;
  Json components_;
  // Every object node of components_.
  std::unordered_map<const Json*, NodeFacts> index_;
  // Component -> its name.
  std::unordered_map<const Json*, std::string_view> names_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SCHEMA_H_
