#include "store/sqlite_store.h"

#include <algorithm>
#include <utility>

#include "store/list_page.h"

namespace ksim::store {
namespace {

constexpr char kListTooOld[] =
    "The resourceVersion for the provided list is too old.";

}  // namespace

StatusOr<std::unique_ptr<Store>> OpenSqliteStore(SqliteOptions options) {
  return SqliteStore::Open(std::move(options));
}

StatusOr<std::unique_ptr<Store>> SqliteStore::Open(SqliteOptions options) {
  std::unique_ptr<SqliteStore> store(new SqliteStore(std::move(options)));
  KSIM_RETURN_IF_ERROR(store->Load());
  return std::unique_ptr<Store>(std::move(store));
}

SqliteStore::~SqliteStore() {
  if (hub_ != nullptr) hub_->Close();
  if (db_ != nullptr) db_->Close();
}

std::shared_ptr<const Attributes> SqliteStore::AttrsOf(
    std::string_view key, std::string_view value) const {
  if (!options_.attrs_func) return EmptyAttrs();
  return std::make_shared<const Attributes>(options_.attrs_func(key, value));
}

Status SqliteStore::Load() {
  KSIM_ASSIGN_OR_RETURN(db_, LogDb::Open(options_.path, options_.full_sync));
  int64_t compacted = 0;
  {
    LogDb::WriteAccess w = db_->Write();
    LogReader* r = w.reader();
    KSIM_ASSIGN_OR_RETURN(compacted, r->Meta(kMetaCompactRev));
    KSIM_ASSIGN_OR_RETURN(compact_done_, r->Meta(kMetaCompactDone));
    KSIM_ASSIGN_OR_RETURN(int64_t max_id, r->MaxId());
    current_.store(std::max(max_id, compacted));
    KSIM_RETURN_IF_ERROR(r->LoadLatest([this](const LogRow& row) {
      Object obj;
      obj.key = std::string(row.name);
      obj.value = std::make_shared<const std::string>(row.value);
      obj.attrs = AttrsOf(obj.key, *obj.value);
      obj.create_revision = row.create_revision;
      obj.mod_revision = row.id;
      // Rows arrive in key order: appending at the end is O(1).
      cache_.Append(std::move(obj));
    }));
  }
  hub_ = std::make_shared<WatchHub>(
      db_, options_.attrs_func, options_.watch_cache_events,
      options_.max_pending_events, current_.load(), compacted);
  return Status::Ok();
}

StatusOr<Object> SqliteStore::Get(std::string_view key) const {
  std::shared_lock<std::shared_mutex> lock(cache_mu_);
  const Object* obj = cache_.Find(key);
  if (obj == nullptr)
    return base::NotFound("key " + std::string(key) + " not found");
  return *obj;
}

StatusOr<ListResult> SqliteStore::List(const ListOptions& options) const {
  int64_t current;
  {
    std::shared_lock<std::shared_mutex> lock(cache_mu_);
    current = current_.load();
    // The cache is exactly the state at `current`.
    if (options.revision == 0 || options.revision == current) {
      return ListFromCache(options, current);
    }
  }
  if (options.revision > current) {
    return base::BadRequest(
        "Too large resource version: " + std::to_string(options.revision) +
        ", current: " + std::to_string(current));
  }
  if (options.revision < hub_->compacted()) return base::Expired(kListTooOld);
  return ListFromLog(options);
}

// REQUIRES: cache_mu_ held (shared).
StatusOr<ListResult> SqliteStore::ListFromCache(const ListOptions& options,
                                                int64_t revision) const {
  PageBuilder page(options);
  const std::string& prefix = options.prefix;
  auto it = cache_.lower_bound(std::max(prefix, options.start_key));
  for (; it != cache_.end() && it->first.starts_with(prefix); ++it) {
    if (page.full()) {
      if (!page.CountMore()) break;
    } else if (page.Matches(*it->second.attrs)) {
      page.Add(it->second);
    }
  }
  return std::move(page).Finish(revision);
}

StatusOr<ListResult> SqliteStore::ListFromLog(
    const ListOptions& options) const {
  PageBuilder page(options);
  {
    KSIM_ASSIGN_OR_RETURN(LogDb::ReadAccess r, db_->Read());
    KSIM_RETURN_IF_ERROR(r->ListAt(
        KeyRange::ForPrefix(options.prefix, options.start_key),
        options.revision, [&](const LogRow& row) {
          if (page.full()) return page.CountMore();
          std::shared_ptr<const Attributes> attrs =
              AttrsOf(row.name, row.value);
          if (page.Matches(*attrs)) {
            page.Add(Object{std::string(row.name),
                            std::make_shared<const std::string>(row.value),
                            std::move(attrs), row.create_revision, row.id});
          }
          return true;
        }));
  }
  // A compaction that started while we read may have removed rows we needed;
  // it raises the compaction point before deleting anything.
  if (options.revision < hub_->compacted()) return base::Expired(kListTooOld);
  return std::move(page).Finish(options.revision);
}

StatusOr<std::unique_ptr<Watcher>> SqliteStore::Watch(WatchOptions options) {
  return hub_->Watch(std::move(options));
}

}  // namespace ksim::store
