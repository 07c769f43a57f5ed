// Container environment (env, envFrom) and volume mounts, after ValidateEnv,
// ValidateEnvFrom and ValidateVolumeMounts of pkg/apis/core/validation.
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

void ValidateKeySelector(const Json& ref, const std::string& path,
                         FieldErrors& errs) {
  AddNameErrors(NameRule::kDNS1123Subdomain, Child(path, "name"),
                Str(ref, "name"), errs);
  std::string key = Str(ref, "key");
  if (key.empty()) {
    errs.push_back(Required(Child(path, "key")));
  } else {
    for (std::string& m : IsConfigMapKey(key)) {
      errs.push_back(Invalid(Child(path, "key"), key, std::move(m)));
    }
  }
}

void ValidateFieldRef(const Json& ref, const std::string& path,
                      FieldErrors& errs) {
  static const std::vector<std::string> kPaths = {"metadata.name",
                                                  "metadata.namespace",
                                                  "metadata.uid",
                                                  "spec.nodeName",
                                                  "spec.serviceAccountName",
                                                  "status.hostIP",
                                                  "status.hostIPs",
                                                  "status.podIP",
                                                  "status.podIPs"};
  if (Str(ref, "apiVersion").empty()) {
    errs.push_back(Required(Child(path, "apiVersion")));
    return;
  }
  std::string fp = Str(ref, "fieldPath");
  if (fp.empty()) {
    errs.push_back(Required(Child(path, "fieldPath")));
    return;
  }
  for (const char* prefix : {"metadata.labels['", "metadata.annotations['"}) {
    std::string p = prefix;
    if (fp.rfind(p, 0) == 0 && fp.size() > p.size() + 1 &&
        fp.substr(fp.size() - 2) == "']") {
      return;
    }
  }
  for (const std::string& ok : kPaths) {
    if (fp == ok) return;
  }
  errs.push_back(NotSupported(Child(path, "fieldPath"), fp, kPaths));
}

}  // namespace

void ValidateContainerEnv(const Json& c, const std::string& path,
                          FieldErrors& errs) {
  const Json* env = Arr(c, "env");
  for (size_t i = 0; env && i < env->size(); ++i) {
    const Json& e = (*env)[i];
    std::string ep = Index(path, i);
    std::string name = Str(e, "name");
    if (name.empty()) {
      errs.push_back(Required(Child(ep, "name")));
    } else {
      for (std::string& m : IsRelaxedEnvVarName(name)) {
        errs.push_back(Invalid(Child(ep, "name"), name, std::move(m)));
      }
    }
    const Json* from = Obj(e, "valueFrom");
    if (from == nullptr) continue;
    std::string fp = Child(ep, "valueFrom");
    int sources = 0;
    if (const Json* r = Obj(*from, "fieldRef")) {
      ++sources;
      ValidateFieldRef(*r, Child(fp, "fieldRef"), errs);
    }
    if (const Json* r = Obj(*from, "resourceFieldRef")) {
      ++sources;
      if (Str(*r, "resource").empty()) {
        errs.push_back(
            Required(Child(Child(fp, "resourceFieldRef"), "resource")));
      }
    }
    if (const Json* r = Obj(*from, "configMapKeyRef")) {
      ++sources;
      ValidateKeySelector(*r, Child(fp, "configMapKeyRef"), errs);
    }
    if (const Json* r = Obj(*from, "secretKeyRef")) {
      ++sources;
      ValidateKeySelector(*r, Child(fp, "secretKeyRef"), errs);
    }
    if (sources == 0) {
      errs.push_back(Invalid(fp, "",
                             "must specify one of: `fieldRef`, "
                             "`resourceFieldRef`, `configMapKeyRef` or "
                             "`secretKeyRef`"));
    } else if (!Str(e, "value").empty()) {
      errs.push_back(
          Invalid(fp, "", "may not be specified when `value` is not empty"));
    } else if (sources > 1) {
      errs.push_back(Invalid(
          fp, "", "may not have more than one field specified at a time"));
    }
  }
  const Json* env_from = Arr(c, "envFrom");
  std::string efp = Child(path.substr(0, path.rfind('.')), "envFrom");
  for (size_t i = 0; env_from && i < env_from->size(); ++i) {
    const Json& e = (*env_from)[i];
    int sources = 0;
    for (const char* k : {"configMapRef", "secretRef"}) {
      if (const Json* r = Obj(e, k)) {
        ++sources;
        std::string name = Str(*r, "name");
        std::string np = Child(Child(Index(efp, i), k), "name");
        if (name.empty()) {
          errs.push_back(Required(np));
        } else {
          for (std::string& m :
               ValidateName(NameRule::kDNS1123Subdomain, name, true)) {
            errs.push_back(Invalid(np, name, std::move(m)));
          }
        }
      }
    }
    if (sources == 0) {
      errs.push_back(Invalid(
          efp, "", "must specify one of: `configMapRef` or `secretRef`"));
    } else if (sources > 1) {
      errs.push_back(Invalid(
          efp, "", "may not have more than one field specified at a time"));
    }
  }
}

void ValidateContainerMounts(const Json& c, const Json& spec,
                             const std::string& path, FieldErrors& errs) {
  const Json* mounts = Arr(c, "volumeMounts");
  if (mounts == nullptr) return;
  std::set<std::string> volumes, paths;
  if (const Json* vols = Arr(spec, "volumes")) {
    for (const Json& v : *vols) volumes.insert(Str(v, "name"));
  }
  for (size_t i = 0; i < mounts->size(); ++i) {
    const Json& m = (*mounts)[i];
    std::string mp = Index(path, i);
    std::string name = Str(m, "name");
    if (name.empty()) errs.push_back(Required(Child(mp, "name")));
    if (!volumes.count(name))
      errs.push_back(NotFoundField(Child(mp, "name"), name));
    std::string mount_path = Str(m, "mountPath");
    if (mount_path.empty()) errs.push_back(Required(Child(mp, "mountPath")));
    if (!paths.insert(mount_path).second) {
      errs.push_back(
          Invalid(Child(mp, "mountPath"), mount_path, "must be unique"));
    }
  }
}

}  // namespace ksim::apiserver
