#include "store/sqlite_conn.h"

#include <utility>

namespace ksim::store {

Stmt& Stmt::operator=(Stmt&& other) noexcept {
  if (this != &other) {
    if (stmt_ != nullptr) sqlite3_finalize(stmt_);
    conn_ = other.conn_;
    stmt_ = other.stmt_;
    other.stmt_ = nullptr;
  }
  return *this;
}

Stmt::~Stmt() {
  if (stmt_ != nullptr) sqlite3_finalize(stmt_);
}

void Stmt::BindInt(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }

void Stmt::BindText(int i, std::string_view v) {
  sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()),
                    SQLITE_STATIC);
}

void Stmt::BindBlob(int i, std::string_view v) {
  // A zero-length blob with a null pointer would bind NULL; keep it a blob.
  sqlite3_bind_blob(stmt_, i, v.empty() ? "" : v.data(),
                    static_cast<int>(v.size()), SQLITE_STATIC);
}

void Stmt::BindNull(int i) { sqlite3_bind_null(stmt_, i); }

base::StatusOr<bool> Stmt::Step() {
  int rc = sqlite3_step(stmt_);
  if (rc == SQLITE_ROW) return true;
  if (rc == SQLITE_DONE) {
    sqlite3_reset(stmt_);
    return false;
  }
  base::Status st = conn_->Error("sqlite step");
  sqlite3_reset(stmt_);
  return st;
}

base::Status Stmt::Run() {
  auto r = Step();
  if (!r.ok()) return r.status();
  if (*r) sqlite3_reset(stmt_);
  return base::Status::Ok();
}

void Stmt::Reset() {
  sqlite3_reset(stmt_);
  sqlite3_clear_bindings(stmt_);
}

int64_t Stmt::ColumnInt(int i) const { return sqlite3_column_int64(stmt_, i); }

std::string_view Stmt::ColumnText(int i) const {
  const auto* p = reinterpret_cast<const char*>(sqlite3_column_text(stmt_, i));
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

std::string_view Stmt::ColumnBlob(int i) const {
  const auto* p = static_cast<const char*>(sqlite3_column_blob(stmt_, i));
  int n = sqlite3_column_bytes(stmt_, i);
  return p == nullptr ? std::string_view() : std::string_view(p, n);
}

bool Stmt::ColumnIsNull(int i) const {
  return sqlite3_column_type(stmt_, i) == SQLITE_NULL;
}

base::StatusOr<std::unique_ptr<Conn>> Conn::Open(const std::string& path,
                                                 bool full_sync, bool reader) {
  sqlite3* db = nullptr;
  int flags = SQLITE_OPEN_NOMUTEX | SQLITE_OPEN_READWRITE |
              (reader ? 0 : SQLITE_OPEN_CREATE);
  int rc = sqlite3_open_v2(path.c_str(), &db, flags, nullptr);
  if (rc != SQLITE_OK) {
    std::string msg = "open " + path + ": " +
                      (db != nullptr ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close(db);
    return base::Internal(msg);
  }
  std::unique_ptr<Conn> conn(new Conn(db));
  // Writers wait for a competing lock (another process, a checkpoint) rather
  // than failing at once.
  sqlite3_busy_timeout(db, 10000);
  if (path != ":memory:" && !reader) {
    KSIM_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_mode=WAL"));
    KSIM_RETURN_IF_ERROR(conn->Exec("PRAGMA wal_autocheckpoint=8192"));
    KSIM_RETURN_IF_ERROR(conn->Exec("PRAGMA journal_size_limit=67108864"));
  }
  KSIM_RETURN_IF_ERROR(conn->Exec(full_sync ? "PRAGMA synchronous=FULL"
                                            : "PRAGMA synchronous=NORMAL"));
  KSIM_RETURN_IF_ERROR(conn->Exec("PRAGMA cache_size=-16384"));
  KSIM_RETURN_IF_ERROR(conn->Exec("PRAGMA mmap_size=1073741824"));
  return conn;
}

Conn::~Conn() { sqlite3_close_v2(db_); }

base::Status Conn::Exec(const std::string& sql) {
  char* err = nullptr;
  int rc = sqlite3_exec(db_, sql.c_str(), nullptr, nullptr, &err);
  if (rc == SQLITE_OK) return base::Status::Ok();
  std::string msg =
      "sqlite exec: " + std::string(err ? err : "") + " (" + sql + ")";
  sqlite3_free(err);
  return base::Internal(msg);
}

base::StatusOr<Stmt> Conn::Prepare(std::string_view sql) {
  sqlite3_stmt* stmt = nullptr;
  int rc = sqlite3_prepare_v3(db_, sql.data(), static_cast<int>(sql.size()),
                              SQLITE_PREPARE_PERSISTENT, &stmt, nullptr);
  if (rc != SQLITE_OK) return Error("sqlite prepare");
  return Stmt(this, stmt);
}

base::Status Conn::Error(std::string_view what) const {
  return base::Internal(std::string(what) + ": " + sqlite3_errmsg(db_));
}

}  // namespace ksim::store
