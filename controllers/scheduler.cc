// Scheduler: informer handlers and the loop tasks that drain activeQ.
// The scheduling cycle itself is in scheduler_cycle.cc.
#include "controllers/scheduler.h"

#include <utility>

namespace ksim::controllers {

using base::Json;
using client::ObjectPtr;

Scheduler::Scheduler(const client::ClusterContext& ctx,
                     SchedulerOptions options)
    : ctx_(ctx),
      options_(std::move(options)),
      pods_(ctx.informers->For(client::kPods)),
      nodes_(ctx.informers->For(client::kNodes)),
      recorder_(ctx.client, ctx.clock, options_.scheduler_name),
      queue_(options_.queue),
      alive_(std::make_shared<bool>(true)) {
  std::weak_ptr<bool> alive = alive_;
  // The shared informers outlive us; a handler called after our
  // destruction does nothing.
  auto guard = [alive](auto fn) {
    return [alive, fn](auto&&... args) {
      if (!alive.expired()) fn(args...);
    };
  };
  nodes_->AddEventHandlers(client::EventHandlers{
      guard([this](const ObjectPtr& o) { OnNodeAdd(o); }),
      guard([this](const ObjectPtr& a, const ObjectPtr& b) {
        OnNodeUpdate(a, b);
      }),
      guard([this](const ObjectPtr& o) { OnNodeDelete(o); })});
  pods_->AddEventHandlers(client::EventHandlers{
      guard([this](const ObjectPtr& o) { OnPodAdd(o); }),
      guard([this](const ObjectPtr& a, const ObjectPtr& b) {
        OnPodUpdate(a, b);
      }),
      guard([this](const ObjectPtr& o) { OnPodDelete(o); })});
}

Scheduler::~Scheduler() {
  alive_.reset();
  if (wakeup_timer_ != 0) ctx_.loop->Cancel(wakeup_timer_);
}

bool Scheduler::Responsible(const Json& pod) const {
  std::string name = base::GetString(pod, {"spec", "schedulerName"});
  return name.empty() ? options_.scheduler_name == "default-scheduler"
                      : name == options_.scheduler_name;
}

void Scheduler::Enqueue(const sched::PodInfo& pod) {
  queue_.Add(pod.key, pod.priority, ctx_.clock->Now());
  ScheduleSoon();
}

void Scheduler::OnPodAdd(const ObjectPtr& obj) {
  sched::PodInfo pod = sched::ParsePod(*obj);
  if (!pod.node_name.empty()) {
    if (!pod.terminal) cache_.AddPod(pod);
    return;
  }
  if (pod.terminal || pod.terminating || !Responsible(*obj)) return;
  if (!cache_.NodeOf(pod.key).empty()) return;  // assumed, binding
  Enqueue(pod);
}

void Scheduler::OnPodUpdate(const ObjectPtr& old_obj,
                            const ObjectPtr& new_obj) {
  sched::PodInfo pod = sched::ParsePod(*new_obj);
  if (!pod.node_name.empty()) {
    queue_.Delete(pod.key);
    if (pod.terminal) {
      if (!cache_.NodeOf(pod.key).empty()) {
        cache_.RemovePod(pod.key);
        ClusterChanged();
      }
    } else {
      cache_.AddPod(pod);
    }
    return;
  }
  if (pod.terminal || pod.terminating || !Responsible(*new_obj)) {
    queue_.Delete(pod.key);
    return;
  }
  if (!cache_.NodeOf(pod.key).empty()) return;  // assumed, binding
  // Status-only updates (our own PodScheduled condition) do not requeue an
  // unschedulable pod; a change of its spec or labels does (isPodUpdated).
  const Json* old_labels = base::Find(*old_obj, {"metadata", "labels"});
  const Json* new_labels = base::Find(*new_obj, {"metadata", "labels"});
  bool labels_changed = (old_labels == nullptr) != (new_labels == nullptr) ||
                        (old_labels && *old_labels != *new_labels);
  bool changed =
      !queue_.Contains(pod.key) || labels_changed ||
      old_obj->value("spec", Json()) != new_obj->value("spec", Json());
  if (changed) Enqueue(pod);
}

void Scheduler::OnPodDelete(const ObjectPtr& obj) {
  std::string key = client::KeyOf(*obj);
  queue_.Delete(key);
  queue_.Forget(key);
  if (!cache_.NodeOf(key).empty()) {
    cache_.RemovePod(key);
    ClusterChanged();
  }
}

void Scheduler::OnNodeAdd(const ObjectPtr& obj) {
  cache_.SetNode(sched::ParseNode(*obj));
  ClusterChanged();
}

namespace {

// nodeSchedulingPropertiesChange: heartbeats alone do not wake pods up.
Json SchedulingRelevant(const Json& node) {
  Json conds = Json::array();
  if (const Json* cs = base::Find(node, {"status", "conditions"})) {
    if (cs->is_array()) {
      for (const Json& c : *cs) {
        conds.push_back({c.value("type", ""), c.value("status", "")});
      }
    }
  }
  const Json* labels = base::Find(node, {"metadata", "labels"});
  const Json* alloc = base::Find(node, {"status", "allocatable"});
  const Json* spec = base::Find(node, {"spec"});
  return Json::array({labels ? *labels : Json(), alloc ? *alloc : Json(),
                      spec ? *spec : Json(), conds});
}

}  // namespace

void Scheduler::OnNodeUpdate(const ObjectPtr& old_obj,
                             const ObjectPtr& new_obj) {
  if (SchedulingRelevant(*old_obj) == SchedulingRelevant(*new_obj)) return;
  cache_.SetNode(sched::ParseNode(*new_obj));
  ClusterChanged();
}

void Scheduler::OnNodeDelete(const ObjectPtr& obj) {
  cache_.RemoveNode(base::GetString(*obj, {"metadata", "name"}));
}

void Scheduler::ClusterChanged() {
  if (queue_.UnschedulableLen() == 0) return;
  queue_.MoveAllToActiveOrBackoff(ctx_.clock->Now());
  ArmWakeup();
  ScheduleSoon();
}

void Scheduler::ScheduleSoon() {
  if (drain_posted_ || queue_.ActiveLen() == 0) return;
  drain_posted_ = true;
  std::weak_ptr<bool> alive = alive_;
  ctx_.loop->Post([this, alive] {
    if (alive.expired()) return;
    drain_posted_ = false;
    Drain();
  });
}

void Scheduler::Drain() {
  for (int i = 0; i < options_.batch; ++i) {
    if (!ScheduleOne()) break;
  }
  ScheduleSoon();
}

// One timer at the queue's next backoff expiry (or unschedulable timeout).
void Scheduler::ArmWakeup() {
  std::optional<base::Time> next = queue_.NextWakeup();
  if (!next) return;
  if (wakeup_timer_ != 0 && wakeup_at_ <= *next) return;
  if (wakeup_timer_ != 0) ctx_.loop->Cancel(wakeup_timer_);
  wakeup_at_ = *next;
  std::weak_ptr<bool> alive = alive_;
  wakeup_timer_ = ctx_.loop->RunAt(*next, [this, alive] {
    if (alive.expired()) return;
    wakeup_timer_ = 0;
    queue_.Flush(ctx_.clock->Now());
    ArmWakeup();
    ScheduleSoon();
  });
}

}  // namespace ksim::controllers
