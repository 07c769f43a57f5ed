// Sets of field paths, after sigs.k8s.io/structured-merge-diff's fieldpath
// package: what a manager owns in metadata.managedFields, and what changed
// between two objects.
//
// A path is a list of elements: a field name (".spec"), the key of a list
// item ("[name=\"web\"]"), the value of a set item ("[=\"x\"]") or a list
// index ("[0]"). Elements are ordered as fieldpath orders them (fields, then
// keys, values, indices), so iteration and the fieldsV1 encoding
// ({"f:spec":{"k:{\"name\":\"web\"}":{".":{}}}}) are deterministic.
// Values are immutable-by-convention; all functions are thread-compatible.
#ifndef KSIM_APISERVER_FIELD_SET_H_
#define KSIM_APISERVER_FIELD_SET_H_

#include <cstdint>
#include <functional>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

struct PathElement {
  enum class Kind { kField = 0, kKey = 1, kValue = 2, kIndex = 3 };
  Kind kind = Kind::kField;
  std::string field;  // kField
  base::Json value;   // kKey: object of key fields; kValue: the item
  int64_t index = 0;  // kIndex

  static PathElement Field(std::string name);
  static PathElement Key(base::Json fields);
  static PathElement Value(base::Json v);
  static PathElement Index(int64_t i);

  // fieldsV1 key: "f:name", "k:{\"name\":\"web\"}", "v:\"x\"", "i:0".
  std::string Serialize() const;
  // Nullopt for an unknown element type or malformed content.
  static std::optional<PathElement> Deserialize(std::string_view s);
  // For messages: ".name", "[name=\"web\"]", "[=\"x\"]", "[0]".
  std::string String() const;
};

// fieldpath's total order (value.Compare for keys and values).
int Compare(const PathElement& a, const PathElement& b);
inline bool operator<(const PathElement& a, const PathElement& b) {
  return Compare(a, b) < 0;
}
inline bool operator==(const PathElement& a, const PathElement& b) {
  return Compare(a, b) == 0;
}
// structured-merge-diff's value.Compare on JSON values.
int CompareValues(const base::Json& a, const base::Json& b);

using FieldPath = std::vector<PathElement>;
std::string PathString(const FieldPath& path);

class FieldSet {
 public:
  struct Node;

  void Insert(const FieldPath& path);
  void InsertMember(const PathElement& pe);
  // Replaces the paths below `pe` (an empty `set` removes them).
  void SetChild(const PathElement& pe, FieldSet set);
  // Inserts `path` and adds the paths of `below` under it (as Insert of
  // path + p for every p of `below`, without walking from the root each
  // time).
  void InsertWithChildren(const FieldPath& path, FieldSet below);
  void InsertMemberWithChildren(const PathElement& pe, FieldSet below);
  bool Has(const FieldPath& path) const;
  bool HasMember(const PathElement& pe) const;
  bool Empty() const { return members_.empty() && children_.empty(); }

  FieldSet Union(const FieldSet& o) const;
  FieldSet Intersection(const FieldSet& o) const;
  // Members of this set that `o` lacks (children compared child by child).
  FieldSet Difference(const FieldSet& o) const;
  // Also drops everything below a member of `o`.
  FieldSet RecursiveDifference(const FieldSet& o) const;
  // In place: the same results as x = x.Union(o), x = x.Difference(o) and
  // x = x.RecursiveDifference(o), without copying what is kept.
  void UnionWith(const FieldSet& o);
  void DifferenceWith(const FieldSet& o);
  void RecursiveDifferenceWith(const FieldSet& o);
  // The paths below `pe` (without it); null when there are none.
  const FieldSet* Child(const PathElement& pe) const;

  // Members first, then each child subtree, as fieldpath.Set.Iterate.
  void Iterate(const std::function<void(const FieldPath&)>& fn) const;

  const std::vector<PathElement>& members() const { return members_; }
  const std::vector<Node>& children() const { return children_; }

  base::Json ToJson() const;  // the fieldsV1 encoding
  static base::StatusOr<FieldSet> FromJson(const base::Json& fields_v1);

  bool operator==(const FieldSet& o) const;

 private:
  FieldSet& ChildForInsert(const PathElement& pe);
  void DropEmptyChildren();
  void IterateFrom(FieldPath& prefix,
                   const std::function<void(const FieldPath&)>& fn) const;

  std::vector<PathElement> members_;  // sorted
  std::vector<Node> children_;        // sorted by element, never empty sets
};

struct FieldSet::Node {
  PathElement pe;
  FieldSet set;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_FIELD_SET_H_
