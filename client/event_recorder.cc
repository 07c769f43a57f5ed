// EventRecorder: client-go's tools/record for core/v1 Events (event.go's
// makeEvent and recordToSink, events_cache.go's eventLogger).
#include "client/event_recorder.h"

#include <cinttypes>
#include <cstdio>

namespace ksim::client {
namespace {

// client-go's eventLogger keeps this many keys.
constexpr size_t kMaxSeen = 4096;
// How often a name taken by another component's event is replaced.
constexpr int kMaxNameAttempts = 5;

// reference.GetReference with a field path: only the fields that are set
// (ObjectReference's fields are all omitempty).
Json InvolvedObject(const Json& object, const std::string& field_path) {
  Json ref = Json::object();
  auto put = [&ref](const char* field, const std::string& v) {
    if (!v.empty()) ref[field] = v;
  };
  put("kind", base::GetString(object, {"kind"}));
  put("namespace", base::GetString(object, {"metadata", "namespace"}));
  put("name", base::GetString(object, {"metadata", "name"}));
  put("uid", base::GetString(object, {"metadata", "uid"}));
  put("apiVersion", base::GetString(object, {"apiVersion"}));
  put("resourceVersion",
      base::GetString(object, {"metadata", "resourceVersion"}));
  put("fieldPath", field_path);
  return ref;
}

}  // namespace

EventRecorder::EventRecorder(Client* client, const base::Clock* clock,
                             std::string component, std::string host)
    : client_(client),
      clock_(clock),
      component_(std::move(component)),
      host_(std::move(host)) {}

void EventRecorder::Event(const Json& object, std::string_view type,
                          std::string_view reason, const std::string& message) {
  EventWithFieldPath(object, "", type, reason, message);
}

std::string EventRecorder::NextName(const std::string& object_name) {
  int64_t nanos = clock_->Now().time_since_epoch().count();
  if (nanos <= last_nanos_) nanos = last_nanos_ + 1;
  last_nanos_ = nanos;
  char hex[32];
  std::snprintf(hex, sizeof(hex), "%" PRIx64, static_cast<uint64_t>(nanos));
  return object_name + "." + hex;
}

void EventRecorder::EventWithFieldPath(const Json& object,
                                       const std::string& field_path,
                                       std::string_view type,
                                       std::string_view reason,
                                       const std::string& message) {
  const std::string now = base::FormatRfc3339(clock_->Now());
  Json involved = InvolvedObject(object, field_path);
  // getEventKey: the source, the whole reference, type, reason, message.
  std::string key;
  for (const std::string& part :
       {component_, host_, involved.value("kind", ""),
        involved.value("namespace", ""), involved.value("name", ""), field_path,
        involved.value("uid", ""), involved.value("apiVersion", ""),
        std::string(type), std::string(reason), message}) {
    key += part;
    key += '\0';
  }
  auto it = seen_.find(key);
  if (it != seen_.end()) {
    Seen& seen = it->second;
    ++seen.count;
    lru_.splice(lru_.begin(), lru_, seen.lru);
    PatchEvent(seen, now, message);
    return;
  }
  std::string ns = involved.value("namespace", "");
  if (ns.empty()) ns = "default";  // makeEvent: metav1.NamespaceDefault
  Json source = {{"component", component_}};
  if (!host_.empty()) source["host"] = host_;
  Json event = {
      {"apiVersion", "v1"},
      {"kind", "Event"},
      {"metadata",
       {{"name", NextName(involved.value("name", ""))}, {"namespace", ns}}},
      {"involvedObject", std::move(involved)},
      {"reason", std::string(reason)},
      {"message", message},
      {"source", std::move(source)},
      {"firstTimestamp", now},
      {"lastTimestamp", now},
      {"count", 1},
      {"type", std::string(type)},
      {"eventTime", nullptr},
      {"reportingComponent", component_},
      {"reportingInstance", host_}};
  Remember(key, event);
  CreateEvent(std::move(event), key, 1);
}

void EventRecorder::PatchEvent(Seen& seen, const std::string& now,
                               const std::string& message) {
  // The two-way strategic merge patch client-go computes between the event
  // with count 0, lastTimestamp at the epoch and no message, and the event
  // as now observed.
  Json patch = {
      {"count", seen.count}, {"lastTimestamp", now}, {"message", message}};
  // recordToSink: an Event deleted meanwhile (TTL, kubectl delete) is
  // created again under its name, with the aggregated count.
  Json recreate = seen.event;
  recreate["count"] = seen.count;
  recreate["lastTimestamp"] = now;
  client_->Patch(kEvents, seen.ns, seen.name, PatchType::kStrategicMerge,
                 std::move(patch), "",
                 [this, alive = alive_, recreate = std::move(recreate)](
                     StatusOr<Json> result) mutable {
                   if (!*alive || result.ok() ||
                       result.status().code() != base::Code::kNotFound) {
                     return;
                   }
                   std::string key;  // not re-keyed: keep its name
                   CreateEvent(std::move(recreate), key, kMaxNameAttempts);
                 });
}

void EventRecorder::Remember(const std::string& key, const Json& event) {
  lru_.push_front(key);
  Seen& seen = seen_[key];
  seen.name = base::GetString(event, {"metadata", "name"});
  seen.ns = base::GetString(event, {"metadata", "namespace"});
  seen.count = 1;
  seen.event = event;
  seen.lru = lru_.begin();
  if (lru_.size() > kMaxSeen) {
    seen_.erase(lru_.back());
    lru_.pop_back();
  }
}

void EventRecorder::CreateEvent(Json event, const std::string& key,
                                int attempt) {
  Json copy = event;
  const std::string ns = base::GetString(event, {"metadata", "namespace"});
  client_->Create(
      kEvents, ns, std::move(event),
      [this, alive = alive_, key, attempt,
       event = std::move(copy)](StatusOr<Json> result) mutable {
        if (!*alive || result.ok() ||
            result.status().code() != base::Code::kAlreadyExists ||
            attempt >= kMaxNameAttempts) {
          return;
        }
        // Another component named its event for the same object at the
        // same instant: take the next name, and aggregate onto it.
        std::string old_name = base::GetString(event, {"metadata", "name"});
        std::string name =
            NextName(base::GetString(event, {"involvedObject", "name"}));
        event["metadata"]["name"] = name;
        auto it = seen_.find(key);
        if (it != seen_.end() && it->second.name == old_name) {
          it->second.name = name;
        }
        CreateEvent(std::move(event), key, attempt + 1);
      });
}

}  // namespace ksim::client
