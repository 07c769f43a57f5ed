// Validation helpers shared by every Strategy, after
// k8s.io/apimachinery/pkg/util/validation (names, labels, ports, IPs),
// k8s.io/apimachinery/pkg/api/validation (object metadata) and
// k8s.io/apimachinery/pkg/apis/meta/v1/validation (labels, selectors), with
// kube-apiserver 1.32's messages word for word.
//
// The Is* functions return the list of problems (empty when valid), as their
// Go counterparts do; the Validate* functions return FieldErrors.
//
// Objects are JSON as the wire carries them. Maps (labels, annotations) are
// visited in key order, so the error order is deterministic where Go's map
// order is random.
//
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_VALIDATION_H_
#define KSIM_APISERVER_VALIDATION_H_

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/field_errors.h"
#include "base/json.h"

namespace ksim::apiserver {

using base::Json;
using Messages = std::vector<std::string>;

// ---- Field paths (field.Path.String()) ----
// Child("spec", "ports") = "spec.ports"; Child("", "spec") = "spec".
std::string Child(std::string_view path, std::string_view name);
// Index("spec.ports", 0) = "spec.ports[0]".
std::string Index(std::string_view path, size_t i);
// Key("data", "a.b") = "data[a.b]".
std::string Key(std::string_view path, std::string_view key);

// ---- Go rendering of bad values (see FieldError::go_value) ----
// strconv.Quote: "a\tb" -> "\"a\\tb\"".
std::string StrconvQuote(std::string_view s);
// %#v of []string: `[]string{"a", "b"}`; null/missing -> `[]string(nil)`.
std::string GoStringSlice(const Json* list);
// %#v of map[string]string: `map[string]string{"a":"b"}` (keys sorted, as
// fmt prints maps); null/missing -> `map[string]string(nil)`.
std::string GoStringMap(const Json* map);
// %#v of intstr.IntOrString: `intstr.IntOrString{Type:0, IntVal:5, StrVal:""}`.
std::string GoIntOrString(const Json& v);
// %#v of a metav1.LabelSelector (spec.selector of apps objects).
std::string GoLabelSelector(const Json* selector);

// ---- Strings (k8s.io/apimachinery/pkg/util/validation) ----
Messages IsDNS1123Label(std::string_view value);
Messages IsDNS1123Subdomain(std::string_view value);
Messages IsDNS1035Label(std::string_view value);
// Label keys, annotation keys, finalizer names.
Messages IsQualifiedName(std::string_view value);
Messages IsValidLabelValue(std::string_view value);
// ConfigMap and Secret keys.
Messages IsConfigMapKey(std::string_view value);
Messages IsValidPortNum(int64_t port);
// IANA service names (container port names, named target ports).
Messages IsValidPortName(std::string_view port);
Messages IsValidPercent(std::string_view percent);
Messages IsHTTPHeaderName(std::string_view value);
// Environment variable names, relaxed form (RelaxedEnvironmentVariable-
// Validation is on by default in 1.32).
Messages IsRelaxedEnvVarName(std::string_view value);
Messages IsValidUserOrGroupID(int64_t id);
std::string InclusiveRangeError(int64_t lo, int64_t hi);

// IP addresses as netutils.ParseIPSloppy reads them (IPv4 may carry leading
// zeros).
bool IsIPv4(std::string_view s);
bool IsIPv6(std::string_view s);
inline bool IsIP(std::string_view s) { return IsIPv4(s) || IsIPv6(s); }
bool IsCIDR(std::string_view s);
// "must be a valid IP address, (e.g. 10.9.8.7 or 2001:db8::ffff)"
FieldErrors ValidateIP(const std::string& path, std::string_view ip);
// Endpoints and EndpointSlices may not use unspecified, loopback or
// link-local addresses (ValidateNonSpecialIP).
FieldErrors ValidateNonSpecialIP(const std::string& path, std::string_view ip);
FieldErrors ValidateCIDR(const std::string& path, std::string_view cidr);

// ---- Names ----
enum class NameRule {
  kDNS1123Subdomain,  // most kinds
  kDNS1123Label,      // namespaces
  kDNS1035Label,      // services
  kPathSegment,       // no rule but the URL's (v1 Events)
};
// apimachineryvalidation.NameIsDNSSubdomain etc. `prefix` is true for a
// generateName (a trailing dash is then allowed).
Messages ValidateName(NameRule rule, std::string_view name, bool prefix);
// Appends Invalid(path, value, msg) for each problem of `value` under `rule`.
void AddNameErrors(NameRule rule, const std::string& path,
                   std::string_view value, FieldErrors& errs);

// ---- Metadata ----
// Labels as `metadata.labels` (or a selector's matchLabels) carries them.
FieldErrors ValidateLabels(const Json* labels, const std::string& path);
// Annotation keys (case-insensitive qualified names) and the 256 KiB total.
FieldErrors ValidateAnnotations(const Json* annotations,
                                const std::string& path);
// A metav1.LabelSelector's structure: matchLabels, matchExpressions
// operators and values.
FieldErrors ValidateLabelSelector(const Json* selector,
                                  const std::string& path);
// Finalizer names: qualified names, and unqualified ones only if standard.
FieldErrors ValidateFinalizerName(std::string_view name,
                                  const std::string& path);
// ValidateObjectMeta for a create: name (or generateName) under `rule`,
// namespace required or forbidden, generation, labels, annotations, owner
// references, finalizers.
FieldErrors ValidateObjectMeta(const Json& obj, bool namespaced, NameRule rule);
// ValidateObjectMetaUpdate: immutable name, namespace, uid,
// creationTimestamp, deletion fields; generation not decremented; no new
// finalizers once deleting; plus labels, annotations, owner references and
// finalizers of the new object. (A missing resourceVersion is the generic
// store's business: every served kind allows unconditional updates.)
FieldErrors ValidateObjectMetaUpdate(const Json& obj, const Json& old);

// ---- Small helpers for strategies ----
// Appends all of `more` to `errs`.
void Append(FieldErrors& errs, FieldErrors more);
// field.Invalid(path, value, "must be greater than or equal to 0") if < 0.
void ValidateNonnegative(const Json* value, const std::string& path,
                         FieldErrors& errs);
// The string at obj[key] or "" (also for non-strings).
std::string Str(const Json& obj, std::string_view key);
// The object or array at obj[key], or null when missing or of another type.
const Json* Obj(const Json& obj, std::string_view key);
const Json* Arr(const Json& obj, std::string_view key);
// The integer / boolean at obj[key], or the fallback (also for other types).
int64_t IntField(const Json& obj, std::string_view key, int64_t fallback = 0);
bool BoolField(const Json& obj, std::string_view key, bool fallback = false);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_VALIDATION_H_
