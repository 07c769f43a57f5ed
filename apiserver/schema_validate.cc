// Strict field validation, pruning and JSON type checks against the schemas.
//
// kube-apiserver gets these from decoding into its Go structs
// (sigs.k8s.io/json): unknown fields come from the strict decoder, pruning
// is what a non-strict decode drops, and type errors are encoding/json's
// UnmarshalTypeError, or the custom decoders of IntOrString, Quantity and
// []byte. The wording below follows those.
#include <string>
#include <vector>

#include "apiserver/schema.h"
#include "base/encoding.h"

namespace ksim::apiserver {
namespace {

bool Flag(const Json& s, std::string_view key) {
  if (!s.is_object()) return false;
  auto it = s.find(key);
  return it != s.end() && it->is_boolean() && it->get<bool>();
}

const Json* ObjectMember(const Json& s, std::string_view key) {
  if (!s.is_object()) return nullptr;
  auto it = s.find(key);
  return it != s.end() && it->is_object() ? &*it : nullptr;
}

// Walks `value` along `node` (a schema as written, maybe a reference). For
// every field the schema does not declare, calls on_unknown(container, it,
// path); it returns true when it erased the key. `path` is a scratch buffer
// holding the current path; each level restores it before returning.
template <typename JsonT, typename OnUnknown>
void WalkUnknown(const SchemaRegistry& reg, const Json& node, JsonT& value,
                 std::string& path, OnUnknown& on_unknown) {
  if (!value.is_object() && !value.is_array()) return;
  SchemaRegistry::NodeFacts computed;
  const SchemaRegistry::NodeFacts* f = reg.Facts(node);
  if (f == nullptr) {
    computed = reg.ComputeFacts(node);
    f = &computed;
  }
  const Json& s = *f->resolved;
  if (f->preserve_unknown) return;
  const size_t mark = path.size();
  if (value.is_array()) {
    auto items = s.is_object() ? s.find("items") : s.end();
    if (!s.is_object() || items == s.end()) return;
    for (size_t i = 0; i < value.size(); ++i) {
      path.append("[").append(std::to_string(i)).append("]");
      WalkUnknown(reg, *items, value[i], path, on_unknown);
      path.resize(mark);
    }
    return;
  }
  const Json* props = f->properties;
  const Json* extra = f->additional;
  // A bare object (RawExtension, FieldsV1, an unknown reference) decodes
  // through custom Go code that keeps whatever it is given.
  if (props == nullptr && extra == nullptr) return;
  for (auto it = value.begin(); it != value.end();) {
    const std::string& key = it.key();
    if (mark > 0) path.push_back('.');
    path.append(key);
    const Json* child = nullptr;
    if (props != nullptr) {
      auto p = props->find(key);
      if (p != props->end()) child = &*p;
    }
    if (child == nullptr) child = extra;
    bool erased = false;
    if (child == nullptr) {
      erased = on_unknown(value, it, path);
    } else {
      WalkUnknown(reg, *child, it.value(), path, on_unknown);
    }
    path.resize(mark);
    if (!erased) ++it;
  }
}

// --- Type checks ----------------------------------------------------------

constexpr std::string_view kQuantityError =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// How encoding/json names a JSON value in UnmarshalTypeError.Value.
std::string JsonKind(const Json& v) {
  if (v.is_string()) return "string";
  if (v.is_boolean()) return "bool";
  if (v.is_object()) return "object";
  if (v.is_array()) return "array";
  return "number";
}

// "io.k8s.api.apps.v1.DeploymentSpec" -> "v1.DeploymentSpec", as Go prints
// a named type.
std::string GoNamedType(std::string_view component) {
  size_t last = component.rfind('.');
  if (last == std::string_view::npos) return std::string(component);
  size_t pkg = component.rfind('.', last - 1);
  return std::string(
      component.substr(pkg == std::string_view::npos ? 0 : pkg + 1));
}

std::string_view ShortName(std::string_view component) {
  size_t last = component.rfind('.');
  return last == std::string_view::npos ? component
                                        : component.substr(last + 1);
}

bool IsQuantity(std::string_view component) {
  return component == "io.k8s.apimachinery.pkg.api.resource.Quantity";
}

// The string member `key` of a schema object; empty when absent. A view
// into the schema (no copy: this runs for every node of every body).
std::string_view StringMember(const Json& s, std::string_view key) {
  if (!s.is_object()) return {};
  auto it = s.find(key);
  return it != s.end() && it->is_string()
             ? std::string_view(it->get_ref<const std::string&>())
             : std::string_view();
}

// Whether `text` parses as a resource.Quantity (sign, digits with an
// optional point, then a binary or decimal SI suffix or an exponent).
bool ValidQuantity(std::string_view text) {
  while (!text.empty() && text.front() == ' ') text.remove_prefix(1);
  while (!text.empty() && text.back() == ' ') text.remove_suffix(1);
  size_t i = 0;
  if (i < text.size() && (text[i] == '+' || text[i] == '-')) ++i;
  size_t digits = 0;
  while (i < text.size() && isdigit(static_cast<unsigned char>(text[i]))) {
    ++i, ++digits;
  }
  if (i < text.size() && text[i] == '.') {
    ++i;
    while (i < text.size() && isdigit(static_cast<unsigned char>(text[i]))) {
      ++i, ++digits;
    }
  }
  if (digits == 0) return false;
  std::string_view suffix = text.substr(i);
  static constexpr std::string_view kSuffixes[] = {
      "",  "Ki", "Mi", "Gi", "Ti", "Pi", "Ei", "n",
      "u", "m",  "k",  "M",  "G",  "T",  "P",  "E"};
  for (std::string_view s : kSuffixes) {
    if (suffix == s) return true;
  }
  // A decimal exponent: e or E, an optional sign, at least one digit.
  if (suffix[0] != 'e' && suffix[0] != 'E') return false;
  size_t j = 1;
  if (j < suffix.size() && (suffix[j] == '+' || suffix[j] == '-')) ++j;
  if (j == suffix.size()) return false;
  for (; j < suffix.size(); ++j) {
    if (!isdigit(static_cast<unsigned char>(suffix[j]))) return false;
  }
  return true;
}

// Go's base64.CorruptInputError offset for text that failed to decode: the
// first byte outside the alphabet or a misplaced '=', else the start of the
// incomplete last quantum.
size_t Base64ErrorOffset(std::string_view text) {
  size_t pad = text.find('=');
  for (size_t i = 0; i < text.size(); ++i) {
    char c = text[i];
    bool alpha = isalnum(static_cast<unsigned char>(c)) || c == '+' ||
                 c == '/' || c == '=';
    if (!alpha) return i;
    if (pad != std::string_view::npos && i > pad && c != '=') return pad;
  }
  return text.size() - text.size() % 4;
}

// Reproduces the first error a Go decode into the typed object would
// report. Keys are visited in sorted order, so with several errors the one
// reported may differ from Go's (which follows document order).
class TypeChecker {
 public:
  explicit TypeChecker(const SchemaRegistry& reg) : reg_(reg) {}

  base::Status CheckRoot(const Json& schema, const Json& value) {
    root_name_ = reg_.RefName(schema);
    if (root_name_.empty()) root_name_ = reg_.NameOf(reg_.Resolve(schema));
    Check(schema, root_name_, value);
    return error_.empty() ? base::Status() : base::BadRequest(error_);
  }

 private:
  // `node` is the schema as written; `component` the component it names
  // (empty for an inline schema).
  void Check(const Json& node, std::string_view component, const Json& value) {
    if (!error_.empty() || value.is_null()) return;
    SchemaRegistry::NodeFacts computed;
    const SchemaRegistry::NodeFacts* f = reg_.Facts(node);
    if (f == nullptr) {
      computed = reg_.ComputeFacts(node);
      f = &computed;
    }
    const Json& s = *f->resolved;
    if (!s.is_object() || f->preserve_unknown) return;
    if (IsQuantity(component)) return CheckQuantity(value);
    if (f->int_or_string || f->format == "int-or-string") {
      if (!value.is_string()) CheckInteger(value, "int32");
      return;
    }
    const std::string_view type = f->type;
    if (type == "string") return CheckString(s, value);
    if (type == "integer") {
      return CheckInteger(value, f->format == "int32" ? "int32" : "int64");
    }
    if (type == "number") {
      if (!value.is_number()) Fail(JsonKind(value), "float64");
      return;
    }
    if (type == "boolean") {
      if (!value.is_boolean()) Fail(JsonKind(value), "bool");
      return;
    }
    if (type == "array") return CheckArray(s, value);
    if (type == "object" || type.empty()) {
      return CheckObject(f->properties, f->additional, component, value);
    }
  }

  void CheckQuantity(const Json& value) {
    std::string text = value.is_string()   ? value.get<std::string>()
                       : value.is_number() ? value.dump()
                                           : "";
    if (!ValidQuantity(text)) error_ = kQuantityError;
  }

  void CheckString(const Json& s, const Json& value) {
    bool bytes = StringMember(s, "format") == "byte";
    if (!value.is_string()) {
      return Fail(JsonKind(value), bytes ? "[]uint8" : "string");
    }
    const std::string& text = value.get_ref<const std::string&>();
    if (bytes && !base::Base64Decode(text).has_value()) {
      error_ = "illegal base64 data at input byte " +
               std::to_string(Base64ErrorOffset(text));
    }
  }

  void CheckInteger(const Json& value, std::string_view go_type) {
    if (!value.is_number()) return Fail(JsonKind(value), go_type);
    bool fits = false;
    if (value.is_number_unsigned()) {
      uint64_t u = value.get<uint64_t>();
      fits = go_type == "int32" ? u <= INT32_MAX : u <= INT64_MAX;
    } else if (value.is_number_integer()) {
      int64_t i = value.get<int64_t>();
      fits = go_type != "int32" || (i >= INT32_MIN && i <= INT32_MAX);
    }
    if (!fits) Fail("number " + value.dump(), go_type);
  }

  void CheckArray(const Json& s, const Json& value) {
    auto items = s.find("items");
    if (!value.is_array()) {
      std::string elem = items == s.end() ? "interface {}" : GoType(*items);
      return Fail(JsonKind(value), "[]" + elem);
    }
    if (items == s.end()) return;
    std::string_view elem_component = reg_.RefName(*items);
    for (const Json& v : value) Check(*items, elem_component, v);
  }

  void CheckObject(const Json* props, const Json* extra,
                   std::string_view component, const Json& value) {
    if (props == nullptr && extra == nullptr) return;  // free-form
    if (!value.is_object()) {
      return Fail(JsonKind(value),
                  props != nullptr ? GoNamedType(component) : MapType(*extra));
    }
    for (const auto& [key, v] : value.items()) {
      const Json* child = nullptr;
      if (props != nullptr) {
        auto p = props->find(key);
        if (p != props->end()) child = &*p;
      }
      if (child != nullptr) {
        // A struct field: Go's error context names it.
        std::string_view saved_struct = struct_;
        struct_ = ShortName(component);
        fields_.push_back(key);
        Check(*child, reg_.RefName(*child), v);
        fields_.pop_back();
        struct_ = saved_struct;
      } else if (extra != nullptr) {
        Check(*extra, reg_.RefName(*extra), v);  // map values add no context
      }
      if (!error_.empty()) return;
    }
  }

  // Go's name for the type a schema node decodes into.
  std::string GoType(const Json& node) const {
    std::string_view ref = reg_.RefName(node);
    if (!ref.empty()) return GoNamedType(ref);
    const std::string type = node.value("type", "");
    const std::string format = node.value("format", "");
    if (type == "string") return format == "byte" ? "[]uint8" : "string";
    if (type == "integer") return format == "int32" ? "int32" : "int64";
    if (type == "number") return "float64";
    if (type == "boolean") return "bool";
    if (type == "array" && node.contains("items")) {
      return "[]" + GoType(node["items"]);
    }
    if (const Json* extra = ObjectMember(node, "additionalProperties")) {
      return MapType(*extra);
    }
    return "interface {}";
  }

  // Every map of quantities in these APIs is a core/v1 ResourceList.
  std::string MapType(const Json& extra) const {
    if (IsQuantity(reg_.RefName(extra))) return "v1.ResourceList";
    return "map[string]" + GoType(extra);
  }

  void Fail(const std::string& what, std::string_view go_type) {
    if (!error_.empty()) return;
    error_ = "json: cannot unmarshal " + what;
    if (struct_.empty() && fields_.empty()) {
      error_ += " into Go value of type ";
    } else {
      error_.append(" into Go struct field ").append(struct_).append(".");
      for (size_t i = 0; i < fields_.size(); ++i) {
        error_.append(i ? "." : "").append(fields_[i]);
      }
      error_ += " of type ";
    }
    error_ += go_type;
  }

  const SchemaRegistry& reg_;
  std::string root_name_;  // the component checked, named by CheckRoot
  // Views into root_name_, the schemas and the checked value, all of which
  // outlive the check.
  std::string_view struct_;
  std::vector<std::string_view> fields_;
  std::string error_;
};

}  // namespace

std::vector<std::string> SchemaRegistry::UnknownFields(const Json& schema,
                                                       const Json& obj) const {
  std::vector<std::string> out;
  auto report = [&out](const Json&, Json::const_iterator,
                       const std::string& path) {
    out.push_back(path);
    return false;
  };
  std::string path;
  WalkUnknown(*this, schema, obj, path, report);
  return out;
}

void SchemaRegistry::PruneUnknownFields(const Json& schema, Json& obj) const {
  auto prune = [](Json& container, Json::iterator& it, const std::string&) {
    it = container.erase(it);
    return true;
  };
  std::string path;
  WalkUnknown(*this, schema, obj, path, prune);
}

base::Status SchemaRegistry::CheckTypes(const Json& schema,
                                        const Json& obj) const {
  TypeChecker checker(*this);
  return checker.CheckRoot(schema, obj);
}

}  // namespace ksim::apiserver
