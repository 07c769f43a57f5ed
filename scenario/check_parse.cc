// Parsing of object references, bounds and checks (wait and assert).
#include <set>

#include "apiserver/resources.h"
#include "scenario/parse_internal.h"

namespace ksim::scenario::internal {
namespace {

using base::Status;
using base::StatusOr;

client::Resource ToClient(const apiserver::ResourceInfo& r) {
  return client::Resource{r.group, r.version, r.resource, r.kind,
                          r.namespaced};
}

const std::set<std::string>& CheckKeys() {
  static const std::set<std::string> k = {
      "pods",     "podsRunning", "count",   "endpoints", "jsonpath",
      "deploymentAvailable",     "nodeReady", "gone",    "traffic",
      "elapsed"};
  return k;
}

// A check whose value is a name or a map with a name (deploymentAvailable:
// web, or {name: web, namespace: x}).
StatusOr<ObjectRef> NamedRef(const YamlErrors& e, const YAML::Node& v,
                             const std::string& kind) {
  if (v.IsScalar()) {
    KSIM_ASSIGN_OR_RETURN(ObjectRef ref,
                          ParseRef(e, YAML::Node(YAML::NodeType::Map), kind,
                                   false));
    ref.name = v.Scalar();
    return ref;
  }
  return ParseRef(e, v, kind, true);
}

StatusOr<std::optional<Duration>> OptDuration(const YamlErrors& e,
                                              const YAML::Node& n,
                                              const char* key) {
  if (!n[key]) return std::optional<Duration>();
  KSIM_ASSIGN_OR_RETURN(Duration d, e.Duration(n[key], key));
  return std::optional<Duration>(d);
}

Status ParseTraffic(const YamlErrors& e, const YAML::Node& v, Check* c) {
  KSIM_RETURN_IF_ERROR(e.CheckKeys(
      v,
      {"name", "from", "to", "minSuccessRatio", "maxSuccessRatio",
       "minFailures", "maxFailures", "minRequests", "maxP50", "maxP90",
       "maxP99", "maxLatency"},
      "traffic check"));
  if (!v["name"]) return e.At(v, "traffic check needs the traffic's name");
  KSIM_ASSIGN_OR_RETURN(c->traffic, e.String(v["name"], "name"));
  KSIM_ASSIGN_OR_RETURN(c->window_from, OptDuration(e, v, "from"));
  KSIM_ASSIGN_OR_RETURN(c->window_to, OptDuration(e, v, "to"));
  if (v["minSuccessRatio"]) {
    KSIM_ASSIGN_OR_RETURN(double r,
                          e.Number(v["minSuccessRatio"], "minSuccessRatio"));
    c->success_ratio.min = r;
  }
  if (v["maxSuccessRatio"]) {
    KSIM_ASSIGN_OR_RETURN(double r,
                          e.Number(v["maxSuccessRatio"], "maxSuccessRatio"));
    c->success_ratio.max = r;
  }
  if (v["minFailures"]) {
    KSIM_ASSIGN_OR_RETURN(int64_t f, e.Int(v["minFailures"], "minFailures"));
    c->failures.min = static_cast<double>(f);
  }
  if (v["maxFailures"]) {
    KSIM_ASSIGN_OR_RETURN(int64_t f, e.Int(v["maxFailures"], "maxFailures"));
    c->failures.max = static_cast<double>(f);
  }
  if (v["minRequests"]) {
    KSIM_ASSIGN_OR_RETURN(int64_t r, e.Int(v["minRequests"], "minRequests"));
    c->requests.min = static_cast<double>(r);
  }
  KSIM_ASSIGN_OR_RETURN(c->max_p50, OptDuration(e, v, "maxP50"));
  KSIM_ASSIGN_OR_RETURN(c->max_p90, OptDuration(e, v, "maxP90"));
  KSIM_ASSIGN_OR_RETURN(c->max_p99, OptDuration(e, v, "maxP99"));
  KSIM_ASSIGN_OR_RETURN(c->max_latency, OptDuration(e, v, "maxLatency"));
  return Status::Ok();
}

Status ParseElapsed(const YamlErrors& e, const YAML::Node& v, Check* c) {
  KSIM_RETURN_IF_ERROR(
      e.CheckKeys(v, {"from", "to", "min", "max"}, "elapsed check"));
  if (!v["from"] || !v["to"]) {
    return e.At(v, "elapsed check needs from and to (step names)");
  }
  KSIM_ASSIGN_OR_RETURN(c->from_step, e.String(v["from"], "from"));
  KSIM_ASSIGN_OR_RETURN(c->to_step, e.String(v["to"], "to"));
  KSIM_ASSIGN_OR_RETURN(c->min_elapsed, OptDuration(e, v, "min"));
  KSIM_ASSIGN_OR_RETURN(c->max_elapsed, OptDuration(e, v, "max"));
  if (!c->min_elapsed && !c->max_elapsed) {
    return e.At(v, "elapsed check needs min or max");
  }
  return Status::Ok();
}

Status ParseJsonPath(const YamlErrors& e, const YAML::Node& v, Check* c) {
  KSIM_RETURN_IF_ERROR(e.CheckKeys(
      v,
      {"kind", "apiVersion", "name", "namespace", "path", "equals", "min",
       "max"},
      "jsonpath check"));
  if (!v["name"]) return e.At(v, "jsonpath check needs a name");
  if (!v["path"]) return e.At(v, "jsonpath check needs a path");
  KSIM_ASSIGN_OR_RETURN(c->ref, ParseRef(e, v, "", true));
  KSIM_ASSIGN_OR_RETURN(c->jsonpath, e.String(v["path"], "path"));
  if (v["equals"]) {
    if (!v["equals"].IsScalar()) return e.At(v["equals"], "equals: a scalar");
    Json want = YamlToJson(v["equals"]);
    if (want.is_number()) {
      c->bound.equals = want.get<double>();
    } else {
      c->equals = want.is_string() ? want.get<std::string>() : want.dump();
    }
  }
  KSIM_ASSIGN_OR_RETURN(Bound b, ParseBound(e, v, nullptr));
  if (b.min) c->bound.min = b.min;
  if (b.max) c->bound.max = b.max;
  if (!c->equals && !c->bound.equals && !c->bound.min && !c->bound.max) {
    return e.At(v, "jsonpath check needs equals, min or max");
  }
  return Status::Ok();
}

Status ParseCountLike(const YamlErrors& e, const std::string& key,
                      const YAML::Node& v, Check* c) {
  if (key == "endpoints") {
    KSIM_RETURN_IF_ERROR(e.CheckKeys(
        v, {"service", "selector", "namespace", "count", "min", "max"},
        "endpoints"));
    if (!v["service"] == !v["selector"]) {
      return e.At(v, "endpoints check needs a service or a selector");
    }
    c->kind = Check::Kind::kEndpoints;
    c->ref.resource = client::kEndpoints;
    if (v["service"]) {
      KSIM_ASSIGN_OR_RETURN(c->ref.name, e.String(v["service"], "service"));
    } else {
      KSIM_ASSIGN_OR_RETURN(c->ref.selector,
                            e.String(v["selector"], "selector"));
    }
    if (v["namespace"]) {
      KSIM_ASSIGN_OR_RETURN(c->ref.ns, e.String(v["namespace"], "namespace"));
    }
  } else {
    bool pods = key != "count";
    KSIM_RETURN_IF_ERROR(e.CheckKeys(
        v,
        {"kind", "apiVersion", "selector", "fieldSelector", "namespace",
         "phase", "ready", "count", "min", "max"},
        key));
    c->kind = Check::Kind::kCount;
    KSIM_ASSIGN_OR_RETURN(c->ref, ParseRef(e, v, pods ? "Pod" : "", false));
    if (v["phase"]) {
      KSIM_ASSIGN_OR_RETURN(c->phase, e.String(v["phase"], "phase"));
    }
    if (v["ready"]) {
      KSIM_ASSIGN_OR_RETURN(bool r, e.Bool(v["ready"], "ready"));
      c->ready = r;
    }
    if (key == "podsRunning") {
      c->phase = "Running";
      c->ready = true;
    }
    if ((!c->phase.empty() || c->ready) && c->ref.resource.kind != "Pod") {
      return e.At(v, "phase and ready apply to pods only");
    }
  }
  KSIM_ASSIGN_OR_RETURN(c->bound, ParseBound(e, v, "count"));
  if (!c->bound.equals && !c->bound.min && !c->bound.max) {
    return e.At(v, key + " check needs count, min or max");
  }
  return Status::Ok();
}

}  // namespace

bool IsCheckKey(const std::string& key) { return CheckKeys().count(key) > 0; }

StatusOr<client::Resource> ResolveKind(const YamlErrors& e,
                                       const YAML::Node& at,
                                       const std::string& kind,
                                       const std::string& api_version) {
  std::string group;
  if (auto slash = api_version.find('/'); slash != std::string::npos) {
    group = api_version.substr(0, slash);
  }
  for (const auto& r : apiserver::AllResources()) {
    if (!api_version.empty() && r.GroupVersion() != api_version) continue;
    bool match = r.kind == kind || r.resource == kind ||
                 r.singular == kind || r.QualifiedResource() == kind;
    for (const auto& s : r.short_names) match |= s == kind;
    if (match) return ToClient(r);
  }
  return e.At(at, "ksim does not serve kind \"" + kind + "\"" +
                      (api_version.empty() ? "" : " in " + api_version));
}

StatusOr<ObjectRef> ParseRef(const YamlErrors& e, const YAML::Node& n,
                             const std::string& default_kind,
                             bool need_target) {
  ObjectRef ref;
  std::string kind = default_kind, api_version;
  if (n["kind"]) {
    KSIM_ASSIGN_OR_RETURN(kind, e.String(n["kind"], "kind"));
  }
  if (n["apiVersion"]) {
    KSIM_ASSIGN_OR_RETURN(api_version,
                          e.String(n["apiVersion"], "apiVersion"));
  }
  if (kind.empty()) return e.At(n, "a kind is needed");
  KSIM_ASSIGN_OR_RETURN(ref.resource,
                        ResolveKind(e, n["kind"] ? n["kind"] : n, kind,
                                    api_version));
  if (n["name"]) {
    KSIM_ASSIGN_OR_RETURN(ref.name, e.String(n["name"], "name"));
  }
  if (n["namespace"]) {
    KSIM_ASSIGN_OR_RETURN(ref.ns, e.String(n["namespace"], "namespace"));
  }
  if (n["selector"]) {
    KSIM_ASSIGN_OR_RETURN(ref.selector, e.String(n["selector"], "selector"));
  }
  if (n["fieldSelector"]) {
    KSIM_ASSIGN_OR_RETURN(ref.field_selector,
                          e.String(n["fieldSelector"], "fieldSelector"));
  }
  if (!ref.resource.namespaced) ref.ns.clear();
  if (need_target && ref.name.empty() && ref.selector.empty() &&
      ref.field_selector.empty()) {
    return e.At(n, "name or selector needed");
  }
  return ref;
}

StatusOr<Bound> ParseBound(const YamlErrors& e, const YAML::Node& n,
                           const char* eq_key) {
  Bound b;
  if (eq_key != nullptr && n[eq_key]) {
    KSIM_ASSIGN_OR_RETURN(double v, e.Number(n[eq_key], eq_key));
    b.equals = v;
  }
  if (n["min"]) {
    KSIM_ASSIGN_OR_RETURN(double v, e.Number(n["min"], "min"));
    b.min = v;
  }
  if (n["max"]) {
    KSIM_ASSIGN_OR_RETURN(double v, e.Number(n["max"], "max"));
    b.max = v;
  }
  return b;
}

StatusOr<Check> ParseCheck(const YamlErrors& e, const YAML::Node& n,
                           bool in_wait) {
  if (!n.IsMap() || n.size() != 1) {
    return e.At(n, "a check is a map with one key: one of pods, podsRunning, "
                   "count, endpoints, jsonpath, deploymentAvailable, "
                   "nodeReady, gone, traffic, elapsed");
  }
  std::string key = n.begin()->first.Scalar();
  const YAML::Node v = n.begin()->second;
  Check c;
  c.line = LineOf(n.begin()->first);
  c.text = key + " " + YAML::Dump(v);
  for (char& ch : c.text) ch = ch == '\n' ? ' ' : ch;
  if (!IsCheckKey(key)) return e.At(n.begin()->first, "unknown check \"" + key + "\"");
  if (in_wait && (key == "traffic" || key == "elapsed")) {
    return e.At(n.begin()->first, key + " is an assertion, not a wait");
  }
  if (key == "traffic") {
    c.kind = Check::Kind::kTraffic;
    KSIM_RETURN_IF_ERROR(ParseTraffic(e, v, &c));
  } else if (key == "elapsed") {
    c.kind = Check::Kind::kElapsed;
    KSIM_RETURN_IF_ERROR(ParseElapsed(e, v, &c));
  } else if (key == "jsonpath") {
    c.kind = Check::Kind::kJsonPath;
    KSIM_RETURN_IF_ERROR(ParseJsonPath(e, v, &c));
  } else if (key == "deploymentAvailable") {
    c.kind = Check::Kind::kDeploymentAvailable;
    KSIM_ASSIGN_OR_RETURN(c.ref, NamedRef(e, v, "Deployment"));
  } else if (key == "nodeReady") {
    c.kind = Check::Kind::kNodeReady;
    if (v.IsMap()) {
      KSIM_RETURN_IF_ERROR(e.CheckKeys(v, {"name", "status"}, "nodeReady"));
      if (!v["name"]) return e.At(v, "nodeReady needs the node's name");
      if (v["status"]) {
        KSIM_ASSIGN_OR_RETURN(c.status, e.String(v["status"], "status"));
      }
      KSIM_ASSIGN_OR_RETURN(c.ref, NamedRef(e, v["name"], "Node"));
    } else {
      KSIM_ASSIGN_OR_RETURN(c.ref, NamedRef(e, v, "Node"));
    }
  } else if (key == "gone") {
    c.kind = Check::Kind::kGone;
    KSIM_RETURN_IF_ERROR(e.CheckKeys(
        v, {"kind", "apiVersion", "name", "namespace", "selector"}, "gone"));
    KSIM_ASSIGN_OR_RETURN(c.ref, ParseRef(e, v, "Pod", true));
  } else {
    KSIM_RETURN_IF_ERROR(ParseCountLike(e, key, v, &c));
  }
  return c;
}

}  // namespace ksim::scenario::internal
