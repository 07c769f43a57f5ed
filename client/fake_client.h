// FakeClient: Kubernetes' fake clientset for controller unit tests. It
// records every write as an Action, keeps objects in memory (so Get/List and
// later writes see earlier ones), fills in what the API server would
// (uid, resourceVersion, creationTimestamp, a generateName suffix) and runs
// `done` through the loop. Reactors inject errors.
//
// Semantics, after client-go's ObjectTracker: Create of an existing object
// is AlreadyExists, Update/Patch/Delete of a missing one NotFound (kube's
// wording); an Update whose resourceVersion is set and stale is a Conflict;
// writes to the status subresource change only .status; uids are
// "fake-uid-N". Patches: merge and apply patches are JSON merge patches
// (RFC 7386); a strategic merge patch is applied as a merge patch too (no
// patch-merge keys: lists are replaced whole), which is what controller tests
// need for the patches they send (labels, annotations, counts); JSON patches
// are RFC 6902. Label selectors and field selectors (any dotted path
// compared as a string) filter List and Watch.
//
// A test loads informers (Informer::Apply), calls a controller's
// Reconcile(key) once, runs the loop until idle, and asserts on actions().
//
// Thread-safety: loop thread only.
#ifndef KSIM_CLIENT_FAKE_CLIENT_H_
#define KSIM_CLIENT_FAKE_CLIENT_H_

#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

#include "base/event_loop.h"
#include "client/client.h"

namespace ksim::client {

class FakeClient : public Client {
 public:
  // REQUIRES: loop outlives the client.
  explicit FakeClient(base::EventLoop* loop);

  StatusOr<Json> Get(const Resource& r, const std::string& ns,
                     const std::string& name) override;
  StatusOr<ObjectList> List(const Resource& r, const std::string& ns,
                            const ListOptions& o) override;
  // Events for every later write to `r` (in namespace ns when set).
  StatusOr<std::unique_ptr<WatchStream>> Watch(
      const Resource& r, const std::string& ns, const ListOptions& o,
      std::function<void()> on_ready) override;
  void Do(Action action, WriteCallback done) override;

  // Puts an object in the fake's storage without recording an action.
  void Seed(const Resource& r, Json obj);

  // A reactor sees each write first (after it is recorded); returning an
  // error Status fails the write with it, an OK Status makes it succeed
  // with the action's object without storing anything (a handled action),
  // nullopt lets it proceed.
  using Reactor = std::function<std::optional<Status>(const Action&)>;
  void AddReactor(Reactor r) { reactors_.push_back(std::move(r)); }

  const std::vector<Action>& actions() const { return actions_; }
  void ClearActions() { actions_.clear(); }
  // Actions of one verb on one resource ("create", kPods), in order.
  std::vector<Action> ActionsFor(Verb verb, const Resource& r) const;

  struct FakeWatch;  // a watch's state (fake_client.cc)

 private:
  StatusOr<Json> Apply(const Action& a);
  StatusOr<Json> ApplyCreate(const Action& a);
  StatusOr<Json> ApplyUpdate(const Action& a);
  StatusOr<Json> ApplyPatch(const Action& a);
  StatusOr<Json> ApplyDelete(const Action& a);
  StatusOr<Json> ApplyBind(const Action& a);
  // Stores obj under a new resourceVersion and tells the watches.
  Json Put(const Resource& r, Json obj, EventType type);
  void Notify(const Resource& r, EventType type, const Json& obj);
  // The next generateName suffix: 5 characters of utilrand's alphabet from a
  // counter, so names are the same on every run.
  std::string NextSuffix();

  base::EventLoop* loop_;
  std::vector<Action> actions_;
  std::vector<Reactor> reactors_;
  // resource -> key -> object
  std::map<std::string, std::map<std::string, Json>> objects_;
  std::vector<std::weak_ptr<FakeWatch>> watches_;
  int64_t revision_ = 1;
  int64_t uid_counter_ = 0;
  uint64_t name_counter_ = 0;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_FAKE_CLIENT_H_
