// Startup, readiness and liveness probes (pkg/kubelet/prober): a worker per
// probe ticks every periodSeconds from the container's start, skips ticks
// before initialDelaySeconds, and turns results into ready/started or a
// restart once the thresholds are crossed.
#include "kubelet-sim/kubelet.h"

namespace ksim::kubelet {

using base::Json;
using std::chrono::seconds;

namespace {

const char* kProbeFields[] = {"startupProbe", "readinessProbe",
                              "livenessProbe"};
const char* kProbeNames[] = {"Startup", "Readiness", "Liveness"};

int64_t Field(const Json& probe, const char* name, int64_t fallback) {
  return probe.value(name, fallback);
}

// A probe's port: a number, or the name of one of the container's ports.
int ResolvePort(const Json& port, const Json& container) {
  if (port.is_number()) return port.get<int>();
  if (!port.is_string()) return 0;
  std::string name = port.get<std::string>();
  if (auto it = container.find("ports"); it != container.end()) {
    for (const auto& p : *it) {
      if (p.value("name", "") == name) return p.value("containerPort", 0);
    }
  }
  return std::atoi(name.c_str());
}

}  // namespace

void Kubelet::StartProbes(PodRt& p, ContainerRt& c) {
  const Json& spec = c.spec;
  bool has_startup = spec.contains("startupProbe");
  c.started = !has_startup;
  if (has_startup) {
    ScheduleProbe(p, c, ProbeKind::kStartup, base::Duration(0));
    return;
  }
  bool has_readiness = spec.contains("readinessProbe");
  // Without a readiness probe a container is ready once running.
  if (!has_readiness) c.ready = true;
  if (has_readiness) ScheduleProbe(p, c, ProbeKind::kReadiness, {});
  if (spec.contains("livenessProbe")) {
    ScheduleProbe(p, c, ProbeKind::kLiveness, {});
  }
  if (p.ov.ready_flap) ScheduleFlap(p, c);
}

void Kubelet::ScheduleProbe(PodRt& p, ContainerRt& c, ProbeKind kind,
                            base::Duration delay) {
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  After(delay, [this, uid, init, index, inc, kind] {
    ProbeTick(uid, init, index, inc, kind);
  });
}

void Kubelet::ProbeTick(const std::string& uid, bool init, size_t index,
                        uint64_t inc, ProbeKind kind) {
  ContainerRt* c = FindContainer(uid, init, index, inc);
  PodRt* p = FindPod(uid);
  if (!c || !p || c->st != ContainerRt::St::kRunning || c->killing) return;
  const Json& probe = c->spec[kProbeFields[static_cast<int>(kind)]];
  auto period = seconds(Field(probe, "periodSeconds", 10));
  auto since = ctx_.clock->Now() - c->current->started;
  if (since >= seconds(Field(probe, "initialDelaySeconds", 0))) {
    std::string message;
    bool ok = RunProbe(*p, *c, probe, &message);
    ApplyProbeResult(*p, *c, kind, ok, message);
    // The result may have killed or restarted the container.
    c = FindContainer(uid, init, index, inc);
    if (!c || c->killing) return;
    if (kind == ProbeKind::kStartup && c->started) return;
  }
  ScheduleProbe(*p, *c, kind, period);
}

bool Kubelet::RunProbe(PodRt& p, ContainerRt& c, const Json& probe,
                       std::string* message) {
  if (const Json* http = base::Find(probe, {"httpGet"})) {
    int port = ResolvePort(http->value("port", Json()), c.spec);
    std::string host = http->value("host", p.ip);
    std::string path = http->value("path", "/");
    std::string scheme = http->value("scheme", "HTTP");
    for (auto& ch : scheme) ch = static_cast<char>(std::tolower(ch));
    std::string url = scheme + "://" + host + ":" + std::to_string(port) + path;
    auto l = FindListener(host, port);
    if (!l || l->container != c.name || !l->app->SpeaksHttp()) {
      *message = "Get \"" + url + "\": dial tcp " + host + ":" +
                 std::to_string(port) + ": connect: connection refused";
      return false;
    }
    HttpRequest req;
    req.target = path;
    req.client_ip = config_.internal_ip;
    req.headers = {{"Host", host + ":" + std::to_string(port)},
                   {"User-Agent", "kube-probe/1.32"},
                   {"Accept", "*/*"},
                   {"Connection", "close"}};
    if (auto it = http->find("httpHeaders"); it != http->end()) {
      for (const auto& h : *it) {
        req.headers.push_back({h.value("name", ""), h.value("value", "")});
      }
    }
    HttpResponse r = l->app->ServeHttp(l->context, req);
    if (r.status >= 200 && r.status < 400) return true;
    *message = "HTTP probe failed with statuscode: " + std::to_string(r.status);
    return false;
  }
  if (const Json* tcp = base::Find(probe, {"tcpSocket"})) {
    int port = ResolvePort(tcp->value("port", Json()), c.spec);
    std::string host = tcp->value("host", p.ip);
    if (FindListener(host, port)) return true;
    *message = "dial tcp " + host + ":" + std::to_string(port) +
               ": connect: connection refused";
    return false;
  }
  if (const Json* cmd = base::Find(probe, {"exec", "command"})) {
    std::vector<std::string> argv;
    for (const auto& a : *cmd) argv.push_back(a.get<std::string>());
    int code = 0;
    base::Duration slept{};
    std::string out = Exec(p, c, argv, &code, &slept);
    auto timeout = seconds(Field(probe, "timeoutSeconds", 1));
    if (slept > timeout) {
      std::string joined;
      for (const auto& a : argv) joined += (joined.empty() ? "" : " ") + a;
      *message = "command \"" + joined + "\" timed out";
      return false;
    }
    if (code == 0) return true;
    *message = out;
    return false;
  }
  return true;  // grpc and unknown handlers: approximated as passing
}

void Kubelet::ApplyProbeResult(PodRt& p, ContainerRt& c, ProbeKind kind,
                               bool ok, const std::string& message) {
  const Json& probe = c.spec[kProbeFields[static_cast<int>(kind)]];
  ProbeState& s = c.probes[static_cast<int>(kind)];
  if (kind == ProbeKind::kReadiness && ok && p.ov.ready_flap && !c.flap_ready) {
    ok = false;
  }
  if (ok) {
    ++s.successes;
    s.failures = 0;
  } else {
    ++s.failures;
    s.successes = 0;
    Event(p, c, "Warning", "Unhealthy",
          std::string(kProbeNames[static_cast<int>(kind)]) +
              " probe failed: " + message);
  }
  int64_t success_threshold =
      kind == ProbeKind::kReadiness ? Field(probe, "successThreshold", 1) : 1;
  int64_t failure_threshold = Field(probe, "failureThreshold", 3);
  int64_t grace = probe.value(
      "terminationGracePeriodSeconds",
      base::GetInt(*p.pod, {"spec", "terminationGracePeriodSeconds"}, 30));
  switch (kind) {
    case ProbeKind::kStartup:
      if (ok) {
        c.started = true;
        const Json& spec = c.spec;
        if (!spec.contains("readinessProbe")) c.ready = true;
        if (spec.contains("readinessProbe")) {
          ScheduleProbe(p, c, ProbeKind::kReadiness, {});
        }
        if (spec.contains("livenessProbe")) {
          ScheduleProbe(p, c, ProbeKind::kLiveness, {});
        }
        if (p.ov.ready_flap) ScheduleFlap(p, c);
        Touch(p);
      } else if (s.failures >= failure_threshold) {
        Kill(p, c,
             "Container " + c.name + " failed startup probe, will be restarted",
             grace);
      }
      break;
    case ProbeKind::kReadiness:
      if (ok && s.successes >= success_threshold && !c.ready) {
        c.ready = true;
        Touch(p);
      } else if (!ok && s.failures >= failure_threshold && c.ready) {
        c.ready = false;
        Touch(p);
      }
      break;
    case ProbeKind::kLiveness:
      if (!ok && s.failures >= failure_threshold) {
        Kill(
            p, c,
            "Container " + c.name + " failed liveness probe, will be restarted",
            grace);
      }
      break;
  }
}

void Kubelet::ScheduleFlap(PodRt& p, ContainerRt& c) {
  std::string uid = p.uid;
  bool init = c.init;
  size_t index = c.index;
  uint64_t inc = c.inc;
  After(*p.ov.ready_flap, [this, uid, init, index, inc] {
    ContainerRt* c = FindContainer(uid, init, index, inc);
    PodRt* p = FindPod(uid);
    if (!c || !p || c->st != ContainerRt::St::kRunning) return;
    c->flap_ready = !c->flap_ready;
    // With a readiness probe the flap shows through the probe's results;
    // without one the container's readiness follows it directly.
    if (!c->spec.contains("readinessProbe")) {
      c->ready = c->flap_ready;
      Touch(*p);
    }
    ScheduleFlap(*p, *c);
  });
}

}  // namespace ksim::kubelet
