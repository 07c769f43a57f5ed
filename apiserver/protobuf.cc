// Table-driven decoder of Kubernetes protobuf bodies (see protobuf.h). The
// wire is read with libprotobuf's CodedInputStream; the JSON produced is what
// Go's encoding/json would write for the object gogo-protobuf decoded.
#include "apiserver/protobuf.h"

#include <string>

#include "apiserver/protobuf_messages.h"
#include "apiserver/protobuf_wire.h"
#include "base/clock.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

using proto::Field;
using proto::Kind;
using proto::kMaxDepth;
using proto::Message;
using proto::Reader;
using proto::ReadSmall;
using proto::SkipUnknown;
using proto::Small;
using proto::Utf8;
using proto::Wire;

constexpr std::string_view kMagic{"k8s\0", 4};
constexpr size_t kMaxBody = size_t{1} << 30;
// metav1.Time goes through base::Time (int64 nanoseconds): years 1678-2262.
constexpr int64_t kMaxTimeSeconds = 9'000'000'000;

std::string ChildPath(const std::string& path, std::string_view name) {
  return path.empty() ? std::string(name) : path + "." + std::string(name);
}

// metav1.Time {1: seconds, 2: nanos}: empty is the zero time (null), else
// the seconds as RFC 3339 (Go drops the nanoseconds when decoding).
base::StatusOr<base::Json> DecodeTime(std::string_view bytes,
                                      const std::string& path, int depth) {
  if (bytes.empty()) return base::Json(nullptr);
  Small s;
  KSIM_RETURN_IF_ERROR(ReadSmall(bytes, "Time", "vv", path, depth, s));
  const auto seconds = static_cast<int64_t>(s.varint[1]);
  if (seconds > kMaxTimeSeconds || seconds < -kMaxTimeSeconds) {
    return base::BadRequest("the protobuf body has a time out of range at " +
                            path);
  }
  return base::Json(
      base::FormatRfc3339(base::Time(std::chrono::seconds(seconds))));
}

// intstr.IntOrString {1: type, 2: intVal, 3: strVal} -> 80 or "http".
base::StatusOr<base::Json> DecodeIntOrString(std::string_view bytes,
                                             const std::string& path,
                                             int depth) {
  Small s;
  KSIM_RETURN_IF_ERROR(ReadSmall(bytes, "IntOrString", "vvb", path, depth, s));
  if (s.varint[1] == 0) return base::Json(static_cast<int32_t>(s.varint[2]));
  if (s.varint[1] == 1) return base::Json(Utf8(s.bytes[3]));
  return base::BadRequest("the protobuf body has an IntOrString of type " +
                          std::to_string(s.varint[1]) + " at " + path);
}

// resource.Quantity {1: string}; absent is the zero Quantity, "0".
base::StatusOr<base::Json> DecodeQuantity(std::string_view bytes,
                                          const std::string& path, int depth) {
  Small s;
  s.bytes[1] = "0";
  KSIM_RETURN_IF_ERROR(ReadSmall(bytes, "Quantity", "b", path, depth, s));
  return base::Json(Utf8(s.bytes[1]));
}

// metav1.FieldsV1 {1: Raw}: the raw bytes are JSON, written as such.
base::StatusOr<base::Json> DecodeFieldsV1(std::string_view bytes,
                                          const std::string& path, int depth) {
  Small s;
  KSIM_RETURN_IF_ERROR(ReadSmall(bytes, "FieldsV1", "b", path, depth, s));
  if (s.bytes[1].empty()) return base::Json(nullptr);
  auto j = base::ParseJson(s.bytes[1]);
  if (j.ok()) return std::move(j).value();
  return base::BadRequest("the protobuf body has invalid fieldsV1 at " + path +
                          ": " + j.status().message());
}

// One entry {1: key, 2: value} of a map field, added to out[f.json].
base::Status DecodeMapEntry(const Field& f, std::string_view bytes,
                            const std::string& path, int depth,
                            base::Json& out) {
  Small s;
  KSIM_RETURN_IF_ERROR(ReadSmall(bytes, "map entry", "bb", path, depth, s));
  base::Json value;
  if (f.kind == Kind::kMapString) {
    value = Utf8(s.bytes[2]);
  } else if (f.kind == Kind::kMapBytes) {
    value = base::Base64Encode(s.bytes[2]);
  } else {
    KSIM_ASSIGN_OR_RETURN(value, DecodeQuantity(s.bytes[2], path, depth + 1));
  }
  base::Json& map = out[std::string(f.json)];
  if (!map.is_object()) map = base::Json::object();
  map[Utf8(s.bytes[1])] = std::move(value);
  return base::Status::Ok();
}

base::Status DecodeInto(const Message& m, std::string_view bytes,
                        const std::string& path, int depth, base::Json& out);

// A kMessage/kInline field: decoded into `out` (merging, as protobuf merges
// a message field that occurs twice).
base::Status DecodeNested(const Field& f, std::string_view bytes,
                          const std::string& path, int depth, base::Json& out) {
  const Message* sub = proto::FindMessage(f.message);
  if (sub == nullptr) {
    return base::Internal("protobuf table: unknown message " +
                          std::string(f.message));
  }
  if (!out.is_object()) out = base::Json::object();
  return DecodeInto(*sub, bytes, path, depth + 1, out);
}

// A length-delimited value: string, bytes or one of the wrapper messages.
base::StatusOr<base::Json> DecodeDelimited(const Field& f,
                                           std::string_view bytes,
                                           const std::string& path, int depth) {
  switch (f.kind) {
    case Kind::kString:
      return base::Json(Utf8(bytes));
    case Kind::kBytes:
      return base::Json(base::Base64Encode(bytes));
    case Kind::kTime:
      return DecodeTime(bytes, path, depth + 1);
    case Kind::kIntOrString:
      return DecodeIntOrString(bytes, path, depth + 1);
    case Kind::kQuantity:
      return DecodeQuantity(bytes, path, depth + 1);
    case Kind::kFieldsV1:
      return DecodeFieldsV1(bytes, path, depth + 1);
    default:
      return base::Internal("protobuf table: " + std::string(f.json) +
                            " is not a length-delimited value");
  }
}

// Stores a decoded value: appended when repeated; a zero scalar is left out
// unless keep_zero (a later occurrence replaces an earlier one).
void Store(const Field& f, base::Json value, bool zero, base::Json& out) {
  const std::string key(f.json);
  if (f.repeated) {
    base::Json& list = out[key];
    if (!list.is_array()) list = base::Json::array();
    list.push_back(std::move(value));
  } else if (zero && !f.keep_zero) {
    out.erase(key);
  } else {
    out[key] = std::move(value);
  }
}

base::Status DecodeField(const Field& f, Reader& r, std::string_view message,
                         uint32_t tag, int depth, base::Json& out) {
  const bool varint = f.kind == Kind::kInt || f.kind == Kind::kBool;
  const auto wt = Wire::GetTagWireType(tag);
  if (varint && f.repeated && wt == Wire::WIRETYPE_LENGTH_DELIMITED) {
    // A packed repeated scalar (gogo-protobuf reads both forms).
    std::string_view bytes;
    if (!r.Delimited(bytes)) return r.Malformed(message);
    Reader packed(bytes, r.path());
    while (!packed.AtEnd()) {
      uint64_t v;
      if (!packed.Varint(v)) return r.Malformed(message);
      Store(f,
            f.kind == Kind::kBool ? base::Json(v != 0)
                                  : base::Json(static_cast<int64_t>(v)),
            false, out);
    }
    return base::Status::Ok();
  }
  if (wt !=
      (varint ? Wire::WIRETYPE_VARINT : Wire::WIRETYPE_LENGTH_DELIMITED)) {
    return base::BadRequest("the protobuf body is malformed: wrong wire type " +
                            std::to_string(wt) + " for field " +
                            std::to_string(f.number) + " of " +
                            std::string(message) + " at " + r.Where());
  }
  if (varint) {
    uint64_t v;
    if (!r.Varint(v)) return r.Malformed(message);
    base::Json value = f.kind == Kind::kBool
                           ? base::Json(v != 0)
                           : base::Json(static_cast<int64_t>(v));
    Store(f, std::move(value), v == 0, out);
    return base::Status::Ok();
  }
  std::string_view bytes;
  if (!r.Delimited(bytes)) return r.Malformed(message);
  if (f.kind == Kind::kInline) {
    return DecodeNested(f, bytes, r.path(), depth, out);
  }
  std::string path = ChildPath(r.path(), f.json);
  switch (f.kind) {
    case Kind::kMapString:
    case Kind::kMapBytes:
    case Kind::kMapQuantity:
      return DecodeMapEntry(f, bytes, path, depth + 1, out);
    case Kind::kMessage: {
      base::Json* target = &out[std::string(f.json)];
      if (f.repeated) {
        if (!target->is_array()) *target = base::Json::array();
        path += "[" + std::to_string(target->size()) + "]";
        target = &target->emplace_back(base::Json::object());
      }
      return DecodeNested(f, bytes, path, depth, *target);
    }
    default: {
      KSIM_ASSIGN_OR_RETURN(base::Json value,
                            DecodeDelimited(f, bytes, path, depth));
      const bool zero =
          bytes.empty() && (f.kind == Kind::kString || f.kind == Kind::kBytes);
      Store(f, std::move(value), zero, out);
      return base::Status::Ok();
    }
  }
}

base::Status DecodeInto(const Message& m, std::string_view bytes,
                        const std::string& path, int depth, base::Json& out) {
  if (depth > kMaxDepth) {
    return base::BadRequest("the protobuf body nests too deeply at " + path);
  }
  Reader r(bytes, path);
  for (;;) {
    uint32_t tag;
    if (!r.NextTag(tag)) return r.Malformed(m.name);
    if (tag == 0) return base::Status::Ok();
    const Field* f = proto::FindField(m, Wire::GetTagFieldNumber(tag));
    KSIM_RETURN_IF_ERROR(f == nullptr
                             ? SkipUnknown(r, m.name, tag, depth)
                             : DecodeField(*f, r, m.name, tag, depth, out));
  }
}

// Go's %#v of runtime.TypeMeta, as kube-apiserver's missing-kind errors show.
std::string GoTypeMeta(const std::string& api_version,
                       const std::string& kind) {
  return "runtime.TypeMeta{APIVersion:" + base::Json(api_version).dump() +
         ", Kind:" + base::Json(kind).dump() + "}";
}

base::StatusOr<base::Json> Decode(std::string_view body) {
  // kube-apiserver's protobuf serializer words these three errors so.
  if (body.empty()) return base::BadRequest("empty data");
  if (body.size() > kMaxBody) {  // CodedInputStream counts bytes in an int
    return base::Status(base::Code::kRequestEntityTooLarge,
                        "the protobuf body is too large");
  }
  if (body.substr(0, kMagic.size()) != kMagic) {
    return base::BadRequest(
        "provided data does not appear to be a protobuf message, expected "
        "prefix [107 56 115 0]");
  }
  if (body.size() == kMagic.size()) return base::BadRequest("empty body");
  // runtime.Unknown {1: TypeMeta, 2: raw, 3: contentEncoding, 4:
  // contentType}; like kube-apiserver, ignore 3 and 4.
  const std::string root;
  Small unknown, type_meta;
  KSIM_RETURN_IF_ERROR(ReadSmall(body.substr(kMagic.size()), "Unknown", "bbbb",
                                 root, 0, unknown));
  KSIM_RETURN_IF_ERROR(
      ReadSmall(unknown.bytes[1], "TypeMeta", "bb", root, 1, type_meta));
  const std::string api_version = Utf8(type_meta.bytes[1]);
  const std::string kind = Utf8(type_meta.bytes[2]);
  if (kind.empty() || api_version.empty()) {
    return base::BadRequest(
        std::string("Object '") + (kind.empty() ? "Kind" : "apiVersion") +
        "' is missing in '" + GoTypeMeta(api_version, kind) + "'");
  }
  const Message* message = proto::RootMessage(api_version, kind);
  if (message == nullptr) {
    return base::Status(
        base::Code::kUnsupportedMediaType,
        "ksim cannot decode " + kind + " (" + api_version +
            ") from application/vnd.kubernetes.protobuf; send it as "
            "application/json");
  }
  base::Json object = base::Json::object();
  KSIM_RETURN_IF_ERROR(DecodeInto(*message, unknown.bytes[2], root, 0, object));
  object["apiVersion"] = api_version;
  object["kind"] = kind;
  return object;
}

}  // namespace

base::StatusOr<base::Json> DecodeKubeProtobuf(std::string_view body) {
  try {
    return Decode(body);
  } catch (const std::exception& e) {  // nlohmann, std::bad_alloc
    return base::BadRequest(
        std::string("the protobuf body cannot be decoded: ") + e.what());
  }
}

}  // namespace ksim::apiserver
