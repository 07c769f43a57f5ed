// curl's command line as ksim curl accepts it (tool_getparam.c rules): short
// options may be bundled (-sS, -XPOST, -m5), an option's value is the rest
// of its word or the next word; long options take their value from the
// next word. ksim's own long flags also accept --flag=value.
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <iterator>
#include <map>
#include <sstream>

#include "cli/curl.h"

namespace ksim::cli {
namespace {

enum class Arg { kNone, kValue };

struct Spec {
  char short_name;  // 0: long only
  const char* long_name;
  Arg arg;
};

constexpr Spec kSpecs[] = {
    {'i', "include", Arg::kNone},
    {'I', "head", Arg::kNone},
    {'v', "verbose", Arg::kNone},
    {'s', "silent", Arg::kNone},
    {'S', "show-error", Arg::kNone},
    {'f', "fail", Arg::kNone},
    {'k', "insecure", Arg::kNone},
    {'h', "help", Arg::kNone},
    {'H', "header", Arg::kValue},
    {'X', "request", Arg::kValue},
    {'d', "data", Arg::kValue},
    {0, "data-raw", Arg::kValue},
    {0, "data-binary", Arg::kValue},
    {0, "data-ascii", Arg::kValue},
    {'m', "max-time", Arg::kValue},
    {0, "connect-timeout", Arg::kValue},
    {'o', "output", Arg::kValue},
    {'w', "write-out", Arg::kValue},
    {'A', "user-agent", Arg::kValue},
    {0, "url", Arg::kValue},
    // ksim's own.
    {0, "from", Arg::kValue},
    {'n', "namespace", Arg::kValue},
    {0, "server", Arg::kValue},
    {0, "kubeconfig", Arg::kValue},
    {0, "context", Arg::kValue},
};

bool KsimFlag(const std::string& name) {
  return name == "from" || name == "namespace" || name == "server" ||
         name == "kubeconfig" || name == "context";
}

const Spec* ByShort(char c) {
  for (const Spec& s : kSpecs) {
    if (s.short_name == c) return &s;
  }
  return nullptr;
}

const Spec* ByLong(const std::string& name) {
  for (const Spec& s : kSpecs) {
    if (name == s.long_name) return &s;
  }
  return nullptr;
}

// strtod as curl's str2udouble: the whole text, not negative.
bool Seconds(const std::string& text, double* out) {
  if (text.empty()) return false;
  char* end = nullptr;
  double v = std::strtod(text.c_str(), &end);
  if (end == nullptr || *end != '\0' || v < 0) return false;
  *out = v;
  return true;
}

// -d @file strips CR and LF as curl does; --data-binary keeps them.
base::StatusOr<std::string> DataValue(const std::string& name,
                                      const std::string& value) {
  if (name == "data-raw" || value.empty() || value[0] != '@') return value;
  std::string path = value.substr(1), text;
  if (path == "-") {
    text.assign(std::istreambuf_iterator<char>(std::cin), {});
  } else {
    std::ifstream in(path, std::ios::binary);
    if (!in) {
      // curl warns and sends nothing for an unreadable file.
      std::cerr << "Warning: Couldn't read data from file \"" << path
                << "\", this makes an empty POST.\n";
      return std::string();
    }
    text.assign(std::istreambuf_iterator<char>(in), {});
  }
  if (name == "data-binary") return text;
  std::string stripped;
  for (char c : text) {
    if (c != '\r' && c != '\n') stripped += c;
  }
  return stripped;
}

base::Status Apply(const Spec& s, const std::string& shown,
                   const std::string& value, CurlOptions* o) {
  std::string n = s.long_name;
  if (n == "include") o->include = true;
  if (n == "head") o->head = true;
  if (n == "verbose") o->verbose = true;
  if (n == "silent") o->silent = true;
  if (n == "show-error") o->show_error = true;
  if (n == "fail") o->fail = true;
  if (n == "help") o->help = true;
  if (n == "header") o->headers.push_back(value);
  if (n == "request") o->method = value;
  if (n.rfind("data", 0) == 0) {
    KSIM_ASSIGN_OR_RETURN(std::string d, DataValue(n, value));
    o->data.push_back(std::move(d));
    o->has_data = true;
  }
  if (n == "max-time" || n == "connect-timeout") {
    double* target = n == "max-time" ? &o->max_time : &o->connect_timeout;
    if (!Seconds(value, target)) {
      return base::BadRequest("option " + shown +
                              ": expected a proper numerical parameter");
    }
  }
  if (n == "output") o->output = value;
  if (n == "write-out") o->write_out = value;
  if (n == "user-agent") o->user_agent = value;
  if (n == "url") o->url = value;
  if (n == "from") o->from = value;
  if (n == "namespace") o->ns = value;
  if (n == "server") o->cluster.server = value;
  if (n == "kubeconfig") o->cluster.kubeconfig = value;
  if (n == "context") o->cluster.context = value;
  return base::Status::Ok();
}

base::Status Missing(const std::string& shown) {
  return base::BadRequest("option " + shown + ": requires parameter");
}

}  // namespace

base::StatusOr<CurlOptions> ParseCurlArgs(
    const std::vector<std::string>& args) {
  CurlOptions o;
  std::vector<std::string> urls;
  for (size_t i = 0; i < args.size(); ++i) {
    const std::string& a = args[i];
    if (a.size() > 2 && a.rfind("--", 0) == 0) {
      std::string name = a.substr(2), value;
      bool inline_value = false;
      size_t eq = name.find('=');
      if (eq != std::string::npos && KsimFlag(name.substr(0, eq))) {
        value = name.substr(eq + 1);
        name = name.substr(0, eq);
        inline_value = true;
      }
      const Spec* s = ByLong(name);
      if (s == nullptr) return base::BadRequest("option " + a + ": is unknown");
      if (s->arg == Arg::kValue && !inline_value) {
        if (i + 1 >= args.size()) return Missing("--" + name);
        value = args[++i];
      }
      KSIM_RETURN_IF_ERROR(Apply(*s, "--" + name, value, &o));
      if (name == "url") urls.push_back(value);
      continue;
    }
    if (a.size() > 1 && a[0] == '-') {
      for (size_t k = 1; k < a.size(); ++k) {
        std::string shown = std::string("-") + a[k];
        const Spec* s = ByShort(a[k]);
        if (s == nullptr) {
          return base::BadRequest("option " + shown + ": is unknown");
        }
        std::string value;
        if (s->arg == Arg::kValue) {
          if (k + 1 < a.size()) {
            value = a.substr(k + 1);
          } else if (i + 1 < args.size()) {
            value = args[++i];
          } else {
            return Missing(shown);
          }
          k = a.size();
        }
        KSIM_RETURN_IF_ERROR(Apply(*s, shown, value, &o));
      }
      continue;
    }
    urls.push_back(a);
  }
  if (o.help) return o;
  if (urls.empty()) return base::BadRequest("no URL specified!");
  if (urls.size() > 1) {
    return base::BadRequest("ksim curl takes one URL (got " +
                            std::to_string(urls.size()) + ")");
  }
  o.url = urls.front();
  return o;
}

std::string CurlUsage() {
  return "Usage: ksim curl [--from pod/NAME|pod/NAMESPACE/NAME|node/NAME] "
         "[-n NAMESPACE] [options...] <url>\n"
         "\n"
         "Sends one HTTP request through the simulated network of the "
         "running ksim\n(from the control-plane node unless --from is "
         "given) and prints what curl would.\n"
         "\n"
         "curl options:\n"
         " -d, --data <data>          HTTP POST data (also --data-raw, "
         "--data-binary)\n"
         " -f, --fail                 Fail fast with no output on HTTP "
         "errors (exit 22)\n"
         " -H, --header <header>      Pass custom header(s) to server\n"
         " -i, --include              Include protocol response headers in "
         "the output\n"
         " -I, --head                 Show document info only\n"
         " -m, --max-time <seconds>   Maximum time allowed for the transfer\n"
         "     --connect-timeout <s>  Maximum time allowed for connection\n"
         " -o, --output <file>        Write to file instead of stdout\n"
         " -s, --silent               Silent mode\n"
         " -S, --show-error           Show error even when -s is used\n"
         " -A, --user-agent <name>    Send User-Agent <name> to server\n"
         " -v, --verbose              Make the operation more talkative\n"
         " -w, --write-out <format>   Use output FORMAT after completion\n"
         " -X, --request <method>     Specify request method to use\n"
         "\n"
         "ksim options:\n"
         "     --from <source>        pod/NAME, pod/NAMESPACE/NAME or "
         "node/NAME\n"
         " -n, --namespace <ns>       namespace of --from pod/NAME "
         "(default \"default\")\n"
         "     --server <url>         the ksim API server (default: from "
         "the kubeconfig)\n"
         "     --kubeconfig <file>    kubeconfig to read the server from\n"
         "     --context <name>       kubeconfig context to use\n";
}

}  // namespace ksim::cli
