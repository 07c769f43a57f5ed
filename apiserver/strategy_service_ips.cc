// The ClusterIP and IP-family rules of Services: ValidateServiceClusterIPs-
// RelatedFields and the upgrade/downgrade checks of ValidateServiceUpdate
// (pkg/apis/core/validation, 1.32).
#include <set>

#include "apiserver/strategy_internal.h"
#include "apiserver/validation.h"

namespace ksim::apiserver {
namespace {

bool Headless(const Json& spec) {
  const Json* ips = Arr(spec, "clusterIPs");
  return ips && ips->size() == 1 && (*ips)[0] == "None";
}

std::string GoIPFamilies(const Json* list) {
  std::string s = GoStringSlice(list);
  if (s == "[]string(nil)") return "[]core.IPFamily(nil)";
  return "[]core.IPFamily" + s.substr(8);
}

void FamilyRules(const Json& spec, const Json& old_spec, size_t n,
                 const std::string& go_ips, bool single, FieldErrors& errs) {
  const Json* fams = Arr(spec, "ipFamilies");
  const Json* old_fams = Arr(old_spec, "ipFamilies");
  size_t f = fams ? fams->size() : 0, of = old_fams ? old_fams->size() : 0;
  if (f == of) {
    for (size_t i = 0; i < of; ++i) {
      if ((*old_fams)[i] != (*fams)[i]) {
        errs.push_back(InvalidGo("spec.ipFamilies[0]", GoIPFamilies(fams),
                                 "may not change once set"));
      }
    }
  } else if (of > f) {
    if (n == 0) {
      errs.push_back(InvalidGo("spec.ipFamilies[0]", GoIPFamilies(fams),
                               "primary ipFamily can not be unset"));
    }
    if (f > 0 && (*fams)[0] != (*old_fams)[0]) {
      errs.push_back(
          InvalidGo("spec.ipFamilies[0]", go_ips, "may not change once set"));
    }
    if (f == 1 && !single) {
      errs.push_back(Invalid("spec.ipFamilyPolicy",
                             spec.value("ipFamilyPolicy", Json()),
                             "must be set to 'SingleStack' when releasing the "
                             "secondary ipFamily"));
    }
  } else if (of > 0 && f > 0 && (*fams)[0] != (*old_fams)[0]) {
    errs.push_back(
        InvalidGo("spec.ipFamilies[0]", go_ips, "may not change once set"));
  }
}

}  // namespace

void ValidateServiceClusterIPs(const Json& spec, FieldErrors& errs) {
  if (Str(spec, "type") == "ExternalName") return;
  const Json* ips = Arr(spec, "clusterIPs");
  size_t n = ips ? ips->size() : 0;
  std::string cip = Str(spec, "clusterIP");
  if (!cip.empty()) {
    if (n == 0) {
      errs.push_back(Required("spec.clusterIPs"));
    } else if ((*ips)[0] != cip) {
      errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                               "first value must match `clusterIP`"));
    }
  } else if (n != 0) {
    errs.push_back(
        InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                  "must be empty when `clusterIP` is not specified"));
  }
  std::set<std::string> seen;
  const Json* families = Arr(spec, "ipFamilies");
  for (size_t i = 0; families && i < families->size(); ++i) {
    std::string f =
        (*families)[i].is_string() ? (*families)[i].get<std::string>() : "";
    if (f != "IPv4" && f != "IPv6") {
      errs.push_back(
          NotSupported(Index("spec.ipFamilies", i), f, {"IPv4", "IPv6"}));
    }
    if (!seen.insert(f).second)
      errs.push_back(Duplicate(Index("spec.ipFamilies", i), f));
  }
  if (spec.contains("ipFamilyPolicy") && !spec["ipFamilyPolicy"].is_null()) {
    std::string pol = Str(spec, "ipFamilyPolicy");
    if (pol != "SingleStack" && pol != "PreferDualStack" &&
        pol != "RequireDualStack") {
      errs.push_back(
          NotSupported("spec.ipFamilyPolicy", pol,
                       {"PreferDualStack", "RequireDualStack", "SingleStack"}));
    }
  }
  bool invalid = false;
  for (size_t i = 0; i < n; ++i) {
    std::string ip = (*ips)[i].is_string() ? (*ips)[i].get<std::string>() : "";
    if (i == 0 && ip == "None") {
      if (n > 1) {
        invalid = true;
        errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                                 "'None' must be the first and only value"));
      }
      continue;
    }
    FieldErrors e = ValidateIP(Index("spec.clusterIPs", i), ip);
    invalid = invalid || !e.empty();
    Append(errs, std::move(e));
  }
  if (n > 2) {
    errs.push_back(InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                             "may only hold up to 2 values"));
  }
  if (invalid) return;
  auto v6 = [&](size_t i) {
    return (*ips)[i].is_string() && IsIPv6((*ips)[i].get<std::string>());
  };
  if (n > 1 && v6(0) == v6(1)) {
    errs.push_back(
        InvalidGo("spec.clusterIPs", GoStringSlice(ips),
                  "may specify no more than one IP for each IP family"));
  }
  if (!Headless(spec) && n > 0 && families) {
    for (size_t i = 0; i < n && i < families->size(); ++i) {
      std::string ip = (*ips)[i].get<std::string>();
      std::string f =
          (*families)[i].is_string() ? (*families)[i].get<std::string>() : "";
      std::string idx = "`ipFamilies[" + std::to_string(i) + "]`";
      if (f == "IPv4" && IsIPv6(ip)) {
        errs.push_back(
            Invalid(Index("spec.clusterIPs", i), ip,
                    "expected an IPv4 value as indicated by " + idx));
      }
      if (f == "IPv6" && !IsIPv6(ip)) {
        errs.push_back(
            Invalid(Index("spec.clusterIPs", i), ip,
                    "expected an IPv6 value as indicated by " + idx));
      }
    }
  }
}

FieldErrors ValidateServiceUpdateRules(const Json& svc, const Json& old) {
  FieldErrors errs;
  static const Json kEmpty = Json::object();
  const Json& spec = Obj(svc, "spec") ? svc["spec"] : kEmpty;
  const Json& old_spec = Obj(old, "spec") ? old["spec"] : kEmpty;
  if (Str(spec, "type") == "ExternalName" ||
      Str(old_spec, "type") == "ExternalName") {
    return errs;
  }
  bool headless = Headless(spec), old_headless = Headless(old_spec);
  const Json* ips = Arr(spec, "clusterIPs");
  const Json* old_ips = Arr(old_spec, "clusterIPs");
  size_t n = ips ? ips->size() : 0, m = old_ips ? old_ips->size() : 0;
  std::string go_ips = GoStringSlice(ips);
  bool single = Str(spec, "ipFamilyPolicy") == "SingleStack";
  if (!(headless && old_headless)) {
    if (n == m) {
      for (size_t i = 0; i < m; ++i) {
        if ((*old_ips)[i] != (*ips)[i]) {
          errs.push_back(InvalidGo(Index("spec.clusterIPs", i), go_ips,
                                   "may not change once set"));
        }
      }
    } else if (m > n) {
      if (n == 0) {
        errs.push_back(InvalidGo("spec.clusterIPs[0]", go_ips,
                                 "primary clusterIP can not be unset"));
      }
      if (n > 0 && (*ips)[0] != (*old_ips)[0]) {
        errs.push_back(
            InvalidGo("spec.clusterIPs[0]", go_ips, "may not change once set"));
      }
      if (n == 1 && !single) {
        errs.push_back(
            Invalid("spec.ipFamilyPolicy", spec.value("ipFamilyPolicy", Json()),
                    "must be set to 'SingleStack' when releasing the "
                    "secondary clusterIP"));
      }
    } else if (m > 0 && (*ips)[0] != (*old_ips)[0]) {
      errs.push_back(
          InvalidGo("spec.clusterIPs[0]", go_ips, "may not change once set"));
    }
  }
  if (headless == old_headless && !headless) {
    FamilyRules(spec, old_spec, n, go_ips, single, errs);
  }
  // A health-check node port stays as long as both need one.
  auto needs_hc = [](const Json& sp) {
    return Str(sp, "type") == "LoadBalancer" &&
           Str(sp, "externalTrafficPolicy") == "Local";
  };
  if (needs_hc(spec) && needs_hc(old_spec) &&
      IntField(spec, "healthCheckNodePort") !=
          IntField(old_spec, "healthCheckNodePort")) {
    errs.push_back(Forbidden("spec.healthCheckNodePort", "field is immutable"));
  }
  return errs;
}

}  // namespace ksim::apiserver
