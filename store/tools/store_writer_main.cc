// ksim_store_writer: loads a store with concurrent writers until killed, for
// the kill -9 durability test (store/durability_test.cc).
//
//   ksim_store_writer DB_PATH SEED [THREADS [KEYS [MAX_SECONDS]]]
//
// Each thread loops over random keys "/d/kNNN": it reads the key, then creates
// it, or updates it (CAS on the revision it read), or now and then deletes it
// (CAS too). After every ACKNOWLEDGED write (the store call returned OK, so
// the write is durable) it prints one line, in a single write(2) so lines from
// different threads never interleave:
//
//   ack THREAD OP KEY REVISION DIGEST
//
// OP is C, U or D; DIGEST is ValueDigest of the value written (for D, of the
// value deleted). Exits by itself after MAX_SECONDS (default 60) in case
// nobody kills it.
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <thread>
#include <vector>

#include "base/rng.h"
#include "store/store.h"
#include "store/tools/value_digest.h"

namespace ksim::store {
namespace {

void WriteLine(const std::string& line) {
  size_t off = 0;
  while (off < line.size()) {
    ssize_t n = ::write(STDOUT_FILENO, line.data() + off, line.size() - off);
    if (n <= 0) std::_Exit(3);  // the reader is gone
    off += static_cast<size_t>(n);
  }
}

// A ~1 KiB value unique to (thread, iteration).
std::string MakeValue(int thread, int64_t i, base::Rng* rng) {
  std::string v = "t" + std::to_string(thread) + "-i" + std::to_string(i) + "-";
  char fill = static_cast<char>('a' + rng->Uniform(26));
  v.append(1000 + rng->Uniform(48), fill);
  return v;
}

void RunThread(Store* store, int thread, uint64_t seed, int keys,
               const std::atomic<bool>* stop) {
  base::Rng rng(seed * 1000003 + thread);
  for (int64_t i = 0; !stop->load(); ++i) {
    char key[32];
    std::snprintf(key, sizeof key, "/d/k%03d",
                  static_cast<int>(rng.Uniform(keys)));
    auto cur = store->Get(key);
    std::string value = MakeValue(thread, i, &rng);
    char op;
    StatusOr<Object> r = base::Status();
    if (!cur.ok()) {
      op = 'C';
      r = store->Create(key, value, {});
    } else if (rng.Uniform(10) == 0) {
      op = 'D';
      r = store->Delete(key, cur->mod_revision);
    } else {
      op = 'U';
      r = store->Update(key, value, {}, cur->mod_revision);
    }
    if (!r.ok()) {
      base::Code c = r.status().code();
      if (c == base::Code::kConflict || c == base::Code::kNotFound ||
          c == base::Code::kAlreadyExists) {
        continue;  // lost a race with another thread: expected
      }
      std::fprintf(stderr, "write failed: %s\n", r.status().ToString().c_str());
      std::_Exit(2);
    }
    WriteLine("ack " + std::to_string(thread) + " " + op + " " + key + " " +
              std::to_string(r->mod_revision) + " " + ValueDigest(*r->value) +
              "\n");
  }
}

int Main(int argc, char** argv) {
  if (argc < 3) {
    std::fprintf(stderr,
                 "usage: %s DB_PATH SEED [THREADS [KEYS [MAX_SECONDS]]]\n",
                 argv[0]);
    return 1;
  }
  uint64_t seed = std::strtoull(argv[2], nullptr, 10);
  int threads = argc > 3 ? std::atoi(argv[3]) : 16;
  int keys = argc > 4 ? std::atoi(argv[4]) : 64;
  int max_seconds = argc > 5 ? std::atoi(argv[5]) : 60;
  SqliteOptions options;
  options.path = argv[1];
  options.full_sync = true;
  auto store = OpenSqliteStore(options);
  if (!store.ok()) {
    std::fprintf(stderr, "open: %s\n", store.status().ToString().c_str());
    return 2;
  }
  std::atomic<bool> stop{false};
  std::vector<std::thread> workers;
  for (int t = 0; t < threads; ++t) {
    workers.emplace_back(RunThread, store->get(), t, seed, keys, &stop);
  }
  std::this_thread::sleep_for(std::chrono::seconds(max_seconds));
  stop = true;
  for (auto& w : workers) w.join();
  return 0;
}

}  // namespace
}  // namespace ksim::store

int main(int argc, char** argv) { return ksim::store::Main(argc, argv); }
