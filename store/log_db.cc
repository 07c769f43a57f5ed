#include "store/log_db.h"

#include <utility>

namespace ksim::store {

namespace {
// Idle reader connections kept open for reuse.
constexpr size_t kMaxIdleReaders = 8;
}  // namespace

base::StatusOr<std::shared_ptr<LogDb>> LogDb::Open(const std::string& path,
                                                   bool full_sync) {
  std::shared_ptr<LogDb> db(new LogDb());
  KSIM_RETURN_IF_ERROR(db->Init(path, full_sync));
  return db;
}

base::Status LogDb::Init(const std::string& path, bool full_sync) {
  path_ = path;
  full_sync_ = full_sync;
  memory_ = path.empty() || path == ":memory:";
  if (memory_) path_ = ":memory:";
  KSIM_ASSIGN_OR_RETURN(conn_, Conn::Open(path_, full_sync, /*reader=*/false));
  KSIM_RETURN_IF_ERROR(InitLogSchema(conn_.get()));
  // In memory nothing is durable: batches share one transaction (see
  // LogWriter), committed every few thousand.
  KSIM_ASSIGN_OR_RETURN(writer_,
                        LogWriter::Create(conn_.get(), memory_ ? 4096 : 1));
  KSIM_ASSIGN_OR_RETURN(writer_reader_, LogReader::Create(conn_.get()));
  return base::Status::Ok();
}

LogDb::~LogDb() { Close(); }

LogDb::WriteAccess LogDb::Write() {
  WriteAccess access;
  if (memory_) access.lock_ = std::unique_lock<std::mutex>(mu_);
  access.writer_ = writer_.get();
  access.reader_ = writer_reader_.get();
  return access;
}

LogDb::ReadAccess::~ReadAccess() {
  if (slot_ != nullptr) db_->Return(std::move(slot_));
}

base::StatusOr<LogDb::ReadAccess> LogDb::Read() {
  ReadAccess access;
  access.db_ = this;
  std::unique_lock<std::mutex> lock(mu_);
  if (closed_) {
    return base::Status(base::Code::kServiceUnavailable, "store is closed");
  }
  if (memory_) {
    access.lock_ = std::move(lock);
    access.reader_ = writer_reader_.get();
    return access;
  }
  if (!idle_.empty()) {
    access.slot_ = std::move(idle_.back());
    idle_.pop_back();
  }
  lock.unlock();
  if (access.slot_ == nullptr) {
    auto slot = std::make_unique<ReadAccess::Slot>();
    KSIM_ASSIGN_OR_RETURN(slot->conn,
                          Conn::Open(path_, full_sync_, /*reader=*/true));
    KSIM_ASSIGN_OR_RETURN(slot->reader, LogReader::Create(slot->conn.get()));
    access.slot_ = std::move(slot);
  }
  access.reader_ = access.slot_->reader.get();
  return access;
}

void LogDb::Return(std::unique_ptr<ReadAccess::Slot> slot) {
  std::lock_guard<std::mutex> lock(mu_);
  if (!closed_ && idle_.size() < kMaxIdleReaders) {
    idle_.push_back(std::move(slot));
  }
  // Otherwise the slot (statements first, then connection) closes here.
}

void LogDb::Close() {
  std::lock_guard<std::mutex> lock(mu_);
  if (closed_) return;
  closed_ = true;
  idle_.clear();
  writer_reader_.reset();
  writer_.reset();
  conn_.reset();
}

}  // namespace ksim::store
