#include "scenario/yaml_node.h"

#include <cmath>
#include <cstdlib>
#include <set>

#include "base/yaml_json.h"
#include "cluster/cluster_config.h"

namespace ksim::scenario {
namespace {

using base::Json;

std::string Position(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

}  // namespace

Json YamlToJson(const YAML::Node& node) {
  // The typing base::ParseYaml uses, so an inline manifest means what the
  // same manifest in a file applied by kubectl means.
  return base::YamlToJson(node);
}

base::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(
    const std::string& text, const std::string& file) {
  std::vector<YAML::Node> docs;
  try {
    for (YAML::Node& d : YAML::LoadAll(text)) {
      if (d.IsNull() || !d.IsDefined()) continue;
      docs.push_back(d);
    }
  } catch (const YAML::Exception& e) {
    return base::BadRequest(file + ":" + Position(e.mark) + ": yaml: " + e.msg);
  }
  return docs;
}

int LineOf(const YAML::Node& node) {
  YAML::Mark m = node.Mark();
  return m.is_null() ? 0 : m.line + 1;
}

base::Status YamlErrors::At(const YAML::Node& node,
                            const std::string& message) const {
  YAML::Mark m = node.Mark();
  if (m.is_null()) return base::BadRequest(file_ + ": " + message);
  return base::BadRequest(file_ + ":" + Position(m) + ": " + message);
}

base::Status YamlErrors::CheckKeys(const YAML::Node& map,
                                   std::initializer_list<const char*> known,
                                   const std::string& what) const {
  if (!map.IsMap()) return At(map, what + " must be a map");
  std::set<std::string> ok(known.begin(), known.end());
  for (const auto& kv : map) {
    std::string key = kv.first.Scalar();
    if (!ok.count(key)) {
      std::string list;
      for (const char* k : known)
        list += std::string(list.empty() ? "" : ", ") + k;
      return At(kv.first, "unknown field \"" + key + "\" in " + what +
                              " (known: " + list + ")");
    }
  }
  return base::Status::Ok();
}

base::StatusOr<std::string> YamlErrors::String(const YAML::Node& node,
                                               const std::string& what) const {
  if (!node.IsScalar()) return At(node, what + " must be a string");
  return node.Scalar();
}

base::StatusOr<double> YamlErrors::Number(const YAML::Node& node,
                                          const std::string& what) const {
  Json v = node.IsScalar() ? base::YamlToJson(node) : Json();
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    return At(node, what + " must be a number");
  }
  return v.get<double>();
}

base::StatusOr<int64_t> YamlErrors::Int(const YAML::Node& node,
                                        const std::string& what) const {
  Json v = node.IsScalar() ? base::YamlToJson(node) : Json();
  if (!v.is_number_integer()) return At(node, what + " must be an integer");
  return v.get<int64_t>();
}

base::StatusOr<bool> YamlErrors::Bool(const YAML::Node& node,
                                      const std::string& what) const {
  Json v = node.IsScalar() ? base::YamlToJson(node) : Json();
  if (!v.is_boolean()) return At(node, what + " must be true or false");
  return v.get<bool>();
}

base::StatusOr<base::Duration> YamlErrors::Duration(
    const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) return At(node, what + " must be a duration");
  Json v = base::YamlToJson(node);
  if (v.is_number()) {
    double s = v.get<double>();
    if (!std::isfinite(s) || s < 0) {
      return At(node, what + " must be a non-negative duration");
    }
    return base::Duration(static_cast<int64_t>(std::llround(s * 1e9)));
  }
  auto d = cluster::ParseGoDuration(node.Scalar());
  if (!d.ok() || d->count() < 0) {
    return At(node, what +
                        " must be a duration such as 30s, 1m30s or "
                        "500ms, not \"" +
                        node.Scalar() + "\"");
  }
  return *d;
}

}  // namespace ksim::scenario
