// ksim_api_bench: starting and stopping the ksim under test, and describing
// the machine.
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <thread>

#include "bench/api_load.h"

namespace ksim::bench {
namespace {

// A port nobody listens on right now (the kernel's choice for port 0).
int FreePort() {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in a{};
  a.sin_family = AF_INET;
  a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  socklen_t len = sizeof(a);
  int port = -1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&a), sizeof(a)) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&a), &len) == 0) {
    port = ntohs(a.sin_port);
  }
  ::close(fd);
  return port;
}

void PrintLogTail(const std::string& log) {
  std::ifstream in(log);
  std::string all((std::istreambuf_iterator<char>(in)),
                  std::istreambuf_iterator<char>());
  if (all.size() > 2000) all = all.substr(all.size() - 2000);
  std::fprintf(stderr, "--- %s ---\n%s\n", log.c_str(), all.c_str());
}

[[noreturn]] void ExecKsim(const std::string& binary, int port,
                           const std::string& dir, bool cluster) {
  // Die with the benchmark, however it ends.
  ::prctl(PR_SET_PDEATHSIG, SIGTERM);
  int log =
      ::open((dir + "/ksim.log").c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0644);
  if (log >= 0) {
    ::dup2(log, 1);
    ::dup2(log, 2);
    ::close(log);
  }
  std::string p = std::to_string(port), data = dir + "/data",
              kubeconfig = dir + "/kubeconfig";
  const char* argv[] = {binary.c_str(),
                        "up",
                        "--port",
                        p.c_str(),
                        "--address",
                        "127.0.0.1",
                        "--data",
                        data.c_str(),
                        "--kubeconfig",
                        kubeconfig.c_str(),
                        cluster ? nullptr : "--api-only",
                        nullptr};
  ::execv(binary.c_str(), const_cast<char* const*>(argv));
  std::fprintf(stderr, "exec %s: %s\n", binary.c_str(), std::strerror(errno));
  ::_exit(127);
}

}  // namespace

bool StartKsim(const std::string& binary, bool cluster, ServerProcess* out) {
  char tmpl[] = "/tmp/ksim-api-bench-XXXXXX";
  if (::mkdtemp(tmpl) == nullptr) {
    std::perror("mkdtemp");
    return false;
  }
  out->dir = tmpl;
  int port = FreePort();
  out->url = "http://127.0.0.1:" + std::to_string(port);
  pid_t pid = ::fork();
  if (pid < 0) {
    std::perror("fork");
    return false;
  }
  if (pid == 0) ExecKsim(binary, port, out->dir, cluster);
  out->pid = pid;
  auto client = NewClient(out->url, 2);
  client->set_connection_timeout(0, 200000);
  auto deadline = SteadyClock::now() + std::chrono::seconds(30);
  while (SteadyClock::now() < deadline) {
    int status = 0;
    if (::waitpid(pid, &status, WNOHANG) == pid) {
      std::fprintf(stderr, "ksim exited before it was ready (status %d)\n",
                   status);
      PrintLogTail(out->dir + "/ksim.log");
      out->pid = -1;
      StopKsim(*out, false);
      return false;
    }
    auto res = client->Get("/readyz");
    if (res && res->status == 200 && res->body == "ok") return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  std::fprintf(stderr, "ksim did not answer /readyz within 30 s\n");
  PrintLogTail(out->dir + "/ksim.log");
  StopKsim(*out, false);
  return false;
}

std::string StopKsim(const ServerProcess& p, bool keep_dir) {
  std::string how = "not running";
  if (p.pid > 0) {
    ::kill(p.pid, SIGTERM);
    auto deadline = SteadyClock::now() + std::chrono::seconds(15);
    int status = 0;
    pid_t done = 0;
    while ((done = ::waitpid(p.pid, &status, WNOHANG)) == 0 &&
           SteadyClock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    if (done == 0) {
      ::kill(p.pid, SIGKILL);
      ::waitpid(p.pid, &status, 0);
      how = "killed (did not stop within 15 s of SIGTERM)";
    } else if (WIFEXITED(status)) {
      how = "exit " + std::to_string(WEXITSTATUS(status));
    } else {
      how = std::string("signal ") + strsignal(WTERMSIG(status));
    }
  }
  if (!keep_dir && !p.dir.empty()) {
    std::error_code ec;
    std::filesystem::remove_all(p.dir, ec);
  }
  return how;
}

std::string CpuModel() {
  std::ifstream in("/proc/cpuinfo");
  std::string line;
  while (std::getline(in, line)) {
    if (line.rfind("model name", 0) == 0) {
      size_t colon = line.find(':');
      return colon == std::string::npos ? line : line.substr(colon + 2);
    }
  }
  return "unknown";
}

}  // namespace ksim::bench
