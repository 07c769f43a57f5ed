// What the Endpoints and EndpointSlice controllers share (kube's
// k8s.io/endpointslice/util): which pods belong in endpoints, which services
// a pod change concerns, and the last-change-trigger-time annotation.
//
// Thread-safety: the classes are used from the cluster loop only.
#ifndef KSIM_CONTROLLERS_ENDPOINTS_UTIL_H_
#define KSIM_CONTROLLERS_ENDPOINTS_UTIL_H_

#include <map>
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "base/clock.h"
#include "base/json.h"
#include "client/informer.h"

namespace ksim::controllers {

inline constexpr char kHeadlessServiceLabel[] =
    "service.kubernetes.io/headless";
inline constexpr char kLastChangeTriggerTimeAnnotation[] =
    "endpoints.kubernetes.io/last-change-trigger-time";

// podutil.IsPodReady: the Ready condition is True.
bool IsPodReady(const base::Json& pod);
// metadata.deletionTimestamp is set.
bool IsTerminating(const base::Json& obj);
// ShouldPodBeInEndpoints: not Succeeded/Failed, has an IP, and not
// terminating unless `include_terminating`.
bool ShouldPodBeInEndpoints(const base::Json& pod, bool include_terminating);
// The pod's hostname goes into its endpoint when spec.subdomain names the
// service (same namespace) and spec.hostname is set.
bool ShouldSetHostname(const base::Json& pod, const base::Json& service);
// spec.clusterIP is set and not "None" (helper.IsServiceIPSet).
bool IsServiceIPSet(const base::Json& service);
// True when `ip` is an IPv6 address (contains ':').
bool IsIPv6(const std::string& ip);
// The pod's IPs in status order (status.podIPs, or status.podIP alone).
std::vector<std::string> PodIPs(const base::Json& pod);

using Labels = std::map<std::string, std::string>;
// A string map at `path` (labels, annotations, selector); {} when absent.
Labels StringMapAt(const base::Json& obj,
                   std::initializer_list<std::string_view> path);
// spec.selector of a Service; nullopt when it has none (nil or empty: Go
// drops an empty map, and a nil selector selects nothing).
std::optional<Labels> ServiceSelector(const base::Json& service);
// Every selector pair is among `labels`.
bool SelectorMatches(const Labels& selector, const Labels& labels);
// The same against an object's metadata.labels, without copying them.
bool PodMatches(const Labels& selector, const base::Json& pod);

// The pods informer index both endpoints controllers select pods with:
// each pod filed under "NAMESPACE/KEY=VALUE" for each of its labels.
inline constexpr char kPodsByLabel[] = "ksim.io/pods-by-label";
// Adds it (idempotent). REQUIRES: before the informer starts.
void AddPodLabelIndex(client::Informer* pods);
// The pods of `ns` that `selector` matches, in key order (as
// Informer::List), read from the index's smallest posting list among the
// selector's pairs: a Service's sync costs its own pods, not every pod of
// the namespace. REQUIRES: AddPodLabelIndex(&pods); selector not empty.
std::vector<client::ObjectPtr> SelectPods(const client::Informer& pods,
                                          const std::string& ns,
                                          const Labels& selector);

// The services of each namespace with their selectors, kept from service
// events, so that mapping a pod to its services costs no JSON parsing and,
// through an index of each selector's first pair, only the services that
// pair could select — not every service of the namespace (10,000 Services
// in one namespace are within Kubernetes' limits).
class ServiceSelectorIndex {
 public:
  void Upsert(const base::Json& service);
  void Remove(const base::Json& service);
  // "ns/name" of every service of `ns` whose selector matches `labels`.
  std::set<std::string> ServicesFor(const std::string& ns,
                                    const Labels& labels) const;
  // The services a pod add or delete concerns (GetPodServiceMemberships).
  std::set<std::string> ServicesForPod(const base::Json& pod) const;
  // The services a pod update concerns (GetServicesToUpdateOnPodChange):
  // none when nothing endpoints show changed; both old and new members when
  // the pod changed, only the symmetric difference when only labels did.
  std::set<std::string> ServicesForPodUpdate(const base::Json& old_pod,
                                             const base::Json& pod) const;

 private:
  void Unindex(const std::string& ns, const std::string& name);

  std::map<std::string, std::map<std::string, Labels>> by_namespace_;
  // "ns/key=value" of a selector's first pair -> service names.
  std::map<std::string, std::set<std::string>> by_first_pair_;
};

// TriggerTimeTracker: the endpoints.kubernetes.io/last-change-trigger-time
// value, as kube computes it: on the first sync of a service its creation
// time, later the earliest pod Ready transition (or service creation) that
// changed since the previous sync; nullopt when none did (the annotation is
// then removed on the next write).
class TriggerTimeTracker {
 public:
  // `pods`: the pods the service selects.
  std::optional<base::Time> Compute(const std::string& key,
                                    const base::Json& service,
                                    const std::vector<const base::Json*>& pods);
  void DeleteService(const std::string& key) { states_.erase(key); }

 private:
  struct State {
    std::optional<base::Time> service_time;
    std::map<std::string, base::Time> pod_times;
  };
  std::map<std::string, State> states_;
};

}  // namespace ksim::controllers

#endif  // KSIM_CONTROLLERS_ENDPOINTS_UTIL_H_
