#include "netsim/node_services.h"

#include <string>

namespace ksim::netsim {
namespace {

class TlsServer : public kubelet::Application {
 public:
  explicit TlsServer(std::string name) : name_(std::move(name)) {}
  const std::string& name() const override { return name_; }
  kubelet::HttpResponse ServeHttp(
      const kubelet::ServeContext& ctx,
      const kubelet::HttpRequest& req) const override {
    // net/http's reply to a plain-HTTP request on a TLS listener.
    kubelet::HttpResponse r;
    r.version = "HTTP/1.0";
    r.status = 400;
    r.reason = "Bad Request";
    r.body = "Client sent an HTTP request to an HTTPS server.\n";
    return r;
  }

 private:
  std::string name_;
};

const TlsServer& Kubelet() {
  static const auto* s = new TlsServer("kubelet");
  return *s;
}

const TlsServer& ApiServer() {
  static const auto* s = new TlsServer("kube-apiserver");
  return *s;
}

}  // namespace

const kubelet::Application* NodeService(int port, bool control_plane) {
  if (port == kKubeletPort) return &Kubelet();
  if (port == kApiServerPort && control_plane) return &ApiServer();
  return nullptr;
}

bool IsTlsService(const kubelet::Application* app) {
  return app == &Kubelet() || app == &ApiServer();
}

}  // namespace ksim::netsim
