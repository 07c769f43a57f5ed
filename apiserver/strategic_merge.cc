// Strategic merge patch: maps and directives. Follows the order of work of
// strategicpatch.mergeMap (directive, $retainKeys, $setElementOrder, then
// each key) so that results and errors match kube-apiserver's.
#include <set>
#include <vector>

#include "apiserver/go_format.h"
#include "apiserver/patch.h"
#include "apiserver/strategic_merge_internal.h"

namespace ksim::apiserver {
namespace smp {
namespace {

bool HasPrefix(std::string_view s, std::string_view prefix) {
  return s.substr(0, prefix.size()) == prefix;
}

// strategicpatch.extractKey: "<prefix>/<key>" -> key.
bool ExtractKey(const std::string& s, std::string_view prefix,
                std::string* key) {
  size_t slash = s.find('/');
  if (slash == std::string::npos || s.substr(0, slash) != prefix) return false;
  *key = s.substr(slash + 1);
  return true;
}

// fmt's %s of an arbitrary value.
std::string GoPercentS(const Json& v) {
  if (v.is_string() || v.is_object() || v.is_array()) return GoFormat(v);
  if (v.is_null()) return "%!s(<nil>)";
  return "%!s(" + GoTypeName(v) + "=" + GoFormat(v) + ")";
}

Status BadRequestErr(const char* message) { return base::BadRequest(message); }

}  // namespace

Status ErrBadPatchFormatForPrimitiveList() {
  return BadRequestErr("invalid patch format of primitive list");
}
Status ErrBadPatchFormatForRetainKeys() {
  return BadRequestErr("invalid patch format of retainKeys");
}
Status ErrBadPatchFormatForSetElementOrderList() {
  return BadRequestErr("invalid patch format of setElementOrder list");
}
Status ErrNoListOfLists() {
  // errors.NewGenericServerResponse(422, ...) keeps only its stock message.
  return Status(base::Code::kInvalid,
                "the server rejected our request due to an error in our "
                "request",
                base::Details{});
}
Status Plain(std::string message) {
  return Status(base::Code::kInternal, std::move(message));
}
Status ErrNoMergeKey(const Json& map, std::string_view key) {
  return Plain("map: " + GoFormat(map) +
               " does not contain declared merge key: " + std::string(key));
}
Status ErrBadArgType(std::string_view want, const Json& actual) {
  return Plain("expected a " + std::string(want) + ", but received a " +
               GoTypeName(actual));
}
Status ErrBadPatchType(const Json& directive, const Json& map) {
  return Plain("unknown patch type: " + GoPercentS(directive) +
               " in map: " + GoFormat(map));
}

std::pair<Json, bool> RemoveDirectives(Json v) {
  if (v.is_object()) {
    if (v.contains(kDirective)) return {Json(), false};
    for (auto it = v.begin(); it != v.end();) {
      auto [child, keep] = RemoveDirectives(std::move(*it));
      if (keep) {
        *it = std::move(child);
        ++it;
      } else {
        it = v.erase(it);
      }
    }
  } else if (v.is_array()) {
    Json out = Json::array();
    for (Json& item : v) {
      auto [child, keep] = RemoveDirectives(std::move(item));
      if (keep) out.push_back(std::move(child));
    }
    return {std::move(out), true};
  }
  return {std::move(v), true};
}

void DiscardNullValues(Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        DiscardNullValues(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (Json& item : v) DiscardNullValues(item);
  }
}

StatusOr<PatchMeta> Merger::MetaFor(const FieldSchema& parent,
                                    std::string_view key,
                                    bool for_slice) const {
  FieldSchema field = LookupField(registry_, parent, key);
  std::vector<std::string> strategies = PatchStrategies(field);
  PatchMeta meta;
  // extractRetainKeysPatchStrategy: retainKeys plus at most one other.
  if (strategies.size() == 1) {
    if (strategies[0] != "retainKeys") meta.strategy = strategies[0];
  } else if (strategies.size() == 2 &&
             (strategies[0] == "retainKeys" || strategies[1] == "retainKeys")) {
    meta.strategy =
        strategies[0] == "retainKeys" ? strategies[1] : strategies[0];
  } else if (strategies.size() >= 2) {
    return Plain("unexpected patch strategy: " + GoFormat(Json(strategies)));
  }
  meta.merge_key = field.StringExtension("x-kubernetes-patch-merge-key");
  meta.value = for_slice ? LookupItems(registry_, field) : field;
  return meta;
}

Status Merger::ApplyRetainKeys(Json& original, Json& patch) const {
  auto it = patch.find(kRetainKeys);
  if (it == patch.end()) return Status::Ok();
  Json retain = std::move(*it);
  patch.erase(it);
  if (!retain.is_array()) return ErrBadPatchFormatForRetainKeys();
  auto retained = [&retain](const std::string& key) {
    for (const Json& v : retain) {
      if (v.is_string() && v.get_ref<const std::string&>() == key) return true;
    }
    return false;
  };
  for (const auto& [k, v] : patch.items()) {
    if (v.is_null() || HasPrefix(k, kDeleteFromPrimitiveList) ||
        HasPrefix(k, kSetElementOrder)) {
      continue;
    }
    if (!retained(k)) return ErrBadPatchFormatForRetainKeys();
  }
  for (auto o = original.begin(); o != original.end();) {
    o = retained(o.key()) ? std::next(o) : original.erase(o);
  }
  return Status::Ok();
}

// mergePatchIntoOriginal: merges each list named by a $setElementOrder
// directive and orders it: $setElementOrder first, then patch order, then
// the live order.
Status Merger::MergeSetElementOrder(Json& original, Json& patch,
                                    const FieldSchema& schema) {
  std::vector<std::string> keys;
  for (const auto& [k, v] : patch.items()) {
    if (HasPrefix(k, kSetElementOrder)) keys.push_back(k);
  }
  for (const std::string& key : keys) {
    Json order = std::move(patch[key]);
    patch.erase(key);
    if (!order.is_array()) return ErrBadArgType("[]interface {}", order);
    std::string field;
    if (!ExtractKey(key, kSetElementOrder, &field)) {
      return ErrBadPatchFormatForSetElementOrderList();
    }
    bool in_original = original.contains(field);
    bool in_patch = patch.contains(field);
    Json original_list = in_original ? original[field] : Json::array();
    Json patch_list = in_patch ? patch[field] : Json::array();
    if (!original_list.is_array()) {
      return ErrBadArgType("[]interface {}", original_list);
    }
    if (!patch_list.is_array())
      return ErrBadArgType("[]interface {}", patch_list);
    KSIM_ASSIGN_OR_RETURN(PatchMeta meta, MetaFor(schema, field, true));
    KSIM_RETURN_IF_ERROR(
        ValidatePatchWithSetOrderList(patch_list, order, meta.merge_key));
    Json merged;
    if (in_original && !in_patch) {
      merged = original_list;
    } else if (!in_original && in_patch) {
      merged = RemoveDirectives(patch_list).first;
    } else if (in_original && in_patch) {
      KSIM_ASSIGN_OR_RETURN(
          merged, MergeSliceHandler(original_list, patch_list, meta, false));
    } else {
      continue;
    }
    bool maps = !meta.merge_key.empty();
    Json present, server_only;
    KSIM_RETURN_IF_ERROR(PartitionByPresence(merged, order, meta.merge_key,
                                             maps, present, server_only));
    KSIM_ASSIGN_OR_RETURN(std::string elem,
                          SliceElementType(original_list, patch_list));
    KSIM_ASSIGN_OR_RETURN(
        original[field],
        NormalizeElementOrder(std::move(present), std::move(server_only), order,
                              original_list, meta.merge_key,
                              elem == "map[string]interface {}"));
    patch.erase(field);
  }
  return Status::Ok();
}

Status Merger::MergeOneKey(Json& original, std::string key, Json patch_value,
                           const FieldSchema& schema) {
  bool is_delete_list = false;
  if (HasPrefix(key, kDeleteFromPrimitiveList)) {
    std::string field;
    if (!ExtractKey(key, kDeleteFromPrimitiveList, &field)) {
      return ErrBadPatchFormatForPrimitiveList();
    }
    key = field;
    is_delete_list = true;
  }
  if (patch_value.is_null()) {
    original.erase(key);
    return Status::Ok();
  }
  auto it = original.find(key);
  if (it == original.end() || GoTypeName(*it) != GoTypeName(patch_value)) {
    if (is_delete_list) return Status::Ok();
    DiscardNullValues(patch_value);
    auto [value, keep] = RemoveDirectives(std::move(patch_value));
    if (keep) {
      original[key] = std::move(value);
    } else {
      original.erase(key);
    }
    return Status::Ok();
  }
  if (it->is_object()) {
    KSIM_ASSIGN_OR_RETURN(PatchMeta meta, MetaFor(schema, key, false));
    if (meta.strategy == "replace") {
      *it = std::move(patch_value);
      return Status::Ok();
    }
    KSIM_ASSIGN_OR_RETURN(
        *it, MergeMap(std::move(*it), std::move(patch_value), meta.value));
    return Status::Ok();
  }
  if (it->is_array()) {
    KSIM_ASSIGN_OR_RETURN(PatchMeta meta, MetaFor(schema, key, true));
    KSIM_ASSIGN_OR_RETURN(
        *it, MergeSliceHandler(std::move(*it), std::move(patch_value), meta,
                               is_delete_list));
    return Status::Ok();
  }
  *it = std::move(patch_value);
  return Status::Ok();
}

StatusOr<Json> Merger::MergeMap(Json original, Json patch,
                                const FieldSchema& schema) {
  if (auto d = patch.find(kDirective); d != patch.end()) {
    if (*d == "replace") {
      patch.erase(d);
      return patch;
    }
    if (*d == "delete") return Json::object();
    return ErrBadPatchType(*d, patch);
  }
  if (!original.is_object()) original = Json::object();
  KSIM_RETURN_IF_ERROR(ApplyRetainKeys(original, patch));
  KSIM_RETURN_IF_ERROR(MergeSetElementOrder(original, patch, schema));
  for (auto& [k, v] : patch.items()) {
    KSIM_RETURN_IF_ERROR(MergeOneKey(original, k, std::move(v), schema));
  }
  return original;
}

}  // namespace smp

base::StatusOr<Json> ApplyStrategicMergePatch(const SchemaRegistry& registry,
                                              const Json& schema,
                                              const Json& original,
                                              const Json& patch) {
  if (!patch.is_object() && !patch.is_null()) {
    return base::BadRequest("json: cannot unmarshal " + GoJsonKind(patch) +
                            " into Go value of type map[string]interface {}");
  }
  smp::Merger merger(registry);
  return merger.MergeMap(original.is_object() ? original : Json::object(),
                         patch.is_null() ? Json::object() : patch,
                         RootSchema(registry, schema));
}

}  // namespace ksim::apiserver
