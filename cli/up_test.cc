// End-to-end tests of `ksim up` as a process: exit codes, the kubeconfig it
// writes, the server it starts, and stopping on signals. They run the ksim
// binary next to this test binary (or in $KSIM_BINARY_DIR).
#include <arpa/inet.h>
#include <fcntl.h>
#include <httplib.h>
#include <netinet/in.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "base/testing/temp_dir.h"
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <regex>
#include <string>
#include <vector>

extern char** environ;

namespace {

namespace fs = std::filesystem;
using Clock = std::chrono::steady_clock;

std::string KsimBinary() {
  const char* dir = std::getenv("KSIM_BINARY_DIR");
  fs::path base = dir != nullptr
                      ? fs::path(dir)
                      : fs::read_symlink("/proc/self/exe").parent_path();
  return (base / "ksim").string();
}

using ksim::testing::TempDir;

// A running `ksim` with its stdout and stderr captured through pipes.
class Ksim {
 public:
  // `env` entries override or (with an empty value) remove variables.
  Ksim(const std::vector<std::string>& args,
       const std::map<std::string, std::string>& env) {
    std::vector<std::string> argv_s{KsimBinary()};
    argv_s.insert(argv_s.end(), args.begin(), args.end());
    std::vector<std::string> env_s;
    for (char** e = environ; *e != nullptr; ++e) {
      std::string kv = *e;
      if (env.count(kv.substr(0, kv.find('='))) == 0) env_s.push_back(kv);
    }
    for (const auto& [k, v] : env) {
      if (!v.empty()) env_s.push_back(k + "=" + v);
    }
    int out[2], err[2];
    REQUIRE(::pipe2(out, O_CLOEXEC) == 0);
    REQUIRE(::pipe2(err, O_CLOEXEC) == 0);
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, out[1], 1);
    posix_spawn_file_actions_adddup2(&fa, err[1], 2);
    std::vector<char*> argv = Pointers(argv_s), envp = Pointers(env_s);
    int rc =
        ::posix_spawn(&pid_, argv[0], &fa, nullptr, argv.data(), envp.data());
    posix_spawn_file_actions_destroy(&fa);
    ::close(out[1]);
    ::close(err[1]);
    out_ = out[0];
    err_ = err[0];
    REQUIRE(rc == 0);
  }
  ~Ksim() {
    if (pid_ > 0) {
      ::kill(pid_, SIGKILL);
      ::waitpid(pid_, nullptr, 0);
    }
    ::close(out_);
    ::close(err_);
  }

  // Reads stdout until it contains `needle` or the process closes it.
  bool WaitForOutput(const std::string& needle, int timeout_ms = 20000) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    while (stdout_.find(needle) == std::string::npos) {
      auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
          deadline - Clock::now());
      pollfd p{out_, POLLIN, 0};
      if (left.count() <= 0 || ::poll(&p, 1, left.count()) <= 0) return false;
      char buf[4096];
      ssize_t n = ::read(out_, buf, sizeof buf);
      if (n <= 0) return false;
      stdout_.append(buf, n);
    }
    return true;
  }

  // Waits for the exit status (-1 after a timeout, then the process is
  // killed); drains stdout and stderr.
  int Wait(int timeout_ms = 20000) {
    auto deadline = Clock::now() + std::chrono::milliseconds(timeout_ms);
    int status = 0;
    while (::waitpid(pid_, &status, WNOHANG) == 0) {
      if (Clock::now() > deadline) return -1;
      ::usleep(10000);
    }
    pid_ = 0;
    Drain(out_, &stdout_);
    Drain(err_, &stderr_);
    return WIFEXITED(status) ? WEXITSTATUS(status) : 128 + WTERMSIG(status);
  }

  void Signal(int sig) { ::kill(pid_, sig); }
  const std::string& out() const { return stdout_; }
  const std::string& err() const { return stderr_; }

 private:
  static std::vector<char*> Pointers(std::vector<std::string>& v) {
    std::vector<char*> p;
    for (std::string& s : v) p.push_back(s.data());
    p.push_back(nullptr);
    return p;
  }
  static void Drain(int fd, std::string* into) {
    char buf[4096];
    for (ssize_t n; (n = ::read(fd, buf, sizeof buf)) > 0;)
      into->append(buf, n);
  }

  pid_t pid_ = 0;
  int out_ = -1, err_ = -1;
  std::string stdout_, stderr_;
};

int PortOf(const std::string& out) {
  std::smatch m;
  REQUIRE(std::regex_search(
      out, m, std::regex(R"(serving on http://127\.0\.0\.1:(\d+))")));
  return std::stoi(m[1]);
}

std::string ServerIn(const fs::path& kubeconfig) {
  YAML::Node root = YAML::LoadFile(kubeconfig.string());
  for (const YAML::Node& c : root["clusters"]) {
    if (c["name"].as<std::string>() == "ksim") {
      return c["cluster"]["server"].as<std::string>();
    }
  }
  return "";
}

TEST_CASE("up: unknown flags exit 2 with the flag named", "[cli][up]") {
  Ksim ksim({"up", "--bogus", "1"}, {});
  CHECK(ksim.Wait() == 2);
  CHECK(ksim.err().find("unknown flag: --bogus") != std::string::npos);
  Ksim other({"down"}, {});
  CHECK(other.Wait() == 2);
  CHECK(other.err().find("unknown command \"down\"") != std::string::npos);
}

TEST_CASE("up: --help prints the flags and exits 0", "[cli][up]") {
  Ksim ksim({"up", "--help"}, {});
  CHECK(ksim.Wait() == 0);
  CHECK(ksim.out().find("--kube-version") != std::string::npos);
}

TEST_CASE("up: serves, writes --kubeconfig alone, stops on SIGTERM",
          "[cli][up]") {
  TempDir dir;
  fs::path kc = dir.path() / "kc" / "config";
  fs::path data = dir.path() / "data";
  Ksim ksim({"up", "--port", "0", "--data", data.string(), "--kubeconfig",
             kc.string()},
            {{"KUBECONFIG", ""}});
  REQUIRE(ksim.WaitForOutput("try: "));
  int port = PortOf(ksim.out());
  CHECK(ksim.out().find("kubeconfig: " + kc.string() + " (context \"ksim\")") !=
        std::string::npos);
  CHECK(ServerIn(kc) == "http://127.0.0.1:" + std::to_string(port));
  CHECK(fs::is_directory(data));
  httplib::Client client("127.0.0.1", port);
  auto res = client.Get("/version");
  REQUIRE(res);
  CHECK(res->status == 200);
  ksim.Signal(SIGTERM);
  CHECK(ksim.Wait() == 0);
}

TEST_CASE("up: merges into $HOME/.kube/config and stops on SIGINT",
          "[cli][up]") {
  TempDir dir;
  Ksim ksim({"up", "--port=0", "--data=" + (dir.path() / "d").string()},
            {{"HOME", dir.path().string()}, {"KUBECONFIG", ""}});
  REQUIRE(ksim.WaitForOutput("try: kubectl get nodes"));
  fs::path kc = dir.path() / ".kube" / "config";
  CHECK(ServerIn(kc) ==
        "http://127.0.0.1:" + std::to_string(PortOf(ksim.out())));
  ksim.Signal(SIGINT);
  CHECK(ksim.Wait() == 0);
}

TEST_CASE("up: a port in use is a start failure (exit 1)", "[cli][up]") {
  int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  REQUIRE(::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0);
  REQUIRE(::listen(fd, 1) == 0);
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  TempDir dir;
  Ksim ksim({"up", "--port", std::to_string(ntohs(addr.sin_port)), "--data",
             (dir.path() / "d").string(), "--kubeconfig",
             (dir.path() / "kc").string()},
            {});
  CHECK(ksim.Wait() == 1);
  ::close(fd);
  CHECK(ksim.err().find("ksim up: ") != std::string::npos);
  CHECK_FALSE(fs::exists(dir.path() / "kc"));
}

// cpp-httplib's default socket options set SO_REUSEPORT, with which a second
// server binds the same port and the kernel splits connections between the
// two; `ksim up` must refuse instead.
TEST_CASE("up: a port held by another ksim is a start failure (exit 1)",
          "[cli][up]") {
  TempDir dir;
  Ksim first({"up", "--port=0", "--data", (dir.path() / "d1").string(),
              "--kubeconfig", (dir.path() / "kc1").string()},
             {});
  REQUIRE(first.WaitForOutput("try: "));
  std::string port = std::to_string(PortOf(first.out()));
  Ksim second({"up", "--port", port, "--data", (dir.path() / "d2").string(),
               "--kubeconfig", (dir.path() / "kc2").string()},
              {});
  int rc = second.Wait(5000);
  if (rc == -1) second.Signal(SIGTERM);
  CHECK(rc == 1);
  first.Signal(SIGTERM);
  CHECK(first.Wait() == 0);
}

TEST_CASE("up: an unusable data dir is a start failure (exit 1)", "[cli][up]") {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  Ksim ksim({"up", "--port=0", "--data", (dir.path() / "file" / "d").string(),
             "--kubeconfig", (dir.path() / "kc").string()},
            {});
  CHECK(ksim.Wait() == 1);
  CHECK(ksim.err().find("cannot create data dir") != std::string::npos);
}

TEST_CASE("up: an unwritable kubeconfig is a start failure (exit 1)",
          "[cli][up]") {
  TempDir dir;
  std::ofstream(dir.path() / "file") << "x";
  Ksim ksim({"up", "--port=0", "--data", (dir.path() / "d").string(),
             "--kubeconfig", (dir.path() / "file" / "kc").string()},
            {});
  CHECK(ksim.Wait() == 1);
  CHECK(ksim.err().find("cannot write the kubeconfig") != std::string::npos);
}

}  // namespace
