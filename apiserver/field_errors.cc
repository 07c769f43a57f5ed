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

// ---- Field paths and Go rendering (declared in validation.h) ----

namespace ksim::apiserver {

std::string Child(std::string_view path, std::string_view name) {
  if (path.empty()) return std::string(name);
  return std::string(path) + "." + std::string(name);
}

std::string Index(std::string_view path, size_t i) {
  return std::string(path) + "[" + std::to_string(i) + "]";
}

std::string Key(std::string_view path, std::string_view key) {
  return std::string(path) + "[" + std::string(key) + "]";
}

namespace {

// Decodes one UTF-8 sequence at s[i]; returns the rune and its length, or
// rune -1 and length 1 for an invalid byte (as utf8.DecodeRuneInString).
std::pair<int32_t, size_t> DecodeRune(std::string_view s, size_t i) {
  unsigned char c = s[i];
  if (c < 0x80) return {c, 1};
  size_t n = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 0;
  if (n == 0 || c >= 0xf8 || i + n > s.size()) return {-1, 1};
  int32_t r = c & (0x7f >> n);
  for (size_t k = 1; k < n; ++k) {
    unsigned char cc = s[i + k];
    if ((cc & 0xc0) != 0x80) return {-1, 1};
    r = (r << 6) | (cc & 0x3f);
  }
  static constexpr int32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (r < kMin[n] || r > 0x10ffff || (r >= 0xd800 && r <= 0xdfff)) {
    return {-1, 1};
  }
  return {r, n};
}

// unicode.IsPrint for the runes that matter in names and values: controls,
// format characters, separators other than ' ', private use and
// non-characters are not printable.
bool IsPrintRune(int32_t r) {
  if (r < 0x20 || (r >= 0x7f && r <= 0xa0) || r == 0xad) return false;
  if ((r >= 0x200b && r <= 0x200f) || (r >= 0x2028 && r <= 0x202e) ||
      (r >= 0x2060 && r <= 0x206f) || r == 0xfeff || r == 0x3000 ||
      (r >= 0x2000 && r <= 0x200a) || r == 0x1680) {
    return false;
  }
  // Format characters (Cf) outside the ranges above.
  if ((r >= 0x600 && r <= 0x605) || r == 0x61c || r == 0x6dd || r == 0x70f ||
      r == 0x180e || (r >= 0x1d173 && r <= 0x1d17a) ||
      (r >= 0xe0000 && r <= 0xe007f)) {
    return false;
  }
  if ((r >= 0xe000 && r <= 0xf8ff) || (r >= 0xfff9 && r <= 0xfffb) ||
      (r & 0xfffe) == 0xfffe || r >= 0xf0000) {
    return false;
  }
  return true;
}

void AppendHex(std::string& out, uint32_t v, int digits) {
  static constexpr char kHex[] = "0123456789abcdef";
  for (int shift = (digits - 1) * 4; shift >= 0; shift -= 4) {
    out += kHex[(v >> shift) & 0xf];
  }
}

}  // namespace

std::string StrconvQuote(std::string_view s) {
  std::string out = "\"";
  for (size_t i = 0; i < s.size();) {
    auto [r, n] = DecodeRune(s, i);
    if (r < 0) {
      out += "\\x";
      AppendHex(out, static_cast<unsigned char>(s[i]), 2);
    } else if (r == '"' || r == '\\') {
      out += '\\';
      out += static_cast<char>(r);
    } else if (IsPrintRune(r)) {
      out.append(s.substr(i, n));
    } else {
      switch (r) {
        case '\a':
          out += "\\a";
          break;
        case '\b':
          out += "\\b";
          break;
        case '\f':
          out += "\\f";
          break;
        case '\n':
          out += "\\n";
          break;
        case '\r':
          out += "\\r";
          break;
        case '\t':
          out += "\\t";
          break;
        case '\v':
          out += "\\v";
          break;
        default:
          if (r < 0x80) {
            out += "\\x";
            AppendHex(out, r, 2);
          } else if (r < 0x10000) {
            out += "\\u";
            AppendHex(out, r, 4);
          } else {
            out += "\\U";
            AppendHex(out, r, 8);
          }
      }
    }
    i += n;
  }
  return out + "\"";
}

std::string GoStringSlice(const base::Json* list) {
  if (list == nullptr || !list->is_array()) return "[]string(nil)";
  std::string out = "[]string{";
  for (size_t i = 0; i < list->size(); ++i) {
    if (i) out += ", ";
    const base::Json& v = (*list)[i];
    out += StrconvQuote(v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out + "}";
}

std::string GoStringMap(const base::Json* map) {
  if (map == nullptr || !map->is_object()) return "map[string]string(nil)";
  std::string out = "map[string]string{";
  bool first = true;
  for (const auto& [k, v] : map->items()) {
    if (!first) out += ", ";
    first = false;
    out += StrconvQuote(k) + ":" +
           StrconvQuote(v.is_string() ? v.get<std::string>() : v.dump());
  }
  return out + "}";
}

std::string GoIntOrString(const base::Json& v) {
  if (v.is_number_integer()) {
    return "intstr.IntOrString{Type:0, IntVal:" + v.dump() + ", StrVal:\"\"}";
  }
  std::string s = v.is_string() ? v.get<std::string>() : "";
  return "intstr.IntOrString{Type:1, IntVal:0, StrVal:" + StrconvQuote(s) + "}";
}

std::string GoLabelSelector(const base::Json* selector) {
  const base::Json* labels = nullptr;
  const base::Json* exprs = nullptr;
  if (selector != nullptr && selector->is_object()) {
    auto l = selector->find("matchLabels");
    if (l != selector->end() && l->is_object()) labels = &*l;
    auto e = selector->find("matchExpressions");
    if (e != selector->end() && e->is_array()) exprs = &*e;
  }
  std::string out = "v1.LabelSelector{MatchLabels:" + GoStringMap(labels) +
                    ", MatchExpressions:";
  if (exprs == nullptr) return out + "[]v1.LabelSelectorRequirement(nil)}";
  out += "[]v1.LabelSelectorRequirement{";
  for (size_t i = 0; i < exprs->size(); ++i) {
    const base::Json& e = (*exprs)[i];
    if (i) out += ", ";
    auto str = [&](const char* k) {
      return e.is_object() && e.contains(k) && e[k].is_string()
                 ? e[k].get<std::string>()
                 : std::string();
    };
    const base::Json* values =
        e.is_object() && e.contains("values") ? &e["values"] : nullptr;
    out += "v1.LabelSelectorRequirement{Key:" + StrconvQuote(str("key")) +
           ", Operator:" + StrconvQuote(str("operator")) +
           ", Values:" + GoStringSlice(values) + "}";
  }
  return out + "}}";
}

}  // namespace ksim::apiserver
