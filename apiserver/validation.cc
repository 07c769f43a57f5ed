// String, name and address checks of k8s.io/apimachinery/pkg/util/validation
// (1.32). The regular expressions are matched by hand; each function notes
// the expression it implements, which is also the one its message quotes.
#include "apiserver/validation.h"

#include <cctype>

namespace ksim::apiserver {
namespace {

constexpr char kQualifiedNameFmt[] = "([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]";
constexpr char kQualifiedNameErrMsg[] =
    "must consist of alphanumeric characters, '-', '_' or '.', and must "
    "start and end with an alphanumeric character";
constexpr char kLabelValueErrMsg[] =
    "a valid label must be an empty string or consist of alphanumeric "
    "characters, '-', '_' or '.', and must start and end with an alphanumeric "
    "character";
constexpr char kDNS1123LabelFmt[] = "[a-z0-9]([-a-z0-9]*[a-z0-9])?";
constexpr char kDNS1123LabelErrMsg[] =
    "a lowercase RFC 1123 label must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric character";
constexpr char kDNS1123SubdomainFmt[] =
    "[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*";
constexpr char kDNS1123SubdomainErrMsg[] =
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric "
    "character";
constexpr char kDNS1035LabelFmt[] = "[a-z]([-a-z0-9]*[a-z0-9])?";
constexpr char kDNS1035LabelErrMsg[] =
    "a DNS-1035 label must consist of lower case alphanumeric characters or "
    "'-', start with an alphabetic character, and end with an alphanumeric "
    "character";

// validation.RegexError
std::string RegexError(std::string msg, std::string_view fmt,
                       std::initializer_list<std::string_view> examples) {
  if (examples.size() == 0) {
    return msg + " (regex used for validation is '" + std::string(fmt) + "')";
  }
  msg += " (e.g. ";
  bool first = true;
  for (std::string_view ex : examples) {
    if (!first) msg += " or ";
    first = false;
    msg += "'" + std::string(ex) + "', ";
  }
  return msg + "regex used for validation is '" + std::string(fmt) + "')";
}

std::string MaxLenError(size_t n) {
  return "must be no more than " + std::to_string(n) + " characters";
}

bool IsLowerAlnum(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9');
}
bool IsAlnum(char c) {
  return std::isalnum(static_cast<unsigned char>(c)) != 0;
}

// [a-z0-9]([-a-z0-9]*[a-z0-9])?
bool MatchDNS1123Label(std::string_view s) {
  if (s.empty() || !IsLowerAlnum(s.front()) || !IsLowerAlnum(s.back())) {
    return false;
  }
  for (char c : s) {
    if (!IsLowerAlnum(c) && c != '-') return false;
  }
  return true;
}

// Labels joined by dots.
bool MatchDNS1123Subdomain(std::string_view s) {
  size_t start = 0;
  while (true) {
    size_t dot = s.find('.', start);
    std::string_view part =
        s.substr(start, dot == std::string_view::npos ? std::string_view::npos
                                                      : dot - start);
    if (!MatchDNS1123Label(part)) return false;
    if (dot == std::string_view::npos) return true;
    start = dot + 1;
  }
}

// [a-z]([-a-z0-9]*[a-z0-9])?
bool MatchDNS1035Label(std::string_view s) {
  return MatchDNS1123Label(s) && s.front() >= 'a' && s.front() <= 'z';
}

// ([A-Za-z0-9][-A-Za-z0-9_.]*)?[A-Za-z0-9]
bool MatchQualifiedNamePart(std::string_view s) {
  if (s.empty() || !IsAlnum(s.front()) || !IsAlnum(s.back())) return false;
  for (char c : s) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') return false;
  }
  return true;
}

}  // namespace

std::string InclusiveRangeError(int64_t lo, int64_t hi) {
  return "must be between " + std::to_string(lo) + " and " +
         std::to_string(hi) + ", inclusive";
}

Messages IsDNS1123Label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchDNS1123Label(value)) {
    if (MatchDNS1123Subdomain(value)) {
      errs.push_back("must not contain dots");
    } else {
      errs.push_back(RegexError(kDNS1123LabelErrMsg, kDNS1123LabelFmt,
                                {"my-name", "123-abc"}));
    }
  }
  return errs;
}

Messages IsDNS1123Subdomain(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(MaxLenError(253));
  if (!MatchDNS1123Subdomain(value)) {
    errs.push_back(RegexError(kDNS1123SubdomainErrMsg, kDNS1123SubdomainFmt,
                              {"example.com"}));
  }
  return errs;
}

Messages IsDNS1035Label(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!MatchDNS1035Label(value)) {
    errs.push_back(RegexError(kDNS1035LabelErrMsg, kDNS1035LabelFmt,
                              {"my-name", "abc-123"}));
  }
  return errs;
}

Messages IsQualifiedName(std::string_view value) {
  Messages errs;
  std::string_view name = value;
  size_t slash = value.find('/');
  if (slash != std::string_view::npos) {
    if (value.find('/', slash + 1) != std::string_view::npos) {
      errs.push_back("a qualified name " +
                     RegexError(kQualifiedNameErrMsg, kQualifiedNameFmt,
                                {"MyName", "my.name", "123-abc"}) +
                     " with an optional DNS subdomain prefix and '/' (e.g. "
                     "'example.com/MyName')");
      return errs;
    }
    std::string_view prefix = value.substr(0, slash);
    name = value.substr(slash + 1);
    if (prefix.empty()) {
      errs.push_back("prefix part must be non-empty");
    } else {
      for (const std::string& m : IsDNS1123Subdomain(prefix)) {
        errs.push_back("prefix part " + m);
      }
    }
  }
  if (name.empty()) {
    errs.push_back("name part must be non-empty");
  } else if (name.size() > 63) {
    errs.push_back("name part " + MaxLenError(63));
  }
  if (!MatchQualifiedNamePart(name)) {
    errs.push_back("name part " + RegexError(kQualifiedNameErrMsg,
                                             kQualifiedNameFmt,
                                             {"MyName", "my.name", "123-abc"}));
  }
  return errs;
}

Messages IsValidLabelValue(std::string_view value) {
  Messages errs;
  if (value.size() > 63) errs.push_back(MaxLenError(63));
  if (!value.empty() && !MatchQualifiedNamePart(value)) {
    errs.push_back(RegexError(kLabelValueErrMsg,
                              std::string("(") + kQualifiedNameFmt + ")?",
                              {"MyValue", "my_value", "12345"}));
  }
  return errs;
}

Messages IsConfigMapKey(std::string_view value) {
  Messages errs;
  if (value.size() > 253) errs.push_back(MaxLenError(253));
  bool ok = !value.empty();
  for (char c : value) {
    if (!IsAlnum(c) && c != '-' && c != '_' && c != '.') ok = false;
  }
  if (!ok) {
    errs.push_back(RegexError(
        "a valid config key must consist of alphanumeric characters, '-', "
        "'_' or '.'",
        "[-._a-zA-Z0-9]+", {"key.name", "KEY_NAME", "key-name"}));
  }
  if (value == ".") {
    errs.push_back("must not be '.'");
  } else if (value == "..") {
    errs.push_back("must not be '..'");
  } else if (value.substr(0, 2) == "..") {
    errs.push_back("must not start with '..'");
  }
  return errs;
}

Messages IsValidPortNum(int64_t port) {
  if (port >= 1 && port <= 65535) return {};
  return {InclusiveRangeError(1, 65535)};
}

Messages IsValidPortName(std::string_view port) {
  Messages errs;
  if (port.size() > 15) errs.push_back(MaxLenError(15));
  bool charset = !port.empty();
  bool letter = false;
  for (char c : port) {
    if (!IsLowerAlnum(c) && c != '-') charset = false;
    if (c >= 'a' && c <= 'z') letter = true;
  }
  if (!charset) {
    errs.push_back(
        "must contain only alpha-numeric characters (a-z, 0-9), and hyphens "
        "(-)");
  }
  if (!letter) errs.push_back("must contain at least one letter (a-z)");
  if (port.find("--") != std::string_view::npos) {
    errs.push_back("must not contain consecutive hyphens");
  }
  if (!port.empty() && (port.front() == '-' || port.back() == '-')) {
    errs.push_back("must not begin or end with a hyphen");
  }
  return errs;
}

Messages IsValidPercent(std::string_view percent) {
  bool ok = percent.size() >= 2 && percent.back() == '%';
  for (size_t i = 0; ok && i + 1 < percent.size(); ++i) {
    if (!std::isdigit(static_cast<unsigned char>(percent[i]))) ok = false;
  }
  if (ok) return {};
  return {RegexError(
      "a valid percent string must be a numeric string followed by an ending "
      "'%'",
      "[0-9]+%", {"1%", "93%"})};
}

Messages IsHTTPHeaderName(std::string_view value) {
  bool ok = !value.empty();
  for (char c : value) {
    if (!IsAlnum(c) && c != '-') ok = false;
  }
  if (ok) return {};
  return {RegexError(
      "a valid HTTP header must consist of alphanumeric characters or '-'",
      "[-A-Za-z0-9]+", {"X-Header-Name"})};
}

Messages IsRelaxedEnvVarName(std::string_view value) {
  Messages errs;
  if (value.empty())
    errs.push_back("environment variable name must be non-empty");
  for (unsigned char c : value) {
    if (c > 0x7e || c < 0x20 || c == '=') {
      errs.push_back(
          "a valid environment variable name must consist only of printable "
          "ASCII characters other than '='");
      break;
    }
  }
  return errs;
}

Messages IsValidUserOrGroupID(int64_t id) {
  if (id >= 0 && id <= 2147483647) return {};
  return {InclusiveRangeError(0, 2147483647)};
}

Messages ValidateName(NameRule rule, std::string_view name, bool prefix) {
  std::string masked(name);
  // maskTrailingDash: a generateName may end in '-'.
  if (prefix && masked.size() > 1 && masked.back() == '-') {
    masked = masked.substr(0, masked.size() - 2) + "a";
  }
  switch (rule) {
    case NameRule::kDNS1123Subdomain:
      return IsDNS1123Subdomain(masked);
    case NameRule::kDNS1123Label:
      return IsDNS1123Label(masked);
    case NameRule::kDNS1035Label:
      return IsDNS1035Label(masked);
    case NameRule::kPathSegment: {
      // path.ValidatePathSegmentName (the generic store's only name rule).
      if (!prefix && (name == "." || name == "..")) {
        return {"may not be '" + std::string(name) + "'"};
      }
      Messages errs;
      if (name.find('/') != std::string_view::npos) {
        errs.push_back("may not contain '/'");
      }
      if (name.find('%') != std::string_view::npos) {
        errs.push_back("may not contain '%'");
      }
      return errs;
    }
  }
  return {};
}

void AddNameErrors(NameRule rule, const std::string& path,
                   std::string_view value, FieldErrors& errs) {
  for (std::string& m : ValidateName(rule, value, false)) {
    errs.push_back(Invalid(path, std::string(value), std::move(m)));
  }
}

}  // namespace ksim::apiserver
