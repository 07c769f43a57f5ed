// Internals shared by the scenario parser's files.
#ifndef KSIM_SCENARIO_PARSE_INTERNAL_H_
#define KSIM_SCENARIO_PARSE_INTERNAL_H_

#include <string>

#include "scenario/scenario.h"
#include "scenario/yaml_node.h"

namespace ksim::scenario::internal {

// "Deployment", "deployments", "deploy" or "deployments.apps", with an
// optional apiVersion to tell groups apart. BadRequest naming the node when
// ksim does not serve it.
base::StatusOr<client::Resource> ResolveKind(const YamlErrors& e,
                                             const YAML::Node& at,
                                             const std::string& kind,
                                             const std::string& api_version);

// {kind, apiVersion, name, namespace, selector} (kind defaults to
// `default_kind`; one of name and selector when `need_target`).
base::StatusOr<ObjectRef> ParseRef(const YamlErrors& e, const YAML::Node& n,
                                   const std::string& default_kind,
                                   bool need_target);

// `eq_key` (if not null), `min`, `max` of a map into a Bound.
base::StatusOr<Bound> ParseBound(const YamlErrors& e, const YAML::Node& n,
                                 const char* eq_key);

// One check: a map with exactly one check key (pods, podsRunning, count,
// endpoints, jsonpath, deploymentAvailable, nodeReady, gone, traffic,
// elapsed) and its options.
base::StatusOr<Check> ParseCheck(const YamlErrors& e, const YAML::Node& n,
                                 bool in_wait);

// apply: MANIFEST | [MANIFEST or {file: PATH}, ...] | {file: PATH} |
// {manifests: [...] or file: PATH, repeat: N}; relative paths from `dir`.
base::Status ParseApply(const YamlErrors& e, const std::string& dir,
                        const YAML::Node& v, Step* step);

// The check keys ParseCheck knows.
bool IsCheckKey(const std::string& key);

}  // namespace ksim::scenario::internal

#endif  // KSIM_SCENARIO_PARSE_INTERNAL_H_
