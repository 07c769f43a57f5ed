#include "controllers/replicaset_expectations.h"

#include <chrono>

namespace ksim::controllers {

namespace {
constexpr auto kExpectationsTimeout = std::chrono::minutes(5);
}  // namespace

bool Expectations::Satisfied(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return true;
  const Entry& e = it->second;
  if (e.add <= 0 && e.del <= 0) return true;
  return clock_->Now() - e.set_at > kExpectationsTimeout;
}

void Expectations::ExpectCreations(const std::string& key, int adds) {
  Entry& e = entries_[key];
  e = Entry{};
  e.add = adds;
  e.set_at = clock_->Now();
}

void Expectations::ExpectDeletions(const std::string& key,
                                   const std::vector<std::string>& pods) {
  Entry& e = entries_[key];
  e = Entry{};
  e.deleting.insert(pods.begin(), pods.end());
  e.del = static_cast<int>(e.deleting.size());
  e.set_at = clock_->Now();
}

void Expectations::CreationObserved(const std::string& key) {
  auto it = entries_.find(key);
  if (it != entries_.end()) --it->second.add;
}

void Expectations::DeletionObserved(const std::string& key,
                                    const std::string& pod) {
  auto it = entries_.find(key);
  if (it == entries_.end()) return;
  if (it->second.deleting.erase(pod) > 0) --it->second.del;
}

void Expectations::Delete(const std::string& key) { entries_.erase(key); }

std::pair<int, int> Expectations::Pending(const std::string& key) const {
  auto it = entries_.find(key);
  if (it == entries_.end()) return {0, 0};
  return {it->second.add, it->second.del};
}

}  // namespace ksim::controllers
