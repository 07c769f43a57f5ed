#include "cluster/cluster.h"

#include <utility>
#include <vector>

#include "base/ipv4.h"
#include "base/rng.h"
#include "client/in_process_client.h"
#include "client/informer.h"
#include "controllers/deployment.h"
#include "controllers/endpoints_controller.h"
#include "controllers/endpointslice_controller.h"
#include "controllers/node_ipam.h"
#include "controllers/node_lifecycle.h"
#include "controllers/replicaset.h"
#include "controllers/scheduler.h"
#include "kubelet-sim/kubelet.h"
#include "kubelet-sim/kubelet_set.h"
#include "netsim/gateway.h"
#include "netsim/network.h"

namespace ksim::cluster {
namespace {

// Writer threads of the in-process clients in real time: enough that the
// loop's writes fill group commits while the fsync of the previous one runs.
constexpr int kRealTimeWriterThreads = 8;

// The simulated nodes' InternalIPs: 192.168.0.0/16 from .0.2 on (kind-like
// addresses, apart from the pod and service CIDRs).
std::string NodeAddress(size_t index) {
  size_t host = index + 2;
  return "192.168." + std::to_string(host / 256) + "." +
         std::to_string(host % 256);
}

kubelet::NodeConfig KubeletNode(const NodeSpec& spec, size_t index,
                                const KubeletDelays& delays) {
  kubelet::NodeConfig n;
  n.name = spec.name;
  n.cpu = spec.cpu;
  n.memory = spec.memory;
  n.pods = std::to_string(spec.pods);
  n.ephemeral_storage = spec.ephemeral_storage;
  n.labels = spec.labels;
  n.taints = spec.taints;
  n.control_plane = spec.control_plane;
  n.internal_ip = NodeAddress(index);
  n.delays.image_pull = delays.image_pull;
  n.delays.container_start = delays.container_start;
  if (delays.image_pull == base::Duration::zero() &&
      delays.container_start == base::Duration::zero()) {
    n.delays = kubelet::Delays::Zero();
  }
  return n;
}

class ClusterImpl : public Cluster {
 public:
  explicit ClusterImpl(ClusterOptions o)
      : options_(std::move(o)),
        // The loop's components draw from their own stream, so that what
        // the API server draws (uids, names, ClusterIPs) does not depend on
        // how the loop's work interleaves with HTTP requests.
        loop_rng_(options_.seed * 0x9E3779B97F4A7C15ULL +
                  0x5851F42D4C957F2DULL),
        // The netsim's routing and delays draw from a stream of their own,
        // so traffic does not shift what the controllers draw, and the same
        // seed and requests route the same way.
        net_rng_(options_.seed * 0xD1B54A32D192ED03ULL +
                 0x8CB92BA72F3D8DD7ULL) {}

  ~ClusterImpl() override {
    loop_thread_.reset();  // no loop work runs from here on
    if (informers_) informers_->StopAll();
    gateway_.reset();
    network_.reset();
    kubelets_.reset();
    components_.clear();
    informers_.reset();
    clients_.clear();
    base_client_.reset();
    control_plane_.reset();
    loop_.reset();
  }

  base::Status Init();
  base::Status Start() override;

  base::EventLoop* loop() override { return loop_.get(); }
  const base::Clock& clock() override { return *clock_; }
  apiserver::ControlPlane* control_plane() override {
    return control_plane_.get();
  }
  apiserver::PodLogs* pod_logs() override { return kubelets_->logs(); }
  apiserver::NetGateway* net_gateway() override { return gateway_.get(); }
  netsim::Network* network() override { return network_.get(); }
  client::Client* client() override { return ksim_client_; }

  base::Status SetNodeDown(const std::string& node, bool down) override {
    kubelet::Kubelet* k = kubelets_->Get(node);
    if (!k) return base::NotFound("nodes \"" + node + "\" not found");
    k->SetDown(down);
    return base::Status::Ok();
  }

 private:
  client::ClusterContext ContextFor(const std::string& field_manager);
  void CreateComponents();
  void CreateNetwork();
  void CreateKubeDns();

  ClusterOptions options_;
  base::Rng loop_rng_;
  base::Rng net_rng_;
  std::unique_ptr<base::VirtualClock> virtual_clock_;
  std::unique_ptr<base::Clock> real_clock_;
  const base::Clock* clock_ = nullptr;
  std::unique_ptr<base::EventLoop> loop_;
  std::unique_ptr<apiserver::ControlPlane> control_plane_;
  std::unique_ptr<client::InProcessClient> base_client_;
  std::vector<std::unique_ptr<client::Client>> clients_;
  client::Client* ksim_client_ = nullptr;
  std::unique_ptr<client::InformerFactory> informers_;
  // Type-erased owners of the controllers (each is non-movable).
  std::vector<std::shared_ptr<void>> components_;
  std::unique_ptr<kubelet::KubeletSet> kubelets_;
  std::unique_ptr<netsim::Network> network_;
  std::unique_ptr<netsim::Gateway> gateway_;
  std::unique_ptr<base::LoopThread> loop_thread_;
  bool started_ = false;
};

base::Status ClusterImpl::Init() {
  if (options_.virtual_time) {
    virtual_clock_ = std::make_unique<base::VirtualClock>(options_.start_time);
    clock_ = virtual_clock_.get();
    loop_ = base::EventLoop::NewVirtual(virtual_clock_.get());
  } else {
    real_clock_ = options_.speed == 1.0
                      ? base::NewRealClock()
                      : base::NewScaledRealClock(options_.speed);
    clock_ = real_clock_.get();
    loop_ = base::EventLoop::NewReal(clock_, options_.speed);
  }
  const ClusterConfig& c = options_.config;
  apiserver::ControlPlaneOptions cp;
  cp.data_dir = options_.data_dir;
  cp.full_sync = options_.full_sync;
  cp.seed = options_.seed;
  cp.service_ranges.cidr = c.service_cidr;
  cp.service_ranges.node_port_min = c.node_port_min;
  cp.service_ranges.node_port_max = c.node_port_max;
  cp.compaction_interval_seconds = options_.compaction_interval_seconds;
  cp.clock = clock_;
  // Virtual time: background work (GC, namespace drains, compaction) runs
  // on the loop, deterministically. Real time: on its own thread.
  if (options_.virtual_time) cp.runner = loop_.get();
  KSIM_ASSIGN_OR_RETURN(control_plane_, apiserver::ControlPlane::Open(cp));

  client::InProcessOptions io;
  io.writer_threads = options_.virtual_time ? 0 : kRealTimeWriterThreads;
  base_client_ = std::make_unique<client::InProcessClient>(
      control_plane_->registry(), loop_.get(), io);
  informers_ = std::make_unique<client::InformerFactory>(base_client_.get(),
                                                         loop_.get());
  ksim_client_ = ContextFor("ksim").client;
  CreateComponents();
  return base::Status::Ok();
}

client::ClusterContext ClusterImpl::ContextFor(const std::string& manager) {
  clients_.push_back(base_client_->WithFieldManager(manager));
  client::ClusterContext ctx;
  ctx.loop = loop_.get();
  ctx.clock = clock_;
  ctx.rng = &loop_rng_;
  ctx.client = clients_.back().get();
  ctx.informers = informers_.get();
  return ctx;
}

template <typename T, typename... Args>
std::shared_ptr<void> Make(Args&&... args) {
  return std::make_shared<T>(std::forward<Args>(args)...);
}

void ClusterImpl::CreateComponents() {
  const ClusterConfig& c = options_.config;
  client::ClusterContext kcm = ContextFor("kube-controller-manager");
  components_.push_back(Make<controllers::ReplicaSetController>(kcm));
  components_.push_back(Make<controllers::DeploymentController>(kcm));
  components_.push_back(Make<controllers::EndpointsController>(kcm));
  components_.push_back(Make<controllers::EndpointSliceController>(kcm));
  controllers::NodeIpamOptions ipam;
  ipam.cluster_cidr = c.pod_cidr;
  ipam.node_mask_size = c.node_cidr_mask_size;
  components_.push_back(Make<controllers::NodeIpamController>(kcm, ipam));
  components_.push_back(Make<controllers::NodeLifecycleController>(kcm));
  components_.push_back(
      Make<controllers::Scheduler>(ContextFor("kube-scheduler")));
  kubelets_ = std::make_unique<kubelet::KubeletSet>(ContextFor("kubelet"));
  CreateNetwork();
}

void ClusterImpl::CreateNetwork() {
  const ClusterConfig& c = options_.config;
  netsim::NetworkOptions no;
  for (const auto& n : c.nodes) {
    if (n.control_plane) {
      no.default_source_node = n.name;
      break;
    }
  }
  if (no.default_source_node.empty() && !c.nodes.empty()) {
    no.default_source_node = c.nodes[0].name;
  }
  no.apiserver_node = no.default_source_node;
  network_ = std::make_unique<netsim::Network>(ContextFor("kube-proxy"),
                                               kubelets_.get(), &net_rng_, no);
  // A NodeDown fault takes the same path as SetNodeDown.
  network_->set_node_down([this](const std::string& node, bool down) {
    return SetNodeDown(node, down);
  });
  gateway_ = std::make_unique<netsim::Gateway>(network_.get(), loop_.get());
}

// kubeadm's kube-dns Service (its CoreDNS addon): the tenth address of the
// service CIDR, where every pod's resolv.conf points. ksim's DNS answers
// come from the netsim, so no CoreDNS pods run behind it (README).
void ClusterImpl::CreateKubeDns() {
  auto cidr = base::ParseIpv4Cidr(options_.config.service_cidr);
  if (!cidr) return;
  std::string ip = base::FormatIpv4(cidr->Network() + 10);
  base::Json labels = {{"k8s-app", "kube-dns"},
                 {"kubernetes.io/cluster-service", "true"},
                 {"kubernetes.io/name", "CoreDNS"}};
  base::Json svc = {
      {"apiVersion", "v1"},
      {"kind", "Service"},
      {"metadata",
       {{"name", "kube-dns"},
        {"namespace", "kube-system"},
        {"labels", labels},
        {"annotations",
         {{"prometheus.io/port", "9153"}, {"prometheus.io/scrape", "true"}}}}},
      {"spec",
       {{"clusterIP", ip},
        {"selector", {{"k8s-app", "kube-dns"}}},
        {"ports",
         {{{"name", "dns"}, {"port", 53}, {"protocol", "UDP"},
           {"targetPort", 53}},
          {{"name", "dns-tcp"}, {"port", 53}, {"protocol", "TCP"},
           {"targetPort", 53}},
          {{"name", "metrics"}, {"port", 9153}, {"protocol", "TCP"},
           {"targetPort", 9153}}}}}}};
  // An existing kube-dns (a restart on a data dir) is left as it is.
  ContextFor("kubeadm").client->Create(client::kServices, "kube-system", svc);
}

base::Status ClusterImpl::Start() {
  if (started_) return base::Status::Ok();
  started_ = true;
  KSIM_RETURN_IF_ERROR(informers_->StartAll());
  CreateKubeDns();
  const ClusterConfig& c = options_.config;
  for (size_t i = 0; i < c.nodes.size(); ++i) {
    kubelets_->AddNode(KubeletNode(c.nodes[i], i, c.kubelet));
  }
  if (!options_.virtual_time) loop_thread_ = base::StartLoopThread(loop_.get());
  return base::Status::Ok();
}

}  // namespace

base::StatusOr<std::unique_ptr<Cluster>> Cluster::Create(
    ClusterOptions options) {
  auto c = std::make_unique<ClusterImpl>(std::move(options));
  KSIM_RETURN_IF_ERROR(c->Init());
  return std::unique_ptr<Cluster>(std::move(c));
}

}  // namespace ksim::cluster
