// The shell's tokenizer and parser (shell_internal.h).
#include <cctype>

#include "kubelet-sim/shell_internal.h"

namespace ksim::kubelet {
namespace {

bool IsOpChar(char c) {
  return c == ';' || c == '&' || c == '|' || c == '\n' || c == '>' ||
         c == '<' || c == '(' || c == ')';
}

// Reads a $( ... ) or $(( ... )) group starting at s[i] == '$'.
size_t SkipDollarParen(const std::string& s, size_t i) {
  int depth = 0;
  for (size_t j = i + 1; j < s.size(); ++j) {
    if (s[j] == '(') ++depth;
    if (s[j] == ')' && --depth == 0) return j + 1;
  }
  return s.size();
}

}  // namespace

std::vector<Token> Tokenize(const std::string& s) {
  std::vector<Token> out;
  size_t i = 0;
  while (i < s.size()) {
    char c = s[i];
    if (c == ' ' || c == '\t' || c == '\r') {
      ++i;
    } else if (c == '#') {
      while (i < s.size() && s[i] != '\n') ++i;
    } else if (c == '\\' && i + 1 < s.size() && s[i + 1] == '\n') {
      i += 2;  // line continuation
    } else if (IsOpChar(c)) {
      std::string op(1, c);
      if (i + 1 < s.size() &&
          ((c == '&' && s[i + 1] == '&') || (c == '|' && s[i + 1] == '|') ||
           (c == '>' && s[i + 1] == '>') || (c == ';' && s[i + 1] == ';'))) {
        op += s[i + 1];
      }
      if (c == '>' && i + 1 < s.size() && s[i + 1] == '&') op = ">&";
      i += op.size();
      out.push_back({true, op});
    } else {
      std::string w;
      while (i < s.size() && !IsOpChar(s[i]) && s[i] != ' ' && s[i] != '\t' &&
             s[i] != '\r') {
        if (s[i] == '\'') {
          size_t e = s.find('\'', i + 1);
          if (e == std::string::npos) e = s.size() - 1;
          w += s.substr(i, e - i + 1);
          i = e + 1;
        } else if (s[i] == '"') {
          size_t j = i + 1;
          while (j < s.size() && s[j] != '"') j += (s[j] == '\\') ? 2 : 1;
          w += s.substr(i, std::min(j, s.size() - 1) - i + 1);
          i = j + 1;
        } else if (s[i] == '$' && i + 1 < s.size() && s[i + 1] == '(') {
          size_t e = SkipDollarParen(s, i);
          w += s.substr(i, e - i);
          i = e;
        } else if (s[i] == '\\' && i + 1 < s.size()) {
          w += s.substr(i, 2);
          i += 2;
        } else {
          w += s[i++];
        }
      }
      // "2>&1" and "2>/dev/null": the fd number belongs to the redirection.
      if ((w == "2" || w == "1") && i < s.size() && s[i] == '>') continue;
      out.push_back({false, w});
    }
  }
  return out;
}

namespace {

class Parser {
 public:
  explicit Parser(std::vector<Token> toks) : t_(std::move(toks)) {}

  std::shared_ptr<ShellNode> List(const std::vector<std::string>& stop) {
    auto list = std::make_shared<ShellNode>();
    list->type = ShellNode::Type::kList;
    std::string sep = ";";
    while (pos_ < t_.size()) {
      SkipNewlines();
      if (pos_ >= t_.size() || AtWord(stop)) break;
      auto item = Command();
      if (!item) break;
      list->items.push_back(item);
      list->seps.push_back(sep);
      if (pos_ < t_.size() && t_[pos_].op) {
        const std::string& op = t_[pos_].text;
        if (op == ";" || op == "\n" || op == "&" || op == ";;") {
          sep = ";";
        } else if (op == "&&" || op == "||" || op == "|") {
          sep = op;
        } else {
          break;
        }
        ++pos_;
      }
    }
    return list;
  }

 private:
  bool AtWord(const std::vector<std::string>& words) const {
    if (pos_ >= t_.size() || t_[pos_].op) return false;
    for (const auto& w : words)
      if (t_[pos_].text == w) return true;
    return false;
  }
  void SkipNewlines() {
    while (pos_ < t_.size() && t_[pos_].op &&
           (t_[pos_].text == "\n" || t_[pos_].text == ";")) {
      ++pos_;
    }
  }
  void Expect(const std::string& w) {
    SkipNewlines();
    if (AtWord({w})) ++pos_;
  }

  std::shared_ptr<ShellNode> Command() {
    auto n = std::make_shared<ShellNode>();
    if (AtWord({"while", "until"})) {
      n->type = t_[pos_++].text == "while" ? ShellNode::Type::kWhile
                                           : ShellNode::Type::kUntil;
      n->cond = List({"do"});
      Expect("do");
      n->body = List({"done"});
      Expect("done");
    } else if (AtWord({"for"})) {
      n->type = ShellNode::Type::kFor;
      ++pos_;
      if (pos_ < t_.size()) n->var = t_[pos_++].text;
      if (AtWord({"in"})) {
        ++pos_;
        while (pos_ < t_.size() && !t_[pos_].op)
          n->words.push_back(t_[pos_++].text);
      }
      Expect("do");
      n->body = List({"done"});
      Expect("done");
    } else if (AtWord({"if", "elif"})) {
      n->type = ShellNode::Type::kIf;
      ++pos_;
      n->cond = List({"then"});
      Expect("then");
      n->body = List({"else", "elif", "fi"});
      SkipNewlines();
      if (AtWord({"elif"})) {
        auto list = std::make_shared<ShellNode>();
        list->type = ShellNode::Type::kList;
        list->items.push_back(Command());
        list->seps.push_back(";");
        n->else_ = list;
        return n;  // the nested if consumed the "fi"
      }
      if (AtWord({"else"})) {
        ++pos_;
        n->else_ = List({"fi"});
      }
      Expect("fi");
    } else if (AtWord({"{"})) {
      ++pos_;
      n = List({"}"});
      Expect("}");
    } else {
      n->type = ShellNode::Type::kSimple;
      while (pos_ < t_.size()) {
        const Token& tok = t_[pos_];
        if (!tok.op) {
          n->words.push_back(tok.text);
          ++pos_;
        } else if (tok.text == ">" || tok.text == ">>" || tok.text == ">&" ||
                   tok.text == "<") {
          ++pos_;
          std::string target = pos_ < t_.size() ? t_[pos_++].text : "";
          n->redirs.push_back({tok.text, target});
        } else {
          break;
        }
      }
      if (n->words.empty() && n->redirs.empty()) {
        if (pos_ < t_.size()) ++pos_;  // a stray operator
        return nullptr;
      }
    }
    return n;
  }

  std::vector<Token> t_;
  size_t pos_ = 0;
};

}  // namespace

std::shared_ptr<ShellNode> ParseScript(const std::string& script) {
  return Parser(Tokenize(script)).List({});
}

}  // namespace ksim::kubelet
