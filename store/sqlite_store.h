// SqliteStore: the Store over a kine-like SQLite log (see log_table.h), with
// an in-memory cache of the latest version of every live key, group commit
// (write_queue.h) and a watch hub (watch_hub.h). Reached through
// OpenSqliteStore (store.h).
//
// Writes: a writer enqueues itself; the leader validates a batch of writes
// against the cache (and the earlier writes of the same batch), assigns their
// revisions, writes them in one transaction, and only after the commit applies
// them to the cache, publishes their events and wakes their writers. A failed
// transaction fails the whole batch and leaves cache and log unchanged.
//
// Reads at the latest revision come from the cache under a shared lock that
// the leader takes exclusively only for the short apply step; reads at older
// revisions come from the log through pooled reader connections.
//
// Thread-safety: as Store. The destructor REQUIRES that no call is in flight;
// watchers may outlive the store (they end with status OK).
#ifndef KSIM_STORE_SQLITE_STORE_H_
#define KSIM_STORE_SQLITE_STORE_H_

#include <atomic>
#include <map>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <vector>

#include "store/log_db.h"
#include "store/object_cache.h"
#include "store/store.h"
#include "store/watch_hub.h"
#include "store/write_queue.h"

namespace ksim::store {

class SqliteStore : public Store {
 public:
  static base::StatusOr<std::unique_ptr<Store>> Open(SqliteOptions options);
  ~SqliteStore() override;

  StatusOr<Object> Create(std::string key, std::string value,
                          Attributes attrs) override;
  StatusOr<Object> Update(std::string key, std::string value, Attributes attrs,
                          int64_t expected_revision) override;
  StatusOr<Object> Delete(std::string key, int64_t expected_revision) override;
  StatusOr<Object> Get(std::string_view key) const override;
  StatusOr<ListResult> List(const ListOptions& options) const override;
  StatusOr<std::unique_ptr<Watcher>> Watch(WatchOptions options) override;
  int64_t CurrentRevision() const override { return current_.load(); }
  int64_t CompactedRevision() const override { return hub_->compacted(); }
  Status Compact(int64_t revision) override;

  // Group-commit figures since open, for benchmarks and diagnostics.
  struct CommitStats {
    int64_t transactions = 0;  // committed write transactions
    int64_t writes = 0;        // writes they carried
  };
  CommitStats commit_stats() const {
    return {transactions_.load(), committed_writes_.load()};
  }

 private:
  enum class OpKind { kCreate, kUpdate, kDelete, kCompactMark, kCompactChunk };
  struct WriteOp;
  // The leader's view of a key while validating a batch: the cache as
  // changed by the batch's earlier writes (null = absent).
  using Overlay = std::map<std::string_view, const Object*>;

  explicit SqliteStore(SqliteOptions options) : options_(std::move(options)) {}
  Status Load();
  std::shared_ptr<const Attributes> AttrsOf(std::string_view key,
                                            std::string_view value) const;

  // Runs op through the group-commit queue and returns its result.
  StatusOr<Object> Submit(WriteOp* op);
  // Validates, writes and commits a batch, extending it with writers that
  // queue up meanwhile (WriteQueue::TakeMore); then applies and publishes.
  void RunBatch(std::vector<WriteQueue::Writer*>* batch);
  // Validates the batch's writes and inserts the valid ones in one
  // transaction, committed when everything went well (rolled back if not).
  Status InsertBatch(LogWriter* w, std::vector<WriteQueue::Writer*>* batch,
                     std::vector<WriteOp*>* valid, int64_t* revision);
  void RunCompactOp(WriteOp* op);
  // Checks op against the current state and fills its row and event.
  Status Validate(WriteOp* op, const Object* cur, int64_t revision);
  void ApplyToCache(const std::vector<WriteOp*>& ops, int64_t revision);

  StatusOr<ListResult> ListFromCache(const ListOptions& options,
                                     int64_t revision) const;
  StatusOr<ListResult> ListFromLog(const ListOptions& options) const;

  const SqliteOptions options_;
  std::shared_ptr<LogDb> db_;
  std::shared_ptr<WatchHub> hub_;
  WriteQueue queue_;
  std::mutex compact_mu_;     // one Compact at a time
  int64_t compact_done_ = 0;  // leader only (and Open)

  // The leader is the only thread that modifies the cache, so it reads it
  // without the lock while validating; every other access holds cache_mu_.
  mutable std::shared_mutex cache_mu_;
  ObjectCache cache_;
  std::atomic<int64_t> current_{0};  // written under cache_mu_ (exclusive)
  std::atomic<int64_t> transactions_{0};
  std::atomic<int64_t> committed_writes_{0};
};

}  // namespace ksim::store

#endif  // KSIM_STORE_SQLITE_STORE_H_
