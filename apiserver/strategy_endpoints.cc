// Endpoints and EndpointSlices: defaults (port protocol, slice port names),
// ValidateEndpoints and pkg/apis/discovery/validation (1.32).
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

const std::vector<std::string> kProtocols = {"SCTP", "TCP", "UDP"};

void ValidateProtocol(const Json& port, const std::string& path,
                      FieldErrors& errs) {
  std::string protocol = Str(port, "protocol");
  if (protocol.empty()) {
    errs.push_back(Required(Child(path, "protocol")));
  } else if (protocol != "TCP" && protocol != "UDP" && protocol != "SCTP") {
    errs.push_back(NotSupported(Child(path, "protocol"), protocol, kProtocols));
  }
}

void ValidateAppProtocol(const Json& port, const std::string& path,
                         FieldErrors& errs) {
  if (!port.contains("appProtocol") || port["appProtocol"].is_null()) return;
  std::string app = Str(port, "appProtocol");
  for (std::string& m : IsQualifiedName(app)) {
    errs.push_back(Invalid(Child(path, "appProtocol"), app, std::move(m)));
  }
}

void ValidateAddress(const Json& a, const std::string& path,
                     FieldErrors& errs) {
  std::string ip = Str(a, "ip");
  Append(errs, ValidateIP(Child(path, "ip"), ip));
  std::string host = Str(a, "hostname");
  if (!host.empty()) {
    for (std::string& m : IsDNS1123Label(host)) {
      errs.push_back(Invalid(Child(path, "hostname"), host, std::move(m)));
    }
  }
  if (a.contains("nodeName") && !a["nodeName"].is_null()) {
    AddNameErrors(NameRule::kDNS1123Subdomain, Child(path, "nodeName"),
                  Str(a, "nodeName"), errs);
  }
  Append(errs, ValidateNonSpecialIP(Child(path, "ip"), ip));
}

FieldErrors ValidateEndpoints(const Json& ep) {
  FieldErrors errs = ValidateObjectMeta(ep, true, NameRule::kDNS1123Subdomain);
  const Json* subsets = Arr(ep, "subsets");
  for (size_t i = 0; subsets && i < subsets->size(); ++i) {
    const Json& ss = (*subsets)[i];
    std::string p = Index("subsets", i);
    const Json* ready = Arr(ss, "addresses");
    const Json* not_ready = Arr(ss, "notReadyAddresses");
    if ((!ready || ready->empty()) && (!not_ready || not_ready->empty())) {
      errs.push_back(
          Required(p, "must specify `addresses` or `notReadyAddresses`"));
    }
    for (size_t j = 0; ready && j < ready->size(); ++j) {
      ValidateAddress((*ready)[j], Index(Child(p, "addresses"), j), errs);
    }
    for (size_t j = 0; not_ready && j < not_ready->size(); ++j) {
      ValidateAddress((*not_ready)[j], Index(Child(p, "notReadyAddresses"), j),
                      errs);
    }
    const Json* ports = Arr(ss, "ports");
    for (size_t j = 0; ports && j < ports->size(); ++j) {
      const Json& port = (*ports)[j];
      std::string pp = Index(Child(p, "ports"), j);
      std::string name = Str(port, "name");
      if (ports->size() > 1 && name.empty()) {
        errs.push_back(Required(Child(pp, "name")));
      } else if (!name.empty()) {
        for (std::string& m : IsDNS1123Label(name)) {
          errs.push_back(Invalid(Child(pp, "name"), name, std::move(m)));
        }
      }
      int64_t n = IntField(port, "port");
      for (std::string& m : IsValidPortNum(n)) {
        errs.push_back(Invalid(Child(pp, "port"), n, std::move(m)));
      }
      ValidateProtocol(port, pp, errs);
      ValidateAppProtocol(port, pp, errs);
    }
  }
  return errs;
}

class EndpointsStrategy : public Strategy {
 public:
  void Default(Json& ep) const override {
    if (!ep.contains("subsets") || !ep["subsets"].is_array()) return;
    for (Json& ss : ep["subsets"]) {
      if (!ss.is_object() || !ss.contains("ports") || !ss["ports"].is_array())
        continue;
      for (Json& p : ss["ports"]) {
        if (p.is_object() && Str(p, "protocol").empty()) p["protocol"] = "TCP";
      }
    }
  }
  FieldErrors ValidateCreate(const Json& ep) const override {
    return ValidateEndpoints(ep);
  }
  FieldErrors ValidateUpdate(const Json& ep, const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(ep, old);
    Append(errs, ValidateEndpoints(ep));
    return errs;
  }
};

// IsFullyQualifiedDomainName for FQDN slices.
void ValidateFQDN(const std::string& path, std::string name,
                  FieldErrors& errs) {
  if (name.empty()) {
    errs.push_back(Required(path));
    return;
  }
  if (name.back() == '.') name.pop_back();
  Messages msgs = IsDNS1123Subdomain(name);
  if (!msgs.empty()) {
    std::string joined;
    for (size_t i = 0; i < msgs.size(); ++i) joined += (i ? "," : "") + msgs[i];
    errs.push_back(Invalid(path, name, joined));
    return;
  }
  if (name.find('.') == std::string::npos) {
    errs.push_back(Invalid(
        path, name,
        "should be a domain with at least two segments separated by dots"));
  }
}

void ValidateSliceEndpoints(const Json& slice, const std::string& type,
                            FieldErrors& errs) {
  const Json* endpoints = Arr(slice, "endpoints");
  if (endpoints == nullptr) return;
  if (endpoints->size() > 1000) {
    errs.push_back(
        TooMany("endpoints", static_cast<int>(endpoints->size()), 1000));
    return;
  }
  for (size_t i = 0; i < endpoints->size(); ++i) {
    const Json& e = (*endpoints)[i];
    std::string p = Index("endpoints", i);
    std::string ap = Child(p, "addresses");
    const Json* addresses = Arr(e, "addresses");
    size_t n = addresses ? addresses->size() : 0;
    if (n == 0) {
      errs.push_back(Required(ap, "must contain at least 1 address"));
    } else if (n > 100) {
      errs.push_back(TooMany(ap, static_cast<int>(n), 100));
    }
    for (size_t j = 0; j < n; ++j) {
      std::string a =
          (*addresses)[j].is_string() ? (*addresses)[j].get<std::string>() : "";
      std::string path = Index(ap, j);
      if (type == "IPv4" || type == "IPv6") {
        if (type == "IPv4" ? !IsIPv4(a) : !IsIPv6(a)) {
          errs.push_back(
              Invalid(path, a, "must be a valid " + type + " address"));
        }
        Append(errs, ValidateNonSpecialIP(path, a));
      } else if (type == "FQDN") {
        ValidateFQDN(path, a, errs);
      }
    }
    if (e.contains("nodeName") && !e["nodeName"].is_null()) {
      AddNameErrors(NameRule::kDNS1123Subdomain, Child(p, "nodeName"),
                    Str(e, "nodeName"), errs);
    }
    if (const Json* topo = Obj(e, "deprecatedTopology")) {
      if (topo->size() > 16) {
        errs.push_back(TooMany(Child(p, "deprecatedTopology"),
                               static_cast<int>(topo->size()), 16));
      }
      Append(errs, ValidateLabels(topo, Child(p, "deprecatedTopology")));
    }
    if (e.contains("hostname") && !e["hostname"].is_null()) {
      std::string host = Str(e, "hostname");
      for (std::string& m : IsDNS1123Label(host)) {
        errs.push_back(Invalid(Child(p, "hostname"), host, std::move(m)));
      }
    }
  }
}

FieldErrors ValidateSlice(const Json& slice, bool allow_ip) {
  FieldErrors errs =
      ValidateObjectMeta(slice, true, NameRule::kDNS1123Subdomain);
  std::string type = Str(slice, "addressType");
  std::vector<std::string> valid = {"FQDN", "IPv4", "IPv6"};
  if (allow_ip) valid = {"FQDN", "IP", "IPv4", "IPv6"};
  bool ok = false;
  for (const std::string& v : valid) ok = ok || v == type;
  if (type.empty()) {
    errs.push_back(Required("addressType"));
  } else if (!ok) {
    errs.push_back(NotSupported("addressType", type, valid));
  }
  ValidateSliceEndpoints(slice, type, errs);
  const Json* ports = Arr(slice, "ports");
  if (ports && ports->size() > 100) {
    errs.push_back(TooMany("ports", static_cast<int>(ports->size()), 100));
    return errs;
  }
  std::set<std::string> names;
  for (size_t i = 0; ports && i < ports->size(); ++i) {
    const Json& port = (*ports)[i];
    std::string p = Index("ports", i);
    std::string name = Str(port, "name");
    if (!name.empty()) {
      for (std::string& m : IsDNS1123Label(name)) {
        errs.push_back(Invalid(Child(p, "name"), name, std::move(m)));
      }
    }
    if (!names.insert(name).second)
      errs.push_back(Duplicate(Child(p, "name"), name));
    ValidateProtocol(port, p, errs);
    ValidateAppProtocol(port, p, errs);
  }
  return errs;
}

class EndpointSliceStrategy : public Strategy {
 public:
  void Default(Json& slice) const override {
    // Endpoints and Ports have no omitempty: Go prints nil lists as null.
    if (!slice.contains("endpoints")) slice["endpoints"] = nullptr;
    if (!slice.contains("ports")) slice["ports"] = nullptr;
    if (slice["ports"].is_array()) {
      for (Json& p : slice["ports"]) {
        if (!p.is_object()) continue;
        if (!p.contains("name") || p["name"].is_null()) p["name"] = "";
        if (!p.contains("protocol") || p["protocol"].is_null())
          p["protocol"] = "TCP";
      }
    }
    if (slice["endpoints"].is_array()) {
      for (Json& e : slice["endpoints"]) {
        if (e.is_object() && !Obj(e, "conditions"))
          e["conditions"] = Json::object();
      }
    }
  }
  FieldErrors ValidateCreate(const Json& slice) const override {
    return ValidateSlice(slice, false);
  }
  FieldErrors ValidateUpdate(const Json& slice,
                             const Json& old) const override {
    FieldErrors errs = ValidateObjectMetaUpdate(slice, old);
    Append(errs, ValidateSlice(slice, true));
    if (Str(slice, "addressType") != Str(old, "addressType")) {
      errs.push_back(Invalid("addressType", Str(slice, "addressType"),
                             "field is immutable"));
    }
    return errs;
  }
};

}  // namespace

const Strategy& EndpointsStrategyInstance() {
  static const EndpointsStrategy kStrategy;
  return kStrategy;
}

const Strategy& EndpointSliceStrategyInstance() {
  static const EndpointSliceStrategy kStrategy;
  return kStrategy;
}

}  // namespace ksim::apiserver
