// FakeClient: Kubernetes' fake clientset for controller unit tests. It
// records every write as an Action, keeps objects in memory (so Get/List and
// later writes see earlier ones), fills in what the API server would
// (uid, resourceVersion, creationTimestamp, a generateName suffix) and runs
// `done` through the loop. Reactors inject errors.
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

  // A reactor sees each write first; returning a Status fails the write with
  // it (nothing stored), returning nullopt lets it proceed.
  using Reactor = std::function<std::optional<Status>(const Action&)>;
  void AddReactor(Reactor r) { reactors_.push_back(std::move(r)); }

  const std::vector<Action>& actions() const { return actions_; }
  void ClearActions() { actions_.clear(); }
  // Actions of one verb on one resource ("create", kPods), in order.
  std::vector<Action> ActionsFor(Verb verb, const Resource& r) const;

 private:
  struct FakeWatch;
  StatusOr<Json> Apply(const Action& a);
  void Notify(const Resource& r, EventType type, const Json& obj);

  base::EventLoop* loop_;
  std::vector<Action> actions_;
  std::vector<Reactor> reactors_;
  // resource -> key -> object
  std::map<std::string, std::map<std::string, Json>> objects_;
  std::vector<std::weak_ptr<FakeWatch>> watches_;
  int64_t revision_ = 1;
  int64_t uid_counter_ = 0;
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_FAKE_CLIENT_H_
