// WatchHub: delivers the store's change events to watchers.
//
// The group-commit leader publishes each committed batch here, in revision
// order. The hub keeps a bounded ring of the most recent events so that a new
// watch can replay recent history from memory; older history is read from
// the SQLite log. A watch registers under the same mutex that orders
// publication: everything up to the revision published at that moment is
// replayed (lazily, as the consumer polls), everything after it arrives
// through the watcher's own queue, so replay and live stream meet with no gap
// and no duplicate.
//
// Thread-safety: Publish is called by one thread at a time (the leader); all
// other methods are safe to call concurrently with it and with each other.
#ifndef KSIM_STORE_WATCH_HUB_H_
#define KSIM_STORE_WATCH_HUB_H_

#include <atomic>
#include <cstdint>
#include <deque>
#include <memory>
#include <mutex>
#include <vector>

#include "base/status.h"
#include "store/log_db.h"
#include "store/store.h"

namespace ksim::store {

// A committed change, as published and as kept in the ring.
//  kAdded:    object = the new version.
//  kModified: object = the new version, prev = the replaced version.
//  kDeleted:  object = the deleted version with mod_revision = the deletion's
//             revision; prev = the deleted version as it was.
struct LogEvent {
  EventType type;
  Object object;
  Object prev;
  int64_t revision() const { return object.mod_revision; }
};
using LogEventPtr = std::shared_ptr<const LogEvent>;

// The shared empty Attributes, for values without attrs.
std::shared_ptr<const Attributes> EmptyAttrs();

struct WatchState;

class WatchHub : public std::enable_shared_from_this<WatchHub> {
 public:
  // `published` is the store's revision at open (the ring starts empty,
  // covering everything after it).
  WatchHub(std::shared_ptr<LogDb> db, AttrsFunc attrs_func,
           size_t ring_capacity, size_t max_pending, int64_t published,
           int64_t compacted);
  ~WatchHub();

  base::StatusOr<std::unique_ptr<Watcher>> Watch(WatchOptions options);

  // Publishes committed events, revision ascending, all newer than anything
  // published before. Calls watchers' on_ready after releasing the hub's locks.
  void Publish(const std::vector<LogEventPtr>& events);

  // Raises the compaction point; watches from before it get kExpired.
  void SetCompacted(int64_t revision);
  int64_t compacted() const { return compacted_.load(); }

  // Ends every watch (status OK) and refuses new ones.
  void Close();

  // --- For watchers (watcher.cc). ---

  // Appends to out the ring's events with revision in (after, upto] whose key
  // starts with prefix, at most max of them. Returns the revision up to which
  // (after, upto] has been covered, or -1 when the ring no longer holds
  // events right after `after`.
  int64_t ReadRing(int64_t after, int64_t upto, const std::string& prefix,
                   size_t max, std::vector<LogEventPtr>* out);
  // The same from the SQLite log; kExpired when compaction overtook `after`.
  base::StatusOr<int64_t> ReadLog(int64_t after, int64_t upto,
                                  const std::string& prefix, size_t max,
                                  std::vector<LogEventPtr>* out);
  void Unregister(const WatchState* state);
  bool closed();

 private:
  LogEventPtr RowToEvent(const LogRow& row);
  // Queues the events for one watcher; returns whether it must be notified.
  bool Deliver(WatchState* w, const std::vector<LogEventPtr>& events);

  const std::shared_ptr<LogDb> db_;
  const AttrsFunc attrs_func_;
  const size_t ring_capacity_;
  const size_t max_pending_;
  std::atomic<int64_t> compacted_;

  std::mutex mu_;  // orders publication and registration; guards below
  bool closed_ = false;
  int64_t published_;   // the newest revision published
  int64_t ring_start_;  // the ring holds every event with revision > this
  std::deque<LogEventPtr> ring_;
  std::vector<std::shared_ptr<WatchState>> watchers_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_WATCH_HUB_H_
