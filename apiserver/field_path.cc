// Path elements of field sets: construction, fieldsV1 keys, messages and
// fieldpath's order (see field_set.h).
#include <cstdlib>

#include "apiserver/field_set.h"
#include "apiserver/go_format.h"

namespace ksim::apiserver {
namespace {

using base::Json;

int Rank(const Json& v) {
  if (v.is_number()) return 0;
  if (v.is_string()) return 1;
  if (v.is_boolean()) return 2;
  if (v.is_array()) return 3;
  if (v.is_object()) return 4;
  return 5;  // null
}

template <typename T>
int Cmp(const T& a, const T& b) {
  return a < b ? -1 : (b < a ? 1 : 0);
}

// value.ToString, for path strings in messages.
std::string ValueString(const Json& v) {
  if (v.is_null()) return "null";
  if (v.is_string()) return GoQuote(v.get_ref<const std::string&>());
  if (v.is_array()) {
    std::string out = "[";
    for (size_t i = 0; i < v.size(); ++i) {
      if (i) out += ",";
      out += ValueString(v[i]);
    }
    return out + "]";
  }
  if (v.is_object()) {
    std::string out;
    for (const auto& [k, child] : v.items())
      out += k + "=" + ValueString(child);
    return out;
  }
  return GoFormat(v);
}

}  // namespace

int CompareValues(const Json& a, const Json& b) {
  int ra = Rank(a), rb = Rank(b);
  if (ra != rb) return Cmp(ra, rb);
  switch (ra) {
    case 0:
      if (a.is_number_float() || b.is_number_float()) {
        return Cmp(a.get<double>(), b.get<double>());
      }
      if (a.is_number_unsigned() && b.is_number_unsigned()) {
        return Cmp(a.get<uint64_t>(), b.get<uint64_t>());
      }
      return Cmp(a.get<int64_t>(), b.get<int64_t>());
    case 1:
      return Cmp(a.get_ref<const std::string&>(),
                 b.get_ref<const std::string&>());
    case 2:
      return Cmp(a.get<bool>(), b.get<bool>());
    case 3:
    case 4: {
      // Lists element by element, maps entry by entry in key order; the
      // shorter one first when one is a prefix of the other.
      auto ai = a.begin(), bi = b.begin();
      for (; ai != a.end() && bi != b.end(); ++ai, ++bi) {
        if (ra == 4) {
          if (int c = Cmp(ai.key(), bi.key()); c != 0) return c;
        }
        if (int c = CompareValues(*ai, *bi); c != 0) return c;
      }
      return Cmp(a.size(), b.size());
    }
    default:
      return 0;
  }
}

PathElement PathElement::Field(std::string name) {
  PathElement pe;
  pe.kind = Kind::kField;
  pe.field = std::move(name);
  return pe;
}
PathElement PathElement::Key(Json fields) {
  PathElement pe;
  pe.kind = Kind::kKey;
  pe.value = std::move(fields);
  return pe;
}
PathElement PathElement::Value(Json v) {
  PathElement pe;
  pe.kind = Kind::kValue;
  pe.value = std::move(v);
  return pe;
}
PathElement PathElement::Index(int64_t i) {
  PathElement pe;
  pe.kind = Kind::kIndex;
  pe.index = i;
  return pe;
}

std::string PathElement::Serialize() const {
  switch (kind) {
    case Kind::kField:
      return "f:" + field;
    case Kind::kKey:
      return "k:" + GoJsonMarshal(value);
    case Kind::kValue:
      return "v:" + GoJsonMarshal(value);
    case Kind::kIndex:
      return "i:" + std::to_string(index);
  }
  return "";
}

std::optional<PathElement> PathElement::Deserialize(std::string_view s) {
  if (s.size() < 2 || s[1] != ':') return std::nullopt;
  std::string_view rest = s.substr(2);
  switch (s[0]) {
    case 'f':
      return Field(std::string(rest));
    case 'k':
    case 'v': {
      Json v = Json::parse(rest, nullptr, /*allow_exceptions=*/false);
      if (v.is_discarded()) return std::nullopt;
      if (s[0] == 'k') {
        if (!v.is_object()) return std::nullopt;
        return Key(std::move(v));
      }
      return Value(std::move(v));
    }
    case 'i': {
      std::string digits(rest);
      char* end = nullptr;
      long long i = std::strtoll(digits.c_str(), &end, 10);
      if (digits.empty() || *end != '\0') return std::nullopt;
      return Index(i);
    }
    default:
      return std::nullopt;
  }
}

std::string PathElement::String() const {
  switch (kind) {
    case Kind::kField:
      return "." + field;
    case Kind::kKey: {
      std::string out = "[";
      bool first = true;
      for (const auto& [k, v] : value.items()) {
        if (!first) out += ",";
        first = false;
        out += k + "=" + ValueString(v);
      }
      return out + "]";
    }
    case Kind::kValue:
      return "[=" + ValueString(value) + "]";
    case Kind::kIndex:
      return "[" + std::to_string(index) + "]";
  }
  return "";
}

int Compare(const PathElement& a, const PathElement& b) {
  if (a.kind != b.kind)
    return Cmp(static_cast<int>(a.kind), static_cast<int>(b.kind));
  switch (a.kind) {
    case PathElement::Kind::kField:
      return Cmp(a.field, b.field);
    case PathElement::Kind::kKey:
    case PathElement::Kind::kValue:
      return CompareValues(a.value, b.value);
    case PathElement::Kind::kIndex:
      return Cmp(a.index, b.index);
  }
  return 0;
}

std::string PathString(const FieldPath& path) {
  std::string out;
  for (const PathElement& pe : path) out += pe.String();
  return out;
}

}  // namespace ksim::apiserver
