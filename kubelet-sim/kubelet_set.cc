#include "kubelet-sim/kubelet_set.h"

#include "client/resource.h"

namespace ksim::kubelet {

KubeletSet::KubeletSet(const client::ClusterContext& ctx) : ctx_(ctx) {
  client::Informer* pods = ctx_.informers->For(client::kPods);
  pods->AddIndex(kNodeNameIndex, [](const base::Json& pod) {
    std::string node = base::GetString(pod, {"spec", "nodeName"});
    return node.empty() ? std::vector<std::string>{}
                        : std::vector<std::string>{node};
  });
  client::EventHandlers ph;
  ph.on_add = [this](const client::ObjectPtr& o) { Dispatch(o); };
  ph.on_update = [this](const client::ObjectPtr& old,
                        const client::ObjectPtr& o) {
    // spec.nodeName only ever goes from "" to a node: the new object says.
    Dispatch(o);
  };
  ph.on_delete = [this](const client::ObjectPtr& o) { Dispatch(o); };
  pods->AddEventHandlers(std::move(ph));
  client::EventHandlers nh;
  auto node_event = [this](const client::ObjectPtr& o) {
    if (Kubelet* k = Get(base::GetString(*o, {"metadata", "name"}))) {
      k->OnNodeEvent(o);
    }
  };
  nh.on_add = node_event;
  nh.on_update = [node_event](const client::ObjectPtr&,
                              const client::ObjectPtr& o) { node_event(o); };
  ctx_.informers->For(client::kNodes)->AddEventHandlers(std::move(nh));
}

KubeletSet::~KubeletSet() {
  kubelets_.clear();
  logs_.Shutdown();
}

void KubeletSet::Dispatch(const client::ObjectPtr& obj) {
  std::string node = base::GetString(*obj, {"spec", "nodeName"});
  if (node.empty()) return;
  if (Kubelet* k = Get(node)) k->OnPodEvent(client::KeyOf(*obj));
}

Kubelet* KubeletSet::AddNode(NodeConfig config) {
  std::string name = config.name;
  RemoveNode(name);
  auto k = std::make_unique<Kubelet>(ctx_, std::move(config), &logs_,
                                     /*own_handlers=*/false);
  k->set_ip_observer(
      [this, name](const std::string& ip, const std::string& key) {
        if (key.empty()) {
          auto it = ips_.find(ip);
          if (it != ips_.end() && it->second.first == name) ips_.erase(it);
        } else {
          ips_[ip] = {name, key};
        }
      });
  Kubelet* raw = k.get();
  kubelets_[name] = std::move(k);
  raw->Start();
  // Pods already bound to the node (a restart of the cluster).
  for (const auto& pod :
       ctx_.informers->For(client::kPods)->ByIndex(kNodeNameIndex, name)) {
    raw->OnPodEvent(client::KeyOf(*pod));
  }
  if (auto node = ctx_.informers->For(client::kNodes)->Get(name)) {
    raw->OnNodeEvent(node);
  }
  return raw;
}

void KubeletSet::RemoveNode(const std::string& name) {
  auto it = kubelets_.find(name);
  if (it == kubelets_.end()) return;
  for (auto ip = ips_.begin(); ip != ips_.end();) {
    ip = ip->second.first == name ? ips_.erase(ip) : std::next(ip);
  }
  kubelets_.erase(it);
}

Kubelet* KubeletSet::Get(const std::string& name) const {
  auto it = kubelets_.find(name);
  return it == kubelets_.end() ? nullptr : it->second.get();
}

std::optional<Listener> KubeletSet::FindListener(const std::string& ip,
                                                 int port) const {
  auto it = ips_.find(ip);
  if (it == ips_.end()) return std::nullopt;
  Kubelet* k = Get(it->second.first);
  return k ? k->FindListener(ip, port) : std::nullopt;
}

std::string KubeletSet::PodAt(const std::string& ip) const {
  auto it = ips_.find(ip);
  return it == ips_.end() ? "" : it->second.second;
}

std::string KubeletSet::NodeOf(const std::string& ip) const {
  auto it = ips_.find(ip);
  return it == ips_.end() ? "" : it->second.first;
}

}  // namespace ksim::kubelet
