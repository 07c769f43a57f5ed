#include "controllers/scheduler_types.h"

#include <algorithm>
#include <cctype>

namespace ksim::controllers::sched {
namespace {

// schedutil.DefaultMilliCPURequest / DefaultMemoryRequest.
constexpr int64_t kDefaultMilliCpu = 100;
constexpr int64_t kDefaultMemory = 200LL * 1024 * 1024;

const Json* Arr(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_array() ? &*it : nullptr;
}
const Json* Obj(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_object() ? &*it : nullptr;
}
std::string Str(const Json& j, std::string_view key) {
  auto it = j.find(key);
  return it != j.end() && it->is_string() ? it->get<std::string>() : "";
}
Labels StringMap(const Json* j) {
  Labels out;
  if (j == nullptr || !j->is_object()) return out;
  for (auto it = j->begin(); it != j->end(); ++it) {
    if (it->is_string()) out[it.key()] = it->get<std::string>();
  }
  return out;
}

// value = digits / 10^frac * 2^bin * 10^dec, scaled by 10^scale and rounded
// up (away from zero for the positive quantities requests are).
std::optional<int64_t> ParseScaled(std::string_view s, int scale) {
  size_t i = 0;
  bool neg = false;
  if (i < s.size() && (s[i] == '+' || s[i] == '-')) neg = s[i++] == '-';
  __int128 digits = 0;
  int frac = 0, ndigits = 0;
  bool dot = false;
  for (; i < s.size() && (std::isdigit(s[i]) || s[i] == '.'); ++i) {
    if (s[i] == '.') {
      if (dot) return std::nullopt;
      dot = true;
      continue;
    }
    if (ndigits < 30) {
      digits = digits * 10 + (s[i] - '0');
      if (dot) ++frac;
    } else if (!dot) {
      return std::nullopt;  // too large for any node
    }
    ++ndigits;
  }
  if (ndigits == 0) return std::nullopt;
  std::string_view suf = s.substr(i);
  int bin = 0, dec = 0;
  static const std::pair<std::string_view, int> kBin[] = {
      {"Ki", 10}, {"Mi", 20}, {"Gi", 30}, {"Ti", 40}, {"Pi", 50}, {"Ei", 60}};
  static const std::pair<std::string_view, int> kDec[] = {
      {"n", -9}, {"u", -6}, {"m", -3}, {"", 0},   {"k", 3},
      {"M", 6},  {"G", 9},  {"T", 12}, {"P", 15}, {"E", 18}};
  bool found = false;
  for (auto [n, e] : kBin) {
    if (suf == n) bin = e, found = true;
  }
  for (auto [n, e] : kDec) {
    if (suf == n) dec = e, found = true;
  }
  if (!found && (suf.size() >= 2 && (suf[0] == 'e' || suf[0] == 'E'))) {
    try {
      dec = std::stoi(std::string(suf.substr(1)));
      found = true;
    } catch (...) {
      return std::nullopt;
    }
  }
  if (!found) return std::nullopt;
  int exp10 = dec + scale - frac;
  __int128 num = digits << bin, den = 1;
  if (exp10 > 30 || exp10 < -40) return std::nullopt;
  for (; exp10 > 0; --exp10) num *= 10;
  for (; exp10 < 0; ++exp10) den *= 10;
  __int128 v = (num + den - 1) / den;
  if (v > INT64_MAX) return std::nullopt;
  return neg ? -static_cast<int64_t>(v) : static_cast<int64_t>(v);
}

// Requests of one container list entry; `nonzero` applies kube's defaults
// for cpu and memory when they are absent.
Resources ContainerRequests(const Json& c, bool nonzero) {
  Resources r;
  const Json* res = Obj(c, "resources");
  const Json* req = res != nullptr ? Obj(*res, "requests") : nullptr;
  bool has_cpu = false, has_mem = false;
  if (req != nullptr) {
    for (auto it = req->begin(); it != req->end(); ++it) {
      std::string q = it->is_string() ? it->get<std::string>() : it->dump();
      const std::string& name = it.key();
      if (name == "cpu") {
        r.milli_cpu = QuantityMilli(q).value_or(0);
        has_cpu = true;
      } else if (name == "memory") {
        r.memory = QuantityValue(q).value_or(0);
        has_mem = true;
      } else if (name == "ephemeral-storage") {
        r.ephemeral_storage = QuantityValue(q).value_or(0);
      } else if (name.find('/') != std::string::npos ||
                 name.rfind("hugepages-", 0) == 0) {
        r.scalar[name] = QuantityValue(q).value_or(0);
      }
    }
  }
  if (nonzero) {
    if (!has_cpu) r.milli_cpu = kDefaultMilliCpu;
    if (!has_mem) r.memory = kDefaultMemory;
  }
  return r;
}

void MaxInto(Resources& into, const Resources& o) {
  into.milli_cpu = std::max(into.milli_cpu, o.milli_cpu);
  into.memory = std::max(into.memory, o.memory);
  into.ephemeral_storage =
      std::max(into.ephemeral_storage, o.ephemeral_storage);
  for (const auto& [k, v] : o.scalar)
    into.scalar[k] = std::max(into.scalar[k], v);
}

// resourcehelper.PodRequests: containers summed, then the max with every
// init container (restartable sidecars accumulate), plus overhead.
Resources PodRequests(const Json& spec, bool nonzero) {
  Resources reqs;
  if (const Json* cs = Arr(spec, "containers")) {
    for (const Json& c : *cs) reqs.Add(ContainerRequests(c, nonzero));
  }
  Resources sidecars, init_max;
  if (const Json* ics = Arr(spec, "initContainers")) {
    for (const Json& c : *ics) {
      Resources r = ContainerRequests(c, nonzero);
      if (Str(c, "restartPolicy") == "Always") {
        reqs.Add(r);
        sidecars.Add(r);
        r = sidecars;
      } else {
        r.Add(sidecars);
      }
      MaxInto(init_max, r);
    }
  }
  MaxInto(reqs, init_max);
  if (const Json* oh = Obj(spec, "overhead")) {
    Json c = {{"resources", {{"requests", *oh}}}};
    Resources o = ContainerRequests(c, false);
    reqs.Add(o);
  }
  return reqs;
}

std::vector<NodeRequirement> ParseRequirements(const Json* reqs) {
  std::vector<NodeRequirement> out;
  if (reqs == nullptr) return out;
  for (const Json& r : *reqs) {
    NodeRequirement nr{Str(r, "key"), Str(r, "operator"), {}};
    if (const Json* vs = Arr(r, "values")) {
      for (const Json& v : *vs) {
        if (v.is_string()) nr.values.push_back(v.get<std::string>());
      }
    }
    out.push_back(std::move(nr));
  }
  return out;
}

NodeSelectorTerm ParseTerm(const Json& t) {
  return {ParseRequirements(Arr(t, "matchExpressions")),
          ParseRequirements(Arr(t, "matchFields"))};
}

void ParseAffinity(const Json& spec, PodInfo& p) {
  const Json* aff = Obj(spec, "affinity");
  const Json* na = aff != nullptr ? Obj(*aff, "nodeAffinity") : nullptr;
  if (na == nullptr) return;
  if (const Json* req =
          Obj(*na, "requiredDuringSchedulingIgnoredDuringExecution")) {
    p.has_required_affinity = true;
    if (const Json* terms = Arr(*req, "nodeSelectorTerms")) {
      for (const Json& t : *terms) p.required_terms.push_back(ParseTerm(t));
    }
  }
  if (const Json* pref =
          Arr(*na, "preferredDuringSchedulingIgnoredDuringExecution")) {
    for (const Json& w : *pref) {
      const Json* t = Obj(w, "preference");
      int64_t weight = base::GetInt(w, {"weight"}, 0);
      if (t != nullptr && weight != 0) {
        p.preferred_terms.emplace_back(static_cast<int32_t>(weight),
                                       ParseTerm(*t));
      }
    }
  }
}

std::vector<HostPort> ParseHostPorts(const Json& spec) {
  std::vector<HostPort> out;
  for (const char* list : {"initContainers", "containers"}) {
    const Json* cs = Arr(spec, list);
    if (cs == nullptr) continue;
    for (const Json& c : *cs) {
      const Json* ports = Arr(c, "ports");
      if (ports == nullptr) continue;
      for (const Json& p : *ports) {
        int64_t hp = base::GetInt(p, {"hostPort"}, 0);
        if (hp <= 0) continue;
        std::string ip = Str(p, "hostIP"), proto = Str(p, "protocol");
        out.push_back({ip.empty() ? "0.0.0.0" : ip,
                       proto.empty() ? "TCP" : proto,
                       static_cast<int32_t>(hp)});
      }
    }
  }
  return out;
}

// The label or field a requirement reads; nullopt when absent.
bool MatchRequirement(const NodeRequirement& r,
                      const std::optional<std::string>& value) {
  const auto& vs = r.values;
  if (r.op == "In") {
    return value && std::find(vs.begin(), vs.end(), *value) != vs.end();
  }
  if (r.op == "NotIn") {
    return !value || std::find(vs.begin(), vs.end(), *value) == vs.end();
  }
  if (r.op == "Exists") return value.has_value();
  if (r.op == "DoesNotExist") return !value.has_value();
  if (r.op == "Gt" || r.op == "Lt") {
    if (!value || vs.size() != 1) return false;
    try {
      size_t a = 0, b = 0;
      int64_t have = std::stoll(*value, &a), want = std::stoll(vs[0], &b);
      if (a != value->size() || b != vs[0].size()) return false;
      return r.op == "Gt" ? have > want : have < want;
    } catch (...) {
      return false;
    }
  }
  return false;
}

}  // namespace

void Resources::Add(const Resources& o) {
  milli_cpu += o.milli_cpu;
  memory += o.memory;
  ephemeral_storage += o.ephemeral_storage;
  for (const auto& [k, v] : o.scalar) scalar[k] += v;
}

void Resources::Sub(const Resources& o) {
  milli_cpu -= o.milli_cpu;
  memory -= o.memory;
  ephemeral_storage -= o.ephemeral_storage;
  for (const auto& [k, v] : o.scalar) scalar[k] -= v;
}

std::optional<int64_t> QuantityMilli(std::string_view s) {
  return ParseScaled(s, 3);
}
std::optional<int64_t> QuantityValue(std::string_view s) {
  return ParseScaled(s, 0);
}

std::vector<Taint> ParseTaints(const Json* taints) {
  std::vector<Taint> out;
  if (taints == nullptr || !taints->is_array()) return out;
  for (const Json& t : *taints) {
    out.push_back({Str(t, "key"), Str(t, "value"), Str(t, "effect"),
                   Str(t, "timeAdded")});
  }
  return out;
}

std::vector<Toleration> ParseTolerations(const Json* tolerations) {
  std::vector<Toleration> out;
  if (tolerations == nullptr || !tolerations->is_array()) return out;
  for (const Json& t : *tolerations) {
    Toleration tol{Str(t, "key"), Str(t, "operator"), Str(t, "value"),
                   Str(t, "effect"), std::nullopt};
    auto it = t.find("tolerationSeconds");
    if (it != t.end() && it->is_number_integer())
      tol.seconds = it->get<int64_t>();
    out.push_back(std::move(tol));
  }
  return out;
}

PodInfo ParsePod(const Json& pod) {
  PodInfo p;
  const Json empty = Json::object();
  const Json* meta = Obj(pod, "metadata");
  const Json* spec = Obj(pod, "spec");
  if (meta == nullptr) meta = &empty;
  if (spec == nullptr) spec = &empty;
  p.ns = Str(*meta, "namespace");
  p.name = Str(*meta, "name");
  p.key = p.ns.empty() ? p.name : p.ns + "/" + p.name;
  p.uid = Str(*meta, "uid");
  p.terminating = meta->contains("deletionTimestamp") &&
                  !(*meta)["deletionTimestamp"].is_null();
  if (const Json* owners = Arr(*meta, "ownerReferences")) {
    for (const Json& o : *owners) {
      auto c = o.find("controller");
      if (c != o.end() && c->is_boolean() && c->get<bool>()) {
        p.owner_uid = Str(o, "uid");
      }
    }
  }
  p.priority = static_cast<int32_t>(base::GetInt(*spec, {"priority"}, 0));
  p.preempt_never = Str(*spec, "preemptionPolicy") == "Never";
  p.requests = PodRequests(*spec, false);
  Resources nz = PodRequests(*spec, true);
  p.nonzero.milli_cpu = nz.milli_cpu;
  p.nonzero.memory = nz.memory;
  p.tolerations = ParseTolerations(Arr(*spec, "tolerations"));
  p.node_selector = StringMap(Obj(*spec, "nodeSelector"));
  ParseAffinity(*spec, p);
  p.host_ports = ParseHostPorts(*spec);
  p.node_name = Str(*spec, "nodeName");
  std::string phase = base::GetString(pod, {"status", "phase"});
  p.terminal = phase == "Succeeded" || phase == "Failed";
  return p;
}

NodeStatic ParseNode(const Json& node) {
  NodeStatic n;
  n.name = base::GetString(node, {"metadata", "name"});
  if (const Json* meta = Obj(node, "metadata")) {
    n.labels = StringMap(Obj(*meta, "labels"));
  }
  n.has_hostname_label = n.labels.count("kubernetes.io/hostname") > 0;
  auto zone = n.labels.find("topology.kubernetes.io/zone");
  if (zone != n.labels.end()) n.zone = zone->second;
  if (const Json* spec = Obj(node, "spec")) {
    n.taints = ParseTaints(Arr(*spec, "taints"));
    auto u = spec->find("unschedulable");
    n.unschedulable = u != spec->end() && u->is_boolean() && u->get<bool>();
  }
  const Json* alloc = base::Find(node, {"status", "allocatable"});
  if (alloc != nullptr && alloc->is_object()) {
    Json c = {{"resources", {{"requests", *alloc}}}};
    n.allocatable = ContainerRequests(c, false);
    auto pods = alloc->find("pods");
    if (pods != alloc->end()) {
      std::string q =
          pods->is_string() ? pods->get<std::string>() : pods->dump();
      n.allowed_pods = QuantityValue(q).value_or(0);
    }
  }
  return n;
}

bool ToleratesTaint(const Toleration& t, const Taint& taint) {
  if (!t.effect.empty() && t.effect != taint.effect) return false;
  if (!t.key.empty() && t.key != taint.key) return false;
  if (t.op == "Exists") return true;
  if (t.op.empty() || t.op == "Equal") return t.value == taint.value;
  return false;
}

const Taint* FindUntoleratedTaint(const std::vector<Taint>& taints,
                                  const std::vector<Toleration>& tolerations,
                                  bool (*effect_filter)(const std::string&)) {
  for (const Taint& taint : taints) {
    if (!effect_filter(taint.effect)) continue;
    bool ok = std::any_of(
        tolerations.begin(), tolerations.end(),
        [&](const Toleration& t) { return ToleratesTaint(t, taint); });
    if (!ok) return &taint;
  }
  return nullptr;
}

bool MatchesNodeSelectorTerm(const NodeSelectorTerm& term,
                             const NodeStatic& node) {
  // An empty term matches nothing (nodeaffinity.nodeSelectorTerm).
  if (term.match_expressions.empty() && term.match_fields.empty()) return false;
  for (const NodeRequirement& r : term.match_expressions) {
    auto it = node.labels.find(r.key);
    std::optional<std::string> v;
    if (it != node.labels.end()) v = it->second;
    if (!MatchRequirement(r, v)) return false;
  }
  for (const NodeRequirement& r : term.match_fields) {
    if (r.key != "metadata.name") return false;
    if (!MatchRequirement(r, node.name)) return false;
  }
  return true;
}

bool MatchesRequiredAffinity(const PodInfo& pod, const NodeStatic& node) {
  for (const auto& [k, v] : pod.node_selector) {
    auto it = node.labels.find(k);
    if (it == node.labels.end() || it->second != v) return false;
  }
  if (!pod.has_required_affinity) return true;
  for (const NodeSelectorTerm& t : pod.required_terms) {
    if (MatchesNodeSelectorTerm(t, node)) return true;
  }
  return false;
}

}  // namespace ksim::controllers::sched
