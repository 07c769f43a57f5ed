// ObjectCache: the latest version of every live key, ordered by key (for
// prefix scans) with a hash index beside the ordered map (for point lookups:
// a red-black tree walk over 10^4..10^5 keys is a chain of cache misses).
//
// Thread-safety: none; the owner locks.
#ifndef KSIM_STORE_OBJECT_CACHE_H_
#define KSIM_STORE_OBJECT_CACHE_H_

#include <map>
#include <string>
#include <string_view>
#include <unordered_map>

#include "store/store.h"

namespace ksim::store {

class ObjectCache {
 public:
  using Map = std::map<std::string, Object, std::less<>>;

  // Null when absent. Valid until the key is next written.
  const Object* Find(std::string_view key) const {
    auto it = index_.find(key);
    return it == index_.end() ? nullptr : it->second;
  }

  void Put(const Object& obj) {
    auto [it, inserted] = map_.insert_or_assign(obj.key, obj);
    // The index's keys view the map's keys, which never move.
    if (inserted) index_.emplace(it->first, &it->second);
  }
  // REQUIRES: keys arrive in increasing order (bulk load).
  void Append(Object obj) {
    auto it = map_.emplace_hint(map_.end(), obj.key, std::move(obj));
    index_.emplace(it->first, &it->second);
  }
  void Erase(std::string_view key) {
    auto it = map_.find(key);
    if (it == map_.end()) return;
    index_.erase(std::string_view(it->first));
    map_.erase(it);
  }

  // For ordered scans.
  Map::const_iterator lower_bound(std::string_view key) const {
    return map_.lower_bound(key);
  }
  Map::const_iterator end() const { return map_.end(); }
  size_t size() const { return map_.size(); }

 private:
  Map map_;
  std::unordered_map<std::string_view, const Object*> index_;
};

}  // namespace ksim::store

#endif  // KSIM_STORE_OBJECT_CACHE_H_
