// Service validation: ValidateService, ValidateServiceUpdate and the
// ClusterIP/IP-family rules of pkg/apis/core/validation (1.32).
#include <map>
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

bool Headless(const Json& spec) {
  const Json* ips = Arr(spec, "clusterIPs");
  return ips && ips->size() == 1 && (*ips)[0] == "None";
}

// %#v of the core.ServicePort key kube builds to find duplicate ports.
std::string GoServicePortKey(const std::string& protocol, int64_t port) {
  return "core.ServicePort{Name:\"\", Protocol:" + StrconvQuote(protocol) +
         ", AppProtocol:(*string)(nil), Port:" + std::to_string(port) +
         ", TargetPort:intstr.IntOrString{Type:0, IntVal:0, StrVal:\"\"}, "
         "NodePort:0}";
}

void ValidatePort(const Json& p, bool require_name,
                  std::set<std::string>& names, const std::string& path,
                  FieldErrors& errs) {
  std::string name = Str(p, "name");
  if (require_name && name.empty()) {
    errs.push_back(Required(Child(path, "name")));
  } else if (!name.empty()) {
    for (std::string& m : IsDNS1123Label(name)) {
      errs.push_back(Invalid(Child(path, "name"), name, std::move(m)));
    }
    if (!names.insert(name).second)
      errs.push_back(Duplicate(Child(path, "name"), name));
  }
  int64_t port = IntField(p, "port");
  for (std::string& m : IsValidPortNum(port)) {
    errs.push_back(Invalid(Child(path, "port"), port, std::move(m)));
  }
  std::string protocol = Str(p, "protocol");
  if (protocol.empty()) {
    errs.push_back(Required(Child(path, "protocol")));
  } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
    errs.push_back(NotSupported(Child(path, "protocol"), protocol, kProtocols));
  }
  Json target = p.contains("targetPort") ? p["targetPort"] : Json(0);
  if (target.is_string()) {
    std::string t = target.get<std::string>();
    for (std::string& m : IsValidPortName(t)) {
      errs.push_back(Invalid(Child(path, "targetPort"), t, std::move(m)));
    }
  } else {
    int64_t t = target.is_number_integer() ? target.get<int64_t>() : 0;
    for (std::string& m : IsValidPortNum(t)) {
      errs.push_back(Invalid(Child(path, "targetPort"), t, std::move(m)));
    }
  }
  std::string app = Str(p, "appProtocol");
  if (p.contains("appProtocol") && !p["appProtocol"].is_null()) {
    for (std::string& m : IsQualifiedName(app)) {
      errs.push_back(Invalid(Child(path, "appProtocol"), app, std::move(m)));
    }
  }
}

void ValidateTrafficPolicies(const Json& spec, FieldErrors& errs) {
  std::string type = Str(spec, "type");
  std::string etp = Str(spec, "externalTrafficPolicy");
  if (!ServiceExternallyAccessible(spec)) {
    if (!etp.empty()) {
      errs.push_back(
          Invalid("spec.externalTrafficPolicy", etp,
                  "may only be set for externally-accessible services"));
    }
  } else if (etp.empty()) {
    errs.push_back(Required("spec.externalTrafficPolicy"));
  } else if (etp != "Cluster" && etp != "Local") {
    errs.push_back(
        NotSupported("spec.externalTrafficPolicy", etp, {"Cluster", "Local"}));
  }
  int64_t hc = IntField(spec, "healthCheckNodePort");
  if (!(type == "LoadBalancer" && etp == "Local")) {
    if (hc != 0) {
      errs.push_back(
          Invalid("spec.healthCheckNodePort", hc,
                  "may only be set when `type` is 'LoadBalancer' and "
                  "`externalTrafficPolicy` is 'Local'"));
    }
  } else if (hc == 0) {
    errs.push_back(Required("spec.healthCheckNodePort"));
  } else {
    for (std::string& m : IsValidPortNum(hc)) {
      errs.push_back(Invalid("spec.healthCheckNodePort", hc, std::move(m)));
    }
  }
  bool has_itp = spec.contains("internalTrafficPolicy") &&
                 !spec["internalTrafficPolicy"].is_null();
  if (!has_itp &&
      (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP")) {
    errs.push_back(Required("spec.internalTrafficPolicy"));
  }
  std::string itp = Str(spec, "internalTrafficPolicy");
  if (has_itp && itp != "Cluster" && itp != "Local") {
    errs.push_back(
        NotSupported("spec.internalTrafficPolicy", itp, {"Cluster", "Local"}));
  }
  if (spec.contains("trafficDistribution") &&
      !spec["trafficDistribution"].is_null() &&
      Str(spec, "trafficDistribution") != "PreferClose") {
    errs.push_back(NotSupported("spec.trafficDistribution",
                                Str(spec, "trafficDistribution"),
                                {"PreferClose"}));
  }
}

void ValidateTypeAndPorts(const Json& spec, FieldErrors& errs) {
  std::string type = Str(spec, "type");
  const Json* ports = Arr(spec, "ports");
  size_t n = ports ? ports->size() : 0;
  if (type.empty()) {
    errs.push_back(Required("spec.type"));
  } else if (type != "ClusterIP" && type != "NodePort" &&
             type != "LoadBalancer" && type != "ExternalName") {
    errs.push_back(NotSupported(
        "spec.type", type,
        {"ClusterIP", "ExternalName", "LoadBalancer", "NodePort"}));
  }
  std::set<std::string> node_ports, keys;
  for (size_t i = 0; i < n; ++i) {
    const Json& p = (*ports)[i];
    std::string pp = Index("spec.ports", i);
    if (type == "ClusterIP" && IntField(p, "nodePort") != 0) {
      errs.push_back(Forbidden(Child(pp, "nodePort"),
                               "may not be used when `type` is 'ClusterIP'"));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    int64_t np = IntField((*ports)[i], "nodePort");
    if (np == 0) continue;
    if (!node_ports
             .insert(Str((*ports)[i], "protocol") + "/" + std::to_string(np))
             .second) {
      errs.push_back(Duplicate(Child(Index("spec.ports", i), "nodePort"), np));
    }
  }
  for (size_t i = 0; i < n; ++i) {
    std::string protocol = Str((*ports)[i], "protocol");
    int64_t port = IntField((*ports)[i], "port");
    if (!keys.insert(protocol + "/" + std::to_string(port)).second) {
      FieldError e = Duplicate(Index("spec.ports", i), nullptr);
      e.go_value = GoServicePortKey(protocol, port);
      errs.push_back(std::move(e));
    }
  }
}

}  // namespace

bool ServiceExternallyAccessible(const Json& spec) {
  std::string type = Str(spec, "type");
  const Json* ext = Arr(spec, "externalIPs");
  return type == "LoadBalancer" || type == "NodePort" ||
         (type == "ClusterIP" && ext && !ext->empty());
}

FieldErrors ValidateService(const Json& svc) {
  FieldErrors errs = ValidateObjectMeta(svc, true, NameRule::kDNS1035Label);
  static const Json kEmpty = Json::object();
  const Json* s = Obj(svc, "spec");
  const Json& spec = s ? *s : kEmpty;
  std::string type = Str(spec, "type");
  const Json* ports = Arr(spec, "ports");
  size_t n = ports ? ports->size() : 0;
  if (n == 0 && !Headless(spec) && type != "ExternalName") {
    errs.push_back(Required("spec.ports"));
  }
  if ((type == "LoadBalancer" || type == "NodePort") && Headless(spec)) {
    errs.push_back(
        Invalid("spec.clusterIPs[0]", "None",
                "may not be set to 'None' for " + type + " services"));
  } else if (type == "ExternalName") {
    const Json* ips = Arr(spec, "clusterIPs");
    if (ips && !ips->empty()) {
      errs.push_back(Forbidden("spec.clusterIPs",
                               "may not be set for ExternalName services"));
    }
    const Json* fams = Arr(spec, "ipFamilies");
    if (fams && !fams->empty()) {
      errs.push_back(Forbidden("spec.ipFamilies",
                               "may not be set for ExternalName services"));
    }
    if (spec.contains("ipFamilyPolicy") && !spec["ipFamilyPolicy"].is_null()) {
      errs.push_back(Forbidden("spec.ipFamilyPolicy",
                               "may not be set for ExternalName services"));
    }
    std::string cname = Str(spec, "externalName");
    if (!cname.empty() && cname.back() == '.') cname.pop_back();
    if (cname.empty()) {
      errs.push_back(Required("spec.externalName"));
    } else {
      AddNameErrors(NameRule::kDNS1123Subdomain, "spec.externalName", cname,
                    errs);
    }
  }
  std::set<std::string> names;
  for (size_t i = 0; i < n; ++i) {
    ValidatePort((*ports)[i], n > 1, names, Index("spec.ports", i), errs);
  }
  Append(errs, ValidateLabels(Obj(spec, "selector"), "spec.selector"));
  std::string affinity = Str(spec, "sessionAffinity");
  if (affinity.empty()) {
    errs.push_back(Required("spec.sessionAffinity"));
  } else if (affinity != "ClientIP" && affinity != "None") {
    errs.push_back(
        NotSupported("spec.sessionAffinity", affinity, {"ClientIP", "None"}));
  }
  const Json* config = Obj(spec, "sessionAffinityConfig");
  if (affinity == "ClientIP") {
    const Json* client = config ? Obj(*config, "clientIP") : nullptr;
    std::string why = "when session affinity type is ClientIP";
    if (config == nullptr) {
      errs.push_back(Required("spec.sessionAffinityConfig", why));
    } else if (client == nullptr) {
      errs.push_back(Required("spec.sessionAffinityConfig.clientIP", why));
    } else if (!client->contains("timeoutSeconds")) {
      errs.push_back(
          Required("spec.sessionAffinityConfig.clientIP.timeoutSeconds", why));
    } else {
      int64_t t = IntField(*client, "timeoutSeconds");
      if (t <= 0 || t > 86400) {
        errs.push_back(
            Invalid("spec.sessionAffinityConfig.clientIP.timeoutSeconds", t,
                    "must be greater than 0 and less than 86400"));
      }
    }
  } else if (affinity == "None" && config != nullptr) {
    errs.push_back(Forbidden("spec.sessionAffinityConfig",
                             "must not be set when session affinity is None"));
  }
  ValidateServiceClusterIPs(spec, errs);
  if (const Json* ext = Arr(spec, "externalIPs")) {
    for (size_t i = 0; i < ext->size(); ++i) {
      std::string ip =
          (*ext)[i].is_string() ? (*ext)[i].get<std::string>() : "";
      FieldErrors e = ValidateIP(Index("spec.externalIPs", i), ip);
      Append(errs, e.empty()
                       ? ValidateNonSpecialIP(Index("spec.externalIPs", i), ip)
                       : std::move(e));
    }
  }
  ValidateTypeAndPorts(spec, errs);
  if (const Json* ranges = Arr(spec, "loadBalancerSourceRanges");
      ranges && !ranges->empty()) {
    if (type != "LoadBalancer") {
      errs.push_back(
          Forbidden("spec.LoadBalancerSourceRanges",
                    "may only be used when `type` is 'LoadBalancer'"));
    }
    for (size_t i = 0; i < ranges->size(); ++i) {
      std::string r =
          (*ranges)[i].is_string() ? (*ranges)[i].get<std::string>() : "";
      r.erase(0, r.find_first_not_of(' '));
      r.erase(r.find_last_not_of(' ') + 1);
      Append(errs, ValidateCIDR(Index("spec.LoadBalancerSourceRanges", i), r));
    }
  }
  bool has_alloc = spec.contains("allocateLoadBalancerNodePorts") &&
                   !spec["allocateLoadBalancerNodePorts"].is_null();
  if (has_alloc && type != "LoadBalancer") {
    errs.push_back(Forbidden("spec.allocateLoadBalancerNodePorts",
                             "may only be used when `type` is 'LoadBalancer'"));
  }
  if (type == "LoadBalancer" && !has_alloc) {
    errs.push_back(Required("allocateLoadBalancerNodePorts"));  // sic
  }
  ValidateTrafficPolicies(spec, errs);
  return errs;
}

}  // namespace ksim::apiserver
