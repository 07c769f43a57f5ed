#include "apiserver/go_format.h"
#include "apiserver/validation.h"

#include <charconv>
#include <cmath>
#include <cstdlib>
#include <string_view>

namespace ksim::apiserver {
namespace {

using base::Json;

// fmt's %v on a float64 is strconv's 'g' with the shortest digits that
// round-trip; with shortest precision the %e form is used when the decimal
// exponent is < -4 or >= 6 (so 1e6 prints as "1e+06", as Go does).
std::string GoFloat(double f) {
  if (f == 0) return std::signbit(f) ? "-0" : "0";
  char buf[64];
  auto res =
      std::to_chars(buf, buf + sizeof buf, f, std::chars_format::scientific);
  std::string_view sci(buf, res.ptr - buf);  // e.g. "-1.2345e+06"
  bool neg = !sci.empty() && sci[0] == '-';
  if (neg) sci.remove_prefix(1);
  size_t e = sci.find('e');
  std::string digits;
  for (char c : sci.substr(0, e)) {
    if (c != '.') digits.push_back(c);
  }
  int exp = std::atoi(std::string(sci.substr(e + 1)).c_str());
  std::string out = neg ? "-" : "";
  if (exp < -4 || exp >= 6) {
    out += digits.substr(0, 1);
    if (digits.size() > 1) out += "." + digits.substr(1);
    out += exp < 0 ? "e-" : "e+";
    std::string ex = std::to_string(std::abs(exp));
    if (ex.size() < 2) ex = "0" + ex;
    return out + ex;
  }
  int dp = exp + 1;  // digits before the decimal point
  if (dp <= 0) {
    return out + "0." + std::string(-dp, '0') + digits;
  }
  if (static_cast<size_t>(dp) >= digits.size()) {
    return out + digits + std::string(dp - digits.size(), '0');
  }
  return out + digits.substr(0, dp) + "." + digits.substr(dp);
}

}  // namespace

std::string GoFormat(const Json& v) {
  switch (v.type()) {
    case Json::value_t::null:
      return "<nil>";
    case Json::value_t::boolean:
      return v.get<bool>() ? "true" : "false";
    case Json::value_t::number_integer:
      return std::to_string(v.get<int64_t>());
    case Json::value_t::number_unsigned:
      return std::to_string(v.get<uint64_t>());
    case Json::value_t::number_float:
      return GoFloat(v.get<double>());
    case Json::value_t::string:
      return v.get<std::string>();
    case Json::value_t::array: {
      std::string out = "[";
      for (size_t i = 0; i < v.size(); ++i) {
        if (i) out += " ";
        out += GoFormat(v[i]);
      }
      return out + "]";
    }
    case Json::value_t::object: {
      std::string out = "map[";
      bool first = true;
      for (const auto& [k, child] : v.items()) {  // already sorted, as fmt
        if (!first) out += " ";
        first = false;
        out += k + ":" + GoFormat(child);
      }
      return out + "]";
    }
    default:
      return "<nil>";
  }
}

std::string GoTypeName(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return "map[string]interface {}";
    case Json::value_t::array:
      return "[]interface {}";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::number_integer:
    case Json::value_t::number_unsigned:
      return "int64";
    case Json::value_t::number_float:
      return "float64";
    default:
      return "<nil>";
  }
}

std::string GoJsonKind(const Json& v) {
  switch (v.type()) {
    case Json::value_t::object:
      return "object";
    case Json::value_t::array:
      return "array";
    case Json::value_t::string:
      return "string";
    case Json::value_t::boolean:
      return "bool";
    case Json::value_t::null:
      return "null";
    default:
      return "number";
  }
}

// Go's strconv.Quote; one implementation serves every error message.
std::string GoQuote(std::string_view s) { return StrconvQuote(s); }

std::string GoJsonMarshal(const Json& v) {
  std::string dumped = v.dump();
  std::string out;
  out.reserve(dumped.size());
  for (size_t i = 0; i < dumped.size(); ++i) {
    char c = dumped[i];
    if (c == '<') {
      out += "\\u003c";
    } else if (c == '>') {
      out += "\\u003e";
    } else if (c == '&') {
      out += "\\u0026";
    } else if (c == '\xE2' && i + 2 < dumped.size() &&
               dumped[i + 1] == '\x80' &&
               (dumped[i + 2] == '\xA8' || dumped[i + 2] == '\xA9')) {
      out += dumped[i + 2] == '\xA8' ? "\\u2028" : "\\u2029";
      i += 2;
    } else {
      out += c;
    }
  }
  return out;
}

}  // namespace ksim::apiserver
