// Service address allocation, as kube-apiserver's service REST does it on
// create: a ClusterIP chosen at random (seeded Rng) from the service CIDR,
// never two Services on one IP, a requested clusterIP honoured or rejected
// with 422, "None" for headless; NodePorts likewise from their range.
//
// Thread-safety: safe for concurrent use (one mutex). The allocation state
// is rebuilt from the stored Services on first use, so it survives restarts.
#ifndef KSIM_APISERVER_SERVICE_IPS_H_
#define KSIM_APISERVER_SERVICE_IPS_H_

#include <cstdint>
#include <mutex>
#include <set>
#include <string>

#include "base/json.h"
#include "base/rng.h"
#include "base/status.h"
#include "store/store.h"

namespace ksim::apiserver {

struct ServiceRanges {
  std::string cidr = "10.1.0.0/16";
  int node_port_min = 30000;
  int node_port_max = 32767;
};

class ServiceAddressAllocator {
 public:
  ServiceAddressAllocator(store::Store* store, base::Rng* rng,
                          ServiceRanges ranges);

  // Fills spec.clusterIP/clusterIPs and NodePorts of a new Service (or
  // checks the requested ones). `old` is the stored Service on update (null
  // on create): its addresses are kept and only new needs are allocated.
  base::Status Allocate(const base::Json* old, base::Json& svc);
  // Returns a deleted Service's addresses, or those a failed write reserved.
  // On update failure pass `keep` = the old object so its addresses stay.
  void Release(const base::Json& svc, const base::Json* keep = nullptr);

  const ServiceRanges& ranges() const { return ranges_; }

 private:
  void LoadLocked();
  base::Status AllocateIpLocked(base::Json& svc);
  base::Status AllocatePortsLocked(const base::Json* old, base::Json& svc);

  store::Store* store_;
  base::Rng* rng_;
  ServiceRanges ranges_;
  uint32_t base_ = 0;  // network address, host order
  uint32_t size_ = 0;  // addresses in the CIDR
  std::mutex mu_;
  bool loaded_ = false;
  std::set<uint32_t> ips_;
  std::set<int> ports_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SERVICE_IPS_H_
