// Field selectors, as k8s.io/apimachinery/pkg/fields/selector.go parses,
// prints and matches them.
#include <algorithm>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/selector.h"
#include "apiserver/selector_internal.h"

namespace ksim::apiserver {
namespace {

// Splits on commas that are not escaped with a backslash (fields.splitTerms).
std::vector<std::string> SplitTerms(std::string_view s) {
  std::vector<std::string> terms;
  if (s.empty()) return terms;
  size_t start = 0;
  bool in_slash = false;
  for (size_t i = 0; i < s.size(); ++i) {
    if (in_slash) {
      in_slash = false;
    } else if (s[i] == '\\') {
      in_slash = true;
    } else if (s[i] == ',') {
      terms.emplace_back(s.substr(start, i - start));
      start = i + 1;
    }
  }
  terms.emplace_back(s.substr(start));
  return terms;
}

// The first "!=", "==" or "=" splits field from value (fields.splitTerm).
bool SplitTerm(std::string_view term, std::string& lhs, std::string& op,
               std::string& rhs) {
  for (size_t i = 0; i < term.size(); ++i) {
    for (std::string_view candidate : {"!=", "==", "="}) {
      if (term.substr(i, candidate.size()) == candidate) {
        lhs = std::string(term.substr(0, i));
        op = std::string(candidate);
        rhs = std::string(term.substr(i + candidate.size()));
        return true;
      }
    }
  }
  return false;
}

size_t Utf8Length(unsigned char lead) {
  return lead >= 0xF0 ? 4 : lead >= 0xE0 ? 3 : lead >= 0xC0 ? 2 : 1;
}

// fields.UnescapeValue.
base::StatusOr<std::string> Unescape(const std::string& s) {
  if (s.find_first_of("\\,=") == std::string::npos) return s;
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    char c = s[i];
    if (c == '\\') {
      if (i + 1 == s.size()) {
        return base::BadRequest(
            "invalid field selector: invalid escape sequence: \\");
      }
      char next = s[i + 1];
      if (next != '\\' && next != ',' && next != '=') {
        size_t n = std::min(Utf8Length(next), s.size() - (i + 1));
        return base::BadRequest(
            "invalid field selector: invalid escape sequence: \\" +
            s.substr(i + 1, n));
      }
      out += next;
      ++i;
    } else if (c == ',' || c == '=') {
      // Go prints the rune with %v, i.e. as its code point number.
      return base::BadRequest(
          "invalid field selector: unescaped character in value: " +
          std::to_string(static_cast<int>(c)));
    } else {
      out += c;
    }
  }
  return out;
}

std::string Escape(std::string_view s) {
  std::string out;
  for (char c : s) {
    if (c == '\\' || c == ',' || c == '=') out += '\\';
    out += c;
  }
  return out;
}

}  // namespace

base::StatusOr<FieldSelector> FieldSelector::Parse(std::string_view s) {
  std::vector<std::string> parts = SplitTerms(s);
  std::sort(parts.begin(), parts.end());
  FieldSelector sel;
  for (const auto& part : parts) {
    if (part.empty()) continue;
    std::string lhs, op, rhs;
    if (!SplitTerm(part, lhs, op, rhs)) {
      return base::BadRequest("invalid selector: '" + std::string(s) +
                              "'; can't understand '" + part + "'");
    }
    KSIM_ASSIGN_OR_RETURN(std::string value, Unescape(rhs));
    // A term with neither field nor value selects everything; fields drops
    // it when it applies its (identity) transform.
    if (lhs.empty() && value.empty()) continue;
    sel.terms_.push_back({std::move(lhs), op != "!=", std::move(value)});
  }
  return sel;
}

bool FieldSelector::Matches(const StringMap& fields) const {
  for (const auto& t : terms_) {
    auto it = fields.find(t.field);
    const std::string& actual = it == fields.end() ? std::string() : it->second;
    if ((actual == t.value) != t.equals) return false;
  }
  return true;
}

std::string FieldSelector::String() const {
  std::string out;
  for (const auto& t : terms_) {
    if (!out.empty()) out += ",";
    out += t.field + (t.equals ? "=" : "!=") + Escape(t.value);
  }
  return out;
}

std::optional<std::string> FieldSelector::RequiresExactMatch(
    std::string_view field) const {
  for (const auto& t : terms_) {
    if (t.equals && t.field == field) return t.value;
  }
  return std::nullopt;
}

}  // namespace ksim::apiserver
