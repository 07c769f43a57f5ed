// Validation of containers (validateContainers, validateInitContainers and
// validateContainerCommon of pkg/apis/core/validation, 1.32): names, image,
// ports, env, volume mounts, pull policy, resources, probes and lifecycle
// handlers.
#include <map>
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

int64_t IntOr(const Json& obj, const char* key, int64_t fallback) {
  return IntField(obj, key, fallback);
}

void ValidatePorts(const Json& c, const std::string& path, FieldErrors& errs) {
  const Json* ports = Arr(c, "ports");
  if (ports == nullptr) return;
  std::set<std::string> names;
  for (size_t i = 0; i < ports->size(); ++i) {
    const Json& p = (*ports)[i];
    std::string pp = Index(path, i);
    std::string name = Str(p, "name");
    if (!name.empty()) {
      Messages msgs = IsValidPortName(name);
      for (std::string& m : msgs) {
        errs.push_back(Invalid(Child(pp, "name"), name, std::move(m)));
      }
      if (msgs.empty() && !names.insert(name).second) {
        errs.push_back(Duplicate(Child(pp, "name"), name));
      }
    }
    int64_t port = IntOr(p, "containerPort", 0);
    if (port == 0) {
      errs.push_back(Required(Child(pp, "containerPort")));
    } else {
      for (std::string& m : IsValidPortNum(port)) {
        errs.push_back(Invalid(Child(pp, "containerPort"), port, std::move(m)));
      }
    }
    int64_t host = IntOr(p, "hostPort", 0);
    if (host != 0) {
      for (std::string& m : IsValidPortNum(host)) {
        errs.push_back(Invalid(Child(pp, "hostPort"), host, std::move(m)));
      }
    }
    std::string protocol = Str(p, "protocol");
    if (protocol.empty()) {
      errs.push_back(Required(Child(pp, "protocol")));
    } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
      errs.push_back(NotSupported(Child(pp, "protocol"), protocol, kProtocols));
    }
  }
}

// Standard container resource names and extended (prefixed) ones.
void ValidateResourceName(const std::string& name, const std::string& path,
                          FieldErrors& errs) {
  Messages msgs = IsQualifiedName(name);
  for (std::string& m : msgs) errs.push_back(Invalid(path, name, std::move(m)));
  if (!msgs.empty()) return;
  if (name.find('/') == std::string::npos) {
    if (name != "cpu" && name != "memory" && name != "ephemeral-storage" &&
        name.rfind("hugepages-", 0) != 0) {
      errs.push_back(
          Invalid(path, name, "must be a standard resource for containers"));
    }
  } else if (name.rfind("kubernetes.io/", 0) != 0 &&
             name.rfind("requests.", 0) == 0) {
    errs.push_back(
        Invalid(path, name, "doesn't follow extended resource name standard"));
  }
}

bool OvercommitAllowed(const std::string& name) {
  bool native = name.find('/') == std::string::npos ||
                name.find("kubernetes.io/") != std::string::npos;
  return native && name.rfind("hugepages-", 0) != 0;
}

void ValidateResources(const Json& c, const std::string& path,
                       FieldErrors& errs) {
  const Json* res = Obj(c, "resources");
  if (res == nullptr) return;
  const Json* limits = Obj(*res, "limits");
  const Json* requests = Obj(*res, "requests");
  std::string lim_path = Child(path, "limits"),
              req_path = Child(path, "requests");
  std::map<std::string, Quantity> lims;
  auto check = [&](const std::string& name, const Json& v,
                   const std::string& p) -> std::optional<Quantity> {
    ValidateResourceName(name, p, errs);
    auto q = Quantity::FromJson(v);
    if (!q) {
      errs.push_back(Invalid(p, v, kQuantityFormatError));
    } else if (q->IsNegative()) {
      errs.push_back(
          Invalid(p, q->String(), "must be greater than or equal to 0"));
    }
    return q;
  };
  static const Json kNone = Json::object();
  for (const auto& [name, v] : (limits ? *limits : kNone).items()) {
    if (auto q = check(name, v, Key(lim_path, name))) lims.emplace(name, *q);
  }
  for (const auto& [name, v] : (requests ? *requests : kNone).items()) {
    auto q = check(name, v, Key(req_path, name));
    if (!q) continue;
    auto lim = lims.find(name);
    if (lim != lims.end()) {
      if (q->Compare(lim->second) != 0 && !OvercommitAllowed(name)) {
        errs.push_back(Invalid(
            req_path, q->String(),
            "must be equal to " + name + " limit of " + lim->second.String()));
      } else if (q->Compare(lim->second) > 0) {
        errs.push_back(Invalid(req_path, q->String(),
                               "must be less than or equal to " + name +
                                   " limit of " + lim->second.String()));
      }
    } else if (!OvercommitAllowed(name)) {
      errs.push_back(Required(
          lim_path, "Limit must be set for non overcommitable resources"));
    }
  }
}

void ValidatePortNumOrName(const Json& port, const std::string& path,
                           FieldErrors& errs) {
  if (port.is_number_integer()) {
    for (std::string& m : IsValidPortNum(port.get<int64_t>())) {
      errs.push_back(Invalid(path, port, std::move(m)));
    }
  } else {
    std::string name = port.is_string() ? port.get<std::string>() : "";
    for (std::string& m : IsValidPortName(name)) {
      errs.push_back(Invalid(path, name, std::move(m)));
    }
  }
}

// validateHandler: exactly one of exec, httpGet, tcpSocket, grpc (probes)
// or sleep (lifecycle hooks).
void ValidateHandler(const Json& h, const std::string& path, bool probe,
                     FieldErrors& errs) {
  int handlers = 0;
  for (const char* kind : {"exec", "httpGet", "tcpSocket", "grpc", "sleep"}) {
    if ((probe && std::string(kind) == "sleep") ||
        (!probe && std::string(kind) == "grpc")) {
      continue;
    }
    const Json* a = Obj(h, kind);
    if (a == nullptr) continue;
    std::string p = Child(path, kind);
    if (handlers++ > 0) {
      errs.push_back(Forbidden(p, "may not specify more than 1 handler type"));
      continue;
    }
    std::string k = kind;
    if (k == "exec" && (!Arr(*a, "command") || Arr(*a, "command")->empty())) {
      errs.push_back(Required(Child(p, "command")));
    } else if (k == "httpGet") {
      if (Str(*a, "path").empty()) errs.push_back(Required(Child(p, "path")));
      ValidatePortNumOrName(a->value("port", Json()), Child(p, "port"), errs);
      std::string scheme = Str(*a, "scheme");
      if (scheme != "HTTP" && scheme != "HTTPS") {
        errs.push_back(
            NotSupported(Child(p, "scheme"), scheme, {"HTTP", "HTTPS"}));
      }
    } else if (k == "tcpSocket" || k == "grpc") {
      ValidatePortNumOrName(a->value("port", Json()), Child(p, "port"), errs);
    }
  }
  if (handlers == 0)
    errs.push_back(Required(path, "must specify a handler type"));
}

void ValidateProbe(const Json& c, const char* key, const std::string& cpath,
                   FieldErrors& errs) {
  const Json* probe = Obj(c, key);
  if (probe == nullptr) return;
  std::string path = Child(cpath, key);
  ValidateHandler(*probe, path, true, errs);
  for (const char* f :
       {"initialDelaySeconds", "timeoutSeconds", "periodSeconds",
        "successThreshold", "failureThreshold"}) {
    ValidateNonnegative(probe->contains(f) ? &(*probe)[f] : nullptr,
                        Child(path, f), errs);
  }
  std::string k = key;
  if (k != "readinessProbe" && IntOr(*probe, "successThreshold", 1) != 1) {
    errs.push_back(Invalid(Child(path, "successThreshold"),
                           IntOr(*probe, "successThreshold", 1), "must be 1"));
  }
  if (k == "readinessProbe" &&
      probe->contains("terminationGracePeriodSeconds") &&
      !(*probe)["terminationGracePeriodSeconds"].is_null()) {
    errs.push_back(Invalid(Child(path, "terminationGracePeriodSeconds"),
                           (*probe)["terminationGracePeriodSeconds"],
                           "must not be set for readinessProbes"));
  }
}

void ValidateCommon(const Json& c, const Json& spec, const std::string& path,
                    FieldErrors& errs) {
  std::string name = Str(c, "name");
  if (name.empty()) {
    errs.push_back(Required(Child(path, "name")));
  } else {
    for (std::string& m : IsDNS1123Label(name)) {
      errs.push_back(Invalid(Child(path, "name"), name, std::move(m)));
    }
  }
  if (Str(c, "image").empty()) errs.push_back(Required(Child(path, "image")));
  std::string tmp = Str(c, "terminationMessagePolicy");
  if (tmp.empty()) {
    errs.push_back(Required(Child(path, "terminationMessagePolicy")));
  } else if (tmp != "File" && tmp != "FallbackToLogsOnError") {
    errs.push_back(NotSupported(Child(path, "terminationMessagePolicy"), tmp,
                                {"File", "FallbackToLogsOnError"}));
  }
  ValidatePorts(c, Child(path, "ports"), errs);
  ValidateContainerEnv(c, Child(path, "env"), errs);
  ValidateContainerMounts(c, spec, Child(path, "volumeMounts"), errs);
  std::string pull = Str(c, "imagePullPolicy");
  if (pull.empty()) {
    errs.push_back(Required(Child(path, "imagePullPolicy")));
  } else if (pull != "Always" && pull != "IfNotPresent" && pull != "Never") {
    errs.push_back(NotSupported(Child(path, "imagePullPolicy"), pull,
                                {"Always", "IfNotPresent", "Never"}));
  }
  ValidateResources(c, Child(path, "resources"), errs);
  if (const Json* sc = Obj(c, "securityContext")) {
    for (const char* f : {"runAsUser", "runAsGroup"}) {
      if (sc->contains(f) && (*sc)[f].is_number_integer()) {
        for (std::string& m : IsValidUserOrGroupID((*sc)[f].get<int64_t>())) {
          errs.push_back(Invalid(Child(Child(path, "securityContext"), f),
                                 (*sc)[f], std::move(m)));
        }
      }
    }
  }
}

// AccumulateUniqueHostPorts: "<protocol>/<hostIP>/<port>" must be unique.
void CheckHostPorts(const Json& c, const std::string& cpath,
                    std::set<std::string>& seen, FieldErrors& errs) {
  const Json* ports = Arr(c, "ports");
  for (size_t j = 0; ports && j < ports->size(); ++j) {
    int64_t hp = IntOr((*ports)[j], "hostPort", 0);
    if (hp == 0) continue;
    std::string key = Str((*ports)[j], "protocol") + "/" +
                      Str((*ports)[j], "hostIP") + "/" + std::to_string(hp);
    if (!seen.insert(key).second) {
      errs.push_back(
          Duplicate(Child(Index(Child(cpath, "ports"), j), "hostPort"), key));
    }
  }
}

}  // namespace

FieldErrors ValidateContainers(const Json* containers, const Json& spec,
                               const std::string& path, bool init) {
  FieldErrors errs;
  if (!init && (containers == nullptr || containers->empty())) {
    errs.push_back(Required(path));
    return errs;
  }
  if (containers == nullptr) return errs;
  std::set<std::string> names;
  if (init) {  // init names must not collide with regular containers
    if (const Json* regular = Arr(spec, "containers")) {
      for (const Json& c : *regular) names.insert(Str(c, "name"));
    }
  }
  std::set<std::string> host_ports;
  for (size_t i = 0; i < containers->size(); ++i) {
    const Json& c = (*containers)[i];
    std::string p = Index(path, i);
    ValidateCommon(c, spec, p, errs);
    std::string name = Str(c, "name");
    bool restart_always = false;
    if (init && c.contains("restartPolicy") && !c["restartPolicy"].is_null()) {
      std::string rp = Str(c, "restartPolicy");
      if (rp != "Always") {
        errs.push_back(NotSupported(Child(p, "restartPolicy"), rp, {"Always"}));
      }
      restart_always = rp == "Always";
    }
    if (!names.insert(name).second && (!init || !name.empty())) {
      errs.push_back(Duplicate(Child(p, "name"), name));
    }
    if (init) {  // init containers run one at a time
      host_ports.clear();
      CheckHostPorts(c, p, host_ports, errs);
    }
    if (!init || restart_always) {
      if (const Json* lc = Obj(c, "lifecycle")) {
        for (const char* h : {"postStart", "preStop"}) {
          if (const Json* hh = Obj(*lc, h)) {
            ValidateHandler(*hh, Child(Child(p, "lifecycle"), h), false, errs);
          }
        }
      }
      for (const char* probe :
           {"livenessProbe", "readinessProbe", "startupProbe"}) {
        ValidateProbe(c, probe, p, errs);
      }
    } else {
      for (const char* f :
           {"lifecycle", "livenessProbe", "readinessProbe", "startupProbe"}) {
        if (c.contains(f) && !c[f].is_null()) {
          errs.push_back(Forbidden(Child(p, f),
                                   "may not be set for init containers without "
                                   "restartPolicy=Always"));
        }
      }
    }
    if (!init && c.contains("restartPolicy") && !c["restartPolicy"].is_null()) {
      errs.push_back(Forbidden(Child(p, "restartPolicy"),
                               "may not be set for non-init containers"));
    }
  }
  // Regular containers run together: their host ports may not collide.
  if (!init) {
    for (size_t i = 0; i < containers->size(); ++i) {
      CheckHostPorts((*containers)[i], Index(path, i), host_ports, errs);
    }
  }
  return errs;
}

}  // namespace ksim::apiserver
