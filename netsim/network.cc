#include "netsim/network.h"

#include <utility>

#include "base/ipv4.h"
#include "client/resource.h"
#include "netsim/node_services.h"

namespace ksim::netsim {

Network::Network(const client::ClusterContext& ctx,
                 kubelet::KubeletSet* kubelets, base::Rng* rng,
                 NetworkOptions options)
    : ctx_(ctx),
      kubelets_(kubelets),
      rng_(rng),
      options_(std::move(options)),
      alive_(std::make_shared<bool>(true)) {
  client::ClusterContext pctx = ctx_;
  pctx.rng = rng_;
  proxier_ = std::make_unique<Proxier>(pctx, rng_, options_.proxier);
  dns_ = std::make_unique<Dns>(ctx_.informers, options_.cluster_domain);
  dns_->set_node_lookup([this](const std::string& name) {
    auto it = node_ip_.find(name);
    return it == node_ip_.end() ? std::nullopt
                                : std::optional<uint32_t>(it->second);
  });
  client::EventHandlers h;
  h.on_add = [this](const client::ObjectPtr& n) { OnNode(n, false); };
  h.on_update = [this](const client::ObjectPtr&, const client::ObjectPtr& n) {
    OnNode(n, false);
  };
  h.on_delete = [this](const client::ObjectPtr& n) { OnNode(n, true); };
  ctx_.informers->For(client::kNodes)->AddEventHandlers(h);
  ctx_.informers->For(client::kPods);  // sources are looked up in its cache
}

Network::~Network() { *alive_ = false; }

void Network::OnNode(const client::ObjectPtr& node, bool deleted) {
  std::string name = base::GetString(*node, {"metadata", "name"});
  if (auto it = node_ip_.find(name); it != node_ip_.end()) {
    ip_node_.erase(it->second);
    node_ip_.erase(it);
  }
  node_cidr_.erase(name);
  if (deleted) return;
  if (const base::Json* addrs = base::Find(*node, {"status", "addresses"})) {
    for (const auto& a : *addrs) {
      if (a.value("type", "") != "InternalIP") continue;
      if (auto ip = base::ParseIpv4(a.value("address", ""))) {
        node_ip_[name] = *ip;
        ip_node_[*ip] = name;
      }
      break;
    }
  }
  if (auto cidr =
          base::ParseIpv4Cidr(base::GetString(*node, {"spec", "podCIDR"}))) {
    node_cidr_[name] = {cidr->Network(), cidr->Mask()};
  }
}

std::string Network::NodeOfAddress(uint32_t ip) const {
  auto it = ip_node_.find(ip);
  return it == ip_node_.end() ? "" : it->second;
}

bool Network::HostDown(const std::string& node) const {
  const kubelet::Kubelet* k = kubelets_->Get(node);
  return k && k->down();
}

base::StatusOr<Host> Network::SourceHost(const std::string& source) const {
  Host h;
  std::string s = source;
  if (s.empty()) {
    s = "node/" + (options_.default_source_node.empty() && !node_ip_.empty()
                       ? node_ip_.begin()->first
                       : options_.default_source_node);
  }
  for (const char* p : {"node/", "nodes/"}) {
    if (s.rfind(p, 0) != 0) continue;
    h.node = s.substr(std::string(p).size());
    auto it = node_ip_.find(h.node);
    if (it == node_ip_.end()) {
      return base::NotFound("nodes \"" + h.node + "\" not found");
    }
    h.ip = it->second;
    return h;
  }
  for (const char* p : {"pod/", "pods/"}) {
    if (s.rfind(p, 0) != 0) continue;
    std::string key = s.substr(std::string(p).size());
    if (key.find('/') == std::string::npos) key = "default/" + key;
    std::string ns, name;
    client::SplitKey(key, &ns, &name);
    client::ObjectPtr pod = ctx_.informers->For(client::kPods)->Get(ns, name);
    if (!pod) return base::NotFound("pods \"" + name + "\" not found");
    auto ip = base::ParseIpv4(base::GetString(*pod, {"status", "podIP"}));
    if (!ip) {
      return base::BadRequest("pod " + name +
                                      " has no IP address yet");
    }
    h.ip = *ip;
    h.node = base::GetString(*pod, {"spec", "nodeName"});
    h.pod = key;
    // dnsPolicy: ClusterFirst (the default) uses the cluster DNS with the
    // namespace's search path; Default, or ClusterFirst on the host
    // network, the node's resolver.
    std::string policy =
        base::GetString(*pod, {"spec", "dnsPolicy"}, "ClusterFirst");
    bool host_network = base::Find(*pod, {"spec", "hostNetwork"}) &&
                        (*pod)["spec"]["hostNetwork"] == true;
    if (policy == "ClusterFirstWithHostNet" ||
        (policy == "ClusterFirst" && !host_network)) {
      h.namespace_ = ns;
    }
    return h;
  }
  return base::BadRequest("source \"" + source +
                               "\" must be node/NAME or pod/NAMESPACE/NAME");
}

Dialed Network::Dial(const Host& src, uint32_t ip, int port) {
  Dialed d;
  d.ip = ip;
  d.port = port;
  if (HostDown(src.node)) return d;  // a dead machine sends nothing
  Decision rule = proxier_->Route(ip, port, NodeOfAddress(ip), src.ip,
                                  src.node);
  if (rule.service) {
    d.service = rule.service;
    d.service_key = rule.service->service_key;
  }
  switch (rule.verdict) {
    case Verdict::kReject:
      // The REJECT rule sits on the client's own node: no round trip.
      d.kind = Dialed::Kind::kRefused;
      return d;
    case Verdict::kDrop:
      return d;
    case Verdict::kForward: {
      d.ip = rule.endpoint->ip;
      d.port = rule.endpoint->port;
      return DialHost(src, d.ip, rule.endpoint->ip_text, d.port, std::move(d));
    }
    case Verdict::kNoRule:
      if (proxier_->IsClusterIP(ip)) return d;  // no rule: routed nowhere
      break;
  }
  return DialHost(src, ip, "", port, std::move(d));
}

Dialed Network::DialNode(const Host& src, uint32_t ip, int port,
                         const std::string& node, Dialed d) {
  bool faults = !faults_.empty();
  if (HostDown(node) || (faults && faults_.Partitioned(src.node, node))) {
    return d;
  }
  FaultHost a{src.node, src.pod}, b{node, ""};
  d.rtt = src.node == node ? options_.same_node_rtt : options_.cross_node_rtt;
  if (faults) d.rtt += faults_.Delay(a, b, rng_);
  const kubelet::Application* app =
      NodeService(port, node == options_.apiserver_node);
  if (!app) {  // NodePorts were handled by the proxier
    d.kind = Dialed::Kind::kRefused;
    return d;
  }
  kubelet::Listener l;
  l.app = app;
  l.context.pod_name = node;  // the host's name
  l.context.pod_ip = base::FormatIpv4(ip);
  l.context.node_name = node;
  l.context.port = port;
  l.context.now = ctx_.clock->Now();
  l.ready = true;
  d.endpoint = l.context.pod_ip + ":" + std::to_string(port);
  d.listener = std::move(l);
  return Handshake(a, b, faults, std::move(d));
}

Dialed Network::DialHost(const Host& src, uint32_t ip, std::string ip_text,
                         int port, Dialed d) {
  std::string node = NodeOfAddress(ip);
  if (!node.empty()) return DialNode(src, ip, port, node, std::move(d));
  bool faults = !faults_.empty();
  if (ip_text.empty()) ip_text = base::FormatIpv4(ip);
  // The common case first: a running container listens (its node is up).
  d.listener = kubelets_->FindListener(ip_text, port);
  if (d.listener) {
    node = d.listener->context.node_name;
    if (faults && faults_.Partitioned(src.node, node)) {
      d.listener.reset();
      return d;
    }
  } else {
    node = kubelets_->NodeOf(ip_text);
    if (node.empty()) {
      // An address of a node's podCIDR that no pod holds: the node's bridge
      // answers "No route to host" once ARP gives up.
      for (const auto& [n, cidr] : node_cidr_) {
        if ((ip & cidr.second) == cidr.first) node = n;
      }
      if (node.empty() || HostDown(node) ||
          (faults && faults_.Partitioned(src.node, node))) {
        return d;  // nobody has it: timeout
      }
      d.kind = Dialed::Kind::kNoRoute;
      return d;
    }
    if (HostDown(node) || (faults && faults_.Partitioned(src.node, node))) {
      return d;
    }
  }
  d.rtt = src.node == node ? options_.same_node_rtt : options_.cross_node_rtt;
  FaultHost a{src.node, src.pod};
  FaultHost b{node, d.listener ? d.listener->pod_key : ""};
  if (faults) {
    if (b.pod.empty()) b.pod = kubelets_->PodAt(ip_text);
    d.rtt += faults_.Delay(a, b, rng_);
  }
  if (!d.listener) {
    d.kind = Dialed::Kind::kRefused;  // the pod is there, the port closed
    return d;
  }
  d.pod = d.listener->pod_key;
  d.endpoint = std::move(ip_text) + ":" + std::to_string(port);
  return Handshake(a, b, faults, std::move(d));
}

Dialed Network::Handshake(const FaultHost& a, const FaultHost& b, bool faults,
                          Dialed d) {
  // SYN loss: each retransmission waits twice as long as the one before.
  double loss = faults ? faults_.Loss(a, b) : 0;
  base::Duration wait{};
  for (int attempt = 0; loss > 0 && rng_->UniformDouble() < loss; ++attempt) {
    if (attempt == 6) {
      d.listener.reset();
      d.endpoint.clear();
      d.pod.clear();
      return d;  // the kernel gave up: timeout
    }
    wait += seconds(1) * (1 << attempt);
  }
  d.connect_time = wait + d.rtt;
  d.kind = Dialed::Kind::kConnected;
  return d;
}

base::StatusOr<base::Json> Network::AddFault(const base::Json& spec) {
  FaultValidator v;
  v.node_exists = [this](const std::string& n) {
    return kubelets_->Get(n) != nullptr || node_ip_.count(n) > 0;
  };
  v.pod_exists = [this](const std::string& key) {
    return ctx_.informers->For(client::kPods)->Get(key) != nullptr;
  };
  KSIM_ASSIGN_OR_RETURN(Fault f, ParseFault(spec, v));
  if (f.kind == "NodeDown") {
    if (!node_down_) return base::Status(base::Code::kServiceUnavailable, "node faults are not wired");
    KSIM_RETURN_IF_ERROR(node_down_(f.node, true));
  }
  return faults_.Add(std::move(f));
}

base::Status Network::RemoveFault(const std::string& id) {
  KSIM_ASSIGN_OR_RETURN(Fault f, faults_.Remove(id));
  if (f.kind == "NodeDown" && node_down_ && !faults_.NodeHeldDown(f.node)) {
    return node_down_(f.node, false);
  }
  return base::Status::Ok();
}

}  // namespace ksim::netsim
