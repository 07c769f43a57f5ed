// Label key and value validation with kube's wording
// (k8s.io/apimachinery/pkg/util/validation and labels.NewRequirement), and
// Go's %q quoting for the messages.
#include <algorithm>
#include "apiserver/validation.h"
#include <cerrno>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <optional>

#include "apiserver/selector_internal.h"

namespace ksim::apiserver {
namespace selector_internal {
namespace {

using Op = LabelRequirement::Op;

constexpr int kQualifiedNameMaxLength = 63;
constexpr int kLabelValueMaxLength = 63;
constexpr int kDns1123SubdomainMaxLength = 253;
constexpr const char* kQualifiedNameFmt =
    "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr const char* kQualifiedNameErrMsg =
    "must consist of alphanumeric characters, '-', '_' or '.', and must start "
    "and end with an alphanumeric character";
constexpr const char* kLabelValueFmt =
    "(([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9])?";
constexpr const char* kLabelValueErrMsg =
    "a valid label must be an empty string or consist of alphanumeric "
    "characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character";
constexpr const char* kDns1123SubdomainFmt =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr const char* kDns1123SubdomainErrMsg =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric "
    "character";

// validation.RegexError, including its "',  or '" spacing.
std::string RegexError(const std::string& msg, const std::string& fmt,
                       const std::vector<std::string>& examples) {
  std::string out = msg + " (e.g. ";
  for (size_t i = 0; i < examples.size(); ++i) {
    if (i > 0) out += " or ";
    out += "'" + examples[i] + "', ";
  }
  return out + "regex used for validation is '" + fmt + "')";
}

std::string MaxLenError(int n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool IsDigit(char c) { return c >= '0' && c <= '9'; }
bool IsAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
         (c >= '0' && c <= '9');
}
bool IsLowerAlnum(char c) { return (c >= 'a' && c <= 'z') || IsDigit(c); }

// ^([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]$
bool MatchesQualifiedName(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  return std::all_of(s.begin(), s.end(), [](char c) {
    return IsAlnum(c) || c == '-' || c == '_' || c == '.';
  });
}

// ^[a-z0-9]([-a-z0-9]*[a-z0-9])?(\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*$
bool MatchesDns1123Subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view label =
        s.substr(start, dot == s.npos ? s.npos : dot - start);
    if (label.empty() || !IsLowerAlnum(label.front()) ||
        !IsLowerAlnum(label.back())) {
      return false;
    }
    for (char c : label) {
      if (!IsLowerAlnum(c) && c != '-') return false;
    }
    if (dot == s.npos) return true;
    start = dot + 1;
  }
}

std::vector<std::string> Dns1123SubdomainErrors(std::string_view s) {
  std::vector<std::string> errs;
  if (s.size() > kDns1123SubdomainMaxLength) {
    errs.push_back(MaxLenError(kDns1123SubdomainMaxLength));
  }
  if (!MatchesDns1123Subdomain(s)) {
    errs.push_back(RegexError(kDns1123SubdomainErrMsg, kDns1123SubdomainFmt,
                              {"example.com"}));
  }
  return errs;
}

std::string LabelValueErrors(std::string_view v) {
  std::vector<std::string> errs;
  if (v.size() > kLabelValueMaxLength) {
    errs.push_back(MaxLenError(kLabelValueMaxLength));
  }
  if (!v.empty() && !MatchesQualifiedName(v)) {
    errs.push_back(RegexError(kLabelValueErrMsg, kLabelValueFmt,
                              {"MyValue", "my_value", "12345"}));
  }
  std::string out;
  for (const auto& e : errs) out += (out.empty() ? "" : "; ") + e;
  return out;
}

// Go's %#v of a []string.
std::string GoStringSlice(const std::vector<std::string>& v, bool nil) {
  if (v.empty()) return nil ? "[]string(nil)" : "[]string{}";
  std::string out = "[]string{";
  for (size_t i = 0; i < v.size(); ++i) {
    out += (i ? ", " : "") + GoQuote(v[i]);
  }
  return out + "}";
}

std::string Invalid(const std::string& field, const std::string& value,
                    const std::string& detail) {
  return field + ": Invalid value: " + value + ": " + detail;
}

// utilerrors.NewAggregate(...).Error(): one message as is, several
// deduplicated inside brackets.
std::string Aggregate(const std::vector<std::string>& msgs) {
  if (msgs.size() == 1) return msgs[0];
  std::vector<std::string> seen;
  for (const auto& m : msgs) {
    if (std::find(seen.begin(), seen.end(), m) == seen.end()) {
      seen.push_back(m);
    }
  }
  if (seen.size() == 1) return seen[0];
  std::string out;
  for (const auto& m : seen) out += (out.empty() ? "" : ", ") + m;
  return "[" + out + "]";
}

void AppendUtf8Escape(std::string& out, unsigned value, int width,
                      char letter) {
  char buf[16];
  std::snprintf(buf, sizeof buf, "\\%c%0*x", letter, width, value);
  out += buf;
}

}  // namespace

// Go's strconv.Quote; one implementation serves every error message.
std::string GoQuote(std::string_view s) { return StrconvQuote(s); }

std::string QualifiedNameErrors(std::string_view key) {
  std::vector<std::string> errs;
  const std::string name_msg =
      RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                 {"MyName", "my.name", "123-abc"});
  std::string_view name = key;
  size_t slash = key.find('/');
  if (slash != key.npos) {
    if (key.find('/', slash + 1) != key.npos) {
      return "a qualified name " + name_msg +
             " with an optional DNS subdomain prefix and '/' (e.g. "
             "'example.com/MyName')";
    }
    std::string_view prefix = key.substr(0, slash);
    name = key.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const auto& e : Dns1123SubdomainErrors(prefix)) {
        errs.push_back("prefix part " + e);
      }
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > kQualifiedNameMaxLength) {
    errs.push_back("name part " + MaxLenError(kQualifiedNameMaxLength));
  }
  if (!MatchesQualifiedName(name)) errs.push_back("name part " + name_msg);
  std::string out;
  for (const auto& e : errs) out += (out.empty() ? "" : "; ") + e;
  return out;
}

std::optional<int64_t> ParseInt64(const std::string& s) {
  // strconv.ParseInt(s, 10, 64): optional sign, then decimal digits only.
  size_t i = (!s.empty() && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
  if (i == s.size()) return std::nullopt;
  for (size_t k = i; k < s.size(); ++k) {
    if (!IsDigit(s[k])) return std::nullopt;
  }
  errno = 0;
  long long v = std::strtoll(s.c_str(), nullptr, 10);
  if (errno == ERANGE) return std::nullopt;
  return static_cast<int64_t>(v);
}

namespace {

// Checks the operator's arity (NewRequirement's switch); appends errors.
void CheckArity(Op op, const std::vector<std::string>& values, bool nil,
                std::vector<std::string>& errs) {
  const std::string shown = GoStringSlice(values, nil);
  switch (op) {
    case Op::kIn:
    case Op::kNotIn:
      if (values.empty()) {
        errs.push_back(Invalid("values", shown,
                               "for 'in', 'notin' operators, values set "
                               "can't be empty"));
      }
      break;
    case Op::kEquals:
    case Op::kDoubleEquals:
    case Op::kNotEquals:
      if (values.size() != 1) {
        errs.push_back(
            Invalid("values", shown,
                    "exact-match compatibility requires one single value"));
      }
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      if (!values.empty()) {
        errs.push_back(
            Invalid("values", shown,
                    "values set must be empty for exists and does not exist"));
      }
      break;
    case Op::kGreaterThan:
    case Op::kLessThan:
      if (values.size() != 1) {
        errs.push_back(
            Invalid("values", shown,
                    "for 'Gt', 'Lt' operators, exactly one value is required"));
      }
      for (size_t i = 0; i < values.size(); ++i) {
        if (!ParseInt64(values[i])) {
          errs.push_back(Invalid(
              "values[" + std::to_string(i) + "]", GoQuote(values[i]),
              "for 'Gt', 'Lt' operators, the value must be an integer"));
        }
      }
      break;
  }
}

}  // namespace

base::StatusOr<LabelRequirement> NewRequirement(std::string key, Op op,
                                                std::vector<std::string> values,
                                                bool values_from_json) {
  std::vector<std::string> errs;
  if (std::string e = QualifiedNameErrors(key); !e.empty()) {
    errs.push_back(Invalid("key", GoQuote(key), e));
  }
  CheckArity(op, values, values_from_json, errs);
  for (size_t i = 0; i < values.size(); ++i) {
    if (std::string e = LabelValueErrors(values[i]); !e.empty()) {
      errs.push_back(Invalid("values[" + std::to_string(i) + "][" + key + "]",
                             GoQuote(values[i]), e));
    }
  }
  if (!errs.empty()) return base::BadRequest(Aggregate(errs));
  std::sort(values.begin(), values.end());
  return LabelRequirement{std::move(key), op, std::move(values)};
}

}  // namespace selector_internal

}  // namespace ksim::apiserver
