// Printers of the core-group kinds other than pods: services, endpoints,
// events, namespaces, nodes, configmaps, secrets and serviceaccounts, as
// pkg/printers/internalversion/printers.go (Kubernetes 1.32) prints them.
#include <algorithm>
#include <set>
#include <string>

#include "apiserver/table_internal.h"

namespace ksim::apiserver::table_internal {
namespace {

std::string Join(const std::vector<std::string>& parts, const char* sep) {
  std::string out;
  for (size_t i = 0; i < parts.size(); ++i) out += (i ? sep : "") + parts[i];
  return out;
}

std::vector<std::string> Strings(const Json& array) {
  std::vector<std::string> out;
  for (const auto& v : array)
    out.push_back(v.is_string() ? v.get<std::string>() : "");
  return out;
}

// getServiceExternalIP with wide output (no truncation of LB addresses).
std::string ServiceExternalIP(const Json& svc) {
  std::vector<std::string> external =
      Strings(ArrayAt(svc, {"spec", "externalIPs"}));
  const std::string type = base::GetString(svc, {"spec", "type"});
  if (type == "ClusterIP" || type == "NodePort") {
    return external.empty() ? "<none>" : Join(external, ",");
  }
  if (type == "ExternalName") {
    return base::GetString(svc, {"spec", "externalName"});
  }
  if (type != "LoadBalancer") return "<unknown>";
  std::set<std::string> lb;  // loadBalancerStatusStringer: sorted, unique
  for (const auto& in : ArrayAt(svc, {"status", "loadBalancer", "ingress"})) {
    if (!Str(in, "ip").empty()) {
      lb.insert(Str(in, "ip"));
    } else if (!Str(in, "hostname").empty()) {
      lb.insert(Str(in, "hostname"));
    }
  }
  std::vector<std::string> results(lb.begin(), lb.end());
  if (!external.empty()) {
    results.insert(results.end(), external.begin(), external.end());
    return Join(results, ",");
  }
  return results.empty() ? "<pending>" : Join(results, ",");
}

std::string ServicePorts(const Json& svc) {
  std::vector<std::string> pieces;
  for (const auto& p : ArrayAt(svc, {"spec", "ports"})) {
    std::string piece = std::to_string(Int(p, "port"));
    if (Int(p, "nodePort") > 0) {
      piece += ":" + std::to_string(Int(p, "nodePort"));
    }
    pieces.push_back(piece + "/" + Str(p, "protocol"));
  }
  return pieces.empty() ? "<none>" : Join(pieces, ",");
}

// spec.clusterIPs[0]; kube always stores clusterIPs, spec.clusterIP is only
// a fallback for objects written without it.
std::string ClusterIP(const Json& svc) {
  const Json& ips = ArrayAt(svc, {"spec", "clusterIPs"});
  if (!ips.empty()) return ips[0].is_string() ? ips[0].get<std::string>() : "";
  std::string ip = base::GetString(svc, {"spec", "clusterIP"});
  return ip.empty() ? "<none>" : ip;
}

PrintedRow PrintService(const Json& svc, base::Time now) {
  PrintedRow row;
  row.cells = Json::array(
      {Name(svc), base::GetString(svc, {"spec", "type"}), ClusterIP(svc),
       ServiceExternalIP(svc), ServicePorts(svc), Age(svc, now),
       FormatLabels(base::Find(svc, {"spec", "selector"}))});
  return row;
}

// formatEndpoints with all ports: at most three "ip:port" then "+ N more...".
std::string FormatEndpoints(const Json& ep) {
  const Json& subsets = ArrayAt(ep, {"subsets"});
  if (subsets.empty()) return "<none>";
  constexpr size_t kMax = 3;
  std::vector<std::string> list;
  bool more = false;
  size_t count = 0;
  for (const auto& ss : subsets) {
    const Json& addresses = ArrayAt(ss, {"addresses"});
    const Json& ports = ArrayAt(ss, {"ports"});
    if (ports.empty()) {  // headless services without ports
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(Str(a, "ip"));
      }
      continue;
    }
    for (const auto& port : ports) {
      count += addresses.size();
      for (const auto& a : addresses) {
        if (list.size() == kMax) {
          more = true;
          break;
        }
        list.push_back(JoinHostPort(Str(a, "ip"), Int(port, "port")));
      }
    }
  }
  std::string ret = Join(list, ",");
  if (more) ret += " + " + std::to_string(count - kMax) + " more...";
  return ret;
}

PrintedRow PrintEndpoints(const Json& ep, base::Time now) {
  PrintedRow row;
  row.cells = Json::array({Name(ep), FormatEndpoints(ep), Age(ep, now)});
  return row;
}

std::string Lower(std::string s) {
  std::transform(s.begin(), s.end(), s.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  return s;
}

std::string TrimSpace(const std::string& s) {
  const char* kSpace = " \t\n\v\f\r";
  size_t b = s.find_first_not_of(kSpace);
  if (b == std::string::npos) return "";
  return s.substr(b, s.find_last_not_of(kSpace) - b + 1);
}

// formatEventSource: component (or reportingComponent), then ", host" (or
// reportingInstance) when there is one.
std::string EventSource(const Json& ev) {
  std::string component = base::GetString(ev, {"source", "component"});
  if (component.empty()) component = Str(ev, "reportingComponent");
  std::string host = base::GetString(ev, {"source", "host"});
  if (host.empty()) host = Str(ev, "reportingInstance");
  return host.empty() ? component : component + ", " + host;
}

PrintedRow PrintEvent(const Json& ev, base::Time now) {
  auto first_time = TimeAt(ev, {"firstTimestamp"});
  std::string first = first_time ? Since(first_time, now)
                                 : Since(TimeAt(ev, {"eventTime"}), now);
  auto last_time = TimeAt(ev, {"lastTimestamp"});
  std::string last = last_time ? Since(last_time, now) : first;
  int64_t count = Int(ev, "count");
  const Json* series = base::Find(ev, {"series"});
  if (series != nullptr && series->is_object()) {
    last = Since(TimeAt(*series, {"lastObservedTime"}), now);
    count = Int(*series, "count");
  } else if (count == 0) {
    count = 1;  // singleton events of the events.k8s.io API carry no count
  }
  std::string kind = Lower(base::GetString(ev, {"involvedObject", "kind"}));
  std::string name = base::GetString(ev, {"involvedObject", "name"});
  PrintedRow row;
  row.cells = Json::array({last, Str(ev, "type"), Str(ev, "reason"),
                           name.empty() ? kind : kind + "/" + name,
                           base::GetString(ev, {"involvedObject", "fieldPath"}),
                           EventSource(ev), TrimSpace(Str(ev, "message")),
                           first, count, Name(ev)});
  return row;
}

PrintedRow PrintNamespace(const Json& ns, base::Time now) {
  PrintedRow row;
  row.cells = Json::array(
      {Name(ns), base::GetString(ns, {"status", "phase"}), Age(ns, now)});
  return row;
}

// Roles from node-role.kubernetes.io/<role> and kubernetes.io/role=<role>.
std::string NodeRoles(const Json& node) {
  static const std::string kPrefix = "node-role.kubernetes.io/";
  std::set<std::string> roles;
  const Json* labels = base::Find(node, {"metadata", "labels"});
  if (labels != nullptr && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      std::string value = v.is_string() ? v.get<std::string>() : "";
      if (k.rfind(kPrefix, 0) == 0 && k.size() > kPrefix.size()) {
        roles.insert(k.substr(kPrefix.size()));
      } else if (k == "kubernetes.io/role" && !value.empty()) {
        roles.insert(value);
      }
    }
  }
  std::string out = Join({roles.begin(), roles.end()}, ",");
  return out.empty() ? "<none>" : out;
}

std::string NodeStatus(const Json& node) {
  const Json* ready = nullptr;  // the last Ready condition wins, as in kube
  for (const auto& c : ArrayAt(node, {"status", "conditions"})) {
    if (Str(c, "type") == "Ready") ready = &c;
  }
  std::string status = ready == nullptr                  ? "Unknown"
                       : Str(*ready, "status") == "True" ? "Ready"
                                                         : "NotReady";
  const Json* unschedulable = base::Find(node, {"spec", "unschedulable"});
  if (unschedulable != nullptr && unschedulable->is_boolean() &&
      unschedulable->get<bool>()) {
    status += ",SchedulingDisabled";
  }
  return status;
}

std::string NodeAddress(const Json& node, std::string_view type) {
  for (const auto& a : ArrayAt(node, {"status", "addresses"})) {
    if (Str(a, "type") == type) return Str(a, "address");
  }
  return "<none>";
}

std::string OrUnknown(std::string s) { return s.empty() ? "<unknown>" : s; }

PrintedRow PrintNode(const Json& node, base::Time now) {
  auto info = [&](const char* key) {
    return base::GetString(node, {"status", "nodeInfo", key});
  };
  PrintedRow row;
  row.cells = Json::array(
      {Name(node), NodeStatus(node), NodeRoles(node), Age(node, now),
       info("kubeletVersion"), NodeAddress(node, "InternalIP"),
       NodeAddress(node, "ExternalIP"), OrUnknown(info("osImage")),
       OrUnknown(info("kernelVersion")),
       OrUnknown(info("containerRuntimeVersion"))});
  return row;
}

int64_t Size(const Json& obj, const char* key) {
  const Json* v = base::Find(obj, {key});
  return v != nullptr && (v->is_object() || v->is_array()) ? v->size() : 0;
}

PrintedRow PrintConfigMap(const Json& cm, base::Time now) {
  PrintedRow row;
  row.cells = Json::array(
      {Name(cm), Size(cm, "data") + Size(cm, "binaryData"), Age(cm, now)});
  return row;
}

PrintedRow PrintSecret(const Json& s, base::Time now) {
  PrintedRow row;
  row.cells =
      Json::array({Name(s), Str(s, "type"), Size(s, "data"), Age(s, now)});
  return row;
}

PrintedRow PrintServiceAccount(const Json& sa, base::Time now) {
  PrintedRow row;
  row.cells = Json::array({Name(sa), Size(sa, "secrets"), Age(sa, now)});
  return row;
}

Column NameColumn() { return {"Name", "string", "name", kNameDescription, 0}; }
Column AgeColumn() { return {"Age", "string", "", kAgeDescription, 0}; }

}  // namespace

const Printer* CorePrinter(std::string_view resource) {
  static const Printer kServices{
      {NameColumn(),
       {"Type", "string", "", "How the service is exposed.", 0},
       {"Cluster-IP", "string", "", "The service's cluster IP address.", 0},
       {"External-IP", "string", "",
        "External addresses: externalIPs or the load balancer's ingress.", 0},
       {"Port(s)", "string", "", "The ports the service exposes.", 0},
       AgeColumn(),
       {"Selector", "string", "",
        "The labels of the pods the service routes traffic to.", 1}},
      &PrintService};
  static const Printer kEndpoints{
      {NameColumn(),
       {"Endpoints", "string", "", "The ready addresses and their ports.", 0},
       AgeColumn()},
      &PrintEndpoints};
  static const Printer kEvents{
      {{"Last Seen", "string", "", "Time since the event last occurred.", 0},
       {"Type", "string", "", "Type of the event (Normal, Warning).", 0},
       {"Reason", "string", "", "Why the event happened, in CamelCase.", 0},
       {"Object", "string", "", "The object the event is about.", 0},
       {"Subobject", "string", "",
        "The part of the object the event is about (fieldPath).", 1},
       {"Source", "string", "", "The component that reported the event.", 1},
       {"Message", "string", "", "What happened, for humans.", 0},
       {"First Seen", "string", "", "Time since the event first occurred.", 1},
       {"Count", "string", "", "How many times the event occurred.", 1},
       {"Name", "string", "name", kNameDescription, 1}},
      &PrintEvent};
  static const Printer kNamespaces{
      {NameColumn(),
       {"Status", "string", "", "The status of the namespace", 0},
       AgeColumn()},
      &PrintNamespace};
  static const Printer kNodes{
      {NameColumn(),
       {"Status", "string", "", "The status of the node", 0},
       {"Roles", "string", "", "The roles of the node", 0},
       AgeColumn(),
       {"Version", "string", "", "The kubelet version of the node.", 0},
       {"Internal-IP", "string", "", "The node's internal address.", 1},
       {"External-IP", "string", "", "The node's external address.", 1},
       {"OS-Image", "string", "", "The node's operating system image.", 1},
       {"Kernel-Version", "string", "", "The node's kernel version.", 1},
       {"Container-Runtime", "string", "",
        "The node's container runtime and version.", 1}},
      &PrintNode};
  static const Printer kConfigMaps{
      {NameColumn(),
       {"Data", "string", "", "How many keys the config map holds.", 0},
       AgeColumn()},
      &PrintConfigMap};
  static const Printer kSecrets{
      {NameColumn(),
       {"Type", "string", "", "The type of the secret's data.", 0},
       {"Data", "string", "", "How many keys the secret holds.", 0},
       AgeColumn()},
      &PrintSecret};
  static const Printer kServiceAccounts{
      {NameColumn(),
       {"Secrets", "string", "", "How many secrets the service account lists.",
        0},
       AgeColumn()},
      &PrintServiceAccount};
  if (resource == "services") return &kServices;
  if (resource == "endpoints") return &kEndpoints;
  if (resource == "events") return &kEvents;
  if (resource == "namespaces") return &kNamespaces;
  if (resource == "nodes") return &kNodes;
  if (resource == "configmaps") return &kConfigMaps;
  if (resource == "secrets") return &kSecrets;
  if (resource == "serviceaccounts") return &kServiceAccounts;
  return nullptr;
}

}  // namespace ksim::apiserver::table_internal
