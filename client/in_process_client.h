// InProcessClient: the Client over the API server's Registry in the same
// process — the same defaulting, validation, admission and watch semantics
// kubectl gets over HTTP, without HTTP.
//
// Writes run either inline (virtual time: the Registry call happens inside
// Do, on the loop thread, so the history is deterministic; `done` is posted
// to the loop) or on a pool of writer threads (real time: many writes share
// one durable group commit instead of the loop waiting for each fsync).
// On the pool, writes to one object stay in issue order (a per-key FIFO).
//
// Thread-safety: Do/Get/List/Watch from the loop thread.
#ifndef KSIM_CLIENT_IN_PROCESS_CLIENT_H_
#define KSIM_CLIENT_IN_PROCESS_CLIENT_H_

#include <memory>
#include <string>

#include "apiserver/registry.h"
#include "base/event_loop.h"
#include "client/client.h"

namespace ksim::client {

class WritePool;  // in_process_client.cc

struct InProcessOptions {
  // 0: writes run inline (virtual time). >0: that many writer threads.
  int writer_threads = 0;
};

class InProcessClient : public Client {
 public:
  // REQUIRES: registry and loop outlive the client.
  InProcessClient(apiserver::Registry* registry, base::EventLoop* loop,
                  InProcessOptions options = {});
  ~InProcessClient() override;  // waits for writes in flight

  StatusOr<Json> Get(const Resource& r, const std::string& ns,
                     const std::string& name) override;
  StatusOr<ObjectList> List(const Resource& r, const std::string& ns,
                            const ListOptions& o) override;
  StatusOr<std::unique_ptr<WatchStream>> Watch(
      const Resource& r, const std::string& ns, const ListOptions& o,
      std::function<void()> on_ready) override;
  void Do(Action action, WriteCallback done) override;

  // A client sharing this one's registry, loop and writer pool that writes as
  // another field manager (each component has its own).
  std::unique_ptr<Client> WithFieldManager(const std::string& manager);

 private:
  explicit InProcessClient(std::shared_ptr<WritePool> pool);

  apiserver::Registry* registry_;
  base::EventLoop* loop_;
  std::shared_ptr<WritePool> pool_;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_IN_PROCESS_CLIENT_H_
