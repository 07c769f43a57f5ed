#include "apiserver/field_errors.h"

#include <charconv>
#include <cmath>
#include <set>
#include <utility>

#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

// field.ErrorType.String()
const char* TypeText(FieldErrorType t) {
  switch (t) {
    case FieldErrorType::kNotFound:
      return "Not found";
    case FieldErrorType::kRequired:
      return "Required value";
    case FieldErrorType::kDuplicate:
      return "Duplicate value";
    case FieldErrorType::kInvalid:
      return "Invalid value";
    case FieldErrorType::kNotSupported:
      return "Unsupported value";
    case FieldErrorType::kForbidden:
      return "Forbidden";
    case FieldErrorType::kTooLong:
      return "Too long";
    case FieldErrorType::kTooMany:
      return "Too many";
    case FieldErrorType::kInternal:
      return "Internal error";
    case FieldErrorType::kTypeInvalid:
      return "Invalid value";
  }
  return "Invalid value";
}

// The CauseType kube puts in details.causes[].reason.
const char* ReasonText(FieldErrorType t) {
  switch (t) {
    case FieldErrorType::kNotFound:
      return "FieldValueNotFound";
    case FieldErrorType::kRequired:
      return "FieldValueRequired";
    case FieldErrorType::kDuplicate:
      return "FieldValueDuplicate";
    case FieldErrorType::kInvalid:
      return "FieldValueInvalid";
    case FieldErrorType::kNotSupported:
      return "FieldValueNotSupported";
    case FieldErrorType::kForbidden:
      return "FieldValueForbidden";
    case FieldErrorType::kTooLong:
      return "FieldValueTooLong";
    case FieldErrorType::kTooMany:
      return "FieldValueTooMany";
    case FieldErrorType::kInternal:
      return "InternalError";
    case FieldErrorType::kTypeInvalid:
      return "FieldValueTypeInvalid";
  }
  return "FieldValueInvalid";
}

// Go's %v of a float64: shortest representation, exponent form only when
// the exponent is < -4 or >= 21.
std::string GoFloat(double d) {
  if (std::isnan(d)) return "NaN";
  if (std::isinf(d)) return d > 0 ? "+Inf" : "-Inf";
  char buf[64];
  auto sci =
      std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::scientific);
  std::string s(buf, sci.ptr);
  int exp = std::stoi(s.substr(s.find('e') + 1));
  if (exp < -4 || exp >= 21) return s;
  auto fixed =
      std::to_chars(buf, buf + sizeof(buf), d, std::chars_format::fixed);
  return std::string(buf, fixed.ptr);
}

// How ErrorBody prints BadValue (1.32): simple types with %v, strings with
// %q, a nil value as the string "null"; lists and structs come pre-rendered
// in go_value.
std::string RenderValue(const FieldError& e) {
  if (!e.go_value.empty()) return e.go_value;
  const Json& v = e.value;
  if (v.is_null()) return StrconvQuote("null");
  if (v.is_string()) return StrconvQuote(v.get_ref<const std::string&>());
  if (v.is_boolean()) return v.get<bool>() ? "true" : "false";
  if (v.is_number_integer()) return v.dump();
  if (v.is_number_float()) return GoFloat(v.get<double>());
  return v.dump();  // a JSON form is the closest we have for other values
}

bool Omitted(const Json& v) { return v.is_discarded(); }

}  // namespace

std::string FieldError::Body() const {
  std::string s;
  switch (type) {
    case FieldErrorType::kRequired:
    case FieldErrorType::kForbidden:
    case FieldErrorType::kTooLong:
    case FieldErrorType::kInternal:
      s = TypeText(type);
      break;
    default:
      if (Omitted(value) && go_value.empty()) {
        s = TypeText(type);
      } else {
        s = std::string(TypeText(type)) + ": " + RenderValue(*this);
      }
  }
  if (!detail.empty()) s += ": " + detail;
  return s;
}

std::string FieldError::ToString() const { return field + ": " + Body(); }

FieldError Required(std::string field, std::string detail) {
  return {FieldErrorType::kRequired,
          std::move(field),
          "",
          std::move(detail),
          {},
          ""};
}

FieldError Invalid(std::string field, base::Json value, std::string detail) {
  return {FieldErrorType::kInvalid,
          std::move(field),
          std::move(value),
          std::move(detail),
          {},
          ""};
}

FieldError InvalidGo(std::string field, std::string go_value,
                     std::string detail) {
  return {FieldErrorType::kInvalid,
          std::move(field),
          nullptr,
          std::move(detail),
          {},
          std::move(go_value)};
}

FieldError NotSupported(std::string field, base::Json value,
                        std::vector<std::string> supported) {
  std::string detail;
  if (!supported.empty()) {
    detail = "supported values: ";
    for (size_t i = 0; i < supported.size(); ++i) {
      if (i) detail += ", ";
      detail += StrconvQuote(supported[i]);
    }
  }
  return {FieldErrorType::kNotSupported,
          std::move(field),
          std::move(value),
          std::move(detail),
          std::move(supported),
          ""};
}

FieldError Forbidden(std::string field, std::string detail) {
  return {FieldErrorType::kForbidden,
          std::move(field),
          "",
          std::move(detail),
          {},
          ""};
}

FieldError Duplicate(std::string field, base::Json value) {
  return {FieldErrorType::kDuplicate,
          std::move(field),
          std::move(value),
          "",
          {},
          ""};
}

FieldError NotFoundField(std::string field, base::Json value) {
  return {FieldErrorType::kNotFound,
          std::move(field),
          std::move(value),
          "",
          {},
          ""};
}

FieldError TooLong(std::string field, base::Json value, int max_length) {
  std::string msg = max_length >= 0 ? "may not be more than " +
                                          std::to_string(max_length) + " bytes"
                                    : "value is too long";
  return {FieldErrorType::kTooLong,
          std::move(field),
          "<value omitted>",
          std::move(msg),
          {},
          ""};
}

FieldError TooMany(std::string field, int actual, int max) {
  std::string msg = max >= 0
                        ? "must have at most " + std::to_string(max) + " items"
                        : "has too many items";
  base::Json value = actual >= 0 ? base::Json(actual)
                                 : base::Json(base::Json::value_t::discarded);
  return {FieldErrorType::kTooMany,
          std::move(field),
          std::move(value),
          std::move(msg),
          {},
          ""};
}

FieldError InternalError(std::string field, std::string detail) {
  return {FieldErrorType::kInternal,
          std::move(field),
          nullptr,
          std::move(detail),
          {},
          ""};
}

base::Status ToInvalidStatus(const std::string& group, const std::string& kind,
                             const std::string& name,
                             const FieldErrors& errors) {
  base::Details details;
  details.name = name;
  details.group = group;
  details.kind = kind;
  // errs.ToAggregate() drops repeated messages; the aggregate prints one
  // error bare and several as "[e1, e2]".
  std::vector<std::string> messages;
  std::set<std::string> seen;
  for (const FieldError& e : errors) {
    details.causes.push_back({ReasonText(e.type), e.Body(), e.field});
    std::string m = e.ToString();
    if (seen.insert(m).second) messages.push_back(std::move(m));
  }
  std::string qualified = group.empty() ? kind : kind + "." + group;
  std::string message = qualified + " " + StrconvQuote(name) + " is invalid";
  if (messages.size() == 1) {
    message += ": " + messages[0];
  } else if (!messages.empty()) {
    message += ": [";
    for (size_t i = 0; i < messages.size(); ++i) {
      if (i) message += ", ";
      message += messages[i];
    }
    message += "]";
  }
  return base::Status(base::Code::kInvalid, std::move(message),
                      std::move(details));
}

}  // namespace ksim::apiserver
