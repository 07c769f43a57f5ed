// Printers of the kinds outside the core group: deployments and replicasets
// (apps), endpointslices (discovery.k8s.io) and leases
// (coordination.k8s.io), as pkg/printers/internalversion/printers.go
// (Kubernetes 1.32) prints them.
#include <string>

#include "apiserver/selector.h"
#include "apiserver/table_internal.h"

namespace ksim::apiserver::table_internal {
namespace {

// spec.replicas is defaulted to 1 when a workload is written without it.
int64_t DesiredReplicas(const Json& obj) {
  const Json* v = base::Find(obj, {"spec", "replicas"});
  return v != nullptr && v->is_number_integer() ? v->get<int64_t>() : 1;
}

int64_t StatusInt(const Json& obj, const char* key) {
  return base::GetInt(obj, {"status", key});
}

PrintedRow PrintDeployment(const Json& d, base::Time now) {
  const Json* selector_json = base::Find(d, {"spec", "selector"});
  auto selector = LabelSelector::FromJson(
      selector_json != nullptr ? *selector_json : Json());
  std::string names, images;
  ContainerCells(base::Find(d, {"spec", "template", "spec", "containers"}),
                 names, images);
  PrintedRow row;
  row.cells = Json::array(
      {Name(d),
       std::to_string(StatusInt(d, "readyReplicas")) + "/" +
           std::to_string(DesiredReplicas(d)),
       StatusInt(d, "updatedReplicas"), StatusInt(d, "availableReplicas"),
       Age(d, now), names, images,
       selector.ok() ? selector->String() : std::string("<invalid>")});
  return row;
}

// metav1.FormatLabelSelector: "<error>" when invalid, "<none>" when empty.
std::string FormatLabelSelector(const Json* selector_json) {
  auto selector = LabelSelector::FromJson(
      selector_json != nullptr ? *selector_json : Json());
  if (!selector.ok()) return "<error>";
  std::string s = selector->String();
  return s.empty() ? "<none>" : s;
}

PrintedRow PrintReplicaSet(const Json& rs, base::Time now) {
  std::string names, images;
  ContainerCells(base::Find(rs, {"spec", "template", "spec", "containers"}),
                 names, images);
  PrintedRow row;
  row.cells =
      Json::array({Name(rs), DesiredReplicas(rs), StatusInt(rs, "replicas"),
                   StatusInt(rs, "readyReplicas"), Age(rs, now), names, images,
                   FormatLabelSelector(base::Find(rs, {"spec", "selector"}))});
  return row;
}

// listWithMoreString: at most three entries, "<unset>" for none.
std::string ListWithMore(const std::vector<std::string>& list, size_t count) {
  constexpr size_t kMax = 3;
  std::string ret;
  for (size_t i = 0; i < list.size() && i < kMax; ++i) {
    ret += (i ? "," : "") + list[i];
  }
  if (count > kMax) {
    return ret + " + " + std::to_string(count - kMax) + " more...";
  }
  return ret.empty() ? "<unset>" : ret;
}

std::string SlicePorts(const Json& slice) {
  std::vector<std::string> list;
  for (const auto& p : ArrayAt(slice, {"ports"})) {
    const Json* port = base::Find(p, {"port"});
    const Json* name = base::Find(p, {"name"});
    if (port != nullptr && port->is_number_integer()) {
      list.push_back(std::to_string(port->get<int64_t>()));
    } else if (name != nullptr && name->is_string()) {
      list.push_back(name->get<std::string>());
    } else {
      list.push_back("*");
    }
  }
  return ListWithMore(list, list.size());
}

std::string SliceEndpoints(const Json& slice) {
  std::vector<std::string> list;
  for (const auto& ep : ArrayAt(slice, {"endpoints"})) {
    for (const auto& a : ArrayAt(ep, {"addresses"})) {
      list.push_back(a.is_string() ? a.get<std::string>() : "");
    }
  }
  return ListWithMore(list, list.size());
}

PrintedRow PrintEndpointSlice(const Json& slice, base::Time now) {
  PrintedRow row;
  row.cells =
      Json::array({Name(slice), Str(slice, "addressType"), SlicePorts(slice),
                   SliceEndpoints(slice), Age(slice, now)});
  return row;
}

PrintedRow PrintLease(const Json& lease, base::Time now) {
  PrintedRow row;
  row.cells = Json::array({Name(lease),
                           base::GetString(lease, {"spec", "holderIdentity"}),
                           Age(lease, now)});
  return row;
}

Column NameColumn() { return {"Name", "string", "name", kNameDescription, 0}; }
Column AgeColumn() { return {"Age", "string", "", kAgeDescription, 0}; }
Column ContainersColumn() {
  return {"Containers", "string", "",
          "Names of each container in the template.", 1};
}
Column ImagesColumn() {
  return {"Images", "string", "",
          "Images referenced by each container in the template.", 1};
}
Column SelectorColumn() {
  return {"Selector", "string", "",
          "The label query over the pods the controller manages.", 1};
}

}  // namespace

const Printer* GroupPrinter(std::string_view qualified) {
  static const Printer kDeployments{
      {NameColumn(),
       {"Ready", "string", "", "Number of the pod with ready state", 0},
       {"Up-to-date", "string", "",
        "Number of pods that run the latest pod template.", 0},
       {"Available", "string", "",
        "Number of pods available (ready for minReadySeconds).", 0},
       AgeColumn(),
       ContainersColumn(),
       ImagesColumn(),
       SelectorColumn()},
      &PrintDeployment};
  static const Printer kReplicaSets{
      {NameColumn(),
       {"Desired", "integer", "", "Number of desired pods.", 0},
       {"Current", "integer", "", "Number of pods the controller created.", 0},
       {"Ready", "integer", "", "Number of ready pods.", 0},
       AgeColumn(),
       ContainersColumn(),
       ImagesColumn(),
       SelectorColumn()},
      &PrintReplicaSet};
  static const Printer kEndpointSlices{
      {NameColumn(),
       {"AddressType", "string", "",
        "The type of address the slice carries (IPv4, IPv6, FQDN).", 0},
       {"Ports", "string", "", "The ports the endpoints expose.", 0},
       {"Endpoints", "string", "", "The addresses of the endpoints.", 0},
       AgeColumn()},
      &PrintEndpointSlice};
  static const Printer kLeases{
      {NameColumn(),
       {"Holder", "string", "", "The identity of the lease's holder.", 0},
       AgeColumn()},
      &PrintLease};
  if (qualified == "deployments.apps") return &kDeployments;
  if (qualified == "replicasets.apps") return &kReplicaSets;
  if (qualified == "endpointslices.discovery.k8s.io") return &kEndpointSlices;
  if (qualified == "leases.coordination.k8s.io") return &kLeases;
  return nullptr;
}

}  // namespace ksim::apiserver::table_internal
