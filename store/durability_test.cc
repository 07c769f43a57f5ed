// kill -9 durability: a writer process (ksim_store_writer) acknowledges writes
// on a pipe; we SIGKILL it mid-load, reopen the store and check that every
// acknowledged write survived and the log is consistent.
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sqlite3.h>
#include <sys/prctl.h>
#include <sys/wait.h>
#include <unistd.h>

#include <catch2/catch.hpp>
#include <chrono>
#include <filesystem>
#include <map>
#include <random>
#include <set>
#include <sstream>

#include "store/store.h"
#include "store/store_test_util.h"
#include "store/tools/value_digest.h"

namespace ksim::store {
namespace {

struct Ack {
  int thread;
  char op;
  std::string key;
  int64_t revision;
  std::string digest;
};

std::string WriterBinary() {
  std::filesystem::path dir;
  if (const char* env = getenv("KSIM_BINARY_DIR"); env != nullptr && *env) {
    dir = env;
  } else {
    dir = std::filesystem::read_symlink("/proc/self/exe").parent_path();
  }
  return (dir / "ksim_store_writer").string();
}

// Runs the writer until it has acknowledged writes for `run_ms` after the
// first one, kills it with SIGKILL, and returns every acknowledgement read.
std::vector<Ack> RunAndKill(const std::string& db, uint64_t seed, int run_ms) {
  std::string bin = WriterBinary();
  REQUIRE(access(bin.c_str(), X_OK) == 0);
  int fds[2];
  REQUIRE(pipe(fds) == 0);
  pid_t pid = fork();
  REQUIRE(pid >= 0);
  if (pid == 0) {
    dup2(fds[1], STDOUT_FILENO);
    close(fds[0]);
    close(fds[1]);
    prctl(PR_SET_PDEATHSIG, SIGKILL);
    std::string s = std::to_string(seed);
    execl(bin.c_str(), bin.c_str(), db.c_str(), s.c_str(), "16", "64", "30",
          static_cast<char*>(nullptr));
    _exit(127);
  }
  close(fds[1]);
  using Clock = std::chrono::steady_clock;
  auto start = Clock::now();
  std::optional<Clock::time_point> kill_at;
  std::string buf;
  std::vector<Ack> acks;
  bool killed = false;
  while (true) {
    auto now = Clock::now();
    if (!killed && kill_at && now >= *kill_at) {
      kill(pid, SIGKILL);
      killed = true;
    }
    REQUIRE((killed || now - start < std::chrono::seconds(20)));
    pollfd p{fds[0], POLLIN, 0};
    poll(&p, 1, 5);
    if (!(p.revents & (POLLIN | POLLHUP))) continue;
    char chunk[65536];
    ssize_t n = read(fds[0], chunk, sizeof chunk);
    if (n <= 0) break;  // EOF: the writer is dead and the pipe drained
    buf.append(chunk, n);
    size_t nl;
    while ((nl = buf.find('\n')) != std::string::npos) {
      std::istringstream line(buf.substr(0, nl));
      buf.erase(0, nl + 1);
      std::string tag;
      Ack a;
      line >> tag >> a.thread >> a.op >> a.key >> a.revision >> a.digest;
      REQUIRE(tag == "ack");
      acks.push_back(a);
    }
    if (!kill_at && !acks.empty()) {
      kill_at = Clock::now() + std::chrono::milliseconds(run_ms);
    }
  }
  close(fds[0]);
  // Lines written before the kill are acknowledged writes even if we read
  // them after; a partial line cannot exist (one write(2) per line).
  CHECK(buf.empty());
  int status = 0;
  REQUIRE(waitpid(pid, &status, 0) == pid);
  INFO("writer exit status " << status);
  REQUIRE(WIFSIGNALED(status));
  REQUIRE(WTERMSIG(status) == SIGKILL);
  return acks;
}

struct Row {
  int64_t id;
  bool created, deleted;
  int64_t create_revision, prev_revision;
  std::string digest;
};

// Every row of the log, by name, in id order.
std::map<std::string, std::vector<Row>> ReadLog(const std::string& path) {
  sqlite3* db = nullptr;
  REQUIRE(sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READONLY, nullptr) ==
          SQLITE_OK);
  sqlite3_stmt* st = nullptr;
  REQUIRE(sqlite3_prepare_v2(db,
                             "SELECT name, id, created, deleted, "
                             "create_revision, prev_revision, value FROM log "
                             "ORDER BY name, id",
                             -1, &st, nullptr) == SQLITE_OK);
  std::map<std::string, std::vector<Row>> rows;
  while (sqlite3_step(st) == SQLITE_ROW) {
    Row r;
    std::string name(reinterpret_cast<const char*>(sqlite3_column_text(st, 0)));
    r.id = sqlite3_column_int64(st, 1);
    r.created = sqlite3_column_int64(st, 2) != 0;
    r.deleted = sqlite3_column_int64(st, 3) != 0;
    r.create_revision = sqlite3_column_int64(st, 4);
    r.prev_revision = sqlite3_column_int64(st, 5);
    r.digest = ValueDigest(
        std::string_view(static_cast<const char*>(sqlite3_column_blob(st, 6)),
                         sqlite3_column_bytes(st, 6)));
    rows[name].push_back(r);
  }
  sqlite3_finalize(st);
  sqlite3_close(db);
  return rows;
}

void CheckChains(const std::map<std::string, std::vector<Row>>& log) {
  for (const auto& [name, rows] : log) {
    INFO("key " << name);
    const Row* prev = nullptr;
    for (const Row& r : rows) {
      bool new_incarnation = prev == nullptr || prev->deleted;
      REQUIRE(r.created == new_incarnation);
      if (r.created) {
        CHECK(r.prev_revision == 0);
        CHECK(r.create_revision == r.id);
      } else {
        CHECK(r.prev_revision == prev->id);
        CHECK(r.create_revision == prev->create_revision);
      }
      prev = &r;
    }
  }
}

void CheckAcks(const std::vector<Ack>& acks, Store* s,
               const std::map<std::string, std::vector<Row>>& log) {
  std::map<int64_t, const Row*> by_id;
  std::map<int64_t, std::string> names;
  for (const auto& [name, rows] : log) {
    for (const Row& r : rows) {
      by_id[r.id] = &r;
      names[r.id] = name;
    }
  }
  std::set<int64_t> seen;
  std::map<std::string, int64_t> last_ack;
  int64_t max_rev = 0;
  for (const Ack& a : acks) {
    INFO("ack " << a.op << " " << a.key << " @" << a.revision);
    REQUIRE(seen.insert(a.revision).second);  // revisions are unique
    auto it = by_id.find(a.revision);
    REQUIRE(it != by_id.end());  // the acknowledged write is durable
    CHECK(names[a.revision] == a.key);
    CHECK(it->second->digest == a.digest);
    CHECK(it->second->deleted == (a.op == 'D'));
    CHECK(it->second->created == (a.op == 'C'));
    int64_t& last = last_ack[a.key];
    last = std::max(last, a.revision);
    max_rev = std::max(max_rev, a.revision);
  }
  REQUIRE(s->CurrentRevision() >= max_rev);
  // The store's state is the last row of each key (acknowledged or not).
  for (const auto& [key, rev] : last_ack) {
    const Row& tail = log.at(key).back();
    CHECK(tail.id >= rev);
    auto got = s->Get(key);
    if (tail.deleted) {
      CHECK(got.status().code() == base::Code::kNotFound);
    } else {
      REQUIRE(got.ok());
      CHECK(got->mod_revision == tail.id);
      CHECK(got->create_revision == tail.create_revision);
      CHECK(ValueDigest(*got->value) == tail.digest);
    }
  }
}

TEST_CASE("acknowledged writes survive kill -9 of the writer process",
          "[store][durability]") {
  uint64_t seed = std::random_device()();
  if (const char* env = getenv("KSIM_TEST_SEED")) seed = std::stoull(env);
  WARN("durability seed " << seed << " (set KSIM_TEST_SEED to replay)");
  std::mt19937_64 rng(seed);
  testing::TempDir dir;
  std::string path = dir.File("durable.db");
  std::vector<Ack> all;
  for (int round = 0; round < 5; ++round) {
    int run_ms = 30 + static_cast<int>(rng() % 400);
    INFO("round " << round << ", killed after " << run_ms << " ms");
    std::vector<Ack> acks = RunAndKill(path, seed + round, run_ms);
    REQUIRE(!acks.empty());
    // Each writer thread's writes are sequential: its revisions increase.
    std::map<int, int64_t> per_thread;
    for (const Ack& a : acks) {
      CHECK(a.revision > per_thread[a.thread]);
      per_thread[a.thread] = a.revision;
    }
    all.insert(all.end(), acks.begin(), acks.end());

    SqliteOptions opts;
    opts.path = path;
    auto s = testing::MustOpen(opts);
    auto log = ReadLog(path);
    CheckChains(log);
    CheckAcks(all, s.get(), log);
    // The reopened store takes new writes after everything that was there.
    int64_t current = s->CurrentRevision();
    auto c = s->Create("/d/round" + std::to_string(round), "x", {});
    REQUIRE(c.ok());
    CHECK(c->mod_revision == current + 1);
    const Ack& last = all.back();
    auto g = s->Get(last.key);
    if (g.ok()) {
      auto u = s->Update(last.key, "after-crash", {}, g->mod_revision);
      REQUIRE(u.ok());
      CHECK(u->mod_revision == current + 2);
    }
  }
}

}  // namespace
}  // namespace ksim::store
