#include "cli/fault.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <sstream>

#include "cli/api_client.h"

namespace ksim::cli {
namespace {

constexpr double kCallSeconds = 30;

base::Status Usage(const std::string& why) {
  return base::BadRequest(why + "\nRun 'ksim fault --help' for usage.");
}

// node/NAME stays; pod/NAME gains the namespace; pod/NS/NAME stays.
base::StatusOr<std::string> Target(const std::string& t,
                                   const std::string& ns) {
  if (t.rfind("node/", 0) == 0 && t.size() > 5) return t;
  if (t.rfind("pod/", 0) == 0 && t.size() > 4) {
    std::string rest = t.substr(4);
    return rest.find('/') == std::string::npos ? "pod/" + ns + "/" + rest : t;
  }
  return Usage(
      "the target must be node/NAME, pod/NAME or pod/NAMESPACE/NAME, "
      "not \"" +
      t + "\"");
}

// Go durations as the fault specs carry them: 100ms, 1.5s, 2m, 250us.
bool IsDuration(const std::string& d) {
  static const char* kUnits[] = {"ns", "us", "µs", "ms", "s", "m", "h"};
  for (const char* u : kUnits) {
    std::string unit = u;
    if (d.size() > unit.size() &&
        d.compare(d.size() - unit.size(), unit.size(), unit) == 0) {
      std::string num = d.substr(0, d.size() - unit.size());
      char* end = nullptr;
      std::strtod(num.c_str(), &end);
      if (!num.empty() && end != nullptr && *end == '\0') return true;
    }
  }
  return false;
}

std::vector<std::string> SplitComma(const std::string& s) {
  std::vector<std::string> out;
  std::stringstream ss(s);
  std::string item;
  while (std::getline(ss, item, ',')) {
    if (!item.empty()) out.push_back(item);
  }
  return out;
}

base::StatusOr<base::Json> Partition(const std::vector<std::string>& args) {
  base::Json groups = base::Json::array();
  for (size_t i = 1; i < args.size(); ++i) {
    std::string value;
    if (args[i] == "--group" && i + 1 < args.size()) {
      value = args[++i];
    } else if (args[i].rfind("--group=", 0) == 0) {
      value = args[i].substr(8);
    } else {
      return Usage("unexpected \"" + args[i] +
                   "\" (partition takes --group "
                   "NODE[,NODE...] at least twice)");
    }
    groups.push_back(SplitComma(value));
  }
  if (groups.size() < 2) {
    return Usage("a partition needs at least two --group NODE[,NODE...]");
  }
  return base::Json{{"kind", "Partition"}, {"groups", groups}};
}

std::string Effect(const base::Json& f) {
  std::string kind = f.value("kind", "");
  if (kind == "Latency") {
    std::string jitter = f.value("jitter", "");
    return "+" + f.value("latency", "") + (jitter.empty() ? "" : " ±" + jitter);
  }
  if (kind == "Loss" && f.contains("probability")) {
    std::ostringstream p;
    p << f["probability"].get<double>();
    return "drops " + p.str();
  }
  if (kind == "NodeDown") return "unreachable";
  if (kind == "Partition") {
    std::string out;
    for (const auto& g : f.value("groups", base::Json::array())) {
      std::string names;
      for (const auto& n : g)
        names += (names.empty() ? "" : ",") + n.get<std::string>();
      out += (out.empty() ? "" : " | ") + names;
    }
    return out;
  }
  return "";
}

std::string TargetOf(const base::Json& f) {
  if (f.contains("target")) return f.value("target", "");
  if (f.contains("node")) return "node/" + f.value("node", "");
  return "";
}

}  // namespace

base::StatusOr<base::Json> BuildFaultSpec(const std::vector<std::string>& args,
                                          const std::string& ns) {
  if (args.empty()) {
    return Usage("name a fault: node-down, partition, latency or loss");
  }
  const std::string& kind = args[0];
  if (kind == "node-down") {
    if (args.size() != 2) return Usage("usage: ksim fault add node-down NODE");
    std::string node = args[1];
    if (node.rfind("node/", 0) == 0) node = node.substr(5);
    return base::Json{{"kind", "NodeDown"}, {"node", node}};
  }
  if (kind == "partition") return Partition(args);
  if (kind == "latency") {
    std::vector<std::string> rest;
    std::string jitter;
    for (size_t i = 1; i < args.size(); ++i) {
      if (args[i] == "--jitter" && i + 1 < args.size()) {
        jitter = args[++i];
      } else if (args[i].rfind("--jitter=", 0) == 0) {
        jitter = args[i].substr(9);
      } else {
        rest.push_back(args[i]);
      }
    }
    if (rest.size() != 2) {
      return Usage(
          "usage: ksim fault add latency TARGET DURATION "
          "[--jitter DURATION]");
    }
    KSIM_ASSIGN_OR_RETURN(std::string target, Target(rest[0], ns));
    for (const std::string& d : {rest[1], jitter}) {
      if (!d.empty() && !IsDuration(d)) {
        return Usage("\"" + d + "\" is not a duration (100ms, 1.5s, 2m)");
      }
    }
    base::Json spec = {
        {"kind", "Latency"}, {"target", target}, {"latency", rest[1]}};
    if (!jitter.empty()) spec["jitter"] = jitter;
    return spec;
  }
  if (kind == "loss") {
    if (args.size() != 3) {
      return Usage("usage: ksim fault add loss TARGET PROBABILITY");
    }
    KSIM_ASSIGN_OR_RETURN(std::string target, Target(args[1], ns));
    char* end = nullptr;
    double p = std::strtod(args[2].c_str(), &end);
    if (args[2].empty() || *end != '\0' || p < 0 || p > 1) {
      return Usage("the probability must be a number from 0 to 1, not \"" +
                   args[2] + "\"");
    }
    return base::Json{{"kind", "Loss"}, {"target", target}, {"probability", p}};
  }
  return Usage("unknown fault \"" + kind +
               "\" (node-down, partition, latency, loss)");
}

std::string FormatFaultTable(const base::Json& list) {
  std::vector<std::vector<std::string>> rows = {
      {"ID", "KIND", "TARGET", "EFFECT"}};
  for (const auto& f : list.value("items", base::Json::array())) {
    rows.push_back(
        {f.value("id", ""), f.value("kind", ""), TargetOf(f), Effect(f)});
  }
  if (rows.size() == 1) return "No faults.\n";
  std::vector<size_t> width(4, 0);
  for (const auto& r : rows) {
    for (size_t c = 0; c < 4; ++c) width[c] = std::max(width[c], r[c].size());
  }
  std::string out;
  for (const auto& r : rows) {
    std::string line;
    for (size_t c = 0; c < 4; ++c) {
      line += r[c];
      if (c < 3) line += std::string(width[c] - r[c].size() + 3, ' ');
    }
    while (!line.empty() && line.back() == ' ') line.pop_back();
    out += line + "\n";
  }
  return out;
}

std::string FaultUsage() {
  return "Usage:\n"
         "  ksim fault add node-down NODE\n"
         "  ksim fault add partition --group NODE[,NODE...] --group "
         "NODE[,NODE...]\n"
         "  ksim fault add latency TARGET DURATION [--jitter DURATION]\n"
         "  ksim fault add loss TARGET PROBABILITY\n"
         "  ksim fault list [-o json]\n"
         "  ksim fault rm ID [ID...]\n"
         "\n"
         "TARGET is node/NAME, pod/NAME (in --namespace) or "
         "pod/NAMESPACE/NAME;\nDURATION is like 100ms, 1.5s, 2m.\n"
         "\n"
         "Flags:\n"
         "  -n, --namespace NS    namespace of pod/NAME targets (default "
         "\"default\")\n"
         "  --server URL          the ksim API server (default: from the "
         "kubeconfig)\n"
         "  --kubeconfig FILE     kubeconfig to read the server from\n"
         "  --context NAME        kubeconfig context to use\n";
}

int RunFault(const std::vector<std::string>& argv) {
  ClusterFlags cluster;
  std::string ns = "default", output;
  std::vector<std::string> args;
  for (size_t i = 0; i < argv.size(); ++i) {
    const std::string& a = argv[i];
    auto take = [&](std::string* target) {
      if (i + 1 >= argv.size()) return false;
      *target = argv[++i];
      return true;
    };
    bool ok = true;
    if (a == "--help" || a == "-h") {
      std::fputs(FaultUsage().c_str(), stdout);
      return 0;
    } else if (a == "--server") {
      ok = take(&cluster.server);
    } else if (a == "--kubeconfig") {
      ok = take(&cluster.kubeconfig);
    } else if (a == "--context") {
      ok = take(&cluster.context);
    } else if (a == "-n" || a == "--namespace") {
      ok = take(&ns);
    } else if (a == "-o" || a == "--output") {
      ok = take(&output);
    } else {
      args.push_back(a);
    }
    if (!ok) {
      std::fprintf(stderr, "ksim fault: flag needs an argument: %s\n",
                   a.c_str());
      return 2;
    }
  }
  std::string verb = args.empty() ? "" : args[0];
  std::vector<std::string> rest(args.begin() + (args.empty() ? 0 : 1),
                                args.end());
  base::StatusOr<base::Json> spec = base::Json();
  if (verb == "add") spec = BuildFaultSpec(rest, ns);
  bool usage_error = !spec.ok() ||
                     (verb != "add" && verb != "list" && verb != "rm") ||
                     (verb == "rm" && rest.empty());
  if (usage_error) {
    std::fprintf(stderr, "ksim fault: %s\n",
                 spec.ok() ? ("usage error\n" + FaultUsage()).c_str()
                           : spec.status().message().c_str());
    return 2;
  }
  auto server = ResolveServer(cluster);
  if (!server.ok()) {
    std::fprintf(stderr, "ksim fault: %s\n", server.status().message().c_str());
    return 1;
  }
  ApiClient api(*server);
  int rc = 0;
  if (verb == "add") {
    auto added = api.Call("POST", "/ksim/v1/faults", &*spec, kCallSeconds);
    if (added.ok()) {
      std::printf("fault/%s created\n", added->value("id", "").c_str());
    } else {
      std::fprintf(stderr, "Error from server: %s\n",
                   added.status().message().c_str());
      rc = 1;
    }
  } else if (verb == "list") {
    auto list = api.Call("GET", "/ksim/v1/faults", nullptr, kCallSeconds);
    if (list.ok()) {
      std::fputs(output == "json" ? (list->dump(4) + "\n").c_str()
                                  : FormatFaultTable(*list).c_str(),
                 stdout);
    } else {
      std::fprintf(stderr, "Error from server: %s\n",
                   list.status().message().c_str());
      rc = 1;
    }
  } else {
    for (const std::string& id : rest) {
      auto gone =
          api.Call("DELETE", "/ksim/v1/faults/" + id, nullptr, kCallSeconds);
      if (gone.ok()) {
        std::printf("fault/%s deleted\n", id.c_str());
      } else {
        std::fprintf(stderr, "Error from server: %s\n",
                     gone.status().message().c_str());
        rc = 1;
      }
    }
  }
  return rc;
}

}  // namespace ksim::cli
