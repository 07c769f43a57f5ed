// SchedulingQueue: kube-scheduler's PriorityQueue (activeQ, backoffQ,
// unschedulablePods). Pods pop from activeQ by priority, then by the order
// they entered it (PrioritySort). A pod that failed waits in
// unschedulablePods until a cluster event (MoveAllToActiveOrBackoff: a node
// added or changed, an assigned pod deleted) or until it has waited
// max_in_unschedulable; it then goes back to activeQ, or to backoffQ while
// its backoff (initial * 2^(attempts-1), capped at max) has not expired.
//
// The queue does not own timers: the Scheduler asks NextWakeup() and calls
// Flush(now) then.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_SCHEDULER_QUEUE_H_
#define KSIM_CONTROLLERS_SCHEDULER_QUEUE_H_

#include <cstdint>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <tuple>

#include "base/clock.h"

namespace ksim::controllers::sched {

class SchedulingQueue {
 public:
  struct Options {
    base::Duration initial_backoff = std::chrono::seconds(1);
    base::Duration max_backoff = std::chrono::seconds(10);
    base::Duration max_in_unschedulable = std::chrono::minutes(5);
  };
  explicit SchedulingQueue(Options o) : options_(o) {}

  // A new pending pod (or one whose spec changed while it waited): straight
  // to activeQ unless it is backing off. No-op when it is already active.
  void Add(const std::string& key, int32_t priority, base::Time now);
  // Forgets the pod everywhere (deleted, or bound by someone else).
  void Delete(const std::string& key);
  // Pops the next pod of activeQ. `attempts` counts its earlier failures.
  bool Pop(std::string* key, int* attempts);
  // The popped pod failed: it waits in unschedulablePods.
  void AddUnschedulable(const std::string& key, int32_t priority,
                        base::Time now);
  // The popped pod failed for a reason no cluster event fixes (an API
  // error): it is retried after its backoff.
  void AddBackoff(const std::string& key, int32_t priority, base::Time now);
  // The popped pod was scheduled (or dropped): forget its attempts.
  void Forget(const std::string& key);
  // A cluster event: every unschedulable pod moves on.
  void MoveAllToActiveOrBackoff(base::Time now);
  // Moves pods whose backoff expired, and pods that waited too long.
  void Flush(base::Time now);
  std::optional<base::Time> NextWakeup() const;

  bool Contains(const std::string& key) const { return pods_.count(key) > 0; }
  size_t ActiveLen() const { return active_.size(); }
  size_t BackoffLen() const { return backoff_.size(); }
  size_t UnschedulableLen() const { return unschedulable_.size(); }

 private:
  enum class Where { kActive, kBackoff, kUnschedulable };
  struct Entry {
    Where where = Where::kActive;
    int32_t priority = 0;
    int attempts = 0;
    uint64_t seq = 0;
    base::Time last_attempt{};
    base::Time entered{};  // when it entered its current place
  };
  base::Time BackoffExpiry(const Entry& e) const;
  void Unlink(const std::string& key, const Entry& e);
  void ToActive(const std::string& key, Entry& e);
  void ToActiveOrBackoff(const std::string& key, Entry& e, base::Time now);

  Options options_;
  uint64_t seq_ = 0;
  std::map<std::string, Entry> pods_;
  std::set<std::tuple<int32_t, uint64_t, std::string>> active_;  // -priority
  std::set<std::pair<base::Time, std::string>> backoff_;
  std::set<std::pair<base::Time, std::string>> unschedulable_;
  // Attempts of pods popped and not yet back (in their scheduling cycle or
  // binding).
  std::map<std::string, int> popped_attempts_;
};

}  // namespace ksim::controllers::sched

#endif  // KSIM_CONTROLLERS_SCHEDULER_QUEUE_H_
