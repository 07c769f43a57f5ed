// ApiServer: wires the store, the registry and the cpp-httplib front, tuned
// as shared/notes/measured-limits.md prescribes (elastic pool, listen backlog,
// TCP_NODELAY, long keep-alive).
#include <sys/socket.h>
#include <sys/stat.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <thread>

#include "apiserver/api_errors.h"
#include "apiserver/control_plane.h"
#include "apiserver/http_internal.h"
#include "apiserver/http_net.h"
#include "apiserver/http_pool.h"
#include "apiserver/http_record.h"
#include "apiserver/object_codec.h"
#include "apiserver/server.h"

namespace ksim::apiserver {
namespace {

constexpr size_t kMaxRequestBodyBytes = 3 * 1024 * 1024;  // kube-apiserver's
// Derives the proxy's endpoint-picking stream from the seed.
constexpr uint64_t kProxyRngSalt = 0x70726f7879ull;  // "proxy"

// Exposes the listening socket so the backlog can be raised (cpp-httplib
// hard-codes 5).
class TunedServer : public httplib::Server {
 public:
  int fd() const { return svr_sock_; }
};

thread_local std::chrono::steady_clock::time_point request_start;

class ApiServerImpl : public ApiServer {
 public:
  ApiServerImpl(const ServerOptions& o, ControlPlane* cp, PodLogs* logs,
                NetGateway* net)
      : options_(o), cp_(cp), pod_logs_(logs), net_(o.seed ^ kProxyRngSalt) {
    net_.gateway = net;
    net_.stopping = &stopping_;
  }
  ~ApiServerImpl() override { Stop(); }

  // Opens a control plane of its own (ApiServer::Start).
  base::Status OpenControlPlane();
  base::Status Init();
  int port() const override { return port_; }
  void Stop() override;

 private:
  void Route();
  void Handle(const std::string& method, const httplib::Request& req,
              httplib::Response& res);
  ServerOptions options_;
  std::unique_ptr<ControlPlane> own_cp_;
  ControlPlane* cp_;
  PodLogs* pod_logs_;
  TunedServer http_;
  HttpContext ctx_;
  NetFront net_;
  std::atomic<bool> stopping_{false};
  std::atomic<bool> ready_{false};
  std::thread listener_;
  int port_ = 0;
  bool stopped_ = false;
  std::unique_ptr<RequestLog> record_;  // --record
};

base::Status ApiServerImpl::OpenControlPlane() {
  ControlPlaneOptions o;
  o.data_dir = options_.data_dir;
  o.seed = options_.seed;
  o.compaction_interval_seconds = options_.compaction_interval_seconds;
  KSIM_ASSIGN_OR_RETURN(own_cp_, ControlPlane::Open(std::move(o)));
  cp_ = own_cp_.get();
  return base::Status::Ok();
}

base::Status ApiServerImpl::Init() {
  ctx_.registry = cp_->registry();
  ctx_.clock = cp_->clock();
  ctx_.rng = cp_->rng();
  ctx_.pod_logs = pod_logs_;
  ctx_.kube_version = options_.kube_version;
  ctx_.stopping = &stopping_;
  ctx_.ready = &ready_;
  if (!options_.record_file.empty()) {
    KSIM_ASSIGN_OR_RETURN(
        record_,
        RequestLog::Open(options_.record_file, cp_->clock(), options_.seed));
  }
  Route();
  bool bound = options_.port == 0
                   ? (port_ = http_.bind_to_any_port(options_.address)) > 0
                   : http_.bind_to_port(options_.address, options_.port);
  if (!bound) {
    return base::Status(base::Code::kServiceUnavailable,
                        "cannot listen on " + options_.address + ":" +
                            std::to_string(options_.port) +
                            " (address in use?)");
  }
  if (options_.port != 0) port_ = options_.port;
  ::listen(http_.fd(), 4096);
  ctx_.server_address = options_.address + ":" + std::to_string(port_);
  listener_ = std::thread([this] { http_.listen_after_bind(); });
  // Start() returns only once the accept loop runs: cpp-httplib's stop()
  // does nothing before that, so an early Stop() would hang on the join.
  for (int i = 0; i < 5000 && !http_.is_running(); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(1));
  }
  if (!http_.is_running()) {
    return base::Internal("the HTTP server did not start listening");
  }
  ready_ = true;
  return base::Status::Ok();
}

void ApiServerImpl::Route() {
  http_.new_task_queue = [] { return new ElasticPool(8, 16384); };
  // cpp-httplib's default also sets SO_REUSEPORT, with which a second
  // server binds a port already in use and the kernel splits connections
  // between them; SO_REUSEADDR alone still allows a quick restart.
  http_.set_socket_options([](socket_t sock) {
    int yes = 1;
    ::setsockopt(sock, SOL_SOCKET, SO_REUSEADDR, &yes, sizeof yes);
  });
  http_.set_tcp_nodelay(true);
  http_.set_keep_alive_max_count(1000000);
  // An idle keep-alive connection holds a pool thread, and stopping waits
  // for it: a short idle timeout keeps shutdown prompt (clients reconnect).
  http_.set_keep_alive_timeout(2);
  http_.set_read_timeout(60);
  http_.set_payload_max_length(kMaxRequestBodyBytes);
  http_.set_pre_routing_handler(
      [](const httplib::Request&, httplib::Response&) {
        request_start = std::chrono::steady_clock::now();
        return httplib::Server::HandlerResponse::Unhandled;
      });
  http_.set_error_handler(
      [](const httplib::Request& req, httplib::Response& res) {
        if (res.status == 413) {
          WriteStatus(req, res,
                      base::Status(base::Code::kRequestEntityTooLarge,
                                   "Request entity too large: limit is " +
                                       std::to_string(kMaxRequestBodyBytes)));
        }
      });
  http_.set_exception_handler([](const httplib::Request& req,
                                 httplib::Response& res,
                                 std::exception_ptr ep) {
    std::string what = "unknown error";
    try {
      std::rethrow_exception(ep);
    } catch (const std::exception& e) {
      what = e.what();
    } catch (...) {
    }
    WriteStatus(req, res, base::Internal("Internal error occurred: " + what));
  });
  // Before each response is written (the logger below runs after it, when
  // the client may already have had its next request handled by another
  // pool thread): count it for /metrics, so that a client sees its own
  // requests counted, and --record it, so that the log keeps the order in
  // which writes were handled.
  http_.set_post_routing_handler(
      [this](const httplib::Request& req, httplib::Response& res) {
        net_.counters.Count(req, res.status);
        if (record_) record_->Record(req, res);
      });
  // Called once each request is answered: logs it at -v 1.
  http_.set_logger(
      [this](const httplib::Request& req, const httplib::Response& res) {
        if (options_.verbosity >= 1) {
          auto us = std::chrono::duration_cast<std::chrono::microseconds>(
                        std::chrono::steady_clock::now() - request_start)
                        .count();
          std::string target = req.target.empty() ? req.path : req.target;
          std::fprintf(stderr, "%s %s %d %.3fms\n", req.method.c_str(),
                       target.c_str(), res.status, us / 1000.0);
        }
      });
  for (const char* m : {"GET", "POST", "PUT", "PATCH", "DELETE"}) {
    std::string method = m;
    auto h = [this, method](const httplib::Request& req,
                            httplib::Response& res) {
      Handle(method, req, res);
    };
    if (method == "GET") http_.Get(".*", h);
    if (method == "POST") http_.Post(".*", h);
    if (method == "PUT") http_.Put(".*", h);
    if (method == "PATCH") http_.Patch(".*", h);
    if (method == "DELETE") http_.Delete(".*", h);
  }
}

void ApiServerImpl::Handle(const std::string& method,
                           const httplib::Request& req,
                           httplib::Response& res) {
  if (method == "GET" && HandleMeta(ctx_, req, res)) return;
  if (method == "GET" && req.path == "/metrics") {
    return ServeMetrics(net_, req, res);
  }
  if (HandleKsimApi(net_, req, res)) return;
  if (HandleProxy(ctx_, net_, req, res)) return;
  if (req.path.rfind("/api/", 0) == 0 || req.path.rfind("/apis/", 0) == 0) {
    HandleResource(ctx_, method, req, res);
    return;
  }
  WriteBody(req, res, 404, "404 page not found\n", "text/plain; charset=utf-8");
}

void ApiServerImpl::Stop() {
  if (stopped_) return;
  stopped_ = true;
  stopping_ = true;
  ready_ = false;
  http_.stop();
  if (listener_.joinable()) listener_.join();
  if (record_) record_->Finish(cp_->store());
  own_cp_.reset();
}

}  // namespace

base::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Start(
    const ServerOptions& options) {
  auto server =
      std::make_unique<ApiServerImpl>(options, nullptr, nullptr, nullptr);
  KSIM_RETURN_IF_ERROR(server->OpenControlPlane());
  KSIM_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<ApiServer>(std::move(server));
}

base::StatusOr<std::unique_ptr<ApiServer>> ApiServer::Serve(
    const ServerOptions& options, ControlPlane* control_plane,
    PodLogs* pod_logs, NetGateway* net) {
  auto server =
      std::make_unique<ApiServerImpl>(options, control_plane, pod_logs, net);
  KSIM_RETURN_IF_ERROR(server->Init());
  return std::unique_ptr<ApiServer>(std::move(server));
}

}  // namespace ksim::apiserver
