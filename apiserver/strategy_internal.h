// Internal to the strategy_*.cc files: resource quantities, the pod spec
// rules shared by Pods and pod templates (Deployments, ReplicaSets), and the
// per-kind strategy instances StrategyFor hands out.
//
// All functions are pure and thread-safe; the strategies are stateless.
#ifndef KSIM_APISERVER_STRATEGY_INTERNAL_H_
#define KSIM_APISERVER_STRATEGY_INTERNAL_H_

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "apiserver/field_errors.h"
#include "apiserver/strategy.h"
#include "base/json.h"

namespace ksim::apiserver {

// resource.Quantity: an exact decimal (mantissa * 10^scale) and the format
// its suffix chose, printed in kube's canonical form ("500m", "1Gi", "129e6").
class Quantity {
 public:
  enum class Format { kDecimalSI, kBinarySI, kDecimalExponent };

  // resource.ParseQuantity; nullopt for anything kube rejects.
  static std::optional<Quantity> Parse(std::string_view s);
  // A quantity as JSON carries it: a string or a number.
  static std::optional<Quantity> FromJson(const Json& v);

  // Quantity.String(): the canonical form.
  std::string String() const;
  // <0, 0, >0 as Quantity.Cmp.
  int Compare(const Quantity& other) const;
  Quantity Plus(const Quantity& other) const;
  bool IsNegative() const { return mantissa_ < 0; }
  bool IsZero() const { return mantissa_ == 0; }
  // RoundUp(scale): no more precision than 10^scale (away from zero).
  void RoundUp(int32_t scale);
  // Whether the value is a whole number (for count-like resources).
  bool IsInteger() const;

 private:
  __int128 mantissa_ = 0;
  int32_t scale_ = 0;
  Format format_ = Format::kDecimalSI;
};

// The message resource.ParseQuantity fails with.
inline constexpr char kQuantityFormatError[] =
    "quantities must match the regular expression "
    "'^([+-]?[0-9.]+)([eEinumkKMGTP]*[-+]?[0-9]*)$'";

// ---- Pod specs (strategy_podspec_*.cc) ----

// SetDefaults_PodSpec and the defaults of everything inside it (containers,
// ports, probes, volumes, resources rounded to milli and canonicalised).
void DefaultPodSpec(Json& spec);
// A pod template: its spec defaulted, and `metadata.creationTimestamp: null`
// where Go's encoder prints it.
void DefaultPodTemplate(Json& tmpl);

// ValidatePodSpec at `path` ("spec" or "spec.template.spec"). `is_pod` is
// true for a Pod itself (PodValidationOptions.ResourceIsPod).
FieldErrors ValidatePodSpec(const Json& spec, const std::string& path,
                            bool is_pod);
// ValidatePodTemplateSpec: labels, annotations and the spec of a template.
FieldErrors ValidatePodTemplateSpec(const Json& tmpl, const std::string& path);
// Containers of one list ("containers", "initContainers") at `path`.
FieldErrors ValidateContainers(const Json* containers, const Json& spec,
                               const std::string& path, bool init);
// env and envFrom of container `c`; `path` is the container's "env".
void ValidateContainerEnv(const Json& c, const std::string& path,
                          FieldErrors& errs);
// volumeMounts of container `c` against the volumes of `spec`.
void ValidateContainerMounts(const Json& c, const Json& spec,
                             const std::string& path, FieldErrors& errs);
// Tolerations at `path`.
FieldErrors ValidateTolerations(const Json* tolerations,
                                const std::string& path);

// SetDefaults_Pod, the pod spec defaults and the v1 conversions that keep
// serviceAccount/serviceAccountName, podIP/podIPs and hostIP/hostIPs in
// step (strategy_pod_admission.cc).
void DefaultPod(Json& pod);
// The mutations of kubeadm's default admission plugins on a new Pod:
// ServiceAccount (service account, token volume and mounts), Priority and
// DefaultTolerationSeconds. REQUIRES: DefaultPod(pod) ran.
void AdmitPod(Json& pod);

// qos.ComputePodQOS: "Guaranteed", "Burstable" or "BestEffort".
std::string ComputePodQOS(const Json& pod);

using base::SemanticEqual;

// A stable short hash of a string, for names kube would draw at random but
// a strategy (which has no Rng) must derive: 5 characters of the utilrand
// alphabet.
std::string DerivedSuffix(std::string_view seed);

// ---- Services (strategy_service*.cc) ----
// LoadBalancer, NodePort, or ClusterIP with externalIPs.
bool ServiceExternallyAccessible(const Json& spec);
// ValidateService (create and, after the update rules, update).
FieldErrors ValidateService(const Json& svc);
// ValidateServiceClusterIPsRelatedFields: clusterIP/clusterIPs in step,
// families and policy values, dual-stack shape.
void ValidateServiceClusterIPs(const Json& spec, FieldErrors& errs);
// The update-only rules: clusterIPs and ipFamilies may not change once set
// (except dual-stack upgrades/downgrades), health-check node port fixed.
FieldErrors ValidateServiceUpdateRules(const Json& svc, const Json& old);

// ---- The strategies (one per served kind; see strategy_<kind>.cc) ----
const Strategy& PodStrategyInstance();
const Strategy& ServiceStrategyInstance();
const Strategy& DeploymentStrategyInstance();
const Strategy& ReplicaSetStrategyInstance();
const Strategy& NamespaceStrategyInstance();
const Strategy& NodeStrategyInstance();
const Strategy& ConfigMapStrategyInstance();
const Strategy& SecretStrategyInstance();
const Strategy& ServiceAccountStrategyInstance();
const Strategy& EndpointsStrategyInstance();
const Strategy& EndpointSliceStrategyInstance();
const Strategy& EventStrategyInstance();
const Strategy& LeaseStrategyInstance();

// The volume source fields of a 1.32 Volume (exactly one may be set).
inline constexpr const char* kVolumeSources[] = {"hostPath",
                                                 "emptyDir",
                                                 "gcePersistentDisk",
                                                 "awsElasticBlockStore",
                                                 "gitRepo",
                                                 "secret",
                                                 "nfs",
                                                 "iscsi",
                                                 "glusterfs",
                                                 "persistentVolumeClaim",
                                                 "rbd",
                                                 "flexVolume",
                                                 "cinder",
                                                 "cephfs",
                                                 "flocker",
                                                 "downwardAPI",
                                                 "fc",
                                                 "azureFile",
                                                 "configMap",
                                                 "vsphereVolume",
                                                 "quobyte",
                                                 "azureDisk",
                                                 "photonPersistentDisk",
                                                 "projected",
                                                 "portworxVolume",
                                                 "scaleIO",
                                                 "storageos",
                                                 "csi",
                                                 "ephemeral",
                                                 "image"};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_STRATEGY_INTERNAL_H_
