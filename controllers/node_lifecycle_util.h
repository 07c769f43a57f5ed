// Pieces the node lifecycle and taint eviction controllers share: kube's
// token-bucket eviction limiter and RateLimitedTimedQueue (per zone), the
// node-controller's taint templates, object references for events, and a
// pods-by-node index fed by informer handlers.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_NODE_LIFECYCLE_UTIL_H_
#define KSIM_CONTROLLERS_NODE_LIFECYCLE_UTIL_H_

#include <deque>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"

namespace ksim::controllers::lifecycle {

using base::Json;

inline constexpr char kNotReadyTaint[] = "node.kubernetes.io/not-ready";
inline constexpr char kUnreachableTaint[] = "node.kubernetes.io/unreachable";
inline constexpr char kUnschedulableTaint[] =
    "node.kubernetes.io/unschedulable";

// flowcontrol.NewTokenBucketRateLimiter(qps, burst 1); qps <= 0 never
// accepts (NewFakeNeverRateLimiter).
class TokenBucket {
 public:
  TokenBucket(double qps, base::Time now) { Reset(qps, now); }
  void Reset(double qps, base::Time now);
  bool TryAccept(base::Time now);
  double qps() const { return qps_; }

 private:
  double qps_ = 0;
  double tokens_ = 1;
  base::Time last_{};
};

// scheduler.RateLimitedTimedQueue: a FIFO of node names, each tried when
// its time comes and the limiter lets it.
class RateLimitedTimedQueue {
 public:
  RateLimitedTimedQueue(double qps, base::Time now) : limiter_(qps, now) {}
  // False when the node is already queued.
  bool Add(const std::string& node, base::Time now);
  void Remove(const std::string& node);
  // fn(node) returns nullopt when done, or a delay to retry after.
  template <typename Fn>
  void Try(base::Time now, Fn fn);
  // SwapLimiter: a burst-1 bucket at the new rate; when the old one was
  // empty the new one starts empty too.
  void SwapLimiter(double qps, base::Time now);
  bool empty() const { return queue_.empty(); }

 private:
  struct Item {
    std::string node;
    base::Time process_at;
  };
  TokenBucket limiter_;
  std::deque<Item> queue_;
  std::set<std::string> set_;
};

template <typename Fn>
void RateLimitedTimedQueue::Try(base::Time now, Fn fn) {
  while (!queue_.empty()) {
    Item item = queue_.front();
    if (item.process_at > now) break;
    if (!limiter_.TryAccept(now)) break;
    queue_.pop_front();
    std::optional<base::Duration> retry = fn(item.node);
    if (retry) {
      item.process_at = now + *retry;
      queue_.push_back(item);
    } else {
      set_.erase(item.node);
    }
  }
}

// The references client-go's recorders build for node and pod events.
Json NodeRef(const Json& node);
Json PodRef(const std::string& ns, const std::string& name,
            const std::string& uid = "");

// nodetopology.GetZoneKey: "" when the node names neither region nor zone.
std::string ZoneKey(const Json& node);
// The condition of `type` in status.conditions, or nullptr.
const Json* FindCondition(const Json& obj, const std::string& type);

// Node taints as JSON list entries; the add/remove set by (key, effect).
bool HasTaint(const Json& node, const std::string& key,
              const std::string& effect);

// Pods by spec.nodeName, kept from informer events.
class PodsByNode {
 public:
  // Call with the pod's latest state (nullptr when deleted).
  void Update(const std::string& pod_key, const Json* pod);
  const std::set<std::string>& On(const std::string& node) const;

 private:
  std::map<std::string, std::set<std::string>> by_node_;
  std::map<std::string, std::string> node_of_;
};

}  // namespace ksim::controllers::lifecycle

#endif  // KSIM_CONTROLLERS_NODE_LIFECYCLE_UTIL_H_
