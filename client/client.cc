// Client conveniences: each builds one Action and hands it to Do, as
// client-go's typed clients build one REST request.
#include "client/client.h"

namespace ksim::client {
namespace {

std::string Meta(const Json& obj, const char* field) {
  return base::GetString(obj, {"metadata", field});
}

}  // namespace

void Client::Create(const Resource& r, const std::string& ns, Json obj,
                    WriteCallback done) {
  Action a;
  a.verb = Verb::kCreate;
  a.resource = r;
  a.ns = r.namespaced ? ns : "";
  a.object = std::move(obj);
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

void Client::Update(const Resource& r, Json obj, WriteCallback done) {
  Action a;
  a.verb = Verb::kUpdate;
  a.resource = r;
  a.ns = r.namespaced ? Meta(obj, "namespace") : "";
  a.name = Meta(obj, "name");
  a.object = std::move(obj);
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

void Client::UpdateStatus(const Resource& r, Json obj, WriteCallback done) {
  Action a;
  a.verb = Verb::kUpdate;
  a.resource = r;
  a.ns = r.namespaced ? Meta(obj, "namespace") : "";
  a.name = Meta(obj, "name");
  a.subresource = "status";
  a.object = std::move(obj);
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

void Client::Patch(const Resource& r, const std::string& ns,
                   const std::string& name, PatchType type, Json patch,
                   const std::string& subresource, WriteCallback done) {
  Action a;
  a.verb = Verb::kPatch;
  a.resource = r;
  a.ns = r.namespaced ? ns : "";
  a.name = name;
  a.subresource = subresource;
  a.object = std::move(patch);
  a.patch_type = type;
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

void Client::Delete(const Resource& r, const std::string& ns,
                    const std::string& name, DeleteOptions o,
                    WriteCallback done) {
  Action a;
  a.verb = Verb::kDelete;
  a.resource = r;
  a.ns = r.namespaced ? ns : "";
  a.name = name;
  a.object = nullptr;
  a.delete_options = std::move(o);
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

void Client::Bind(const std::string& ns, const std::string& pod,
                  const std::string& uid, const std::string& node,
                  WriteCallback done) {
  // The scheduler's binding: a v1 Binding naming the pod (and its uid, so a
  // pod re-created under the same name is not bound by mistake).
  Json meta = {{"name", pod}, {"namespace", ns}};
  if (!uid.empty()) meta["uid"] = uid;
  Action a;
  a.verb = Verb::kCreate;
  a.resource = kPods;
  a.ns = ns;
  a.name = pod;
  a.subresource = "binding";
  a.object = {
      {"apiVersion", "v1"},
      {"kind", "Binding"},
      {"metadata", std::move(meta)},
      {"target", {{"apiVersion", "v1"}, {"kind", "Node"}, {"name", node}}}};
  a.field_manager = field_manager_;
  Do(std::move(a), std::move(done));
}

}  // namespace ksim::client
