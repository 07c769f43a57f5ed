#include "scenario/yaml_node.h"

#include <cerrno>
#include <cmath>
#include <cstdlib>
#include <regex>
#include <set>

#include "cluster/cluster_config.h"

namespace ksim::scenario {
namespace {

using base::Json;

// The core schema, as base::ParseYaml types plain scalars; kept in step
// with it so an inline manifest means what the same manifest in a file
// applied by kubectl means.
Json Scalar(const YAML::Node& node) {
  const std::string& s = node.Scalar();
  if (node.Tag() == "!") return s;  // quoted: always a string
  static const std::regex kInt("[-+]?(0|[1-9][0-9]*)");
  static const std::regex kFloat(
      "[-+]?(\\.[0-9]+|[0-9]+(\\.[0-9]*)?)([eE][-+]?[0-9]+)?");
  if (s.empty() || s == "~" || s == "null" || s == "Null" || s == "NULL") {
    return nullptr;
  }
  if (s == "true" || s == "True" || s == "TRUE") return true;
  if (s == "false" || s == "False" || s == "FALSE") return false;
  if (std::regex_match(s, kInt)) {
    errno = 0;
    long long v = std::strtoll(s.c_str(), nullptr, 10);
    if (errno == 0) return v;
  }
  if (std::regex_match(s, kFloat)) return std::strtod(s.c_str(), nullptr);
  return s;
}

std::string Position(const YAML::Mark& m) {
  return std::to_string(m.line + 1) + ":" + std::to_string(m.column + 1);
}

}  // namespace

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
    case YAML::NodeType::Scalar:
      return Scalar(node);
    default:
      return nullptr;
  }
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
    return base::BadRequest(file + ":" + Position(e.mark) +
                            ": yaml: " + e.msg);
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
      for (const char* k : known) list += std::string(list.empty() ? "" : ", ") + k;
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
  Json v = node.IsScalar() ? Scalar(node) : Json();
  if (!v.is_number() || !std::isfinite(v.get<double>())) {
    return At(node, what + " must be a number");
  }
  return v.get<double>();
}

base::StatusOr<int64_t> YamlErrors::Int(const YAML::Node& node,
                                        const std::string& what) const {
  Json v = node.IsScalar() ? Scalar(node) : Json();
  if (!v.is_number_integer()) return At(node, what + " must be an integer");
  return v.get<int64_t>();
}

base::StatusOr<bool> YamlErrors::Bool(const YAML::Node& node,
                                      const std::string& what) const {
  Json v = node.IsScalar() ? Scalar(node) : Json();
  if (!v.is_boolean()) return At(node, what + " must be true or false");
  return v.get<bool>();
}

base::StatusOr<base::Duration> YamlErrors::Duration(
    const YAML::Node& node, const std::string& what) const {
  if (!node.IsScalar()) return At(node, what + " must be a duration");
  Json v = Scalar(node);
  if (v.is_number()) {
    double s = v.get<double>();
    if (!std::isfinite(s) || s < 0) {
      return At(node, what + " must be a non-negative duration");
    }
    return base::Duration(static_cast<int64_t>(std::llround(s * 1e9)));
  }
  auto d = cluster::ParseGoDuration(node.Scalar());
  if (!d.ok() || d->count() < 0) {
    return At(node, what + " must be a duration such as 30s, 1m30s or "
                           "500ms, not \"" + node.Scalar() + "\"");
  }
  return *d;
}

}  // namespace ksim::scenario
