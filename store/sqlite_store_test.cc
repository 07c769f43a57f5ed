#include <atomic>
#include <catch2/catch.hpp>
#include <map>
#include <set>
#include <thread>

#include "store/store.h"
#include "store/store_test_util.h"

namespace ksim::store {
namespace {

using testing::LabelIs;
using testing::MustOpen;
using testing::ParseAttrs;
using testing::Put;
using testing::TempDir;
using testing::TestOptions;

std::vector<std::string> Keys(const ListResult& r) {
  std::vector<std::string> keys;
  for (const Object& o : r.items) keys.push_back(o.key);
  return keys;
}

TEST_CASE("create, get, update and delete are compare-and-swap", "[store]") {
  TempDir dir;
  auto s = MustOpen(TestOptions(dir.File("db")));
  REQUIRE(s->CurrentRevision() == 0);

  auto a = Put(s.get(), "/pods/ns/a", "v1;app=web");
  REQUIRE(a.ok());
  CHECK(a->mod_revision == 1);
  CHECK(a->create_revision == 1);
  CHECK(*a->value == "v1;app=web");
  CHECK(a->attrs->labels.at("app") == "web");
  CHECK(Put(s.get(), "/pods/ns/a", "again").status().code() ==
        base::Code::kAlreadyExists);

  auto got = s->Get("/pods/ns/a");
  REQUIRE(got.ok());
  CHECK(got->mod_revision == 1);
  CHECK(got->value == a->value);  // shared, not copied
  CHECK(s->Get("/pods/ns/b").status().code() == base::Code::kNotFound);

  // Update: CAS on mod_revision, 0 = unconditional.
  CHECK(s->Update("/pods/ns/a", "x", {}, 7).status().code() ==
        base::Code::kConflict);
  CHECK(s->Update("/pods/ns/b", "x", {}, 0).status().code() ==
        base::Code::kNotFound);
  auto u = s->Update("/pods/ns/a", "v2;app=db", ParseAttrs("", "v2;app=db"), 1);
  REQUIRE(u.ok());
  CHECK(u->mod_revision == 2);
  CHECK(u->create_revision == 1);
  auto u2 = s->Update("/pods/ns/a", "v3", {}, 0);
  REQUIRE(u2.ok());
  CHECK(u2->mod_revision == 3);
  CHECK(*s->Get("/pods/ns/a")->value == "v3");

  // Delete: CAS too; returns the deleted object at the deletion revision.
  CHECK(s->Delete("/pods/ns/a", 2).status().code() == base::Code::kConflict);
  CHECK(s->Delete("/pods/ns/b", 0).status().code() == base::Code::kNotFound);
  auto d = s->Delete("/pods/ns/a", 3);
  REQUIRE(d.ok());
  CHECK(d->mod_revision == 4);
  CHECK(d->create_revision == 1);
  CHECK(*d->value == "v3");
  CHECK(s->Get("/pods/ns/a").status().code() == base::Code::kNotFound);
  CHECK(s->Delete("/pods/ns/a", 0).status().code() == base::Code::kNotFound);
  CHECK(s->CurrentRevision() == 4);

  // Failed writes consume no revision; re-creating starts a new incarnation.
  auto again = Put(s.get(), "/pods/ns/a", "new");
  REQUIRE(again.ok());
  CHECK(again->mod_revision == 5);
  CHECK(again->create_revision == 5);
}

TEST_CASE("list from the cache: prefix, filter, limit and paging", "[store]") {
  auto s = MustOpen(TestOptions(":memory:"));
  for (int i = 0; i < 10; ++i) {
    char key[32];
    snprintf(key, sizeof key, "/pods/a/p%02d", i);
    REQUIRE(Put(s.get(), key, i % 2 ? "x;app=odd" : "x;app=even").ok());
  }
  REQUIRE(Put(s.get(), "/pods/b/q", "x;app=odd").ok());
  REQUIRE(Put(s.get(), "/pods/a", "x").ok());  // shorter key, same prefix root
  REQUIRE(Put(s.get(), "/services/a/s", "x").ok());

  ListOptions all;
  all.prefix = "/pods/a/";
  auto r = s->List(all);
  REQUIRE(r.ok());
  CHECK(r->items.size() == 10);
  CHECK(r->revision == s->CurrentRevision());
  CHECK(r->next_key.empty());
  CHECK(!r->remaining.has_value());
  CHECK(r->items.front().key == "/pods/a/p00");
  CHECK(r->items.back().key == "/pods/a/p09");

  // Paging without a filter reports what remains.
  ListOptions page = all;
  page.limit = 4;
  r = s->List(page);
  REQUIRE(r.ok());
  CHECK(Keys(*r) == std::vector<std::string>{"/pods/a/p00", "/pods/a/p01",
                                             "/pods/a/p02", "/pods/a/p03"});
  CHECK(r->next_key == std::string("/pods/a/p03") + '\0');
  CHECK(r->remaining == 6);
  page.start_key = r->next_key;
  page.revision = r->revision;
  r = s->List(page);
  REQUIRE(r.ok());
  CHECK(r->items.front().key == "/pods/a/p04");
  CHECK(r->remaining == 2);
  page.start_key = r->next_key;
  r = s->List(page);
  REQUIRE(r.ok());
  CHECK(r->items.size() == 2);
  CHECK(r->next_key.empty());

  // Exactly `limit` items left: no continuation.
  page.start_key = "/pods/a/p06";
  r = s->List(page);
  REQUIRE(r.ok());
  CHECK(r->items.size() == 4);
  CHECK(r->next_key.empty());

  // The filter applies before the limit; no remaining count with a filter.
  ListOptions odd = all;
  odd.filter = LabelIs("app", "odd");
  odd.limit = 3;
  r = s->List(odd);
  REQUIRE(r.ok());
  CHECK(Keys(*r) ==
        std::vector<std::string>{"/pods/a/p01", "/pods/a/p03", "/pods/a/p05"});
  CHECK(!r->next_key.empty());
  CHECK(!r->remaining.has_value());
  odd.start_key = r->next_key;
  r = s->List(odd);
  REQUIRE(r.ok());
  CHECK(Keys(*r) == std::vector<std::string>{"/pods/a/p07", "/pods/a/p09"});
  CHECK(r->next_key.empty());

  ListOptions everything;
  r = s->List(everything);
  REQUIRE(r.ok());
  CHECK(r->items.size() == 13);
}

// The state at a revision, computed independently of the store.
using Snapshot = std::map<std::string, std::pair<std::string, int64_t>>;

void CheckListAt(Store* s, const Snapshot& want, int64_t revision,
                 int64_t limit, const Filter& filter) {
  ListOptions o;
  o.prefix = "/k/";
  o.revision = revision;
  o.limit = limit;
  o.filter = filter;
  std::vector<Object> got;
  for (int pages = 0;; ++pages) {
    REQUIRE(pages < 1000);
    auto r = s->List(o);
    REQUIRE(r.ok());
    CHECK(r->revision == revision);
    got.insert(got.end(), r->items.begin(), r->items.end());
    if (r->next_key.empty()) break;
    if (!filter) {
      // Exactly the keys after this page at that revision.
      REQUIRE(r->remaining.has_value());
      CHECK(*r->remaining == static_cast<int64_t>(std::distance(
                                 want.upper_bound(r->items.back().key),
                                 want.end())));
    }
    o.start_key = r->next_key;
  }
  Snapshot seen;
  for (const Object& obj : got) {
    seen[obj.key] = {*obj.value, obj.mod_revision};
    CHECK(obj.attrs->fields.at("metadata.name") ==
          obj.key.substr(obj.key.rfind('/') + 1));
  }
  Snapshot expected;
  for (const auto& [k, v] : want) {
    if (!filter || filter(ParseAttrs(k, v.first))) expected[k] = v;
  }
  CHECK(seen.size() == got.size());  // no key twice
  CHECK(seen == expected);
}

TEST_CASE("list at an older revision stays consistent while writes go on",
          "[store]") {
  TempDir dir;
  auto s = MustOpen(TestOptions(dir.File("db")));
  Snapshot state;
  for (int i = 0; i < 300; ++i) {
    std::string key = "/k/" + std::to_string(i);
    std::string value = "v0;grp=" + std::to_string(i % 3);
    auto o = Put(s.get(), key, value);
    REQUIRE(o.ok());
    state[key] = {value, o->mod_revision};
  }
  // Some history: updates and deletes.
  for (int i = 0; i < 300; i += 7) {
    std::string key = "/k/" + std::to_string(i);
    if (i % 2) {
      REQUIRE(s->Delete(key, 0).ok());
      state.erase(key);
    } else {
      std::string value = "v1;grp=" + std::to_string((i + 1) % 3);
      auto o = s->Update(key, value, ParseAttrs(key, value), 0);
      REQUIRE(o.ok());
      state[key] = {value, o->mod_revision};
    }
  }
  const int64_t rev = s->CurrentRevision();
  const Snapshot at_rev = state;

  std::atomic<bool> stop{false};
  std::thread writer([&] {
    for (int round = 0; !stop; ++round) {
      for (int i = round % 5; i < 300 && !stop; i += 5) {
        std::string key = "/k/" + std::to_string(i);
        std::string value = "w" + std::to_string(round) + ";grp=2";
        if (!s->Update(key, value, ParseAttrs(key, value), 0).ok()) {
          (void)s->Create(key, value, ParseAttrs(key, value));
        } else if (i % 11 == 0) {
          (void)s->Delete(key, 0);
        }
        (void)Put(s.get(), "/k/new" + std::to_string(round * 1000 + i), value);
      }
    }
  });
  while (s->CurrentRevision() < rev + 50) std::this_thread::yield();
  for (int64_t limit : {0, 1, 7, 50, 1000}) {
    CheckListAt(s.get(), at_rev, rev, limit, nullptr);
    CheckListAt(s.get(), at_rev, rev, limit, LabelIs("grp", "1"));
  }
  stop = true;
  writer.join();
  CHECK(s->CurrentRevision() > rev);
  CheckListAt(s.get(), at_rev, rev, 13, nullptr);

  // The revision of the very first write, and revision errors.
  Snapshot first = {{"/k/0", {"v0;grp=0", 1}}};
  CheckListAt(s.get(), first, 1, 0, nullptr);
  ListOptions future;
  future.revision = s->CurrentRevision() + 1;
  CHECK(s->List(future).status().code() == base::Code::kBadRequest);
}

TEST_CASE("reopening restores revisions, values and create revisions",
          "[store]") {
  TempDir dir;
  std::string path = dir.File("db");
  std::map<std::string, Object> want;
  int64_t current;
  {
    auto s = MustOpen(TestOptions(path));
    for (int i = 0; i < 50; ++i) {
      std::string key = "/r/" + std::to_string(i);
      REQUIRE(Put(s.get(), key, "a;n=" + std::to_string(i)).ok());
    }
    for (int i = 0; i < 50; i += 3) {
      std::string key = "/r/" + std::to_string(i);
      std::string v = "b;n=" + std::to_string(i);
      REQUIRE(s->Update(key, v, ParseAttrs(key, v), 0).ok());
    }
    for (int i = 1; i < 50; i += 5) {
      REQUIRE(s->Delete("/r/" + std::to_string(i), 0).ok());
    }
    auto all = s->List({});
    REQUIRE(all.ok());
    for (const Object& o : all->items) want[o.key] = o;
    // The newest row is a tombstone that compaction removes: the revision
    // counter must survive it.
    REQUIRE(s->Delete("/r/0", 0).ok());
    want.erase("/r/0");
    current = s->CurrentRevision();
    REQUIRE(s->Compact(current).ok());
  }
  auto s = MustOpen(TestOptions(path));
  CHECK(s->CurrentRevision() == current);
  CHECK(s->CompactedRevision() == current);
  auto all = s->List({});
  REQUIRE(all.ok());
  REQUIRE(all->items.size() == want.size());
  for (const Object& o : all->items) {
    const Object& w = want.at(o.key);
    CHECK(*o.value == *w.value);
    CHECK(o.mod_revision == w.mod_revision);
    CHECK(o.create_revision == w.create_revision);
    // Attributes come back through attrs_func.
    CHECK(o.attrs->labels.at("n") == w.attrs->labels.at("n"));
  }
  auto next = Put(s.get(), "/r/new", "x");
  REQUIRE(next.ok());
  CHECK(next->mod_revision == current + 1);
}

}  // namespace
}  // namespace ksim::store
