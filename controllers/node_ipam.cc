#include "controllers/node_ipam.h"

#include <cstdio>

#include "base/ipv4.h"

namespace ksim::controllers {
namespace {

using base::Json;

std::vector<std::string> PodCidrs(const Json& node) {
  std::vector<std::string> out;
  const Json* list = base::Find(node, {"spec", "podCIDRs"});
  if (list != nullptr && list->is_array()) {
    for (const Json& c : *list) {
      if (c.is_string()) out.push_back(c.get<std::string>());
    }
  }
  std::string single = base::GetString(node, {"spec", "podCIDR"});
  if (out.empty() && !single.empty()) out.push_back(single);
  return out;
}

// The ObjectReference RecordNodeStatusChange builds: kind, name, uid.
Json NodeRef(const Json& node) {
  return {{"kind", "Node"},
          {"apiVersion", "v1"},
          {"metadata",
           {{"name", base::GetString(node, {"metadata", "name"})},
            {"uid", base::GetString(node, {"metadata", "uid"})}}}};
}

}  // namespace

base::StatusOr<CidrSet> CidrSet::Create(const std::string& cidr, int mask) {
  auto parsed = base::ParseIpv4Cidr(cidr);
  if (!parsed) return base::BadRequest("invalid CIDR address: " + cidr);
  uint32_t ip = parsed->address;
  int prefix = parsed->prefix;
  if (mask < prefix || mask > 32 || mask - prefix > 24) {
    return base::BadRequest("CIDRSet max mask size " + std::to_string(mask) +
                            " is invalid for the cluster CIDR " + cidr);
  }
  CidrSet s;
  s.mask_ = mask;
  s.base_ = prefix == 0 ? 0 : ip & (~uint32_t{0} << (32 - prefix));
  s.used_.assign(size_t{1} << (mask - prefix), false);
  return s;
}

std::string CidrSet::SubnetAt(uint64_t index) const {
  uint32_t ip = base_ + static_cast<uint32_t>(index << (32 - mask_));
  return base::FormatIpv4(ip) + "/" + std::to_string(mask_);
}

int64_t CidrSet::IndexOf(const std::string& subnet) const {
  auto parsed = base::ParseIpv4Cidr(subnet);
  if (!parsed || parsed->prefix != mask_) return -1;
  if (parsed->address < base_) return -1;
  uint64_t index = (uint64_t{parsed->address} - base_) >> (32 - mask_);
  if (index >= used_.size() || SubnetAt(index) != subnet) return -1;
  return static_cast<int64_t>(index);
}

base::StatusOr<std::string> CidrSet::AllocateNext() {
  if (used_count_ == used_.size()) {
    return base::NotFound(
        "CIDR allocation failed; there are no remaining CIDRs left to "
        "allocate in the accepted range");
  }
  uint64_t candidate = next_candidate_;
  while (used_[candidate]) candidate = (candidate + 1) % used_.size();
  next_candidate_ = (candidate + 1) % used_.size();
  used_[candidate] = true;
  ++used_count_;
  return SubnetAt(candidate);
}

base::Status CidrSet::Occupy(const std::string& subnet) {
  int64_t i = IndexOf(subnet);
  if (i < 0) {
    return base::BadRequest("cidr " + subnet +
                            " is out of the range of the cluster CIDR");
  }
  if (!used_[i]) ++used_count_;
  used_[i] = true;
  return base::Status::Ok();
}

void CidrSet::Release(const std::string& subnet) {
  int64_t i = IndexOf(subnet);
  if (i < 0 || !used_[i]) return;
  used_[i] = false;
  --used_count_;
}

NodeIpamController::NodeIpamController(const client::ClusterContext& ctx,
                                       NodeIpamOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      nodes_(ctx.informers->For(client::kNodes)),
      recorder_(ctx.client, ctx.clock, "cidrAllocator"),
      alive_(std::make_shared<bool>(true)),
      queue_(ctx.loop, {.name = "node-ipam"},
             [this](const std::string& key) { return Reconcile(key); }) {
  auto set = CidrSet::Create(options_.cluster_cidr, options_.node_mask_size);
  if (!set.ok()) {
    init_status_ = set.status();
    return;
  }
  set_ = std::make_unique<CidrSet>(std::move(set).value());
  std::weak_ptr<bool> alive = alive_;
  auto add = [this, alive](const client::ObjectPtr& o) {
    if (!alive.expired()) queue_.Add(client::KeyOf(*o));
  };
  nodes_->AddEventHandlers(client::EventHandlers{
      add,
      [add](const client::ObjectPtr&, const client::ObjectPtr& n) { add(n); },
      add});
}

NodeIpamController::~NodeIpamController() {
  alive_.reset();
  queue_.ShutDown();
}

void NodeIpamController::OccupyExisting() {
  occupied_existing_ = true;
  for (const client::ObjectPtr& n : nodes_->List()) {
    std::vector<std::string> cidrs = PodCidrs(*n);
    if (cidrs.empty()) continue;
    if (set_->Occupy(cidrs[0]).ok()) {
      allocated_[base::GetString(*n, {"metadata", "name"})] = cidrs[0];
    }
  }
}

base::Status NodeIpamController::Reconcile(const std::string& name) {
  if (set_ == nullptr) return init_status_;
  if (!occupied_existing_) OccupyExisting();
  client::ObjectPtr node = nodes_->Get(name);
  auto mine = allocated_.find(name);
  if (node == nullptr) {  // deleted: its subnet is free again
    if (mine != allocated_.end()) {
      set_->Release(mine->second);
      allocated_.erase(mine);
    }
    return base::Status::Ok();
  }
  std::vector<std::string> cidrs = PodCidrs(*node);
  if (!cidrs.empty()) {
    if (mine == allocated_.end() && set_->Occupy(cidrs[0]).ok()) {
      allocated_[name] = cidrs[0];
    }
    return base::Status::Ok();
  }
  if (mine != allocated_.end()) {  // our patch has not been seen yet
    return base::Status::Ok();
  }
  auto cidr = set_->AllocateNext();
  if (!cidr.ok()) {
    recorder_.Event(NodeRef(*node), "Normal", "CIDRNotAvailable",
                    "Node " + name + " status is now: CIDRNotAvailable");
    return cidr.status();
  }
  allocated_[name] = *cidr;
  Patch(name, *cidr);
  return base::Status::Ok();
}

void NodeIpamController::Patch(const std::string& name,
                               const std::string& cidr) {
  Json patch = {{"spec", {{"podCIDR", cidr}, {"podCIDRs", {cidr}}}}};
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Patch(
      client::kNodes, "", name, client::PatchType::kStrategicMerge,
      std::move(patch), "",
      [this, alive, name, cidr](base::StatusOr<Json> result) {
        if (alive.expired() || result.ok()) return;
        client::ObjectPtr node = nodes_->Get(name);
        if (node != nullptr) {
          recorder_.Event(
              NodeRef(*node), "Normal", "CIDRAssignmentFailed",
              "Node " + name + " status is now: CIDRAssignmentFailed");
        }
        auto it = allocated_.find(name);
        if (it != allocated_.end() && it->second == cidr) {
          set_->Release(cidr);
          allocated_.erase(it);
        }
        queue_.AddRateLimited(name);
      });
}

}  // namespace ksim::controllers
