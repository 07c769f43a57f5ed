// Deployment helpers after pkg/controller/deployment/util/deployment_util.go
// (v1.32): rolling-update fenceposts, revision and replica annotations,
// finding the new and old ReplicaSets, conditions and progress checks.
// Objects are the API's JSON; "replicas" of a ReplicaSet is spec.replicas.
//
// Thread-safety: pure functions; safe anywhere.
#ifndef KSIM_CONTROLLERS_DEPLOYMENT_UTIL_H_
#define KSIM_CONTROLLERS_DEPLOYMENT_UTIL_H_

#include <optional>
#include <string>
#include <vector>

#include "base/clock.h"
#include "base/json.h"

namespace ksim::controllers {

using base::Json;

inline constexpr char kRevisionAnnotation[] =
    "deployment.kubernetes.io/revision";
inline constexpr char kRevisionHistoryAnnotation[] =
    "deployment.kubernetes.io/revision-history";
inline constexpr char kDesiredReplicasAnnotation[] =
    "deployment.kubernetes.io/desired-replicas";
inline constexpr char kMaxReplicasAnnotation[] =
    "deployment.kubernetes.io/max-replicas";
inline constexpr char kPodTemplateHashLabel[] = "pod-template-hash";

// Condition reasons (deployment_util.go).
inline constexpr char kReplicaSetUpdatedReason[] = "ReplicaSetUpdated";
inline constexpr char kFailedRSCreateReason[] = "ReplicaSetCreateError";
inline constexpr char kNewReplicaSetReason[] = "NewReplicaSetCreated";
inline constexpr char kFoundNewRSReason[] = "FoundNewReplicaSet";
inline constexpr char kNewRSAvailableReason[] = "NewReplicaSetAvailable";
inline constexpr char kTimedOutReason[] = "ProgressDeadlineExceeded";
inline constexpr char kPausedDeployReason[] = "DeploymentPaused";
inline constexpr char kResumedDeployReason[] = "DeploymentResumed";
inline constexpr char kMinimumReplicasAvailable[] = "MinimumReplicasAvailable";
inline constexpr char kMinimumReplicasUnavailable[] =
    "MinimumReplicasUnavailable";

// spec.replicas (status.replicas etc. for the Status variants); a missing
// field reads as the API default (1 for spec.replicas).
int32_t SpecReplicas(const Json& obj);
int32_t StatusCount(const Json& obj, const char* field);
bool IsRollingUpdate(const Json& d);
bool IsRecreate(const Json& d);

// intstr.GetScaledValueFromIntOrPercent: an int, or "25%" of total rounded
// up or down. Returns nullopt for an invalid value.
std::optional<int32_t> ScaledValue(const Json& int_or_percent, int32_t total,
                                   bool round_up);
// ResolveFenceposts, MaxSurge, MaxUnavailable (0 unless RollingUpdate).
std::pair<int32_t, int32_t> ResolveFenceposts(const Json& d);
int32_t MaxSurge(const Json& d);
int32_t MaxUnavailable(const Json& d);

// Sums over ReplicaSets (GetReplicaCountForReplicaSets and friends).
int32_t SumSpecReplicas(const std::vector<const Json*>& rss);
int32_t SumStatus(const std::vector<const Json*>& rss, const char* field);

// NewRSNewReplicas: how big the new ReplicaSet may be now.
int32_t NewRSNewReplicas(const Json& d, const std::vector<const Json*>& all,
                         const Json& new_rs);

// Revision annotations.
int64_t RevisionOf(const Json& obj);  // 0 when missing or invalid
int64_t MaxRevision(const std::vector<const Json*>& rss);
// SetNewReplicaSetAnnotations; returns whether `rs` changed.
bool SetNewReplicaSetAnnotations(const Json& d, Json& rs,
                                 const std::string& new_revision, bool exists);
bool SetReplicasAnnotations(Json& rs, int32_t desired, int32_t max);
bool ReplicasAnnotationsNeedUpdate(const Json& rs, int32_t desired,
                                   int32_t max);
std::optional<int32_t> DesiredReplicasAnnotation(const Json& rs);
// SetDeploymentRevision; returns whether it changed.
bool SetDeploymentRevision(Json& d, const std::string& revision);

// EqualIgnoreHash: templates semantically equal once pod-template-hash is
// dropped from both label sets (nil and empty collections compare equal).
bool EqualIgnoreHash(const Json& t1, const Json& t2);

// ReplicaSetsByCreationTimestamp (ties by name).
bool CreatedBefore(const Json& a, const Json& b);

// Conditions (status.conditions of a Deployment).
Json NewDeploymentCondition(const std::string& type, const std::string& status,
                            const std::string& reason,
                            const std::string& message, base::Time now);
const Json* GetDeploymentCondition(const Json& status, const std::string& type);
void SetDeploymentCondition(Json& status, Json condition);
void RemoveDeploymentCondition(Json& status, const std::string& type);

// Progress (status is the newly computed status).
bool HasProgressDeadline(const Json& d);
bool DeploymentComplete(const Json& d, const Json& status);
bool DeploymentProgressing(const Json& d, const Json& status);
bool DeploymentTimedOut(const Json& d, const Json& status, base::Time now);
// IsSaturated: the new RS has all desired replicas available.
bool IsSaturated(const Json& d, const Json* rs);

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_DEPLOYMENT_UTIL_H_
