// LogDb: the SQLite database behind a store: one writer connection and a pool
// of reader connections (WAL lets readers run beside the writer). A
// ":memory:" database exists only inside one connection, so there every
// access, read or write, shares that connection under one mutex.
//
// Thread-safety: Read() may be called from any thread; each ReadAccess is used
// by the thread that holds it. Write() must be called by one thread at a time
// (the store's group-commit leader serialises writers).
#ifndef KSIM_STORE_LOG_DB_H_
#define KSIM_STORE_LOG_DB_H_

#include <memory>
#include <mutex>
#include <string>
#include <vector>

#include "base/status.h"
#include "store/log_table.h"
#include "store/sqlite_conn.h"

namespace ksim::store {

class LogDb {
 public:
  // Opens (creating) the database and its schema.
  static base::StatusOr<std::shared_ptr<LogDb>> Open(const std::string& path,
                                                     bool full_sync);
  ~LogDb();
  LogDb(const LogDb&) = delete;
  LogDb& operator=(const LogDb&) = delete;

  // Exclusive use of the writer for the holder's lifetime.
  class WriteAccess {
   public:
    LogWriter* operator->() const { return writer_; }
    // For reads inside the writer's transaction (the :memory: case shares).
    LogReader* reader() const { return reader_; }

   private:
    friend class LogDb;
    std::unique_lock<std::mutex> lock_;
    LogWriter* writer_ = nullptr;
    LogReader* reader_ = nullptr;
  };
  // REQUIRES: not closed; no other WriteAccess alive.
  WriteAccess Write();

  // A reader for the holder's lifetime; returned to the pool afterwards.
  class ReadAccess {
   public:
    ReadAccess(ReadAccess&&) = default;
    ~ReadAccess();
    LogReader* operator->() const { return reader_; }

   private:
    friend class LogDb;
    ReadAccess() = default;
    LogDb* db_ = nullptr;
    std::unique_lock<std::mutex> lock_;  // :memory: only
    struct Slot {
      std::unique_ptr<Conn> conn;
      std::unique_ptr<LogReader> reader;  // destroyed before conn
    };
    std::unique_ptr<Slot> slot_;  // file databases only
    LogReader* reader_ = nullptr;
  };
  // kServiceUnavailable once closed.
  base::StatusOr<ReadAccess> Read();

  // Closes the connections (readers still out close when returned). Later
  // Read() calls fail. REQUIRES: no WriteAccess alive.
  void Close();

 private:
  LogDb() = default;
  base::Status Init(const std::string& path, bool full_sync);
  void Return(std::unique_ptr<ReadAccess::Slot> slot);

  std::string path_;
  bool full_sync_ = true;
  bool memory_ = false;
  std::unique_ptr<Conn> conn_;  // the writer's connection
  std::unique_ptr<LogWriter> writer_;
  std::unique_ptr<LogReader> writer_reader_;  // reads on conn_

  std::mutex mu_;  // guards below; in :memory: mode also every use of conn_
  bool closed_ = false;
  std::vector<std::unique_ptr<ReadAccess::Slot>> idle_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_LOG_DB_H_
