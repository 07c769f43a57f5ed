#include "apiserver/schema.h"

#include <yaml-cpp/yaml.h>

#include <atomic>
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

SchemaRegistry::SchemaRegistry() {
  static std::atomic<uint64_t> next_id{1};
  id_ = next_id.fetch_add(1);
}

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
  index_.clear();
  names_.clear();
  for (const auto& [name, schema] : components_.items()) {
    names_.emplace(&schema, name);
  }
  std::vector<const Json*> todo = {&components_};
  while (!todo.empty()) {
    const Json* node = todo.back();
    todo.pop_back();
    if (node->is_object()) {
      index_.emplace(node, ComputeFacts(*node));
    }
    if (node->is_structured()) {
      for (const Json& child : *node) todo.push_back(&child);
    }
  }
}

const Json& SchemaRegistry::Resolve(const Json& schema) const {
  auto it = index_.find(&schema);
  return it != index_.end() ? *it->second.resolved : ResolveSlow(schema);
}

std::string_view SchemaRegistry::RefName(const Json& schema) const {
  auto it = index_.find(&schema);
  return it != index_.end() ? it->second.ref : RefNameSlow(schema);
}

const SchemaRegistry::NodeFacts* SchemaRegistry::Facts(const Json& node) const {
  auto it = index_.find(&node);
  return it != index_.end() ? &it->second : nullptr;
}

SchemaRegistry::NodeFacts SchemaRegistry::ComputeFacts(const Json& node) const {
  NodeFacts f;
  f.resolved = &ResolveSlow(node);
  f.ref = RefNameSlow(node);
  const Json& r = *f.resolved;
  auto str = [](const Json& s, std::string_view key) -> std::string_view {
    if (!s.is_object()) return {};
    auto it = s.find(key);
    return it != s.end() && it->is_string()
               ? std::string_view(it->get_ref<const std::string&>())
               : std::string_view();
  };
  auto flag = [](const Json& s, std::string_view key) {
    if (!s.is_object()) return false;
    auto it = s.find(key);
    return it != s.end() && it->is_boolean() && it->get<bool>();
  };
  auto ext = [&](std::string_view key) {
    std::string_view v = str(node, key);
    return node.is_object() && node.contains(key) ? v : str(r, key);
  };
  if (r.is_object()) {
    f.type = str(r, "type");
    f.format = str(r, "format");
    if (auto p = r.find("properties"); p != r.end() && p->is_object()) {
      f.properties = &*p;
    }
    if (auto a = r.find("additionalProperties"); a != r.end()) {
      if (a->is_object()) f.additional = &*a;
      f.additional_true = a->is_boolean() && a->get<bool>();
    }
    f.has_items = r.contains("items");
    f.int_or_string = flag(r, "x-kubernetes-int-or-string");
  }
  f.preserve_unknown = flag(node, "x-kubernetes-preserve-unknown-fields") ||
                       flag(r, "x-kubernetes-preserve-unknown-fields");
  f.map_type = ext("x-kubernetes-map-type");
  f.list_type = ext("x-kubernetes-list-type");
  f.patch_strategy = ext("x-kubernetes-patch-strategy");
  f.patch_merge_key = ext("x-kubernetes-patch-merge-key");
  for (const Json* s : {&node, &r}) {
    if (!s->is_object()) continue;
    if (auto k = s->find("x-kubernetes-list-map-keys"); k != s->end()) {
      f.list_map_keys = &*k;
      break;
    }
  }
  return f;
}

std::string_view SchemaRegistry::NameOf(const Json& component) const {
  auto it = names_.find(&component);
  return it != names_.end() ? it->second : std::string_view();
}

std::string_view SchemaRegistry::RefNameSlow(const Json& node) {
  const Json* ref = nullptr;
  if (!node.is_object()) return "";
  if (auto it = node.find("$ref"); it != node.end() && it->is_string()) {
    ref = &*it;
  } else if (auto all = node.find("allOf");
             all != node.end() && all->is_array() && all->size() == 1) {
    auto inner = (*all)[0].find("$ref");
    if (inner != (*all)[0].end() && inner->is_string()) ref = &*inner;
  }
  if (ref == nullptr) return "";
  std::string_view s = ref->get_ref<const std::string&>();
  return s.substr(s.rfind('/') + 1);
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
