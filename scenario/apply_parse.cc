// Parsing of apply steps: manifests inline, from files (multi-document),
// repeated with "{{i}}" instantiated.
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario/parse_internal.h"

namespace ksim::scenario::internal {
namespace {

using base::Json;
using base::Status;
using base::StatusOr;

namespace fs = std::filesystem;

StatusOr<std::string> ReadFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return base::NotFound("cannot read " + path);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// Replaces "{{i}}" in every string of a manifest (keys included) with `i`.
Json Instantiate(const Json& j, const std::string& i) {
  if (j.is_string()) {
    std::string v = j.get<std::string>();
    for (size_t at = v.find("{{i}}"); at != std::string::npos;
         at = v.find("{{i}}", at + i.size())) {
      v.replace(at, 5, i);
    }
    return v;
  }
  if (j.is_array()) {
    Json out = Json::array();
    for (const Json& x : j) out.push_back(Instantiate(x, i));
    return out;
  }
  if (j.is_object()) {
    Json out = Json::object();
    for (const auto& [k, v] : j.items()) {
      out[Instantiate(Json(k), i).get<std::string>()] = Instantiate(v, i);
    }
    return out;
  }
  return j;
}

Status CheckManifest(const YamlErrors& e, const YAML::Node& m) {
  if (!m.IsMap() || !m["kind"] || !m["apiVersion"]) {
    return e.At(m, "a manifest needs apiVersion and kind");
  }
  KSIM_ASSIGN_OR_RETURN(std::string kind, e.String(m["kind"], "kind"));
  KSIM_ASSIGN_OR_RETURN(std::string av, e.String(m["apiVersion"], "apiVersion"));
  KSIM_RETURN_IF_ERROR(internal::ResolveKind(e, m["kind"], kind, av).status());
  if (!m["metadata"] || !m["metadata"]["name"]) {
    return e.At(m, "the manifest needs metadata.name");
  }
  return Status::Ok();
}

Status AddManifests(const YamlErrors& e_, const std::string& dir_,
                    const YAML::Node& m, int64_t repeat, Step* step) {
  std::vector<Json> docs;
  if (m.IsMap() && m["file"]) {
    KSIM_ASSIGN_OR_RETURN(std::string path, e_.String(m["file"], "file"));
    fs::path p(path);
    if (p.is_relative() && !dir_.empty()) p = fs::path(dir_) / p;
    auto text = ReadFile(p.string());
    if (!text.ok()) return e_.At(m["file"], text.status().message());
    KSIM_ASSIGN_OR_RETURN(auto nodes, LoadYamlDocuments(*text, p.string()));
    YamlErrors fe(p.string());
    for (const auto& d : nodes) {
      KSIM_RETURN_IF_ERROR(CheckManifest(fe, d));
      docs.push_back(YamlToJson(d));
    }
  } else {
    KSIM_RETURN_IF_ERROR(CheckManifest(e_, m));
    docs.push_back(YamlToJson(m));
  }
  if (repeat < 0) {
    for (auto& d : docs) step->manifests.push_back(std::move(d));
    return Status::Ok();
  }
  for (int64_t i = 0; i < repeat; ++i) {
    for (const auto& d : docs) {
      step->manifests.push_back(Instantiate(d, std::to_string(i)));
    }
  }
  return Status::Ok();
}

// apply: MANIFEST | [MANIFEST or {file: PATH}, ...] | {file: PATH} |
//        {manifests: [...] or file: PATH, repeat: N}
}  // namespace

Status ParseApply(const YamlErrors& e_, const std::string& dir_,
                  const YAML::Node& v, Step* step) {
  if (v.IsSequence()) {
    for (const auto& m : v) KSIM_RETURN_IF_ERROR(AddManifests(e_, dir_, m, -1, step));
  } else if (v.IsMap() && !v["kind"]) {
    KSIM_RETURN_IF_ERROR(
        e_.CheckKeys(v, {"file", "manifests", "repeat"}, "apply"));
    int64_t repeat = -1;
    if (v["repeat"]) {
      KSIM_ASSIGN_OR_RETURN(repeat, e_.Int(v["repeat"], "repeat"));
      if (repeat < 0) return e_.At(v["repeat"], "repeat must be >= 0");
    }
    if (v["file"] && v["manifests"]) {
      return e_.At(v, "apply has file or manifests, not both");
    }
    if (v["manifests"]) {
      if (!v["manifests"].IsSequence()) {
        return e_.At(v["manifests"], "manifests must be a list");
      }
      for (const auto& m : v["manifests"]) {
        KSIM_RETURN_IF_ERROR(AddManifests(e_, dir_, m, repeat, step));
      }
    } else if (v["file"]) {
      KSIM_RETURN_IF_ERROR(AddManifests(e_, dir_, v, repeat, step));
    } else {
      return e_.At(v, "apply needs manifests or a file");
    }
  } else {
    KSIM_RETURN_IF_ERROR(AddManifests(e_, dir_, v, -1, step));
  }
  if (step->manifests.empty() && !(v.IsMap() && v["repeat"])) {
    return e_.At(v, "apply has no manifest");
  }
  return Status::Ok();
}

}  // namespace ksim::scenario::internal
