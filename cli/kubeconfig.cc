#include "cli/kubeconfig.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>
#include <yaml-cpp/yaml.h>

#include <cerrno>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <sstream>
#include <utility>
#include <vector>

namespace ksim::cli {
namespace {

namespace fs = std::filesystem;
using base::BadRequest;
using base::Internal;
using base::Status;
using base::StatusOr;

Status ErrnoStatus(const std::string& what, const std::string& path) {
  return Internal(what + " " + path + ": " + std::strerror(errno));
}

// yaml-cpp 0.7 forgets on output that a scalar was quoted, which would turn
// `name: "123"` into the number 123 for Go readers; so we emit the tree
// ourselves and quote again every scalar that was a string by quoting or by
// an explicit !!str tag. Empty collections go out in flow style ({}, []).
void Emit(YAML::Emitter& out, const YAML::Node& node) {
  switch (node.Type()) {
    case YAML::NodeType::Undefined:
    case YAML::NodeType::Null:
      out << YAML::Null;
      return;
    case YAML::NodeType::Scalar: {
      const std::string& tag = node.Tag();
      if (tag == "!" || tag == "tag:yaml.org,2002:str") {
        out << YAML::DoubleQuoted << node.Scalar();
      } else if (tag.empty() || tag == "?") {
        out << node.Scalar();
      } else {
        out << YAML::VerbatimTag(tag) << node.Scalar();
      }
      return;
    }
    case YAML::NodeType::Sequence:
      if (node.size() == 0) out << YAML::Flow;
      out << YAML::BeginSeq;
      for (const YAML::Node& item : node) Emit(out, item);
      out << YAML::EndSeq;
      return;
    case YAML::NodeType::Map:
      if (node.size() == 0) out << YAML::Flow;
      out << YAML::BeginMap;
      for (const auto& kv : node) {
        out << YAML::Key;
        Emit(out, kv.first);
        out << YAML::Value;
        Emit(out, kv.second);
      }
      out << YAML::EndMap;
      return;
  }
}

// One list entry {<kind>: body, name: name}; keys sorted as kubectl
// writes them ("cluster", "context" before "name"; "name" before "user").
YAML::Node NamedEntry(const std::string& kind, const YAML::Node& body,
                      const std::string& name) {
  YAML::Node entry(YAML::NodeType::Map);
  if (kind > "name") entry["name"] = name;
  entry[kind] = body;
  if (kind < "name") entry["name"] = name;
  return entry;
}

// Adds `entry` to the list root[list_key], replacing entries of its name.
Status Upsert(YAML::Node root, const char* list_key, const YAML::Node& entry,
              const std::string& name) {
  // Read through a const view: a non-const yaml-cpp handle assigned to
  // would write into the tree.
  const YAML::Node list = static_cast<const YAML::Node&>(root)[list_key];
  bool absent = !list.IsDefined() || list.IsNull();
  if (!absent && !list.IsSequence()) {
    return BadRequest(std::string("kubeconfig field \"") + list_key +
                      "\" is not a list");
  }
  YAML::Node merged(YAML::NodeType::Sequence);
  bool replaced = false;
  for (const YAML::Node& item : absent ? YAML::Node() : list) {
    bool same = item.IsMap() && item["name"].IsScalar() &&
                item["name"].Scalar() == name;
    if (!same) {
      merged.push_back(item);
    } else if (!replaced) {  // kept at the place of the first match
      merged.push_back(entry);
      replaced = true;
    }
  }
  if (!replaced) merged.push_back(entry);
  root[list_key] = merged;
  return Status::Ok();
}

YAML::Node EmptyConfig() {
  // kubectl's field order for a fresh file; the lists are filled by Upsert.
  YAML::Node root(YAML::NodeType::Map);
  root["apiVersion"] = "v1";
  root["clusters"] = YAML::Node(YAML::NodeType::Sequence);
  root["contexts"] = YAML::Node(YAML::NodeType::Sequence);
  root["current-context"] = "";
  root["kind"] = "Config";
  root["preferences"] = YAML::Node(YAML::NodeType::Map);
  root["users"] = YAML::Node(YAML::NodeType::Sequence);
  return root;
}

StatusOr<YAML::Node> ParseKubeconfig(const std::string& text) {
  YAML::Node root;
  try {
    root = YAML::Load(text);
  } catch (const YAML::Exception& e) {
    return BadRequest(std::string("kubeconfig is not valid YAML: ") + e.what());
  }
  if (!root.IsDefined() || root.IsNull()) return EmptyConfig();
  if (!root.IsMap()) return BadRequest("kubeconfig is not a YAML mapping");
  // Like kind: clients that insist on apiVersion/kind (the JavaScript one
  // did) get them when a hand-written file lacks them.
  if (!root["apiVersion"]) root["apiVersion"] = "v1";
  if (!root["kind"]) root["kind"] = "Config";
  return root;
}

StatusOr<std::string> ReadFileIfExists(const fs::path& path) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::string();
  std::ifstream in(path, std::ios::binary);
  if (!in) return ErrnoStatus("cannot read kubeconfig", path.string());
  std::ostringstream text;
  text << in.rdbuf();
  return text.str();
}

// Follows symlinks so that writing replaces the file they point to rather
// than the link (a kubeconfig kept in a dotfiles repo stays linked).
fs::path ResolveSymlinks(fs::path path) {
  std::error_code ec;
  for (int hops = 0; hops < 40 && fs::is_symlink(path, ec); ++hops) {
    fs::path target = fs::read_symlink(path, ec);
    if (ec) break;
    path = target.is_absolute() ? target : path.parent_path() / target;
  }
  return path;
}

// client-go's lock: `<file>.lock` created exclusively, removed when done.
class FileLock {
 public:
  static StatusOr<std::unique_ptr<FileLock>> Acquire(const fs::path& file) {
    std::string lock = file.string() + ".lock";
    int fd =
        ::open(lock.c_str(), O_CREAT | O_EXCL | O_WRONLY | O_CLOEXEC, 0600);
    if (fd < 0 && errno == EEXIST) {
      return Internal("kubeconfig is locked: " + lock +
                      " exists (remove it if no other program is writing " +
                      file.string() + ")");
    }
    if (fd < 0) return ErrnoStatus("cannot create lock file", lock);
    ::close(fd);
    return std::unique_ptr<FileLock>(new FileLock(lock));
  }
  ~FileLock() { ::unlink(lock_.c_str()); }

 private:
  explicit FileLock(std::string lock) : lock_(std::move(lock)) {}
  std::string lock_;
};

Status WriteAtomically(const fs::path& path, const std::string& text) {
  std::string tmp = path.string() + ".ksim-XXXXXX";
  int fd = ::mkstemp(tmp.data());
  if (fd < 0) return ErrnoStatus("cannot write kubeconfig", path.string());
  bool ok = ::fchmod(fd, 0600) == 0;
  for (size_t done = 0; ok && done < text.size();) {
    ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    ok = n > 0;
    if (ok) done += static_cast<size_t>(n);
  }
  ok = ok && ::fsync(fd) == 0;
  ok = (::close(fd) == 0) && ok;
  ok = ok && ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    Status status = ErrnoStatus("cannot write kubeconfig", path.string());
    ::unlink(tmp.c_str());
    return status;
  }
  return Status::Ok();
}

// Locks `path`, computes the new text from the current one, writes it.
template <typename Update>
Status RewriteFile(const std::string& path, Update update) {
  fs::path file = ResolveSymlinks(path);
  std::error_code ec;
  if (file.has_parent_path()) fs::create_directories(file.parent_path(), ec);
  if (ec) {
    return Internal("cannot create directory " + file.parent_path().string() +
                    ": " + ec.message());
  }
  KSIM_ASSIGN_OR_RETURN(auto lock, FileLock::Acquire(path));
  KSIM_ASSIGN_OR_RETURN(std::string old_text, ReadFileIfExists(file));
  StatusOr<std::string> new_text = update(old_text);
  if (!new_text.ok()) {
    return Status(new_text.status().code(),
                  path + ": " + new_text.status().message());
  }
  return WriteAtomically(file, *new_text);
}

StatusOr<std::string> MergeOrThrow(const std::string& existing_yaml,
                                   const KubeconfigEntry& entry) {
  KSIM_ASSIGN_OR_RETURN(YAML::Node root, ParseKubeconfig(existing_yaml));
  YAML::Node cluster(YAML::NodeType::Map);
  // kubectl (client-go) ignores the TLS settings for http:// servers, while
  // the JavaScript client refuses http:// unless this flag is set.
  cluster["insecure-skip-tls-verify"] = true;
  cluster["server"] = entry.server;
  YAML::Node context(YAML::NodeType::Map);
  context["cluster"] = entry.name;
  context["user"] = entry.name;
  // ksim enforces no authentication: the user needs no credentials.
  YAML::Node user(YAML::NodeType::Map);
  KSIM_RETURN_IF_ERROR(Upsert(root, "clusters",
                              NamedEntry("cluster", cluster, entry.name),
                              entry.name));
  KSIM_RETURN_IF_ERROR(Upsert(root, "contexts",
                              NamedEntry("context", context, entry.name),
                              entry.name));
  KSIM_RETURN_IF_ERROR(
      Upsert(root, "users", NamedEntry("user", user, entry.name), entry.name));
  root["current-context"] = entry.name;
  YAML::Emitter out;
  Emit(out, root);
  if (!out.good())
    return Internal("cannot emit kubeconfig: " + out.GetLastError());
  return std::string(out.c_str()) + "\n";
}

}  // namespace

std::string KubeconfigPathForMerge(const std::string& explicit_path,
                                   const std::string& kubeconfig_env,
                                   const std::string& home) {
  if (!explicit_path.empty()) return explicit_path;
  std::vector<std::string> paths;
  std::stringstream list(kubeconfig_env);
  for (std::string p; std::getline(list, p, ':');) {
    bool seen = false;
    for (const std::string& q : paths) seen = seen || q == p;
    if (!p.empty() && !seen) paths.push_back(p);
  }
  if (paths.empty()) return (fs::path(home) / ".kube" / "config").string();
  for (const std::string& p : paths) {
    std::error_code ec;
    if (fs::is_regular_file(p, ec)) return p;
  }
  return paths.back();
}

StatusOr<std::string> MergeKubeconfigYaml(const std::string& existing_yaml,
                                          const KubeconfigEntry& entry) {
  try {
    return MergeOrThrow(existing_yaml, entry);
  } catch (const YAML::Exception& e) {  // yaml-cpp reports misuse by throwing
    return Internal(std::string("cannot update kubeconfig: ") + e.what());
  }
}

Status MergeKubeconfigFile(const std::string& path,
                           const KubeconfigEntry& entry) {
  return RewriteFile(path, [&](const std::string& old_text) {
    return MergeKubeconfigYaml(old_text, entry);
  });
}

Status WriteKubeconfigFile(const std::string& path,
                           const KubeconfigEntry& entry) {
  return RewriteFile(
      path, [&](const std::string&) { return MergeKubeconfigYaml("", entry); });
}

}  // namespace ksim::cli
