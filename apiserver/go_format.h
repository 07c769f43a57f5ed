// How Go prints decoded JSON values, for error messages that must read as
// kube-apiserver's do (its patch code formats maps and lists with %v) and
// for JSON that must be byte-identical to what Go's encoding/json writes.
//
// Values are taken as Go's encoding/json (with kube's int-preserving
// decoder) would hold them: objects as map[string]interface{}, arrays as
// []interface{}, integers as int64, other numbers as float64.
// All functions are pure and thread-safe.
#ifndef KSIM_APISERVER_GO_FORMAT_H_
#define KSIM_APISERVER_GO_FORMAT_H_

#include <string>
#include <string_view>

#include "base/json.h"

namespace ksim::apiserver {

// fmt's %v: map[a:1 b:[x y]], <nil>, 1.5, 1e+06 ...
std::string GoFormat(const base::Json& v);
// reflect.TypeOf(v).String(): "map[string]interface {}", "[]interface {}",
// "string", "int64", "float64", "bool", "<nil>".
std::string GoTypeName(const base::Json& v);
// JSON kind names Go's decoder uses in "cannot unmarshal X into ...":
// "object", "array", "string", "number", "bool".
std::string GoJsonKind(const base::Json& v);
// fmt's %q of a string: "a\"b\n".
std::string GoQuote(std::string_view s);
// Compact JSON as encoding/json.Marshal writes it: sorted keys and <, >, &,
// U+2028, U+2029 escaped as \u003c ...
std::string GoJsonMarshal(const base::Json& v);

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_GO_FORMAT_H_
