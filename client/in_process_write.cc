// InProcessClient writes: an Action becomes the Registry call the HTTP front
// would make for the same request; WritePool runs it inline or on writer
// threads and posts `done` to the cluster loop.
#include "apiserver/resources.h"
#include "client/in_process_internal.h"

namespace ksim::client {
namespace {

const char* ContentTypeOf(PatchType t) {
  switch (t) {
    case PatchType::kMerge:
      return "application/merge-patch+json";
    case PatchType::kStrategicMerge:
      return "application/strategic-merge-patch+json";
    case PatchType::kJson:
      return "application/json-patch+json";
    case PatchType::kApply:
      return "application/apply-patch+yaml";
  }
  return "application/merge-patch+json";
}

// Go clients serialise typed objects with their TypeMeta; callers here may
// leave it out, so it is filled in for the resource's own kind.
std::string BodyOf(const Action& a) {
  Json obj = a.object;
  if (obj.is_object() && (a.subresource.empty() || a.subresource == "status")) {
    if (!obj.contains("apiVersion"))
      obj["apiVersion"] = a.resource.ApiVersion();
    if (!obj.contains("kind")) obj["kind"] = a.resource.kind;
  }
  return obj.dump(-1, ' ', false, Json::error_handler_t::replace);
}

apiserver::DeleteOptions ToRegistry(const DeleteOptions& o) {
  apiserver::DeleteOptions d;
  d.grace_period_seconds = o.grace_period_seconds;
  d.propagation_policy = o.propagation_policy;
  d.precondition_uid = o.precondition_uid;
  d.precondition_resource_version = o.precondition_resource_version;
  return d;
}

StatusOr<Json> ParseResult(const StatusOr<apiserver::WriteResult>& r) {
  if (!r.ok()) return r.status();
  return base::ParseJson(r->body);
}

}  // namespace

StatusOr<apiserver::Target> TargetOf(const Resource& r, const std::string& ns,
                                     const std::string& name,
                                     const std::string& subresource) {
  const apiserver::ResourceInfo* info =
      apiserver::FindResource(r.group, r.version, r.resource);
  if (info == nullptr) {
    return base::NotFound("the server could not find the requested resource");
  }
  apiserver::Target t;
  t.resource = info;
  t.ns = info->namespaced ? ns : "";
  t.name = name;
  t.subresource = subresource;
  return t;
}

StatusOr<apiserver::WriteResult> ExecuteAction(apiserver::Registry* registry,
                                               const Action& a) {
  KSIM_ASSIGN_OR_RETURN(apiserver::Target t,
                        TargetOf(a.resource, a.ns, a.name, a.subresource));
  apiserver::WriteOptions o;
  o.field_manager = a.field_manager;
  switch (a.verb) {
    case Verb::kCreate:
      if (a.subresource == "binding") {
        return registry->Bind(t, BodyOf(a), o);
      }
      t.name.clear();  // POST to the collection; the name is in the body
      return registry->Create(t, BodyOf(a), o);
    case Verb::kUpdate:
      return registry->Update(t, BodyOf(a), o);
    case Verb::kPatch:
      return registry->Patch(
          t, ContentTypeOf(a.patch_type),
          a.object.dump(-1, ' ', false, Json::error_handler_t::replace), o);
    case Verb::kDelete:
      return registry->Delete(t, ToRegistry(a.delete_options));
  }
  return base::BadRequest("unknown verb");
}

WritePool::WritePool(apiserver::Registry* registry, base::EventLoop* loop,
                     int threads)
    : registry_(registry), loop_(loop) {
  if (threads > 0) workers_ = base::NewRealWorkerPool(threads);
}

WritePool::~WritePool() {
  WaitIdle();
  workers_.reset();  // joins before the queues and mutex go away
}

void WritePool::WaitIdle() {
  if (workers_) workers_->WaitIdle();
}

void WritePool::RunWrite(const Action& action, const WriteCallback& done) {
  StatusOr<apiserver::WriteResult> result = ExecuteAction(registry_, action);
  if (!done) return;
  loop_->Post([done, parsed = ParseResult(result)]() mutable {
    done(std::move(parsed));
  });
}

void WritePool::Do(Action action, WriteCallback done) {
  if (!workers_) {
    RunWrite(action, done);
    return;
  }
  // A create names its object in the body.
  std::string name = action.name.empty()
                         ? base::GetString(action.object, {"metadata", "name"})
                         : action.name;
  std::string key = action.resource.group + "/" + action.resource.resource +
                    "/" + action.ns + "/" + name;
  std::function<void()> task = [this, a = std::move(action),
                                d = std::move(done)] { RunWrite(a, d); };
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (name.empty()) {
      // A create by generateName addresses no existing object: nothing to
      // order it against, so it gets a key of its own.
      key += "#" + std::to_string(++anonymous_);
    }
    auto [it, fresh] = queues_.try_emplace(key);
    if (!fresh) {
      it->second.push_back(std::move(task));
      return;
    }
  }
  workers_->Submit([this, key, task = std::move(task)] {
    task();
    RunNext(key);
  });
}

void WritePool::RunNext(const std::string& key) {
  std::function<void()> next;
  {
    std::lock_guard<std::mutex> lock(mu_);
    auto it = queues_.find(key);
    if (it->second.empty()) {
      queues_.erase(it);
      return;
    }
    next = std::move(it->second.front());
    it->second.pop_front();
  }
  // Resubmitted rather than run here, so one busy object cannot hold a
  // thread while other objects' writes wait.
  workers_->Submit([this, key, next = std::move(next)] {
    next();
    RunNext(key);
  });
}

}  // namespace ksim::client
