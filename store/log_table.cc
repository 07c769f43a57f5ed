#include "store/log_table.h"

#include <algorithm>
#include <utility>

namespace ksim::store {
namespace {

constexpr char kSchema[] = R"sql(
CREATE TABLE IF NOT EXISTS log (
  id INTEGER PRIMARY KEY,
  name TEXT NOT NULL,
  created INTEGER NOT NULL,
  deleted INTEGER NOT NULL,
  create_revision INTEGER NOT NULL,
  prev_revision INTEGER NOT NULL,
  value BLOB NOT NULL);
CREATE INDEX IF NOT EXISTS log_name_id ON log(name, id);
CREATE TABLE IF NOT EXISTS meta (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL) WITHOUT ROWID;
)sql";

// The upper bound of a range is bound as a blob when the range is unbounded:
// SQLite orders every TEXT value before every BLOB, so `name < x''` holds for
// all names and one prepared statement serves both cases.
constexpr char kListAt[] = R"sql(
SELECT l.id, l.name, l.create_revision, l.value FROM log AS l
WHERE l.name >= ?1 AND l.name < ?2 AND l.id <= ?3
  AND l.id = (SELECT MAX(x.id) FROM log AS x
              WHERE x.name = l.name AND x.id <= ?3)
  AND l.deleted = 0
ORDER BY l.name
)sql";

constexpr char kLoadLatest[] = R"sql(
SELECT l.id, l.name, l.create_revision, l.value FROM log AS l
WHERE l.id = (SELECT MAX(x.id) FROM log AS x WHERE x.name = l.name)
  AND l.deleted = 0
ORDER BY l.name
)sql";

constexpr char kEventsAfter[] = R"sql(
SELECT l.id, l.name, l.created, l.deleted, l.create_revision, l.prev_revision,
       l.value, p.value
FROM log AS l
LEFT JOIN log AS p
  ON p.id = l.prev_revision AND l.created = 0 AND l.deleted = 0
WHERE l.id > ?1 AND l.id <= ?2 AND l.name >= ?3 AND l.name < ?4
ORDER BY l.id
LIMIT ?5
)sql";

}  // namespace

KeyRange KeyRange::ForPrefix(std::string_view prefix, std::string_view start) {
  KeyRange r;
  r.lo = std::string(std::max(prefix, start));
  // The smallest string greater than every string with this prefix: drop
  // trailing 0xff bytes and increment the last remaining one.
  std::string hi(prefix);
  while (!hi.empty() && static_cast<unsigned char>(hi.back()) == 0xff) {
    hi.pop_back();
  }
  if (!hi.empty()) {
    hi.back() = static_cast<char>(static_cast<unsigned char>(hi.back()) + 1);
    r.hi = std::move(hi);
  }
  return r;
}

base::Status InitLogSchema(Conn* conn) { return conn->Exec(kSchema); }

base::StatusOr<std::unique_ptr<LogWriter>> LogWriter::Create(
    Conn* conn, int outer_commit_every) {
  std::unique_ptr<LogWriter> w(new LogWriter(conn));
  w->outer_commit_every_ = outer_commit_every;
  KSIM_ASSIGN_OR_RETURN(w->savepoint_, conn->Prepare("SAVEPOINT batch"));
  KSIM_ASSIGN_OR_RETURN(w->release_, conn->Prepare("RELEASE batch"));
  KSIM_ASSIGN_OR_RETURN(w->rollback_to_, conn->Prepare("ROLLBACK TO batch"));
  KSIM_ASSIGN_OR_RETURN(w->begin_, conn->Prepare("BEGIN IMMEDIATE"));
  KSIM_ASSIGN_OR_RETURN(w->commit_, conn->Prepare("COMMIT"));
  KSIM_ASSIGN_OR_RETURN(w->rollback_, conn->Prepare("ROLLBACK"));
  KSIM_ASSIGN_OR_RETURN(
      w->insert_, conn->Prepare("INSERT INTO log(id, name, created, deleted, "
                                "create_revision, prev_revision, value) "
                                "VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  KSIM_ASSIGN_OR_RETURN(
      w->set_meta_,
      conn->Prepare("INSERT OR REPLACE INTO meta(name, value) VALUES(?1, ?2)"));
  KSIM_ASSIGN_OR_RETURN(
      w->del_prev_,
      conn->Prepare("DELETE FROM log WHERE id IN (SELECT prev_revision FROM "
                    "log WHERE id > ?1 AND id <= ?2 AND prev_revision != 0)"));
  KSIM_ASSIGN_OR_RETURN(
      w->del_tomb_,
      conn->Prepare("DELETE FROM log WHERE id > ?1 AND id <= ?2 AND "
                    "deleted = 1"));
  return w;
}

LogWriter::~LogWriter() {
  if (outer_commit_every_ > 1 && !sqlite3_get_autocommit(conn_->raw())) {
    (void)commit_.Run();
  }
}

base::Status LogWriter::Begin() {
  if (outer_commit_every_ <= 1) return begin_.Run();
  if (sqlite3_get_autocommit(conn_->raw())) {
    KSIM_RETURN_IF_ERROR(begin_.Run());
    released_ = 0;
  }
  return savepoint_.Run();
}

base::Status LogWriter::Commit() {
  if (outer_commit_every_ <= 1) return commit_.Run();
  KSIM_RETURN_IF_ERROR(release_.Run());
  if (++released_ < outer_commit_every_) return base::Status::Ok();
  released_ = 0;
  return commit_.Run();
}

void LogWriter::Rollback() {
  if (sqlite3_get_autocommit(conn_->raw())) return;
  if (outer_commit_every_ <= 1) {
    (void)rollback_.Run();
    return;
  }
  // Undo this batch only; the batches released before it stay.
  if (rollback_to_.Run().ok()) {
    (void)release_.Run();
  } else {
    (void)rollback_.Run();  // the savepoint is gone: SQLite rolled back
  }
}

base::Status LogWriter::Insert(const LogRow& row) {
  insert_.BindInt(1, row.id);
  insert_.BindText(2, row.name);
  insert_.BindInt(3, row.created ? 1 : 0);
  insert_.BindInt(4, row.deleted ? 1 : 0);
  insert_.BindInt(5, row.create_revision);
  insert_.BindInt(6, row.prev_revision);
  insert_.BindBlob(7, row.value);
  base::Status st = insert_.Run();
  insert_.Reset();
  return st;
}

base::Status LogWriter::SetMeta(std::string_view name, int64_t value) {
  set_meta_.BindText(1, name);
  set_meta_.BindInt(2, value);
  base::Status st = set_meta_.Run();
  set_meta_.Reset();
  return st;
}

base::Status LogWriter::DeleteSuperseded(int64_t lo, int64_t hi) {
  del_prev_.BindInt(1, lo);
  del_prev_.BindInt(2, hi);
  base::Status st = del_prev_.Run();
  del_prev_.Reset();
  KSIM_RETURN_IF_ERROR(st);
  del_tomb_.BindInt(1, lo);
  del_tomb_.BindInt(2, hi);
  st = del_tomb_.Run();
  del_tomb_.Reset();
  return st;
}

base::StatusOr<std::unique_ptr<LogReader>> LogReader::Create(Conn* conn) {
  std::unique_ptr<LogReader> r(new LogReader(conn));
  KSIM_ASSIGN_OR_RETURN(
      r->meta_, conn->Prepare("SELECT value FROM meta WHERE name = ?1"));
  KSIM_ASSIGN_OR_RETURN(r->max_id_, conn->Prepare("SELECT MAX(id) FROM log"));
  KSIM_ASSIGN_OR_RETURN(r->load_, conn->Prepare(kLoadLatest));
  KSIM_ASSIGN_OR_RETURN(r->list_at_, conn->Prepare(kListAt));
  KSIM_ASSIGN_OR_RETURN(r->events_, conn->Prepare(kEventsAfter));
  return r;
}

base::StatusOr<int64_t> LogReader::Meta(std::string_view name) {
  meta_.BindText(1, name);
  auto row = meta_.Step();
  int64_t v = row.ok() && *row ? meta_.ColumnInt(0) : 0;
  meta_.Reset();
  if (!row.ok()) return row.status();
  return v;
}

base::StatusOr<int64_t> LogReader::MaxId() {
  auto row = max_id_.Step();
  int64_t v = row.ok() && *row ? max_id_.ColumnInt(0) : 0;
  max_id_.Reset();
  if (!row.ok()) return row.status();
  return v;
}

void LogReader::BindRange(Stmt* s, int lo_index, const KeyRange& range) {
  s->BindText(lo_index, range.lo);
  if (range.hi) {
    s->BindText(lo_index + 1, *range.hi);
  } else {
    s->BindBlob(lo_index + 1, "");
  }
}

base::Status LogReader::LoadLatest(
    const std::function<void(const LogRow&)>& fn) {
  while (true) {
    auto more = load_.Step();
    if (!more.ok()) {
      load_.Reset();
      return more.status();
    }
    if (!*more) break;
    LogRow row;
    row.id = load_.ColumnInt(0);
    row.name = load_.ColumnText(1);
    row.create_revision = load_.ColumnInt(2);
    row.value = load_.ColumnBlob(3);
    fn(row);
  }
  load_.Reset();
  return base::Status::Ok();
}

base::Status LogReader::ListAt(const KeyRange& range, int64_t revision,
                               const std::function<bool(const LogRow&)>& fn) {
  BindRange(&list_at_, 1, range);
  list_at_.BindInt(3, revision);
  base::Status st;
  while (true) {
    auto more = list_at_.Step();
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    LogRow row;
    row.id = list_at_.ColumnInt(0);
    row.name = list_at_.ColumnText(1);
    row.create_revision = list_at_.ColumnInt(2);
    row.value = list_at_.ColumnBlob(3);
    if (!fn(row)) break;
  }
  list_at_.Reset();
  return st;
}

base::StatusOr<int64_t> LogReader::EventsAfter(
    int64_t after, int64_t upto, const KeyRange& range, int64_t max,
    const std::function<void(const LogRow&)>& fn) {
  events_.BindInt(1, after);
  events_.BindInt(2, upto);
  BindRange(&events_, 3, range);
  events_.BindInt(5, max);
  int64_t last = after;
  int64_t rows = 0;
  base::Status st;
  while (true) {
    auto more = events_.Step();
    if (!more.ok()) {
      st = more.status();
      break;
    }
    if (!*more) break;
    LogRow row;
    row.id = events_.ColumnInt(0);
    row.name = events_.ColumnText(1);
    row.created = events_.ColumnInt(2) != 0;
    row.deleted = events_.ColumnInt(3) != 0;
    row.create_revision = events_.ColumnInt(4);
    row.prev_revision = events_.ColumnInt(5);
    row.value = events_.ColumnBlob(6);
    if (!events_.ColumnIsNull(7)) row.prev_value = events_.ColumnBlob(7);
    last = row.id;
    ++rows;
    fn(row);
  }
  events_.Reset();
  if (!st.ok()) return st;
  // Fewer rows than asked for: the whole range has been examined.
  return rows < max ? upto : last;
}

}  // namespace ksim::store
