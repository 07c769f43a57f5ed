// Server-side apply, after kube's FieldManager pipeline (versioncheck,
// lastappliedupdater, lastappliedmanager, skipnonapplied, stripmeta) around
// structured-merge-diff's Updater.Apply (merge, prune, conflicts).
#include "apiserver/apply.h"

#include <vector>

#include "apiserver/go_format.h"
#include "apiserver/managed_fields.h"

namespace ksim::apiserver {
namespace {

using base::Status;
using smd::FieldManager;
using smd::ManagedEntry;
using smd::ManagedFields;

constexpr char kLastApplied[] =
    "kubectl.kubernetes.io/last-applied-configuration";

std::string GvkString(const Json& obj) {
  std::string api_version = obj.value("apiVersion", "");
  size_t slash = api_version.find('/');
  std::string group =
      slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  return group + "/" + version + ", Kind=" + obj.value("kind", "");
}

// The kind served at `api_version`, from the schema's GVK extension.
std::string ExpectedKind(const Json& schema, const std::string& api_version,
                         const Json* live) {
  size_t slash = api_version.find('/');
  std::string group =
      slash == std::string::npos ? "" : api_version.substr(0, slash);
  std::string version =
      slash == std::string::npos ? api_version : api_version.substr(slash + 1);
  if (auto gvks = schema.find("x-kubernetes-group-version-kind");
      gvks != schema.end() && gvks->is_array()) {
    for (const Json& gvk : *gvks) {
      if (gvk.value("group", "") == group &&
          gvk.value("version", "") == version) {
        return gvk.value("kind", "");
      }
    }
  }
  return live != nullptr ? live->value("kind", "") : "";
}

void StripNulls(Json& v) {
  if (v.is_object()) {
    for (auto it = v.begin(); it != v.end();) {
      if (it->is_null()) {
        it = v.erase(it);
      } else {
        StripNulls(*it);
        ++it;
      }
    }
  } else if (v.is_array()) {
    for (Json& item : v) StripNulls(item);
  }
}

Json WithoutManagedFields(Json obj) {
  if (obj.contains("metadata") && obj["metadata"].is_object()) {
    obj["metadata"].erase("managedFields");
  }
  return obj;
}

// NewConflictError: one cause per field, the message grouped by manager.
Status ConflictError(const ManagedFields& conflicts) {
  base::Details details;
  std::vector<std::pair<const ManagedEntry*, std::string>> all;
  for (const auto& [id, e] : conflicts) {  // sorted by manager identifier
    e.set.Iterate([&](const FieldPath& p) {
      all.push_back({&e, PathString(p)});
      details.causes.push_back({"FieldManagerConflict",
                                "conflict with " + smd::PrintManager(e),
                                PathString(p)});
    });
  }
  std::string message;
  if (all.size() == 1) {
    message = "Apply failed with 1 conflict: conflict with " +
              smd::PrintManager(*all[0].first) + ": " + all[0].second;
  } else {
    message =
        "Apply failed with " + std::to_string(all.size()) + " conflicts: ";
    const ManagedEntry* current = nullptr;
    for (size_t i = 0; i < all.size(); ++i) {
      if (all[i].first != current) {
        current = all[i].first;
        message += (i ? "\n" : "") + std::string("conflicts with ") +
                   smd::PrintManager(*current) + ":";
      }
      message += "\n- " + all[i].second;
    }
  }
  return Status(base::Code::kConflict, message, std::move(details));
}

struct Applied {
  Json object;
  ManagedFields managed;
  ManagedFields conflicts;  // non-empty: refused
};

// structured-merge-diff's Updater.prune: drop what the applier owned last
// time and no longer applies, unless somebody else owns it.
Json Prune(const FieldManager& fm, const Json& merged,
           const ManagedFields& managed, const FieldSet& last) {
  if (last.Empty()) return merged;
  const smd::Typer& t = fm.typer();
  const FieldSchema& root = fm.root();
  auto enf = [&](const FieldSet& s) {
    return t.EnsureNamedFieldsAreMembers(root, s);
  };
  auto remove = [&](const FieldSet& s) {
    return t.RemoveItems(root, merged, s).value_or(Json::object());
  };
  FieldSet last_enf = enf(last);
  Json pruned = remove(last_enf);
  FieldSet owned;
  for (const auto& [id, e] : managed) owned = owned.Union(e.set);
  FieldSet merged_set = enf(t.ToFieldSet(root, merged));
  // addBackOwnedItems, then addBackDanglingItems.
  pruned = remove(
      merged_set.Difference(enf(t.ToFieldSet(root, pruned)).Union(enf(owned))));
  return remove(merged_set.Difference(enf(t.ToFieldSet(root, pruned)))
                    .Intersection(last_enf));
}

Applied ApplyOnce(const FieldManager& fm, const Json& live,
                  ManagedFields managed, const Json& config, bool force) {
  const ManagerInfo& who = fm.who();
  if (managed.empty()) {
    // Fields of an object nobody tracked go to "before-first-apply".
    fm.RecordUpdate(fm.ZeroObject(), live, managed, "before-first-apply");
  }
  Json merged = fm.typer().Merge(fm.root(), live, config);
  std::string id =
      smd::ManagerIdentifier(who.manager, "Apply", "", who.subresource);
  FieldSet last;
  std::optional<base::Time> time;
  if (auto it = managed.find(id); it != managed.end()) {
    last = it->second.set;
    time = it->second.time;
  }
  managed[id] =
      ManagedEntry{who.manager,
                   "Apply",
                   who.api_version,
                   who.subresource,
                   fm.Filter(fm.typer().ToFieldSet(fm.root(), config)),
                   time};
  merged = Prune(fm, merged, managed, last);
  StripNulls(merged);
  smd::Comparison cmp = fm.Compare(live, merged);
  ManagedFields conflicts = fm.TakeChanged(cmp, managed, id, force);
  if (!conflicts.empty()) return {Json(), {}, std::move(conflicts)};
  if (auto it = managed.find(id); it != managed.end()) {
    it->second.set = FieldManager::StripMeta(it->second.set);
    if (it->second.set.Empty()) {
      managed.erase(it);
    } else if (merged != live) {
      it->second.time = who.time;
    }
  }
  return {merged != live ? merged : live, std::move(managed), {}};
}

// lastAppliedManager: for kubectl's own server-side apply, conflicts with
// what the last client-side apply set (and the object still holds) are not
// conflicts: that is how an object moves from client- to server-side apply.
FieldSet AllowedByLastApplied(const FieldManager& fm, const Json& live) {
  const Json* annotation =
      base::Find(live, {"metadata", "annotations", kLastApplied});
  if (annotation == nullptr || !annotation->is_string()) return {};
  Json last = Json::parse(annotation->get<std::string>(), nullptr, false);
  if (last.is_discarded() || !last.is_object() ||
      last.value("apiVersion", "") != fm.who().api_version ||
      !fm.typer().Validate(fm.root(), last).empty()) {
    return {};
  }
  FieldSet set = fm.typer().ToFieldSet(fm.root(), last);
  smd::Comparison cmp = fm.typer().Compare(fm.root(), &last, &live);
  return set.Difference(cmp.modified)
      .Difference(cmp.added)
      .Difference(cmp.removed);
}

ManagedFields WithoutAllowed(const ManagedFields& conflicts,
                             const FieldSet& allowed) {
  ManagedFields out;
  for (const auto& [id, e] : conflicts) {
    FieldSet left = e.set.Difference(allowed);
    if (left.Empty()) continue;
    out[id] = e;
    out[id].set = std::move(left);
  }
  return out;
}

// lastAppliedUpdater: keep the client-side apply annotation in step.
void UpdateLastApplied(Json& result, const Json& config) {
  Json* annotations = result.contains("metadata") &&
                              result["metadata"].is_object() &&
                              result["metadata"].contains("annotations")
                          ? &result["metadata"]["annotations"]
                          : nullptr;
  if (annotations == nullptr || !annotations->is_object()) return;
  auto it = annotations->find(kLastApplied);
  if (it == annotations->end() || !it->is_string() || it->empty()) return;
  Json copy = config;
  if (Json* a = copy.contains("metadata") && copy["metadata"].is_object() &&
                        copy["metadata"].contains("annotations")
                    ? &copy["metadata"]["annotations"]
                    : nullptr;
      a != nullptr && a->is_object()) {
    a->erase(kLastApplied);
  }
  *it = GoJsonMarshal(copy) + "\n";
}

Status CheckRequest(const Json& schema, const Json* live, const Json& applied,
                    const ManagerInfo& who) {
  if (who.manager.empty()) {
    base::Details d;
    d.group = "meta.k8s.io";
    d.kind = "PatchOptions";
    d.causes.push_back({"FieldValueRequired",
                        "Required value: is required for apply patch",
                        "fieldManager"});
    return Status(base::Code::kInvalid,
                  "PatchOptions.meta.k8s.io \"\" is invalid: fieldManager: "
                  "Required value: is required for apply patch",
                  std::move(d));
  }
  if (!applied.is_object()) {
    return base::BadRequest("error decoding YAML: json: cannot unmarshal " +
                            GoJsonKind(applied) +
                            " into Go value of type map[string]interface {}");
  }
  std::string kind = ExpectedKind(schema, who.api_version, live);
  if (applied.value("apiVersion", "") != who.api_version ||
      applied.value("kind", "") != kind) {
    return base::BadRequest("invalid object type: " + GvkString(applied));
  }
  const Json* mf = base::Find(applied, {"metadata", "managedFields"});
  if (mf != nullptr && !mf->is_null()) {
    return base::BadRequest("metadata.managedFields must be nil");
  }
  std::string name = base::GetString(applied, {"metadata", "name"});
  std::string live_name =
      live != nullptr ? base::GetString(*live, {"metadata", "name"}) : "";
  if (live != nullptr && !name.empty() && name != live_name) {
    return base::BadRequest("the name of the object (" + name +
                            ") does not match the name on the URL (" +
                            live_name + ")");
  }
  return Status::Ok();
}

}  // namespace

base::StatusOr<Json> ServerSideApply(const SchemaRegistry& registry,
                                     const Json& schema, const Json* live,
                                     const Json& applied,
                                     const ManagerInfo& who, bool force) {
  FieldManager fm(registry, schema, who);
  ManagedFields managed;
  if (live != nullptr) {
    const Json* mf = base::Find(*live, {"metadata", "managedFields"});
    auto decoded = smd::DecodeManagedFields(mf != nullptr ? *mf : Json());
    if (!decoded.ok()) {
      return base::Internal("failed to decode managed fields: " +
                            decoded.status().message());
    }
    managed = std::move(decoded).value();
  }
  KSIM_RETURN_IF_ERROR(CheckRequest(schema, live, applied, who));
  if (std::string errors = fm.typer().Validate(fm.root(), applied);
      !errors.empty()) {
    return base::Internal("failed to create typed patch object (" +
                          base::GetString(applied, {"metadata", "namespace"}) +
                          "/" + base::GetString(applied, {"metadata", "name"}) +
                          "; " + GvkString(applied) + "): " + errors);
  }
  Json current = live != nullptr ? WithoutManagedFields(*live) : Json::object();
  Applied result = ApplyOnce(fm, current, managed, applied, force);
  if (!result.conflicts.empty() && who.manager == "kubectl" &&
      live != nullptr) {
    ManagedFields left =
        WithoutAllowed(result.conflicts, AllowedByLastApplied(fm, *live));
    if (left.empty()) {
      result = ApplyOnce(fm, current, managed, applied, /*force=*/true);
    } else {
      result.conflicts = std::move(left);
    }
  }
  if (!result.conflicts.empty()) return ConflictError(result.conflicts);
  Json out = std::move(result.object);
  if (who.manager == "kubectl") UpdateLastApplied(out, applied);
  Json encoded = smd::EncodeManagedFields(result.managed);
  if (!encoded.is_null()) out["metadata"]["managedFields"] = std::move(encoded);
  return out;
}

}  // namespace ksim::apiserver
