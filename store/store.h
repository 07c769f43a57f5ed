// Store: a revisioned key-value store in the shape of etcd v3 / kine.
//
// Every successful write gets the next global revision (the row id of the
// append-only log); that revision is the resourceVersion clients see. Writes
// are compare-and-swap on the key's previous revision. Reads of the latest
// state come from an in-memory cache; older revisions from the durable log.
// Watches replay the log after a revision and then stream live events.
//
// The store is generic: values are opaque bytes. So that list and watch can
// filter without decoding values, each write carries the object's selectable
// Attributes (labels and fields, as kube-apiserver's SelectionPredicate uses),
// computed by the caller, which has the decoded object anyway.
//
// Thread-safety: a Store is safe for concurrent use by any number of threads.
// Writes are serialised into group commits (one durable transaction carries
// many concurrent writes); a write returns only once it is durable and visible
// to Get/List/Watch.
#ifndef KSIM_STORE_STORE_H_
#define KSIM_STORE_STORE_H_

#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/status.h"

namespace ksim::store {

using base::Status;
using base::StatusOr;

// Selectable attributes of an object: its labels, and the fields a field
// selector may name ("metadata.name", "status.phase", "spec.nodeName", ...).
struct Attributes {
  std::map<std::string, std::string> labels;
  std::map<std::string, std::string> fields;
};

// Computes Attributes from a stored value. Used when the store loads objects
// from disk (at open, and for reads at older revisions).
using AttrsFunc =
    std::function<Attributes(std::string_view key, std::string_view value)>;

// A filter over attributes; an empty std::function matches everything.
using Filter = std::function<bool(const Attributes&)>;

// One version of one key. Cheap to copy: value and attrs are shared.
struct Object {
  std::string key;
  std::shared_ptr<const std::string> value;
  std::shared_ptr<const Attributes> attrs;
  int64_t create_revision = 0;  // revision at which the key was created
  int64_t mod_revision = 0;     // revision of this version (resourceVersion)
};

enum class EventType { kAdded, kModified, kDeleted };

// A change seen by a watcher.
//  kAdded:    object = the new version.
//  kModified: object = the new version; prev = the version it replaced.
//  kDeleted:  object = the last version before deletion, but with
//             mod_revision set to the revision of the deletion (as etcd and
//             kube-apiserver report it); prev = that version as it was.
// With a filter, a modification that makes an object stop matching is
// delivered as kDeleted (object = prev content, mod_revision = the event's
// revision) and one that makes it start matching as kAdded — kube-apiserver's
// cacher semantics.
struct Event {
  EventType type;
  Object object;
  Object prev;  // set for kModified, kDeleted and the filter transitions
};

struct ListOptions {
  std::string prefix;     // keys that start with this
  int64_t revision = 0;   // 0 = latest; else exactly at this revision
  std::string start_key;  // first key to consider (inclusive); for paging
  int64_t limit = 0;      // max items returned; 0 = no limit
  Filter filter;          // applied before counting toward limit
};

struct ListResult {
  std::vector<Object> items;  // sorted by key
  int64_t revision = 0;       // the revision the list reflects
  // Set when more matching items may follow: the key to pass as start_key
  // (with the same revision) to continue. It is the last item's key followed
  // by '\0' (the smallest key after it), as kube's continue tokens encode.
  std::string next_key;
  // When no filter was given and the list was cut by limit: how many keys
  // remain after this page (metadata.remainingItemCount).
  std::optional<int64_t> remaining;
};

struct WatchOptions {
  std::string prefix;
  int64_t after_revision = 0;  // deliver events with revision > this
  Filter filter;
  // Called (from a writer's thread, without store locks held) whenever new
  // events are ready to Poll or the watch has ended, and once from Watch()
  // itself when there is history to replay. Must be cheap and must not call
  // back into the Store nor Stop the watcher; typically it signals a
  // condition variable or posts to an event loop. Never called once Stop()
  // has returned: Stop() waits for a running on_ready, so do not call Stop()
  // (or destroy the watcher) while holding a lock that on_ready takes.
  std::function<void()> on_ready;
};

// A live watch. Destroying it stops it.
// Thread-safety: Poll and Stop may be called from any one thread at a time
// (typically the consumer's); on_ready fires on writers' threads.
class Watcher {
 public:
  virtual ~Watcher() = default;
  // Moves up to `max` pending events into `out` (appending). Returns false
  // once the watch has ended and every pending event has been taken (the
  // same call may append the last events and return false); then status()
  // says why: OK after Stop or store close; kTooManyRequests when the
  // watcher fell more than max_pending_events behind and was cut off (the
  // events queued before the cut are still delivered, none after it);
  // kExpired when a compaction removed history it had still to replay.
  // Replaying older history reads the log on the calling thread. An empty
  // result with true means: nothing now, wait for on_ready.
  virtual bool Poll(std::vector<Event>* out, size_t max) = 0;
  virtual void Stop() = 0;
  virtual Status status() const = 0;
};

class Store {
 public:
  // REQUIRES: no call in flight. Watchers may outlive the store: they end
  // with status OK once their queued events are taken.
  virtual ~Store() = default;

  // Creates key. kAlreadyExists if it exists.
  virtual StatusOr<Object> Create(std::string key, std::string value,
                                  Attributes attrs) = 0;
  // Replaces key's value if its current mod_revision == expected_revision
  // (0 = unconditional). kNotFound if absent, kConflict on mismatch.
  virtual StatusOr<Object> Update(std::string key, std::string value,
                                  Attributes attrs,
                                  int64_t expected_revision) = 0;
  // Deletes key if its current mod_revision == expected_revision (0 =
  // unconditional). Returns the deleted object with mod_revision = the
  // revision of the deletion. kNotFound / kConflict as for Update.
  virtual StatusOr<Object> Delete(std::string key,
                                  int64_t expected_revision) = 0;

  // The latest version of key; kNotFound if absent.
  virtual StatusOr<Object> Get(std::string_view key) const = 0;

  // Keys under a prefix at one consistent revision. revision older than the
  // compaction point: kExpired ("The resourceVersion for the provided list is
  // too old."). revision newer than current: kTimeout ("Too large resource
  // version") is the caller's business, not ours: we answer kBadRequest.
  // revision 0 and the current revision are served from memory; older ones
  // read the log.
  virtual StatusOr<ListResult> List(const ListOptions& options) const = 0;

  // Starts a watch: every event with revision > after_revision under the
  // prefix, replayed from history and then live, in revision order, with no
  // gap and no duplicate. kExpired ("too old resource version: A (C)") if
  // after_revision < CompactedRevision(). after_revision = 0 replays the
  // whole history (kExpired once anything was compacted): kube's "0 = any"
  // semantics (list then watch) are the caller's.
  virtual StatusOr<std::unique_ptr<Watcher>> Watch(WatchOptions options) = 0;

  virtual int64_t CurrentRevision() const = 0;
  virtual int64_t CompactedRevision() const = 0;

  // Forgets history at or below `revision`: superseded versions and
  // tombstones are removed from the log; the latest version of each live key
  // stays. Watches and lists from before it then get kExpired. A revision at
  // or below the compaction point is a no-op; one above the current revision
  // is kBadRequest.
  virtual Status Compact(int64_t revision) = 0;
};

struct SqliteOptions {
  // Path of the database file; ":memory:" for a throwaway store.
  std::string path;
  // PRAGMA synchronous=FULL (durable against power loss) when true; NORMAL
  // (durable against process crash) otherwise.
  bool full_sync = true;
  // Used when loading objects from disk; must match what writers pass.
  AttrsFunc attrs_func;
  // A watcher with more undelivered events than this is cut off (kept small
  // enough that one stuck client cannot exhaust memory).
  size_t max_pending_events = 100000;
  // How many of the most recent events are kept in memory for new watches to
  // replay; older history is read from the log.
  size_t watch_cache_events = 20000;
};

// Opens (creating if needed) the SQLite-backed store and loads its cache.
StatusOr<std::unique_ptr<Store>> OpenSqliteStore(SqliteOptions options);

}  // namespace ksim::store

#endif  // KSIM_STORE_STORE_H_
