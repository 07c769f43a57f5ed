// Label and field selectors, parsed and matched as
// k8s.io/apimachinery/pkg/labels and pkg/fields do (v0.32): the same grammar,
// the same canonical String() and the same error wording, because clients
// see these messages in 400 responses (`kubectl get pods -l 'a in'`).
// Values are immutable after parsing; safe for concurrent use.
#ifndef KSIM_APISERVER_SELECTOR_H_
#define KSIM_APISERVER_SELECTOR_H_

#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "base/json.h"
#include "base/status.h"

namespace ksim::apiserver {

using StringMap = std::map<std::string, std::string>;

struct LabelRequirement {
  // kDoubleEquals matches like kEquals but prints as "==" (labels keeps the
  // operator as written).
  enum class Op {
    kEquals,
    kDoubleEquals,
    kNotEquals,
    kIn,
    kNotIn,
    kExists,
    kDoesNotExist,
    kGreaterThan,
    kLessThan
  };
  std::string key;
  Op op;
  // Sorted. (The parser dedupes them as labels' sets.String does; FromJson
  // keeps duplicates, which never changes what matches.)
  std::vector<std::string> values;

  bool Matches(const StringMap& labels) const;
  // "app=web", "env in (a,b)", "!legacy", "x>3" (labels.Requirement.String).
  std::string String() const;
};

class LabelSelector {
 public:
  // The everything selector (matches all labels).
  LabelSelector() = default;
  // labels.Nothing(): matches no labels, prints as "".
  static LabelSelector Nothing();

  // The string form: "app=web,tier!=db,env in (a,b),!legacy,partition,x>3".
  // Errors are BadRequest worded as labels.Parse words them, e.g.
  //   unable to parse requirement: found '' expected: '('
  //   unable to parse requirement: <nil>: Invalid value: "-a": name part
  //   must consist of alphanumeric characters, ...
  static base::StatusOr<LabelSelector> Parse(std::string_view s);
  // A metav1.LabelSelector object ({matchLabels, matchExpressions}), as in a
  // Deployment's spec.selector (metav1.LabelSelectorAsSelector): null gives
  // Nothing(), an empty object Everything. Errors are BadRequest, e.g.
  //   "Foo" is not a valid label selector operator
  static base::StatusOr<LabelSelector> FromJson(const base::Json& selector);

  // labels.SelectorFromSet: "k=v" for every entry, unvalidated (a
  // Service's spec.selector). An empty set selects everything.
  static LabelSelector FromSet(const StringMap& set);

  // True when it restricts nothing (Nothing() is not empty).
  bool Empty() const { return !nothing_ && requirements_.empty(); }
  bool Matches(const StringMap& labels) const;
  // Canonical string form (requirements sorted by key), as labels.Selector's
  // String() prints it; used for Scale's status.selector and table cells.
  std::string String() const;
  // The value a "key=v", "key==v" or "key in (v)" requirement pins, if any
  // (labels.Selector.RequiresExactMatch).
  std::optional<std::string> RequiresExactMatch(std::string_view key) const;
  const std::vector<LabelRequirement>& requirements() const {
    return requirements_;
  }

 private:
  std::vector<LabelRequirement> requirements_;  // stable-sorted by key
  bool nothing_ = false;
};

class FieldSelector {
 public:
  struct Term {
    std::string field;
    bool equals;        // "=" / "==" when true, "!=" when false
    std::string value;  // unescaped
  };
  // "metadata.name=webapp,status.phase!=Running" with fields.ParseSelector's
  // escaping (\\, \, and \= inside values). Terms are kept in the order
  // fields sorts them. Errors are BadRequest, e.g.
  //   invalid selector: 'a'; can't understand 'a'
  //   invalid field selector: invalid escape sequence: \x
  static base::StatusOr<FieldSelector> Parse(std::string_view s);

  bool Empty() const { return terms_.empty(); }
  // A field missing from `fields` compares as "".
  bool Matches(const StringMap& fields) const;
  // "metadata.name=webapp,status.phase!=Running", values re-escaped.
  std::string String() const;
  // The value an "=" term pins for `field`, if any.
  std::optional<std::string> RequiresExactMatch(std::string_view field) const;
  const std::vector<Term>& terms() const { return terms_; }

 private:
  std::vector<Term> terms_;
};

}  // namespace ksim::apiserver

#endif  // KSIM_APISERVER_SELECTOR_H_
