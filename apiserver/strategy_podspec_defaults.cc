// Defaulting of pod specs, after SetDefaults_PodSpec, SetDefaults_Container,
// SetDefaults_Probe, SetDefaults_Volume, ... in pkg/apis/core/v1/defaults.go
// and the declarative defaults of zz_generated.defaults.go (1.32). The
// pod-only defaults (SetDefaults_Pod) live in strategy_pod.cc.
#include <cctype>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

void SetIfMissing(Json& obj, const char* key, const Json& value) {
  if (!obj.contains(key) || obj[key].is_null() ||
      (obj[key].is_string() &&
       obj[key].get_ref<const std::string&>().empty())) {
    obj[key] = value;
  }
}

// Zero-valued numbers count as unset, as for Go's int32 fields.
void SetIfZero(Json& obj, const char* key, int64_t value) {
  if (!obj.contains(key) || obj[key].is_null() ||
      (obj[key].is_number() && obj[key].get<double>() == 0)) {
    obj[key] = value;
  }
}

// The tag parsers.ParseImageName finds: explicit tag, "latest" when there is
// neither tag nor digest, "" for a digest-only or unparsable reference.
std::string ImageTag(const std::string& image) {
  if (image.empty()) return "";
  std::string ref = image;
  bool digest = false;
  size_t at = ref.find('@');
  if (at != std::string::npos) {
    digest = true;
    ref = ref.substr(0, at);
  }
  size_t slash = ref.rfind('/');
  size_t colon = ref.rfind(':');
  std::string tag;
  std::string repo = ref;
  if (colon != std::string::npos &&
      (slash == std::string::npos || colon > slash)) {
    tag = ref.substr(colon + 1);
    repo = ref.substr(0, colon);
  }
  // The repository path (not the registry host) must be lower case.
  std::string path = repo;
  size_t first = repo.find('/');
  if (first != std::string::npos) {
    std::string host = repo.substr(0, first);
    if (host.find('.') != std::string::npos ||
        host.find(':') != std::string::npos || host == "localhost") {
      path = repo.substr(first + 1);
    }
  }
  for (char c : path) {
    if (std::isupper(static_cast<unsigned char>(c))) return "";
  }
  if (tag.empty() && !digest) return "latest";
  return tag;
}

// SetDefaults_ResourceList: round up to milli precision; the stored form is
// the canonical one ("0.5" -> "500m", "1024Mi" -> "1Gi").
void DefaultResourceList(Json& list) {
  if (!list.is_object()) return;
  for (auto& [name, value] : list.items()) {
    auto q = Quantity::FromJson(value);
    if (!q) continue;  // validation reports it
    q->RoundUp(-3);
    value = q->String();
  }
}

void DefaultHTTPGet(Json& handler) {
  if (!handler.is_object()) return;
  if (Json* get = handler.contains("httpGet") && handler["httpGet"].is_object()
                      ? &handler["httpGet"]
                      : nullptr) {
    SetIfMissing(*get, "path", "/");
    SetIfMissing(*get, "scheme", "HTTP");
  }
}

void DefaultProbe(Json& container, const char* key) {
  if (!container.contains(key) || !container[key].is_object()) return;
  Json& probe = container[key];
  SetIfZero(probe, "timeoutSeconds", 1);
  SetIfZero(probe, "periodSeconds", 10);
  SetIfZero(probe, "successThreshold", 1);
  SetIfZero(probe, "failureThreshold", 3);
  DefaultHTTPGet(probe);
  if (probe.contains("grpc") && probe["grpc"].is_object() &&
      !probe["grpc"].contains("service")) {
    probe["grpc"]["service"] = "";
  }
}

void DefaultEnv(Json& container) {
  if (!container.contains("env") || !container["env"].is_array()) return;
  for (Json& env : container["env"]) {
    if (!env.is_object() || !env.contains("valueFrom") ||
        !env["valueFrom"].is_object()) {
      continue;
    }
    Json& from = env["valueFrom"];
    if (from.contains("fieldRef") && from["fieldRef"].is_object()) {
      SetIfMissing(from["fieldRef"], "apiVersion", "v1");
    }
    if (from.contains("resourceFieldRef") &&
        from["resourceFieldRef"].is_object()) {
      Json& ref = from["resourceFieldRef"];
      if (!ref.contains("divisor")) {
        ref["divisor"] = "0";  // a zero Quantity still prints
      } else if (auto q = Quantity::FromJson(ref["divisor"])) {
        ref["divisor"] = q->String();
      }
    }
  }
}

void DefaultContainer(Json& c) {
  if (!c.is_object()) return;
  if (!c.contains("imagePullPolicy") || c["imagePullPolicy"] == "") {
    std::string image = Str(c, "image");
    c["imagePullPolicy"] =
        ImageTag(image) == "latest" ? "Always" : "IfNotPresent";
  }
  SetIfMissing(c, "terminationMessagePath", "/dev/termination-log");
  SetIfMissing(c, "terminationMessagePolicy", "File");
  if (c.contains("ports") && c["ports"].is_array()) {
    for (Json& p : c["ports"]) {
      if (p.is_object()) SetIfMissing(p, "protocol", "TCP");
    }
  }
  DefaultProbe(c, "livenessProbe");
  DefaultProbe(c, "readinessProbe");
  DefaultProbe(c, "startupProbe");
  if (c.contains("lifecycle") && c["lifecycle"].is_object()) {
    for (const char* h : {"postStart", "preStop"}) {
      if (c["lifecycle"].contains(h)) DefaultHTTPGet(c["lifecycle"][h]);
    }
  }
  DefaultEnv(c);
  // ResourceRequirements is a struct: Go always prints it, at least as {}.
  if (!c.contains("resources") || !c["resources"].is_object()) {
    c["resources"] = Json::object();
  }
  for (const char* k : {"limits", "requests"}) {
    if (c["resources"].contains(k)) DefaultResourceList(c["resources"][k]);
  }
}

void DefaultItemsFieldRefs(Json& source) {
  if (!source.contains("items") || !source["items"].is_array()) return;
  for (Json& item : source["items"]) {
    if (item.is_object() && item.contains("fieldRef") &&
        item["fieldRef"].is_object()) {
      SetIfMissing(item["fieldRef"], "apiVersion", "v1");
    }
  }
}

void DefaultProjected(Json& projected) {
  SetIfMissing(projected, "defaultMode", 420);
  if (!projected.contains("sources") || !projected["sources"].is_array())
    return;
  for (Json& s : projected["sources"]) {
    if (!s.is_object()) continue;
    if (s.contains("serviceAccountToken") &&
        s["serviceAccountToken"].is_object()) {
      SetIfMissing(s["serviceAccountToken"], "expirationSeconds", 3600);
    }
    if (s.contains("downwardAPI") && s["downwardAPI"].is_object()) {
      DefaultItemsFieldRefs(s["downwardAPI"]);
    }
  }
}

// The volume source types of a v1.Volume.

void DefaultVolume(Json& v) {
  if (!v.is_object()) return;
  bool any = false;
  for (const char* s : kVolumeSources) {
    if (v.contains(s) && !v[s].is_null()) any = true;
  }
  if (!any) v["emptyDir"] = Json::object();
  if (v.contains("emptyDir") && v["emptyDir"].is_object() &&
      v["emptyDir"].contains("sizeLimit")) {
    if (auto q = Quantity::FromJson(v["emptyDir"]["sizeLimit"])) {
      v["emptyDir"]["sizeLimit"] = q->String();
    }
  }
  for (const char* s : {"secret", "configMap"}) {
    if (v.contains(s) && v[s].is_object())
      SetIfMissing(v[s], "defaultMode", 420);
  }
  if (v.contains("downwardAPI") && v["downwardAPI"].is_object()) {
    SetIfMissing(v["downwardAPI"], "defaultMode", 420);
    DefaultItemsFieldRefs(v["downwardAPI"]);
  }
  if (v.contains("projected") && v["projected"].is_object()) {
    DefaultProjected(v["projected"]);
  }
  if (v.contains("hostPath") && v["hostPath"].is_object() &&
      !v["hostPath"].contains("type")) {
    v["hostPath"]["type"] = "";  // HostPathUnset
  }
}

}  // namespace

void DefaultPodSpec(Json& spec) {
  if (!spec.is_object()) return;
  SetIfMissing(spec, "dnsPolicy", "ClusterFirst");
  SetIfMissing(spec, "restartPolicy", "Always");
  if (!spec.contains("securityContext") ||
      !spec["securityContext"].is_object()) {
    spec["securityContext"] = Json::object();
  }
  SetIfMissing(spec, "terminationGracePeriodSeconds", 30);
  SetIfMissing(spec, "schedulerName", "default-scheduler");
  for (const char* list :
       {"containers", "initContainers", "ephemeralContainers"}) {
    if (spec.contains(list) && spec[list].is_array()) {
      for (Json& c : spec[list]) DefaultContainer(c);
    }
  }
  if (spec.contains("volumes") && spec["volumes"].is_array()) {
    for (Json& v : spec["volumes"]) DefaultVolume(v);
  }
  if (spec.contains("overhead")) DefaultResourceList(spec["overhead"]);
}

void DefaultPodTemplate(Json& tmpl) {
  if (!tmpl.is_object()) return;
  // ObjectMeta is a struct and creationTimestamp a struct in it: Go prints
  // `metadata: {creationTimestamp: null}` for a template.
  if (!tmpl.contains("metadata") || !tmpl["metadata"].is_object()) {
    tmpl["metadata"] = Json::object();
  }
  if (!tmpl["metadata"].contains("creationTimestamp")) {
    tmpl["metadata"]["creationTimestamp"] = nullptr;
  }
  if (!tmpl.contains("spec") || !tmpl["spec"].is_object()) {
    tmpl["spec"] = Json::object();
  }
  DefaultPodSpec(tmpl["spec"]);
}

}  // namespace ksim::apiserver
