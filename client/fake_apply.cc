// FakeClient writes: what the object tracker of client-go's fake clientset
// does for each verb, with the metadata an API server fills in.
#include "base/clock.h"
#include "client/fake_client.h"
#include "client/informer.h"

namespace ksim::client {
namespace {

std::string Qualified(const Resource& r) {
  return r.group.empty() ? r.resource : r.resource + "." + r.group;
}

Status Error(base::Code code, const Resource& r, const std::string& name,
             const std::string& message) {
  base::Details d;
  d.name = name;
  d.group = r.group;
  d.kind = r.resource;
  return Status(code, message, std::move(d));
}

Status ConflictError(const Resource& r, const std::string& name,
                     const std::string& why) {
  return Error(base::Code::kConflict, r, name,
               "Operation cannot be fulfilled on " + Qualified(r) + " \"" +
                   name + "\": " + why);
}

std::string Meta(const Json& obj, const char* field) {
  return base::GetString(obj, {"metadata", field});
}

// Identity the API server keeps across updates and patches.
void KeepIdentity(const Json& stored, Json* obj) {
  for (const char* f : {"name", "namespace", "uid", "creationTimestamp"}) {
    const Json* v = base::Find(stored, {"metadata", f});
    if (v != nullptr) (*obj)["metadata"][f] = *v;
  }
  for (const char* f : {"apiVersion", "kind"}) {
    if (!obj->contains(f) && stored.contains(f)) (*obj)[f] = stored[f];
  }
}

}  // namespace

StatusOr<Json> FakeClient::Apply(const Action& a) {
  switch (a.verb) {
    case Verb::kCreate:
      return a.subresource == "binding" ? ApplyBind(a) : ApplyCreate(a);
    case Verb::kUpdate:
      return ApplyUpdate(a);
    case Verb::kPatch:
      return ApplyPatch(a);
    case Verb::kDelete:
      return ApplyDelete(a);
  }
  return base::BadRequest("unknown verb");
}

StatusOr<Json> FakeClient::ApplyCreate(const Action& a) {
  Json obj = a.object.is_object() ? a.object : Json::object();
  Json& meta = obj["metadata"];
  if (!meta.is_object()) meta = Json::object();
  if (a.resource.namespaced && !a.ns.empty()) meta["namespace"] = a.ns;
  std::string name = Meta(obj, "name");
  if (name.empty() && !Meta(obj, "generateName").empty()) {
    name = Meta(obj, "generateName") + NextSuffix();
    meta["name"] = name;
  }
  if (name.empty()) {
    return Status(base::Code::kInvalid,
                  a.resource.kind +
                      " \"\" is invalid: metadata.name: "
                      "Required value: name or generateName is required");
  }
  if (objects_[a.resource.group + "/" + a.resource.resource].count(
          KeyOf(obj))) {
    return Error(base::Code::kAlreadyExists, a.resource, name,
                 Qualified(a.resource) + " \"" + name + "\" already exists");
  }
  if (!meta.contains("uid")) {
    meta["uid"] = "fake-uid-" + std::to_string(++uid_counter_);
  }
  if (!meta.contains("creationTimestamp")) {
    meta["creationTimestamp"] = base::FormatRfc3339(loop_->Now());
  }
  if (!obj.contains("apiVersion")) obj["apiVersion"] = a.resource.ApiVersion();
  if (!obj.contains("kind")) obj["kind"] = a.resource.kind;
  return Put(a.resource, std::move(obj), EventType::kAdded);
}

StatusOr<Json> FakeClient::ApplyUpdate(const Action& a) {
  std::string name = a.name.empty() ? Meta(a.object, "name") : a.name;
  auto stored = Get(a.resource, a.ns, name);
  if (!stored.ok()) return stored.status();
  std::string rv = Meta(a.object, "resourceVersion");
  if (!rv.empty() && rv != Meta(*stored, "resourceVersion")) {
    return ConflictError(a.resource, name,
                         "the object has been modified; please apply your "
                         "changes to the latest version and try again");
  }
  Json obj;
  if (a.subresource == "status") {
    obj = *stored;
    if (a.object.contains("status")) {
      obj["status"] = a.object["status"];
    } else {
      obj.erase("status");
    }
  } else {
    obj = a.object;
    KeepIdentity(*stored, &obj);
  }
  return Put(a.resource, std::move(obj), EventType::kModified);
}

StatusOr<Json> FakeClient::ApplyPatch(const Action& a) {
  auto stored = Get(a.resource, a.ns, a.name);
  if (!stored.ok()) {
    if (a.patch_type != PatchType::kApply) return stored.status();
    Action create = a;  // server-side apply creates what is missing
    create.verb = Verb::kCreate;
    return ApplyCreate(create);
  }
  Json patched = *stored;
  if (a.patch_type == PatchType::kJson) {
    try {
      patched = stored->patch(a.object);
    } catch (const Json::exception& e) {
      return Status(base::Code::kInvalid, e.what());
    }
  } else {
    // Strategic merge and apply patches as JSON merge patches: see header.
    patched.merge_patch(a.object);
  }
  Json obj;
  if (a.subresource == "status") {
    obj = *stored;
    if (patched.contains("status")) {
      obj["status"] = patched["status"];
    } else {
      obj.erase("status");
    }
  } else {
    obj = std::move(patched);
    KeepIdentity(*stored, &obj);
  }
  return Put(a.resource, std::move(obj), EventType::kModified);
}

StatusOr<Json> FakeClient::ApplyDelete(const Action& a) {
  auto stored = Get(a.resource, a.ns, a.name);
  if (!stored.ok()) return stored.status();
  const DeleteOptions& o = a.delete_options;
  if (o.precondition_uid && *o.precondition_uid != Meta(*stored, "uid")) {
    return ConflictError(
        a.resource, a.name,
        "Precondition failed: UID in precondition: " + *o.precondition_uid +
            ", UID in object meta: " + Meta(*stored, "uid"));
  }
  if (o.precondition_resource_version &&
      *o.precondition_resource_version != Meta(*stored, "resourceVersion")) {
    return ConflictError(
        a.resource, a.name,
        "Precondition failed: ResourceVersion in precondition: " +
            *o.precondition_resource_version +
            ", ResourceVersion in object meta: " +
            Meta(*stored, "resourceVersion"));
  }
  return Put(a.resource, *std::move(stored), EventType::kDeleted);
}

StatusOr<Json> FakeClient::ApplyBind(const Action& a) {
  auto pod = Get(a.resource, a.ns, a.name);
  if (!pod.ok()) return pod.status();
  std::string existing = base::GetString(*pod, {"spec", "nodeName"});
  if (!existing.empty()) {
    return ConflictError(
        a.resource, a.name,
        "pod " + a.name + " is already assigned to node \"" + existing + "\"");
  }
  Json obj = *std::move(pod);
  obj["spec"]["nodeName"] = base::GetString(a.object, {"target", "name"});
  Put(a.resource, std::move(obj), EventType::kModified);
  // What kube-apiserver answers a binding with.
  return Json{{"kind", "Status"},
              {"apiVersion", "v1"},
              {"metadata", Json::object()},
              {"status", "Success"},
              {"code", 201}};
}

}  // namespace ksim::client
