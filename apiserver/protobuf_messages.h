// The table of protobuf messages ksim decodes (see protobuf.h). Field numbers
// are those of k8s.io/api and k8s.io/apimachinery generated.proto; JSON names
// and zero-value rules are those of the Go types (types.go).
//
// The table is immutable static data; every function is thread-safe.
#ifndef KSIM_APISERVER_PROTOBUF_MESSAGES_H_
#define KSIM_APISERVER_PROTOBUF_MESSAGES_H_

#include <string_view>
#include <vector>

namespace ksim::apiserver::proto {

enum class Kind {
  kString,
  kBytes,  // JSON: base64
  kInt,    // varint (int32/int64)
  kBool,
  kMessage,      // nested message named by `message`
  kInline,       // embedded Go struct (`message`): its fields join the parent
  kMapString,    // map<string,string>
  kMapBytes,     // map<string,bytes>
  kMapQuantity,  // map<string,Quantity>
  kQuantity,     // resource.Quantity {1: string} -> JSON string
  kTime,         // metav1.Time -> RFC 3339 (null when empty)
  kIntOrString,  // intstr.IntOrString -> number or string
  kFieldsV1,     // metav1.FieldsV1 {1: raw JSON bytes} -> that JSON
};

struct Field {
  int number;
  std::string_view json;
  Kind kind;
  std::string_view message = {};  // for kMessage and kInline
  bool repeated = false;
  // Emit the field even when it holds its zero value: Go pointer fields
  // (replicas: 0, immutable: false), which gogo-protobuf writes only when
  // set, and fields whose json tag has no omitempty (containerPort: 0).
  // Other scalars at their zero value are left out, as encoding/json would.
  bool keep_zero = false;
};

struct Message {
  std::string_view name;  // Go type name, e.g. "PodSpec"
  std::vector<Field> fields;
};

// The message for a name; null when unknown.
const Message* FindMessage(std::string_view name);
// The root message of a top-level object ("apps/v1", "Deployment"); null
// when ksim has no protobuf table for that group/version and kind.
const Message* RootMessage(std::string_view api_version, std::string_view kind);
// The field with `number` in `message`; null when the table does not know it.
const Field* FindField(const Message& message, int number);

}  // namespace ksim::apiserver::proto

#endif  // KSIM_APISERVER_PROTOBUF_MESSAGES_H_
