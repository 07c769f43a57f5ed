#include "cli/kubeconfig.h"

#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <catch2/catch.hpp>

#include "base/testing/temp_dir.h"
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace ksim::cli {
namespace {

namespace fs = std::filesystem;

using ksim::testing::TempDir;

void WriteText(const fs::path& p, const std::string& text) {
  std::ofstream(p) << text;
}

std::string ReadText(const fs::path& p) {
  std::ifstream in(p);
  std::ostringstream s;
  s << in.rdbuf();
  return s.str();
}

// The entry of `list` named `name`; an undefined node when there is none.
YAML::Node Named(const YAML::Node& root, const char* list,
                 const std::string& name) {
  YAML::Node found;
  int matches = 0;
  for (const YAML::Node& item : root[list]) {
    if (item["name"].as<std::string>() == name) {
      found = item;
      ++matches;
    }
  }
  REQUIRE(matches <= 1);
  return found;
}

void CheckKsimEntry(const YAML::Node& root, const std::string& server) {
  YAML::Node cluster = Named(root, "clusters", "ksim");
  REQUIRE(cluster.IsDefined());
  CHECK(cluster["cluster"]["server"].as<std::string>() == server);
  CHECK(cluster["cluster"]["insecure-skip-tls-verify"].as<bool>());
  YAML::Node context = Named(root, "contexts", "ksim");
  REQUIRE(context.IsDefined());
  CHECK(context["context"]["cluster"].as<std::string>() == "ksim");
  CHECK(context["context"]["user"].as<std::string>() == "ksim");
  YAML::Node user = Named(root, "users", "ksim");
  REQUIRE(user.IsDefined());
  CHECK(user["user"].IsMap());
  CHECK(root["current-context"].as<std::string>() == "ksim");
}

mode_t ModeOf(const fs::path& p) {
  struct stat st {};
  REQUIRE(::stat(p.c_str(), &st) == 0);
  return st.st_mode & 0777;
}

const char kOtherConfig[] = R"(apiVersion: v1
kind: Config
clusters:
- cluster:
    certificate-authority-data: Zm9v
    server: https://10.0.0.1:6443
  name: kind-kind
- cluster:
    server: http://old:1
  name: ksim
contexts:
- context:
    cluster: kind-kind
    namespace: "123"
    user: kind-kind
  name: kind-kind
current-context: kind-kind
preferences: {}
users:
- name: kind-kind
  user:
    token: 'true'
)";

TEST_CASE("kubeconfig: a fresh file is created with parents, mode 0600",
          "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "home" / ".kube" / "config";
  REQUIRE(MergeKubeconfigFile(file, {"ksim", "http://127.0.0.1:6443"}).ok());
  YAML::Node root = YAML::LoadFile(file);
  CheckKsimEntry(root, "http://127.0.0.1:6443");
  CHECK(root["apiVersion"].as<std::string>() == "v1");
  CHECK(root["kind"].as<std::string>() == "Config");
  CHECK(root["clusters"].size() == 1);
  CHECK(ModeOf(file) == 0600);
  CHECK_FALSE(fs::exists(file.string() + ".lock"));
}

TEST_CASE("kubeconfig: merging keeps other clusters, users and contexts",
          "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "config";
  WriteText(file, kOtherConfig);
  ::chmod(file.c_str(), 0644);
  REQUIRE(MergeKubeconfigFile(file, {"ksim", "http://127.0.0.1:7000"}).ok());
  YAML::Node root = YAML::LoadFile(file);
  CheckKsimEntry(root, "http://127.0.0.1:7000");
  YAML::Node kind_cluster = Named(root, "clusters", "kind-kind");
  REQUIRE(kind_cluster.IsDefined());
  CHECK(
      kind_cluster["cluster"]["certificate-authority-data"].as<std::string>() ==
      "Zm9v");
  CHECK(kind_cluster["cluster"]["server"].as<std::string>() ==
        "https://10.0.0.1:6443");
  CHECK(Named(root, "contexts", "kind-kind").IsDefined());
  CHECK(Named(root, "users", "kind-kind").IsDefined());
  CHECK(root["preferences"].IsMap());
  CHECK(ModeOf(file) == 0600);
  // Scalars that were strings by quoting stay strings for Go's reader.
  std::string text = ReadText(file);
  CHECK(text.find("namespace: \"123\"") != std::string::npos);
  CHECK(text.find("token: \"true\"") != std::string::npos);
}

TEST_CASE("kubeconfig: a previous ksim entry is replaced in place", "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "config";
  WriteText(file, kOtherConfig);
  REQUIRE(MergeKubeconfigFile(file, {"ksim", "http://127.0.0.1:7000"}).ok());
  REQUIRE(MergeKubeconfigFile(file, {"ksim", "http://127.0.0.1:7001"}).ok());
  YAML::Node root = YAML::LoadFile(file);
  CheckKsimEntry(root, "http://127.0.0.1:7001");
  REQUIRE(root["clusters"].size() == 2);
  CHECK(root["clusters"][1]["name"].as<std::string>() == "ksim");
  CHECK(root["contexts"].size() == 2);
  CHECK(root["users"].size() == 2);
}

TEST_CASE("kubeconfig: --kubeconfig FILE holds the ksim entry alone", "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "sub" / "ksim.yaml";
  fs::create_directories(file.parent_path());
  WriteText(file, kOtherConfig);
  REQUIRE(WriteKubeconfigFile(file, {"ksim", "http://127.0.0.1:6443"}).ok());
  YAML::Node root = YAML::LoadFile(file);
  CheckKsimEntry(root, "http://127.0.0.1:6443");
  CHECK(root["clusters"].size() == 1);
  CHECK(root["contexts"].size() == 1);
  CHECK(root["users"].size() == 1);
  CHECK(ModeOf(file) == 0600);
}

TEST_CASE("kubeconfig: which file $KUBECONFIG selects", "[cli]") {
  TempDir dir;
  std::string a = (dir.path() / "a").string();
  std::string b = (dir.path() / "b").string();
  std::string c = (dir.path() / "c").string();
  std::string home = (dir.path() / "home").string();
  std::string env = a + ":" + b + "::" + a + ":" + c;
  // None exists: kubectl creates the last one.
  CHECK(KubeconfigPathForMerge("", env, home) == c);
  WriteText(b, "");
  CHECK(KubeconfigPathForMerge("", env, home) == b);
  WriteText(a, "");
  CHECK(KubeconfigPathForMerge("", env, home) == a);  // the first is used
  CHECK(KubeconfigPathForMerge("", "", home) == home + "/.kube/config");
  CHECK(KubeconfigPathForMerge("", ":", home) == home + "/.kube/config");
  CHECK(KubeconfigPathForMerge("/x/explicit", env, home) == "/x/explicit");

  // Merging into the chosen file leaves the other paths alone.
  WriteText(b, kOtherConfig);
  REQUIRE(MergeKubeconfigFile(KubeconfigPathForMerge("", env, home),
                              {"ksim", "http://127.0.0.1:6443"})
              .ok());
  CheckKsimEntry(YAML::LoadFile(a), "http://127.0.0.1:6443");
  CHECK(ReadText(b) == kOtherConfig);
}

TEST_CASE("kubeconfig: bad YAML is reported and the file left as it was",
          "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "config";
  for (const char* bad :
       {"clusters: [unclosed\n", "- a list\n", "clusters: not-a-list\n"}) {
    WriteText(file, bad);
    base::Status s = MergeKubeconfigFile(file, {"ksim", "http://h:1"});
    INFO(bad);
    CHECK_FALSE(s.ok());
    CHECK(s.message().find(file.string()) != std::string::npos);
    CHECK(ReadText(file) == bad);
  }
  CHECK_FALSE(fs::exists(file.string() + ".lock"));
}

TEST_CASE("kubeconfig: an empty or null file counts as empty", "[cli]") {
  for (const char* text : {"", "\n", "# nothing\n", "~\n",
                           "clusters: null\nusers:\ncontexts: []\n"}) {
    auto merged = MergeKubeconfigYaml(text, {"ksim", "http://h:1"});
    INFO(text);
    REQUIRE(merged.ok());
    CheckKsimEntry(YAML::Load(*merged), "http://h:1");
  }
}

TEST_CASE("kubeconfig: a held lock is respected", "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "config";
  WriteText(file.string() + ".lock", "");
  base::Status s = MergeKubeconfigFile(file, {"ksim", "http://h:1"});
  CHECK_FALSE(s.ok());
  CHECK(s.message().find("locked") != std::string::npos);
  CHECK_FALSE(fs::exists(file));
}

TEST_CASE("kubeconfig: a symlinked kubeconfig stays a symlink", "[cli]") {
  TempDir dir;
  fs::path real = dir.path() / "dotfiles" / "kubeconfig";
  fs::create_directories(real.parent_path());
  WriteText(real, kOtherConfig);
  fs::path link = dir.path() / "config";
  fs::create_symlink("dotfiles/kubeconfig", link);
  REQUIRE(MergeKubeconfigFile(link, {"ksim", "http://h:1"}).ok());
  CHECK(fs::is_symlink(link));
  CheckKsimEntry(YAML::LoadFile(real), "http://h:1");
}

// kubectl itself reads what we wrote: the http:// server together with
// insecure-skip-tls-verify (which the JavaScript client needs) is accepted.
TEST_CASE("kubeconfig: kubectl reads the merged file", "[cli]") {
  TempDir dir;
  fs::path file = dir.path() / "config";
  WriteText(file, kOtherConfig);
  REQUIRE(MergeKubeconfigFile(file, {"ksim", "http://127.0.0.1:6443"}).ok());
  std::string cmd = "kubectl --kubeconfig " + file.string() +
                    " config view --minify -o "
                    "jsonpath='{.clusters[0].cluster.server} "
                    "{.contexts[0].name} {.contexts[0].context.namespace}'";
  FILE* p = ::popen(cmd.c_str(), "r");
  REQUIRE(p != nullptr);
  char buf[256] = {};
  size_t n = std::fread(buf, 1, sizeof(buf) - 1, p);
  int rc = ::pclose(p);
  CHECK(rc == 0);
  CHECK(std::string(buf, n) == "http://127.0.0.1:6443 ksim ");
}

}  // namespace
}  // namespace ksim::cli
