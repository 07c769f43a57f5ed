// Test fixtures for the HTTP front's network parts: a fake NetGateway (an
// echo network that records requests, answers from another thread as the
// cluster loop would, and keeps faults) and an ApiServer serving an
// in-memory control plane with it.
#ifndef KSIM_APISERVER_HTTP_NET_TEST_UTIL_H_
#define KSIM_APISERVER_HTTP_NET_TEST_UTIL_H_

#include <httplib.h>

#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "apiserver/control_plane.h"
#include "apiserver/net_gateway.h"
#include "apiserver/server.h"

namespace ksim::apiserver::testing {

class FakeGateway : public NetGateway {
 public:
  // Default answer: 200 "ECHO <method> <url>\n<body>" as text/plain.
  std::function<NetResponse(const NetRequest&)> answer;

  void Exchange(NetRequest request,
                std::function<void(NetResponse)> done) override {
    NetResponse r = answer ? answer(request) : Echo(request);
    {
      std::lock_guard<std::mutex> l(mu_);
      seen_.push_back(std::move(request));
    }
    std::thread([r = std::move(r), done = std::move(done)] {
      done(r);
    }).detach();
  }
  base::StatusOr<base::Json> AddFault(const base::Json& spec) override {
    if (!spec.is_object() || !spec.contains("kind")) {
      return base::BadRequest("kind: Required value");
    }
    if (spec.value("node", "") == "no-such-node") {
      return base::NotFound("nodes \"no-such-node\" not found");
    }
    std::lock_guard<std::mutex> l(mu_);
    base::Json f = spec;
    f["id"] = "fault-" + std::to_string(++next_id_);
    faults_[f["id"]] = f;
    return f;
  }
  base::StatusOr<base::Json> ListFaults() override {
    std::lock_guard<std::mutex> l(mu_);
    base::Json items = base::Json::array();
    for (const auto& [id, f] : faults_) items.push_back(f);
    return base::Json{{"items", items}};
  }
  base::Status RemoveFault(const std::string& id) override {
    std::lock_guard<std::mutex> l(mu_);
    if (faults_.erase(id) == 0) {
      return base::NotFound("fault \"" + id + "\" not found");
    }
    return base::Status::Ok();
  }
  std::string Metrics() override {
    return "# TYPE netsim_requests_total counter\n"
           "netsim_requests_total{service=\"default/webapp\"} 7\n";
  }

  std::vector<NetRequest> seen() {
    std::lock_guard<std::mutex> l(mu_);
    return seen_;
  }
  static NetResponse Echo(const NetRequest& r) {
    NetResponse out;
    out.status = 200;
    out.reason = "OK";
    out.remote_ip = "10.96.0.10";
    out.remote_port = 80;
    out.headers = {{"Content-Type", "text/plain"}, {"Server", "echo"}};
    out.body = "ECHO " + r.method + " " + r.url + "\n" + r.body;
    return out;
  }

 private:
  std::mutex mu_;
  std::vector<NetRequest> seen_;
  std::map<std::string, base::Json> faults_;
  int next_id_ = 0;
};

// An API server on a free port over an in-memory control plane.
struct NetServer {
  explicit NetServer(NetGateway* gateway) {
    ControlPlaneOptions o;
    cp = std::move(ControlPlane::Open(std::move(o))).value();
    ServerOptions so;
    so.port = 0;
    server =
        std::move(ApiServer::Serve(so, cp.get(), nullptr, gateway)).value();
    client = std::make_unique<httplib::Client>("127.0.0.1", server->port());
    client->set_read_timeout(30, 0);
  }
  ~NetServer() { server->Stop(); }
  std::unique_ptr<ControlPlane> cp;
  std::unique_ptr<ApiServer> server;
  std::unique_ptr<httplib::Client> client;
};

}  // namespace ksim::apiserver::testing

#endif  // KSIM_APISERVER_HTTP_NET_TEST_UTIL_H_
