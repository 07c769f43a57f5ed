// The kine-like append-only log table and the SQL that reads and writes it.
//
//   log(id INTEGER PRIMARY KEY,   -- the global revision
//       name TEXT,                -- the key
//       created INTEGER,          -- 1 when this row created the key
//       deleted INTEGER,          -- 1 for a tombstone
//       create_revision INTEGER,  -- revision that created this incarnation
//       prev_revision INTEGER,    -- previous row of the same name, or 0
//       value BLOB)               -- the value; a tombstone keeps the value
//                                 -- of the version it deleted
//   index log_name_id(name, id)
//   meta(name TEXT PRIMARY KEY, value INTEGER)
//     "compact_rev":   history at or below it may be gone (kExpired)
//     "compact_done":  superseded rows up to here have been deleted
//
// The rows of one name form a chain through prev_revision. The current
// revision of the store is max(max(id), compact_rev): compaction may delete the
// newest row (a tombstone), never the revision counter.
//
// Thread-safety: a LogWriter or LogReader belongs to one connection and is
// used by one thread at a time.
#ifndef KSIM_STORE_LOG_TABLE_H_
#define KSIM_STORE_LOG_TABLE_H_

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <string>
#include <string_view>

#include "base/status.h"
#include "store/sqlite_conn.h"

namespace ksim::store {

// One row of the log. Views are valid only during the callback that gets it
// (they point into SQLite's buffers) or while the caller's strings live.
struct LogRow {
  int64_t id = 0;
  std::string_view name;
  bool created = false;
  bool deleted = false;
  int64_t create_revision = 0;
  int64_t prev_revision = 0;
  std::string_view value;
  // For EventsAfter: the value of the row prev_revision names, when this row
  // is a modification (neither created nor deleted).
  std::optional<std::string_view> prev_value;
};

// A key range [lo, hi); hi empty = unbounded. For prefix scans.
struct KeyRange {
  std::string lo;
  std::optional<std::string> hi;
  // The keys that start with prefix, starting at start (when start > prefix).
  static KeyRange ForPrefix(std::string_view prefix, std::string_view start);
};

inline constexpr char kMetaCompactRev[] = "compact_rev";
inline constexpr char kMetaCompactDone[] = "compact_done";

// Creates the tables and index when missing.
base::Status InitLogSchema(Conn* conn);

// Writes the log. Only the group-commit leader uses it.
class LogWriter {
 public:
  // outer_commit_every > 1 (for a ":memory:" log, where durability is
  // moot): Begin/Commit/Rollback work on a savepoint inside one long
  // transaction that is committed every `outer_commit_every` Commits and on
  // destruction. Each batch keeps its atomicity (ROLLBACK TO undoes only
  // it), and the connection's readers see every released batch; an
  // in-memory commit costs more than the insert it carries.
  static base::StatusOr<std::unique_ptr<LogWriter>> Create(
      Conn* conn, int outer_commit_every = 1);
  ~LogWriter();

  base::Status Begin();
  base::Status Commit();
  void Rollback();  // best effort; leaves no batch open
  base::Status Insert(const LogRow& row);
  base::Status SetMeta(std::string_view name, int64_t value);
  // Deletes rows superseded by a row with id in (lo, hi] (the rows those rows'
  // prev_revision name) and tombstones with id in (lo, hi].
  base::Status DeleteSuperseded(int64_t lo, int64_t hi);

 private:
  explicit LogWriter(Conn* conn) : conn_(conn) {}
  Conn* conn_;
  Stmt begin_, commit_, rollback_, insert_, set_meta_, del_prev_, del_tomb_;
  Stmt savepoint_, release_, rollback_to_;  // the outer-transaction mode
  int outer_commit_every_ = 1;
  int released_ = 0;  // batches released since the outer transaction began
};

// Reads the log.
class LogReader {
 public:
  static base::StatusOr<std::unique_ptr<LogReader>> Create(Conn* conn);

  // 0 when unset.
  base::StatusOr<int64_t> Meta(std::string_view name);
  base::StatusOr<int64_t> MaxId();

  // Calls fn for the latest row of every live name, in name order.
  base::Status LoadLatest(const std::function<void(const LogRow&)>& fn);

  // Calls fn, in name order, for the latest row at or below `revision` of each
  // name in range that was live at that revision, until fn returns false.
  base::Status ListAt(const KeyRange& range, int64_t revision,
                      const std::function<bool(const LogRow&)>& fn);

  // Calls fn, in id order, for up to max rows with id in (after, upto] and
  // name in range; modifications carry prev_value. Returns the revision up to
  // which the range has been read: upto when fewer than max rows came back,
  // else the id of the last row.
  base::StatusOr<int64_t> EventsAfter(
      int64_t after, int64_t upto, const KeyRange& range, int64_t max,
      const std::function<void(const LogRow&)>& fn);

 private:
  explicit LogReader(Conn* conn) : conn_(conn) {}
  void BindRange(Stmt* s, int lo_index, const KeyRange& range);
  Conn* conn_;
  Stmt meta_, max_id_, load_, list_at_, events_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_LOG_TABLE_H_
