#include "controllers/endpointslice_objects.h"

#include <algorithm>
#include <map>
#include <set>
#include <utility>

#include "controllers/service_ports.h"

namespace ksim::controllers {

using base::Json;

namespace {

std::string StrField(const Json& j, const char* field) {
  return base::GetString(j, {field});
}

// targetRef equal but for resourceVersion, without copying either.
bool SameTargetRef(const Json& a, const Json& b) {
  const Json* x = base::Find(a, {"targetRef"});
  const Json* y = base::Find(b, {"targetRef"});
  bool xo = x != nullptr && x->is_object();
  bool yo = y != nullptr && y->is_object();
  if (!xo || !yo) return xo == yo;
  auto count = [](const Json& r) {
    return r.size() - (r.contains("resourceVersion") ? 1 : 0);
  };
  if (count(*x) != count(*y)) return false;
  for (auto it = x->begin(); it != x->end(); ++it) {
    if (it.key() == "resourceVersion") continue;
    auto other = y->find(it.key());
    if (other == y->end() || *other != it.value()) return false;
  }
  return true;
}

// A field compared as a Go pointer: absence differs from any value.
bool SameOptional(const Json& a, const Json& b,
                  std::initializer_list<std::string_view> path) {
  const Json* x = base::Find(a, path);
  const Json* y = base::Find(b, path);
  if (x != nullptr && x->is_null()) x = nullptr;
  if (y != nullptr && y->is_null()) y = nullptr;
  if ((x == nullptr) != (y == nullptr)) return false;
  return x == nullptr || *x == *y;
}

Json OwnerRef(const Json& svc) {
  return {{"apiVersion", "v1"},
          {"kind", "Service"},
          {"name", base::GetString(svc, {"metadata", "name"})},
          {"uid", base::GetString(svc, {"metadata", "uid"})},
          {"controller", true},
          {"blockOwnerDeletion", true}};
}

}  // namespace

std::string EndpointKey(const Json& ep) {
  std::vector<std::string> addresses;
  const Json* list = base::Find(ep, {"addresses"});
  if (list != nullptr && list->is_array()) {
    for (const Json& a : *list) {
      if (a.is_string()) addresses.push_back(a.get<std::string>());
    }
  }
  std::sort(addresses.begin(), addresses.end());
  std::string key;
  for (const std::string& a : addresses) key += a + ",";
  key += "|" + StrField(ep, "hostname") + "|" +
         base::GetString(ep, {"targetRef", "namespace"}) + "|" +
         base::GetString(ep, {"targetRef", "name"});
  return key;
}

bool EndpointsEqualBeyondHash(const Json& a, const Json& b) {
  return SameOptional(a, b, {"nodeName"}) && SameOptional(a, b, {"zone"}) &&
         SameOptional(a, b, {"conditions", "ready"}) &&
         SameOptional(a, b, {"conditions", "serving"}) &&
         SameOptional(a, b, {"conditions", "terminating"}) &&
         SameTargetRef(a, b);
}

std::string PortKey(const Json* ports) {
  std::vector<std::string> parts;
  if (ports != nullptr && ports->is_array()) {
    for (const Json& p : *ports) {
      Json n = {{"name", StrField(p, "name")},
                {"port", base::GetInt(p, {"port"})},
                {"protocol", PortProtocol(p)}};
      const Json* app = base::Find(p, {"appProtocol"});
      if (app != nullptr && app->is_string()) n["appProtocol"] = *app;
      parts.push_back(n.dump());
    }
  }
  std::sort(parts.begin(), parts.end());
  std::string key;
  for (const std::string& s : parts) key += s + ";";
  return key;
}

size_t EndpointCount(const Json& slice) {
  const Json* eps = base::Find(slice, {"endpoints"});
  return eps != nullptr && eps->is_array() ? eps->size() : 0;
}

std::set<std::string> AddressTypes(const Json& svc) {
  std::set<std::string> types;
  const Json* families = base::Find(svc, {"spec", "ipFamilies"});
  if (families != nullptr && families->is_array()) {
    for (const Json& f : *families) {
      if (f == "IPv4" || f == "IPv6") types.insert(f.get<std::string>());
    }
  }
  if (!types.empty()) return types;
  if (IsServiceIPSet(svc)) {
    return {IsIPv6(base::GetString(svc, {"spec", "clusterIP"})) ? "IPv6"
                                                                : "IPv4"};
  }
  return {"IPv4", "IPv6"};  // headless, families unknown: both
}

bool PublishNotReady(const Json& svc) {
  const Json* p = base::Find(svc, {"spec", "publishNotReadyAddresses"});
  return p != nullptr && p->is_boolean() && p->get<bool>();
}

Labels SliceLabels(const Json& slice, const Json& svc, bool* changed) {
  auto reserved = [](const std::string& k) {
    return k == kServiceNameLabel || k == kManagedByLabel ||
           k == kHeadlessServiceLabel;
  };
  Labels slice_labels, svc_labels;
  for (auto& [k, v] : StringMapAt(slice, {"metadata", "labels"})) {
    if (!reserved(k)) slice_labels[k] = v;
  }
  for (auto& [k, v] : StringMapAt(svc, {"metadata", "labels"})) {
    if (!reserved(k)) svc_labels[k] = v;
  }
  if (changed != nullptr) *changed = slice_labels != svc_labels;
  if (!IsServiceIPSet(svc)) svc_labels[kHeadlessServiceLabel] = "";
  svc_labels[kServiceNameLabel] = base::GetString(svc, {"metadata", "name"});
  svc_labels[kManagedByLabel] = kEndpointSliceControllerName;
  return svc_labels;
}

bool OwnedBy(const Json& slice, const Json& svc) {
  const Json* refs = base::Find(slice, {"metadata", "ownerReferences"});
  if (refs == nullptr || !refs->is_array()) return false;
  std::string uid = base::GetString(svc, {"metadata", "uid"});
  for (const Json& r : *refs) {
    if (StrField(r, "uid") == uid && StrField(r, "kind") == "Service" &&
        StrField(r, "apiVersion") == "v1") {
      return true;
    }
  }
  return false;
}

Json NewSlice(const Json& svc, const Json& ports,
              const std::string& address_type) {
  std::string name = base::GetString(svc, {"metadata", "name"});
  return {{"apiVersion", "discovery.k8s.io/v1"},
          {"kind", "EndpointSlice"},
          {"metadata",
           {{"generateName", name + "-"},
            {"namespace", base::GetString(svc, {"metadata", "namespace"})},
            {"labels", SliceLabels(Json::object(), svc, nullptr)},
            {"ownerReferences", Json::array({OwnerRef(svc)})}}},
          {"addressType", address_type},
          {"endpoints", Json::array()},
          {"ports", ports}};
}

bool SamePlaceholder(const Json& a, const Json& b) {
  auto empty = [](const Json& s, const char* f) {
    const Json* l = base::Find(s, {f});
    return l == nullptr || l->is_null() || (l->is_array() && l->empty());
  };
  auto owners = [](const Json& s) {
    const Json* r = base::Find(s, {"metadata", "ownerReferences"});
    return r == nullptr ? Json(nullptr) : *r;
  };
  return base::GetString(a, {"metadata", "namespace"}) ==
             base::GetString(b, {"metadata", "namespace"}) &&
         StringMapAt(a, {"metadata", "labels"}) ==
             StringMapAt(b, {"metadata", "labels"}) &&
         owners(a) == owners(b) &&
         StrField(a, "addressType") == StrField(b, "addressType") &&
         empty(a, "endpoints") && empty(b, "endpoints") && empty(a, "ports") &&
         empty(b, "ports");
}

Json EndpointPorts(const Json& svc, const Json& pod) {
  Json out = Json::array();
  const Json* ports = base::Find(svc, {"spec", "ports"});
  if (ports == nullptr || !ports->is_array()) return out;
  for (const Json& sp : *ports) {
    if (std::optional<int64_t> n = FindPort(pod, sp)) {
      out.push_back(EndpointPortFor(sp, *n));
    }
  }
  return out;
}

Json PodToEndpoint(const Json& pod, const Json* node, const Json& svc,
                   const std::string& address_type) {
  bool serving = IsPodReady(pod);
  bool terminating = IsTerminating(pod);
  bool ready = PublishNotReady(svc) || (serving && !terminating);
  Json addresses = Json::array();
  for (const std::string& ip : PodIPs(pod)) {
    if (IsIPv6(ip) == (address_type == "IPv6")) addresses.push_back(ip);
  }
  Json ep = {
      {"addresses", std::move(addresses)},
      {"conditions",
       {{"ready", ready}, {"serving", serving}, {"terminating", terminating}}},
      {"targetRef",
       {{"kind", "Pod"},
        {"namespace", base::GetString(pod, {"metadata", "namespace"})},
        {"name", base::GetString(pod, {"metadata", "name"})},
        {"uid", base::GetString(pod, {"metadata", "uid"})}}}};
  std::string node_name = base::GetString(pod, {"spec", "nodeName"});
  if (!node_name.empty()) ep["nodeName"] = node_name;
  if (node != nullptr) {
    std::string zone =
        base::GetString(*node, {"metadata", "labels", kZoneLabel});
    if (!zone.empty()) ep["zone"] = zone;
  }
  if (ShouldSetHostname(pod, svc)) {
    ep["hostname"] = base::GetString(pod, {"spec", "hostname"});
  }
  return ep;
}

}  // namespace ksim::controllers
