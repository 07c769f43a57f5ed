// Expectations: what a ReplicaSet's last sync asked the API for and has not
// yet seen come back through the pod informer (controller_utils.go's
// ControllerExpectations + UIDTrackingControllerExpectations, v1.32). While
// a key's creates or deletes are outstanding its sync does not manage
// replicas again, so a slow watch never causes duplicate pods. Deletions
// are tracked by pod key, so a delete seen twice is counted once.
// Expectations older than 5 minutes are treated as satisfied (kube's
// ExpectationsTimeout), so a lost watch event cannot wedge a ReplicaSet.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_REPLICASET_EXPECTATIONS_H_
#define KSIM_CONTROLLERS_REPLICASET_EXPECTATIONS_H_

#include <map>
#include <set>
#include <string>
#include <vector>

#include "base/clock.h"

namespace ksim::controllers {

class Expectations {
 public:
  // REQUIRES: clock outlives this object.
  explicit Expectations(const base::Clock* clock) : clock_(clock) {}

  // True when the key has no expectations, they are fulfilled, or expired.
  bool Satisfied(const std::string& key) const;
  void ExpectCreations(const std::string& key, int adds);
  // Expects the deletion of each pod key in `pods`.
  void ExpectDeletions(const std::string& key,
                       const std::vector<std::string>& pods);
  void CreationObserved(const std::string& key);
  // Counts the deletion of `pod` once, if it was expected.
  void DeletionObserved(const std::string& key, const std::string& pod);
  void Delete(const std::string& key);

  // For tests: outstanding creates and deletes (0,0 when none).
  std::pair<int, int> Pending(const std::string& key) const;

 private:
  struct Entry {
    int add = 0;
    int del = 0;
    std::set<std::string> deleting;  // pod keys expected to disappear
    base::Time set_at;
  };
  const base::Clock* clock_;
  std::map<std::string, Entry> entries_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_REPLICASET_EXPECTATIONS_H_
