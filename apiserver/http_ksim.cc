// The ksim API (docs/ksim-api.md): JSON over HTTP under /ksim/v1 on the API
// server's port. POST /ksim/v1/exchange sends one HTTP request through the
// simulated network (what `ksim curl` uses); /ksim/v1/faults lists, adds
// and lifts faults. Errors are metav1.Status objects like the rest of the
// server.
#include <chrono>
#include <future>
#include <memory>
#include <string>
#include <utility>

#include "apiserver/api_errors.h"
#include "apiserver/http_net.h"
#include "apiserver/net_json.h"

namespace ksim::apiserver {
namespace {

// curl's default connect timeout (CURL_DEFAULT_CONNECT_TIMEOUT, 300 s) is
// what a request without limits can take at most before the network
// answers 28; the margin covers the loop's delay in posting the answer.
constexpr double kDefaultConnectSeconds = 300;
constexpr double kMarginSeconds = 5;

const base::Status kNoNetwork(
    base::Code::kServiceUnavailable,
    "the simulated network is not running (ksim up --api-only serves the "
    "API alone)");

const base::Status kNotFoundPath(base::Code::kNotFound,
                                 "the server could not find the requested "
                                 "resource",
                                 base::Details{});

const base::Status kMethodNotAllowed(
    base::Code::kMethodNotAllowed,
    "the server does not allow this method on the requested resource",
    base::Details{});

void WriteJson(const httplib::Request& req, httplib::Response& res, int code,
               const base::Json& j) {
  // Bodies relayed from the network may hold any text.
  WriteBody(req, res, code,
            j.dump(-1, ' ', false, base::Json::error_handler_t::replace));
}

void Exchange(NetFront& net, const httplib::Request& req,
              httplib::Response& res) {
  auto parsed = base::ParseJson(req.body);
  if (!parsed.ok()) return WriteStatus(req, res, parsed.status());
  auto request = NetRequestFromJson(*parsed);
  if (!request.ok()) return WriteStatus(req, res, request.status());
  auto response =
      ExchangeAndWait(net.gateway, std::move(request).value(), net.stopping);
  if (!response.ok()) return WriteStatus(req, res, response.status());
  WriteJson(req, res, 200, NetResponseToJson(*response));
}

void Faults(NetFront& net, const std::string& method, const std::string& id,
            const httplib::Request& req, httplib::Response& res) {
  if (net.gateway == nullptr) return WriteStatus(req, res, kNoNetwork);
  if (id.empty() && method == "GET") {
    auto list = net.gateway->ListFaults();
    if (!list.ok()) return WriteStatus(req, res, list.status());
    return WriteJson(req, res, 200, *list);
  }
  if (id.empty() && method == "POST") {
    auto spec = base::ParseJson(req.body);
    if (!spec.ok()) return WriteStatus(req, res, spec.status());
    auto added = net.gateway->AddFault(*spec);
    if (!added.ok()) return WriteStatus(req, res, added.status());
    return WriteJson(req, res, 201, *added);
  }
  if (!id.empty() && method == "DELETE") {
    base::Status s = net.gateway->RemoveFault(id);
    if (!s.ok()) return WriteStatus(req, res, s);
    base::Json ok = {{"kind", "Status"},
                     {"apiVersion", "v1"},
                     {"metadata", base::Json::object()},
                     {"status", "Success"},
                     {"details", {{"name", id}, {"kind", "faults"}}}};
    return WriteJson(req, res, 200, ok);
  }
  if (!id.empty() && method == "GET") {
    auto list = net.gateway->ListFaults();
    if (!list.ok()) return WriteStatus(req, res, list.status());
    for (const auto& f : list->value("items", base::Json::array())) {
      if (f.value("id", "") == id) return WriteJson(req, res, 200, f);
    }
    return WriteStatus(req, res,
                       base::NotFound("fault \"" + id + "\" not found"));
  }
  WriteStatus(req, res, kMethodNotAllowed);
}

// GET /ksim/v1: what the API offers, for a human or a script to discover.
base::Json Index() {
  return {
      {"kind", "APIIndex"},
      {"apiVersion", "ksim/v1"},
      {"paths",
       {"POST /ksim/v1/exchange", "GET /ksim/v1/faults", "POST /ksim/v1/faults",
        "GET /ksim/v1/faults/{id}", "DELETE /ksim/v1/faults/{id}"}}};
}

}  // namespace

base::StatusOr<NetResponse> ExchangeAndWait(NetGateway* gateway,
                                            NetRequest request,
                                            const std::atomic<bool>* stopping) {
  if (gateway == nullptr) return kNoNetwork;
  double limit = request.max_time_seconds > 0 ? request.max_time_seconds
                 : request.connect_timeout_seconds > 0
                     ? request.connect_timeout_seconds
                     : kDefaultConnectSeconds;
  // Shared with the callback: it may run after this thread gave up.
  auto promise = std::make_shared<std::promise<NetResponse>>();
  std::future<NetResponse> answer = promise->get_future();
  gateway->Exchange(std::move(request), [promise](NetResponse r) {
    promise->set_value(std::move(r));
  });
  using SteadyClock = std::chrono::steady_clock;
  auto deadline = SteadyClock::now() +
                  std::chrono::duration_cast<SteadyClock::duration>(
                      std::chrono::duration<double>(limit + kMarginSeconds));
  while (answer.wait_for(std::chrono::milliseconds(100)) !=
         std::future_status::ready) {
    if (stopping != nullptr && stopping->load()) {
      return base::Status(base::Code::kServiceUnavailable,
                          "the server is shutting down");
    }
    if (SteadyClock::now() >= deadline) {
      return base::Status(
          base::Code::kTimeout,
          "the simulated network did not answer within " +
              std::to_string(static_cast<int>(limit + kMarginSeconds)) + "s");
    }
  }
  return answer.get();
}

bool HandleKsimApi(NetFront& net, const httplib::Request& req,
                   httplib::Response& res) {
  const std::string& p = req.path;
  if (p != "/ksim" && p.rfind("/ksim/", 0) != 0) return false;
  const std::string& m = req.method;
  if (p == "/ksim/v1" || p == "/ksim/v1/") {
    if (m != "GET") return WriteStatus(req, res, kMethodNotAllowed), true;
    WriteJson(req, res, 200, Index());
  } else if (p == "/ksim/v1/exchange") {
    if (m != "POST") return WriteStatus(req, res, kMethodNotAllowed), true;
    Exchange(net, req, res);
  } else if (p == "/ksim/v1/faults") {
    Faults(net, m, "", req, res);
  } else if (p.rfind("/ksim/v1/faults/", 0) == 0 &&
             p.find('/', 16) == std::string::npos && p.size() > 16) {
    Faults(net, m, p.substr(16), req, res);
  } else {
    WriteStatus(req, res, kNotFoundPath);
  }
  return true;
}

}  // namespace ksim::apiserver
