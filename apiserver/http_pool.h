// An elastic cpp-httplib task queue: a thread per concurrent connection, up
// to a cap. cpp-httplib's fixed pool (8 threads in Debian's build) lets a
// handful of watch streams or idle keep-alive connections starve every other
// request (shared/notes/measured-limits.md); here a new connection finds an
// idle thread or gets a new one, so many watchers cannot block a GET.
//
// Thread-safety: enqueue/shutdown may be called from any thread.
#ifndef KSIM_APISERVER_HTTP_POOL_H_
#define KSIM_APISERVER_HTTP_POOL_H_

#include <httplib.h>

#include <condition_variable>
#include <deque>
#include <functional>
#include <list>
#include <mutex>
#include <thread>

namespace ksim::apiserver {

class ElasticPool : public httplib::TaskQueue {
 public:
  ElasticPool(size_t initial_threads, size_t max_threads);
  ~ElasticPool() override;

  void enqueue(std::function<void()> fn) override;
  void shutdown() override;

  size_t thread_count() const;

 private:
  void Worker();
  void SpawnLocked();

  const size_t max_threads_;
  mutable std::mutex mu_;
  std::condition_variable cv_;
  std::deque<std::function<void()>> jobs_;
  std::list<std::thread> threads_;
  size_t idle_ = 0;
  bool shutdown_ = false;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_HTTP_POOL_H_
