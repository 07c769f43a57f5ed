"""Runs a real `ksim up` process for the cluster-level tests.

Python 3 standard library only. Everything is bounded: the server must
answer /readyz within READY_TIMEOUT, every client command has a timeout, and
stopping sends SIGTERM, then SIGKILL after STOP_TIMEOUT. The server runs in a
private temp dir (data dir, kubeconfig, HOME for kubectl, one kubectl cache
dir per run) that is removed on close().

The ksim binary comes from $KSIM_BINARY (CTest sets it to the built target).
"""

import contextlib
import ctypes
import http.client
import json
import os
import shutil
import signal
import socket
import subprocess
import tempfile
import time
import urllib.parse

READY_TIMEOUT = 30.0     # seconds for `ksim up` to answer /readyz
STOP_TIMEOUT = 10.0      # seconds between SIGTERM and SIGKILL
COMMAND_TIMEOUT = 60.0   # seconds for one kubectl run
HTTP_TIMEOUT = 20.0      # seconds for one raw HTTP request

KUBECTL_DIR = "/usr/lib/google-cloud-sdk/bin"


def kubectl_binary(version):
    """The kubectl for "1.27".."1.33"; "" or "dispatcher" = /usr/bin/kubectl."""
    if not version or version == "dispatcher":
        return "/usr/bin/kubectl"
    return os.path.join(KUBECTL_DIR, "kubectl." + version)


def ksim_binary():
    path = os.environ.get("KSIM_BINARY", "")
    if not path:
        here = os.path.dirname(os.path.abspath(__file__))
        path = os.path.join(here, "..", "build-tests", "ksim")
    if not os.access(path, os.X_OK):
        raise RuntimeError("KSIM_BINARY=%r is not an executable ksim" % path)
    return path


_PR_SET_PDEATHSIG = 1


def _die_with_parent():
    """Runs in the child before exec: SIGTERM it when the test process dies
    (say, killed by a CTest timeout), so no server outlives its test."""
    with contextlib.suppress(Exception):
        ctypes.CDLL(None, use_errno=True).prctl(_PR_SET_PDEATHSIG,
                                                signal.SIGTERM)


def free_port():
    with contextlib.closing(socket.socket(socket.AF_INET,
                                          socket.SOCK_STREAM)) as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Result:
    """What one client command did: exit code, stdout, stderr, command."""

    def __init__(self, cmd, rc, out, err, cwd=None):
        self.cmd, self.rc, self.out, self.err, self.cwd = cmd, rc, out, err, cwd

    def __iter__(self):  # rc, out, err = result
        return iter((self.rc, self.out, self.err))

    def describe(self):
        where = " (in %s)" % self.cwd if self.cwd else ""
        return ("command: %s%s\nexit code: %s\n--- stdout ---\n%s"
                "--- stderr ---\n%s" % (" ".join(self.cmd), where, self.rc,
                                         self.out, self.err))


class HttpResponse:
    def __init__(self, method, path, status, headers, body):
        self.method, self.path = method, path
        self.status, self.headers, self.body = status, headers, body

    def json(self):
        return json.loads(self.body)

    def header_values(self, name):
        return [v for k, v in self.headers if k.lower() == name.lower()]

    def describe(self):
        return "%s %s -> %d\n%s" % (self.method, self.path, self.status,
                                    self.body[:2000].decode("utf-8", "replace"))


class Cluster:
    """One `ksim up` process with its own data dir and kubeconfig.

    Use as a context manager, or call start() and close(). restart() stops
    the process and starts a new one on the same data dir.
    """

    def __init__(self, kube_version=None, extra_args=(), verbosity=1,
                 name="ksim"):
        self.kube_version = kube_version
        self.extra_args = list(extra_args)
        self.verbosity = verbosity
        self.tmp = tempfile.mkdtemp(prefix=name + "-test-")
        self.data_dir = os.path.join(self.tmp, "data")
        self.kubeconfig = os.path.join(self.tmp, "kubeconfig.yaml")
        self.home = os.path.join(self.tmp, "home")
        os.makedirs(self.home)
        self.proc = None
        self.port = None
        self.starts = 0
        self._runs = 0

    # ---- lifecycle -------------------------------------------------------

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.close()

    def start(self):
        """Starts the server; on failure stops it, removes the temp dir and
        raises with the server's log tail in the message."""
        last_error = None
        try:
            for _ in range(3):  # a free port may be taken before ksim binds
                try:
                    self._start_once(free_port())
                    return self
                except _PortInUse as e:
                    last_error = e
            raise RuntimeError("ksim could not bind a port: %s" % last_error)
        except BaseException:
            self.close()
            raise

    def _start_once(self, port):
        self.starts += 1
        self.log_path = os.path.join(self.tmp, "ksim-%d.log" % self.starts)
        cmd = [ksim_binary(), "up", "--port", str(port), "--address",
               "127.0.0.1", "--data", self.data_dir, "--kubeconfig",
               self.kubeconfig, "-v", str(self.verbosity)]
        if self.kube_version:
            cmd += ["--kube-version", self.kube_version]
        cmd += self.extra_args
        self.command = cmd
        log = open(self.log_path, "wb")
        self.proc = subprocess.Popen(
            cmd, stdout=log, stderr=subprocess.STDOUT, stdin=subprocess.DEVNULL,
            env=dict(os.environ, HOME=self.home), start_new_session=True,
            preexec_fn=_die_with_parent)
        log.close()
        self.port = port
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline:
            rc = self.proc.poll()
            if rc is not None:
                self.proc = None
                text = self.log_tail()
                if rc == 1 and "address in use" in text:
                    raise _PortInUse(text)
                raise RuntimeError("ksim up exited with %d before serving:\n"
                                   "%s\n%s" % (rc, " ".join(cmd), text))
            if self._ready():
                if os.path.exists(self.kubeconfig):
                    return
            time.sleep(0.05)
        self.stop()
        raise RuntimeError("ksim up did not answer /readyz within %.0fs:\n%s" %
                           (READY_TIMEOUT, self.log_tail()))

    def _ready(self):
        try:
            conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                              timeout=2)
            conn.request("GET", "/readyz")
            resp = conn.getresponse()
            body = resp.read()
            conn.close()
            return resp.status == 200 and body.strip() == b"ok"
        except OSError:
            return False

    def stop(self):
        """SIGTERM, then SIGKILL after STOP_TIMEOUT. Returns the exit code."""
        if self.proc is None:
            return None
        proc, self.proc = self.proc, None
        rc = proc.poll()
        if rc is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(proc.pid, signal.SIGTERM)
            try:
                rc = proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(proc.pid, signal.SIGKILL)
                rc = proc.wait(timeout=STOP_TIMEOUT)
                rc = "killed after SIGTERM timeout (%s)" % rc
        return rc

    def restart(self):
        rc = self.stop()
        if rc != 0:
            raise RuntimeError("ksim did not stop cleanly on SIGTERM: %s\n%s"
                               % (rc, self.log_tail()))
        return self.start()

    def close(self):
        try:
            self.stop()
        finally:
            if os.environ.get("KSIM_KEEP_TMP"):
                print("keeping", self.tmp)
            else:
                shutil.rmtree(self.tmp, ignore_errors=True)

    def log_tail(self, lines=40):
        try:
            with open(self.log_path, "rb") as f:
                text = f.read().decode("utf-8", "replace")
        except OSError:
            return ""
        return "\n".join(text.splitlines()[-lines:])

    @property
    def server_url(self):
        return "http://127.0.0.1:%d" % self.port

    # ---- clients ---------------------------------------------------------

    def new_dir(self, prefix):
        self._runs += 1
        path = os.path.join(self.tmp, "%s-%d" % (prefix, self._runs))
        os.makedirs(path)
        return path

    def kubectl_cmd(self, binary, args):
        cache = self.new_dir("cache")
        return [binary, "--kubeconfig", self.kubeconfig, "--cache-dir", cache,
                "--request-timeout=20s"] + list(args)

    def kubectl_env(self):
        env = dict(os.environ, HOME=self.home, KUBECONFIG=self.kubeconfig)
        env.pop("KUBECTL_EXTERNAL_DIFF", None)
        return env

    def kubectl(self, binary, *args, stdin=None, cwd=None,
                timeout=COMMAND_TIMEOUT):
        """Runs `binary args` with this cluster's kubeconfig and a fresh
        cache dir; returns a Result (never raises on a non-zero exit)."""
        cmd = self.kubectl_cmd(binary, args)
        try:
            p = subprocess.run(cmd, input=stdin, capture_output=True,
                               text=True, cwd=cwd, env=self.kubectl_env(),
                               timeout=timeout)
            return Result(cmd, p.returncode, p.stdout, p.stderr, cwd)
        except subprocess.TimeoutExpired as e:
            out = e.stdout.decode() if isinstance(e.stdout, bytes) else (
                e.stdout or "")
            err = e.stderr.decode() if isinstance(e.stderr, bytes) else (
                e.stderr or "")
            return Result(cmd, "timeout after %ss" % timeout, out, err, cwd)

    def kubectl_background(self, binary, *args):
        """Starts kubectl with stdout/stderr to files; returns a Background."""
        cmd = self.kubectl_cmd(binary, args)
        d = self.new_dir("bg")
        return Background(cmd, self.kubectl_env(), d)

    def http(self, method, path, body=None, headers=None, query=None,
             timeout=HTTP_TIMEOUT):
        """One raw HTTP request; body may be bytes, str or a JSON value."""
        if query:
            path += ("&" if "?" in path else "?") + urllib.parse.urlencode(
                query)
        hdrs = {"Accept": "application/json"}
        if body is not None and not isinstance(body, (bytes, str)):
            body = json.dumps(body)
            hdrs["Content-Type"] = "application/json"
        if isinstance(body, str):
            body = body.encode()
        hdrs.update(headers or {})
        conn = http.client.HTTPConnection("127.0.0.1", self.port,
                                          timeout=timeout)
        try:
            conn.request(method, path, body=body, headers=hdrs)
            resp = conn.getresponse()
            data = resp.read()
            return HttpResponse(method, path, resp.status, resp.getheaders(),
                                data)
        finally:
            conn.close()

    def get_json(self, path, **kw):
        r = self.http("GET", path, **kw)
        if r.status != 200:
            raise AssertionError("expected 200:\n" + r.describe())
        return r.json()


class Background:
    """A client process whose output goes to files, stopped by its pid."""

    def __init__(self, cmd, env, directory):
        self.cmd = cmd
        self.out_path = os.path.join(directory, "stdout")
        self.err_path = os.path.join(directory, "stderr")
        with open(self.out_path, "wb") as out, open(self.err_path, "wb") as e:
            self.proc = subprocess.Popen(cmd, stdout=out, stderr=e,
                                         stdin=subprocess.DEVNULL, env=env,
                                         start_new_session=True,
                                         preexec_fn=_die_with_parent)

    def stdout(self):
        with open(self.out_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def stderr(self):
        with open(self.err_path, encoding="utf-8", errors="replace") as f:
            return f.read()

    def wait_for(self, predicate, timeout=20.0):
        """Polls predicate(stdout) until true or timeout; returns its value."""
        deadline = time.monotonic() + timeout
        while True:
            value = predicate(self.stdout())
            if value or time.monotonic() > deadline:
                return value
            if self.proc.poll() is not None:
                return predicate(self.stdout())
            time.sleep(0.05)

    def stop(self):
        if self.proc.poll() is None:
            with contextlib.suppress(ProcessLookupError):
                os.kill(self.proc.pid, signal.SIGTERM)
            try:
                self.proc.wait(timeout=STOP_TIMEOUT)
            except subprocess.TimeoutExpired:
                with contextlib.suppress(ProcessLookupError):
                    os.kill(self.proc.pid, signal.SIGKILL)
                self.proc.wait(timeout=STOP_TIMEOUT)
        return self.proc.returncode

    def result(self):
        return Result(self.cmd, self.proc.returncode, self.stdout(),
                      self.stderr())


class _PortInUse(Exception):
    pass


def wait_until(predicate, timeout=10.0, interval=0.05):
    """Polls predicate() until it returns a true value or timeout expires."""
    deadline = time.monotonic() + timeout
    while True:
        value = predicate()
        if value or time.monotonic() > deadline:
            return value
        time.sleep(interval)
