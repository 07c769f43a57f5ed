// Registry: deletion — preconditions, graceful deletion of pods, finalizers
// and propagation policies, namespaces' Terminating phase, deletecollection.
#include "apiserver/api_errors.h"
#include "apiserver/object_codec.h"
#include "apiserver/registry.h"
#include "apiserver/strategy.h"

namespace ksim::apiserver {
namespace {

bool HasFinalizer(const Json& meta, const std::string& f) {
  if (!meta.contains("finalizers") || !meta["finalizers"].is_array()) {
    return false;
  }
  for (const auto& x : meta["finalizers"]) {
    if (x == f) return true;
  }
  return false;
}

// Kinds whose DELETE answers with the object rather than a Status
// (genericregistry.Store.ReturnDeletedObject in kube-apiserver).
bool ReturnsDeletedObject(const ResourceInfo& r) {
  return r.resource == "pods" || r.resource == "services" ||
         r.resource == "namespaces" || r.resource == "nodes";
}

}  // namespace

StatusOr<WriteResult> Registry::Delete(const Target& t,
                                       const DeleteOptions& o) {
  const ResourceInfo& r = *t.resource;
  for (int attempt = 0; attempt < 32; ++attempt) {
    KSIM_ASSIGN_OR_RETURN(store::Object cur, GetStored(t));
    KSIM_ASSIGN_OR_RETURN(Json obj, DecodeObject(cur));
    Json& meta = obj["metadata"];
    if (o.precondition_uid && *o.precondition_uid != meta.value("uid", "")) {
      return NewConflict(r, t.name,
                         "Precondition failed: UID in precondition: " +
                             *o.precondition_uid + ", UID in object meta: " +
                             meta.value("uid", ""));
    }
    if (o.precondition_resource_version &&
        *o.precondition_resource_version !=
            std::to_string(cur.mod_revision)) {
      return NewConflict(r, t.name,
                         "Precondition failed: ResourceVersion in "
                         "precondition: " +
                             *o.precondition_resource_version +
                             ", ResourceVersion in object meta: " +
                             std::to_string(cur.mod_revision));
    }
    Json updated = obj;
    Json& um = updated["metadata"];
    bool pending = false;  // deletion waits for someone else
    if (r.resource == "namespaces") {
      // The namespace stays Terminating until its content is gone.
      if (!um.contains("deletionTimestamp")) {
        um["deletionTimestamp"] = base::FormatRfc3339(clock_->Now());
        um["deletionGracePeriodSeconds"] = 0;
      }
      updated["status"]["phase"] = "Terminating";
      pending = true;
    }
    if (r.resource == "pods" && !pending) {
      int64_t grace = o.grace_period_seconds.value_or(base::GetInt(
          obj, {"spec", "terminationGracePeriodSeconds"}, 30));
      std::string phase = base::GetString(obj, {"status", "phase"});
      // Unscheduled or finished pods go at once, as in kube-apiserver.
      if (base::GetString(obj, {"spec", "nodeName"}).empty() ||
          phase == "Succeeded" || phase == "Failed") {
        grace = 0;
      }
      if (grace > 0) {
        auto when = clock_->Now() + std::chrono::seconds(grace);
        int64_t prev = base::GetInt(um, {"deletionGracePeriodSeconds"}, -1);
        if (prev < 0 || grace < prev) {
          um["deletionTimestamp"] = base::FormatRfc3339(when);
          um["deletionGracePeriodSeconds"] = grace;
        }
        pending = true;
      }
    }
    if (o.propagation_policy == "Orphan" && !HasFinalizer(um, "orphan")) {
      um["finalizers"].push_back("orphan");
    } else if (o.propagation_policy == "Foreground" &&
               !HasFinalizer(um, "foregroundDeletion")) {
      um["finalizers"].push_back("foregroundDeletion");
    }
    if (um.contains("finalizers") && !um["finalizers"].empty()) {
      if (!um.contains("deletionTimestamp")) {
        um["deletionTimestamp"] = base::FormatRfc3339(clock_->Now());
        um["deletionGracePeriodSeconds"] = 0;
      }
      pending = true;
    }
    if (!pending) return FinishDelete(t, cur, obj, o);
    WriteResult result;
    if (o.dry_run || updated == obj) {
      result.body = WithResourceVersion(*cur.value, cur.mod_revision);
      if (o.dry_run) result.body = updated.dump();
      return result;
    }
    auto stored = store_->Update(ObjectKey(r, t.ns, t.name),
                                 EncodeForStorage(updated),
                                 AttributesOf(r, updated), cur.mod_revision);
    if (!stored.ok()) {
      if (stored.status().code() == base::Code::kConflict) continue;
      if (stored.status().code() == base::Code::kNotFound) {
        return NewNotFound(r, t.name);
      }
      return stored.status();
    }
    if (r.resource == "namespaces" && hooks_.namespace_terminating) {
      hooks_.namespace_terminating(t.name);
    }
    if ((HasFinalizer(um, "orphan") || HasFinalizer(um, "foregroundDeletion")) &&
        hooks_.finalizing) {
      hooks_.finalizing(r, t.ns, t.name);
    }
    result.body = WithResourceVersion(*stored->value, stored->mod_revision);
    return result;
  }
  return NewStaleConflict(r, t.name);
}

StatusOr<WriteResult> Registry::FinishDelete(const Target& t,
                                             const store::Object& cur,
                                             const Json& obj,
                                             const DeleteOptions& o) {
  const ResourceInfo& r = *t.resource;
  WriteResult result;
  std::string uid = base::GetString(obj, {"metadata", "uid"});
  if (!o.dry_run) {
    auto deleted =
        store_->Delete(ObjectKey(r, t.ns, t.name), cur.mod_revision);
    if (!deleted.ok()) {
      if (deleted.status().code() == base::Code::kNotFound) {
        return NewNotFound(r, t.name);
      }
      if (deleted.status().code() == base::Code::kConflict) {
        return NewStaleConflict(r, t.name);
      }
      return deleted.status();
    }
    if (r.resource == "services") service_ips_.Release(obj);
    if (hooks_.deleted) hooks_.deleted(r, t.ns, uid);
    AfterDelete(t);
  }
  if (ReturnsDeletedObject(r)) {
    result.body = WithResourceVersion(*cur.value, cur.mod_revision);
  } else {
    result.body = SuccessStatus(r, t.name, uid).dump();
  }
  return result;
}

void Registry::AfterDelete(const Target& t) {
  if (!t.resource->namespaced || !hooks_.namespace_terminating) return;
  const ResourceInfo* ns = FindResource("", "v1", "namespaces");
  auto got = store_->Get(ObjectKey(*ns, "", t.ns));
  if (!got.ok()) return;
  auto phase = got->attrs->fields.find("status.phase");
  if (phase != got->attrs->fields.end() && phase->second == "Terminating") {
    hooks_.namespace_terminating(t.ns);
  }
}

StatusOr<WriteResult> Registry::DeleteCollection(const Target& t,
                                                 const ListQuery& q,
                                                 const DeleteOptions& o) {
  ListQuery all = q;
  all.limit = 0;
  all.continue_token.clear();
  KSIM_ASSIGN_OR_RETURN(ListPage page, List(t, all));
  Json items = Json::array();
  for (const auto& item : page.items) {
    Target one = t;
    one.name = item.key.substr(item.key.rfind('/') + 1);
    auto deleted = Delete(one, o);
    if (!deleted.ok()) {
      if (deleted.status().code() == base::Code::kNotFound) continue;
      return deleted.status();
    }
    auto j = base::ParseJson(deleted->body);
    if (j.ok() && j->value("kind", "") != "Status") items.push_back(*j);
  }
  Json list = {{"kind", t.resource->ListKind()},
               {"apiVersion", t.resource->GroupVersion()},
               {"metadata", {{"resourceVersion",
                              std::to_string(store_->CurrentRevision())}}},
               {"items", items}};
  WriteResult result;
  result.body = list.dump();
  return result;
}

}  // namespace ksim::apiserver
