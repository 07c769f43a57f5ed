// Real-time TaskRunner: one of the few places allowed a thread and the
// steady clock (see DESIGN.md: time, randomness, threads).
#include <chrono>
#include <condition_variable>
#include <map>
#include <mutex>
#include <thread>
#include <utility>

#include "base/task_runner.h"

namespace ksim::base {
namespace {

class RealTaskRunner : public TaskRunner {
 public:
  RealTaskRunner() : thread_([this] { Run(); }) {}
  ~RealTaskRunner() override {
    {
      std::lock_guard<std::mutex> l(mu_);
      stopping_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

  void Post(std::function<void()> task) override {
    PostDelayed(Duration::zero(), std::move(task));
  }

  void PostDelayed(Duration delay, std::function<void()> task) override {
    {
      std::lock_guard<std::mutex> l(mu_);
      auto due = std::chrono::steady_clock::now() + delay;
      tasks_.emplace(std::make_pair(due, seq_++), std::move(task));
    }
    cv_.notify_all();
  }

 private:
  using Key = std::pair<std::chrono::steady_clock::time_point, uint64_t>;

  void Run() {
    std::unique_lock<std::mutex> l(mu_);
    while (!stopping_) {
      if (tasks_.empty()) {
        cv_.wait(l);
        continue;
      }
      auto it = tasks_.begin();
      if (it->first.first > std::chrono::steady_clock::now()) {
        cv_.wait_until(l, it->first.first);
        continue;
      }
      std::function<void()> task = std::move(it->second);
      tasks_.erase(it);
      l.unlock();
      task();
      l.lock();
    }
  }

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<Key, std::function<void()>> tasks_;
  uint64_t seq_ = 0;
  bool stopping_ = false;
  std::thread thread_;  // last: starts after the members above exist
};

}  // namespace

std::unique_ptr<TaskRunner> NewRealTaskRunner() {
  return std::make_unique<RealTaskRunner>();
}

}  // namespace ksim::base
