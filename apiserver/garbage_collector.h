// Garbage collection by ownerReferences, with kube's three propagation
// policies:
//  - Background: once an owner is gone, dependents none of whose owners
//    remain are deleted (in the background).
//  - Foreground: the owner carries the "foregroundDeletion" finalizer while
//    its dependents are deleted; the finalizer goes when none remain.
//  - Orphan: the owner carries the "orphan" finalizer while its dependents'
//    ownerReferences to it are removed; then the finalizer goes.
// It works through the Registry (so every change is an ordinary write that
// watchers see) and runs on the TaskRunner.
//
// Thread-safety: the On* hooks may be called from any thread.
#ifndef KSIM_APISERVER_GARBAGE_COLLECTOR_H_
#define KSIM_APISERVER_GARBAGE_COLLECTOR_H_

#include <string>

#include "apiserver/registry.h"
#include "base/task_runner.h"

namespace ksim::apiserver {

class GarbageCollector {
 public:
  // `registry` and `runner` must outlive this object.
  GarbageCollector(Registry* registry, base::TaskRunner* runner);

  // An object was removed from the store.
  void OnDeleted(const ResourceInfo& r, const std::string& ns,
                 const std::string& uid);
  // An object got a deletionTimestamp with the orphan or foregroundDeletion
  // finalizer.
  void OnFinalizing(const ResourceInfo& r, const std::string& ns,
                    const std::string& name);

 private:
  struct Dependent {
    const ResourceInfo* resource;
    std::string ns;
    std::string name;
    Json obj;
  };
  std::vector<Dependent> DependentsOf(const std::string& ns,
                                      const std::string& uid) const;
  bool OwnerExists(const std::string& ns, const Json& ref) const;
  void CollectOrphans(const std::string& ns, const std::string& uid);
  void Finalize(const ResourceInfo* r, const std::string& ns,
                const std::string& name);
  void RemoveFinalizer(const Target& t, const std::string& finalizer);

  Registry* registry_;
  base::TaskRunner* runner_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_GARBAGE_COLLECTOR_H_
