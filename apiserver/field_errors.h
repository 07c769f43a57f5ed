// Field validation errors, as k8s.io/apimachinery/pkg/util/validation/field
// defines them, and their conversion into the 422 Invalid Status that
// kube-apiserver sends (message wording and details.causes included).
#ifndef KSIM_APISERVER_FIELD_ERRORS_H_
#define KSIM_APISERVER_FIELD_ERRORS_H_

#include <string>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

enum class FieldErrorType {
  kNotFound,      // "Not found"           FieldValueNotFound
  kRequired,      // "Required value"      FieldValueRequired
  kDuplicate,     // "Duplicate value"     FieldValueDuplicate
  kInvalid,       // "Invalid value"       FieldValueInvalid
  kNotSupported,  // "Unsupported value"   FieldValueNotSupported
  kForbidden,     // "Forbidden"           FieldValueForbidden
  kTooLong,       // "Too long"            FieldValueTooLong
  kTooMany,       // "Too many"            FieldValueTooMany
  kInternal,      // "Internal error"      InternalError
  kTypeInvalid,   // "Invalid value"       FieldValueTypeInvalid
};

struct FieldError {
  FieldErrorType type;
  std::string field;   // "metadata.name", "spec.ports[0].port"
  base::Json value;    // the bad value (null when not applicable)
  std::string detail;  // free text after the value
  // For kNotSupported: the allowed values (printed quoted, comma-separated).
  std::vector<std::string> supported;
  // When non-empty, the bad value exactly as Go's fmt prints the Go value
  // kube-apiserver reports (`[]string{"10.0.0.1"}`,
  // `intstr.IntOrString{Type:0, IntVal:0, StrVal:""}`, ...), used instead of
  // `value` for lists and structs, whose JSON form kube does not print.
  std::string go_value;

  // "Invalid value: \"Foo_bar\": a lowercase RFC 1123 ..." (field.Error.ErrorBody)
  std::string Body() const;
  // "metadata.name: Invalid value: ..." (field.Error.Error)
  std::string ToString() const;
};

using FieldErrors = std::vector<FieldError>;

// Builders mirroring field.Required(path, detail) etc.
FieldError Required(std::string field, std::string detail = "");
FieldError Invalid(std::string field, base::Json value, std::string detail);
FieldError NotSupported(std::string field, base::Json value,
                        std::vector<std::string> supported);
FieldError Forbidden(std::string field, std::string detail);
FieldError Duplicate(std::string field, base::Json value);
FieldError NotFoundField(std::string field, base::Json value);
FieldError TooLong(std::string field, base::Json value, int max_length);
// `actual` < 0 omits the value, as field.TooMany does.
FieldError TooMany(std::string field, int actual, int max);
FieldError InternalError(std::string field, std::string detail);
// Invalid with a Go-rendered value (see FieldError::go_value).
FieldError InvalidGo(std::string field, std::string go_value,
                     std::string detail);

// The 422 Status kube-apiserver sends (errors.NewInvalid):
//   message  `Service "badsvc" is invalid: spec.ports: Required value`, or for
//            several errors `Kind "name" is invalid: [e1, e2]`;
//   details  {name, group, kind: Kind, causes: [{reason, message, field}]}.
// REQUIRES: !errors.empty()
base::Status ToInvalidStatus(const std::string& group, const std::string& kind,
                             const std::string& name,
                             const FieldErrors& errors);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_FIELD_ERRORS_H_
