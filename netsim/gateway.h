// Gateway: the apiserver::NetGateway of a cluster's Network — how threads
// outside the cluster loop (the HTTP front, `ksim curl`, scenarios) reach
// it. Exchange posts into the loop; the fault calls run on the loop (inline
// when the caller is the loop's thread or drives a virtual-time loop,
// otherwise posted and waited for); Metrics reads the thread-safe counters.
//
// Thread-safety: every method from any thread, as NetGateway requires.
// REQUIRES: in real time the loop runs (Cluster::Start) before a fault
// call from another thread, which waits for the loop. In virtual time the
// fault calls run inline, so they must come from the thread that drives
// the loop (a scenario, a test); Exchange and Metrics stay thread-safe.
#ifndef KSIM_NETSIM_GATEWAY_H_
#define KSIM_NETSIM_GATEWAY_H_

#include <atomic>
#include <functional>
#include <memory>
#include <thread>

#include "apiserver/net_gateway.h"
#include "base/event_loop.h"
#include "netsim/network.h"

namespace ksim::netsim {

class Gateway : public apiserver::NetGateway {
 public:
  // REQUIRES: network and loop outlive the gateway.
  Gateway(Network* network, base::EventLoop* loop);
  ~Gateway() override;

  void Exchange(apiserver::NetRequest request,
                std::function<void(apiserver::NetResponse)> done) override;
  base::StatusOr<base::Json> AddFault(const base::Json& spec) override;
  base::StatusOr<base::Json> ListFaults() override;
  base::Status RemoveFault(const std::string& id) override;
  std::string Metrics() override;

 private:
  // Runs fn on the loop and returns once it ran.
  void RunOnLoop(const std::function<void()>& fn);

  Network* network_;
  base::EventLoop* loop_;
  std::atomic<std::thread::id> loop_thread_{};
  std::shared_ptr<bool> alive_;
};

}  // namespace ksim::netsim

#endif  // KSIM_NETSIM_GATEWAY_H_
