#include "apiserver/schema_lookup.h"

namespace ksim::apiserver {

const Json* FieldSchema::Extension(std::string_view key) const {
  for (const Json* node : {raw, resolved}) {
    if (node == nullptr || !node->is_object()) continue;
    auto it = node->find(key);
    if (it != node->end()) return &*it;
  }
  return nullptr;
}

std::string FieldSchema::StringExtension(std::string_view key) const {
  return std::string(StringExtensionView(key));
}

std::string_view FieldSchema::StringExtensionView(std::string_view key) const {
  const Json* v = Extension(key);
  return v != nullptr && v->is_string()
             ? std::string_view(v->get_ref<const std::string&>())
             : std::string_view();
}

FieldSchema RootSchema(const SchemaRegistry& registry, const Json& schema) {
  return {&schema, &registry.Resolve(schema), true};
}

FieldSchema LookupField(const SchemaRegistry& registry,
                        const FieldSchema& parent, std::string_view name) {
  if (!parent.known() || !parent.resolved->is_object()) return {};
  const Json& s = *parent.resolved;
  if (auto props = s.find("properties");
      props != s.end() && props->is_object()) {
    if (auto it = props->find(name); it != props->end()) {
      return {&*it, &registry.Resolve(*it), true};
    }
  }
  if (auto add = s.find("additionalProperties");
      add != s.end() && add->is_object()) {
    return {&*add, &registry.Resolve(*add), false};
  }
  return {};
}

FieldSchema LookupItems(const SchemaRegistry& registry,
                        const FieldSchema& list) {
  if (!list.known() || !list.resolved->is_object()) return {};
  auto it = list.resolved->find("items");
  if (it == list.resolved->end() || !it->is_object()) return {};
  return {&*it, &registry.Resolve(*it), false};
}

std::vector<std::string> PatchStrategies(const FieldSchema& field) {
  std::vector<std::string> out;
  std::string s = field.StringExtension("x-kubernetes-patch-strategy");
  if (s.empty()) return out;
  size_t start = 0;
  while (true) {
    size_t comma = s.find(',', start);
    out.push_back(s.substr(start, comma - start));
    if (comma == std::string::npos) break;
    start = comma + 1;
  }
  return out;
}

}  // namespace ksim::apiserver
