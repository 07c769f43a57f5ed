// The protobuf message table. Numbers come from k8s.io/api (core/v1,
// apps/v1) and k8s.io/apimachinery (meta/v1, intstr, resource)
// generated.proto; keep_zero from the Go field being a pointer or having no
// omitempty in its json tag (types.go). Fields left out here (volumes, probes,
// securityContext, affinity, ...) are never set by kubectl's generators: the
// decoder accepts them only when they hold zero values.
#include "apiserver/protobuf_messages.h"

#include <map>
#include <string>

#include "apiserver/protobuf_table.h"

namespace ksim::apiserver::proto {
namespace table {
namespace {

std::vector<Message> MetaMessages() {
  return {
      {"ObjectMeta",
       {Str(1, "name"), Str(2, "generateName"), Str(3, "namespace"),
        Str(4, "selfLink"), Str(5, "uid"), Str(6, "resourceVersion"),
        Int(7, "generation"), Time(8, "creationTimestamp"),
        Time(9, "deletionTimestamp"), IntZ(10, "deletionGracePeriodSeconds"),
        MapS(11, "labels"), MapS(12, "annotations"),
        Msgs(13, "ownerReferences", "OwnerReference"), Strs(14, "finalizers"),
        Msgs(17, "managedFields", "ManagedFieldsEntry")}},
      {"OwnerReference",
       {StrZ(5, "apiVersion"), StrZ(1, "kind"), StrZ(3, "name"), StrZ(4, "uid"),
        BoolZ(6, "controller"), BoolZ(7, "blockOwnerDeletion")}},
      {"ManagedFieldsEntry",
       {Str(1, "manager"),
        Str(2, "operation"),
        Str(3, "apiVersion"),
        Time(4, "time"),
        Str(6, "fieldsType"),
        {7, "fieldsV1", Kind::kFieldsV1},
        Str(8, "subresource")}},
      {"LabelSelector",
       {MapS(1, "matchLabels"),
        Msgs(2, "matchExpressions", "LabelSelectorRequirement")}},
      {"LabelSelectorRequirement",
       {StrZ(1, "key"), StrZ(2, "operator"), Strs(3, "values")}},
      {"Condition",
       {StrZ(1, "type"), StrZ(2, "status"), Int(3, "observedGeneration"),
        Time(4, "lastTransitionTime"), StrZ(5, "reason"), StrZ(6, "message")}},
  };
}

std::vector<Message> CoreObjectMessages() {
  return {
      {"Namespace",
       {Msg(1, "metadata", "ObjectMeta"), Msg(2, "spec", "NamespaceSpec"),
        Msg(3, "status", "NamespaceStatus")}},
      {"NamespaceSpec", {Strs(1, "finalizers")}},
      {"NamespaceStatus",
       {Str(1, "phase"), Msgs(2, "conditions", "NamespaceCondition")}},
      {"NamespaceCondition",
       {StrZ(1, "type"), StrZ(2, "status"), Time(4, "lastTransitionTime"),
        Str(5, "reason"), Str(6, "message")}},
      {"ConfigMap",
       {Msg(1, "metadata", "ObjectMeta"), BoolZ(4, "immutable"),
        MapS(2, "data"), MapB(3, "binaryData")}},
      {"Secret",
       {Msg(1, "metadata", "ObjectMeta"), BoolZ(5, "immutable"),
        MapB(2, "data"), MapS(4, "stringData"), Str(3, "type")}},
      {"ServiceAccount",
       {Msg(1, "metadata", "ObjectMeta"), Msgs(2, "secrets", "ObjectReference"),
        Msgs(3, "imagePullSecrets", "LocalObjectReference"),
        BoolZ(4, "automountServiceAccountToken")}},
      {"ObjectReference",
       {Str(1, "kind"), Str(2, "namespace"), Str(3, "name"), Str(4, "uid"),
        Str(5, "apiVersion"), Str(6, "resourceVersion"), Str(7, "fieldPath")}},
      {"LocalObjectReference", {Str(1, "name")}},
      {"Service",
       {Msg(1, "metadata", "ObjectMeta"), Msg(2, "spec", "ServiceSpec"),
        Msg(3, "status", "ServiceStatus")}},
      {"ServiceSpec",
       {Msgs(1, "ports", "ServicePort"),
        MapS(2, "selector"),
        Str(3, "clusterIP"),
        Strs(18, "clusterIPs"),
        Str(4, "type"),
        Strs(5, "externalIPs"),
        Str(7, "sessionAffinity"),
        Str(8, "loadBalancerIP"),
        Strs(9, "loadBalancerSourceRanges"),
        Str(10, "externalName"),
        Str(11, "externalTrafficPolicy"),
        Int(12, "healthCheckNodePort"),
        Bool(13, "publishNotReadyAddresses"),
        Msg(14, "sessionAffinityConfig", "SessionAffinityConfig"),
        Strs(19, "ipFamilies"),
        StrZ(17, "ipFamilyPolicy"),
        BoolZ(20, "allocateLoadBalancerNodePorts"),
        StrZ(21, "loadBalancerClass"),
        StrZ(22, "internalTrafficPolicy"),
        StrZ(23, "trafficDistribution")}},
      {"ServicePort",
       {Str(1, "name"), Str(2, "protocol"), StrZ(6, "appProtocol"),
        IntZ(3, "port"), IntStr(4, "targetPort"), Int(5, "nodePort")}},
      {"SessionAffinityConfig", {Msg(1, "clientIP", "ClientIPConfig")}},
      {"ClientIPConfig", {IntZ(1, "timeoutSeconds")}},
      {"ServiceStatus",
       {Msg(1, "loadBalancer", "LoadBalancerStatus"),
        Msgs(2, "conditions", "Condition")}},
      {"LoadBalancerStatus", {Msgs(1, "ingress", "LoadBalancerIngress")}},
      {"LoadBalancerIngress",
       {Str(1, "ip"), Str(2, "hostname"), StrZ(3, "ipMode"),
        Msgs(4, "ports", "PortStatus")}},
      {"PortStatus", {IntZ(1, "port"), StrZ(2, "protocol"), StrZ(3, "error")}},
  };
}

std::vector<Message> AppsMessages() {
  return {
      {"Deployment",
       {Msg(1, "metadata", "ObjectMeta"), Msg(2, "spec", "DeploymentSpec"),
        Msg(3, "status", "DeploymentStatus")}},
      {"DeploymentSpec",
       {IntZ(1, "replicas"), Msg(2, "selector", "LabelSelector"),
        Msg(3, "template", "PodTemplateSpec"),
        Msg(4, "strategy", "DeploymentStrategy"), Int(5, "minReadySeconds"),
        IntZ(6, "revisionHistoryLimit"), Bool(7, "paused"),
        IntZ(9, "progressDeadlineSeconds")}},
      {"DeploymentStrategy",
       {Str(1, "type"), Msg(2, "rollingUpdate", "RollingUpdateDeployment")}},
      {"RollingUpdateDeployment",
       {IntStr(1, "maxUnavailable"), IntStr(2, "maxSurge")}},
      {"DeploymentStatus",
       {Int(1, "observedGeneration"), Int(2, "replicas"),
        Int(3, "updatedReplicas"), Int(7, "readyReplicas"),
        Int(4, "availableReplicas"), Int(5, "unavailableReplicas"),
        IntZ(9, "terminatingReplicas"),
        Msgs(6, "conditions", "DeploymentCondition"),
        IntZ(8, "collisionCount")}},
      {"DeploymentCondition",
       {StrZ(1, "type"), StrZ(2, "status"), Time(6, "lastUpdateTime"),
        Time(7, "lastTransitionTime"), Str(4, "reason"), Str(5, "message")}},
  };
}

}  // namespace
}  // namespace table

namespace {

// Name -> message, built once (thread-safe static initialisation).
const std::map<std::string, Message, std::less<>>& Table() {
  static const auto* table = [] {
    auto* t = new std::map<std::string, Message, std::less<>>;
    for (auto group : {table::MetaMessages(), table::CoreObjectMessages(),
                       table::PodMessages(), table::SchedulingMessages(),
                       table::ContainerMessages(), table::VolumeMessages(),
                       table::AppsMessages()}) {
      for (Message& m : group) t->emplace(std::string(m.name), std::move(m));
    }
    return t;
  }();
  return *table;
}

// The top-level kinds kubectl sends as protobuf (its generators; Pod for
// kubectl debug).
struct Root {
  std::string_view api_version;
  std::string_view kind;
};
constexpr Root kRoots[] = {
    {"v1", "Namespace"},       {"v1", "ConfigMap"}, {"v1", "Secret"},
    {"v1", "ServiceAccount"},  {"v1", "Service"},   {"v1", "Pod"},
    {"apps/v1", "Deployment"},
};

}  // namespace

const Message* FindMessage(std::string_view name) {
  const auto& table = Table();
  auto it = table.find(name);
  return it == table.end() ? nullptr : &it->second;
}

const Message* RootMessage(std::string_view api_version,
                           std::string_view kind) {
  for (const Root& r : kRoots) {
    if (r.api_version == api_version && r.kind == kind) {
      return FindMessage(kind);
    }
  }
  return nullptr;
}

const Field* FindField(const Message& message, int number) {
  for (const Field& f : message.fields) {
    if (f.number == number) return &f;
  }
  return nullptr;
}

}  // namespace ksim::apiserver::proto
