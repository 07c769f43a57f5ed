// Wire-level reading for the protobuf decoder (protobuf.cc): a bounded
// reader over one message's bytes built on libprotobuf's CodedInputStream,
// and the zero-value rule for fields the decoder does not know. Internal to
// apiserver/protobuf*.cc.
//
// A Reader views bytes owned by the caller; it is not thread-safe, the free
// functions are.
#ifndef KSIM_APISERVER_PROTOBUF_WIRE_H_
#define KSIM_APISERVER_PROTOBUF_WIRE_H_

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/wire_format_lite.h>

#include <cstdint>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ksim::apiserver::proto {

using Wire = google::protobuf::internal::WireFormatLite;

// Deeper than any message in the table; bounds recursion on hostile input.
inline constexpr int kMaxDepth = 32;

// One message's bytes being read, with the path used in error messages.
class Reader {
 public:
  Reader(std::string_view bytes, const std::string& path)
      : bytes_(bytes),
        in_(reinterpret_cast<const uint8_t*>(bytes.data()),
            static_cast<int>(bytes.size())),
        path_(path) {}

  // The next tag; 0 at the clean end of the message. False when malformed.
  bool NextTag(uint32_t& tag) {
    tag = 0;
    // The end is decided before reading: ReadTag also answers 0 for a
    // truncated tag, which must not pass for a clean end.
    if (AtEnd()) return true;
    tag = in_.ReadTag();
    return tag != 0 && Wire::GetTagFieldNumber(tag) != 0;
  }
  bool AtEnd() {
    return static_cast<size_t>(in_.CurrentPosition()) == bytes_.size();
  }
  bool Varint(uint64_t& v) { return in_.ReadVarint64(&v); }
  bool Fixed32(uint32_t& v) { return in_.ReadLittleEndian32(&v); }
  bool Fixed64(uint64_t& v) { return in_.ReadLittleEndian64(&v); }
  // A length-delimited payload, as a view into the body (no copy).
  bool Delimited(std::string_view& out) {
    uint64_t len;
    if (!in_.ReadVarint64(&len)) return false;
    const size_t pos = static_cast<size_t>(in_.CurrentPosition());
    if (len > bytes_.size() - pos) return false;
    out = bytes_.substr(pos, len);
    return in_.Skip(static_cast<int>(len));
  }
  const std::string& path() const { return path_; }

  base::Status Malformed(std::string_view message) const {
    return base::BadRequest(
        "the protobuf body is malformed: truncated or "
        "invalid data in " +
        std::string(message) + " at " + Where());
  }
  std::string Where() const { return path_.empty() ? "<root>" : path_; }

 private:
  std::string_view bytes_;
  google::protobuf::io::CodedInputStream in_;
  const std::string& path_;
};

// `s` with invalid UTF-8 replaced by U+FFFD, as Go's encoding/json writes it.
std::string Utf8(std::string_view s);

// True when `bytes` parse as a message all of whose fields hold zero values
// (recursively), the way gogo-protobuf writes an unset non-pointer field.
bool IsZeroish(std::string_view bytes, int depth);

// Consumes a field (`tag` already read) that the decoder does not know:
// OK when it holds a zero value, BadRequest naming `message`, the field
// number and the path otherwise.
base::Status SkipUnknown(Reader& r, std::string_view message, uint32_t tag,
                         int depth);

// The fields 1..4 of a small fixed message (Time, IntOrString, Quantity, a
// map entry, the envelope): `wire` gives each one's type, 'v' varint or 'b'
// length-delimited. Other fields, or a wire type that differs, go through
// SkipUnknown. Absent fields keep the values the caller put in `out`.
struct Small {
  uint64_t varint[5] = {};
  std::string_view bytes[5];
};
base::Status ReadSmall(std::string_view bytes, std::string_view message,
                       std::string_view wire, const std::string& path,
                       int depth, Small& out);

}  // namespace ksim::apiserver::proto

#endif  // KSIM_APISERVER_PROTOBUF_WIRE_H_
