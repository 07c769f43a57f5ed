#include "netsim/proxier.h"

#include <algorithm>
#include <utility>

#include "base/ipv4.h"
#include "client/resource.h"

namespace ksim::netsim {
namespace {

constexpr char kServiceNameLabel[] = "kubernetes.io/service-name";

uint64_t VipKey(uint32_t ip, int port) {
  return (uint64_t{ip} << 16) | static_cast<uint16_t>(port);
}

bool Bool(const base::Json& j, std::string_view key, bool fallback) {
  auto it = j.find(key);
  return it != j.end() && it->is_boolean() ? it->get<bool>() : fallback;
}

// The endpoints of one Service port from the Service's slices: the slice
// port of the same name and protocol gives each endpoint's target port (a
// named targetPort resolves per pod, so slices differ in port numbers).
std::vector<ProxyEndpoint> EndpointsFor(
    const std::vector<client::ObjectPtr>& slices, const std::string& name,
    const std::string& protocol) {
  std::map<std::pair<uint32_t, int>, ProxyEndpoint> out;
  for (const auto& s : slices) {
    if (base::GetString(*s, {"addressType"}) != "IPv4") continue;
    const base::Json* ports = base::Find(*s, {"ports"});
    if (!ports || !ports->is_array()) continue;
    int port = 0;
    for (const auto& p : *ports) {
      if (p.value("name", "") == name && p.value("protocol", "TCP") == protocol) {
        port = p.value("port", 0);
      }
    }
    const base::Json* eps = base::Find(*s, {"endpoints"});
    if (port == 0 || !eps || !eps->is_array()) continue;
    for (const auto& e : *eps) {
      const base::Json* addrs = base::Find(e, {"addresses"});
      if (!addrs || !addrs->is_array() || addrs->empty()) continue;
      auto ip = base::ParseIpv4((*addrs)[0].get<std::string>());
      if (!ip) continue;
      ProxyEndpoint ep;
      ep.ip = *ip;
      ep.port = port;
      ep.node = e.value("nodeName", "");
      if (const base::Json* ref = base::Find(e, {"targetRef"})) {
        ep.pod = ref->value("namespace", "") + "/" + ref->value("name", "");
      }
      ep.ip_text = base::FormatIpv4(*ip);
      ep.address = ep.ip_text + ":" + std::to_string(port);
      const base::Json* c = base::Find(e, {"conditions"});
      base::Json none = base::Json::object();
      if (!c) c = &none;
      // EndpointConditions: a nil ready means ready; nil serving follows
      // ready; nil terminating means not terminating.
      ep.ready = Bool(*c, "ready", true);
      ep.serving = Bool(*c, "serving", ep.ready);
      ep.terminating = Bool(*c, "terminating", false);
      out.emplace(std::make_pair(ep.ip, ep.port), std::move(ep));
    }
  }
  std::vector<ProxyEndpoint> v;
  for (auto& [k, ep] : out) v.push_back(std::move(ep));
  return v;
}

// CategorizeEndpoints' cluster set: ready endpoints, or else the
// serving+terminating ones.
std::vector<size_t> ClusterSet(const std::vector<ProxyEndpoint>& eps) {
  std::vector<size_t> out;
  for (size_t i = 0; i < eps.size(); ++i) {
    if (eps[i].ready) out.push_back(i);
  }
  if (!out.empty()) return out;
  for (size_t i = 0; i < eps.size(); ++i) {
    if (eps[i].serving && eps[i].terminating) out.push_back(i);
  }
  return out;
}

// The local set of a node: its ready endpoints, or else its
// serving+terminating ones.
std::vector<size_t> LocalSet(const std::vector<ProxyEndpoint>& eps,
                             const std::string& node) {
  std::vector<size_t> ready, terminating;
  for (size_t i = 0; i < eps.size(); ++i) {
    if (eps[i].node != node) continue;
    if (eps[i].ready) ready.push_back(i);
    if (!eps[i].ready && eps[i].serving && eps[i].terminating) {
      terminating.push_back(i);
    }
  }
  return ready.empty() ? terminating : ready;
}

std::string SliceService(const base::Json& s) {
  std::string n = base::GetString(s, {"metadata", "labels", kServiceNameLabel});
  if (n.empty()) return "";
  return base::GetString(s, {"metadata", "namespace"}) + "/" + n;
}

}  // namespace

Proxier::Proxier(const client::ClusterContext& ctx, base::Rng* rng,
                 ProxierOptions options)
    : ctx_(ctx),
      rng_(rng),
      options_(options),
      alive_(std::make_shared<bool>(true)) {
  client::EventHandlers sh;
  sh.on_add = [this](const client::ObjectPtr& o) { OnChange(client::KeyOf(*o)); };
  sh.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& o) {
    OnChange(client::KeyOf(*o));
  };
  sh.on_delete = [this](const client::ObjectPtr& o) {
    OnChange(client::KeyOf(*o));
  };
  ctx_.informers->For(client::kServices)->AddEventHandlers(sh);
  client::Informer* slices = ctx_.informers->For(client::kEndpointSlices);
  slices->AddIndex(kServiceNameLabel, [](const base::Json& s) {
    std::string key = SliceService(s);
    if (key.empty()) return std::vector<std::string>{};
    return std::vector<std::string>{key};
  });
  client::EventHandlers eh;
  eh.on_add = [this](const client::ObjectPtr& o) { OnChange(SliceService(*o)); };
  eh.on_update = [this](const client::ObjectPtr& old,
                        const client::ObjectPtr& o) {
    OnChange(SliceService(*old));  // a relabelled slice leaves its Service
    OnChange(SliceService(*o));
  };
  eh.on_delete = [this](const client::ObjectPtr& o) {
    OnChange(SliceService(*o));
  };
  slices->AddEventHandlers(eh);
}

Proxier::~Proxier() { *alive_ = false; }

void Proxier::OnChange(const std::string& service_key) {
  if (service_key.empty()) return;
  dirty_.insert(service_key);
  if (sync_pending_) return;
  sync_pending_ = true;
  base::Time at = std::max(ctx_.clock->Now() + options_.sync_delay,
                           last_sync_ + options_.min_sync_period);
  std::weak_ptr<bool> alive = alive_;
  ctx_.loop->RunAt(at, [this, alive] {
    if (alive.expired()) return;
    Sync();
  });
}

void Proxier::SyncNow() { Sync(); }

void Proxier::Sync() {
  sync_pending_ = false;
  last_sync_ = ctx_.clock->Now();
  ++syncs_;
  std::set<std::string> dirty;
  dirty.swap(dirty_);
  for (const auto& key : dirty) Rebuild(key);
}

void Proxier::Unindex(const std::vector<ServicePort>& ports) {
  for (const auto& sp : ports) {
    if (sp.cluster_ip != 0) {
      auto v = vip_.find(VipKey(sp.cluster_ip, sp.port));
      if (v != vip_.end() && v->second == &sp) vip_.erase(v);
      auto c = cluster_ips_.find(sp.cluster_ip);
      if (c != cluster_ips_.end() && --c->second == 0) cluster_ips_.erase(c);
    }
    if (sp.node_port != 0) {
      auto n = node_ports_.find(sp.node_port);
      if (n != node_ports_.end() && n->second == &sp) node_ports_.erase(n);
    }
  }
}

void Proxier::Rebuild(const std::string& key) {
  if (auto it = services_.find(key); it != services_.end()) {
    Unindex(it->second);
    services_.erase(it);
  }
  client::ObjectPtr svc = ctx_.informers->For(client::kServices)->Get(key);
  std::vector<ServicePort> ports;
  if (svc) ports = BuildPorts(*svc);
  // Affinity entries of endpoints that left are useless: drop them.
  std::set<std::pair<std::string, std::string>> live;
  for (const auto& sp : ports) {
    for (const auto& ep : sp.endpoints) {
      live.insert({sp.service_key + ":" + sp.port_name, ep.address});
    }
  }
  for (auto it = affinity_.lower_bound({key + ":", 0});
       it != affinity_.end() && it->first.first.rfind(key + ":", 0) == 0;) {
    bool keep = live.count({it->first.first, it->second.first}) > 0;
    it = keep ? std::next(it) : affinity_.erase(it);
  }
  if (ports.empty()) return;
  std::vector<ServicePort>& stored = services_[key];
  stored = std::move(ports);
  for (const auto& sp : stored) {
    if (sp.cluster_ip != 0) {
      vip_[VipKey(sp.cluster_ip, sp.port)] = &sp;
      ++cluster_ips_[sp.cluster_ip];
    }
    if (sp.node_port != 0) node_ports_[sp.node_port] = &sp;
  }
}

std::vector<ServicePort> Proxier::BuildPorts(const base::Json& svc) const {
  std::vector<ServicePort> out;
  const base::Json& spec = svc.value("spec", base::Json::object());
  std::string type = spec.value("type", "ClusterIP");
  if (type == "ExternalName") return out;
  std::string ns = base::GetString(svc, {"metadata", "namespace"});
  std::string name = base::GetString(svc, {"metadata", "name"});
  std::string key = ns + "/" + name;
  auto vip = base::ParseIpv4(spec.value("clusterIP", ""));
  auto slices = ctx_.informers->For(client::kEndpointSlices)
                    ->ByIndex(kServiceNameLabel, key);
  const base::Json* ports = base::Find(spec, {"ports"});
  if (!ports || !ports->is_array()) return out;
  for (const auto& p : *ports) {
    std::string protocol = p.value("protocol", "TCP");
    if (protocol != "TCP") continue;  // the netsim carries TCP only
    ServicePort sp;
    sp.ns = ns;
    sp.name = name;
    sp.service_key = key;
    sp.port_name = p.value("name", "");
    sp.cluster_ip = vip.value_or(0);
    sp.port = p.value("port", 0);
    if (type == "NodePort" || type == "LoadBalancer") {
      sp.node_port = p.value("nodePort", 0);
    }
    sp.affinity = spec.value("sessionAffinity", "None") == "ClientIP";
    sp.affinity_timeout = std::chrono::seconds(base::GetInt(
        spec, {"sessionAffinityConfig", "clientIP", "timeoutSeconds"}, 10800));
    sp.internal_local = spec.value("internalTrafficPolicy", "Cluster") == "Local";
    sp.external_local = spec.value("externalTrafficPolicy", "Cluster") == "Local";
    sp.endpoints = EndpointsFor(slices, sp.port_name, protocol);
    sp.cluster = ClusterSet(sp.endpoints);
    out.push_back(std::move(sp));
  }
  return out;
}

Decision Proxier::Route(uint32_t dst_ip, int dst_port,
                        const std::string& dst_node, uint32_t src_ip,
                        const std::string& src_node) {
  Decision d;
  const ServicePort* found = nullptr;
  bool local = false;
  const std::string* local_node = &src_node;
  if (auto it = vip_.find(VipKey(dst_ip, dst_port)); it != vip_.end()) {
    found = it->second;
    local = found->internal_local;
  } else if (!dst_node.empty()) {
    auto np = node_ports_.find(dst_port);
    if (np == node_ports_.end()) return d;
    found = np->second;
    local = found->external_local;
    local_node = &dst_node;
  } else {
    return d;
  }
  const ServicePort& sp = *found;
  d.service = &sp;
  bool has_endpoints = !sp.cluster.empty();
  if (!has_endpoints) {
    d.verdict = Verdict::kReject;
    return d;
  }
  if (!local) {
    d.endpoint = Pick(sp, src_ip, sp.cluster);
  } else {
    std::vector<size_t> candidates = LocalSet(sp.endpoints, *local_node);
    if (candidates.empty()) {
      d.verdict = Verdict::kDrop;
      return d;
    }
    d.endpoint = Pick(sp, src_ip, candidates);
  }
  d.verdict = Verdict::kForward;
  return d;
}

const ProxyEndpoint* Proxier::Pick(const ServicePort& sp, uint32_t src_ip,
                                   const std::vector<size_t>& candidates) {
  base::Time now = ctx_.clock->Now();
  std::pair<std::string, uint32_t> akey;
  if (sp.affinity) {
    akey = {sp.service_key + ":" + sp.port_name, src_ip};
    auto it = affinity_.find(akey);
    if (it != affinity_.end() && now - it->second.second <= sp.affinity_timeout) {
      for (size_t i : candidates) {
        if (sp.endpoints[i].address == it->second.first) {
          it->second.second = now;  // "recent --set" on every connection
          return &sp.endpoints[i];
        }
      }
    }
  }
  size_t pick = candidates.size() == 1
                    ? candidates[0]
                    : candidates[rng_->Uniform(candidates.size())];
  const ProxyEndpoint* ep = &sp.endpoints[pick];
  if (sp.affinity) affinity_[akey] = {ep->address, now};
  return ep;
}

const ServicePort* Proxier::Find(const std::string& ns, const std::string& name,
                                 const std::string& port_name) const {
  auto it = services_.find(ns + "/" + name);
  if (it == services_.end()) return nullptr;
  for (const auto& sp : it->second) {
    if (sp.port_name == port_name) return &sp;
  }
  return port_name.empty() && it->second.size() == 1 ? &it->second[0]
                                                     : nullptr;
}

}  // namespace ksim::netsim
