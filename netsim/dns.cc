#include "netsim/dns.h"

#include <algorithm>
#include <set>

#include "base/ipv4.h"
#include "client/resource.h"

namespace ksim::netsim {
namespace {

constexpr int kPodNdots = 5;  // the kubelet's resolv.conf for pods

std::vector<std::string> Split(const std::string& s, char sep) {
  std::vector<std::string> out;
  size_t start = 0;
  while (true) {
    size_t p = s.find(sep, start);
    out.push_back(s.substr(start, p - start));
    if (p == std::string::npos) return out;
    start = p + 1;
  }
}

bool EndsWith(const std::string& s, const std::string& suffix) {
  return s.size() >= suffix.size() &&
         s.compare(s.size() - suffix.size(), suffix.size(), suffix) == 0;
}

}  // namespace

Dns::Dns(client::InformerFactory* informers, std::string domain)
    : informers_(informers), domain_(std::move(domain)) {}

std::vector<uint32_t> Dns::Resolve(const std::string& raw,
                                   const std::string& pod_namespace) const {
  std::string name = raw;
  std::transform(name.begin(), name.end(), name.begin(),
                 [](unsigned char c) { return std::tolower(c); });
  if (auto ip = base::ParseIpv4(name)) return {*ip};
  bool absolute = !name.empty() && name.back() == '.';
  if (absolute) name.pop_back();
  if (name.empty()) return {};
  if (pod_namespace.empty()) {
    // A node: /etc/hosts first, then its resolver without cluster search.
    if (node_lookup_) {
      if (auto ip = node_lookup_(name)) return {*ip};
    }
    return Query(name);
  }
  std::vector<std::string> search = {pod_namespace + ".svc." + domain_,
                                     "svc." + domain_, domain_};
  int dots = static_cast<int>(std::count(name.begin(), name.end(), '.'));
  std::vector<std::string> tries;
  if (absolute) {
    tries.push_back(name);
  } else {
    if (dots >= kPodNdots) tries.push_back(name);
    for (const auto& s : search) tries.push_back(name + "." + s);
    if (dots < kPodNdots) tries.push_back(name);
  }
  for (const auto& t : tries) {
    auto ips = Query(t);
    if (!ips.empty()) return ips;
  }
  return {};
}

std::vector<uint32_t> Dns::Query(const std::string& fqdn, int depth) const {
  std::string zone = "." + domain_;
  if (!EndsWith(fqdn, zone) || depth > 4) return {};
  std::vector<std::string> labels =
      Split(fqdn.substr(0, fqdn.size() - zone.size()), '.');
  size_t n = labels.size();
  if (n == 3 && labels[2] == "pod") {
    std::string dotted = labels[0];
    std::replace(dotted.begin(), dotted.end(), '-', '.');
    if (auto ip = base::ParseIpv4(dotted)) return {*ip};
    return {};
  }
  if (n == 3 && labels[2] == "svc") {
    return ServiceAnswer(labels[1], labels[0], "", depth);
  }
  if (n == 4 && labels[3] == "svc") {
    return ServiceAnswer(labels[2], labels[1], labels[0], depth);
  }
  return {};
}

std::vector<uint32_t> Dns::ServiceAnswer(const std::string& ns,
                                         const std::string& name,
                                         const std::string& hostname,
                                         int depth) const {
  client::ObjectPtr svc = informers_->For(client::kServices)->Get(ns, name);
  if (!svc) return {};
  const base::Json& spec = svc->value("spec", base::Json::object());
  std::string type = spec.value("type", "ClusterIP");
  if (type == "ExternalName") {
    if (!hostname.empty()) return {};
    std::string target = spec.value("externalName", "");
    if (!target.empty() && target.back() == '.') target.pop_back();
    return Query(target, depth + 1);
  }
  std::string cluster_ip = spec.value("clusterIP", "");
  if (hostname.empty() && cluster_ip != "None") {
    auto ip = base::ParseIpv4(cluster_ip);
    return ip ? std::vector<uint32_t>{*ip} : std::vector<uint32_t>{};
  }
  // Headless (or a hostname under any Service): the ready endpoints.
  std::set<uint32_t> out;
  for (const auto& s : informers_->For(client::kEndpointSlices)
                           ->ByIndex("kubernetes.io/service-name",
                                     ns + "/" + name)) {
    const base::Json* eps = base::Find(*s, {"endpoints"});
    if (!eps || !eps->is_array()) continue;
    for (const auto& e : *eps) {
      const base::Json* ready = base::Find(e, {"conditions", "ready"});
      if (ready && ready->is_boolean() && !ready->get<bool>()) continue;
      if (!hostname.empty() && e.value("hostname", "") != hostname) continue;
      const base::Json* addrs = base::Find(e, {"addresses"});
      if (!addrs || !addrs->is_array()) continue;
      for (const auto& a : *addrs) {
        if (auto ip = base::ParseIpv4(a.get<std::string>())) out.insert(*ip);
      }
    }
  }
  return {out.begin(), out.end()};
}

}  // namespace ksim::netsim
