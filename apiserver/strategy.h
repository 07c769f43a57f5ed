// Strategy: the per-kind rules of the registry, after kube-apiserver's
// rest.RESTCreateStrategy / RESTUpdateStrategy: defaulting, preparation of
// create and update (status reset, generation), and validation.
//
// The generic REST code (rest.h) calls, for a create:
//   Default(obj); PrepareForCreate(obj); errs = ValidateCreate(obj)
// and for an update of the main resource (PUT or PATCH):
//   Default(obj); PrepareForUpdate(obj, old); errs = ValidateUpdate(obj, old)
// and for the status subresource:
//   PrepareForStatusUpdate(obj, old); errs = ValidateStatusUpdate(obj, old)
// (PrepareForStatusUpdate applies Default itself: kube's decoder defaults
// every body. Default is idempotent, so calling it first is harmless.)
// The generic code sets server-owned metadata (uid, resourceVersion,
// creationTimestamp, namespace from the URL; on update it carries over uid,
// creationTimestamp, generation and, for an unconditional update, the stored
// resourceVersion, as rest.BeforeUpdate and the generic store do). The
// strategies own metadata.generation: only kinds that track it in 1.32
// (Deployment, ReplicaSet) get one, set to 1 on create and bumped on update.
// Each strategy's Validate* calls ValidateObjectMeta /
// ValidateObjectMetaUpdate (validation.h) with its kind's name rule (DNS-1123
// subdomain for most kinds, DNS-1123 label for namespaces, DNS-1035 label for
// services), as kube-apiserver's per-kind validation does.
//
// Strategies are stateless and thread-safe.
#ifndef KSIM_APISERVER_STRATEGY_H_
#define KSIM_APISERVER_STRATEGY_H_

#include <map>
#include <string>

#include "apiserver/field_errors.h"
#include "apiserver/resources.h"
#include "base/json.h"

namespace ksim::apiserver {

using base::Json;

class Strategy {
 public:
  virtual ~Strategy() = default;

  // SetDefaults_* for the kind, applied on every write of the main resource
  // (as the decoder applies defaults). Must be idempotent.
  virtual void Default(Json& obj) const {}

  // E.g. pods: clear status and set phase Pending, QoS class (and what
  // kubeadm's default admission plugins add: service account, priority,
  // not-ready/unreachable tolerations); deployments: clear status,
  // generation = 1.
  virtual void PrepareForCreate(Json& obj) const {}

  // E.g. keep old status (status has its own subresource), bump
  // metadata.generation when spec changed.
  virtual void PrepareForUpdate(Json& obj, const Json& old) const {}

  // Status subresource: the spec comes from old (and what else the kind's
  // status strategy protects, e.g. labels of Deployments); status and the
  // mutable metadata come from obj; then Default(obj).
  virtual void PrepareForStatusUpdate(Json& obj, const Json& old) const;

  virtual FieldErrors ValidateCreate(const Json& obj) const { return {}; }
  // Includes immutability checks (e.g. Deployment spec.selector).
  virtual FieldErrors ValidateUpdate(const Json& obj, const Json& old) const {
    return ValidateCreate(obj);
  }
  virtual FieldErrors ValidateStatusUpdate(const Json& obj,
                                           const Json& old) const {
    return {};
  }

  // Field-selector attributes beyond metadata.name and metadata.namespace,
  // e.g. pods: status.phase, spec.nodeName; events: involvedObject.*;
  // secrets: type. (kube-apiserver's GetAttrs / field label conversion.)
  virtual void AddSelectableFields(
      const Json& obj, std::map<std::string, std::string>& fields) const {}
  // Whether `field` may be used in a field selector for this kind
  // (metadata.name and metadata.namespace always may).
  virtual bool IsSelectableField(const std::string& field) const {
    return false;
  }
};

// The strategy of a served resource (a no-op default for kinds without rules,
// which still validates metadata).
const Strategy& StrategyFor(const ResourceInfo& resource);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_STRATEGY_H_
