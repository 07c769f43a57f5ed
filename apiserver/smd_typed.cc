// Typing, validation and field sets (structured-merge-diff's typed package:
// helpers.go, validate.go, tofieldset.go, and fieldpath's
// EnsureNamedFieldsAreMembers).
#include "apiserver/smd_typed.h"

#include <algorithm>
#include <set>

#include "apiserver/go_format.h"

namespace ksim::apiserver::smd {
namespace {

std::string ValueDump(const Json& v) { return "&{" + GoFormat(v) + "}"; }

std::string JoinErrors(const std::vector<std::string>& errors) {
  if (errors.size() == 1) return errors[0];
  std::string out = "errors:";
  for (const std::string& e : errors) out += "\n  " + e;
  return out;
}

std::string At(const std::string& path, const std::string& message) {
  return path.empty() ? message : path + ": " + message;
}

}  // namespace

// kube-openapi's schemaconv: x-kubernetes-list-type first; without it a
// "merge" patch strategy makes the list associative by its merge key (a set
// without one); anything else is atomic.
void Typer::SetListRelationship(const FieldSchema& schema,
                                const SchemaRegistry::NodeFacts* f, Node& n) {
  std::string_view list_type =
      f != nullptr ? f->list_type
                   : schema.StringExtensionView("x-kubernetes-list-type");
  std::string_view strategy =
      f != nullptr ? f->patch_strategy
                   : schema.StringExtensionView("x-kubernetes-patch-strategy");
  if (list_type == "set") {
    n.associative = true;
  } else if (list_type == "map") {
    n.associative = true;
    const Json* keys = f != nullptr
                           ? f->list_map_keys
                           : schema.Extension("x-kubernetes-list-map-keys");
    if (keys != nullptr && keys->is_array()) {
      for (const Json& k : *keys) {
        if (k.is_string()) n.keys.push_back(k.get<std::string>());
      }
    }
  } else if (list_type.empty() &&
             (strategy == "merge" || strategy == "merge,retainKeys")) {
    n.associative = true;
    std::string_view key =
        f != nullptr
            ? f->patch_merge_key
            : schema.StringExtensionView("x-kubernetes-patch-merge-key");
    if (!key.empty()) n.keys.emplace_back(key);
  }
  n.atomic = !n.associative;
}

Typer::Node Typer::Resolve(const FieldSchema& schema, const Json* v) const {
  Node n;
  n.schema = schema;
  const Json* r = schema.resolved;
  // Nodes of the registry's components come with their facts looked up.
  const SchemaRegistry::NodeFacts* f =
      schema.raw != nullptr ? registry_.Facts(*schema.raw) : nullptr;
  if (f != nullptr && f->resolved != r) f = nullptr;
  std::string_view type;
  bool has_props = false, has_add = false, int_or_string = false,
       has_items = false;
  if (f != nullptr) {
    type = f->type;
    has_props = f->properties != nullptr;
    has_add = f->additional != nullptr || f->additional_true;
    int_or_string = f->int_or_string;
    has_items = f->has_items;
  } else if (r != nullptr && r->is_object()) {
    if (auto t = r->find("type"); t != r->end() && t->is_string()) {
      type = t->get_ref<const std::string&>();
    }
    auto props = r->find("properties");
    has_props = props != r->end() && props->is_object();
    auto add = r->find("additionalProperties");
    has_add = add != r->end() && (add->is_object() || *add == true);
    int_or_string = r->value("x-kubernetes-int-or-string", false);
    has_items = r->contains("items");
  }
  if (int_or_string) {
    n.shape = Node::Shape::kScalar;
  } else if (type == "array" || has_items) {
    n.shape = Node::Shape::kList;
  } else if (type == "object" || has_props || has_add) {
    n.shape = Node::Shape::kMap;
    n.deduced = !has_props && !has_add;
    n.atomic =
        (f != nullptr
             ? f->map_type
             : schema.StringExtensionView("x-kubernetes-map-type")) == "atomic";
  } else if (type == "string" || type == "integer" || type == "number" ||
             type == "boolean") {
    n.shape = Node::Shape::kScalar;
    n.scalar_type = std::string(type);
  } else {
    // No schema, an empty one, or x-kubernetes-preserve-unknown-fields.
    n.deduced = true;
    n.schema = FieldSchema();
    if (v != nullptr && v->is_object()) {
      n.shape = Node::Shape::kMap;
    } else if (v != nullptr && v->is_array()) {
      n.shape = Node::Shape::kList;
      n.atomic = true;
    }
    return n;
  }
  if (n.shape == Node::Shape::kList) SetListRelationship(schema, f, n);
  if (v != nullptr && !v->is_null()) {
    switch (n.shape) {
      case Node::Shape::kList:
        n.mismatch = !v->is_array();
        break;
      case Node::Shape::kMap:
        n.mismatch = !v->is_object();
        break;
      case Node::Shape::kScalar:
        n.mismatch = v->is_array() || v->is_object();
        break;
    }
  }
  return n;
}

FieldSchema Typer::ChildField(const Node& map, const std::string& name,
                              bool* declared) const {
  *declared = false;
  if (map.deduced) return {};
  FieldSchema f = LookupField(registry_, map.schema, name);
  *declared = f.declared;
  return f;
}

std::optional<PathElement> Typer::ItemElement(const Node& list,
                                              const Json& item,
                                              std::string* error) const {
  if (list.keys.empty()) {
    if (item.is_object()) {
      *error =
          "associative list without keys has an element that's a map "
          "type";
    } else if (item.is_array()) {
      *error = "not supported: associative list with lists as elements";
    } else if (item.is_null()) {
      *error =
          "associative list without keys has an element that's an "
          "explicit null";
    } else {
      return PathElement::Value(item);
    }
    return std::nullopt;
  }
  if (item.is_null()) {
    *error = "associative list with keys may not have a null element";
    return std::nullopt;
  }
  if (!item.is_object()) {
    *error = "associative list with keys may not have non-map elements";
    return std::nullopt;
  }
  Json key = Json::object();
  FieldSchema items = LookupItems(registry_, list.schema);
  for (const std::string& k : list.keys) {
    if (auto it = item.find(k); it != item.end()) {
      key[k] = *it;
    } else if (const Json* def =
                   LookupField(registry_, items, k).Extension("default")) {
      key[k] = *def;
    }
  }
  if (key.empty()) {
    std::string names;
    for (const std::string& k : list.keys) {
      names += (names.empty() ? "" : " ") + GoQuote(k);
    }
    *error =
        "associative list with keys has an element that omits all key "
        "fields [" +
        names + "] (and doesn't have default values for any key fields)";
    return std::nullopt;
  }
  return PathElement::Key(std::move(key));
}

void Typer::ValidateAt(const FieldSchema& schema, const Json& v,
                       const std::string& path,
                       std::vector<std::string>& errors) const {
  Node n = Resolve(schema, &v);
  if (v.is_null()) return;
  if (n.shape == Node::Shape::kScalar || n.mismatch) {
    if (n.shape == Node::Shape::kList) {
      errors.push_back(At(path, "expected list, got " + ValueDump(v)));
    } else if (n.shape == Node::Shape::kMap) {
      errors.push_back(At(path, "expected map, got " + ValueDump(v)));
    } else if (n.mismatch) {
      errors.push_back(At(path, "expected any scalar, got " + ValueDump(v)));
    } else if ((n.scalar_type == "integer" || n.scalar_type == "number") &&
               !v.is_number()) {
      errors.push_back(
          At(path, "expected numeric (int or float), got " + GoTypeName(v)));
    } else if (n.scalar_type == "string" && !v.is_string()) {
      errors.push_back(At(path,
                          "expected string, got "
                          "&value.valueUnstructured{Value:" +
                              GoFormat(v) + "}"));
    } else if (n.scalar_type == "boolean" && !v.is_boolean()) {
      errors.push_back(At(path, "expected boolean, got " + ValueDump(v)));
    }
    return;
  }
  if (n.shape == Node::Shape::kList) {
    FieldSchema items = LookupItems(registry_, n.schema);
    std::set<PathElement> seen;
    for (size_t i = 0; i < v.size(); ++i) {
      PathElement pe = PathElement::Index(static_cast<int64_t>(i));
      if (n.associative) {
        std::string err;
        std::optional<PathElement> item = ItemElement(n, v[i], &err);
        if (!item) {
          errors.push_back(
              At(path, "element " + std::to_string(i) + ": " + err));
          return;
        }
        pe = *item;
        if (!seen.insert(pe).second) {
          errors.push_back(
              At(path, "duplicate entries for key " + pe.String()));
        }
      }
      ValidateAt(items, v[i], path + pe.String(), errors);
    }
    return;
  }
  // Undeclared fields are allowed where the schema keeps unknown fields.
  bool open = false;
  if (n.schema.known() && n.schema.resolved->is_object()) {
    const Json& r = *n.schema.resolved;
    open = r.value("x-kubernetes-preserve-unknown-fields", false) ||
           (r.contains("additionalProperties") &&
            r["additionalProperties"] == true);
  }
  for (const auto& [k, child] : v.items()) {
    bool declared;
    FieldSchema f = ChildField(n, k, &declared);
    if (!f.known() && !n.deduced && !open) {
      errors.push_back(At(path + "." + k, "field not declared in schema"));
      return;
    }
    ValidateAt(f, child, path + "." + k, errors);
  }
}

std::string Typer::Validate(const FieldSchema& schema, const Json& v) const {
  std::vector<std::string> errors;
  ValidateAt(schema, v, "", errors);
  return errors.empty() ? "" : JoinErrors(errors);
}

void Typer::ToFieldSetAt(const FieldSchema& schema, const Json& v,
                         FieldPath& path, FieldSet& out) const {
  Node n = Resolve(schema, &v);
  if (n.shape == Node::Shape::kScalar || n.mismatch || n.atomic) {
    out.Insert(path);
    return;
  }
  if (v.is_null()) return;
  if (n.shape == Node::Shape::kList) {
    FieldSchema items = LookupItems(registry_, n.schema);
    std::set<PathElement> seen, duplicates;
    std::vector<std::optional<PathElement>> pes;
    for (const Json& item : v) {
      std::string err;
      pes.push_back(ItemElement(n, item, &err));
      if (!pes.back()) continue;
      if (!seen.insert(*pes.back()).second &&
          duplicates.insert(*pes.back()).second) {
        path.push_back(*pes.back());
        out.Insert(path);
        path.pop_back();
      }
    }
    for (size_t i = 0; i < v.size(); ++i) {
      if (!pes[i] || duplicates.count(*pes[i])) continue;
      path.push_back(*pes[i]);
      ToFieldSetAt(items, v[i], path, out);
      out.Insert(path);
      path.pop_back();
    }
    return;
  }
  for (const auto& [k, child] : v.items()) {
    bool declared;
    FieldSchema f = ChildField(n, k, &declared);
    path.push_back(PathElement::Field(k));
    ToFieldSetAt(f, child, path, out);
    if (child.is_null() || (child.is_object() && child.empty()) || !declared) {
      out.Insert(path);
    }
    path.pop_back();
  }
}

FieldSet Typer::ToFieldSet(const FieldSchema& schema, const Json& v) const {
  FieldSet out;
  FieldPath path;
  ToFieldSetAt(schema, v, path, out);
  return out;
}

FieldSet Typer::EnsureNamedFieldsAreMembers(const FieldSchema& schema,
                                            const FieldSet& set) const {
  Node n = Resolve(schema, nullptr);
  bool is_map = n.shape == Node::Shape::kMap && !n.deduced;
  bool is_list = n.shape == Node::Shape::kList && !n.deduced;
  FieldSet out;
  for (const PathElement& pe : set.members()) out.InsertMember(pe);
  for (const FieldSet::Node& child : set.children()) {
    FieldSchema sub;
    if (child.pe.kind == PathElement::Kind::kField && is_map) {
      bool declared;
      sub = ChildField(n, child.pe.field, &declared);
      if (declared) out.InsertMember(child.pe);
    } else if (child.pe.kind == PathElement::Kind::kKey && is_list) {
      sub = LookupItems(registry_, n.schema);
    }
    out.SetChild(child.pe, EnsureNamedFieldsAreMembers(sub, child.set));
  }
  return out;
}

}  // namespace ksim::apiserver::smd
