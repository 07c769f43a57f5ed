#include "apiserver/service_ips.h"

#include <cstdio>

#include "apiserver/field_errors.h"
#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "base/ipv4.h"

namespace ksim::apiserver {
namespace {

bool NeedsNodePorts(const base::Json& svc) {
  std::string type = base::GetString(svc, {"spec", "type"}, "ClusterIP");
  return type == "NodePort" || type == "LoadBalancer";
}

bool HasVirtualIp(const base::Json& svc) {
  return base::GetString(svc, {"spec", "type"}, "ClusterIP") != "ExternalName";
}

bool ParseIp(const std::string& s, uint32_t* out) {
  auto ip = base::ParseIpv4(s);
  if (ip) *out = *ip;
  return ip.has_value();
}

}  // namespace

ServiceAddressAllocator::ServiceAddressAllocator(store::Store* store,
                                                 base::Rng* rng,
                                                 ServiceRanges ranges)
    : store_(store), rng_(rng), ranges_(std::move(ranges)) {
  // ksim up checks the CIDR; a bad one here leaves a /24 at 0.0.0.0.
  auto cidr = base::ParseIpv4Cidr(ranges_.cidr);
  int bits = cidr ? cidr->prefix : 24;
  base_ = cidr ? cidr->Network() : 0;
  size_ = bits >= 32 ? 1 : (1u << (32 - bits));
}

void ServiceAddressAllocator::LoadLocked() {
  if (loaded_) return;
  loaded_ = true;
  const ResourceInfo* svcs = FindResource("", "v1", "services");
  store::ListOptions lo;
  lo.prefix = ResourcePrefix(*svcs);
  auto list = store_->List(lo);
  if (!list.ok()) return;
  for (const auto& item : list->items) {
    auto j = base::ParseJson(*item.value);
    if (!j.ok()) continue;
    uint32_t ip;
    if (ParseIp(base::GetString(*j, {"spec", "clusterIP"}), &ip)) {
      ips_.insert(ip);
    }
    if (const base::Json* ports = base::Find(*j, {"spec", "ports"});
        ports && ports->is_array()) {
      for (const auto& p : *ports) {
        if (p.contains("nodePort") && p["nodePort"].is_number_integer()) {
          ports_.insert(p["nodePort"].get<int>());
        }
      }
    }
  }
}

base::Status ServiceAddressAllocator::AllocateIpLocked(base::Json& svc) {
  base::Json& spec = svc["spec"];
  std::string requested = spec.value("clusterIP", "");
  if (requested.empty() && spec.contains("clusterIPs") &&
      spec["clusterIPs"].is_array() && !spec["clusterIPs"].empty() &&
      spec["clusterIPs"][0].is_string()) {
    requested = spec["clusterIPs"][0].get<std::string>();
  }
  if (requested == "None") {
    spec["clusterIP"] = "None";
    spec["clusterIPs"] = {"None"};
    return base::Status::Ok();
  }
  uint32_t ip = 0;
  if (!requested.empty()) {
    std::string range = "The range of valid IPs is " + ranges_.cidr;
    if (!ParseIp(requested, &ip)) {
      return ToInvalidStatus("", "Service",
                             base::GetString(svc, {"metadata", "name"}),
                             {Invalid("spec.clusterIPs[0]", requested,
                                      "must be a valid IP address, (e.g. "
                                      "10.9.8.7 or 2001:db8::ffff)")});
    }
    if (ip <= base_ || ip >= base_ + size_ - 1) {
      return ToInvalidStatus(
          "", "Service", base::GetString(svc, {"metadata", "name"}),
          {Invalid("spec.clusterIPs[0]", requested,
                   "failed to allocate IP " + requested +
                       ": provided IP is not in the valid range. " + range)});
    }
    if (ips_.count(ip)) {
      return ToInvalidStatus(
          "", "Service", base::GetString(svc, {"metadata", "name"}),
          {Invalid("spec.clusterIPs[0]", requested,
                   "failed to allocate IP " + requested +
                       ": provided IP is already allocated")});
    }
  } else {
    // Dynamic allocations avoid .1 (kept for the `kubernetes` Service) and
    // the network and broadcast addresses.
    uint64_t usable = size_ > 3 ? size_ - 3 : 0;
    if (ips_.size() >= usable) {
      return base::Status(base::Code::kInternal,
                          "Internal error occurred: failed to allocate a "
                          "serviceIP: range is full");
    }
    do {
      ip = base_ + 2 + static_cast<uint32_t>(rng_->Uniform(usable));
    } while (ips_.count(ip));
  }
  ips_.insert(ip);
  spec["clusterIP"] = base::FormatIpv4(ip);
  spec["clusterIPs"] = {base::FormatIpv4(ip)};
  return base::Status::Ok();
}

base::Status ServiceAddressAllocator::AllocatePortsLocked(const base::Json* old,
                                                          base::Json& svc) {
  base::Json& ports = svc["spec"]["ports"];
  if (!ports.is_array()) return base::Status::Ok();
  std::set<int> owned;  // ports the old object already holds
  if (old) {
    if (const base::Json* op = base::Find(*old, {"spec", "ports"});
        op && op->is_array()) {
      for (const auto& p : *op) {
        if (p.contains("nodePort")) owned.insert(p.value("nodePort", 0));
      }
    }
  }
  std::string name = base::GetString(svc, {"metadata", "name"});
  const int span = ranges_.node_port_max - ranges_.node_port_min + 1;
  for (size_t i = 0; i < ports.size(); ++i) {
    base::Json& p = ports[i];
    int np = p.value("nodePort", 0);
    std::string field = "spec.ports[" + std::to_string(i) + "].nodePort";
    if (np != 0) {
      if (owned.count(np)) continue;
      if (np < ranges_.node_port_min || np > ranges_.node_port_max) {
        return ToInvalidStatus(
            "", "Service", name,
            {Invalid(field, np,
                     "provided port is not in the valid range. "
                     "The range of valid ports is " +
                         std::to_string(ranges_.node_port_min) + "-" +
                         std::to_string(ranges_.node_port_max))});
      }
      if (ports_.count(np)) {
        return ToInvalidStatus(
            "", "Service", name,
            {Invalid(field, np, "provided port is already allocated")});
      }
    } else {
      if (static_cast<int>(ports_.size()) >= span) {
        return base::Internal("failed to allocate a nodePort: range is full");
      }
      do {
        np = ranges_.node_port_min + static_cast<int>(rng_->Uniform(span));
      } while (ports_.count(np));
      p["nodePort"] = np;
    }
    ports_.insert(np);
  }
  return base::Status::Ok();
}

base::Status ServiceAddressAllocator::Allocate(const base::Json* old,
                                               base::Json& svc) {
  std::lock_guard<std::mutex> l(mu_);
  LoadLocked();
  if (!svc.contains("spec") || !svc["spec"].is_object()) {
    return base::Status::Ok();  // validation reports the missing spec
  }
  if (old == nullptr && HasVirtualIp(svc)) {
    KSIM_RETURN_IF_ERROR(AllocateIpLocked(svc));
  }
  if (NeedsNodePorts(svc)) {
    base::Status s = AllocatePortsLocked(old, svc);
    if (!s.ok()) return s;
  }
  return base::Status::Ok();
}

void ServiceAddressAllocator::Release(const base::Json& svc,
                                      const base::Json* keep) {
  std::lock_guard<std::mutex> l(mu_);
  if (!loaded_) return;
  std::set<int> kept_ports;
  std::string kept_ip;
  if (keep) {
    kept_ip = base::GetString(*keep, {"spec", "clusterIP"});
    if (const base::Json* kp = base::Find(*keep, {"spec", "ports"});
        kp && kp->is_array()) {
      for (const auto& p : *kp) kept_ports.insert(p.value("nodePort", 0));
    }
  }
  uint32_t ip;
  std::string cip = base::GetString(svc, {"spec", "clusterIP"});
  if (cip != kept_ip && ParseIp(cip, &ip)) ips_.erase(ip);
  if (const base::Json* ports = base::Find(svc, {"spec", "ports"});
      ports && ports->is_array()) {
    for (const auto& p : *ports) {
      int np = p.value("nodePort", 0);
      if (np && !kept_ports.count(np)) ports_.erase(np);
    }
  }
}

}  // namespace ksim::apiserver
