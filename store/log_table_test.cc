#include "store/log_table.h"

#include <catch2/catch.hpp>
#include <string>

#include "store/sqlite_conn.h"

namespace ksim::store {
namespace {

LogRow Row(int64_t id, const std::string& name, const std::string& value) {
  LogRow r;
  r.id = id;
  r.name = name;
  r.created = true;
  r.create_revision = id;
  r.value = value;
  return r;
}

TEST_CASE("in-memory log: batches share a transaction yet roll back alone",
          "[log_table]") {
  auto conn = Conn::Open(":memory:", /*full_sync=*/false, /*reader=*/false);
  REQUIRE(conn.ok());
  REQUIRE(InitLogSchema(conn->get()).ok());
  auto w = LogWriter::Create(conn->get(), /*outer_commit_every=*/3);
  REQUIRE(w.ok());
  auto r = LogReader::Create(conn->get());
  REQUIRE(r.ok());
  auto max_id = [&] { return (*r)->MaxId().value(); };

  std::string a = "/a", b = "/b", c = "/c";
  REQUIRE((*w)->Begin().ok());
  REQUIRE((*w)->Insert(Row(1, a, "1")).ok());
  REQUIRE((*w)->Commit().ok());
  CHECK(max_id() == 1);  // a released batch is visible on the connection
  CHECK_FALSE(sqlite3_get_autocommit((*conn)->raw()));  // still one txn

  REQUIRE((*w)->Begin().ok());
  REQUIRE((*w)->Insert(Row(2, b, "2")).ok());
  (*w)->Rollback();
  CHECK(max_id() == 1);  // only the failed batch is undone

  for (int64_t id : {3, 4}) {
    REQUIRE((*w)->Begin().ok());
    REQUIRE((*w)->Insert(Row(id, id == 3 ? c : b, "x")).ok());
    REQUIRE((*w)->Commit().ok());
  }
  // The third release committed the outer transaction.
  CHECK(sqlite3_get_autocommit((*conn)->raw()));
  CHECK(max_id() == 4);
}

}  // namespace
}  // namespace ksim::store
