#include "cli/up.h"

#include <pthread.h>
#include <pwd.h>
#include <signal.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <string>

#include "apiserver/server.h"
#include "cli/kubeconfig.h"
#include "cli/up_options.h"
#include "cluster/cluster.h"

namespace ksim::cli {
namespace {

namespace fs = std::filesystem;

std::string HomeDir() {
  const char* home = std::getenv("HOME");
  if (home != nullptr && *home != '\0') return home;
  const passwd* pw = ::getpwuid(::getuid());
  return pw != nullptr && pw->pw_dir != nullptr ? pw->pw_dir : "/";
}

// Creates the data dir if missing and checks that we may write into it, so
// that a bad --data fails with its own message before the store opens.
base::Status PrepareDataDir(const std::string& dir) {
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) {
    return base::Internal("cannot create data dir " + dir + ": " +
                          ec.message());
  }
  if (!fs::is_directory(dir, ec)) {
    return base::Internal("data dir " + dir + " is not a directory");
  }
  if (::access(dir.c_str(), W_OK | X_OK) != 0) {
    return base::Internal("data dir " + dir +
                          " is not writable: " + std::strerror(errno));
  }
  return base::Status::Ok();
}

// Writes the kubeconfig; returns the file written.
base::StatusOr<std::string> WriteKubeconfig(const UpOptions& o, int port) {
  KubeconfigEntry entry{"ksim", ServerUrl(o.server.address, port)};
  if (!o.kubeconfig.empty()) {
    KSIM_RETURN_IF_ERROR(WriteKubeconfigFile(o.kubeconfig, entry));
    return o.kubeconfig;
  }
  const char* env = std::getenv("KUBECONFIG");
  std::string path =
      KubeconfigPathForMerge("", env != nullptr ? env : "", HomeDir());
  KSIM_RETURN_IF_ERROR(MergeKubeconfigFile(path, entry));
  return path;
}

std::string Absolute(const std::string& path) {
  std::error_code ec;
  fs::path abs = fs::absolute(path, ec);
  return ec ? path : abs.lexically_normal().string();
}

}  // namespace

int RunUp(const std::vector<std::string>& args) {
  base::StatusOr<UpOptions> parsed = ParseUpOptions(args);
  if (!parsed.ok()) {
    std::fprintf(stderr, "ksim up: %s\nRun 'ksim up --help' for usage.\n",
                 parsed.status().message().c_str());
    return 2;
  }
  const UpOptions& o = *parsed;
  if (o.help) {
    std::fputs(UpUsage().c_str(), stdout);
    return 0;
  }
  if (base::Status s = PrepareDataDir(o.server.data_dir); !s.ok()) {
    std::fprintf(stderr, "ksim up: %s\n", s.message().c_str());
    return 1;
  }

  // Block the stop signals before the server starts its threads: they
  // inherit the mask, so the signals wait for our sigwait() below.
  sigset_t stop_signals;
  sigemptyset(&stop_signals);
  sigaddset(&stop_signals, SIGINT);
  sigaddset(&stop_signals, SIGTERM);
  pthread_sigmask(SIG_BLOCK, &stop_signals, nullptr);

  // The cluster (unless --api-only) owns the control plane the HTTP front
  // serves; it is stopped after the front.
  std::unique_ptr<cluster::Cluster> cluster;
  base::StatusOr<std::unique_ptr<apiserver::ApiServer>> server =
      base::Internal("not started");
  if (o.api_only) {
    server = apiserver::ApiServer::Start(o.server);
  } else {
    auto created = cluster::Cluster::Create(o.cluster);
    base::Status started =
        created.ok() ? (*created)->Start() : created.status();
    if (!started.ok()) {
      std::fprintf(stderr, "ksim up: cannot start the cluster: %s\n",
                   started.message().c_str());
      return 1;
    }
    cluster = std::move(created).value();
    server = apiserver::ApiServer::Serve(o.server, cluster->control_plane(),
                                         cluster->pod_logs(),
                                         cluster->net_gateway());
  }
  if (!server.ok()) {
    std::fprintf(stderr, "ksim up: cannot start the API server: %s\n",
                 server.status().message().c_str());
    return 1;
  }
  int port = (*server)->port();
  base::StatusOr<std::string> kubeconfig = WriteKubeconfig(o, port);
  if (!kubeconfig.ok()) {
    std::fprintf(stderr, "ksim up: cannot write the kubeconfig: %s\n",
                 kubeconfig.status().message().c_str());
    // Nobody waits for the signals any more: let them end a stuck Stop().
    pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
    (*server)->Stop();
    return 1;
  }
  std::string file = Absolute(*kubeconfig);
  std::string try_cmd = o.kubeconfig.empty()
                            ? "kubectl get nodes"
                            : "kubectl --kubeconfig " + file + " get nodes";
  std::printf(
      "ksim is serving on %s\nkubeconfig: %s (context \"ksim\")\ntry: %s\n",
      ServerUrl(o.server.address, port).c_str(), file.c_str(), try_cmd.c_str());
  std::fflush(stdout);

  int sig = 0;
  while (sigwait(&stop_signals, &sig) != 0) {
  }
  // A second Ctrl-C while stopping ends the process at once.
  pthread_sigmask(SIG_UNBLOCK, &stop_signals, nullptr);
  std::fprintf(stderr, "ksim: %s received, stopping\n",
               sig == SIGINT ? "SIGINT" : "SIGTERM");
  (*server)->Stop();
  cluster.reset();
  return 0;
}

}  // namespace ksim::cli
