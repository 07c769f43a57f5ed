// metadata.managedFields and the field-ownership bookkeeping shared by
// UpdateManagedFields and ServerSideApply (apply.h), after
// k8s.io/apimachinery/pkg/util/managedfields/internal and
// sigs.k8s.io/structured-merge-diff/merge. Not part of the apiserver
// contract; apply.h is.
#ifndef KSIM_APISERVER_MANAGED_FIELDS_H_
#define KSIM_APISERVER_MANAGED_FIELDS_H_

#include <map>
#include <optional>
#include <string>

#include "apiserver/apply.h"
#include "apiserver/field_set.h"
#include "apiserver/smd_typed.h"

namespace ksim::apiserver::smd {

struct ManagedEntry {
  std::string manager;
  std::string operation;  // "Apply" or "Update"
  std::string api_version;
  std::string subresource;
  FieldSet set;
  std::optional<base::Time> time;

  bool applied() const { return operation == "Apply"; }
};

// Entries keyed by their manager identifier (BuildManagerIdentifier: the
// JSON of manager, operation, apiVersion for updates, and subresource).
using ManagedFields = std::map<std::string, ManagedEntry>;

std::string ManagerIdentifier(const std::string& manager,
                              const std::string& operation,
                              const std::string& api_version,
                              const std::string& subresource);
inline std::string ManagerIdentifier(const ManagedEntry& e) {
  return ManagerIdentifier(e.manager, e.operation, e.api_version,
                           e.subresource);
}

// metadata.managedFields as sent or stored; errors as kube words them
// ("operation must be `Apply` or `Update`", ...).
base::StatusOr<ManagedFields> DecodeManagedFields(const Json& list);
// Sorted as kube sorts them (operation, time, manager, apiVersion,
// subresource); null when there are no entries.
Json EncodeManagedFields(const ManagedFields& managed);
// How a conflict names its manager: "\"mgr\" using apps/v1".
std::string PrintManager(const ManagedEntry& e);

// The per-request view: schema, the fields the resource's strategy resets
// (status on the main resource, spec on /status), and who is writing.
class FieldManager {
 public:
  FieldManager(const SchemaRegistry& registry, const Json& schema,
               const ManagerInfo& who);

  const Typer& typer() const { return typer_; }
  const FieldSchema& root() const { return root_; }
  const ManagerInfo& who() const { return who_; }

  // The object as its Go type's zero value converts to JSON (non-pointer
  // structs present, required lists and pointers null): the "live" object
  // of a create.
  Json ZeroObject() const;
  // Typer::Compare without the reset fields.
  Comparison Compare(const Json& live, const Json& obj) const;
  FieldSet Filter(const FieldSet& set) const;
  // Updater.update: managers other than `self` lose the fields changed
  // from live to obj (all of them when `force`); returns, when not forced,
  // the conflicting sets by manager identifier and changes nothing.
  ManagedFields TakeChanged(const Comparison& cmp, ManagedFields& managed,
                            const std::string& self, bool force) const;
  // An Update operation by `manager` (who().time): it owns what it changed.
  void RecordUpdate(const Json& live, const Json& obj, ManagedFields& managed,
                    const std::string& manager) const;
  // At most 10 update entries: the oldest merge into "ancient-changes".
  static void CapManagers(ManagedFields& managed);
  // Drops apiVersion, kind, metadata and its server-owned fields.
  static FieldSet StripMeta(const FieldSet& set);
  // The paths StripMeta drops.
  static const FieldSet& MetaFields();

 private:
  Json Zero(const FieldSchema& s, int depth) const;

  const SchemaRegistry& registry_;
  Typer typer_;
  FieldSchema root_;
  FieldSet reset_;
  ManagerInfo who_;
};

}  // namespace ksim::apiserver::smd

#endif  // KSIM_APISERVER_MANAGED_FIELDS_H_
