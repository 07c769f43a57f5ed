"""The seed's `curl <pod IP>:8080` and `curl <ClusterIP>:8080` through the
simulated network of a whole `ksim up` cluster: with `ksim curl`, through the
API server's proxy subresources with real kubectl, curl's exit codes and
messages, faults (`ksim fault`) observed through ksim curl, and /metrics.

Run: KSIM_BINARY=build/ksim /usr/bin/python3 tests/netsim_cli_test.py
         [--kubectl 1.32] [NetsimCliTest.test_method ...]
"""

import os
import re
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402
import kubectl_support  # noqa: E402
from kubectl_seed_cases import (WEBAPP_DEPLOYMENT,  # noqa: E402
                                WEBAPP_SERVICE)
from kubectl_support import KubectlCase  # noqa: E402

WAIT = 60.0  # seconds for the cluster to converge


class NetsimCliTest(KubectlCase):
    """One whole cluster running the seed's webapp Deployment and Service."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster(kube_version=kubectl_support.VERSION,
                                      name="netsim")
        cls.cluster.start()
        try:
            cls.deploy_seed()
        except BaseException:
            cls.cluster.close()
            raise

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    @classmethod
    def deploy_seed(cls):
        d = cls.cluster.new_dir("seed")
        for name, text in (("webapp-deployment.yaml", WEBAPP_DEPLOYMENT),
                           ("webapp-service.yaml", WEBAPP_SERVICE)):
            with open(os.path.join(d, name), "w") as f:
                f.write(text)
            r = cls.cluster.kubectl(kubectl_support.KUBECTL, "create", "-f",
                                    name, cwd=d)
            if r.rc != 0:
                raise AssertionError(r.describe())

    # ---- helpers ----------------------------------------------------------

    def ksim(self, *args, timeout=60):
        """Runs `ksim ARGS` with the cluster's kubeconfig; a Result."""
        cmd = [harness.ksim_binary()] + list(args)
        env = dict(os.environ, HOME=self.cluster.home,
                   KUBECONFIG=self.cluster.kubeconfig)
        p = subprocess.run(cmd, capture_output=True, text=True, env=env,
                           timeout=timeout, stdin=subprocess.DEVNULL)
        return harness.Result(cmd, p.returncode, p.stdout, p.stderr)

    def expect_rc(self, r, rc):
        if r.rc != rc:
            self.fail("expected exit code %d\n%s%s" % (rc, r.describe(),
                                                       self.server_log()))

    def wait_for(self, what, fn, timeout=WAIT):
        deadline = time.monotonic() + timeout
        while True:
            value = fn()
            if value:
                return value
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what + self.server_log())
            time.sleep(0.2)

    def ready_pods(self):
        """{name: (ip, node)} of the Running webapp pods listed in the
        Service's endpoints, once there are two."""
        def ready():
            pods = self.get_json("pods", "-l", "app=webapp")["items"]
            eps = self.get_json("endpoints", "webapp")
            listed = {a["ip"] for s in eps.get("subsets", [])
                      for a in s.get("addresses", [])}
            out = {p["metadata"]["name"]: (p["status"].get("podIP", ""),
                                          p["spec"].get("nodeName", ""))
                   for p in pods
                   if p["status"].get("phase") == "Running" and
                   p["status"].get("podIP") in listed}
            return out if len(out) == 2 and len(listed) == 2 else None
        pods = self.wait_for("2 ready webapp endpoints", ready)
        # kube-proxy programs the ClusterIP a moment after the endpoints
        # change (its min sync period), as on a real node.
        ip = self.cluster_ip()
        self.wait_for("the ClusterIP to route", lambda: self.ksim(
            "curl", "-s", "-m", "2", ip + ":8080").rc == 0)
        return pods

    def cluster_ip(self):
        return self.get_json("svc", "webapp")["spec"]["clusterIP"]

    def expect_tomcat(self, r, pods):
        """The tomcat page, naming one of `pods`; returns that pod's name."""
        self.expect_rc(r, 0)
        self.assertIn("<!DOCTYPE html>", r.out, r.describe())
        self.assertIn("Apache Tomcat", r.out, r.describe())
        named = [n for n in pods if n in r.out]
        self.assertEqual(len(named), 1, r.describe())
        return named[0]

    # ---- tests ------------------------------------------------------------

    def test_seed_curl_pod_ip_and_cluster_ip(self):
        pods = self.ready_pods()
        for name, (ip, _) in pods.items():
            r = self.ksim("curl", ip + ":8080")
            self.assertEqual(self.expect_tomcat(r, pods), name)
            self.assertEqual(r.err, "", r.describe())
        ip = self.cluster_ip()
        answered = set()
        for _ in range(30):
            answered.add(self.expect_tomcat(self.ksim("curl", ip + ":8080"),
                                            pods))
        self.assertEqual(answered, set(pods), "30 requests hit one pod")

    def test_service_and_pod_proxy_with_kubectl(self):
        pods = self.ready_pods()
        r = self.ok("get", "--raw",
                    "/api/v1/namespaces/default/services/webapp:8080/proxy/")
        self.expect_tomcat(r, pods)
        for name in pods:
            r = self.ok("get", "--raw", "/api/v1/namespaces/default/pods/%s:"
                        "8080/proxy/" % name)
            self.assertEqual(self.expect_tomcat(r, pods), name)
        r = self.fails("get", "--raw",
                       "/api/v1/namespaces/default/services/nope:8080/proxy/")
        self.expect_in(r, 'services "nope" not found', "err")
        r = self.fails("get", "--raw",
                       "/api/v1/namespaces/default/services/webapp:9/proxy/")
        self.expect_in(r, "no service port 9 found for service", "err")
        name = sorted(pods)[0]
        r = self.fails("get", "--raw", "/api/v1/namespaces/default/pods/%s:"
                       "9999/proxy/" % name)
        self.expect_in(r, "error trying to reach service: dial tcp %s:9999: "
                       "connect: connection refused" % pods[name][0], "err")

    def test_curl_exit_codes_and_messages(self):
        pods = self.ready_pods()
        ip = sorted(pods.values())[0][0]
        r = self.ksim("curl", ip + ":9999")
        self.expect_rc(r, 7)
        self.assertEqual(r.out, "")
        self.assertRegex(r.err, r"^curl: \(7\) Failed to connect to %s port "
                         r"9999 after \d+ ms: Couldn't connect to server\n$"
                         % re.escape(ip))
        r = self.ksim("curl", "-s", ip + ":9999")
        self.expect_rc(r, 7)
        self.assertEqual(r.err, "")
        r = self.ksim("curl", "nosuch-host:8080")
        self.expect_rc(r, 6)
        self.assertEqual(r.err, "curl: (6) Could not resolve host: "
                         "nosuch-host\n")
        r = self.ksim("curl", "-m", "1", "10.244.250.250:8080")
        self.expect_rc(r, 28)
        self.assertRegex(r.err, r"^curl: \(28\) ")
        r = self.ksim("curl", "-s", "-o", "/dev/null", "-w", "%{http_code}",
                      self.cluster_ip() + ":8080")
        self.expect_rc(r, 0)
        self.assertEqual(r.out, "200")
        r = self.ksim("curl", "-sf", ip + ":8080/nope")
        self.expect_rc(r, 22)
        self.assertEqual(r.out, "")
        r = self.ksim("curl", "-v", ip + ":8080")
        self.expect_rc(r, 0)
        for line in ("*   Trying %s:8080..." % ip,
                     "* Connected to %s (%s) port 8080 (#0)" % (ip, ip),
                     "> GET / HTTP/1.1", "> Host: %s:8080" % ip,
                     "> User-Agent: curl/7.88.1", "> Accept: */*",
                     "< HTTP/1.1 200 OK",
                     "* Connection #0 to host %s left intact" % ip):
            self.assertIn(line, r.err.splitlines(), r.describe())
        self.assertRegex(r.err, r"(?m)^\{ \[%d bytes data\]$" % len(r.out))
        # (Result text has universal newlines: CRLF reads as \n here.)
        r = self.ksim("curl", "-i", ip + ":8080")
        self.assertTrue(r.out.startswith("HTTP/1.1 200 OK\nServer: "
                                         "Apache-Coyote/1.1\n"), r.describe())
        r = self.ksim("curl", "--bogus", ip)
        self.expect_rc(r, 2)
        self.assertTrue(r.err.startswith("curl: option --bogus: is unknown\n"))

    def test_faults_through_ksim_curl(self):
        pods = self.ready_pods()
        name = sorted(pods)[0]
        ip, node = pods[name]
        r = self.ksim("fault", "add", "node-down", node)
        self.expect_rc(r, 0)
        m = re.match(r"^fault/(fault-\d+) created\n$", r.out)
        self.assertTrue(m, r.describe())
        down = m.group(1)
        try:
            r = self.ksim("fault", "list")
            self.expect_rc(r, 0)
            self.assertRegex(r.out, r"(?m)^%s\s+NodeDown\s+node/%s\s" %
                             (down, node))
            r = self.ksim("curl", "-m", "2", ip + ":8080")
            self.expect_rc(r, 28)
        finally:
            r = self.ksim("fault", "rm", down)
        self.expect_rc(r, 0)
        self.assertEqual(r.out, "fault/%s deleted\n" % down)
        self.expect_tomcat(self.ksim("curl", "-m", "5", ip + ":8080"), pods)

        others = sorted({"k8s-node-1", "k8s-node-2"} - {node})
        r = self.ksim("fault", "add", "partition", "--group", node,
                      "--group", ",".join(others + ["k8s-master"]))
        self.expect_rc(r, 0)
        cut = re.match(r"^fault/(fault-\d+) created\n$", r.out).group(1)
        try:
            # From the control plane: cut. From the pod's own node: fine.
            r = self.ksim("curl", "-m", "2", ip + ":8080")
            self.expect_rc(r, 28)
            r = self.ksim("curl", "--from", "node/" + node, "-m", "2",
                          ip + ":8080")
            self.expect_tomcat(r, pods)
        finally:
            r = self.ksim("fault", "rm", cut)
        self.expect_rc(r, 0)
        r = self.ksim("fault", "rm", cut)
        self.expect_rc(r, 1)
        self.assertEqual(r.err, 'Error from server: fault "%s" not found\n'
                         % cut)
        r = self.ksim("fault", "list")
        self.assertNotIn(cut, r.out)

    def test_metrics(self):
        self.ready_pods()
        self.ok("get", "--raw",
                "/api/v1/namespaces/default/services/webapp:8080/proxy/")
        r = self.ok("get", "--raw", "/metrics")
        self.assertRegex(r.out, r'(?m)^apiserver_request_total\{code="200",'
                         r'component="apiserver",dry_run="",group="",'
                         r'resource="services",scope="resource",'
                         r'subresource="proxy",verb="CONNECT",version="v1"\} '
                         r'\d+$')
        self.assertRegex(r.out, r'(?m)^apiserver_request_total\{code="200",'
                         r'component="apiserver",dry_run="",group="",'
                         r'resource="pods",scope="namespace",subresource="",'
                         r'verb="LIST",version="v1"\} \d+$')


if __name__ == "__main__":
    argv = kubectl_support.configure_from_argv(sys.argv)
    if not os.access(kubectl_support.KUBECTL, os.X_OK):
        print("SKIP: kubectl %s not found" % kubectl_support.VERSION)
        sys.exit(77)
    unittest.main(argv=argv, verbosity=2)
