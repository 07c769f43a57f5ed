// Thin RAII wrappers over the SQLite C API: a connection and a prepared
// statement, with errors turned into base::Status at this edge.
//
// Thread-safety: connections are opened with SQLITE_OPEN_NOMUTEX; a Conn and
// its Stmts must be used by one thread at a time (the callers serialise).
#ifndef KSIM_STORE_SQLITE_CONN_H_
#define KSIM_STORE_SQLITE_CONN_H_

#include <sqlite3.h>

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "base/status.h"

namespace ksim::store {

class Conn;

// A prepared statement. Reset() before re-binding; the statement is also reset
// when destroyed or when a Step loop ends.
class Stmt {
 public:
  Stmt() = default;
  Stmt(Stmt&& other) noexcept : conn_(other.conn_), stmt_(other.stmt_) {
    other.stmt_ = nullptr;
  }
  Stmt& operator=(Stmt&& other) noexcept;
  Stmt(const Stmt&) = delete;
  Stmt& operator=(const Stmt&) = delete;
  ~Stmt();

  // Binds by 1-based index. Text and blob are bound without copying: the
  // bytes must outlive the statement's next Reset().
  void BindInt(int i, int64_t v);
  void BindText(int i, std::string_view v);
  void BindBlob(int i, std::string_view v);
  void BindNull(int i);

  // Runs one step. Returns true when a row is available, false when done;
  // a SQLite error yields a non-OK status.
  base::StatusOr<bool> Step();
  // Steps a statement that returns no rows.
  base::Status Run();
  void Reset();

  int64_t ColumnInt(int i) const;
  // Views into SQLite's buffer, valid until the next Step/Reset.
  std::string_view ColumnText(int i) const;
  std::string_view ColumnBlob(int i) const;
  bool ColumnIsNull(int i) const;

 private:
  friend class Conn;
  Stmt(Conn* conn, sqlite3_stmt* stmt) : conn_(conn), stmt_(stmt) {}
  Conn* conn_ = nullptr;
  sqlite3_stmt* stmt_ = nullptr;
};

class Conn {
 public:
  // Opens the database at path (":memory:" allowed) and applies the
  // synchronous level. The writer's connection (reader = false) creates the
  // file and switches it to journal_mode=WAL (persistent in the file); a
  // reader's connection expects both done.
  static base::StatusOr<std::unique_ptr<Conn>> Open(const std::string& path,
                                                    bool full_sync,
                                                    bool reader);
  ~Conn();
  Conn(const Conn&) = delete;
  Conn& operator=(const Conn&) = delete;

  // Runs one or more statements without results.
  base::Status Exec(const std::string& sql);
  base::StatusOr<Stmt> Prepare(std::string_view sql);
  // Status for the connection's last error, prefixed with `what`.
  base::Status Error(std::string_view what) const;
  sqlite3* raw() const { return db_; }

 private:
  explicit Conn(sqlite3* db) : db_(db) {}
  sqlite3* db_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_SQLITE_CONN_H_
