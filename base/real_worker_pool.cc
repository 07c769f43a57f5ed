// The real-thread WorkerPool (threads live only in base/real_* files).
#include <condition_variable>
#include <deque>
#include <mutex>
#include <thread>
#include <vector>

#include "base/worker_pool.h"

namespace ksim::base {
namespace {

class RealWorkerPool : public WorkerPool {
 public:
  explicit RealWorkerPool(int threads) {
    for (int i = 0; i < threads; ++i) {
      threads_.emplace_back([this] { Work(); });
    }
  }

  ~RealWorkerPool() override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      quitting_ = true;
    }
    work_cv_.notify_all();
    for (auto& t : threads_) t.join();
  }

  void Submit(std::function<void()> task) override {
    {
      std::lock_guard<std::mutex> lock(mu_);
      queue_.push_back(std::move(task));
    }
    work_cv_.notify_one();
  }

  void WaitIdle() override {
    std::unique_lock<std::mutex> lock(mu_);
    idle_cv_.wait(lock, [this] { return queue_.empty() && running_ == 0; });
  }

 private:
  void Work() {
    std::unique_lock<std::mutex> lock(mu_);
    while (true) {
      // Drain the queue before quitting: the destructor promises that every
      // submitted task runs.
      work_cv_.wait(lock, [this] { return quitting_ || !queue_.empty(); });
      if (queue_.empty()) return;
      std::function<void()> task = std::move(queue_.front());
      queue_.pop_front();
      ++running_;
      lock.unlock();
      task();
      task = nullptr;  // destroy captures outside the lock's critical path
      lock.lock();
      --running_;
      if (queue_.empty() && running_ == 0) idle_cv_.notify_all();
    }
  }

  std::mutex mu_;
  std::condition_variable work_cv_;
  std::condition_variable idle_cv_;
  std::deque<std::function<void()>> queue_;
  int running_ = 0;
  bool quitting_ = false;
  std::vector<std::thread> threads_;
};

}  // namespace

std::unique_ptr<WorkerPool> NewRealWorkerPool(int threads) {
  return std::make_unique<RealWorkerPool>(threads);
}

}  // namespace ksim::base
