// Label and field selectors, parsed and matched as
// k8s.io/apimachinery/pkg/labels and pkg/fields do.
// Values are immutable after parsing; safe for concurrent use.
#ifndef KSIM_APISERVER_SELECTOR_H_
#define KSIM_APISERVER_SELECTOR_H_

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

using StringMap = std::map<std::string, std::string>;

struct LabelRequirement {
  enum class Op { kEquals, kNotEquals, kIn, kNotIn, kExists, kDoesNotExist,
                  kGreaterThan, kLessThan };
  std::string key;
  Op op;
  std::vector<std::string> values;  // sorted, as labels.Requirement keeps them
};

class LabelSelector {
 public:
  // The string form: "app=web,tier!=db,env in (a,b),!legacy,partition,x>3".
  // Errors are BadRequest worded as labels.Parse words them, e.g.
  //   unable to parse requirement: <nil>: Invalid value: "a b": name part must
  //   consist of alphanumeric characters, ...
  static base::StatusOr<LabelSelector> Parse(std::string_view s);
  // A metav1.LabelSelector object ({matchLabels, matchExpressions}), as in a
  // Deployment's spec.selector (LabelSelectorAsSelector). An empty object
  // matches everything.
  static base::StatusOr<LabelSelector> FromJson(const base::Json& selector);

  bool Empty() const { return requirements_.empty(); }
  bool Matches(const StringMap& labels) const;
  // Canonical string form (requirements sorted by key), as labels.Selector's
  // String() prints it; used for Scale's status.selector.
  std::string String() const;
  const std::vector<LabelRequirement>& requirements() const {
    return requirements_;
  }

 private:
  std::vector<LabelRequirement> requirements_;
};

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool equals;  // "=" / "==" when true, "!=" when false
    std::string value;
  };
  // "metadata.name=webapp,status.phase!=Running" (with fields.Parse's
  // escaping of \, and \=). Errors are BadRequest.
  static base::StatusOr<FieldSelector> Parse(std::string_view s);

  bool Empty() const { return terms_.empty(); }
  // A field missing from `fields` compares as "".
  bool Matches(const StringMap& fields) const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SELECTOR_H_
