#include "netsim/faults.h"

#include <algorithm>
#include <cmath>

#include "kubelet-sim/overrides.h"

namespace ksim::netsim {
namespace {

base::Status Invalid(const std::string& msg) {
  return base::BadRequest("invalid fault: " + msg);
}

base::Status ParseTarget(const base::Json& spec, const FaultValidator& v,
                         Fault* f) {
  if (!spec.contains("target") || !spec["target"].is_string()) {
    return Invalid("\"target\" must be \"node/NAME\" or \"pod/NS/NAME\"");
  }
  std::string t = spec["target"].get<std::string>();
  if (t.rfind("node/", 0) == 0) {
    f->target = t.substr(5);
    if (!v.node_exists(f->target)) {
      return base::NotFound("nodes \"" + f->target + "\" not found");
    }
    return base::Status::Ok();
  }
  if (t.rfind("pod/", 0) == 0) {
    std::string rest = t.substr(4);
    if (rest.find('/') == std::string::npos) rest = "default/" + rest;
    f->target_is_pod = true;
    f->target = rest;
    if (!v.pod_exists(rest)) {
      return base::NotFound("pods \"" + rest.substr(rest.find('/') + 1) +
                            "\" not found");
    }
    return base::Status::Ok();
  }
  return Invalid("\"target\" must be \"node/NAME\" or \"pod/NS/NAME\"");
}

base::StatusOr<base::Duration> DurationField(const base::Json& spec,
                                             const char* key, bool required) {
  if (!spec.contains(key)) {
    if (required) return Invalid(std::string("\"") + key + "\" is required");
    return base::Duration(0);
  }
  const base::Json& j = spec[key];
  std::optional<base::Duration> d;
  if (j.is_string()) d = kubelet::ParseGoDuration(j.get<std::string>());
  if (j.is_number() && j.get<double>() >= 0) {
    d = std::chrono::duration_cast<base::Duration>(
        std::chrono::duration<double>(j.get<double>()));
  }
  if (!d) {
    return Invalid(std::string("\"") + key +
                   "\" must be a duration such as \"100ms\"");
  }
  return *d;
}

base::Status ParseKind(const base::Json& spec, const FaultValidator& v,
                       Fault* f) {
  if (f->kind == "NodeDown") {
    f->node = spec.value("node", "");
    if (f->node.empty()) return Invalid("\"node\" is required");
    if (!v.node_exists(f->node)) {
      return base::NotFound("nodes \"" + f->node + "\" not found");
    }
    return base::Status::Ok();
  }
  if (f->kind == "Partition") {
    const base::Json* g = base::Find(spec, {"groups"});
    if (!g || !g->is_array() || g->size() < 2) {
      return Invalid("\"groups\" must list at least two groups of nodes");
    }
    std::set<std::string> seen;
    for (const auto& group : *g) {
      if (!group.is_array() || group.empty()) {
        return Invalid("each group must be a non-empty list of node names");
      }
      std::set<std::string> nodes;
      for (const auto& n : group) {
        if (!n.is_string()) return Invalid("node names must be strings");
        std::string name = n.get<std::string>();
        if (!v.node_exists(name)) {
          return base::NotFound("nodes \"" + name + "\" not found");
        }
        if (!seen.insert(name).second) {
          return Invalid("node \"" + name + "\" is in more than one group");
        }
        nodes.insert(name);
      }
      f->groups.push_back(std::move(nodes));
    }
    return base::Status::Ok();
  }
  if (f->kind == "Latency") {
    KSIM_RETURN_IF_ERROR(ParseTarget(spec, v, f));
    KSIM_ASSIGN_OR_RETURN(f->latency, DurationField(spec, "latency", true));
    KSIM_ASSIGN_OR_RETURN(f->jitter, DurationField(spec, "jitter", false));
    return base::Status::Ok();
  }
  if (f->kind == "Loss") {
    KSIM_RETURN_IF_ERROR(ParseTarget(spec, v, f));
    const base::Json* p = base::Find(spec, {"probability"});
    if (!p || !p->is_number() || p->get<double>() < 0 ||
        p->get<double>() > 1) {
      return Invalid("\"probability\" must be a number from 0 to 1");
    }
    f->probability = p->get<double>();
    return base::Status::Ok();
  }
  return Invalid("unknown kind \"" + f->kind +
                 "\" (NodeDown, Partition, Latency, Loss)");
}

bool Touches(const Fault& f, const FaultHost& h) {
  return f.target_is_pod ? h.pod == f.target : h.node == f.target;
}

// Whether a fault on a node or pod applies to the round trip a <-> b: a
// pod fault when either end is the pod, a node fault when the traffic
// crosses that node's NIC (the ends are on different nodes).
bool Applies(const Fault& f, const FaultHost& a, const FaultHost& b) {
  if (f.target_is_pod) return Touches(f, a) || Touches(f, b);
  if (a.node == b.node) return false;
  return Touches(f, a) || Touches(f, b);
}

}  // namespace

base::StatusOr<Fault> ParseFault(const base::Json& spec,
                                 const FaultValidator& v) {
  if (!spec.is_object()) return Invalid("the spec must be a JSON object");
  Fault f;
  f.kind = spec.value("kind", "");
  if (f.kind.empty()) return Invalid("\"kind\" is required");
  KSIM_RETURN_IF_ERROR(ParseKind(spec, v, &f));
  f.spec = spec;
  return f;
}

base::Json Faults::Add(Fault f) {
  std::lock_guard<std::mutex> l(mu_);
  f.number = next_++;
  f.spec["id"] = "fault-" + std::to_string(f.number);
  if (f.kind != "NodeDown") ++path_faults_;
  base::Json out = f.spec;
  faults_.emplace(f.number, std::move(f));
  return out;
}

base::StatusOr<Fault> Faults::Remove(const std::string& id) {
  std::lock_guard<std::mutex> l(mu_);
  for (auto it = faults_.begin(); it != faults_.end(); ++it) {
    if ("fault-" + std::to_string(it->first) != id) continue;
    Fault f = std::move(it->second);
    faults_.erase(it);
    if (f.kind != "NodeDown") --path_faults_;
    return f;
  }
  return base::NotFound("fault \"" + id + "\" not found");
}

base::Json Faults::List() const {
  std::lock_guard<std::mutex> l(mu_);
  base::Json items = base::Json::array();
  for (const auto& [n, f] : faults_) items.push_back(f.spec);
  return {{"items", items}};
}

bool Faults::NodeHeldDown(const std::string& node) const {
  std::lock_guard<std::mutex> l(mu_);
  for (const auto& [n, f] : faults_) {
    if (f.kind == "NodeDown" && f.node == node) return true;
  }
  return false;
}

bool Faults::empty() const { return path_faults_.load() == 0; }

bool Faults::Partitioned(const std::string& a, const std::string& b) const {
  if (a == b) return false;
  std::lock_guard<std::mutex> l(mu_);
  if (path_faults_ == 0) return false;
  for (const auto& [n, f] : faults_) {
    if (f.kind != "Partition") continue;
    int ga = -1, gb = -1;
    for (size_t i = 0; i < f.groups.size(); ++i) {
      if (f.groups[i].count(a)) ga = static_cast<int>(i);
      if (f.groups[i].count(b)) gb = static_cast<int>(i);
    }
    if (ga >= 0 && gb >= 0 && ga != gb) return true;
  }
  return false;
}

base::Duration Faults::Delay(const FaultHost& a, const FaultHost& b,
                             base::Rng* rng) const {
  std::lock_guard<std::mutex> l(mu_);
  base::Duration total{};
  if (path_faults_ == 0) return total;
  for (const auto& [n, f] : faults_) {
    if (f.kind != "Latency" || !Applies(f, a, b)) continue;
    base::Duration d = f.latency;
    if (f.jitter.count() > 0) {
      double u = rng->UniformDouble() * 2 - 1;
      d += std::chrono::duration_cast<base::Duration>(f.jitter * u);
    }
    total += std::max(d, base::Duration(0));
  }
  return total;
}

double Faults::Loss(const FaultHost& a, const FaultHost& b) const {
  std::lock_guard<std::mutex> l(mu_);
  if (path_faults_ == 0) return 0;
  double pass = 1;
  for (const auto& [n, f] : faults_) {
    if (f.kind == "Loss" && Applies(f, a, b)) pass *= 1 - f.probability;
  }
  return 1 - pass;
}

}  // namespace ksim::netsim
