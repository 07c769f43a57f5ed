// NodeIpamController: kube-controller-manager's node-ipam-controller with
// the RangeAllocator. Every node without spec.podCIDR gets the next free
// /node_mask_size subnet of the cluster CIDR (cidrset.AllocateNext: a
// round-robin cursor, so a released subnet is reused only after the range
// wraps), written as spec.podCIDR and spec.podCIDRs with a strategic merge
// patch; CIDRs already on nodes are marked used first; a deleted node's
// subnet is released. When the range is exhausted the node gets the event
// "Node <name> status is now: CIDRNotAvailable" and is retried with backoff.
//
// IPv4 single-stack only.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CONTROLLERS_NODE_IPAM_H_
#define KSIM_CONTROLLERS_NODE_IPAM_H_

#include <cstdint>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "base/status.h"
#include "base/work_queue.h"
#include "client/cluster_context.h"
#include "client/event_recorder.h"

namespace ksim::controllers {

struct NodeIpamOptions {
  std::string cluster_cidr = "10.244.0.0/16";
  int node_mask_size = 24;
};

// An IPv4 range carved into equal subnets (cidrset.CidrSet).
class CidrSet {
 public:
  // "10.244.0.0/16" into /24s. Errors are BadRequest.
  static base::StatusOr<CidrSet> Create(const std::string& cidr, int mask);

  // The next free subnet after the cursor, or NotFound when none is left.
  base::StatusOr<std::string> AllocateNext();
  // Marks a subnet used; an error when it is not one of this set's.
  base::Status Occupy(const std::string& subnet);
  void Release(const std::string& subnet);
  size_t Used() const { return used_count_; }
  size_t Size() const { return used_.size(); }

 private:
  // The index of `subnet` in the set, or -1.
  int64_t IndexOf(const std::string& subnet) const;
  std::string SubnetAt(uint64_t index) const;

  uint32_t base_ = 0;
  int mask_ = 0;
  std::vector<bool> used_;
  size_t used_count_ = 0;
  uint64_t next_candidate_ = 0;
};

class NodeIpamController {
 public:
  // REQUIRES: ctx's pointers outlive it. An invalid cluster CIDR is
  // reported by status() and every node is left alone.
  explicit NodeIpamController(const client::ClusterContext& ctx,
                              NodeIpamOptions options = {});
  ~NodeIpamController();

  base::Status status() const { return init_status_; }
  // Level-triggered: allocates, confirms or releases the node's CIDR.
  base::Status Reconcile(const std::string& node_name);
  const CidrSet* cidrs() const { return set_.get(); }

 private:
  void OccupyExisting();
  void Patch(const std::string& node, const std::string& cidr);

  client::ClusterContext ctx_;
  NodeIpamOptions options_;
  client::Informer* nodes_;
  client::EventRecorder recorder_;
  base::Status init_status_;
  std::unique_ptr<CidrSet> set_;
  bool occupied_existing_ = false;
  std::map<std::string, std::string> allocated_;  // node -> subnet
  std::shared_ptr<bool> alive_;
  base::WorkQueue queue_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_NODE_IPAM_H_
