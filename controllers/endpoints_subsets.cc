#include "controllers/endpoints_subsets.h"

#include <algorithm>
#include <cmath>
#include <map>
#include <tuple>
#include <utility>

namespace ksim::controllers {

using base::Json;

namespace {

// mapAddressByPort's key: two pods may share an IP (hostNetwork).
using AddressKey = std::pair<std::string, std::string>;  // ip, uid

AddressKey KeyOf(const EndpointAddress& a) { return {a.ip, a.ref_uid}; }

// LessEndpointAddress: by IP, then a missing targetRef first, then uid.
bool LessAddress(const EndpointAddress& a, const EndpointAddress& b) {
  if (a.ip != b.ip) return a.ip < b.ip;
  if (!b.has_target_ref) return false;
  if (!a.has_target_ref) return true;
  return a.ref_uid < b.ref_uid;
}

// The port that stands for "no ports" so port-less addresses survive.
const EndpointPort kSentinel{"", -1, "", std::nullopt};

using ReadyByAddress = std::map<AddressKey, bool>;

void MapAddresses(const EndpointSubset& ss, const EndpointPort& port,
                  std::map<AddressKey, EndpointAddress>& all,
                  std::map<EndpointPort, ReadyByAddress>& by_port) {
  auto map_one = [&](const EndpointAddress& a, bool ready) {
    AddressKey key = KeyOf(a);
    all.try_emplace(key, a);
    ReadyByAddress& set = by_port[port];
    auto [it, inserted] = set.try_emplace(key, ready);
    // Not ready trumps ready.
    if (!inserted && it->second) it->second = ready;
  };
  for (const EndpointAddress& a : ss.addresses) map_one(a, true);
  for (const EndpointAddress& a : ss.not_ready_addresses) map_one(a, false);
}

Json AddressToJson(const EndpointAddress& a) {
  Json j = {{"ip", a.ip}};
  if (!a.hostname.empty()) j["hostname"] = a.hostname;
  if (a.node_name) j["nodeName"] = *a.node_name;
  if (a.has_target_ref) {
    Json ref = Json::object();
    if (!a.ref_kind.empty()) ref["kind"] = a.ref_kind;
    if (!a.ref_namespace.empty()) ref["namespace"] = a.ref_namespace;
    if (!a.ref_name.empty()) ref["name"] = a.ref_name;
    if (!a.ref_uid.empty()) ref["uid"] = a.ref_uid;
    j["targetRef"] = std::move(ref);
  }
  return j;
}

EndpointAddress AddressFromJson(const Json& j) {
  EndpointAddress a;
  a.ip = base::GetString(j, {"ip"});
  a.hostname = base::GetString(j, {"hostname"});
  const Json* node = base::Find(j, {"nodeName"});
  if (node != nullptr && node->is_string())
    a.node_name = node->get<std::string>();
  const Json* ref = base::Find(j, {"targetRef"});
  if (ref != nullptr && ref->is_object()) {
    a.has_target_ref = true;
    a.ref_kind = base::GetString(*ref, {"kind"});
    a.ref_namespace = base::GetString(*ref, {"namespace"});
    a.ref_name = base::GetString(*ref, {"name"});
    a.ref_uid = base::GetString(*ref, {"uid"});
  }
  return a;
}

std::vector<EndpointAddress> AddressesFromJson(const Json& ss,
                                               const char* field) {
  std::vector<EndpointAddress> out;
  const Json* list = base::Find(ss, {field});
  if (list == nullptr || !list->is_array()) return out;
  for (const Json& a : *list) out.push_back(AddressFromJson(a));
  return out;
}

}  // namespace

std::vector<EndpointSubset> RepackSubsets(
    const std::vector<EndpointSubset>& subsets) {
  std::map<AddressKey, EndpointAddress> all;
  std::map<EndpointPort, ReadyByAddress> by_port;
  for (const EndpointSubset& ss : subsets) {
    if (ss.ports.empty()) {
      MapAddresses(ss, kSentinel, all, by_port);
    } else {
      for (const EndpointPort& p : ss.ports) MapAddresses(ss, p, all, by_port);
    }
  }
  // Group the ports offered by exactly the same addresses and readiness.
  std::map<ReadyByAddress, std::vector<EndpointPort>> ports_by_addresses;
  for (const auto& [port, addrs] : by_port) {
    std::vector<EndpointPort>& ports = ports_by_addresses[addrs];
    if (port.port > 0) ports.push_back(port);
  }
  std::vector<EndpointSubset> out;
  for (auto& [addrs, ports] : ports_by_addresses) {
    EndpointSubset ss;
    for (const auto& [key, ready] : addrs) {
      (ready ? ss.addresses : ss.not_ready_addresses).push_back(all.at(key));
    }
    std::sort(ss.addresses.begin(), ss.addresses.end(), LessAddress);
    std::sort(ss.not_ready_addresses.begin(), ss.not_ready_addresses.end(),
              LessAddress);
    ss.ports = std::move(ports);
    std::sort(ss.ports.begin(), ss.ports.end());
    out.push_back(std::move(ss));
  }
  std::sort(out.begin(), out.end());
  return out;
}

size_t CountAddresses(const std::vector<EndpointSubset>& subsets) {
  size_t n = 0;
  for (const EndpointSubset& ss : subsets) {
    n += ss.addresses.size() + ss.not_ready_addresses.size();
  }
  return n;
}

bool TruncateSubsets(std::vector<EndpointSubset>* subsets, int max_capacity) {
  size_t total_ready = 0, total_not_ready = 0;
  for (const EndpointSubset& ss : *subsets) {
    total_ready += ss.addresses.size();
    total_not_ready += ss.not_ready_addresses.size();
  }
  if (total_ready + total_not_ready <= static_cast<size_t>(max_capacity)) {
    return false;
  }
  bool truncate_ready = total_ready > static_cast<size_t>(max_capacity);
  // What may be kept of the list being cut, and that list's total.
  int64_t max = truncate_ready
                    ? max_capacity
                    : max_capacity - static_cast<int64_t>(total_ready);
  double num_total = truncate_ready ? total_ready : total_not_ready;
  int64_t can_be_added = max;
  for (EndpointSubset& ss : *subsets) {
    std::vector<EndpointAddress>& list =
        truncate_ready ? ss.addresses : ss.not_ready_addresses;
    // The subset's share, rounded up; the last subsets get what is left.
    int64_t to_be_added =
        static_cast<int64_t>(std::ceil(static_cast<double>(list.size()) /
                                       num_total * static_cast<double>(max)));
    to_be_added = std::min(to_be_added, can_be_added);
    if (list.size() > static_cast<size_t>(to_be_added))
      list.resize(to_be_added);
    if (truncate_ready) ss.not_ready_addresses.clear();
    can_be_added -= static_cast<int64_t>(list.size());
  }
  return true;
}

Json SubsetsToJson(const std::vector<EndpointSubset>& subsets) {
  Json out = Json::array();
  for (const EndpointSubset& ss : subsets) {
    Json j = Json::object();
    for (const EndpointAddress& a : ss.addresses) {
      j["addresses"].push_back(AddressToJson(a));
    }
    for (const EndpointAddress& a : ss.not_ready_addresses) {
      j["notReadyAddresses"].push_back(AddressToJson(a));
    }
    for (const EndpointPort& p : ss.ports) {
      Json pj = {{"port", p.port}, {"protocol", p.protocol}};
      if (!p.name.empty()) pj["name"] = p.name;
      if (p.app_protocol) pj["appProtocol"] = *p.app_protocol;
      j["ports"].push_back(std::move(pj));
    }
    out.push_back(std::move(j));
  }
  return out;
}

std::vector<EndpointSubset> SubsetsFromJson(const Json* subsets) {
  std::vector<EndpointSubset> out;
  if (subsets == nullptr || !subsets->is_array()) return out;
  for (const Json& j : *subsets) {
    EndpointSubset ss;
    ss.addresses = AddressesFromJson(j, "addresses");
    ss.not_ready_addresses = AddressesFromJson(j, "notReadyAddresses");
    const Json* ports = base::Find(j, {"ports"});
    if (ports != nullptr && ports->is_array()) {
      for (const Json& p : *ports) {
        EndpointPort port{base::GetString(p, {"name"}),
                          base::GetInt(p, {"port"}),
                          base::GetString(p, {"protocol"}), std::nullopt};
        const Json* app = base::Find(p, {"appProtocol"});
        if (app != nullptr && app->is_string()) {
          port.app_protocol = app->get<std::string>();
        }
        ss.ports.push_back(std::move(port));
      }
    }
    out.push_back(std::move(ss));
  }
  return out;
}

}  // namespace ksim::controllers
