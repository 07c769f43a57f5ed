#include "netsim/gateway.h"

#include <future>
#include <utility>

namespace ksim::netsim {

Gateway::Gateway(Network* network, base::EventLoop* loop)
    : network_(network), loop_(loop), alive_(std::make_shared<bool>(true)) {
  // Learn which thread runs the loop, so a call from it runs inline.
  std::weak_ptr<bool> alive = alive_;
  loop_->Post([this, alive] {
    if (!alive.expired()) loop_thread_ = std::this_thread::get_id();
  });
}

Gateway::~Gateway() { *alive_ = false; }

void Gateway::RunOnLoop(const std::function<void()>& fn) {
  if (loop_->is_virtual() || loop_thread_.load() == std::this_thread::get_id()) {
    fn();
    return;
  }
  std::promise<void> ran;
  auto fut = ran.get_future();
  loop_->Post([&fn, &ran] {
    fn();
    ran.set_value();
  });
  fut.wait();
}

void Gateway::Exchange(apiserver::NetRequest request,
                       std::function<void(apiserver::NetResponse)> done) {
  std::weak_ptr<bool> alive = alive_;
  loop_->Post([this, alive, request = std::move(request),
               done = std::move(done)]() mutable {
    if (alive.expired()) return;
    network_->Exchange(std::move(request), std::move(done));
  });
}

base::StatusOr<base::Json> Gateway::AddFault(const base::Json& spec) {
  base::StatusOr<base::Json> out = base::Internal("not run");
  RunOnLoop([&] { out = network_->AddFault(spec); });
  return out;
}

base::StatusOr<base::Json> Gateway::ListFaults() {
  return network_->ListFaults();  // Faults is thread-safe
}

base::Status Gateway::RemoveFault(const std::string& id) {
  base::Status out;
  RunOnLoop([&] { out = network_->RemoveFault(id); });
  return out;
}

std::string Gateway::Metrics() { return network_->metrics()->Render(); }

}  // namespace ksim::netsim
