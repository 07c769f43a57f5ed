// Strategic merge patch: lists. Merge lists of maps by their merge key,
// lists of scalars as sets, honour "$patch" items and
// $deleteFromPrimitiveList, then order the result as strategicpatch does:
// patch items in patch order, server-only items in live order, interleaved
// by their live positions (normalizeElementOrder / mergeSortedSlice).
#include "apiserver/go_format.h"
#include "apiserver/strategic_merge_internal.h"

namespace ksim::apiserver::smp {
namespace {

constexpr std::string_view kMapType = "map[string]interface {}";

// The merge key value of a list item, nil (null) when absent, as the Go
// code's typedItem[mergeKey] yields.
Json KeyOf(const Json& item, const std::string& merge_key) {
  if (!item.is_object()) return nullptr;
  auto it = item.find(merge_key);
  return it == item.end() ? Json() : *it;
}

int Index(const Json& list, const Json& value, const std::string& merge_key,
          bool maps) {
  for (size_t i = 0; i < list.size(); ++i) {
    bool eq = maps ? GoEqual(KeyOf(value, merge_key), KeyOf(list[i], merge_key))
                   : GoEqual(value, list[i]);
    if (eq) return static_cast<int>(i);
  }
  return -1;
}

// findMapInSliceBasedOnKeyValue.
StatusOr<int> FindByKey(const Json& list, const std::string& key,
                        const Json& value) {
  for (size_t i = 0; i < list.size(); ++i) {
    if (!list[i].is_object()) {
      return Plain("value for key " + std::to_string(i) + " is not a map");
    }
    auto it = list[i].find(key);
    if (it != list[i].end() && GoEqual(*it, value)) return static_cast<int>(i);
  }
  return -1;
}

Status ValidateMergeKeys(const std::string& merge_key, const Json& list) {
  for (const Json& item : list) {
    if (!item.is_object()) return ErrBadArgType(kMapType, item);
    if (!item.contains(merge_key)) return ErrNoMergeKey(item, merge_key);
  }
  return Status::Ok();
}

bool IsDeleteItem(const Json& item) {
  auto it = item.find(kDirective);
  return it != item.end() && *it == "delete";
}

// normalizeSliceOrder: a stable sort by position in `order`, with Go's
// comparator (an item missing from `order` compares as "less"), done as the
// insertion sort sort.SliceStable runs on such short lists; "$patch: delete"
// items go last.
StatusOr<Json> NormalizeSliceOrder(Json to_sort, const Json& order,
                                   const std::string& merge_key, bool maps) {
  Json to_delete = Json::array();
  if (maps) {
    KSIM_RETURN_IF_ERROR(ValidateMergeKeys(merge_key, to_sort));
    KSIM_RETURN_IF_ERROR(ValidateMergeKeys(merge_key, order));
    Json keep = Json::array();
    for (Json& item : to_sort) {
      (IsDeleteItem(item) ? to_delete : keep).push_back(std::move(item));
    }
    to_sort = std::move(keep);
  }
  auto less = [&](const Json& a, const Json& b) {
    int ia = Index(order, a, merge_key, maps);
    if (ia >= 0) {
      int ib = Index(order, b, merge_key, maps);
      if (ib >= 0) return ia < ib;
    }
    return true;
  };
  for (size_t i = 1; i < to_sort.size(); ++i) {
    for (size_t j = i; j > 0 && less(to_sort[j], to_sort[j - 1]); --j) {
      std::swap(to_sort[j], to_sort[j - 1]);
    }
  }
  for (Json& item : to_delete) to_sort.push_back(std::move(item));
  return to_sort;
}

// mergeSortedSlice: inserts the server-only items (left) among the patch
// items (right), using the live order where both are known.
Json MergeSortedSlice(const Json& left, const Json& right,
                      const Json& server_order, const std::string& merge_key,
                      bool maps) {
  Json out = Json::array();
  size_t i = 0, j = 0;
  while (i < left.size() || j < right.size()) {
    if (i >= left.size()) {
      out.push_back(right[j++]);
    } else if (j >= right.size()) {
      out.push_back(left[i++]);
    } else {
      int li = Index(server_order, left[i], merge_key, maps);
      int ri = Index(server_order, right[j], merge_key, maps);
      if (li >= 0 && ri >= 0 && li < ri) {
        out.push_back(left[i++]);
      } else {
        out.push_back(right[j++]);
      }
    }
  }
  return out;
}

// deduplicateScalars, swapping the last element into each duplicate's slot
// as the Go code does.
Json DeduplicateScalars(Json s) {
  std::vector<Json> v(s.begin(), s.end());
  size_t length = v.size();
  for (size_t i = 0; i + 1 < length; ++i) {
    for (size_t j = i + 1; j < length; ++j) {
      if (GoEqual(v[i], v[j])) {
        v[j] = v[length - 1];
        --length;
        --j;
      }
    }
  }
  v.resize(length);
  return Json(v);
}

Json DeleteFromSlice(const Json& current, const Json& to_delete) {
  Json out = Json::array();
  for (const Json& v : current) {
    bool found = false;
    for (const Json& d : to_delete) found = found || GoEqual(v, d);
    if (!found) out.push_back(v);
  }
  return out;
}

std::string ItemTypeName(const FieldSchema& items) {
  const Json* ref = items.raw != nullptr ? items.raw : nullptr;
  if (ref != nullptr && ref->is_object() && ref->contains("$ref") &&
      (*ref)["$ref"].is_string()) {
    std::string r = (*ref)["$ref"];
    return r.substr(r.rfind('/') + 1);
  }
  return "";
}

}  // namespace

bool GoEqual(const Json& a, const Json& b) {
  return GoTypeName(a) == GoTypeName(b) && a == b;
}

StatusOr<std::string> SliceElementType(const Json& a, const Json& b) {
  std::string prev;
  for (const Json* list : {&a, &b}) {
    for (const Json& v : *list) {
      std::string t = GoTypeName(v);
      if (prev.empty()) {
        prev = t;
        if (v.is_array()) return ErrNoListOfLists();
      } else if (prev != t) {
        return Plain("list element types are not identical: " +
                     GoFormat(Json::array({a, b})));
      }
    }
  }
  if (prev.empty()) return Plain("no elements in any of the given slices");
  return prev;
}

Status ValidatePatchWithSetOrderList(const Json& patch_list,
                                     const Json& order_list,
                                     const std::string& merge_key) {
  if (order_list.empty() || patch_list.empty()) return Status::Ok();
  Json non_delete = Json::array();
  for (const Json& item : patch_list) {
    if (!merge_key.empty()) {
      if (!item.is_object()) return ErrBadArgType(kMapType, item);
      if (IsDeleteItem(item)) continue;
    }
    non_delete.push_back(item);
  }
  size_t p = 0, s = 0;
  while (p < non_delete.size() && s < order_list.size()) {
    const Json& item = non_delete[p];
    if (item.is_object() && item.contains(kDirective)) {
      ++p;
      continue;
    }
    bool equal;
    if (merge_key.empty()) {
      equal = GoEqual(item, order_list[s]);
    } else {
      const Json& o = order_list[s];
      if (!item.is_object()) return ErrBadArgType(kMapType, item);
      if (!o.is_object()) return ErrBadArgType(kMapType, o);
      if (!item.contains(merge_key)) return ErrNoMergeKey(item, merge_key);
      if (!o.contains(merge_key)) return ErrNoMergeKey(o, merge_key);
      equal = GoEqual(item[merge_key], o[merge_key]);
    }
    if (equal) ++p;
    ++s;
  }
  if (p < non_delete.size() && s >= order_list.size()) {
    return Plain("The order in patch list:\n" + GoFormat(patch_list) +
                 "\n doesn't match $setElementOrder list:\n" +
                 GoFormat(order_list) + "\n");
  }
  return Status::Ok();
}

Status PartitionByPresence(const Json& merged, const Json& by,
                           const std::string& merge_key, bool maps,
                           Json& present, Json& server_only) {
  present = Json::array();
  server_only = Json::array();
  for (const Json& v : merged) {
    bool found = false;
    if (maps) {
      if (!v.is_object()) return ErrBadArgType(kMapType, v);
      auto key = v.find(merge_key);
      if (key == v.end()) return ErrNoMergeKey(v, merge_key);
      KSIM_ASSIGN_OR_RETURN(int at, FindByKey(by, merge_key, *key));
      found = at >= 0;
    } else {
      for (const Json& b : by) found = found || GoEqual(v, b);
    }
    (found ? present : server_only).push_back(v);
  }
  return Status::Ok();
}

StatusOr<Json> NormalizeElementOrder(Json patch, Json server_only,
                                     const Json& patch_order,
                                     const Json& server_order,
                                     const std::string& merge_key, bool maps) {
  KSIM_ASSIGN_OR_RETURN(
      Json sorted_patch,
      NormalizeSliceOrder(std::move(patch), patch_order, merge_key, maps));
  KSIM_ASSIGN_OR_RETURN(Json sorted_server,
                        NormalizeSliceOrder(std::move(server_only),
                                            server_order, merge_key, maps));
  return MergeSortedSlice(sorted_server, sorted_patch, server_order, merge_key,
                          maps);
}

StatusOr<Json> Merger::MergeSliceHandler(Json original, Json patch,
                                         const PatchMeta& meta,
                                         bool is_delete_list) {
  if (!original.is_array()) return ErrBadArgType("[]interface {}", original);
  if (!patch.is_array()) return ErrBadArgType("[]interface {}", patch);
  if (meta.strategy == "merge" || is_delete_list) {
    return MergeSlice(std::move(original), std::move(patch), meta,
                      is_delete_list);
  }
  return patch;
}

StatusOr<Json> Merger::MergeSlice(Json original, Json patch,
                                  const PatchMeta& meta, bool is_delete_list) {
  if (original.empty() && patch.empty()) return original;
  KSIM_ASSIGN_OR_RETURN(std::string elem, SliceElementType(original, patch));
  bool maps = elem == kMapType;
  Json merged;
  if (!maps) {
    if (is_delete_list) return DeleteFromSlice(original, patch);
    Json both = original;
    for (const Json& v : patch) both.push_back(v);
    merged = DeduplicateScalars(std::move(both));
  } else {
    if (meta.merge_key.empty()) {
      return Plain("cannot merge lists without merge key for " +
                   ItemTypeName(meta.value));
    }
    // mergeSliceWithSpecialElements: "$patch" items act on the live list.
    Json plain = Json::array();
    bool replace = false;
    for (const Json& v : patch) {
      auto d = v.find(kDirective);
      if (d == v.end()) {
        plain.push_back(v);
      } else if (*d == "delete") {
        auto key = v.find(meta.merge_key);
        if (key == v.end()) return ErrNoMergeKey(v, meta.merge_key);
        while (true) {
          KSIM_ASSIGN_OR_RETURN(int at,
                                FindByKey(original, meta.merge_key, *key));
          if (at < 0) break;
          original.erase(static_cast<size_t>(at));
        }
      } else if (*d == "replace") {
        replace = true;
      } else if (*d == "merge") {
        return Plain("merging lists cannot yet be specified in the patch");
      } else {
        return ErrBadPatchType(*d, v);
      }
    }
    if (replace) {
      original = std::move(plain);
      patch = Json::array();
    } else {
      patch = std::move(plain);
    }
    KSIM_ASSIGN_OR_RETURN(merged, MergeSliceOfMaps(original, patch, meta));
  }
  Json present, server_only;
  KSIM_RETURN_IF_ERROR(PartitionByPresence(merged, patch, meta.merge_key, maps,
                                           present, server_only));
  return NormalizeElementOrder(std::move(present), std::move(server_only),
                               patch, original, meta.merge_key, maps);
}

// mergeSliceWithoutSpecialElements: items with a known key merge into the
// live item, new ones are appended as sent.
StatusOr<Json> Merger::MergeSliceOfMaps(Json original, Json patch,
                                        const PatchMeta& meta) {
  for (Json& v : patch) {
    auto key = v.find(meta.merge_key);
    if (key == v.end()) return ErrNoMergeKey(v, meta.merge_key);
    KSIM_ASSIGN_OR_RETURN(int at, FindByKey(original, meta.merge_key, *key));
    if (at >= 0) {
      KSIM_ASSIGN_OR_RETURN(original[at],
                            MergeMap(std::move(original[at]), v, meta.value));
    } else {
      original.push_back(v);
    }
  }
  return original;
}

}  // namespace ksim::apiserver::smp
