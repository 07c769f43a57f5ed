// Internals of the shell interpreter shared by shell.cc and shell_parse.cc.
#ifndef KSIM_KUBELET_SIM_SHELL_INTERNAL_H_
#define KSIM_KUBELET_SIM_SHELL_INTERNAL_H_

#include <memory>
#include <string>
#include <utility>
#include <vector>

#include "kubelet-sim/shell.h"

namespace ksim::kubelet {

struct Token {
  bool op = false;
  std::string text;  // a word keeps its quotes; Expand removes them
};

struct ShellNode {
  enum class Type { kSimple, kList, kWhile, kUntil, kFor, kIf };
  Type type = Type::kSimple;
  // kSimple: the raw words and redirections ({">", "/tmp/f"}).
  // kFor: the raw words after "in".
  std::vector<std::string> words;
  std::vector<std::pair<std::string, std::string>> redirs;
  // kList: items with the separator before each (";", "&&", "||", "|").
  std::vector<std::shared_ptr<ShellNode>> items;
  std::vector<std::string> seps;
  // kWhile/kUntil: cond, body. kIf: cond, body (then), else_. kFor: body.
  std::shared_ptr<ShellNode> cond, body, else_;
  std::string var;  // kFor
};

struct ShellProcess::Frame {
  explicit Frame(const ShellNode* n) : node(n) {}
  const ShellNode* node = nullptr;
  size_t pc = 0;
  int phase = 0;
  std::vector<std::string> words;  // kFor: the expanded list
};

struct ShellProcess::Outcome {
  int status = 0;
  enum { kDone, kSleep, kForever, kExit } kind = kDone;
  base::Duration sleep{};
};

std::vector<Token> Tokenize(const std::string& script);
std::shared_ptr<ShellNode> ParseScript(const std::string& script);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_SHELL_INTERNAL_H_
