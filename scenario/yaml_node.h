// YAML helpers of the scenario parser: yaml-cpp nodes to JSON (with the
// same YAML 1.2 core-schema typing as base::ParseYaml), and errors that name
// the line and column of the offending node.
//
// Thread-safety: pure functions.
#ifndef KSIM_SCENARIO_YAML_NODE_H_
#define KSIM_SCENARIO_YAML_NODE_H_

#include <yaml-cpp/yaml.h>

#include <initializer_list>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "base/status.h"

namespace ksim::scenario {

// A node converted to JSON: maps to objects, sequences to arrays, plain
// scalars typed (null, booleans, integers, floats), quoted ones strings.
base::Json YamlToJson(const YAML::Node& node);

// Every document of a (multi-document) YAML text; empty documents skipped.
// BadRequest "FILE: yaml: line N, column M: ..." on a syntax error.
base::StatusOr<std::vector<YAML::Node>> LoadYamlDocuments(
    const std::string& text, const std::string& file);

// Builds "FILE:LINE:COL: message" errors about nodes of one file.
class YamlErrors {
 public:
  explicit YamlErrors(std::string file) : file_(std::move(file)) {}
  const std::string& file() const { return file_; }

  base::Status At(const YAML::Node& node, const std::string& message) const;
  // Rejects keys outside `known` (a misspelt key is an error, not ignored).
  base::Status CheckKeys(const YAML::Node& map,
                         std::initializer_list<const char*> known,
                         const std::string& what) const;
  base::StatusOr<std::string> String(const YAML::Node& node,
                                     const std::string& what) const;
  base::StatusOr<double> Number(const YAML::Node& node,
                                const std::string& what) const;
  base::StatusOr<int64_t> Int(const YAML::Node& node,
                              const std::string& what) const;
  base::StatusOr<bool> Bool(const YAML::Node& node,
                            const std::string& what) const;
  // "30s", "1m30s", "500ms" (Go durations) or a plain number of seconds.
  base::StatusOr<base::Duration> Duration(const YAML::Node& node,
                                          const std::string& what) const;

 private:
  std::string file_;
};

// 1-based line of a node (0 when it has no position).
int LineOf(const YAML::Node& node);

}  // namespace ksim::scenario

#endif  // KSIM_SCENARIO_YAML_NODE_H_
