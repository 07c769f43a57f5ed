#include "apiserver/object_codec.h"

#include <cctype>

#include "apiserver/strategy.h"

namespace ksim::apiserver {
namespace {

size_t SkipSpace(std::string_view s, size_t i) {
  while (i < s.size() && std::isspace(static_cast<unsigned char>(s[i]))) ++i;
  return i;
}

// REQUIRES: s[i] == '"'. Returns the index just past the closing quote, or
// npos when unterminated.
size_t SkipString(std::string_view s, size_t i) {
  for (++i; i < s.size(); ++i) {
    if (s[i] == '\\') {
      ++i;
    } else if (s[i] == '"') {
      return i + 1;
    }
  }
  return std::string_view::npos;
}

// Skips one JSON value starting at i; returns the index after it or npos.
size_t SkipValue(std::string_view s, size_t i) {
  if (i >= s.size()) return std::string_view::npos;
  if (s[i] == '"') return SkipString(s, i);
  if (s[i] != '{' && s[i] != '[') {
    while (i < s.size() && s[i] != ',' && s[i] != '}' && s[i] != ']') ++i;
    return i;
  }
  int depth = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == '"') {
      i = SkipString(s, i);
      if (i == std::string_view::npos) return i;
      continue;
    }
    if (c == '{' || c == '[') ++depth;
    if (c == '}' || c == ']') {
      if (--depth == 0) return i + 1;
    }
    ++i;
  }
  return std::string_view::npos;
}

// Index just after the '{' of the top-level "metadata" object, or npos.
size_t FindMetadataBody(std::string_view s) {
  size_t i = SkipSpace(s, 0);
  if (i >= s.size() || s[i] != '{') return std::string_view::npos;
  i = SkipSpace(s, i + 1);
  while (i < s.size() && s[i] == '"') {
    size_t key_end = SkipString(s, i);
    if (key_end == std::string_view::npos) break;
    std::string_view key = s.substr(i + 1, key_end - i - 2);
    i = SkipSpace(s, key_end);
    if (i >= s.size() || s[i] != ':') break;
    i = SkipSpace(s, i + 1);
    if (key == "metadata") {
      return i < s.size() && s[i] == '{' ? i + 1 : std::string_view::npos;
    }
    i = SkipValue(s, i);
    if (i == std::string_view::npos) break;
    i = SkipSpace(s, i);
    if (i < s.size() && s[i] == ',') i = SkipSpace(s, i + 1);
  }
  return std::string_view::npos;
}

std::string ResourceSegment(const ResourceInfo& r) {
  return r.QualifiedResource();
}

}  // namespace

std::string ResourcePrefix(const ResourceInfo& r) {
  return "/registry/" + ResourceSegment(r) + "/";
}

std::string NamespacePrefix(const ResourceInfo& r, std::string_view ns) {
  return ResourcePrefix(r) + std::string(ns) + "/";
}

std::string ObjectKey(const ResourceInfo& r, std::string_view ns,
                      std::string_view name) {
  if (!r.namespaced) return ResourcePrefix(r) + std::string(name);
  return NamespacePrefix(r, ns) + std::string(name);
}

const ResourceInfo* ResourceOfKey(std::string_view key) {
  for (const auto& r : AllResources()) {
    std::string prefix = ResourcePrefix(r);
    if (key.substr(0, prefix.size()) == prefix) return &r;
  }
  return nullptr;
}

std::string EncodeForStorage(base::Json& obj) {
  if (auto m = obj.find("metadata"); m != obj.end() && m->is_object()) {
    m->erase("resourceVersion");
    // ObjectMeta's collections are omitempty in Go: an empty one is absent.
    for (const char* key : {"labels", "annotations", "finalizers",
                            "ownerReferences", "managedFields"}) {
      auto it = m->find(key);
      if (it != m->end() && (it->is_null() || it->empty())) m->erase(it);
    }
  }
  return obj.dump();
}

std::string WithResourceVersion(std::string_view stored, int64_t rv) {
  size_t at = FindMetadataBody(stored);
  if (at == std::string_view::npos) return std::string(stored);
  std::string field = "\"resourceVersion\":\"" + std::to_string(rv) + "\"";
  size_t next = SkipSpace(stored, at);
  bool empty = next < stored.size() && stored[next] == '}';
  std::string out;
  out.reserve(stored.size() + field.size() + 1);
  out.append(stored.substr(0, at));
  out.append(field);
  if (!empty) out.push_back(',');
  out.append(stored.substr(at));
  return out;
}

base::StatusOr<base::Json> DecodeObject(const store::Object& object) {
  KSIM_ASSIGN_OR_RETURN(base::Json j, base::ParseJson(*object.value));
  j["metadata"]["resourceVersion"] = std::to_string(object.mod_revision);
  return j;
}

store::Attributes AttributesOf(const ResourceInfo& r, const base::Json& obj) {
  store::Attributes a;
  if (const base::Json* labels = base::Find(obj, {"metadata", "labels"});
      labels && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      if (v.is_string()) a.labels[k] = v.get<std::string>();
    }
  }
  a.fields["metadata.name"] = base::GetString(obj, {"metadata", "name"});
  if (r.namespaced) {
    a.fields["metadata.namespace"] =
        base::GetString(obj, {"metadata", "namespace"});
  }
  if (const base::Json* owners = base::Find(obj, {"metadata", "ownerReferences"});
      owners && owners->is_array() && !owners->empty()) {
    std::string uids;
    for (const auto& o : *owners) uids += o.value("uid", "") + ",";
    a.fields[kOwnerUidsField] = uids;
  }
  StrategyFor(r).AddSelectableFields(obj, a.fields);
  return a;
}

store::Attributes AttributesFromStored(std::string_view key,
                                       std::string_view value) {
  const ResourceInfo* r = ResourceOfKey(key);
  if (r == nullptr) return {};
  auto j = base::ParseJson(value);
  if (!j.ok()) return {};
  return AttributesOf(*r, *j);
}

}  // namespace ksim::apiserver
