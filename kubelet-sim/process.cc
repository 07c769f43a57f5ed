// What runs inside a container: the image's server or the pod's command,
// SIGTERM and preStop hooks, graceful termination, and the listener lookup
// the netsim uses.
#include <algorithm>
#include <set>

#include "client/resource.h"
#include "kubelet-sim/kubelet.h"

namespace ksim::kubelet {

using base::Json;
using std::chrono::seconds;

namespace {

// The kubelet never gives a container less than this to stop.
constexpr int64_t kMinimumGraceSeconds = 2;

std::vector<std::string> Strings(const Json& spec, const char* field) {
  std::vector<std::string> out;
  if (auto it = spec.find(field); it != spec.end() && it->is_array()) {
    for (const auto& s : *it) {
      if (s.is_string()) out.push_back(s.get<std::string>());
    }
  }
  return out;
}

std::string Base(const std::string& s) {
  size_t slash = s.rfind('/');
  return slash == std::string::npos ? s : s.substr(slash + 1);
}

// argv[0] of a server the image runs itself (its entrypoint or CMD).
bool IsServerBinary(const std::string& arg0) {
  static const std::set<std::string> kServers = {"nginx",
                                                 "catalina.sh",
                                                 "httpd-foreground",
                                                 "httpd",
                                                 "redis-server",
                                                 "docker-entrypoint.sh",
                                                 "java",
                                                 "http-echo",
                                                 "echo-server",
                                                 "apache2-foreground",
                                                 "gunicorn",
                                                 "uvicorn",
                                                 "flask",
                                                 "npm"};
  return kServers.count(Base(arg0)) > 0;
}

// `python -m http.server [port]`: Python's own web server.
std::optional<int> PythonServerPort(const std::vector<std::string>& argv) {
  if (argv.size() < 3 || Base(argv[0]).rfind("python", 0) != 0 ||
      argv[1] != "-m" || argv[2] != "http.server") {
    return std::nullopt;
  }
  return argv.size() > 3 ? std::atoi(argv[3].c_str()) : 8000;
}

std::map<std::string, std::string> EnvOf(const PodRt& p, const Json& spec) {
  std::map<std::string, std::string> env = {
      {"HOSTNAME", p.name},
      {"PATH", "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"},
      {"HOME", "/root"}};
  if (auto it = spec.find("env"); it != spec.end() && it->is_array()) {
    for (const auto& e : *it) env[e.value("name", "")] = e.value("value", "");
  }
  return env;
}

// The process a container runs, and whether it is a command for the shell
// interpreter rather than the image's server.
std::vector<std::string> ProcessArgv(const ContainerRt& c, bool* shell) {
  std::vector<std::string> command = Strings(c.spec, "command");
  std::vector<std::string> args = Strings(c.spec, "args");
  std::vector<std::string> argv = command;
  *shell = c.profile->app == AppKind::kShell;
  if (!command.empty()) {
    argv.insert(argv.end(), args.begin(), args.end());
    *shell = !IsServerBinary(argv[0]);
  } else if (!args.empty() && !c.profile->has_entrypoint) {
    argv = args;  // args replace the image's CMD
    *shell = !IsServerBinary(argv[0]);
  } else if (*shell) {
    argv = {"sh"};  // the image's CMD: a shell that reads EOF and exits 0
  }
  return argv;
}

}  // namespace

void Kubelet::RunProcess(PodRt& p, ContainerRt& c) {
  bool shell = false;
  std::vector<std::string> argv = ProcessArgv(c, &shell);
  const ImageProfile* profile = c.profile;
  static const ImageProfile kPython = [] {
    ImageProfile py;
    py.key = "python-http";
    py.flavor = HttpFlavor::kPython;
    return py;
  }();
  c.ports.clear();
  if (auto port = PythonServerPort(argv)) {
    shell = false;
    profile = &kPython;
    c.ports.push_back(*port);
  }
  c.argv = argv;
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  if (p.ov.crash_after) {
    int code = p.ov.exit_code.value_or(1);
    After(*p.ov.crash_after, [this, uid, init, index, inc, code] {
      ContainerRt* c = FindContainer(uid, init, index, inc);
      PodRt* p = FindPod(uid);
      if (c && p) Exit(*p, *c, code);
    });
  }
  if (shell) {
    c.shell = std::make_unique<ShellProcess>(argv, EnvOf(p, c.spec));
    StepShell(uid, init, index, inc);
    return;
  }
  StartServer(p, c, *profile);
}

void Kubelet::StartServer(PodRt& p, ContainerRt& c,
                          const ImageProfile& profile) {
  base::Time now = ctx_.clock->Now();
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  if (profile.app == AppKind::kPause) return;
  for (int port : profile.listen_ports) c.ports.push_back(port);
  if (auto it = c.spec.find("ports"); it != c.spec.end() && it->is_array()) {
    for (const auto& port : *it) {
      if (port.value("protocol", "TCP") == "TCP") {
        c.ports.push_back(port.value("containerPort", 0));
      }
    }
  }
  std::sort(c.ports.begin(), c.ports.end());
  c.ports.erase(std::unique(c.ports.begin(), c.ports.end()), c.ports.end());
  base::Duration startup =
      config_.delays.instant_apps ? base::Duration(0) : profile.startup_time;
  StartupInfo info{p.name, p.ip, c.ports, now, startup};
  for (auto& line : StartupLog(profile, info)) {
    if (line.at.count() == 0) {
      Log(p, c, line.text, now);
      continue;
    }
    After(line.at, [this, uid, init, index, inc, text = line.text] {
      ContainerRt* c = FindContainer(uid, init, index, inc);
      PodRt* p = FindPod(uid);
      if (c && p) Log(*p, *c, text, ctx_.clock->Now());
    });
  }
  if (startup.count() == 0) {
    c.listening = true;
    return;
  }
  After(startup, [this, uid, init, index, inc] {
    ContainerRt* c = FindContainer(uid, init, index, inc);
    PodRt* p = FindPod(uid);
    if (!c || !p) return;
    c->listening = true;
    Touch(*p);
  });
}

void Kubelet::StepShell(const std::string& uid, bool init, size_t index,
                        uint64_t inc) {
  ContainerRt* c = FindContainer(uid, init, index, inc);
  PodRt* p = FindPod(uid);
  if (!c || !p || !c->shell) return;
  base::Time now = ctx_.clock->Now();
  ShellStep step = c->shell->Run(now);
  for (const auto& line : step.output) Log(*p, *c, line, now);
  switch (step.kind) {
    case ShellStep::Kind::kSleep:
      After(step.sleep, [this, uid, init, index, inc] {
        StepShell(uid, init, index, inc);
      });
      break;
    case ShellStep::Kind::kExit:
      Exit(*p, *c, p->ov.exit_code.value_or(step.exit_code));
      break;
    case ShellStep::Kind::kForever:
      break;
  }
}

std::string Kubelet::Exec(PodRt& p, ContainerRt& c,
                          const std::vector<std::string>& argv, int* code,
                          base::Duration* slept) {
  std::string out;
  *slept = base::Duration(0);
  if (!argv.empty() && Base(argv[0]) == "redis-cli") {
    bool up = c.listening && c.profile->app == AppKind::kRedis;
    *code = up ? 0 : 1;
    return up ? "PONG\n"
              : "Could not connect to Redis at 127.0.0.1:6379: Connection "
                "refused\n";
  }
  base::Time now = ctx_.clock->Now();
  if (c.shell) {
    *code = c.shell->Exec(argv, now, &out, slept);
  } else {
    ShellProcess tmp({"sh"}, EnvOf(p, c.spec));
    *code = tmp.Exec(argv, now, &out, slept);
  }
  // A command the interpreter does not know is assumed to exist in the
  // image and succeed (README: exec approximations).
  if (*code == 127 && out.find(": not found") != std::string::npos) {
    *code = 0;
    out.clear();
  }
  return out;
}

void Kubelet::Kill(PodRt& p, ContainerRt& c, const std::string& message,
                   int64_t grace) {
  if (c.st != ContainerRt::St::kRunning || c.killing) return;
  c.killing = true;
  Event(p, c, "Normal", "Killing", message);
  base::Duration hook{};
  const Json* pre = base::Find(c.spec, {"lifecycle", "preStop"});
  if (pre && grace > 0) {
    if (const Json* exec = base::Find(*pre, {"exec", "command"})) {
      std::vector<std::string> argv;
      for (const auto& a : *exec) argv.push_back(a.get<std::string>());
      int code = 0;
      Exec(p, c, argv, &code, &hook);
    } else if (const Json* s = base::Find(*pre, {"sleep", "seconds"})) {
      hook = seconds(s->get<int64_t>());
    }
    hook = std::min<base::Duration>(hook, seconds(grace));
  }
  int64_t hook_secs = std::chrono::duration_cast<seconds>(hook).count();
  base::Duration left =
      seconds(std::max(grace - hook_secs, kMinimumGraceSeconds));
  bool ignores = c.profile->ignores_sigterm || c.shell != nullptr;
  base::Duration drain = c.profile->sigterm_drain;
  int code = c.shell ? 143 : c.profile->sigterm_exit_code;
  if (p.ov.sigterm) {
    ignores = *p.ov.sigterm == "ignore";
    if (*p.ov.sigterm == "exit") drain = base::Duration(0);
    if (auto d = ParseGoDuration(*p.ov.sigterm)) drain = *d;
  }
  if (ignores || drain > left) {
    drain = left;
    code = 137;  // SIGKILL at the end of the grace period
  }
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  After(hook + drain, [this, uid, init, index, inc, code] {
    ContainerRt* c = FindContainer(uid, init, index, inc);
    PodRt* p = FindPod(uid);
    if (c && p) Exit(*p, *c, code);
  });
}

void Kubelet::BeginTermination(PodRt& p) {
  p.terminating = true;
  const Json& meta = (*p.pod)["metadata"];
  int64_t grace = meta.value(
      "deletionGracePeriodSeconds",
      base::GetInt(*p.pod, {"spec", "terminationGracePeriodSeconds"}, 30));
  for (auto* list : {&p.main, &p.init}) {
    for (auto& c : *list) {
      c.want_start = false;
      if (c.st == ContainerRt::St::kRunning) {
        Kill(p, c, "Stopping container " + c.name, grace);
      }
    }
  }
  CheckTerminal(p);
}

void Kubelet::FinalDelete(PodRt& p) {
  p.final_delete_sent = true;
  client::DeleteOptions o;
  o.grace_period_seconds = 0;
  o.precondition_uid = p.uid;
  std::string uid = p.uid;
  std::weak_ptr<bool> alive = alive_;
  ctx_.client->Delete(
      client::kPods, p.ns, p.name, o,
      [this, alive, uid](base::StatusOr<Json> r) {
        if (alive.expired() || r.ok() ||
            r.status().code() == base::Code::kNotFound ||
            r.status().code() == base::Code::kConflict) {
          return;  // gone, or a new pod of that name (uid precondition)
        }
        if (PodRt* p = FindPod(uid)) {
          p->final_delete_sent = false;
          queue_.AddRateLimited(p->key);
        }
      });
}

ServeContext Kubelet::ContextFor(const PodRt& p, const ContainerRt& c,
                                 int port) const {
  ServeContext s;
  s.pod_name = p.name;
  s.pod_namespace = p.ns;
  s.pod_ip = p.ip;
  s.node_name = config_.name;
  s.container_name = c.name;
  s.port = port;
  s.now = ctx_.clock->Now();
  if (c.current) s.started_at = c.current->started;
  s.env = EnvOf(p, c.spec);
  s.args = Strings(c.spec, "args");
  s.forced_status = p.ov.http_status;
  return s;
}

std::optional<Listener> Kubelet::FindListener(const std::string& ip,
                                              int port) const {
  if (down_) return std::nullopt;
  for (const auto& [key, p] : pods_) {
    if (p.ip != ip || p.terminal) continue;
    for (const auto* list : {&p.init, &p.main}) {
      for (const auto& c : *list) {
        if (c.st != ContainerRt::St::kRunning || !c.listening ||
            !std::binary_search(c.ports.begin(), c.ports.end(), port)) {
          continue;
        }
        Listener l;
        l.app = &ApplicationFor(*c.profile);
        if (PythonServerPort(c.argv)) {
          ImageProfile py;
          py.flavor = HttpFlavor::kPython;
          l.app = &ApplicationFor(py);
        }
        l.context = ContextFor(p, c, port);
        l.pod_key = key;
        l.container = c.name;
        l.ready = c.ready;
        return l;
      }
    }
  }
  return std::nullopt;
}

}  // namespace ksim::kubelet
