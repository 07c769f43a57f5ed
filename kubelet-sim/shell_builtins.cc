// The commands the shell interpreter knows (busybox's wording).
#include <algorithm>
#include <chrono>
#include <ctime>
#include <sstream>

#include "kubelet-sim/shell.h"
#include "kubelet-sim/shell_internal.h"

namespace ksim::kubelet {
namespace {

std::optional<base::Duration> ParseSleep(const std::string& a) {
  if (a == "infinity" || a == "inf") return std::nullopt;
  double mult = 1;
  std::string num = a;
  if (!num.empty() && std::isalpha(static_cast<unsigned char>(num.back()))) {
    char unit = num.back();
    num.pop_back();
    mult = unit == 'm' ? 60 : unit == 'h' ? 3600 : unit == 'd' ? 86400 : 1;
  }
  char* end = nullptr;
  double v = std::strtod(num.c_str(), &end);
  if (num.empty() || *end != '\0' || v < 0) return base::Duration(0);
  return std::chrono::duration_cast<base::Duration>(
      std::chrono::duration<double>(v * mult));
}

std::string Date(base::Time now) {
  std::time_t secs =
      std::chrono::duration_cast<std::chrono::seconds>(now.time_since_epoch())
          .count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, "%a %b %e %H:%M:%S UTC %Y", &tm);
  return buf;
}

// echo's -e escapes and printf's format, enough for "%s\n" and friends.
std::string Unescape(const std::string& s) {
  std::string out;
  for (size_t i = 0; i < s.size(); ++i) {
    if (s[i] == '\\' && i + 1 < s.size()) {
      char n = s[++i];
      out += n == 'n' ? '\n' : n == 't' ? '\t' : n;
    } else {
      out += s[i];
    }
  }
  return out;
}

void SplitLines(const std::string& text, std::vector<std::string>* out) {
  std::istringstream in(text);
  for (std::string line; std::getline(in, line);) out->push_back(line);
}

bool IsAssignment(const std::string& w) {
  size_t eq = w.find('=');
  if (eq == std::string::npos || eq == 0) return false;
  for (size_t i = 0; i < eq; ++i) {
    char c = w[i];
    if (!(std::isalnum(static_cast<unsigned char>(c)) || c == '_'))
      return false;
  }
  return !std::isdigit(static_cast<unsigned char>(w[0]));
}

}  // namespace

bool ShellProcess::FileCommand(const std::string& cmd,
                               const std::vector<std::string>& a,
                               std::vector<std::string>* out, int* status) {
  if (cmd == "touch") {
    for (size_t i = 1; i < a.size(); ++i) files_[a[i]];
  } else if (cmd == "rm") {
    for (size_t i = 1; i < a.size(); ++i) {
      if (a[i][0] == '-') continue;
      if (!files_.erase(a[i]) && a[1].find('f') == std::string::npos) {
        out->push_back("rm: can't remove '" + a[i] +
                       "': No such file or directory");
        *status = 1;
      }
    }
  } else if (cmd == "cat" || cmd == "ls") {
    for (size_t i = 1; i < a.size(); ++i) {
      if (a[i][0] == '-') continue;
      auto it = files_.find(a[i]);
      if (it != files_.end()) {
        if (cmd == "cat")
          SplitLines(it->second, out);
        else
          out->push_back(a[i]);
      } else if (a[i].rfind("/dev/", 0) != 0 && a[i].rfind("/proc/", 0) != 0 &&
                 a[i].rfind("/etc/", 0) != 0) {
        out->push_back(cmd == "cat"
                           ? "cat: can't open '" + a[i] +
                                 "': No such file or directory"
                           : "ls: " + a[i] + ": No such file or directory");
        *status = cmd == "cat" ? 1 : 2;
      }
    }
  } else if (cmd == "test" || cmd == "[") {
    std::vector<std::string> t(a.begin() + 1, a.end());
    if (!t.empty() && t.back() == "]") t.pop_back();
    bool r = false;
    if (t.size() == 2 && (t[0] == "-f" || t[0] == "-e" || t[0] == "-s")) {
      r = files_.count(t[1]) > 0;
    } else if (t.size() == 3) {
      int64_t l = std::atoll(t[0].c_str()), rr = std::atoll(t[2].c_str());
      const std::string& op = t[1];
      r = op == "=" || op == "==" ? t[0] == t[2]
          : op == "!="            ? t[0] != t[2]
          : op == "-eq"           ? l == rr
          : op == "-ne"           ? l != rr
          : op == "-lt"           ? l < rr
          : op == "-le"           ? l <= rr
          : op == "-gt"           ? l > rr
          : op == "-ge"           ? l >= rr
                                  : false;
    } else if (t.size() == 1) {
      r = !t[0].empty();
    }
    *status = r ? 0 : 1;
  } else {
    return false;
  }
  return true;
}

bool ShellProcess::InfoCommand(const std::string& cmd,
                               const std::vector<std::string>& a,
                               base::Time now, std::vector<std::string>* out,
                               int* status) {
  if (cmd == "date") {
    out->push_back(Date(now));
  } else if (cmd == "hostname") {
    out->push_back(env_["HOSTNAME"]);
  } else if (cmd == "env" || cmd == "printenv") {
    if (a.size() > 1) {
      auto it = env_.find(a[1]);
      if (it == env_.end())
        *status = 1;
      else
        out->push_back(it->second);
    } else {
      for (const auto& [k, v] : env_) out->push_back(k + "=" + v);
    }
  } else if (cmd == "seq") {
    int64_t from = a.size() > 2 ? std::atoll(a[1].c_str()) : 1;
    int64_t to = std::atoll(a.back().c_str());
    for (int64_t i = from; i <= to && i - from < 100000; ++i) {
      out->push_back(std::to_string(i));
    }
  } else {
    return false;
  }
  return true;
}

ShellProcess::Outcome ShellProcess::Simple(const std::vector<std::string>& raw,
                                           base::Time now,
                                           std::vector<std::string>* out) {
  Outcome o;
  size_t first = 0;
  while (first < raw.size() && IsAssignment(raw[first])) {
    size_t eq = raw[first].find('=');
    env_[raw[first].substr(0, eq)] = Expand(raw[first].substr(eq + 1), now);
    ++first;
  }
  std::vector<std::string> a = ExpandWords(
      std::vector<std::string>(raw.begin() + first, raw.end()), now);
  if (a.empty()) return o;
  std::string cmd = a[0];
  if (size_t slash = cmd.rfind('/'); slash != std::string::npos) {
    cmd = cmd.substr(slash + 1);
  }
  if (cmd == "echo") {
    bool escapes = false;
    size_t i = 1;
    for (; i < a.size() && (a[i] == "-n" || a[i] == "-e"); ++i) {
      if (a[i] == "-e") escapes = true;
    }
    std::string text;
    for (; i < a.size(); ++i) text += (text.empty() ? "" : " ") + a[i];
    if (escapes) text = Unescape(text);
    SplitLines(text.empty() ? "\n" : text, out);
    if (text.empty()) out->push_back("");
  } else if (cmd == "printf") {
    std::string fmt = a.size() > 1 ? Unescape(a[1]) : "";
    std::string text;
    size_t arg = 2;
    for (size_t i = 0; i < fmt.size(); ++i) {
      if (fmt[i] == '%' && i + 1 < fmt.size()) {
        ++i;
        if (fmt[i] == '%')
          text += '%';
        else if (arg < a.size())
          text += a[arg++];
      } else {
        text += fmt[i];
      }
    }
    SplitLines(text, out);
  } else if (cmd == "sleep") {
    auto d = ParseSleep(a.size() > 1 ? a[1] : "0");
    o.kind = d ? Outcome::kSleep : Outcome::kForever;
    if (d) o.sleep = *d;
  } else if (cmd == "exit") {
    o.kind = Outcome::kExit;
    o.status = a.size() > 1 ? std::atoi(a[1].c_str()) & 0xff : status_;
  } else if (cmd == "true" || cmd == ":" || cmd == "mkdir" || cmd == "cd" ||
             cmd == "export" || cmd == "wait" || cmd == "trap" ||
             cmd == "set" || cmd == "ulimit" || cmd == "chmod") {
    for (size_t i = 1; cmd == "export" && i < a.size(); ++i) {
      size_t eq = a[i].find('=');
      if (eq != std::string::npos)
        env_[a[i].substr(0, eq)] = a[i].substr(eq + 1);
    }
  } else if (cmd == "false") {
    o.status = 1;
  } else if (FileCommand(cmd, a, out, &o.status)) {
    // touch, rm, cat, ls, test, [
  } else if (InfoCommand(cmd, a, now, out, &o.status)) {
    // date, hostname, env, printenv, seq
  } else if (cmd == "tail" && std::find(a.begin(), a.end(), "-f") != a.end()) {
    o.kind = Outcome::kForever;
  } else if (cmd == "nc" || cmd == "httpd" || cmd == "top") {
    o.kind = Outcome::kForever;  // servers and interactive tools block
  } else {
    out->push_back("sh: " + a[0] + ": not found");
    o.status = 127;
  }
  return o;
}

}  // namespace ksim::kubelet
