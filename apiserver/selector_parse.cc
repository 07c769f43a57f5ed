// The label selector string grammar: a port of the lexer and recursive-descent
// parser of k8s.io/apimachinery/pkg/labels/selector.go, kept token for token
// so that every error message (including its quirks) matches kube-apiserver.
//
//   <selector>    ::= <requirement> | <requirement> "," <selector>
//   <requirement> ::= [!] KEY [ <set-based> | <exact-match> ]
//   <set-based>   ::= ("in" | "notin") "(" <values> ")"
//   <exact-match> ::= ("=" | "==" | "!=" | ">" | "<") VALUE
#include <optional>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "apiserver/selector_internal.h"

namespace ksim::apiserver::selector_internal {
namespace {

using Op = LabelRequirement::Op;

enum class Tok {
  kError,
  kEnd,
  kClosePar,
  kComma,
  kNot,
  kDoubleEquals,
  kEquals,
  kGreater,
  kIdentifier,
  kIn,
  kLess,
  kNotEquals,
  kNotIn,
  kOpenPar,
};

struct Item {
  Tok tok;
  std::string lit;
};

std::optional<Tok> Keyword(std::string_view s) {
  if (s == ")") return Tok::kClosePar;
  if (s == ",") return Tok::kComma;
  if (s == "!") return Tok::kNot;
  if (s == "==") return Tok::kDoubleEquals;
  if (s == "=") return Tok::kEquals;
  if (s == ">") return Tok::kGreater;
  if (s == "in") return Tok::kIn;
  if (s == "<") return Tok::kLess;
  if (s == "!=") return Tok::kNotEquals;
  if (s == "notin") return Tok::kNotIn;
  if (s == "(") return Tok::kOpenPar;
  return std::nullopt;
}

bool IsWhitespace(char c) {
  return c == ' ' || c == '\t' || c == '\r' || c == '\n';
}

bool IsSpecial(char c) {
  switch (c) {
    case '=':
    case '!':
    case '(':
    case ')':
    case ',':
    case '>':
    case '<':
      return true;
    default:
      return false;
  }
}

class Lexer {
 public:
  explicit Lexer(std::string_view s) : s_(s) {}

  Item Lex() {
    char c = Read();
    while (IsWhitespace(c)) c = Read();
    if (c == 0) return {Tok::kEnd, ""};
    Unread();
    return IsSpecial(c) ? ScanSpecial() : ScanIdentifier();
  }

 private:
  // A NUL byte reads like the end of input, as in Go's lexer.
  char Read() { return pos_ < s_.size() ? s_[pos_++] : 0; }
  void Unread() { --pos_; }

  Item ScanIdentifier() {
    std::string buf;
    while (true) {
      char c = Read();
      if (c == 0) break;
      if (IsSpecial(c) || IsWhitespace(c)) {
        Unread();
        break;
      }
      buf += c;
    }
    if (auto tok = Keyword(buf)) return {*tok, buf};
    return {Tok::kIdentifier, buf};
  }

  // Longest operator made of special characters ("!=" rather than "!").
  Item ScanSpecial() {
    std::string buf;
    std::optional<Item> last;
    while (true) {
      char c = Read();
      if (c == 0) break;
      if (!IsSpecial(c)) {
        Unread();
        break;
      }
      buf += c;
      if (auto tok = Keyword(buf)) {
        last = Item{*tok, buf};
      } else if (last) {
        Unread();
        break;
      }
    }
    if (!last)
      return {Tok::kError, "error expected: keyword found '" + buf + "'"};
    return *last;
  }

  std::string_view s_;
  size_t pos_ = 0;
};

enum class Context { kKeyAndOperator, kValues };

class Parser {
 public:
  explicit Parser(std::string_view s) {
    Lexer lexer(s);
    do {
      items_.push_back(lexer.Lex());
    } while (items_.back().tok != Tok::kEnd);
  }

  base::StatusOr<std::vector<LabelRequirement>> Parse() {
    std::vector<LabelRequirement> reqs;
    while (true) {
      Item next = Lookahead(Context::kValues);
      if (next.tok == Tok::kEnd) return reqs;
      if (next.tok != Tok::kIdentifier && next.tok != Tok::kNot) {
        return Error("found '" + next.lit +
                     "', expected: !, identifier, or 'end of string'");
      }
      auto r = ParseRequirement();
      if (!r.ok()) {
        return Error("unable to parse requirement: " + r.status().message());
      }
      reqs.push_back(std::move(r).value());
      Item sep = Consume(Context::kValues);
      if (sep.tok == Tok::kEnd) return reqs;
      if (sep.tok != Tok::kComma) {
        return Error("found '" + sep.lit +
                     "', expected: ',' or 'end of string'");
      }
      Item after = Lookahead(Context::kValues);
      if (after.tok != Tok::kIdentifier && after.tok != Tok::kNot) {
        return Error("found '" + after.lit +
                     "', expected: identifier after ','");
      }
    }
  }

 private:
  static base::Status Error(std::string m) {
    return base::BadRequest(std::move(m));
  }

  // In the values context "in" and "notin" are ordinary identifiers.
  Item Peek(size_t at, Context ctx) const {
    Item it = at < items_.size() ? items_[at] : Item{Tok::kEnd, ""};
    if (ctx == Context::kValues &&
        (it.tok == Tok::kIn || it.tok == Tok::kNotIn)) {
      it.tok = Tok::kIdentifier;
    }
    return it;
  }
  Item Lookahead(Context ctx) const { return Peek(pos_, ctx); }
  Item Consume(Context ctx) { return Peek(pos_++, ctx); }

  base::StatusOr<LabelRequirement> ParseRequirement() {
    std::optional<Op> op;
    Item key = Consume(Context::kValues);
    if (key.tok == Tok::kNot) {
      op = Op::kDoesNotExist;
      key = Consume(Context::kValues);
    }
    if (key.tok != Tok::kIdentifier) {
      return Error("found '" + key.lit + "', expected: identifier");
    }
    if (std::string e = QualifiedNameErrors(key.lit); !e.empty()) {
      return Error("<nil>: Invalid value: " + GoQuote(key.lit) + ": " + e);
    }
    Tok next = Lookahead(Context::kValues).tok;
    if ((next == Tok::kEnd || next == Tok::kComma) && !op) op = Op::kExists;
    if (op) return NewRequirement(key.lit, *op, {}, false);

    KSIM_ASSIGN_OR_RETURN(Op binary, ParseOperator());
    std::set<std::string> values;
    if (binary == Op::kIn || binary == Op::kNotIn) {
      KSIM_ASSIGN_OR_RETURN(values, ParseValues());
    } else {
      KSIM_ASSIGN_OR_RETURN(values, ParseExactValue());
    }
    return NewRequirement(key.lit, binary, {values.begin(), values.end()},
                          false);
  }

  base::StatusOr<Op> ParseOperator() {
    Item it = Consume(Context::kKeyAndOperator);
    switch (it.tok) {
      case Tok::kIn:
        return Op::kIn;
      case Tok::kEquals:
        return Op::kEquals;
      case Tok::kDoubleEquals:
        return Op::kDoubleEquals;
      case Tok::kGreater:
        return Op::kGreaterThan;
      case Tok::kLess:
        return Op::kLessThan;
      case Tok::kNotIn:
        return Op::kNotIn;
      case Tok::kNotEquals:
        return Op::kNotEquals;
      default:
        return Error("found '" + it.lit +
                     "', expected: in, notin, =, ==, !=, gt, lt");
    }
  }

  // "(a,b)", "()" (one empty value), "(,a)" ...
  base::StatusOr<std::set<std::string>> ParseValues() {
    Item open = Consume(Context::kValues);
    if (open.tok != Tok::kOpenPar) {
      return Error("found '" + open.lit + "' expected: '('");
    }
    Item first = Lookahead(Context::kValues);
    if (first.tok == Tok::kClosePar) {
      Consume(Context::kValues);
      return std::set<std::string>{""};
    }
    if (first.tok != Tok::kIdentifier && first.tok != Tok::kComma) {
      return Error("found '" + first.lit +
                   "', expected: ',', ')' or identifier");
    }
    KSIM_ASSIGN_OR_RETURN(auto values, ParseIdentifiersList());
    if (Consume(Context::kValues).tok != Tok::kClosePar) {
      // kube reports the token that opened the list here, not the one found.
      return Error("found '" + first.lit + "', expected: ')'");
    }
    return values;
  }

  base::StatusOr<std::set<std::string>> ParseIdentifiersList() {
    std::set<std::string> values;
    while (true) {
      Item it = Consume(Context::kValues);
      if (it.tok == Tok::kIdentifier) {
        values.insert(it.lit);
        Item next = Lookahead(Context::kValues);
        if (next.tok == Tok::kComma) continue;
        if (next.tok == Tok::kClosePar) return values;
        return Error("found '" + next.lit + "', expected: ',' or ')'");
      }
      if (it.tok != Tok::kComma) {
        return Error("found '" + it.lit + "', expected: ',', or identifier");
      }
      // Empty values around commas: "(,", ",)" and ",,".
      if (values.empty()) values.insert("");
      Tok next = Lookahead(Context::kValues).tok;
      if (next == Tok::kClosePar) {
        values.insert("");
        return values;
      }
      if (next == Tok::kComma) {
        Consume(Context::kValues);
        values.insert("");
      }
    }
  }

  base::StatusOr<std::set<std::string>> ParseExactValue() {
    Tok next = Lookahead(Context::kValues).tok;
    if (next == Tok::kEnd || next == Tok::kComma) {
      return std::set<std::string>{""};
    }
    Item it = Consume(Context::kValues);
    if (it.tok == Tok::kIdentifier) return std::set<std::string>{it.lit};
    return Error("found '" + it.lit + "', expected: identifier");
  }

  std::vector<Item> items_;
  size_t pos_ = 0;
};

}  // namespace

base::StatusOr<std::vector<LabelRequirement>> ParseRequirements(
    std::string_view selector) {
  return Parser(selector).Parse();
}

}  // namespace ksim::apiserver::selector_internal
