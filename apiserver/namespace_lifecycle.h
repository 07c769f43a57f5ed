// The namespace lifecycle: bootstrap of the namespaces every kubeadm cluster
// has, and the drain of a deleted namespace — everything inside is deleted,
// the namespace shows Terminating until the last object is gone, then it is
// removed (kube's namespace controller and "kubernetes" finalizer).
//
// Thread-safety: Drain may be called from any thread; the work runs on the
// TaskRunner, one drain at a time.
#ifndef KSIM_APISERVER_NAMESPACE_LIFECYCLE_H_
#define KSIM_APISERVER_NAMESPACE_LIFECYCLE_H_

#include <mutex>
#include <set>
#include <string>

#include "apiserver/registry.h"
#include "base/status.h"
#include "base/task_runner.h"

namespace ksim::apiserver {

class NamespaceLifecycle {
 public:
  // `registry` and `runner` must outlive this object.
  NamespaceLifecycle(Registry* registry, base::TaskRunner* runner);

  // Creates default, kube-system, kube-public and kube-node-lease when
  // missing (and resumes drains of namespaces left Terminating).
  base::Status Bootstrap();
  // Schedules a drain of `ns` (coalesced while one is pending).
  void Drain(const std::string& ns);

 private:
  void RunDrain(const std::string& ns);

  Registry* registry_;
  base::TaskRunner* runner_;
  std::mutex mu_;
  std::set<std::string> pending_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_NAMESPACE_LIFECYCLE_H_
