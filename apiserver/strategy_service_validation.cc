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

std::string GoIPFamilies(const Json* list) {
  std::string s = GoStringSlice(list);
  if (s == "[]string(nil)") return "[]core.IPFamily(nil)";
  return "[]core.IPFamily" + s.substr(8);
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

void ValidateClusterIPs(const Json& spec, FieldErrors& errs) {
  if (Str(spec, "type") == "ExternalName") return;
  const Json* ips = Arr(spec, "clusterIPs");
  size_t n = ips ? ips->size() : 0;
  std::string cip = Str(spec, "clusterIP");
  if (!cip.empty()) {
    if (n == 0) {
      errs.push_back(Required("spec.clusterIPs"));
    } else if ((*ips)[0] != cip) {
      errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                               "first value must match `clusterIP`"));
    }
  } else if (n != 0) {
    errs.push_back(
        InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                  "must be empty when `clusterIP` is not specified"));
  }
  std::set<std::string> seen;
  const Json* families = Arr(spec, "ipFamilies");
  for (size_t i = 0; families && i < families->size(); ++i) {
    std::string f =
        (*families)[i].is_string() ? (*families)[i].get<std::string>() : "";
    if (f != "IPv4" && f != "IPv6") {
      errs.push_back(
          NotSupported(Index("spec.ipFamilies", i), f, {"IPv4", "IPv6"}));
    }
    if (!seen.insert(f).second)
      errs.push_back(Duplicate(Index("spec.ipFamilies", i), f));
  }
  if (spec.contains("ipFamilyPolicy") && !spec["ipFamilyPolicy"].is_null()) {
    std::string pol = Str(spec, "ipFamilyPolicy");
    if (pol != "SingleStack" && pol != "PreferDualStack" &&
        pol != "RequireDualStack") {
      errs.push_back(
          NotSupported("spec.ipFamilyPolicy", pol,
                       {"PreferDualStack", "RequireDualStack", "SingleStack"}));
    }
  }
  bool invalid = false;
  for (size_t i = 0; i < n; ++i) {
    std::string ip = (*ips)[i].is_string() ? (*ips)[i].get<std::string>() : "";
    if (i == 0 && ip == "None") {
      if (n > 1) {
        invalid = true;
        errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                                 "'None' must be the first and only value"));
      }
      continue;
    }
    FieldErrors e = ValidateIP(Index("spec.clusterIPs", i), ip);
    invalid = invalid || !e.empty();
    Append(errs, std::move(e));
  }
  if (n > 2) {
    errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                             "may only hold up to 2 values"));
  }
  if (invalid) return;
  auto v6 = [&](size_t i) {
    return (*ips)[i].is_string() && IsIPv6((*ips)[i].get<std::string>());
  };
  if (n > 1 && v6(0) == v6(1)) {
    errs.push_back(
        InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                  "may specify no more than one IP for each IP family"));
  }
  if (!Headless(spec) && n > 0 && families) {
    for (size_t i = 0; i < n && i < families->size(); ++i) {
      std::string ip = (*ips)[i].get<std::string>();
      std::string f =
          (*families)[i].is_string() ? (*families)[i].get<std::string>() : "";
      std::string idx = "`ipFamilies[" + std::to_string(i) + "]`";
      if (f == "IPv4" && IsIPv6(ip)) {
        errs.push_back(
            Invalid(Index("spec.clusterIPs", i), ip,
                    "expected an IPv4 value as indicated by " + idx));
      }
      if (f == "IPv6" && !IsIPv6(ip)) {
        errs.push_back(
            Invalid(Index("spec.clusterIPs", i), ip,
                    "expected an IPv6 value as indicated by " + idx));
      }
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

void FamilyRules(const Json& spec, const Json& old_spec, size_t n,
                 const std::string& go_ips, bool single, FieldErrors& errs) {
  const Json* fams = Arr(spec, "ipFamilies");
  const Json* old_fams = Arr(old_spec, "ipFamilies");
  size_t f = fams ? fams->size() : 0, of = old_fams ? old_fams->size() : 0;
  if (f == of) {
    for (size_t i = 0; i < of; ++i) {
      if ((*old_fams)[i] != (*fams)[i]) {
        errs.push_back(InvalidGo("spec.ipFamilies[0]", GoIPFamilies(fams),
                                 "may not change once set"));
      }
    }
  } else if (of > f) {
    if (n == 0) {
      errs.push_back(InvalidGo("spec.ipFamilies[0]", GoIPFamilies(fams),
                               "primary ipFamily can not be unset"));
    }
    if (f > 0 && (*fams)[0] != (*old_fams)[0]) {
      errs.push_back(
          InvalidGo("spec.ipFamilies[0]", go_ips, "may not change once set"));
    }
    if (f == 1 && !single) {
      errs.push_back(Invalid("spec.ipFamilyPolicy",
                             spec.value("ipFamilyPolicy", Json()),
                             "must be set to 'SingleStack' when releasing the "
                             "secondary ipFamily"));
    }
  } else if (of > 0 && f > 0 && (*fams)[0] != (*old_fams)[0]) {
    errs.push_back(
        InvalidGo("spec.ipFamilies[0]", go_ips, "may not change once set"));
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
  ValidateClusterIPs(spec, errs);
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

FieldErrors ValidateServiceUpdateRules(const Json& svc, const Json& old) {
  FieldErrors errs;
  static const Json kEmpty = Json::object();
  const Json& spec = Obj(svc, "spec") ? svc["spec"] : kEmpty;
  const Json& old_spec = Obj(old, "spec") ? old["spec"] : kEmpty;
  if (Str(spec, "type") == "ExternalName" ||
      Str(old_spec, "type") == "ExternalName") {
    return errs;
  }
  bool headless = Headless(spec), old_headless = Headless(old_spec);
  const Json* ips = Arr(spec, "clusterIPs");
  const Json* old_ips = Arr(old_spec, "clusterIPs");
  size_t n = ips ? ips->size() : 0, m = old_ips ? old_ips->size() : 0;
  std::string go_ips = GoStringSlice(ips);
  bool single = Str(spec, "ipFamilyPolicy") == "SingleStack";
  if (!(headless && old_headless)) {
    if (n == m) {
      for (size_t i = 0; i < m; ++i) {
        if ((*old_ips)[i] != (*ips)[i]) {
          errs.push_back(InvalidGo(Index("spec.clusterIPs", i), go_ips,
                                   "may not change once set"));
        }
      }
    } else if (m > n) {
      if (n == 0) {
        errs.push_back(InvalidGo("spec.clusterIPs[0]", go_ips,
                                 "primary clusterIP can not be unset"));
      }
      if (n > 0 && (*ips)[0] != (*old_ips)[0]) {
        errs.push_back(
            InvalidGo("spec.clusterIPs[0]", go_ips, "may not change once set"));
      }
      if (n == 1 && !single) {
        errs.push_back(
            Invalid("spec.ipFamilyPolicy", spec.value("ipFamilyPolicy", Json()),
                    "must be set to 'SingleStack' when releasing the "
                    "secondary clusterIP"));
      }
    } else if (m > 0 && (*ips)[0] != (*old_ips)[0]) {
      errs.push_back(
          InvalidGo("spec.clusterIPs[0]", go_ips, "may not change once set"));
    }
  }
  if (headless == old_headless && !headless) {
    FamilyRules(spec, old_spec, n, go_ips, single, errs);
  }
  // A health-check node port stays as long as both need one.
  auto needs_hc = [](const Json& sp) {
    return Str(sp, "type") == "LoadBalancer" &&
           Str(sp, "externalTrafficPolicy") == "Local";
  };
  if (needs_hc(spec) && needs_hc(old_spec) &&
      IntField(spec, "healthCheckNodePort") !=
          IntField(old_spec, "healthCheckNodePort")) {
    errs.push_back(Forbidden("spec.healthCheckNodePort", "field is immutable"));
  }
  return errs;
}

}  // namespace ksim::apiserver
