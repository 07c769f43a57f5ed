// Label requirements and selectors: matching, canonical strings and
// metav1.LabelSelector conversion. Validation is in selector_validation.cc,
// the string grammar in selector_parse.cc, field selectors in
// selector_field.cc.
#include "apiserver/selector.h"

#include <algorithm>

#include "apiserver/selector_internal.h"

namespace ksim::apiserver {

using Op = LabelRequirement::Op;

bool LabelRequirement::Matches(const StringMap& labels) const {
  auto it = labels.find(key);
  bool has = it != labels.end();
  auto has_value = [&] {
    return std::binary_search(values.begin(), values.end(), it->second);
  };
  switch (op) {
    case Op::kIn:
    case Op::kEquals:
    case Op::kDoubleEquals:
      return has && has_value();
    case Op::kNotIn:
    case Op::kNotEquals:
      return !has || !has_value();
    case Op::kExists:
      return has;
    case Op::kDoesNotExist:
      return !has;
    case Op::kGreaterThan:
    case Op::kLessThan: {
      if (!has || values.size() != 1) return false;
      auto label = selector_internal::ParseInt64(it->second);
      auto bound = selector_internal::ParseInt64(values[0]);
      if (!label || !bound) return false;
      return op == Op::kGreaterThan ? *label > *bound : *label < *bound;
    }
  }
  return false;
}

std::string LabelRequirement::String() const {
  std::string out = op == Op::kDoesNotExist ? "!" + key : key;
  switch (op) {
    case Op::kEquals:
      out += "=";
      break;
    case Op::kDoubleEquals:
      out += "==";
      break;
    case Op::kNotEquals:
      out += "!=";
      break;
    case Op::kIn:
      out += " in ";
      break;
    case Op::kNotIn:
      out += " notin ";
      break;
    case Op::kGreaterThan:
      out += ">";
      break;
    case Op::kLessThan:
      out += "<";
      break;
    case Op::kExists:
    case Op::kDoesNotExist:
      return out;
  }
  bool set = op == Op::kIn || op == Op::kNotIn;
  if (set) out += "(";
  for (size_t i = 0; i < values.size(); ++i) out += (i ? "," : "") + values[i];
  if (set) out += ")";
  return out;
}

LabelSelector LabelSelector::Nothing() {
  LabelSelector s;
  s.nothing_ = true;
  return s;
}

base::StatusOr<LabelSelector> LabelSelector::Parse(std::string_view s) {
  KSIM_ASSIGN_OR_RETURN(auto reqs, selector_internal::ParseRequirements(s));
  LabelSelector sel;
  sel.requirements_ = std::move(reqs);
  std::stable_sort(sel.requirements_.begin(), sel.requirements_.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  return sel;
}

namespace {

base::StatusOr<Op> ExpressionOp(const base::Json& op) {
  std::string name = op.is_string() ? op.get<std::string>() : "";
  if (name == "In") return Op::kIn;
  if (name == "NotIn") return Op::kNotIn;
  if (name == "Exists") return Op::kExists;
  if (name == "DoesNotExist") return Op::kDoesNotExist;
  return base::BadRequest(selector_internal::GoQuote(name) +
                          " is not a valid label selector operator");
}

base::Status NotAStringError(const std::string& what) {
  return base::BadRequest("label selector: " + what + " must be a string");
}

}  // namespace

base::StatusOr<LabelSelector> LabelSelector::FromJson(
    const base::Json& selector) {
  if (selector.is_null()) return Nothing();
  if (!selector.is_object()) {
    return base::BadRequest("label selector must be an object");
  }
  LabelSelector sel;
  const base::Json* labels = base::Find(selector, {"matchLabels"});
  if (labels != nullptr && labels->is_object()) {
    for (const auto& [k, v] : labels->items()) {
      if (!v.is_string()) return NotAStringError("matchLabels." + k);
      KSIM_ASSIGN_OR_RETURN(auto r, selector_internal::NewRequirement(
                                        k, Op::kEquals, {v.get<std::string>()},
                                        /*values_from_json=*/true));
      sel.requirements_.push_back(std::move(r));
    }
  }
  const base::Json* exprs = base::Find(selector, {"matchExpressions"});
  if (exprs != nullptr && exprs->is_array()) {
    for (const auto& e : *exprs) {
      KSIM_ASSIGN_OR_RETURN(Op op, ExpressionOp(e.value("operator", "")));
      std::vector<std::string> values;
      for (const auto& v : e.value("values", base::Json::array())) {
        if (!v.is_string()) return NotAStringError("matchExpressions.values");
        values.push_back(v.get<std::string>());
      }
      KSIM_ASSIGN_OR_RETURN(
          auto r, selector_internal::NewRequirement(e.value("key", ""), op,
                                                    std::move(values), true));
      sel.requirements_.push_back(std::move(r));
    }
  }
  std::stable_sort(sel.requirements_.begin(), sel.requirements_.end(),
                   [](const auto& a, const auto& b) { return a.key < b.key; });
  return sel;
}

LabelSelector LabelSelector::FromSet(const StringMap& set) {
  LabelSelector sel;
  for (const auto& [k, v] : set) {  // std::map: already sorted by key
    sel.requirements_.push_back({k, Op::kEquals, {v}});
  }
  return sel;
}

bool LabelSelector::Matches(const StringMap& labels) const {
  if (nothing_) return false;
  for (const auto& r : requirements_) {
    if (!r.Matches(labels)) return false;
  }
  return true;
}

std::string LabelSelector::String() const {
  std::string out;
  for (const auto& r : requirements_) {
    out += (out.empty() ? "" : ",") + r.String();
  }
  return out;
}

std::optional<std::string> LabelSelector::RequiresExactMatch(
    std::string_view key) const {
  for (const auto& r : requirements_) {
    if (r.key != key) continue;
    bool exact =
        r.op == Op::kEquals || r.op == Op::kDoubleEquals || r.op == Op::kIn;
    if (exact && r.values.size() == 1) return r.values[0];
    return std::nullopt;
  }
  return std::nullopt;
}

}  // namespace ksim::apiserver
