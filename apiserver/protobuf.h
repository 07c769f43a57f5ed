// Decoding of Kubernetes' protobuf wire form (Content-Type
// application/vnd.kubernetes.protobuf) into JSON.
//
// kubectl 1.32+ sends protobuf bodies for the objects it builds itself with
// typed clients (`kubectl create namespace|configmap|secret|serviceaccount|
// service|deployment`, and the Pod of `kubectl debug --copy-to` and
// `kubectl debug node/...`) and has no JSON fallback, so the API server must
// read them. A body is the magic "k8s\0" followed by a runtime.Unknown
// envelope whose raw bytes are the object's message (k8s.io/api
// generated.proto).
//
// The decoder is driven by a table of the messages of those kinds (field
// number -> JSON name and type, protobuf_messages.h). A field the table does
// not know is skipped only when it holds the zero value (gogo-protobuf writes
// every non-pointer field, zero or not); one that holds data is an error, so
// nothing a client sent is ever silently dropped. The JSON is what Go's
// encoding/json writes for the decoded object, i.e. what kubectl 1.27 sends
// as JSON for the same command.
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

// Decodes a protobuf request body (the whole body, magic included) into the
// JSON object it encodes, with apiVersion and kind from the envelope. Call it
// for a POST/PUT whose Content-Type media type (parameters stripped) is
// kProtobufContentType, and hand `result->dump()` on as the JSON body.
// Errors: BadRequest on malformed input or data in fields ksim cannot decode
// (the message says to send JSON instead); UnsupportedMediaType for
// group/version/kinds with no table (anything but v1 Namespace, ConfigMap,
// Secret, ServiceAccount, Service, Pod and apps/v1 Deployment);
// RequestEntityTooLarge above 1 GiB. Never throws.
base::StatusOr<base::Json> DecodeKubeProtobuf(std::string_view body);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_PROTOBUF_H_
