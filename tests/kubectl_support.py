"""Shared pieces of the kubectl tests: which kubectl, the shared cluster, a
base TestCase whose assertions print the command, expected and actual, and a
parser for kubectl's table output."""

import datetime
import json
import os
import re
import sys
import textwrap
import unittest

import harness

# "1.27", "1.32", "1.33": from $KSIM_KUBECTL_VERSION or `--kubectl 1.32`.
VERSION = os.environ.get("KSIM_KUBECTL_VERSION", "1.32")
KUBECTL = os.environ.get("KSIM_KUBECTL", "")


def configure_from_argv(argv):
    """Consumes `--kubectl VERSION` from argv; returns the remaining argv.
    $KSIM_KUBECTL names the binary unless --kubectl is given."""
    global VERSION, KUBECTL
    rest, from_argv = [], False
    it = iter(argv)
    for a in it:
        if a == "--kubectl":
            VERSION, from_argv = next(it), True
        elif a.startswith("--kubectl="):
            VERSION, from_argv = a.split("=", 1)[1], True
        else:
            rest.append(a)
    if from_argv or not KUBECTL:
        KUBECTL = harness.kubectl_binary(VERSION)
    return rest


def minor():
    return int(VERSION.split(".")[1])


def annotated():
    """The verb `kubectl annotate` prints: 1.27 says "annotate"."""
    return "annotate" if minor() <= 27 else "annotated"


_cluster = None


def shared_cluster():
    """The cluster every test class shares (started on first use)."""
    global _cluster
    if _cluster is None:
        # These cases pin the API server's own answers (watch rows, patches
        # with resourceVersions, cascades of hand-made owners), so they run
        # without controllers and kubelets, as against a bare kube-apiserver
        # (envtest). The seed tutorial runs on a whole cluster of its own.
        _cluster = harness.Cluster(kube_version=VERSION, name="kubectl",
                                   extra_args=["--api-only"])
        _cluster.start()
    return _cluster


def close_shared_cluster():
    global _cluster
    if _cluster is not None:
        _cluster.close()
        _cluster = None


def now_rfc3339():
    return datetime.datetime.now(datetime.timezone.utc).strftime(
        "%Y-%m-%dT%H:%M:%SZ")


def parse_table(text):
    """kubectl's column output -> list of dicts keyed by header name.

    Cells are cut at the header's column offsets (kubectl's tabwriter aligns
    every cell under its header), so empty cells and cells with single
    spaces ("NOMINATED NODE") survive.
    """
    lines = [l for l in text.splitlines() if l.strip()]
    if not lines:
        return [], []
    header = lines[0]
    names = re.split(r"\s{2,}", header.strip())
    starts, pos = [], 0
    for n in names:
        pos = header.index(n, pos)
        starts.append(pos)
        pos += len(n)
    rows = []
    for line in lines[1:]:
        row = {}
        for i, n in enumerate(names):
            end = starts[i + 1] if i + 1 < len(names) else len(line)
            row[n] = line[starts[i]:end].strip()
        rows.append(row)
    return names, rows


# Objects for test setup. Setup goes through `kubectl create -f` with JSON
# manifests: kubectl 1.30+ generators (`create configmap`, `run`, ...) send
# protobuf bodies, which test_create_generators covers on its own.

def namespace_obj(name, labels=None):
    return {"apiVersion": "v1", "kind": "Namespace",
            "metadata": {"name": name, **({"labels": labels} if labels
                                          else {})}}


def cm_obj(name, data=None, labels=None):
    obj = {"apiVersion": "v1", "kind": "ConfigMap", "metadata": {"name": name}}
    if labels:
        obj["metadata"]["labels"] = labels
    if data is not None:
        obj["data"] = data
    return obj


def secret_obj(name, data=None):
    return {"apiVersion": "v1", "kind": "Secret", "metadata": {"name": name},
            "type": "Opaque", "data": data or {}}


def pod_obj(name, labels=None, image="nginx:1.25"):
    return {"apiVersion": "v1", "kind": "Pod",
            "metadata": {"name": name, "labels": labels or {"run": name}},
            "spec": {"nodeSelector": {"ksim.test/never": "true"},
                     "containers": [{"name": name, "image": image}]}}


def deploy_obj(name, replicas=1, image="nginx:1.25"):
    labels = {"app": name}
    return {"apiVersion": "apps/v1", "kind": "Deployment",
            "metadata": {"name": name, "labels": labels},
            "spec": {"replicas": replicas, "selector": {"matchLabels": labels},
                     "template": {"metadata": {"labels": labels}, "spec": {
                         "nodeSelector": {"ksim.test/never": "true"},
                         "containers": [{"name": "nginx", "image": image}]}}}}


def svc_obj(name, port=80, target=80):
    return {"apiVersion": "v1", "kind": "Service", "metadata": {"name": name},
            "spec": {"selector": {"app": name},
                     "ports": [{"port": port, "targetPort": target}]}}


def write_objects(directory, objs, name="objs.json"):
    with open(os.path.join(directory, name), "w") as f:
        json.dump({"apiVersion": "v1", "kind": "List", "items": list(objs)},
                  f)
    return name


AGE_RE = re.compile(r"^(\d+s|\d+m(\d+s)?|\d+h(\d+m)?|\d+d(\d+h)?|\d+y)$")


class KubectlCase(unittest.TestCase):
    """Base for kubectl tests: self.cluster, self.k(...), self.ok(...)."""

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.cluster = shared_cluster()

    # ---- running ----------------------------------------------------------

    def k(self, *args, **kw):
        return self.cluster.kubectl(KUBECTL, *args, **kw)

    def ok(self, *args, **kw):
        r = self.k(*args, **kw)
        if r.rc != 0:
            self.fail("expected exit code 0\n" + r.describe() +
                      self.server_log())
        return r

    def fails(self, *args, **kw):
        r = self.k(*args, **kw)
        if r.rc == 0 or not isinstance(r.rc, int):
            self.fail("expected a non-zero exit code\n" + r.describe() +
                      self.server_log())
        return r

    def server_log(self):
        return "\n--- ksim log (tail) ---\n" + self.cluster.log_tail(15)

    def namespace(self, name):
        """Creates a fresh namespace for one test and returns its name."""
        self.create(namespace_obj(name))
        return name

    def create(self, *objs, ns=None, extra=()):
        """`kubectl create -f` of a JSON List of `objs`; returns the Result."""
        d = self.cluster.new_dir("objs")
        f = write_objects(d, objs)
        args = ["create", "-f", f] + (["-n", ns] if ns else []) + list(extra)
        return self.ok(*args, cwd=d)

    def write(self, name, text, directory=None):
        """Writes a manifest; returns (directory, file name)."""
        d = directory or self.cluster.new_dir("manifests")
        with open(os.path.join(d, name), "w") as f:
            f.write(textwrap.dedent(text).lstrip())
        return d, name

    def get_json(self, *args, managed=False):
        """`kubectl get -o json`; kubectl hides metadata.managedFields
        unless managed=True (--show-managed-fields)."""
        extra = ["--show-managed-fields"] if managed else []
        r = self.ok("get", *args, "-o", "json", *extra)
        try:
            return json.loads(r.out)
        except ValueError:
            self.fail("kubectl -o json printed no JSON\n" + r.describe())

    # ---- assertions that print command, expected and actual ---------------

    def expect_out(self, r, expected, stream="out"):
        actual = getattr(r, stream)
        if actual != expected:
            self.fail("%s differs\nexpected: %r\nactual:   %r\n%s" %
                      (stream, expected, actual, r.describe()))

    def expect_line(self, r, expected, stream="out"):
        """`expected` is one whole line of stdout (or stderr)."""
        lines = getattr(r, stream).splitlines()
        if expected not in lines:
            self.fail("missing line in %s\nexpected line: %r\n%s" %
                      (stream, expected, r.describe()))

    def expect_in(self, r, fragment, stream="out"):
        if fragment not in getattr(r, stream):
            self.fail("missing text in %s\nexpected to contain: %r\n%s" %
                      (stream, fragment, r.describe()))

    def expect_not_in(self, r, fragment, stream="out"):
        if fragment in getattr(r, stream):
            self.fail("unexpected text in %s: %r\n%s" %
                      (stream, fragment, r.describe()))

    def expect_match(self, r, pattern, stream="out"):
        m = re.search(pattern, getattr(r, stream), re.M)
        if not m:
            self.fail("no match in %s\nexpected pattern: %r\n%s" %
                      (stream, pattern, r.describe()))
        return m

    def expect_words(self, r, words, stream="out"):
        """Whitespace-insensitive containment (for wrapped descriptions)."""
        flat = " ".join(getattr(r, stream).split())
        want = " ".join(words.split())
        if want not in flat:
            self.fail("missing text in %s (whitespace-insensitive)\n"
                      "expected: %r\n%s" % (stream, want, r.describe()))

    def table(self, r, header=None):
        names, rows = parse_table(r.out)
        if header is not None and names != header:
            self.fail("table header differs\nexpected: %r\nactual:   %r\n%s"
                      % (header, names, r.describe()))
        return rows

    def row(self, r, key, value, header=None):
        rows = self.table(r, header)
        for row in rows:
            if row.get(key) == value:
                return row
        self.fail("no row with %s=%r\n%s" % (key, value, r.describe()))

    def expect_cells(self, r, row, expected):
        for k, v in expected.items():
            actual = row.get(k)
            ok = (v.match(actual or "") if isinstance(v, re.Pattern)
                  else actual == v)
            if not ok:
                self.fail("cell %s differs\nexpected: %r\nactual:   %r\n%s" %
                          (k, getattr(v, "pattern", v), actual,
                           r.describe()))

    def expect_field(self, obj, path, expected, context=""):
        cur = obj
        for p in path.split("."):
            if isinstance(cur, list):
                cur = cur[int(p)] if int(p) < len(cur) else None
            elif isinstance(cur, dict):
                cur = cur.get(p)
            else:
                cur = None
        if cur != expected:
            self.fail("field %s differs\nexpected: %r\nactual:   %r\n%s" %
                      (path, expected, cur, context or
                       json.dumps(obj, indent=1)[:3000]))
        return cur


def main(modules):
    """Runs the TestCases of `modules` against one shared cluster."""
    argv = configure_from_argv(sys.argv)
    if not os.access(KUBECTL, os.X_OK):
        print("SKIP: kubectl %s not found at %s" % (VERSION, KUBECTL))
        sys.exit(77)
    loader = unittest.TestLoader()
    suite = unittest.TestSuite()
    names = argv[1:]
    for m in modules:
        if names:
            for n in names:
                if hasattr(m, n.split(".")[0]):
                    suite.addTests(loader.loadTestsFromName(n, m))
        else:
            suite.addTests(loader.loadTestsFromModule(m))
    print("kubectl %s (%s) against ksim --kube-version %s" %
          (VERSION, KUBECTL, VERSION), flush=True)
    try:
        result = unittest.TextTestRunner(verbosity=2).run(suite)
    finally:
        close_shared_cluster()
    sys.exit(0 if result.wasSuccessful() else 1)
