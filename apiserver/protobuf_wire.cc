// Wire-level reading for the protobuf decoder; see protobuf_wire.h.
#include "apiserver/protobuf_wire.h"

#include "base/json.h"

namespace ksim::apiserver::proto {

// Go's encoding/json writes invalid UTF-8 as U+FFFD; nlohmann's replace
// handler does the same, and keeps the Json we return safe to dump.
std::string Utf8(std::string_view s) {
  bool ascii = true;
  for (char c : s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) return std::string(s);
  base::Json j = std::string(s);
  try {
    (void)j.dump();
    return std::string(s);
  } catch (const base::Json::type_error&) {
    return base::Json::parse(
               j.dump(-1, ' ', false, base::Json::error_handler_t::replace))
        .get<std::string>();
  }
}

// True when `bytes` parse as a message all of whose fields hold zero values,
// the way gogo-protobuf writes an unset non-pointer field (recursively).
bool IsZeroish(std::string_view bytes, int depth) {
  if (bytes.empty()) return true;
  if (depth > kMaxDepth) return false;
  const std::string no_path;
  Reader r(bytes, no_path);
  for (;;) {
    uint32_t tag;
    if (!r.NextTag(tag)) return false;
    if (tag == 0) return true;
    uint64_t v = 0;
    uint32_t v32 = 0;
    std::string_view sub;
    switch (Wire::GetTagWireType(tag)) {
      case Wire::WIRETYPE_VARINT:
        if (!r.Varint(v) || v != 0) return false;
        break;
      case Wire::WIRETYPE_FIXED64:
        if (!r.Fixed64(v) || v != 0) return false;
        break;
      case Wire::WIRETYPE_FIXED32:
        if (!r.Fixed32(v32) || v32 != 0) return false;
        break;
      case Wire::WIRETYPE_LENGTH_DELIMITED:
        if (!r.Delimited(sub) || !IsZeroish(sub, depth + 1)) return false;
        break;
      default:  // groups: never written by gogo-protobuf
        return false;
    }
  }
}

// A field the decoder does not know: fine when zero, an error otherwise.
base::Status SkipUnknown(Reader& r, std::string_view message, uint32_t tag,
                         int depth) {
  bool zero = false;
  uint64_t v = 0;
  uint32_t v32 = 0;
  std::string_view sub;
  bool ok = true;
  switch (Wire::GetTagWireType(tag)) {
    case Wire::WIRETYPE_VARINT:
      ok = r.Varint(v);
      zero = v == 0;
      break;
    case Wire::WIRETYPE_FIXED64:
      ok = r.Fixed64(v);
      zero = v == 0;
      break;
    case Wire::WIRETYPE_FIXED32:
      ok = r.Fixed32(v32);
      zero = v32 == 0;
      break;
    case Wire::WIRETYPE_LENGTH_DELIMITED:
      ok = r.Delimited(sub);
      zero = IsZeroish(sub, depth + 1);
      break;
    default:
      ok = false;
  }
  if (!ok) return r.Malformed(message);
  if (zero) return base::Status::Ok();
  return base::BadRequest(
      "the protobuf body sets field " +
      std::to_string(Wire::GetTagFieldNumber(tag)) + " of " +
      std::string(message) + " (at " + r.Where() +
      "), which ksim does not decode; send this object as application/json "
      "instead (for example with kubectl create -f <manifest>)");
}

base::Status ReadSmall(std::string_view bytes, std::string_view message,
                       std::string_view wire, const std::string& path,
                       int depth, Small& out) {
  if (depth > kMaxDepth) return base::BadRequest("protobuf nests too deeply");
  Reader r(bytes, path);
  for (;;) {
    uint32_t tag;
    if (!r.NextTag(tag)) return r.Malformed(message);
    if (tag == 0) return base::Status::Ok();
    const int n = Wire::GetTagFieldNumber(tag);
    const auto wt = Wire::GetTagWireType(tag);
    const char want = n <= static_cast<int>(wire.size()) ? wire[n - 1] : ' ';
    bool ok = true;
    if (want == 'v' && wt == Wire::WIRETYPE_VARINT) {
      ok = r.Varint(out.varint[n]);
    } else if (want == 'b' && wt == Wire::WIRETYPE_LENGTH_DELIMITED) {
      ok = r.Delimited(out.bytes[n]);
    } else {
      KSIM_RETURN_IF_ERROR(SkipUnknown(r, message, tag, depth));
    }
    if (!ok) return r.Malformed(message);
  }
}

}  // namespace ksim::apiserver::proto
