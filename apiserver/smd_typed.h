// Objects seen through their schema the way sigs.k8s.io/structured-merge-diff
// sees them (its "typed" package): which parts are leaves, which lists are
// associative (merged by key or as sets) and which are atomic, which maps
// are atomic. This is what server-side apply and managedFields are built on.
//
// The schema is Kubernetes' OpenAPI v3 (see schema_lookup.h); a list is
// associative when x-kubernetes-list-type says map/set, or, without one, when
// x-kubernetes-patch-strategy is merge (keyed by the patch merge key, a set
// without one); maps are atomic with x-kubernetes-map-type: atomic. Parts
// the schema does not describe are "deduced": objects are granular maps,
// arrays atomic lists.
//
// Thread-safety: a Typer is immutable; use it from any thread.
#ifndef KSIM_APISERVER_SMD_TYPED_H_
#define KSIM_APISERVER_SMD_TYPED_H_

#include <map>
#include <optional>
#include <string>
#include <vector>

#include "apiserver/field_set.h"
#include "apiserver/schema_lookup.h"

namespace ksim::apiserver::smd {

using base::Json;

struct Comparison {
  FieldSet removed;
  FieldSet modified;
  FieldSet added;
};

class Typer {
 public:
  explicit Typer(const SchemaRegistry& registry) : registry_(registry) {}

  // The errors structured-merge-diff reports when it types an applied
  // configuration (".spec.foo: field not declared in schema", duplicate
  // list keys, wrong scalar types), formatted as its ValidationErrors are;
  // empty when valid.
  std::string Validate(const FieldSchema& schema, const Json& v) const;
  // The paths of `v`'s leaves, list items and empty or undeclared fields.
  FieldSet ToFieldSet(const FieldSchema& schema, const Json& v) const;
  // What changed from `lhs` to `rhs` (either may be null: absent).
  Comparison Compare(const FieldSchema& schema, const Json* lhs,
                     const Json* rhs) const;
  // `rhs` merged into `lhs`: rhs wins on leaves, associative lists merge
  // by key keeping a sensible order, atomic parts are replaced.
  Json Merge(const FieldSchema& schema, const Json& lhs, const Json& rhs) const;
  // `v` without the paths in `set` (a map emptied by it turns null, as in
  // structured-merge-diff); nullopt when nothing remains.
  std::optional<Json> RemoveItems(const FieldSchema& schema, const Json& v,
                                  const FieldSet& set) const;
  // `set` plus, as members, every struct field it has children under.
  FieldSet EnsureNamedFieldsAreMembers(const FieldSchema& schema,
                                       const FieldSet& set) const;

 private:
  // A schema node resolved against a value (structured-merge-diff's atom).
  struct Node {
    enum class Shape { kScalar, kMap, kList };
    Shape shape = Shape::kScalar;
    FieldSchema schema;     // unknown for deduced parts
    bool deduced = false;   // no schema: children are deduced too
    bool atomic = false;    // atomic map or list
    bool mismatch = false;  // the value is not of the schema's kind
    bool associative = false;
    std::vector<std::string> keys;  // list-map keys; empty for sets
    std::string scalar_type;        // "string", "integer", ... "" untyped
  };

  Node Resolve(const FieldSchema& schema, const Json* v) const;
  static void SetListRelationship(const FieldSchema& schema,
                                  const SchemaRegistry::NodeFacts* f, Node& n);
  FieldSchema ChildField(const Node& map, const std::string& name,
                         bool* declared) const;
  // The path element of a list item, or an error message.
  std::optional<PathElement> ItemElement(const Node& list, const Json& item,
                                         std::string* error) const;

  void ToFieldSetAt(const FieldSchema& schema, const Json& v, FieldPath& path,
                    FieldSet& out) const;
  void CompareAt(const FieldSchema& schema, const Json* lhs, const Json* rhs,
                 FieldPath& path, Comparison& out) const;
  void CompareLists(const Node& list, const Json* lhs, const Json* rhs,
                    FieldPath& path, Comparison& out) const;
  // What CompareAt(schema, nullptr, &v) adds below v's own path, built
  // level by level (most of a created object is absent from its live one).
  void AddedBelow(const FieldSchema& schema, const Json& v,
                  FieldSet& below) const;
  struct ListIndex {
    std::vector<PathElement> pes;    // in list order
    std::vector<const Json*> items;  // parallel to pes
    std::map<PathElement, const Json*> observed;
  };
  ListIndex IndexList(const Node& list, const Json& side, bool live) const;
  Json MergeLists(const Node& list, const Json& lhs, const Json& rhs) const;
  void ValidateAt(const FieldSchema& schema, const Json& v,
                  const std::string& path,
                  std::vector<std::string>& errors) const;

  const SchemaRegistry& registry_;
};

}  // namespace ksim::apiserver::smd

#endif  // KSIM_APISERVER_SMD_TYPED_H_
