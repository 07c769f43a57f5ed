#include "apiserver/http_pool.h"

namespace ksim::apiserver {

ElasticPool::ElasticPool(size_t initial_threads, size_t max_threads)
    : max_threads_(max_threads) {
  std::lock_guard<std::mutex> l(mu_);
  for (size_t i = 0; i < initial_threads; ++i) SpawnLocked();
}

ElasticPool::~ElasticPool() { shutdown(); }

void ElasticPool::SpawnLocked() {
  threads_.emplace_back([this] { Worker(); });
}

void ElasticPool::enqueue(std::function<void()> fn) {
  {
    std::lock_guard<std::mutex> l(mu_);
    if (shutdown_) return;
    jobs_.push_back(std::move(fn));
    // Every queued job needs a thread of its own now: a job may be a watch
    // stream that never returns.
    if (jobs_.size() > idle_ && threads_.size() < max_threads_) SpawnLocked();
  }
  cv_.notify_one();
}

void ElasticPool::shutdown() {
  std::list<std::thread> threads;
  {
    std::lock_guard<std::mutex> l(mu_);
    if (shutdown_ && threads_.empty()) return;
    shutdown_ = true;
    threads.swap(threads_);
  }
  cv_.notify_all();
  for (auto& t : threads) t.join();
}

size_t ElasticPool::thread_count() const {
  std::lock_guard<std::mutex> l(mu_);
  return threads_.size();
}

void ElasticPool::Worker() {
  std::unique_lock<std::mutex> l(mu_);
  for (;;) {
    ++idle_;
    cv_.wait(l, [this] { return shutdown_ || !jobs_.empty(); });
    --idle_;
    if (jobs_.empty()) return;  // shutdown with nothing left to run
    std::function<void()> job = std::move(jobs_.front());
    jobs_.pop_front();
    l.unlock();
    job();
    l.lock();
  }
}

}  // namespace ksim::apiserver
