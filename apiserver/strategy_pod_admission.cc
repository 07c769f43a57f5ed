// What kubeadm's default admission chain does to every new Pod, since a
// cluster created by kubeadm shows it on every pod: the ServiceAccount
// plugin (service account and its projected token volume), Priority
// (priority and preemptionPolicy) and DefaultTolerationSeconds (tolerate
// not-ready and unreachable nodes for 300s). Also SetDefaults_Pod and the
// v1 conversions that keep the deprecated twin fields in step.
#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

constexpr char kTokenMountPath[] =
    "/var/run/secrets/kubernetes.io/serviceaccount";
constexpr char kTokenVolumePrefix[] = "kube-api-access-";

Json TokenVolume(const std::string& name) {
  return Json{
      {"name", name},
      {"projected",
       {{"defaultMode", 420},
        {"sources",
         Json::array(
             {Json{{"serviceAccountToken",
                    {{"expirationSeconds", 3607}, {"path", "token"}}}},
              Json{{"configMap",
                    {{"name", "kube-root-ca.crt"},
                     {"items", Json::array({Json{{"key", "ca.crt"},
                                                 {"path", "ca.crt"}}})}}}},
              Json{{"downwardAPI",
                    {{"items",
                      Json::array({Json{
                          {"path", "namespace"},
                          {"fieldRef",
                           {{"apiVersion", "v1"},
                            {"fieldPath", "metadata.namespace"}}}}})}}}}})}}}};
}

void AddServiceAccount(Json& pod) {
  Json& spec = pod["spec"];
  if (Str(spec, "serviceAccountName").empty()) {
    spec["serviceAccountName"] = "default";
  }
  spec["serviceAccount"] = spec["serviceAccountName"];
  if (spec.contains("automountServiceAccountToken") &&
      spec["automountServiceAccountToken"] == false) {
    return;
  }
  std::string volume;
  if (const Json* vols = Arr(spec, "volumes")) {
    for (const Json& v : *vols) {
      std::string n = Str(v, "name");
      if (n.rfind(kTokenVolumePrefix, 0) == 0) volume = n;
    }
  }
  if (volume.empty()) {
    // kube draws the suffix at random; a strategy has no Rng, so it is
    // derived from the pod's identity (uid, set before this runs).
    const Json& meta = pod["metadata"];
    volume = kTokenVolumePrefix +
             DerivedSuffix(Str(meta, "uid") + "/" + Str(meta, "namespace") +
                           "/" + Str(meta, "name"));
    if (!spec.contains("volumes") || !spec["volumes"].is_array()) {
      spec["volumes"] = Json::array();
    }
    spec["volumes"].push_back(TokenVolume(volume));
  }
  for (const char* list : {"initContainers", "containers"}) {
    if (!spec.contains(list) || !spec[list].is_array()) continue;
    for (Json& c : spec[list]) {
      if (!c.is_object()) continue;
      bool mounted = false;
      if (const Json* mounts = Arr(c, "volumeMounts")) {
        for (const Json& m : *mounts) {
          if (Str(m, "mountPath") == kTokenMountPath) mounted = true;
        }
      }
      if (mounted) continue;
      if (!c.contains("volumeMounts") || !c["volumeMounts"].is_array()) {
        c["volumeMounts"] = Json::array();
      }
      c["volumeMounts"].push_back(Json{{"name", volume},
                                       {"mountPath", kTokenMountPath},
                                       {"readOnly", true}});
    }
  }
}

void AddPriority(Json& spec) {
  std::string cls = Str(spec, "priorityClassName");
  if (!spec.contains("priority") || spec["priority"].is_null()) {
    // The two built-in classes; no PriorityClass objects are served.
    int64_t priority = cls == "system-node-critical"      ? 2000001000
                       : cls == "system-cluster-critical" ? 2000000000
                                                          : 0;
    spec["priority"] = priority;
  }
  if (!spec.contains("preemptionPolicy") ||
      spec["preemptionPolicy"].is_null()) {
    spec["preemptionPolicy"] = "PreemptLowerPriority";
  }
}

void AddDefaultTolerations(Json& spec) {
  bool not_ready = false, unreachable = false;
  if (const Json* tols = Arr(spec, "tolerations")) {
    for (const Json& t : *tols) {
      std::string key = Str(t, "key"), effect = Str(t, "effect");
      bool no_execute = effect == "NoExecute" || effect.empty();
      if ((key == "node.kubernetes.io/not-ready" || key.empty()) &&
          no_execute) {
        not_ready = true;
      }
      if ((key == "node.kubernetes.io/unreachable" || key.empty()) &&
          no_execute) {
        unreachable = true;
      }
    }
  }
  if (not_ready && unreachable) return;
  if (!spec.contains("tolerations") || !spec["tolerations"].is_array()) {
    spec["tolerations"] = Json::array();
  }
  for (auto [missing, key] :
       {std::pair{!not_ready, "node.kubernetes.io/not-ready"},
        std::pair{!unreachable, "node.kubernetes.io/unreachable"}}) {
    if (!missing) continue;
    spec["tolerations"].push_back(Json{{"key", key},
                                       {"operator", "Exists"},
                                       {"effect", "NoExecute"},
                                       {"tolerationSeconds", 300}});
  }
}

// v1 PodIP/PodIPs (and HostIP/HostIPs): the plural list is the truth; the
// singular mirrors its first entry, and a singular alone seeds the list.
void SyncIPs(Json& status, const char* single, const char* plural) {
  std::string ip = Str(status, single);
  const Json* list = Arr(status, plural);
  if (!ip.empty() &&
      (list == nullptr || list->empty() || Str((*list)[0], "ip") != ip)) {
    status[plural] = Json::array({Json{{"ip", ip}}});
  } else if (ip.empty() && list && !list->empty()) {
    std::string first = Str((*list)[0], "ip");
    if (!first.empty()) status[single] = first;
  }
}

void CopyLimitsToRequests(Json& spec, const char* list) {
  if (!spec.contains(list) || !spec[list].is_array()) return;
  for (Json& c : spec[list]) {
    const Json* res = Obj(c, "resources");
    const Json* limits = res ? Obj(*res, "limits") : nullptr;
    if (limits == nullptr) continue;
    Json& requests = c["resources"]["requests"];
    if (!requests.is_object()) requests = Json::object();
    for (const auto& [k, v] : limits->items()) {
      if (!requests.contains(k)) requests[k] = v;
    }
  }
}

}  // namespace

void DefaultPod(Json& pod) {
  if (!pod.contains("spec") || !pod["spec"].is_object())
    pod["spec"] = Json::object();
  Json& spec = pod["spec"];
  // SetDefaults_Pod
  CopyLimitsToRequests(spec, "containers");
  CopyLimitsToRequests(spec, "initContainers");
  if (!spec.contains("enableServiceLinks") ||
      spec["enableServiceLinks"].is_null()) {
    spec["enableServiceLinks"] = true;
  }
  if (BoolField(spec, "hostNetwork")) {
    for (const char* list : {"containers", "initContainers"}) {
      if (!spec.contains(list) || !spec[list].is_array()) continue;
      for (Json& c : spec[list]) {
        if (!c.contains("ports") || !c["ports"].is_array()) continue;
        for (Json& p : c["ports"]) {
          if (IntField(p, "hostPort") == 0 && p.contains("containerPort")) {
            p["hostPort"] = p["containerPort"];
          }
        }
      }
    }
  }
  DefaultPodSpec(spec);
  // v1 <-> internal conversion of the deprecated serviceAccount field.
  std::string sa = Str(spec, "serviceAccountName");
  if (sa.empty()) sa = Str(spec, "serviceAccount");
  if (!sa.empty()) {
    spec["serviceAccountName"] = sa;
    spec["serviceAccount"] = sa;
  }
  if (!pod.contains("status") || !pod["status"].is_object()) {
    pod["status"] = Json::object();
  }
  SyncIPs(pod["status"], "podIP", "podIPs");
  SyncIPs(pod["status"], "hostIP", "hostIPs");
}

void AdmitPod(Json& pod) {
  const Json* annotations = Obj(pod["metadata"], "annotations");
  bool mirror =
      annotations && annotations->contains("kubernetes.io/config.mirror");
  Json& spec = pod["spec"];
  if (!mirror) AddServiceAccount(pod);
  AddPriority(spec);
  AddDefaultTolerations(spec);
}

}  // namespace ksim::apiserver
