#include "apiserver/control_plane.h"

#include <sys/stat.h>

#include <chrono>
#include <utility>

#include "apiserver/bootstrap.h"
#include "apiserver/garbage_collector.h"
#include "apiserver/namespace_lifecycle.h"
#include "apiserver/object_codec.h"

namespace ksim::apiserver {
namespace {

class ControlPlaneImpl : public ControlPlane {
 public:
  explicit ControlPlaneImpl(ControlPlaneOptions o)
      : options_(std::move(o)), rng_(options_.seed) {}

  ~ControlPlaneImpl() override {
    // Pending background tasks capture `this`: stop them first.
    *alive_ = false;
    own_runner_.reset();
    lifecycle_.reset();
    gc_.reset();
    registry_.reset();
    store_.reset();
  }

  base::Status Init();

  Registry* registry() override { return registry_.get(); }
  store::Store* store() override { return store_.get(); }
  const base::Clock* clock() const override { return clock_; }
  base::Rng* rng() override { return &rng_; }

 private:
  void ScheduleCompaction(int64_t previous);

  ControlPlaneOptions options_;
  base::Rng rng_;
  std::unique_ptr<base::Clock> own_clock_;
  const base::Clock* clock_ = nullptr;
  std::unique_ptr<base::TaskRunner> own_runner_;
  base::TaskRunner* runner_ = nullptr;
  std::unique_ptr<store::Store> store_;
  std::unique_ptr<Registry> registry_;
  std::unique_ptr<NamespaceLifecycle> lifecycle_;
  std::unique_ptr<GarbageCollector> gc_;
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

base::Status ControlPlaneImpl::Init() {
  clock_ = options_.clock;
  if (!clock_) {
    own_clock_ = base::NewRealClock();
    clock_ = own_clock_.get();
  }
  runner_ = options_.runner;
  if (!runner_) {
    own_runner_ = base::NewRealTaskRunner();
    runner_ = own_runner_.get();
  }
  store::SqliteOptions so;
  if (options_.data_dir.empty()) {
    so.path = ":memory:";
  } else {
    ::mkdir(options_.data_dir.c_str(), 0755);
    so.path = options_.data_dir + "/ksim.db";
  }
  so.full_sync = options_.full_sync;
  so.attrs_func = AttributesFromStored;
  KSIM_ASSIGN_OR_RETURN(store_, store::OpenSqliteStore(so));
  registry_ = std::make_unique<Registry>(store_.get(), clock_, &rng_,
                                         options_.service_ranges);
  lifecycle_ = std::make_unique<NamespaceLifecycle>(registry_.get(), runner_);
  gc_ = std::make_unique<GarbageCollector>(registry_.get(), runner_);
  Registry::Hooks hooks;
  hooks.namespace_terminating = [this](const std::string& ns) {
    lifecycle_->Drain(ns);
  };
  hooks.deleted = [this](const ResourceInfo& r, const std::string& ns,
                         const std::string& uid) {
    gc_->OnDeleted(r, ns, uid);
  };
  hooks.finalizing = [this](const ResourceInfo& r, const std::string& ns,
                            const std::string& name) {
    gc_->OnFinalizing(r, ns, name);
  };
  registry_->SetHooks(std::move(hooks));
  KSIM_RETURN_IF_ERROR(lifecycle_->Bootstrap());
  KSIM_RETURN_IF_ERROR(
      BootstrapKubernetesService(registry_.get(), options_.service_ranges));
  if (options_.compaction_interval_seconds > 0) {
    ScheduleCompaction(store_->CurrentRevision());
  }
  return base::Status::Ok();
}

void ControlPlaneImpl::ScheduleCompaction(int64_t previous) {
  // Keep one interval of history, as kube-apiserver compacts etcd.
  std::weak_ptr<bool> alive = alive_;
  runner_->PostDelayed(
      std::chrono::seconds(options_.compaction_interval_seconds),
      [this, alive, previous] {
        auto a = alive.lock();
        if (!a || !*a) return;
        int64_t now = store_->CurrentRevision();
        if (previous > store_->CompactedRevision()) store_->Compact(previous);
        ScheduleCompaction(now);
      });
}

}  // namespace

base::StatusOr<std::unique_ptr<ControlPlane>> ControlPlane::Open(
    ControlPlaneOptions options) {
  auto cp = std::make_unique<ControlPlaneImpl>(std::move(options));
  KSIM_RETURN_IF_ERROR(cp->Init());
  return std::unique_ptr<ControlPlane>(std::move(cp));
}

}  // namespace ksim::apiserver
