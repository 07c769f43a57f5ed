#include "kubelet-sim/shell.h"

#include <cctype>
#include <chrono>
#include <sstream>

#include "kubelet-sim/shell_internal.h"

namespace ksim::kubelet {
namespace {

using std::chrono::seconds;

// Work done by one Run() before a loop that never sleeps is cut.
constexpr int kMaxOpsPerRun = 5000;

std::string Basename(const std::string& s) {
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

int64_t Arith(const std::string& expr,
              const std::map<std::string, std::string>& env) {
  // Left-to-right + - * / % over integers and variable names.
  int64_t acc = 0;
  char op = '+';
  std::string tok;
  auto apply = [&](const std::string& t) {
    std::string v = t;
    if (!v.empty() &&
        (std::isalpha(static_cast<unsigned char>(v[0])) || v[0] == '_')) {
      auto it = env.find(v);
      v = it == env.end() ? "0" : it->second;
    }
    int64_t n = std::strtoll(v.c_str(), nullptr, 10);
    switch (op) {
      case '+':
        acc += n;
        break;
      case '-':
        acc -= n;
        break;
      case '*':
        acc *= n;
        break;
      case '/':
        acc = n ? acc / n : 0;
        break;
      case '%':
        acc = n ? acc % n : 0;
        break;
    }
  };
  for (char c : expr + "+") {
    if (c == ' ' || c == '$') continue;
    if (c == '+' || c == '-' || c == '*' || c == '/' || c == '%') {
      if (!tok.empty()) apply(tok);
      tok.clear();
      op = c;
    } else {
      tok += c;
    }
  }
  return acc;
}

}  // namespace

bool IsShell(const std::string& arg0) {
  std::string b = Basename(arg0);
  return b == "sh" || b == "bash" || b == "ash" || b == "dash" || b == "zsh";
}

ShellProcess::ShellProcess(std::vector<std::string> argv,
                           std::map<std::string, std::string> env)
    : env_(std::move(env)) {
  auto node = std::make_shared<ShellNode>();
  if (argv.size() >= 3 && IsShell(argv[0]) && argv[1] == "-c") {
    node = ParseScript(argv[2]);
  } else if (!argv.empty() && IsShell(argv[0]) && argv.size() == 1) {
    node->type = ShellNode::Type::kList;  // a shell with no tty: EOF, exit 0
  } else {
    auto simple = std::make_shared<ShellNode>();
    for (const auto& a : argv) simple->words.push_back("'" + a + "'");
    node->type = ShellNode::Type::kList;
    node->items.push_back(simple);
    node->seps.push_back(";");
  }
  root_ = node;
  stack_.emplace_back(root_.get());
}

ShellProcess::~ShellProcess() = default;

std::string ShellProcess::Expand(const std::string& w, base::Time now) {
  std::string out;
  bool dq = false;
  for (size_t i = 0; i < w.size(); ++i) {
    char c = w[i];
    if (c == '\'' && !dq) {
      size_t e = w.find('\'', i + 1);
      if (e == std::string::npos) e = w.size();
      out += w.substr(i + 1, e - i - 1);
      i = e;
    } else if (c == '"') {
      dq = !dq;
    } else if (c == '\\' && i + 1 < w.size()) {
      char n = w[++i];
      if (dq && n != '"' && n != '\\' && n != '$' && n != '`') out += '\\';
      out += n;
    } else if (c == '$' && i + 2 < w.size() && w[i + 1] == '(' &&
               w[i + 2] == '(') {
      size_t e = w.find("))", i);
      if (e == std::string::npos) e = w.size();
      out += std::to_string(Arith(w.substr(i + 3, e - i - 3), env_));
      i = e + 1;
    } else if (c == '$' && i + 1 < w.size() && w[i + 1] == '(') {
      size_t e = w.rfind(')');
      std::string inner = w.substr(i + 2, e - i - 2);
      std::string text;
      Exec({"sh", "-c", inner}, now, &text);
      while (!text.empty() && text.back() == '\n') text.pop_back();
      out += text;
      i = e;
    } else if (c == '$' && i + 1 < w.size()) {
      std::string name;
      if (w[i + 1] == '{') {
        size_t e = w.find('}', i);
        name = w.substr(i + 2, e - i - 2);
        i = e;
      } else if (w[i + 1] == '?') {
        name = "?";
        ++i;
      } else {
        while (i + 1 < w.size() &&
               (std::isalnum(static_cast<unsigned char>(w[i + 1])) ||
                w[i + 1] == '_')) {
          name += w[++i];
        }
        if (name.empty()) out += '$';
      }
      if (name == "?") {
        out += std::to_string(status_);
      } else if (auto it = env_.find(name); it != env_.end()) {
        out += it->second;
      }
    } else {
      out += c;
    }
  }
  return out;
}

std::vector<std::string> ShellProcess::ExpandWords(
    const std::vector<std::string>& raw, base::Time now) {
  std::vector<std::string> out;
  for (const auto& w : raw) {
    std::string e = Expand(w, now);
    bool quoted = !w.empty() && (w[0] == '"' || w[0] == '\'');
    if (quoted || w.find('$') == std::string::npos) {
      out.push_back(e);
      continue;
    }
    std::istringstream in(e);  // unquoted expansions split on whitespace
    for (std::string part; in >> part;) out.push_back(part);
  }
  return out;
}

bool ShellProcess::RunSimple(const ShellNode& list, size_t i, base::Time now,
                             ShellStep* step) {
  const ShellNode* item = list.items[i].get();
  std::vector<std::string> lines;
  Outcome o = Simple(item->words, now, &lines);
  // A pipeline shows only its last command's output.
  bool piped = i + 1 < list.items.size() && list.seps[i + 1] == "|";
  bool to_file = false;
  for (const auto& [op, target] : item->redirs) {
    std::string file = Expand(target, now);
    if (op == ">&" || file == "/dev/null") {
      if (file != "2" && file != "1") lines.clear();
      continue;
    }
    if (op == ">" || op == ">>") {
      std::string& content = files_[file];
      if (op == ">") content.clear();
      for (const auto& l : lines) content += l + "\n";
      to_file = true;
    }
  }
  if (!piped && !to_file) {
    step->output.insert(step->output.end(), lines.begin(), lines.end());
  }
  status_ = o.status;
  if (o.kind == Outcome::kExit) {
    exited_ = o.status;
  } else if (o.kind == Outcome::kSleep) {
    step->kind = ShellStep::Kind::kSleep;
    step->sleep = o.sleep;
    return true;
  } else if (o.kind == Outcome::kForever) {
    step->kind = ShellStep::Kind::kForever;
    return true;
  }
  return false;
}

ShellStep ShellProcess::Run(base::Time now) {
  ShellStep step;
  int ops = 0;
  while (!exited_ && !stack_.empty()) {
    if (++ops > kMaxOpsPerRun) {
      step.kind = ShellStep::Kind::kSleep;
      step.sleep = seconds(1);
      return step;
    }
    Frame& f = stack_.back();
    const ShellNode* n = f.node;
    switch (n->type) {
      case ShellNode::Type::kList: {
        if (f.pc >= n->items.size()) {
          stack_.pop_back();
          break;
        }
        size_t i = f.pc++;
        const std::string& sep = n->seps[i];
        if ((sep == "&&" && status_ != 0) || (sep == "||" && status_ == 0)) {
          break;
        }
        const ShellNode* item = n->items[i].get();
        if (item->type != ShellNode::Type::kSimple) {
          stack_.emplace_back(item);
          break;
        }
        if (RunSimple(*n, i, now, &step)) return step;
        break;
      }
      case ShellNode::Type::kWhile:
      case ShellNode::Type::kUntil: {
        if (f.phase == 0) {
          f.phase = 1;
          stack_.emplace_back(n->cond.get());
        } else {
          bool go = (status_ == 0) == (n->type == ShellNode::Type::kWhile);
          if (go) {
            f.phase = 0;
            stack_.emplace_back(n->body.get());
          } else {
            status_ = 0;
            stack_.pop_back();
          }
        }
        break;
      }
      case ShellNode::Type::kFor: {
        if (f.phase == 0) {
          f.words = ExpandWords(n->words, now);
          f.phase = 1;
        }
        if (f.pc >= f.words.size()) {
          stack_.pop_back();
          break;
        }
        env_[n->var] = f.words[f.pc++];
        stack_.emplace_back(n->body.get());
        break;
      }
      case ShellNode::Type::kIf: {
        if (f.phase == 0) {
          f.phase = 1;
          stack_.emplace_back(n->cond.get());
        } else if (f.phase == 1) {
          f.phase = 2;
          if (status_ == 0) {
            stack_.emplace_back(n->body.get());
          } else if (n->else_) {
            stack_.emplace_back(n->else_.get());
          } else {
            status_ = 0;
          }
        } else {
          stack_.pop_back();
        }
        break;
      }
      case ShellNode::Type::kSimple:
        stack_.pop_back();  // only lists hold simple commands
        break;
    }
  }
  step.kind = ShellStep::Kind::kExit;
  step.exit_code = exited_ ? *exited_ : status_;
  exited_ = step.exit_code;
  return step;
}

int ShellProcess::Exec(const std::vector<std::string>& argv, base::Time now,
                       std::string* output, base::Duration* slept) {
  // Run on this process's files and environment, with a stack of its own.
  auto saved_root = root_;
  auto saved_stack = std::move(stack_);
  int saved_status = status_;
  auto saved_exit = exited_;
  ShellProcess tmp(argv, {});
  root_ = tmp.root_;
  stack_.clear();
  stack_.emplace_back(root_.get());
  exited_.reset();
  base::Duration total{};
  int code = 0;
  for (int rounds = 0; rounds < 100; ++rounds) {
    ShellStep s = Run(now + total);
    for (const auto& l : s.output) *output += l + "\n";
    if (s.kind == ShellStep::Kind::kExit) {
      code = s.exit_code;
      break;
    }
    if (s.kind == ShellStep::Kind::kForever) break;
    total += s.sleep;
  }
  if (slept) *slept = total;
  root_ = saved_root;
  stack_ = std::move(saved_stack);
  status_ = saved_status;
  exited_ = saved_exit;
  return code;
}

}  // namespace ksim::kubelet
