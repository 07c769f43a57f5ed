// Internals of InProcessClient shared by its two files: how an Action
// becomes a Registry call, and the writer pool that runs those calls.
#ifndef KSIM_CLIENT_IN_PROCESS_INTERNAL_H_
#define KSIM_CLIENT_IN_PROCESS_INTERNAL_H_

#include <deque>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

#include "apiserver/registry.h"
#include "base/event_loop.h"
#include "base/worker_pool.h"
#include "client/client.h"

namespace ksim::client {

// The registry's address of (r, ns, name, subresource); NotFound as
// kube-apiserver answers for a resource it does not serve.
StatusOr<apiserver::Target> TargetOf(const Resource& r, const std::string& ns,
                                     const std::string& name,
                                     const std::string& subresource);

// Runs one write against the registry, as the HTTP front would for the same
// request. Thread-safe (the Registry is).
StatusOr<apiserver::WriteResult> ExecuteAction(apiserver::Registry* registry,
                                               const Action& a);

// Runs writes inline (threads == 0) or on worker threads with a FIFO per
// object, posting each `done` to the loop. Shared by every client made with
// WithFieldManager.
class WritePool {
 public:
  WritePool(apiserver::Registry* registry, base::EventLoop* loop, int threads);
  ~WritePool();  // waits for the writes in flight

  // REQUIRES: action.field_manager is final.
  void Do(Action action, WriteCallback done);
  // Blocks until every write issued so far has run (a no-op inline).
  void WaitIdle();

  apiserver::Registry* registry() const { return registry_; }
  base::EventLoop* loop() const { return loop_; }

 private:
  // Runs the write at the head of `key`'s FIFO, then schedules the next.
  void RunNext(const std::string& key);
  void RunWrite(const Action& action, const WriteCallback& done);

  apiserver::Registry* registry_;
  base::EventLoop* loop_;
  std::mutex mu_;
  // Object key -> writes waiting behind the one running. A key is present
  // while one of its writes runs, so later writes queue instead of racing.
  std::map<std::string, std::deque<std::function<void()>>> queues_;
  uint64_t anonymous_ = 0;  // keys for creates that name no object
  std::unique_ptr<base::WorkerPool> workers_;  // null inline
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_IN_PROCESS_INTERNAL_H_
