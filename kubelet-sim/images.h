// The image table: what a container of a known image does, as data (KWOK's
// stages are the model). An entry says which application the image runs
// (served to the netsim through Application), which ports it listens on
// without being told, how it starts (delay, log lines), how it reacts to
// SIGTERM and what it does when the pod gives it no command.
//
// Unknown images run forever and answer HTTP 200 on their declared ports.
//
// Thread-safety: everything here is immutable after static initialisation.
#ifndef KSIM_KUBELET_SIM_IMAGES_H_
#define KSIM_KUBELET_SIM_IMAGES_H_

#include <cstdint>
#include <string>
#include <vector>

#include "base/clock.h"

namespace ksim::kubelet {

// An image reference normalised as containerd reports it in containerStatuses.
struct ImageRef {
  std::string full;        // "docker.io/library/nginx:latest"
  std::string repository;  // "docker.io/library/nginx"
  std::string tag;         // "latest" (or the digest after '@')
  std::string base;        // the last path element: "nginx", "tomcat-app"
  // "docker.io/library/nginx@sha256:<64 hex>", stable for one `full`.
  std::string ImageId() const;
};
ImageRef NormalizeImage(const std::string& image);

// What the container's main process is.
enum class AppKind {
  kHttp,   // an HTTP server (tomcat, nginx, httpd, echo, unknown images)
  kRedis,  // a TCP server speaking RESP
  kShell,  // a shell or interpreter: runs its command, exits without one
  kPause,  // sleeps forever, listens on nothing
};

// Which page an HTTP application serves (application.cc renders them).
enum class HttpFlavor {
  kDefault,   // 200 "OK" on every path
  kTomcat,    // kubeguide/tomcat-app: a page naming the pod and its IP
  kNginx,     // "Welcome to nginx!"
  kHttpd,     // "It works!"
  kEcho,      // echoes the request (ealen/echo-server)
  kHttpEcho,  // hashicorp/http-echo: the -text argument
  kLiveness,  // registry.k8s.io/liveness: /healthz 200 for 10 s, then 500
  kPython,    // python -m http.server: a directory listing
};

struct ImageProfile {
  std::string key;  // "tomcat", "nginx", ... ("default" for unknown images)
  AppKind app = AppKind::kHttp;
  HttpFlavor flavor = HttpFlavor::kDefault;
  // Ports the process listens on whatever the pod declares (tomcat 8080).
  std::vector<int> listen_ports;
  // Whether the image has an ENTRYPOINT: then `args` alone are its
  // arguments; without one, `args` replace CMD and run as the command.
  bool has_entrypoint = true;
  int64_t size_bytes = 0;
  base::Duration pull_time{};     // a typical pull on a fresh node
  base::Duration startup_time{};  // from start until "Server startup in"
  // SIGTERM: exit with sigterm_exit_code after sigterm_drain, or ignore it
  // (a shell as PID 1 does) and be SIGKILLed (137) when the grace ends.
  bool ignores_sigterm = false;
  base::Duration sigterm_drain{};
  int sigterm_exit_code = 0;
};

// The profile for an image (by its base name; "default" when unknown).
const ImageProfile& LookupImage(const ImageRef& ref);

// Lines the application logs from its start, with their offsets.
struct TimedLine {
  base::Duration at{};
  std::string text;
};
struct StartupInfo {
  std::string pod_name;
  std::string pod_ip;
  std::vector<int> ports;  // the ports it listens on
  base::Time start{};      // for timestamps inside lines (tomcat's)
  base::Duration startup_time{};
};
std::vector<TimedLine> StartupLog(const ImageProfile& p, const StartupInfo& s);

}  // namespace ksim::kubelet

#endif  // KSIM_KUBELET_SIM_IMAGES_H_
