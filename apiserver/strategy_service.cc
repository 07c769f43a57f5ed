// Services: SetDefaults_Service, pkg/registry/core/service/strategy.go
// (NormalizeClusterIPs, dropTypeDependentFields) and the service REST's IP
// family defaults (1.32). Address allocation itself is the registry's
// (service_ips.h) and happens before Default.
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

bool NeedsClusterIP(const Json& spec) {
  std::string t = Str(spec, "type");
  return t == "ClusterIP" || t == "NodePort" || t == "LoadBalancer";
}

bool NeedsNodePort(const Json& spec) {
  std::string t = Str(spec, "type");
  return t == "NodePort" || t == "LoadBalancer";
}

bool Same(const Json& a, const Json& b, const char* key) {
  Json x = a.contains(key) ? a[key] : Json();
  Json y = b.contains(key) ? b[key] : Json();
  auto blank = [](const Json& v) {
    return v.is_null() || (v.is_array() && v.empty()) || v == "";
  };
  return (blank(x) && blank(y)) || x == y;
}

void EraseKey(Json& obj, const char* key) {
  if (obj.is_object()) obj.erase(key);
}

// NormalizeClusterIPs for an update: guess what a client that manages only
// one of clusterIP/clusterIPs meant.
void NormalizeClusterIPs(Json& spec, const Json& old_spec) {
  const Json* old_ips = Arr(old_spec, "clusterIPs");
  const Json* ips = Arr(spec, "clusterIPs");
  std::string cip = Str(spec, "clusterIP"),
              old_cip = Str(old_spec, "clusterIP");
  if (old_ips && !old_ips->empty() && (!ips || ips->empty()) &&
      old_cip == cip) {
    spec["clusterIPs"] = *old_ips;
  }
  if (old_cip != cip) {
    if (!old_cip.empty() && cip.empty()) {
      if (Same(spec, old_spec, "clusterIPs")) EraseKey(spec, "clusterIPs");
    } else if (Same(spec, old_spec, "clusterIPs")) {
      spec["clusterIPs"] = Json::array({cip});
    }
  }
}

// dropTypeDependentFields: a type change drops what the new type does not
// use, unless the client changed it too (then validation speaks).
void DropTypeDependentFields(Json& svc, const Json& old_svc) {
  Json& spec = svc["spec"];
  const Json& old_spec = old_svc["spec"];
  if (NeedsClusterIP(old_spec) && !NeedsClusterIP(spec)) {
    if (Same(spec, old_spec, "clusterIPs")) {
      EraseKey(spec, "clusterIP");
      EraseKey(spec, "clusterIPs");
    }
    if (Same(spec, old_spec, "ipFamilies")) EraseKey(spec, "ipFamilies");
    if (Same(spec, old_spec, "ipFamilyPolicy"))
      EraseKey(spec, "ipFamilyPolicy");
  }
  if (NeedsNodePort(old_spec) && !NeedsNodePort(spec) &&
      spec.contains("ports") && spec["ports"].is_array()) {
    bool same = true;
    const Json* old_ports = Arr(old_spec, "ports");
    for (size_t i = 0; i < spec["ports"].size(); ++i) {
      int64_t np = IntField(spec["ports"][i], "nodePort");
      if (np == 0) continue;
      bool found = false;
      for (size_t j = 0; old_ports && j < old_ports->size(); ++j) {
        found = found || IntField((*old_ports)[j], "nodePort") == np;
      }
      same = same && found;
    }
    if (same) {
      for (Json& p : spec["ports"]) EraseKey(p, "nodePort");
    }
  }
  auto needs_hc = [](const Json& sp) {
    return Str(sp, "type") == "LoadBalancer" &&
           Str(sp, "externalTrafficPolicy") == "Local";
  };
  if (needs_hc(old_spec) && !needs_hc(spec) &&
      Same(spec, old_spec, "healthCheckNodePort")) {
    EraseKey(spec, "healthCheckNodePort");
  }
  if (Str(old_spec, "type") == "LoadBalancer" &&
      Str(spec, "type") != "LoadBalancer") {
    if (Same(spec, old_spec, "allocateLoadBalancerNodePorts")) {
      EraseKey(spec, "allocateLoadBalancerNodePorts");
    }
    if (Same(spec, old_spec, "loadBalancerClass"))
      EraseKey(spec, "loadBalancerClass");
  }
  if (ServiceExternallyAccessible(old_spec) &&
      !ServiceExternallyAccessible(spec) &&
      Same(spec, old_spec, "externalTrafficPolicy")) {
    EraseKey(spec, "externalTrafficPolicy");
  }
  if (Str(spec, "type") != "LoadBalancer") {
    svc["status"]["loadBalancer"] = Json::object();
  }
}

class ServiceStrategy : public Strategy {
 public:
  void Default(Json& svc) const override {
    if (!svc.contains("spec") || !svc["spec"].is_object())
      svc["spec"] = Json::object();
    Json& spec = svc["spec"];
    std::string affinity = Str(spec, "sessionAffinity");
    if (affinity.empty()) spec["sessionAffinity"] = affinity = "None";
    if (affinity == "None") EraseKey(spec, "sessionAffinityConfig");
    if (affinity == "ClientIP") {
      const Json* c = Obj(spec, "sessionAffinityConfig");
      const Json* ip = c ? Obj(*c, "clientIP") : nullptr;
      if (ip == nullptr || !ip->contains("timeoutSeconds") ||
          (*ip)["timeoutSeconds"].is_null()) {
        spec["sessionAffinityConfig"] = {
            {"clientIP", {{"timeoutSeconds", 10800}}}};
      }
    }
    if (Str(spec, "type").empty()) spec["type"] = "ClusterIP";
    std::string type = Str(spec, "type");
    if (spec.contains("ports") && spec["ports"].is_array()) {
      for (Json& p : spec["ports"]) {
        if (!p.is_object()) continue;
        if (Str(p, "protocol").empty()) p["protocol"] = "TCP";
        const Json target = p.contains("targetPort") ? p["targetPort"] : Json();
        if (target.is_null() || target == 0 || target == "") {
          p["targetPort"] = p.contains("port") ? p["port"] : Json(0);
        }
      }
    }
    if (ServiceExternallyAccessible(spec) &&
        Str(spec, "externalTrafficPolicy").empty()) {
      spec["externalTrafficPolicy"] = "Cluster";
    }
    if ((!spec.contains("internalTrafficPolicy") ||
         spec["internalTrafficPolicy"].is_null()) &&
        (type == "NodePort" || type == "LoadBalancer" || type == "ClusterIP")) {
      spec["internalTrafficPolicy"] = "Cluster";
    }
    if (type == "LoadBalancer" &&
        (!spec.contains("allocateLoadBalancerNodePorts") ||
         spec["allocateLoadBalancerNodePorts"].is_null())) {
      spec["allocateLoadBalancerNodePorts"] = true;
    }
    // A client that sets only clusterIP gets clusterIPs to match.
    std::string cip = Str(spec, "clusterIP");
    const Json* ips = Arr(spec, "clusterIPs");
    if (!cip.empty() && (ips == nullptr || ips->empty())) {
      spec["clusterIPs"] = Json::array({cip});
    }
    // The single-stack cluster's IP family defaults (service REST).
    if (type != "ExternalName") {
      if (!spec.contains("ipFamilyPolicy") ||
          spec["ipFamilyPolicy"].is_null()) {
        spec["ipFamilyPolicy"] = "SingleStack";
      }
      const Json* fams = Arr(spec, "ipFamilies");
      if (fams == nullptr || fams->empty()) {
        spec["ipFamilies"] = Json::array({IsIPv6(cip) ? "IPv6" : "IPv4"});
      }
    }
    if (!svc.contains("status") || !svc["status"].is_object()) {
      svc["status"] = Json::object();
    }
    if (!svc["status"].contains("loadBalancer")) {
      svc["status"]["loadBalancer"] = Json::object();
    }
  }

  void PrepareForCreate(Json& svc) const override {
    svc["status"] = {{"loadBalancer", Json::object()}};
  }

  void PrepareForUpdate(Json& svc, const Json& old) const override {
    svc["status"] = old.contains("status") ? old["status"] : Json::object();
    if (!svc["status"].contains("loadBalancer")) {
      svc["status"]["loadBalancer"] = Json::object();
    }
    static const Json kEmpty = Json::object();
    NormalizeClusterIPs(svc["spec"], Obj(old, "spec") ? old["spec"] : kEmpty);
    if (Obj(old, "spec")) DropTypeDependentFields(svc, old);
  }

  FieldErrors ValidateCreate(const Json& svc) const override {
    return ValidateService(svc);
  }

  FieldErrors ValidateUpdate(const Json& svc, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(svc, old);
    Append(errs, ValidateServiceUpdateRules(svc, old));
    Append(errs, ValidateService(svc));
    return errs;
  }

  FieldErrors ValidateStatusUpdate(const Json& svc,
                                   const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(svc, old);
    const Json* status = Obj(svc, "status");
    const Json* lb = status ? Obj(*status, "loadBalancer") : nullptr;
    const Json* ingress = lb ? Arr(*lb, "ingress") : nullptr;
    for (size_t i = 0; ingress && i < ingress->size(); ++i) {
      std::string ip = Str((*ingress)[i], "ip");
      std::string path = Child(Index("status.loadBalancer.ingress", i), "ip");
      if (!ip.empty()) Append(errs, ValidateIP(path, ip));
    }
    return errs;
  }

  void AddSelectableFields(
      const Json& svc,
      std::map<std::string, std::string>& fields) const override {
    static const Json kEmpty = Json::object();
    const Json& spec = Obj(svc, "spec") ? svc["spec"] : kEmpty;
    fields["spec.clusterIP"] = Str(spec, "clusterIP");
    fields["spec.type"] = Str(spec, "type");
  }

  bool IsSelectableField(const std::string& field) const override {
    return field == "spec.clusterIP" || field == "spec.type";
  }
};

}  // namespace

const Strategy& ServiceStrategyInstance() {
  static const ServiceStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
