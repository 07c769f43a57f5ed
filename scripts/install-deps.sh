#!/usr/bin/env bash
# Installs what building and testing ksim needs, and only what is missing:
# the Debian packages below (checked with dpkg-query, installed with apt-get
# as root or through sudo), and the JavaScript test client (npm ci in tests/
# when tests/node_modules is missing or older than the lockfile).
# kubectl is not a Debian package here: it must already be on PATH.
set -euo pipefail

cd "$(dirname "$0")/.."

PACKAGES=(
  cmake g++ make pkg-config            # build tools
  libsqlite3-dev libcpp-httplib-dev    # store, HTTP front
  nlohmann-json3-dev libyaml-cpp-dev   # JSON, YAML
  libprotobuf-dev                      # kubectl's protobuf request bodies
  catch2                               # unit tests
  python3-kubernetes                   # Python client tests
  nodejs npm                           # JavaScript client tests
  wrk                                  # benchmarks
)

log() { echo "install-deps: $*" >&2; }

# True when the package is installed, or when an installed package provides
# it (NodeSource's nodejs provides npm, and Debian's npm would conflict).
installed() {
  local status
  status=$(dpkg-query -W -f='${db:Status-Status}' "$1" 2>/dev/null || true)
  [[ $status == installed ]] && return 0
  # Provides lists look like "nodejs-dev, npm (= 9.2.0)".
  local provided
  provided=$(dpkg-query -W -f='${db:Status-Status}|${Provides}\n' 2>/dev/null |
    sed -n 's/^installed|//p' | tr ',' '\n' | sed 's/(.*//; s/ //g')
  grep -qxF "$1" <<<"$provided"
}

missing=()
for pkg in "${PACKAGES[@]}"; do
  installed "$pkg" || missing+=("$pkg")
done

if ((${#missing[@]} == 0)); then
  log "all ${#PACKAGES[@]} Debian packages are present"
else
  log "installing missing Debian packages: ${missing[*]}"
  if [[ $(id -u) -eq 0 ]]; then
    as_root=(env)
  elif command -v sudo >/dev/null; then
    as_root=(sudo)
  else
    log "error: not root and no sudo; install these as root: ${missing[*]}"
    exit 1
  fi
  "${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get update -q
  "${as_root[@]}" DEBIAN_FRONTEND=noninteractive apt-get install -y -q \
    --no-install-recommends "${missing[@]}"
fi

# kubectl comes with the machine (e.g. /usr/bin/kubectl from the Google
# Cloud SDK, which dispatches to kubectl 1.27-1.33); it is not in Debian.
if command -v kubectl >/dev/null; then
  log "kubectl: $(command -v kubectl)"
else
  log "WARNING: kubectl is not on PATH. 'make run' works without it, but the"
  log "         kubectl tests of 'make test' will fail. Install kubectl"
  log "         1.27-1.33 (e.g. from the Google Cloud SDK) into PATH."
fi

# The JavaScript client, pinned by tests/package-lock.json.
if [[ ! -f tests/node_modules/.package-lock.json ||
      tests/package-lock.json -nt tests/node_modules/.package-lock.json ]]; then
  log "npm ci in tests/ (@kubernetes/client-node)"
  (cd tests && npm ci --no-audit --no-fund --loglevel=error)
else
  log "tests/node_modules is up to date"
fi
