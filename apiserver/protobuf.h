// Decoding of Kubernetes' protobuf wire form (Content-Type
// application/vnd.kubernetes.protobuf) into JSON.
//
// kubectl 1.32+ sends protobuf bodies for the objects its generators build
// (`kubectl create namespace|configmap|secret|serviceaccount|service|
// deployment`) and has no JSON fallback, so the API server must read them.
// A body is the magic "k8s\0" followed by a runtime.Unknown envelope whose
// raw bytes are the object's message (k8s.io/api generated.proto).
//
// The decoder is driven by a table of the messages of those kinds (field
// number -> JSON name and type). A field the table does not know is skipped
// only when it holds the zero value (gogo-protobuf writes every non-pointer
// field, zero or not); one that holds data is an error, so nothing a client
// sent is ever silently dropped.
//
// Pure functions; thread-safe.
#ifndef KSIM_APISERVER_PROTOBUF_H_
#define KSIM_APISERVER_PROTOBUF_H_

#include <string_view>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

inline constexpr std::string_view kProtobufContentType =
    "application/vnd.kubernetes.protobuf";

// Decodes a protobuf request body into the JSON object it encodes
// (apiVersion and kind from the envelope). BadRequest on malformed input or
// on data in fields ksim cannot decode, UnsupportedMediaType for kinds with
// no protobuf table.
base::StatusOr<base::Json> DecodeKubeProtobuf(std::string_view body);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_PROTOBUF_H_
