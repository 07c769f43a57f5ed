// ControlPlane: the API server without its HTTP front — the store, the
// registry and the background work kube-apiserver and etcd do on their own
// (namespace draining, garbage collection, periodic compaction), plus the
// bootstrap objects (the four namespaces, the `kubernetes` Service).
//
// The HTTP front (ApiServer::Serve) and the in-process clients of the
// cluster loop share one ControlPlane.
//
// Thread-safety: registry() and store() are safe for concurrent use.
#ifndef KSIM_APISERVER_CONTROL_PLANE_H_
#define KSIM_APISERVER_CONTROL_PLANE_H_

#include <cstdint>
#include <memory>
#include <string>

#include "apiserver/registry.h"
#include "apiserver/service_ips.h"
#include "base/clock.h"
#include "base/rng.h"
#include "base/status.h"
#include "base/task_runner.h"
#include "store/store.h"

namespace ksim::apiserver {

struct ControlPlaneOptions {
  // Directory of the SQLite database (created if missing); empty: an
  // in-memory store (scenarios and tests: nothing to keep).
  std::string data_dir;
  // synchronous=FULL commits (durable against power loss) when true.
  bool full_sync = true;
  uint64_t seed = 1;  // uids, generated names, ClusterIPs
  ServiceRanges service_ranges;
  // Auto-compaction keeps this much history (kube-apiserver: 5 minutes of
  // clock time); 0 disables it.
  int compaction_interval_seconds = 300;
  // Where background work runs. Null: a real-time runner of its own. In
  // virtual time pass the cluster's EventLoop, so the history stays
  // deterministic. REQUIRES: outlives the ControlPlane.
  base::TaskRunner* runner = nullptr;
  // The clock objects are stamped with. Null: the wall clock.
  // REQUIRES: outlives the ControlPlane.
  const base::Clock* clock = nullptr;
};

class ControlPlane {
 public:
  // Opens the store and creates the bootstrap objects when missing.
  static base::StatusOr<std::unique_ptr<ControlPlane>> Open(
      ControlPlaneOptions options);
  // Stops background work, then closes the store.
  virtual ~ControlPlane() = default;

  virtual Registry* registry() = 0;
  virtual store::Store* store() = 0;
  virtual const base::Clock* clock() const = 0;
  virtual base::Rng* rng() = 0;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_CONTROL_PLANE_H_
