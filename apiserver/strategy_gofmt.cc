// Field paths (field.Path.String()) and Go's rendering of bad values
// (strconv.Quote, %#v of slices, maps and the structs kube reports), as
// declared in validation.h.
#include <cstdint>
#include <string>
#include <utility>

#include "apiserver/validation.h"

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
