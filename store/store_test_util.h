// Helpers shared by the store's tests (not part of the library).
#ifndef KSIM_STORE_STORE_TEST_UTIL_H_
#define KSIM_STORE_STORE_TEST_UTIL_H_

#include "base/testing/temp_dir.h"
#include <stdlib.h>

#include <condition_variable>
#include <filesystem>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "store/store.h"

namespace ksim::store::testing {

// A fresh directory under $TMPDIR (or /tmp), removed with its contents.
using ksim::testing::TempDir;

// Test values look like "payload;app=web;tier=db": the segments after the
// first ';' are labels. The field "metadata.name" is the key's last segment.
inline Attributes ParseAttrs(std::string_view key, std::string_view value) {
  Attributes a;
  size_t pos = value.find(';');
  while (pos != std::string_view::npos) {
    size_t next = value.find(';', pos + 1);
    std::string_view seg = value.substr(pos + 1, next == std::string_view::npos
                                                     ? std::string_view::npos
                                                     : next - pos - 1);
    size_t eq = seg.find('=');
    if (eq != std::string_view::npos) {
      a.labels[std::string(seg.substr(0, eq))] =
          std::string(seg.substr(eq + 1));
    }
    pos = next;
  }
  size_t slash = key.rfind('/');
  a.fields["metadata.name"] = std::string(
      slash == std::string_view::npos ? key : key.substr(slash + 1));
  return a;
}

inline Filter LabelIs(std::string k, std::string v) {
  return [k, v](const Attributes& a) {
    auto it = a.labels.find(k);
    return it != a.labels.end() && it->second == v;
  };
}

inline SqliteOptions TestOptions(std::string path) {
  SqliteOptions o;
  o.path = std::move(path);
  o.full_sync = false;
  o.attrs_func = ParseAttrs;
  return o;
}

inline std::unique_ptr<Store> MustOpen(SqliteOptions options) {
  auto s = OpenSqliteStore(std::move(options));
  if (!s.ok()) throw std::runtime_error(s.status().ToString());
  return std::move(s).value();
}

inline StatusOr<Object> Put(Store* s, const std::string& key,
                            const std::string& value) {
  return s->Create(key, value, ParseAttrs(key, value));
}

// Collects a watcher's events, waking on on_ready.
class Collector {
 public:
  std::function<void()> Callback() {
    return [this] {
      std::lock_guard<std::mutex> lock(mu_);
      ++signals_;
      cv_.notify_all();
    };
  }
  // Polls until `n` events have been collected, the watch ended, or the
  // timeout passed. Returns whether the watch is still running.
  bool WaitFor(Watcher* w, size_t n, int timeout_ms = 10000) {
    auto deadline = std::chrono::steady_clock::now() +
                    std::chrono::milliseconds(timeout_ms);
    while (true) {
      size_t before = events.size();
      int64_t seen;
      {
        std::lock_guard<std::mutex> lock(mu_);
        seen = signals_;
      }
      bool alive = w->Poll(&events, 1000);
      if (!alive) return false;
      if (events.size() >= n) return true;
      if (events.size() > before) continue;
      std::unique_lock<std::mutex> lock(mu_);
      if (!cv_.wait_until(lock, deadline, [&] { return signals_ != seen; })) {
        return true;
      }
    }
  }
  std::vector<Event> events;

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  int64_t signals_ = 0;
};

}  // namespace ksim::store::testing

#endif  // KSIM_STORE_STORE_TEST_UTIL_H_
