// Internals of the strategic merge patch (strategic_merge*.cc), after
// k8s.io/apimachinery/pkg/util/strategicpatch's mergeMap as
// StrategicMergeMapPatch runs it on the server (parallel lists merged,
// unmatched nulls ignored). Not part of the apiserver contract.
#ifndef KSIM_APISERVER_STRATEGIC_MERGE_INTERNAL_H_
#define KSIM_APISERVER_STRATEGIC_MERGE_INTERNAL_H_

#include <string>
#include <string_view>
#include <utility>

#include "apiserver/schema_lookup.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver::smp {

using base::Json;
using base::Status;
using base::StatusOr;

inline constexpr std::string_view kDirective = "$patch";
inline constexpr std::string_view kRetainKeys = "$retainKeys";
inline constexpr std::string_view kDeleteFromPrimitiveList =
    "$deleteFromPrimitiveList";
inline constexpr std::string_view kSetElementOrder = "$setElementOrder";

// The errors kube-apiserver turns into 400 (interpretStrategicMergePatchError)
Status ErrBadPatchFormatForPrimitiveList();
Status ErrBadPatchFormatForRetainKeys();
Status ErrBadPatchFormatForSetElementOrderList();
// ... into 422
Status ErrNoListOfLists();
// ... and everything else, sent as a plain 500.
Status Plain(std::string message);
Status ErrNoMergeKey(const Json& map, std::string_view key);
// mergepatch.ErrBadArgType: "expected a <want>, but received a <type>".
Status ErrBadArgType(std::string_view want, const Json& actual);
Status ErrBadPatchType(const Json& directive, const Json& map);

// A field's merge behaviour: patch strategy ("merge", "replace" or "")
// without retainKeys, the merge key, and the schema of its value (of its
// items, for lists).
struct PatchMeta {
  std::string strategy;
  std::string merge_key;
  FieldSchema value;
};

class Merger {
 public:
  explicit Merger(const SchemaRegistry& registry) : registry_(registry) {}

  StatusOr<Json> MergeMap(Json original, Json patch, const FieldSchema& schema);
  StatusOr<Json> MergeSliceHandler(Json original, Json patch,
                                   const PatchMeta& meta, bool is_delete_list);

  StatusOr<PatchMeta> MetaFor(const FieldSchema& parent, std::string_view key,
                              bool for_slice) const;

 private:
  Status ApplyRetainKeys(Json& original, Json& patch) const;
  Status MergeSetElementOrder(Json& original, Json& patch,
                              const FieldSchema& schema);
  Status MergeOneKey(Json& original, std::string key, Json patch_value,
                     const FieldSchema& schema);
  StatusOr<Json> MergeSlice(Json original, Json patch, const PatchMeta& meta,
                            bool is_delete_list);
  StatusOr<Json> MergeSliceOfMaps(Json original, Json patch,
                                  const PatchMeta& meta);

  const SchemaRegistry& registry_;
};

// removeDirectives: drops maps carrying "$patch" (the bool says whether the
// value itself survives).
std::pair<Json, bool> RemoveDirectives(Json v);
void DiscardNullValues(Json& v);

// List helpers shared by the merge and the $setElementOrder handling.
// sliceElementType over several lists: the Go type name, or an error.
StatusOr<std::string> SliceElementType(const Json& a, const Json& b);
Status ValidatePatchWithSetOrderList(const Json& patch_list,
                                     const Json& order_list,
                                     const std::string& merge_key);
// Splits `merged` into items present in `by` and the rest (server-only).
Status PartitionByPresence(const Json& merged, const Json& by,
                           const std::string& merge_key, bool maps,
                           Json& present, Json& server_only);
StatusOr<Json> NormalizeElementOrder(Json patch, Json server_only,
                                     const Json& patch_order,
                                     const Json& server_order,
                                     const std::string& merge_key, bool maps);
// Go's == on decoded JSON values (numbers of different Go types differ).
bool GoEqual(const Json& a, const Json& b);

}  // namespace ksim::apiserver::smp

#endif  // KSIM_APISERVER_STRATEGIC_MERGE_INTERNAL_H_
