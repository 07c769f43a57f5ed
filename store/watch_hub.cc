#include "store/watch_hub.h"

#include <algorithm>
#include <string>
#include <utility>

#include "store/watcher.h"

namespace ksim::store {

std::shared_ptr<const Attributes> EmptyAttrs() {
  static const auto* const kEmpty =
      new std::shared_ptr<const Attributes>(std::make_shared<Attributes>());
  return *kEmpty;
}

namespace {

std::string TooOld(int64_t after, int64_t compacted) {
  return "too old resource version: " + std::to_string(after) + " (" +
         std::to_string(compacted) + ")";
}

}  // namespace

WatchHub::WatchHub(std::shared_ptr<LogDb> db, AttrsFunc attrs_func,
                   size_t ring_capacity, size_t max_pending, int64_t published,
                   int64_t compacted)
    : db_(std::move(db)),
      attrs_func_(std::move(attrs_func)),
      ring_capacity_(std::max<size_t>(ring_capacity, 1)),
      max_pending_(max_pending),
      compacted_(compacted),
      published_(published),
      ring_start_(published) {}

WatchHub::~WatchHub() = default;

base::StatusOr<std::unique_ptr<Watcher>> WatchHub::Watch(WatchOptions options) {
  auto state = std::make_shared<WatchState>();
  state->prefix = std::move(options.prefix);
  state->filter = std::move(options.filter);
  state->on_ready = std::move(options.on_ready);
  state->after = options.after_revision;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) {
      return base::Status(base::Code::kServiceUnavailable, "store is closed");
    }
    int64_t compacted = compacted_.load();
    if (state->after < compacted) {
      return base::Expired(TooOld(state->after, compacted));
    }
    // Everything up to published_ is replayed; later events are queued by
    // Publish, which cannot run while we hold mu_.
    state->replay_next = state->after;
    state->replay_upto = std::max(state->after, published_);
    watchers_.push_back(state);
  }
  if (state->replay_next < state->replay_upto) state->Notify();
  return std::unique_ptr<Watcher>(
      new WatcherImpl(shared_from_this(), std::move(state)));
}

bool WatchHub::Deliver(WatchState* w, const std::vector<LogEventPtr>& events) {
  std::lock_guard<std::mutex> lock(w->mu);
  if (w->ended) return false;
  bool added = false;
  for (const LogEventPtr& ev : events) {
    // A watch registered between the cache update and this publication has
    // already seen these revisions in a list at the newer revision.
    if (ev->revision() <= w->after) continue;
    if (!ev->object.key.starts_with(w->prefix)) continue;
    Transform t = Classify(w->filter, *ev);
    if (t == Transform::kSkip) continue;
    if (w->queue.size() >= max_pending_) {
      w->EndLocked(base::Status(base::Code::kTooManyRequests,
                                "watcher fell too far behind: more than " +
                                    std::to_string(max_pending_) +
                                    " undelivered events"),
                   /*drop=*/false);
      return true;
    }
    w->queue.push_back({ev, t});
    added = true;
  }
  return added;
}

void WatchHub::Publish(const std::vector<LogEventPtr>& events) {
  if (events.empty()) return;
  std::vector<std::shared_ptr<WatchState>> notify;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    for (const LogEventPtr& ev : events) {
      ring_.push_back(ev);
      if (ring_.size() > ring_capacity_) {
        ring_start_ = ring_.front()->revision();
        ring_.pop_front();
      }
    }
    published_ = events.back()->revision();
    for (const auto& w : watchers_) {
      if (Deliver(w.get(), events)) notify.push_back(w);
    }
  }
  for (const auto& w : notify) w->Notify();
}

void WatchHub::SetCompacted(int64_t revision) {
  int64_t cur = compacted_.load();
  while (cur < revision && !compacted_.compare_exchange_weak(cur, revision)) {
  }
}

void WatchHub::Close() {
  std::vector<std::shared_ptr<WatchState>> all;
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (closed_) return;
    closed_ = true;
    all.swap(watchers_);
    ring_.clear();
    for (const auto& w : all) {
      std::lock_guard<std::mutex> wlock(w->mu);
      w->EndLocked(base::Status::Ok(), /*drop=*/false);
    }
  }
  for (const auto& w : all) w->Notify();
}

bool WatchHub::closed() {
  std::lock_guard<std::mutex> lock(mu_);
  return closed_;
}

void WatchHub::Unregister(const WatchState* state) {
  std::lock_guard<std::mutex> lock(mu_);
  std::erase_if(watchers_, [state](const auto& w) { return w.get() == state; });
}

int64_t WatchHub::ReadRing(int64_t after, int64_t upto,
                           const std::string& prefix, size_t max,
                           std::vector<LogEventPtr>* out) {
  std::lock_guard<std::mutex> lock(mu_);
  if (after < ring_start_) return -1;
  if (max == 0) return after;
  auto it = std::upper_bound(
      ring_.begin(), ring_.end(), after,
      [](int64_t rev, const LogEventPtr& ev) { return rev < ev->revision(); });
  size_t taken = 0;
  for (; it != ring_.end() && (*it)->revision() <= upto; ++it) {
    if (!(*it)->object.key.starts_with(prefix)) continue;
    if (taken == max) return (*(it - 1))->revision();
    out->push_back(*it);
    ++taken;
  }
  return upto;
}

LogEventPtr WatchHub::RowToEvent(const LogRow& row) {
  auto make_attrs = [this](std::string_view key, std::string_view value) {
    return attrs_func_
               ? std::make_shared<const Attributes>(attrs_func_(key, value))
               : EmptyAttrs();
  };
  auto ev = std::make_shared<LogEvent>();
  Object& obj = ev->object;
  obj.key = std::string(row.name);
  obj.value = std::make_shared<const std::string>(row.value);
  obj.attrs = make_attrs(obj.key, *obj.value);
  obj.create_revision = row.create_revision;
  obj.mod_revision = row.id;
  if (row.created) {
    ev->type = EventType::kAdded;
  } else if (row.deleted) {
    ev->type = EventType::kDeleted;
    ev->prev = obj;
    ev->prev.mod_revision = row.prev_revision;
  } else {
    ev->type = EventType::kModified;
    ev->prev.key = obj.key;
    ev->prev.value = std::make_shared<const std::string>(
        row.prev_value.value_or(std::string_view()));
    ev->prev.attrs = make_attrs(obj.key, *ev->prev.value);
    ev->prev.create_revision = row.create_revision;
    ev->prev.mod_revision = row.prev_revision;
  }
  return ev;
}

base::StatusOr<int64_t> WatchHub::ReadLog(int64_t after, int64_t upto,
                                          const std::string& prefix, size_t max,
                                          std::vector<LogEventPtr>* out) {
  size_t first = out->size();
  base::StatusOr<int64_t> reached = int64_t{0};
  {
    KSIM_ASSIGN_OR_RETURN(LogDb::ReadAccess access, db_->Read());
    reached = access->EventsAfter(
        after, upto, KeyRange::ForPrefix(prefix, ""), static_cast<int64_t>(max),
        [&](const LogRow& row) { out->push_back(RowToEvent(row)); });
  }
  // Compaction raises compacted_ before it deletes anything, so if it is
  // still at or below `after` now, the rows we read were all intact.
  int64_t compacted = compacted_.load();
  if (compacted > after) {
    out->resize(first);
    return base::Expired(TooOld(after, compacted));
  }
  return reached;
}

}  // namespace ksim::store
