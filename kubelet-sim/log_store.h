// ContainerLogStore: the containers' logs of every simulated kubelet, served
// to `kubectl logs` through apiserver::PodLogs (the lead wires it into the
// HTTP front's ServePodLog).
//
// Logs are kept per container instance (container ID), as the CRI keeps one
// file per attempt; the kubelet tells the store which instance a container
// status shows (state.running/terminated: current; lastState.terminated:
// last) so that Read follows the kubelet's rules: the current instance, or
// the last terminated one while the container waits in CrashLoopBackOff,
// `previous` = lastState, and the kubelet's error wording otherwise.
//
// Each instance keeps its newest 1 MiB (the kubelet rotates at 10 MiB; a
// simulated chatty loop should not eat the machine).
//
// Thread-safety: every method is safe for concurrent use. The cluster loop
// writes (SetContainer, Append, RemovePod); HTTP threads Read and Follow.
// Follow blocks its thread on a condition variable until new lines come,
// the instance ends, the pod goes or Shutdown() is called; a client that
// went away is noticed when the next line is written to its sink.
#ifndef KSIM_KUBELET_SIM_LOG_STORE_H_
#define KSIM_KUBELET_SIM_LOG_STORE_H_

#include <condition_variable>
#include <deque>
#include <map>
#include <mutex>
#include <string>

#include "apiserver/pod_logs.h"
#include "base/clock.h"

namespace ksim::kubelet {

// What a container status shows, for the log rules.
struct ContainerLogState {
  enum class State { kWaiting, kRunning, kTerminated };
  State state = State::kWaiting;
  std::string waiting_reason;  // "ContainerCreating", "CrashLoopBackOff"
  std::string current_id;      // of state.running / state.terminated
  std::string last_id;         // of lastState.terminated
};

class ContainerLogStore : public apiserver::PodLogs {
 public:
  ContainerLogStore() = default;
  ~ContainerLogStore() override;

  // Loop side.
  // Declares a container of pod ns/name (uid) and what its status shows.
  // A new uid for the same name replaces the old pod's logs.
  void SetContainer(const std::string& ns, const std::string& pod,
                    const std::string& uid, const std::string& container,
                    const ContainerLogState& state);
  // Appends one line (without its newline) to instance `container_id`.
  void Append(const std::string& ns, const std::string& pod,
              const std::string& container_id, base::Time when,
              const std::string& line);
  // The instance wrote its last line (its process exited).
  void EndInstance(const std::string& ns, const std::string& pod,
                   const std::string& container_id);
  void RemovePod(const std::string& ns, const std::string& pod,
                 const std::string& uid);
  // Wakes every Follow and makes new ones return after their Read.
  void Shutdown();

  // apiserver::PodLogs (HTTP threads).
  base::StatusOr<std::string> Read(const std::string& ns,
                                   const std::string& pod,
                                   const std::string& uid,
                                   const apiserver::LogRequest& req) override;
  base::Status Follow(
      const std::string& ns, const std::string& pod, const std::string& uid,
      const apiserver::LogRequest& req,
      const std::function<bool(std::string_view chunk)>& sink) override;

 private:
  struct Line {
    base::Time when;
    std::string text;
  };
  struct Instance {
    std::deque<Line> lines;
    size_t bytes = 0;
    uint64_t appended = 0;  // lines ever appended (Follow's cursor)
    bool ended = false;
  };
  struct Pod {
    std::string uid;
    std::map<std::string, ContainerLogState> containers;
    std::map<std::string, Instance> instances;  // by container ID
    uint64_t generation = 0;  // bumped when the pod is replaced or removed
  };
  // Picks the instance `req` reads, or the kubelet's error. REQUIRES: mu_.
  base::StatusOr<std::string> ResolveLocked(const std::string& ns,
                                            const std::string& pod,
                                            const std::string& uid,
                                            const apiserver::LogRequest& req);
  static std::string Render(const std::deque<Line>& lines, size_t from,
                            const apiserver::LogRequest& req);

  std::mutex mu_;
  std::condition_variable cv_;
  std::map<std::string, Pod> pods_;  // "ns/name"
  bool shut_down_ = false;
};

// RFC 3339 with nanoseconds and trailing zeros trimmed, as Go's
// time.RFC3339Nano formats the timestamps of `kubectl logs --timestamps`.
std::string FormatRfc3339Nano(base::Time t);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_LOG_STORE_H_
