// EventRecorder: client-go's record.EventRecorder writing core/v1 Events, so
// that `kubectl describe` shows "Normal  Scheduled  5s  default-scheduler
// Successfully assigned default/web-1 to k8s-node-1" as on a real cluster.
//
// Like client-go's EventCorrelator it aggregates: an event identical to one
// recorded before (same involved object, type, reason, message, source)
// patches the existing Event's count and lastTimestamp instead of creating
// a new one (the EventCorrelator's eventLogger, with its LRU of 4096 keys).
// Event names are "<involvedObject.name>.<hex unix nanos>". The spam filter
// and the similar-event aggregation ("(combined from similar events)") of
// the correlator are not reproduced.
//
// Thread-safety: loop thread only.
#ifndef KSIM_CLIENT_EVENT_RECORDER_H_
#define KSIM_CLIENT_EVENT_RECORDER_H_

#include <list>
#include <map>
#include <memory>
#include <string>
#include <string_view>

#include "base/clock.h"
#include "client/client.h"

namespace ksim::client {

class EventRecorder {
 public:
  // component: source.component ("default-scheduler", "kubelet",
  // "replicaset-controller"); host: source.host (the node, for kubelets).
  // REQUIRES: client and clock outlive the recorder.
  EventRecorder(Client* client, const base::Clock* clock, std::string component,
                std::string host = "");
  ~EventRecorder() { *alive_ = false; }
  EventRecorder(const EventRecorder&) = delete;
  EventRecorder& operator=(const EventRecorder&) = delete;

  // type: "Normal" or "Warning". `object` is the involved object as served
  // (kind, apiVersion, metadata.namespace/name/uid/resourceVersion).
  void Event(const Json& object, std::string_view type, std::string_view reason,
             const std::string& message);
  // The same, for a part of the object ("spec.containers{web}").
  void EventWithFieldPath(const Json& object, const std::string& field_path,
                          std::string_view type, std::string_view reason,
                          const std::string& message);

 private:
  struct Seen {
    std::string name;  // of the Event object
    std::string ns;
    int64_t count = 0;
    Json event;  // as first created, to re-create it if it was deleted
    std::list<std::string>::iterator lru;  // position in lru_
  };
  // "<object name>.<hex unix nanos>", the nanos made unique per recorder: in
  // virtual time many events share one instant.
  std::string NextName(const std::string& object_name);
  void CreateEvent(Json event, const std::string& key, int attempt);
  void PatchEvent(Seen& seen, const std::string& now,
                  const std::string& message);
  void Remember(const std::string& key, const Json& event);

  Client* client_;
  const base::Clock* clock_;
  std::string component_;
  std::string host_;
  std::map<std::string, Seen> seen_;  // aggregation key -> event
  std::list<std::string> lru_;        // keys, most recently seen first
  int64_t last_nanos_ = 0;
  // Write callbacks run on the loop later; they touch seen_ only while the
  // recorder lives.
  std::shared_ptr<bool> alive_ = std::make_shared<bool>(true);
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_EVENT_RECORDER_H_
