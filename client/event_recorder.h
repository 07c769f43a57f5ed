// EventRecorder: client-go's record.EventRecorder writing core/v1 Events, so
// that `kubectl describe` shows "Normal  Scheduled  5s  default-scheduler
// Successfully assigned default/web-1 to k8s-node-1" as on a real cluster.
//
// Like client-go's EventCorrelator it aggregates: an event identical to one
// recorded before (same involved object, type, reason, message, source)
// patches the existing Event's count and lastTimestamp instead of creating
// a new one. Event names are "<involvedObject.name>.<hex unix nanos>".
//
// Thread-safety: loop thread only.
#ifndef KSIM_CLIENT_EVENT_RECORDER_H_
#define KSIM_CLIENT_EVENT_RECORDER_H_

#include <map>
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
  EventRecorder(Client* client, const base::Clock* clock,
                std::string component, std::string host = "");

  // type: "Normal" or "Warning". `object` is the involved object as served
  // (kind, apiVersion, metadata.namespace/name/uid/resourceVersion).
  void Event(const Json& object, std::string_view type,
             std::string_view reason, const std::string& message);
  // The same, for a part of the object ("spec.containers{web}").
  void EventWithFieldPath(const Json& object, const std::string& field_path,
                          std::string_view type, std::string_view reason,
                          const std::string& message);

 private:
  struct Seen {
    std::string name;  // of the Event object
    std::string ns;
    int64_t count = 0;
  };
  Client* client_;
  const base::Clock* clock_;
  std::string component_;
  std::string host_;
  std::map<std::string, Seen> seen_;  // aggregation key -> event
};

}  // namespace ksim::client

#endif  // KSIM_CLIENT_EVENT_RECORDER_H_
