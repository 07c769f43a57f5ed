#include "apiserver/schema.h"

#include <yaml-cpp/yaml.h>

#include <cstdio>
#include <cstdlib>

#include "apiserver/schemas/embedded.h"

namespace ksim::apiserver {
namespace {

constexpr std::string_view kRefPrefix = "#/components/schemas/";

// yaml-cpp node -> JSON. Scalars stay strings unless YAML typed them plainly
// as numbers or booleans (schemas only hold such plain scalars).
Json YamlToJson(const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Map: {
      Json obj = Json::object();
      for (const auto& kv : node) {
        obj[kv.first.as<std::string>()] = YamlToJson(kv.second);
      }
      return obj;
    }
    case YAML::NodeType::Sequence: {
      Json arr = Json::array();
      for (const auto& item : node) arr.push_back(YamlToJson(item));
      return arr;
    }
    case YAML::NodeType::Scalar: {
      const std::string& s = node.Scalar();
      if (node.Tag() == "!") return s;  // quoted in the source
      if (s == "true") return true;
      if (s == "false") return false;
      char* end = nullptr;
      long long i = std::strtoll(s.c_str(), &end, 10);
      if (!s.empty() && *end == '\0') return i;
      return s;
    }
    default:
      return nullptr;
  }
}

}  // namespace

base::StatusOr<std::unique_ptr<SchemaRegistry>> SchemaRegistry::FromYaml(
    std::string_view yaml) {
  auto reg = std::make_unique<SchemaRegistry>();
  try {
    YAML::Node root = YAML::Load(std::string(yaml));
    reg->components_ = YamlToJson(root);
  } catch (const YAML::Exception& e) {
    return base::Internal(std::string("schema YAML: ") + e.what());
  }
  if (!reg->components_.is_object()) {
    return base::Internal("schema YAML: top level must be a mapping");
  }
  reg->IndexReferences();
  return reg;
}

const SchemaRegistry& SchemaRegistry::Default() {
  // Parsed on first use; C++ guarantees the initialisation runs once even
  // when several threads arrive together. Never destroyed, so references
  // handed out stay valid during static destruction.
  static const SchemaRegistry* const kDefault = [] {
    auto* reg = new SchemaRegistry();
    reg->components_ = Json::object();
    for (const EmbeddedSchemaFile& file : EmbeddedSchemaFiles()) {
      auto part = FromYaml(file.yaml);
      // The files are compiled in, so a defect here is a build defect: fail
      // loudly at once rather than serve without schemas.
      if (!part.ok()) {
        std::fprintf(stderr, "ksim: embedded schema %.*s: %s\n",
                     static_cast<int>(file.name.size()), file.name.data(),
                     part.status().message().c_str());
        std::abort();
      }
      for (auto& [name, schema] : (*part)->components_.items()) {
        if (reg->components_.contains(name)) {
          std::fprintf(stderr, "ksim: schema %s defined twice\n", name.c_str());
          std::abort();
        }
        reg->components_[name] = std::move(schema);
      }
    }
    reg->IndexReferences();
    return reg;
  }();
  return *kDefault;
}

const Json* SchemaRegistry::ByName(std::string_view name) const {
  auto it = components_.find(name);
  return it == components_.end() ? nullptr : &*it;
}

const Json* SchemaRegistry::ForKind(std::string_view group,
                                    std::string_view version,
                                    std::string_view kind) const {
  for (const auto& [name, schema] : components_.items()) {
    auto gvks = schema.find("x-kubernetes-group-version-kind");
    if (gvks == schema.end() || !gvks->is_array()) continue;
    for (const auto& gvk : *gvks) {
      if (gvk.value("group", "") == group &&
          gvk.value("version", "") == version &&
          gvk.value("kind", "") == kind) {
        return &schema;
      }
    }
  }
  return nullptr;
}

void SchemaRegistry::IndexReferences() {
  resolved_.clear();
  std::vector<const Json*> todo = {&components_};
  while (!todo.empty()) {
    const Json* node = todo.back();
    todo.pop_back();
    if (node->is_object()) {
      resolved_.emplace(node, &ResolveSlow(*node));
    }
    if (node->is_structured()) {
      for (const Json& child : *node) todo.push_back(&child);
    }
  }
}

const Json& SchemaRegistry::Resolve(const Json& schema) const {
  auto it = resolved_.find(&schema);
  return it != resolved_.end() ? *it->second : ResolveSlow(schema);
}

const Json& SchemaRegistry::ResolveSlow(const Json& schema) const {
  static const Json kAnything = Json::object();
  const Json* cur = &schema;
  // A chain of references is followed to its end; 8 hops is far beyond any
  // real schema and stops a reference cycle.
  for (int hop = 0; hop < 8 && cur->is_object(); ++hop) {
    const Json* ref = nullptr;
    if (auto it = cur->find("$ref"); it != cur->end() && it->is_string()) {
      ref = &*it;
    } else if (auto all = cur->find("allOf");
               all != cur->end() && all->is_array() && all->size() == 1) {
      auto inner = (*all)[0].find("$ref");
      if (inner != (*all)[0].end() && inner->is_string()) ref = &*inner;
    }
    if (ref == nullptr) return *cur;
    std::string_view target = ref->get_ref<const std::string&>();
    if (target.substr(0, kRefPrefix.size()) == kRefPrefix) {
      target.remove_prefix(kRefPrefix.size());
    }
    const Json* next = ByName(target);
    if (next == nullptr) return kAnything;
    cur = next;
  }
  return *cur;
}

const Json* SchemaRegistry::Property(const Json& schema,
                                     std::string_view name) const {
  const Json& s = Resolve(schema);
  if (!s.is_object()) return nullptr;
  if (auto props = s.find("properties");
      props != s.end() && props->is_object()) {
    if (auto it = props->find(name); it != props->end()) return &Resolve(*it);
  }
  if (auto add = s.find("additionalProperties");
      add != s.end() && add->is_object()) {
    return &Resolve(*add);
  }
  return nullptr;
}

const Json* SchemaRegistry::Items(const Json& schema) const {
  const Json& s = Resolve(schema);
  if (!s.is_object()) return nullptr;
  auto it = s.find("items");
  return it == s.end() ? nullptr : &Resolve(*it);
}

}  // namespace ksim::apiserver
