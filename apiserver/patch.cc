// JSON patch and JSON merge patch, with kube-apiserver's decoding checks and
// error wording (k8s.io/apiserver/pkg/endpoints/handlers/patch.go on top of
// gopkg.in/evanphx/json-patch.v4). The operations themselves are
// nlohmann::json's patch() and merge_patch().
#include "apiserver/patch.h"

#include <string>

#include "apiserver/go_format.h"

namespace ksim::apiserver {
namespace {

using base::Json;
using base::Status;

constexpr size_t kMaxJsonPatchOperations = 10000;

Status DecodeError(const std::string& what) {
  return base::BadRequest("error decoding patch: json: " + what);
}

// The handler first decodes the document strictly into []jsonPatchOp
// {op, path, from string; value interface{}}; the first type error wins.
Status CheckJsonPatchShape(const Json& patch) {
  if (patch.is_null()) return Status::Ok();
  if (!patch.is_array()) {
    return DecodeError("cannot unmarshal " + GoJsonKind(patch) +
                       " into Go value of type []handlers.jsonPatchOp");
  }
  for (const Json& op : patch) {
    if (op.is_null()) continue;
    if (!op.is_object()) {
      return DecodeError("cannot unmarshal " + GoJsonKind(op) +
                         " into Go value of type handlers.jsonPatchOp");
    }
    for (const char* field : {"op", "path", "from"}) {
      auto it = op.find(field);
      if (it != op.end() && !it->is_string() && !it->is_null()) {
        return DecodeError("cannot unmarshal " + GoJsonKind(*it) +
                           " into Go struct field jsonPatchOp." + field +
                           " of type string");
      }
    }
  }
  return Status::Ok();
}

// What errors.NewGenericServerResponse(422, ...) carries: the library's
// message is dropped, as kube-apiserver drops it.
Status JsonPatchFailed() {
  return Status(base::Code::kInvalid,
                "the server rejected our request due to an error in our "
                "request",
                base::Details{});
}

// evanphx/json-patch v4 treats a missing "value" of add/replace as null,
// where nlohmann rejects the operation; and it cannot address the document
// root (only "test" may), where nlohmann would replace the whole document.
// Returns false for a patch that v4 fails.
bool NormalizeOperations(const Json& patch, Json& ops) {
  ops = Json::array();
  if (!patch.is_array()) return true;
  for (const Json& op : patch) {
    Json copy = op.is_null() ? Json::object() : op;
    std::string kind = copy.value("op", "");
    if (kind != "test" &&
        (copy.value("path", "").empty() ||
         (copy.contains("from") && copy.value("from", "").empty()))) {
      return false;
    }
    if ((kind == "add" || kind == "replace") && !copy.contains("value")) {
      copy["value"] = nullptr;
    }
    ops.push_back(std::move(copy));
  }
  return true;
}

// RFC 7386 as evanphx/json-patch applies it differs from nlohmann's in one
// point: null members of objects nested in arrays of the patch are pruned.
void PruneNullsInArrays(Json& v, bool inside_array) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (inside_array && it->is_null()) {
        it = v.erase(it);
      } else {
        PruneNullsInArrays(*it, inside_array);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (Json& item : v) PruneNullsInArrays(item, true);
  }
}

}  // namespace

base::StatusOr<Json> ApplyJsonPatch(const Json& original, const Json& patch) {
  KSIM_RETURN_IF_ERROR(CheckJsonPatchShape(patch));
  if (patch.is_array() && patch.size() > kMaxJsonPatchOperations) {
    return Status(base::Code::kRequestEntityTooLarge,
                  "Request entity too large: The allowed maximum operations "
                  "in a JSON patch is " +
                      std::to_string(kMaxJsonPatchOperations) + ", got " +
                      std::to_string(patch.size()));
  }
  Json ops;
  if (!NormalizeOperations(patch, ops)) return JsonPatchFailed();
  try {
    return original.patch(ops);
  } catch (const Json::exception&) {
    return JsonPatchFailed();
  }
}

base::StatusOr<Json> ApplyMergePatch(const Json& original, const Json& patch) {
  if (!patch.is_object() && !patch.is_null()) {
    return DecodeError("cannot unmarshal " + GoJsonKind(patch) +
                       " into Go value of type map[string]interface {}");
  }
  if (patch.is_null()) return base::BadRequest("Invalid JSON Patch");
  Json pruned = patch;
  PruneNullsInArrays(pruned, false);
  Json result = original.is_object() ? original : Json::object();
  result.merge_patch(pruned);
  return result;
}

}  // namespace ksim::apiserver
