#include "kubelet-sim/images.h"

#include <chrono>
#include <cstdio>
#include <ctime>
#include <map>

#include "base/encoding.h"

namespace ksim::kubelet {

using std::chrono::milliseconds;
using std::chrono::seconds;

ImageRef NormalizeImage(const std::string& image) {
  ImageRef r;
  std::string name = image;
  std::string tag;
  if (size_t at = name.find('@'); at != std::string::npos) {
    tag = name.substr(at + 1);
    name = name.substr(0, at);
  } else {
    size_t slash = name.rfind('/');
    size_t colon = name.rfind(':');
    if (colon != std::string::npos &&
        (slash == std::string::npos || colon > slash)) {
      tag = name.substr(colon + 1);
      name = name.substr(0, colon);
    }
  }
  // A first element with a dot or a port, or "localhost", is a registry.
  size_t slash = name.find('/');
  std::string first = slash == std::string::npos ? "" : name.substr(0, slash);
  bool has_registry = !first.empty() && (first.find('.') != std::string::npos ||
                                         first.find(':') != std::string::npos ||
                                         first == "localhost");
  if (!has_registry) {
    name = (slash == std::string::npos ? "docker.io/library/" : "docker.io/") +
           name;
  }
  r.repository = name;
  r.tag = tag.empty() ? "latest" : tag;
  bool digest = r.tag.find(':') != std::string::npos;
  r.full = r.repository + (digest ? "@" : ":") + r.tag;
  size_t last = name.rfind('/');
  r.base = last == std::string::npos ? name : name.substr(last + 1);
  return r;
}

std::string ImageRef::ImageId() const {
  if (tag.rfind("sha256:", 0) == 0) return repository + "@" + tag;
  return repository + "@sha256:" + base::Sha256Hex(full);
}

namespace {

ImageProfile Http(std::string key, HttpFlavor flavor, std::vector<int> ports,
                  int64_t size, base::Duration startup, int sigterm_code,
                  base::Duration drain = milliseconds(100)) {
  ImageProfile p;
  p.key = std::move(key);
  p.app = AppKind::kHttp;
  p.flavor = flavor;
  p.listen_ports = std::move(ports);
  p.size_bytes = size;
  p.startup_time = startup;
  p.sigterm_exit_code = sigterm_code;
  p.sigterm_drain = drain;
  return p;
}

ImageProfile Shell(std::string key, int64_t size) {
  ImageProfile p;
  p.key = std::move(key);
  p.app = AppKind::kShell;
  p.has_entrypoint = false;
  p.size_bytes = size;
  p.ignores_sigterm = true;  // sh as PID 1 has no SIGTERM handler
  p.sigterm_exit_code = 137;
  return p;
}

// Pull time from the compressed size, as a ~60 MB/s registry link gives.
void SetPullTime(ImageProfile& p) {
  p.pull_time = milliseconds(300 + p.size_bytes / 60000);
}

std::map<std::string, ImageProfile> BuildTable() {
  std::map<std::string, ImageProfile> t;
  auto add = [&](const std::vector<std::string>& names, ImageProfile p) {
    SetPullTime(p);
    for (const auto& n : names) t[n] = p;
  };
  add({"tomcat-app"}, Http("tomcat-app", HttpFlavor::kTomcat, {8080}, 358244843,
                           milliseconds(2345), 143, seconds(1)));
  add({"tomcat"}, Http("tomcat", HttpFlavor::kTomcat, {8080}, 169812347,
                       milliseconds(1876), 143, seconds(1)));
  // nginx stops on SIGQUIT (its STOPSIGNAL) with a graceful, clean exit.
  add({"nginx", "nginx-unprivileged"},
      Http("nginx", HttpFlavor::kNginx, {80}, 72188133, milliseconds(60), 0,
           milliseconds(200)));
  add({"httpd"}, Http("httpd", HttpFlavor::kHttpd, {80}, 58072158,
                      milliseconds(80), 0, milliseconds(200)));
  add({"echo-server", "echoserver"},
      Http("echo-server", HttpFlavor::kEcho, {80}, 35541812, milliseconds(150),
           143));
  add({"http-echo"}, Http("http-echo", HttpFlavor::kHttpEcho, {5678}, 7291622,
                          milliseconds(10), 2));
  add({"liveness"}, Http("liveness", HttpFlavor::kLiveness, {8080}, 2592811,
                         milliseconds(10), 2));
  ImageProfile redis = Http("redis", HttpFlavor::kDefault, {6379}, 45028210,
                            milliseconds(20), 0, milliseconds(50));
  redis.app = AppKind::kRedis;
  add({"redis"}, redis);
  ImageProfile pause = Http("pause", HttpFlavor::kDefault, {}, 320368,
                            seconds(0), 0, seconds(0));
  pause.app = AppKind::kPause;
  add({"pause"}, pause);
  add({"busybox"}, Shell("busybox", 2167176));
  add({"alpine"}, Shell("alpine", 3653068));
  add({"ubuntu"}, Shell("ubuntu", 29754290));
  add({"debian"}, Shell("debian", 48479224));
  add({"centos"}, Shell("centos", 79650731));
  add({"python"}, Shell("python", 391839431));
  add({"node"}, Shell("node", 399517712));
  add({"default"}, Http("default", HttpFlavor::kDefault, {}, 52428800,
                        milliseconds(100), 143));
  return t;
}

const std::map<std::string, ImageProfile>& Table() {
  static const auto* table =
      new std::map<std::string, ImageProfile>(BuildTable());
  return *table;
}

std::string Strftime(base::Time t, const char* fmt) {
  std::time_t secs =
      std::chrono::duration_cast<seconds>(t.time_since_epoch()).count();
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char buf[64];
  std::strftime(buf, sizeof buf, fmt, &tm);
  return buf;
}

int Millis(base::Time t) {
  auto ms = std::chrono::duration_cast<milliseconds>(t.time_since_epoch());
  return static_cast<int>(ms.count() % 1000);
}

std::vector<TimedLine> TomcatLog(const ImageProfile& p, const StartupInfo& s) {
  bool old = p.key == "tomcat-app";  // Tomcat 8.0.35 says "N ms"
  std::string version = old ? "8.0.35" : "10.1.33";
  auto ms = std::chrono::duration_cast<milliseconds>(s.startup_time).count();
  std::vector<std::pair<double, std::string>> lines = {
      {0.0,
       "org.apache.catalina.startup.VersionLoggerListener.log Server "
       "version:        Apache Tomcat/" +
           version},
      {0.01,
       "org.apache.catalina.startup.VersionLoggerListener.log OS "
       "Name:               Linux"},
      {0.01,
       "org.apache.catalina.startup.VersionLoggerListener.log "
       "CATALINA_BASE:         /usr/local/tomcat"},
      {0.2,
       "org.apache.coyote.AbstractProtocol.init Initializing "
       "ProtocolHandler [\"http-nio-8080\"]"},
      {0.4,
       "org.apache.catalina.core.StandardService.startInternal Starting "
       "service [Catalina]"},
      {0.45,
       "org.apache.catalina.startup.HostConfig.deployDirectory "
       "Deploying web application directory "
       "[/usr/local/tomcat/webapps/ROOT]"},
      {0.98,
       "org.apache.coyote.AbstractProtocol.start Starting "
       "ProtocolHandler [\"http-nio-8080\"]"},
      {1.0, "org.apache.catalina.startup.Catalina.start Server startup in " +
                (old ? std::to_string(ms) + " ms"
                     : "[" + std::to_string(ms) + "] milliseconds")},
  };
  std::vector<TimedLine> out;
  for (const auto& [frac, text] : lines) {
    auto at = std::chrono::duration_cast<base::Duration>(s.startup_time * frac);
    base::Time when = s.start + at;
    char ms_buf[8];
    std::snprintf(ms_buf, sizeof ms_buf, ".%03d", Millis(when));
    out.push_back({at, Strftime(when, "%d-%b-%Y %H:%M:%S") + ms_buf +
                           " INFO [main] " + text});
  }
  return out;
}

std::vector<TimedLine> NginxLog(const StartupInfo& s) {
  std::vector<TimedLine> out;
  for (const char* l :
       {"/docker-entrypoint.sh: /docker-entrypoint.d/ is not empty, will "
        "attempt to perform configuration",
        "/docker-entrypoint.sh: Looking for shell scripts in "
        "/docker-entrypoint.d/",
        "/docker-entrypoint.sh: Launching "
        "/docker-entrypoint.d/10-listen-on-ipv6-by-default.sh",
        "10-listen-on-ipv6-by-default.sh: info: Getting the checksum of "
        "/etc/nginx/conf.d/default.conf",
        "10-listen-on-ipv6-by-default.sh: info: Enabled listen on IPv6 in "
        "/etc/nginx/conf.d/default.conf",
        "/docker-entrypoint.sh: Sourcing "
        "/docker-entrypoint.d/15-local-resolvers.envsh",
        "/docker-entrypoint.sh: Launching "
        "/docker-entrypoint.d/20-envsubst-on-templates.sh",
        "/docker-entrypoint.sh: Launching "
        "/docker-entrypoint.d/30-tune-worker-processes.sh",
        "/docker-entrypoint.sh: Configuration complete; ready for start up"}) {
    out.push_back({{}, l});
  }
  std::string stamp = Strftime(s.start + s.startup_time, "%Y/%m/%d %H:%M:%S");
  for (const char* l :
       {"using the \"epoll\" event method", "nginx/1.27.3",
        "built by gcc 12.2.0 (Debian 12.2.0-14) ", "OS: Linux 6.8.0-48-generic",
        "getrlimit(RLIMIT_NOFILE): 1048576:1048576", "start worker processes",
        "start worker process 29", "start worker process 30"}) {
    out.push_back({s.startup_time, stamp + " [notice] 1#1: " + l});
  }
  return out;
}

std::vector<TimedLine> HttpdLog(const StartupInfo& s) {
  std::string warn =
      "AH00558: httpd: Could not reliably determine the server's fully "
      "qualified domain name, using " +
      s.pod_ip +
      ". Set the 'ServerName' directive globally to suppress this message";
  base::Time t = s.start + s.startup_time;
  char us[16];
  std::snprintf(
      us, sizeof us, ".%06d",
      static_cast<int>(std::chrono::duration_cast<std::chrono::microseconds>(
                           t.time_since_epoch())
                           .count() %
                       1000000));
  std::string stamp =
      Strftime(t, "[%a %b %d %H:%M:%S") + us + Strftime(t, " %Y]");
  return {{{}, warn},
          {{}, warn},
          {s.startup_time,
           stamp + " [mpm_event:notice] [pid 1:tid 1] AH00489: Apache/2.4.62 "
                   "(Unix) configured -- resuming normal operations"},
          {s.startup_time, stamp + " [core:notice] [pid 1:tid 1] AH00094: "
                                   "Command line: 'httpd -D FOREGROUND'"}};
}

std::vector<TimedLine> RedisLog(const StartupInfo& s) {
  char ms[8];
  std::snprintf(ms, sizeof ms, ".%03d", Millis(s.start));
  std::string stamp = Strftime(s.start, "%d %b %Y %H:%M:%S") + ms;
  std::string c = "1:C " + stamp + " ";
  std::string m = "1:M " + stamp + " ";
  return {{{}, c + "# oO0OoO0OoO0Oo Redis is starting oO0OoO0OoO0Oo"},
          {{},
           c + "# Redis version=7.4.1, bits=64, commit=00000000, "
               "modified=0, pid=1, just started"},
          {{},
           c + "# Warning: no config file specified, using the default "
               "config. In order to specify a config file use "
               "redis-server /path/to/redis.conf"},
          {{}, m + "* monotonic clock: POSIX clock_gettime"},
          {{}, m + "* Running mode=standalone, port=6379."},
          {s.startup_time, m + "* Server initialized"},
          {s.startup_time, m + "* Ready to accept connections tcp"}};
}

}  // namespace

const ImageProfile& LookupImage(const ImageRef& ref) {
  const auto& t = Table();
  auto it = t.find(ref.base);
  return it == t.end() ? t.at("default") : it->second;
}

std::vector<TimedLine> StartupLog(const ImageProfile& p, const StartupInfo& s) {
  switch (p.flavor) {
    case HttpFlavor::kTomcat:
      return TomcatLog(p, s);
    case HttpFlavor::kNginx:
      return NginxLog(s);
    case HttpFlavor::kHttpd:
      return HttpdLog(s);
    case HttpFlavor::kEcho:
      return {{s.startup_time,
               "Listening on port " +
                   std::to_string(s.ports.empty() ? 80 : s.ports[0]) + "."}};
    case HttpFlavor::kHttpEcho:
      return {{s.startup_time, Strftime(s.start, "%Y/%m/%d %H:%M:%S") +
                                   " [INFO] server is listening on :5678"}};
    default:
      break;
  }
  if (p.app == AppKind::kRedis) return RedisLog(s);
  return {};
}

}  // namespace ksim::kubelet
