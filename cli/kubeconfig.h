// Writing the kubeconfig that points kubectl and the client libraries at a
// running ksim, the way kind does (sigs.k8s.io/kind/pkg/cluster/internal/
// kubeconfig): a cluster, a user and a context that share one name ("ksim")
// are added, or replace earlier entries of that name; every other entry and
// top-level field is kept; current-context is set to the entry.
//
// Thread-safety: the functions share no state; two processes writing one
// file are serialised by a `<file>.lock` file created exclusively, the lock
// that client-go (and so kubectl) and kind take before writing.
#ifndef KSIM_CLI_KUBECONFIG_H_
#define KSIM_CLI_KUBECONFIG_H_

#include <string>

#include "base/status.h"

namespace ksim::cli {

struct KubeconfigEntry {
  std::string name = "ksim";  // of the cluster, the user and the context
  std::string server;         // e.g. "http://127.0.0.1:6443"
};

// The file to merge into, with kubectl's and kind's rules: `explicit_path`
// when not empty; else, of the paths in `kubeconfig_env` (colon separated,
// empty and repeated ones dropped), the first that exists as a file, or the
// last one when none exists; else `home`/.kube/config.
std::string KubeconfigPathForMerge(const std::string& explicit_path,
                                   const std::string& kubeconfig_env,
                                   const std::string& home);

// Returns the kubeconfig `existing_yaml` (may be empty) with `entry` merged
// in. BadRequest when the text is not YAML, not a mapping, or its
// clusters/users/contexts are not lists. Scalars that were quoted in the
// input stay quoted, so "123" remains a string for Go's YAML reader;
// comments are dropped (as kind and kubectl drop them).
base::StatusOr<std::string> MergeKubeconfigYaml(
    const std::string& existing_yaml, const KubeconfigEntry& entry);

// Reads `path` (a missing file counts as empty), merges `entry` in and
// writes the result back atomically (temporary file + rename, through a
// symlink to its target) with mode 0600, creating missing parent dirs.
base::Status MergeKubeconfigFile(const std::string& path,
                                 const KubeconfigEntry& entry);

// Writes `path` holding only `entry` (created or overwritten), mode 0600.
base::Status WriteKubeconfigFile(const std::string& path,
                                 const KubeconfigEntry& entry);

}  // namespace ksim::cli

#endif  // KSIM_CLI_KUBECONFIG_H_
