#include "store/watcher.h"

#include <algorithm>
#include <utility>

namespace ksim::store {
namespace {
// Raw events read per replay step (bounds one SQLite query).
constexpr size_t kReplayChunk = 1000;
}  // namespace

Transform Classify(const Filter& filter, const LogEvent& event) {
  if (!filter) return Transform::kAsIs;
  bool now = filter(*event.object.attrs);
  if (event.type != EventType::kModified) {
    return now ? Transform::kAsIs : Transform::kSkip;
  }
  bool before = filter(*event.prev.attrs);
  if (now && before) return Transform::kAsIs;
  if (now) return Transform::kToAdded;
  if (before) return Transform::kToDeleted;
  return Transform::kSkip;
}

Event Materialize(const LogEvent& event, Transform t) {
  switch (t) {
    case Transform::kToAdded:
      return Event{EventType::kAdded, event.object, event.prev};
    case Transform::kToDeleted: {
      Event e{EventType::kDeleted, event.prev, event.prev};
      e.object.mod_revision = event.revision();
      return e;
    }
    default:
      return Event{event.type, event.object, event.prev};
  }
}

void WatchState::Notify() {
  std::lock_guard<std::mutex> lock(cb_mu);
  if (!stopped && on_ready) on_ready();
}

void WatchState::EndLocked(base::Status st, bool drop) {
  if (!ended) {
    ended = true;
    status = std::move(st);
  }
  if (drop) {
    dropped = true;
    queue.clear();
  }
}

size_t WatcherImpl::ReplayChunk(std::vector<Event>* out, size_t room) {
  WatchState& s = *state_;
  std::vector<LogEventPtr> raw;
  size_t want = std::min(room, kReplayChunk);
  int64_t reached =
      hub_->ReadRing(s.replay_next, s.replay_upto, s.prefix, want, &raw);
  if (reached < 0) {
    auto r = hub_->ReadLog(s.replay_next, s.replay_upto, s.prefix, want, &raw);
    if (!r.ok()) {
      // A store closed under us ends the watch cleanly, as Stop would.
      base::Status st = hub_->closed() ? base::Status::Ok() : r.status();
      std::lock_guard<std::mutex> lock(s.mu);
      s.EndLocked(std::move(st), /*drop=*/true);
      return 0;
    }
    reached = *r;
  }
  size_t appended = 0;
  for (const LogEventPtr& ev : raw) {
    Transform t = Classify(s.filter, *ev);
    if (t == Transform::kSkip) continue;
    out->push_back(Materialize(*ev, t));
    ++appended;
  }
  s.replay_next = reached;
  return appended;
}

bool WatcherImpl::Poll(std::vector<Event>* out, size_t max) {
  WatchState& s = *state_;
  size_t appended = 0;
  // Keep replaying until something matched: a consumer that sees an empty
  // Poll waits for on_ready, which replay never fires.
  while (appended == 0 && s.replay_next < s.replay_upto && max > 0) {
    {
      std::lock_guard<std::mutex> lock(s.mu);
      if (s.dropped) break;
    }
    appended += ReplayChunk(out, max - appended);
  }
  std::lock_guard<std::mutex> lock(s.mu);
  bool replayed = s.dropped || s.replay_next >= s.replay_upto;
  if (replayed) {
    while (appended < max && !s.queue.empty()) {
      const WatchState::Queued& q = s.queue.front();
      out->push_back(Materialize(*q.event, q.transform));
      s.queue.pop_front();
      ++appended;
    }
  }
  return !(s.ended && replayed && s.queue.empty());
}

void WatcherImpl::Stop() {
  {
    // Waits for a running on_ready; none starts after this.
    std::lock_guard<std::mutex> lock(state_->cb_mu);
    if (state_->stopped) return;
    state_->stopped = true;
  }
  {
    std::lock_guard<std::mutex> lock(state_->mu);
    state_->EndLocked(base::Status::Ok(), /*drop=*/true);
  }
  hub_->Unregister(state_.get());
}

base::Status WatcherImpl::status() const {
  std::lock_guard<std::mutex> lock(state_->mu);
  return state_->status;
}

}  // namespace ksim::store
