// The per-watch state shared by the hub (which queues live events into it)
// and the Watcher handed to the consumer (which replays history and drains
// the queue).
//
// Lock order: WatchHub::mu_ before WatchState::mu. WatchState::cb_mu is taken
// alone (around on_ready), so Stop() cannot return while on_ready runs.
#ifndef KSIM_STORE_WATCHER_H_
#define KSIM_STORE_WATCHER_H_

#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/store.h"
#include "store/watch_hub.h"

namespace ksim::store {

// How an event looks to a filtered watcher (kube-apiserver's cacher rules).
enum class Transform : uint8_t { kAsIs, kToAdded, kToDeleted, kSkip };
Transform Classify(const Filter& filter, const LogEvent& event);
// REQUIRES: t != kSkip.
Event Materialize(const LogEvent& event, Transform t);

struct WatchState {
  // Immutable after registration.
  std::string prefix;
  Filter filter;
  std::function<void()> on_ready;
  int64_t after = 0;

  // Owned by the consumer (the thread calling Poll/Stop): history still to
  // replay is (replay_next, replay_upto].
  int64_t replay_next = 0;
  int64_t replay_upto = 0;

  struct Queued {
    LogEventPtr event;
    Transform transform;
  };
  std::mutex mu;             // guards the fields below
  std::deque<Queued> queue;  // live events, all newer than replay_upto
  bool ended = false;
  bool dropped = false;  // ended without delivering what remains
  base::Status status;

  std::mutex cb_mu;      // held while on_ready runs
  bool stopped = false;  // guarded by cb_mu

  // Calls on_ready unless stopped. Takes cb_mu; call without other locks.
  void Notify();
  // Ends the watch. With drop, pending replay and queue are discarded.
  // REQUIRES: mu held.
  void EndLocked(base::Status st, bool drop);
};

class WatcherImpl : public Watcher {
 public:
  WatcherImpl(std::shared_ptr<WatchHub> hub, std::shared_ptr<WatchState> state)
      : hub_(std::move(hub)), state_(std::move(state)) {}
  ~WatcherImpl() override { Stop(); }

  bool Poll(std::vector<Event>* out, size_t max) override;
  void Stop() override;
  base::Status status() const override;

 private:
  // Replays one chunk of history into out; returns how many were appended.
  size_t ReplayChunk(std::vector<Event>* out, size_t room);

  std::shared_ptr<WatchHub> hub_;
  std::shared_ptr<WatchState> state_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_WATCHER_H_
