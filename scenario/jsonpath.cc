#include "scenario/jsonpath.h"

#include <cctype>

namespace ksim::scenario {
namespace {

using base::Json;

class Evaluator {
 public:
  explicit Evaluator(std::string p) : p_(std::move(p)) {}

  base::StatusOr<std::vector<Json>> Run(const Json& doc) {
    Strip();
    std::vector<Json> cur = {doc};
    while (i_ < p_.size()) {
      if (p_[i_] == '.') {
        ++i_;
        if (i_ < p_.size() && p_[i_] == '.') return Error("recursive descent");
        std::string name = Ident();
        if (name.empty()) {
          if (i_ >= p_.size() && p_ == ".") break;  // "{.}": the document
          return Error("a field name");
        }
        cur = Field(cur, name);
      } else if (p_[i_] == '[') {
        ++i_;
        KSIM_RETURN_IF_ERROR(Bracket(&cur));
      } else {
        return Error("'.' or '['");
      }
    }
    return cur;
  }

 private:
  void Strip() {
    while (!p_.empty() && std::isspace(static_cast<unsigned char>(p_.back()))) {
      p_.pop_back();
    }
    size_t b = 0;
    while (b < p_.size() && std::isspace(static_cast<unsigned char>(p_[b]))) ++b;
    p_ = p_.substr(b);
    if (p_.size() >= 2 && p_.front() == '{' && p_.back() == '}') {
      p_ = p_.substr(1, p_.size() - 2);
    }
    if (!p_.empty() && p_[0] == '$') p_ = p_.substr(1);
  }

  base::Status Error(const std::string& want) {
    return base::BadRequest("jsonpath \"" + p_ + "\": expected " + want +
                            " at offset " + std::to_string(i_));
  }

  std::string Ident() {
    size_t b = i_;
    while (i_ < p_.size() && p_[i_] != '.' && p_[i_] != '[' &&
           p_[i_] != ']' && p_[i_] != ')' && p_[i_] != '=' &&
           p_[i_] != '!' && p_[i_] != ' ') {
      ++i_;
    }
    return p_.substr(b, i_ - b);
  }

  static std::vector<Json> Field(const std::vector<Json>& in,
                                 const std::string& name) {
    std::vector<Json> out;
    for (const Json& j : in) {
      if (j.is_object() && j.contains(name)) out.push_back(j[name]);
    }
    return out;
  }

  base::StatusOr<std::string> Quoted() {
    char q = p_[i_++];
    size_t b = i_;
    while (i_ < p_.size() && p_[i_] != q) ++i_;
    if (i_ >= p_.size()) return Error("a closing quote");
    return p_.substr(b, i_++ - b);
  }

  base::Status Expect(char c) {
    if (i_ >= p_.size() || p_[i_] != c) return Error(std::string("'") + c + "'");
    ++i_;
    return base::Status::Ok();
  }

  base::Status Bracket(std::vector<Json>* cur) {
    if (i_ < p_.size() && p_[i_] == '*') {
      ++i_;
      std::vector<Json> out;
      for (const Json& j : *cur) {
        if (j.is_array() || j.is_object()) {
          for (const Json& v : j) out.push_back(v);
        }
      }
      *cur = std::move(out);
      return Expect(']');
    }
    if (i_ < p_.size() && (p_[i_] == '\'' || p_[i_] == '"')) {
      KSIM_ASSIGN_OR_RETURN(std::string name, Quoted());
      *cur = Field(*cur, name);
      return Expect(']');
    }
    if (i_ < p_.size() && p_[i_] == '?') return Filter(cur);
    size_t b = i_;
    if (i_ < p_.size() && p_[i_] == '-') ++i_;
    while (i_ < p_.size() && std::isdigit(static_cast<unsigned char>(p_[i_]))) ++i_;
    if (b == i_) return Error("an index, '*', a quoted name or a filter");
    long idx = std::stol(p_.substr(b, i_ - b));
    std::vector<Json> out;
    for (const Json& j : *cur) {
      if (!j.is_array()) continue;
      long n = static_cast<long>(j.size());
      long k = idx < 0 ? n + idx : idx;
      if (k >= 0 && k < n) out.push_back(j[k]);
    }
    *cur = std::move(out);
    return Expect(']');
  }

  // [?(@.a.b=="x")] and != ; the value may be quoted or a number.
  base::Status Filter(std::vector<Json>* cur) {
    ++i_;  // '?'
    KSIM_RETURN_IF_ERROR(Expect('('));
    KSIM_RETURN_IF_ERROR(Expect('@'));
    std::vector<std::string> path;
    while (i_ < p_.size() && p_[i_] == '.') {
      ++i_;
      path.push_back(Ident());
    }
    while (i_ < p_.size() && p_[i_] == ' ') ++i_;
    bool negate = false;
    if (p_.compare(i_, 2, "==") == 0) {
      i_ += 2;
    } else if (p_.compare(i_, 2, "!=") == 0) {
      negate = true;
      i_ += 2;
    } else {
      return Error("== or !=");
    }
    while (i_ < p_.size() && p_[i_] == ' ') ++i_;
    Json want;
    if (i_ < p_.size() && (p_[i_] == '\'' || p_[i_] == '"')) {
      KSIM_ASSIGN_OR_RETURN(std::string s, Quoted());
      want = s;
    } else {
      auto parsed = base::ParseJson(Ident());
      if (!parsed.ok()) return Error("a value");
      want = *parsed;
    }
    while (i_ < p_.size() && p_[i_] == ' ') ++i_;
    KSIM_RETURN_IF_ERROR(Expect(')'));
    KSIM_RETURN_IF_ERROR(Expect(']'));
    std::vector<Json> out;
    for (const Json& j : *cur) {
      if (!j.is_array()) continue;
      for (const Json& item : j) {
        std::vector<Json> v = {item};
        for (const auto& f : path) v = Field(v, f);
        bool eq = v.size() == 1 && v[0] == want;
        if (eq != negate) out.push_back(item);
      }
    }
    *cur = std::move(out);
    return base::Status::Ok();
  }

  std::string p_;
  size_t i_ = 0;
};

}  // namespace

base::StatusOr<std::vector<Json>> JsonPathSelect(const Json& doc,
                                                 const std::string& path) {
  Evaluator e(path);
  return e.Run(doc);
}

base::StatusOr<std::string> JsonPathText(const Json& doc,
                                         const std::string& path) {
  KSIM_ASSIGN_OR_RETURN(std::vector<Json> values, JsonPathSelect(doc, path));
  std::string out;
  for (size_t i = 0; i < values.size(); ++i) {
    if (i) out += " ";
    out += values[i].is_string() ? values[i].get<std::string>()
                                 : values[i].dump();
  }
  return out;
}

}  // namespace ksim::scenario
