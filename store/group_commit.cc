// The write path of SqliteStore: group commit through the WriteQueue.
#include <algorithm>
#include <utility>

#include "store/sqlite_store.h"

namespace ksim::store {
namespace {

// Writes per transaction. Bounds the leader's latency, not throughput: with
// N concurrent writers a batch rarely exceeds N.
constexpr size_t kMaxBatch = 1024;
// Revisions cleaned per compaction transaction, so writers interleave.
constexpr int64_t kCompactChunk = 10000;

constexpr char kConflictMessage[] =
    "the object has been modified; please apply your changes to the latest "
    "version and try again";

}  // namespace

struct SqliteStore::WriteOp : WriteQueue::Writer {
  OpKind kind = OpKind::kCreate;
  std::string key;
  std::shared_ptr<const std::string> value;
  std::shared_ptr<const Attributes> attrs;
  int64_t expected = 0;
  int64_t lo = 0, hi = 0;  // compaction range (lo, hi]

  // Filled by the leader.
  Status status;
  LogRow row;                       // to insert; views into key and values
  std::shared_ptr<LogEvent> event;  // the change once committed
};

StatusOr<Object> SqliteStore::Create(std::string key, std::string value,
                                     Attributes attrs) {
  WriteOp op;
  op.kind = OpKind::kCreate;
  op.key = std::move(key);
  op.value = std::make_shared<const std::string>(std::move(value));
  op.attrs = std::make_shared<const Attributes>(std::move(attrs));
  return Submit(&op);
}

StatusOr<Object> SqliteStore::Update(std::string key, std::string value,
                                     Attributes attrs,
                                     int64_t expected_revision) {
  WriteOp op;
  op.kind = OpKind::kUpdate;
  op.key = std::move(key);
  op.value = std::make_shared<const std::string>(std::move(value));
  op.attrs = std::make_shared<const Attributes>(std::move(attrs));
  op.expected = expected_revision;
  return Submit(&op);
}

StatusOr<Object> SqliteStore::Delete(std::string key,
                                     int64_t expected_revision) {
  WriteOp op;
  op.kind = OpKind::kDelete;
  op.key = std::move(key);
  op.expected = expected_revision;
  return Submit(&op);
}

StatusOr<Object> SqliteStore::Submit(WriteOp* op) {
  if (queue_.Enter(op)) {
    std::vector<WriteQueue::Writer*> batch = queue_.TakeBatch(kMaxBatch);
    RunBatch(&batch);
    queue_.Complete(batch);
  }
  if (!op->status.ok()) return op->status;
  if (op->event == nullptr) return Object();  // compaction steps
  return op->event->object;
}

Status SqliteStore::Validate(WriteOp* op, const Object* cur, int64_t revision) {
  auto ev = std::make_shared<LogEvent>();
  LogRow& row = op->row;
  row.id = revision;
  row.name = op->key;
  if (op->kind == OpKind::kCreate) {
    if (cur != nullptr)
      return base::AlreadyExists("key " + op->key + " exists");
    ev->type = EventType::kAdded;
    ev->object = Object{op->key, op->value, op->attrs, revision, revision};
    row.created = true;
    row.create_revision = revision;
    row.value = *op->value;
  } else {
    if (cur == nullptr) return base::NotFound("key " + op->key + " not found");
    if (op->expected != 0 && op->expected != cur->mod_revision) {
      return base::Conflict(kConflictMessage);
    }
    ev->prev = *cur;
    row.create_revision = cur->create_revision;
    row.prev_revision = cur->mod_revision;
    if (op->kind == OpKind::kUpdate) {
      ev->type = EventType::kModified;
      ev->object =
          Object{op->key, op->value, op->attrs, cur->create_revision, revision};
      row.value = *op->value;
    } else {
      ev->type = EventType::kDeleted;
      ev->object = *cur;
      ev->object.mod_revision = revision;
      row.deleted = true;
      row.value = *cur->value;
    }
  }
  op->event = std::move(ev);
  return Status::Ok();
}

Status SqliteStore::InsertBatch(LogWriter* w,
                                std::vector<WriteQueue::Writer*>* batch,
                                std::vector<WriteOp*>* valid,
                                int64_t* revision) {
  Overlay overlay;
  Status st;
  bool begun = false;
  size_t next = 0;
  // The batch is cut late: writers that queue up while we insert the first
  // ones join the same transaction. Otherwise the writers of one batch
  // re-enqueue just after the next batch was cut, and batches alternate
  // between two halves of the writers.
  do {
    for (; st.ok() && next < batch->size(); ++next) {
      auto* op = static_cast<WriteOp*>((*batch)[next]);
      const Object* cur = nullptr;
      if (auto it = overlay.find(op->key); it != overlay.end()) {
        cur = it->second;
      } else {
        cur = cache_.Find(op->key);  // no lock: only the leader modifies it
      }
      op->status = Validate(op, cur, *revision + 1);
      if (!op->status.ok()) continue;
      ++*revision;
      valid->push_back(op);
      overlay[op->key] =
          op->kind == OpKind::kDelete ? nullptr : &op->event->object;
      if (!begun) {
        st = w->Begin();
        begun = true;
      }
      if (st.ok()) st = w->Insert(op->row);
    }
  } while (st.ok() && queue_.TakeMore(batch, kMaxBatch));
  if (st.ok() && begun) st = w->Commit();
  if (!st.ok()) {
    w->Rollback();
    // Writes after the failing one were not even validated: fail them too.
    for (; next < batch->size(); ++next) {
      static_cast<WriteOp*>((*batch)[next])->status = st;
    }
  }
  return st;
}

void SqliteStore::RunBatch(std::vector<WriteQueue::Writer*>* batch) {
  if ((*batch)[0]->solo) {
    RunCompactOp(static_cast<WriteOp*>((*batch)[0]));
    return;
  }
  int64_t revision = current_.load();
  std::vector<WriteOp*> valid;
  Status st;
  {
    LogDb::WriteAccess w = db_->Write();
    st = InsertBatch(w.operator->(), batch, &valid, &revision);
  }
  if (!st.ok()) {
    // Nothing was applied: the revisions are free again, the cache untouched.
    for (WriteOp* op : valid) {
      op->status = st;
      op->event.reset();
    }
    return;
  }
  if (valid.empty()) return;
  transactions_.fetch_add(1, std::memory_order_relaxed);
  committed_writes_.fetch_add(valid.size(), std::memory_order_relaxed);
  ApplyToCache(valid, revision);
  std::vector<LogEventPtr> events;
  events.reserve(valid.size());
  for (WriteOp* op : valid) events.push_back(op->event);
  hub_->Publish(events);
}

void SqliteStore::ApplyToCache(const std::vector<WriteOp*>& ops,
                               int64_t revision) {
  std::unique_lock<std::shared_mutex> lock(cache_mu_);
  for (WriteOp* op : ops) {
    if (op->kind == OpKind::kDelete) {
      cache_.Erase(op->key);
    } else {
      cache_.Put(op->event->object);
    }
  }
  current_.store(revision);
}

void SqliteStore::RunCompactOp(WriteOp* op) {
  LogDb::WriteAccess w = db_->Write();
  Status st = w->Begin();
  if (op->kind == OpKind::kCompactMark) {
    if (st.ok()) st = w->SetMeta(kMetaCompactRev, op->hi);
  } else {
    if (st.ok()) st = w->DeleteSuperseded(op->lo, op->hi);
    if (st.ok()) st = w->SetMeta(kMetaCompactDone, op->hi);
  }
  if (st.ok()) st = w->Commit();
  if (!st.ok()) {
    w->Rollback();
  } else if (op->kind == OpKind::kCompactChunk) {
    compact_done_ = op->hi;
  }
  op->status = st;
}

Status SqliteStore::Compact(int64_t revision) {
  std::lock_guard<std::mutex> lock(compact_mu_);
  int64_t current = current_.load();
  if (revision > current) {
    return base::BadRequest("compaction revision " + std::to_string(revision) +
                            " is newer than the current revision " +
                            std::to_string(current));
  }
  if (revision > hub_->compacted()) {
    // Refuse reads below the new point before anything is deleted: readers
    // check it after reading (see WatchHub::ReadLog, ListFromLog).
    hub_->SetCompacted(revision);
    WriteOp mark;
    mark.solo = true;
    mark.kind = OpKind::kCompactMark;
    mark.hi = revision;
    KSIM_RETURN_IF_ERROR(Submit(&mark).status());
  }
  // Also finishes the cleanup of an earlier compaction cut short by a crash.
  int64_t target = hub_->compacted();
  for (int64_t lo = compact_done_; lo < target;) {
    WriteOp chunk;
    chunk.solo = true;
    chunk.kind = OpKind::kCompactChunk;
    chunk.lo = lo;
    chunk.hi = std::min(target, lo + kCompactChunk);
    KSIM_RETURN_IF_ERROR(Submit(&chunk).status());
    lo = chunk.hi;
  }
  return Status::Ok();
}

}  // namespace ksim::store
