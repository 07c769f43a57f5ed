// PageBuilder: cuts one page out of a key-ordered stream of candidates, the
// same way for the in-memory cache and for the SQLite log, with the paging
// semantics of ListResult (filter before limit, next_key, remaining).
//
// Thread-safety: a PageBuilder is used by one thread.
#ifndef KSIM_STORE_LIST_PAGE_H_
#define KSIM_STORE_LIST_PAGE_H_

#include <cstdint>

#include "store/store.h"

namespace ksim::store {

class PageBuilder {
 public:
  explicit PageBuilder(const ListOptions& options)
      : limit_(options.limit), filter_(options.filter) {}

  // Whether the page has its limit of items; later candidates only count.
  bool full() const {
    return limit_ > 0 && static_cast<int64_t>(items_.size()) >= limit_;
  }
  // Whether a candidate with these attributes belongs in the page.
  bool Matches(const Attributes& attrs) const {
    return !filter_ || filter_(attrs);
  }
  // REQUIRES: !full() and Matches(obj.attrs).
  void Add(Object obj) { items_.push_back(std::move(obj)); }
  // REQUIRES: full(). Notes a candidate after the page; returns whether the
  // caller should go on offering (only to count them for `remaining`).
  bool CountMore() {
    ++more_;
    return !filter_;
  }

  ListResult Finish(int64_t revision) && {
    ListResult r;
    r.revision = revision;
    if (more_ > 0 && !items_.empty()) {
      // The smallest key after the last one returned: the next page starts
      // right after it whatever is created or deleted meanwhile.
      r.next_key = items_.back().key + '\0';
      if (!filter_) r.remaining = more_;
    }
    r.items = std::move(items_);
    return r;
  }

 private:
  int64_t limit_;
  const Filter& filter_;
  std::vector<Object> items_;
  int64_t more_ = 0;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_LIST_PAGE_H_
