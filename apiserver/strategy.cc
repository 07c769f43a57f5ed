#include "apiserver/strategy.h"

#include "apiserver/strategy_internal.h"

namespace ksim::apiserver {
namespace {

// Kinds without rules of their own: nothing to default or prepare.
class NoopStrategy : public Strategy {};

}  // namespace

void Strategy::PrepareForStatusUpdate(Json& obj, const Json& old) const {
  // Most status strategies do `new.Spec = old.Spec` and nothing more.
  if (old.is_object() && old.contains("spec")) {
    obj["spec"] = old["spec"];
  } else if (obj.is_object()) {
    obj.erase("spec");
  }
  // A status body is decoded, and so defaulted, like any other (e.g. a pod's
  // podIP seeds podIPs, a node's capacity is canonicalised).
  Default(obj);
}

std::string DerivedSuffix(std::string_view seed) {
  // FNV-1a, then base-27 digits of utilrand's alphabet.
  static constexpr char kAlphabet[] = "bcdfghjklmnpqrstvwxz2456789";
  uint64_t h = 14695981039346656037ull;
  for (unsigned char c : seed) {
    h ^= c;
    h *= 1099511628211ull;
  }
  std::string out;
  for (int i = 0; i < 5; ++i) {
    out += kAlphabet[h % 27];
    h /= 27;
  }
  return out;
}

const Strategy& StrategyFor(const ResourceInfo& resource) {
  static const NoopStrategy kNoop;
  const std::string& g = resource.group;
  const std::string& r = resource.resource;
  if (g.empty()) {
    if (r == "pods") return PodStrategyInstance();
    if (r == "services") return ServiceStrategyInstance();
    if (r == "namespaces") return NamespaceStrategyInstance();
    if (r == "nodes") return NodeStrategyInstance();
    if (r == "configmaps") return ConfigMapStrategyInstance();
    if (r == "secrets") return SecretStrategyInstance();
    if (r == "serviceaccounts") return ServiceAccountStrategyInstance();
    if (r == "endpoints") return EndpointsStrategyInstance();
    if (r == "events") return EventStrategyInstance();
  } else if (g == "apps") {
    if (r == "deployments") return DeploymentStrategyInstance();
    if (r == "replicasets") return ReplicaSetStrategyInstance();
  } else if (g == "discovery.k8s.io" && r == "endpointslices") {
    return EndpointSliceStrategyInstance();
  } else if (g == "coordination.k8s.io" && r == "leases") {
    return LeaseStrategyInstance();
  }
  return kNoop;
}

}  // namespace ksim::apiserver
