"""The seed tutorial's commands with its exact strings, plus the cluster-wide
commands: version, api-resources, explain, namespaces, restart persistence."""

import ipaddress
import json
import re
import time

import harness
import kubectl_support
from kubectl_resources_cases import delete_line
from kubectl_support import (AGE_RE, KubectlCase, cm_obj, minor,
                             namespace_obj, svc_obj, write_objects)

WEBAPP_DEPLOYMENT = """\
apiVersion: apps/v1
kind: Deployment
metadata:
  name: webapp
spec:
  replicas: 2
  selector:
    matchLabels:
      app: webapp
  template:
    metadata:
      labels:
        app: webapp
    spec:
      containers:
      - name: webapp
        image: kubeguide/tomcat-app:v1
        ports:
        - containerPort: 8080
"""

WEBAPP_SERVICE = """\
apiVersion: v1
kind: Service
metadata:
  name: webapp
spec:
  selector:
    app: webapp
  ports:
  - protocol: TCP
    port: 8080
    targetPort: 8080
"""

SERVICE_CIDR = ipaddress.ip_network("10.1.0.0/16")


def describe_fields(text):
    """Top-level `Key:  value` lines of kubectl describe."""
    fields = {}
    for line in text.splitlines():
        m = re.match(r"^([A-Z][A-Za-z -]*):\s*(.*)$", line)
        if m:
            fields.setdefault(m.group(1), m.group(2).strip())
    return fields


class SeedTutorialTest(KubectlCase):
    """The seed's commands in the default namespace, with its strings, on a
    whole simulated cluster (controllers, scheduler, kubelets)."""

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster(kube_version=kubectl_support.VERSION,
                                      name="seed")
        cls.cluster.start()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    def test_seed_commands(self):
        d, _ = self.write("webapp-deployment.yaml", WEBAPP_DEPLOYMENT)
        self.write("webapp-service.yaml", WEBAPP_SERVICE, d)

        r = self.ok("create", "-f", "webapp-deployment.yaml", cwd=d)
        self.expect_out(r, "deployment.apps/webapp created\n")
        pods = self.check_webapp_pods()

        r = self.ok("expose", "deployment", "webapp")
        self.expect_out(r, "service/webapp exposed\n")
        first_ip = self.check_get_svc(self.ok("get", "svc"))
        self.assertEqual(first_ip,
                         self.check_get_svc(self.ok("get", "svc", "-n",
                                                    "default")))

        r = self.fails("create", "-f", "webapp-service.yaml", cwd=d)
        self.expect_out(r, 'Error from server (AlreadyExists): error when '
                        'creating "webapp-service.yaml": services "webapp" '
                        'already exists\n', "err")

        r = self.ok("delete", "svc", "webapp", "-n", "default")
        self.expect_out(r, delete_line("service", "webapp", "default") + "\n")

        r = self.ok("create", "-f", "webapp-service.yaml", cwd=d)
        self.expect_out(r, "service/webapp created\n")
        ip = self.check_get_svc(self.ok("get", "svc"))
        for _ in range(2):  # the seed runs it twice: both fail alike
            r = self.fails("create", "-f", "webapp-service.yaml", cwd=d)
            self.expect_out(r, 'Error from server (AlreadyExists): error when '
                            'creating "webapp-service.yaml": services '
                            '"webapp" already exists\n', "err")

        endpoints = ",".join(sorted(p["IP"] + ":8080" for p in pods))
        self.check_describe_svc(ip, endpoints)
        self.check_endpoints(endpoints)

        # A deleted pod is replaced; the endpoints follow the new pod.
        victim = pods[0]["NAME"]
        self.ok("delete", "pod", victim)
        pods = self.check_webapp_pods(gone=victim)
        endpoints = ",".join(sorted(p["IP"] + ":8080" for p in pods))
        self.check_endpoints(endpoints)

        r = self.ok("scale", "deployment", "webapp", "--replicas=3")
        self.expect_out(r, "deployment.apps/webapp scaled\n")
        r = self.ok("rollout", "status", "deployment/webapp", "--timeout=60s")
        self.expect_line(r, 'deployment "webapp" successfully rolled out')
        self.check_webapp_pods(count=3)

        r = self.ok("delete", "-f", "webapp-service.yaml",
                    "-f", "webapp-deployment.yaml", cwd=d)
        self.expect_line(r, delete_line("service", "webapp", "default"))
        self.expect_line(r, delete_line("deployment.apps", "webapp",
                                        "default"))

    def check_get_svc(self, r):
        row = self.row(r, "NAME", "webapp", ["NAME", "TYPE", "CLUSTER-IP",
                                             "EXTERNAL-IP", "PORT(S)", "AGE"])
        self.expect_cells(r, row, {"TYPE": "ClusterIP",
                                   "EXTERNAL-IP": "<none>",
                                   "PORT(S)": "8080/TCP", "AGE": AGE_RE})
        ip = ipaddress.ip_address(row["CLUSTER-IP"])
        self.assertIn(ip, SERVICE_CIDR, "CLUSTER-IP outside 10.1.0.0/16\n" +
                      r.describe())
        return str(ip)

    def test_workload_commands(self):
        """logs, describe events and every `kubectl rollout` verb on a
        Deployment the controllers and kubelets run."""
        ns = self.namespace("workloads")
        r = self.ok("create", "deployment", "web", "--image=nginx:1.25",
                    "-n", ns)
        self.expect_out(r, "deployment.apps/web created\n")
        self.wait_rollout(ns)

        r = self.ok("logs", "deployment/web", "-n", ns)
        self.expect_in(r, "/docker-entrypoint.sh")
        pod = self.table(self.ok("get", "pods", "-n", ns))[0]["NAME"]
        r = self.ok("describe", "pod", pod, "-n", ns)
        for reason in ("Scheduled", "Pulling", "Pulled", "Created",
                       "Started"):
            self.expect_match(r, r"^\s+Normal\s+%s\s" % reason)
        self.expect_in(r, "Successfully assigned %s/%s to k8s-node-" %
                       (ns, pod))

        r = self.ok("set", "image", "deployment/web", "nginx=nginx:1.27",
                    "-n", ns)
        self.expect_out(r, "deployment.apps/web image updated\n")
        self.wait_rollout(ns)
        r = self.ok("rollout", "history", "deployment/web", "-n", ns)
        self.expect_match(r, r"^1\s+<none>$")
        self.expect_match(r, r"^2\s+<none>$")
        r = self.ok("describe", "deployment", "web", "-n", ns)
        self.expect_match(r, r"^\s+Normal\s+ScalingReplicaSet\s.*"
                          r"Scaled up replica set web-\w+ from 0 to 1$")
        self.expect_match(r, r"^Image:\s+nginx:1.27$|^\s+Image:\s+nginx:1.27$")

        r = self.ok("rollout", "undo", "deployment/web", "-n", ns)
        self.expect_out(r, "deployment.apps/web rolled back\n")
        self.wait_rollout(ns)
        image = self.ok("get", "deployment", "web", "-n", ns, "-o",
                        "jsonpath={.spec.template.spec.containers[0].image}")
        self.assertEqual(image.out, "nginx:1.25", image.describe())

        r = self.ok("rollout", "pause", "deployment/web", "-n", ns)
        self.expect_out(r, "deployment.apps/web paused\n")
        r = self.ok("rollout", "resume", "deployment/web", "-n", ns)
        self.expect_out(r, "deployment.apps/web resumed\n")
        r = self.ok("rollout", "restart", "deployment/web", "-n", ns)
        self.expect_out(r, "deployment.apps/web restarted\n")
        self.wait_rollout(ns)
        r = self.ok("rollout", "history", "deployment/web", "-n", ns)
        self.expect_match(r, r"^4\s+<none>$")

    def wait_rollout(self, ns):
        r = self.ok("rollout", "status", "deployment/web", "-n", ns,
                    "--timeout=60s")
        self.expect_line(r, 'deployment "web" successfully rolled out')

    def wait_for(self, what, fn, timeout=60.0):
        """Polls fn() (which returns a value or None) until it returns
        something, as a learner re-runs kubectl get."""
        deadline = time.monotonic() + timeout
        while True:
            got = fn()
            if got is not None:
                return got
            if time.monotonic() > deadline:
                self.fail("timed out waiting for " + what + self.server_log())
            time.sleep(0.25)

    def check_webapp_pods(self, count=2, gone=None):
        """Waits for `count` Running webapp pods, as the seed shows them:
        webapp-<hash>-<5 chars>, 1/1 Running, an IP in 10.244.0.0/16 on a
        worker node; returns their rows."""
        last = {}

        def running():
            r = self.ok("get", "pods", "-l", "app=webapp", "-o", "wide")
            last["r"] = r
            rows = self.table(r)
            if gone and any(row["NAME"] == gone for row in rows):
                return None
            if len(rows) != count or any(
                    row["READY"] != "1/1" or row["STATUS"] != "Running"
                    for row in rows):
                return None
            return rows

        rows = self.wait_for("%d Running webapp pods" % count, running)
        r = last["r"]
        self.assertEqual(r.out.splitlines()[0].split(),
                         ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP",
                          "NODE", "NOMINATED", "NODE", "READINESS", "GATES"])
        alphabet = "bcdfghjklmnpqrstvwxz2456789"
        name_re = r"^webapp-[%s]{6,10}-[%s]{5}$" % (alphabet, alphabet)
        nodes = set()
        for row in rows:
            self.assertRegex(row["NAME"], name_re, r.describe())
            self.assertEqual(row["RESTARTS"], "0", r.describe())
            self.assertIn(ipaddress.ip_address(row["IP"]),
                          ipaddress.ip_network("10.244.0.0/16"), r.describe())
            self.assertEqual(row["NOMINATED NODE"], "<none>", r.describe())
            self.assertEqual(row["READINESS GATES"], "<none>", r.describe())
            nodes.add(row["NODE"])
        # Spread over both workers; never on the tainted control plane.
        self.assertEqual(nodes, {"k8s-node-1", "k8s-node-2"}, r.describe())
        return rows

    def check_endpoints(self, endpoints):
        def listed():
            r = self.ok("get", "endpoints", "webapp")
            row = self.row(r, "NAME", "webapp")
            return r if row["ENDPOINTS"] == endpoints else None

        r = self.wait_for("endpoints " + endpoints, listed, timeout=20)
        self.assertEqual(r.out.splitlines()[0].split(),
                         ["NAME", "ENDPOINTS", "AGE"])

    def check_describe_svc(self, ip, endpoints):
        r = self.ok("describe", "svc", "webapp")
        f = describe_fields(r.out)
        want = {"Name": "webapp", "Namespace": "default", "Labels": "<none>",
                "Annotations": "<none>", "Selector": "app=webapp",
                "Type": "ClusterIP", "IP Family Policy": "SingleStack",
                "IP Families": "IPv4", "IP": ip, "IPs": ip,
                "TargetPort": "8080/TCP", "Session Affinity": "None",
                "Events": "<none>"}
        if minor() >= 31:
            want["Internal Traffic Policy"] = "Cluster"
        for k, v in want.items():
            if f.get(k) != v:
                self.fail("describe svc: %s\nexpected: %r\nactual:   %r\n%s" %
                          (k, v, f.get(k), r.describe()))
        self.expect_match(r, r"^Port:\s+<unset>\s+8080/TCP$")
        if f.get("Endpoints") != endpoints:
            # The endpoints controller may still be catching up.
            self.check_endpoints(endpoints)
            r = self.ok("describe", "svc", "webapp")
            f = describe_fields(r.out)
        self.assertEqual(f.get("Endpoints"), endpoints, r.describe())

    def test_kubernetes_service(self):
        r = self.ok("get", "svc", "kubernetes", "-n", "default")
        row = self.row(r, "NAME", "kubernetes")
        self.expect_cells(r, row, {"TYPE": "ClusterIP",
                                   "CLUSTER-IP": "10.1.0.1",
                                   "PORT(S)": "443/TCP"})


class ClusterCommandsTest(KubectlCase):

    def test_version(self):
        r = self.ok("version")
        want = kubectl_support.VERSION
        self.expect_match(
            r, r'^Server Version: (v%s\.\d+|version\.Info\{Major:"1", '
            r'Minor:"%s", GitVersion:"v%s\.\d+")' %
            (re.escape(want), want.split(".")[1], re.escape(want)))
        r = self.ok("version", "-o", "json")
        server = json.loads(r.out).get("serverVersion", {})
        self.assertEqual((server.get("major"), server.get("minor")),
                         tuple(want.split(".")), r.describe())
        self.assertTrue(server.get("gitVersion", "").startswith(
            "v%s." % want), r.describe())
        self.assertEqual(server.get("platform"), "linux/amd64", r.describe())

    def test_api_resources(self):
        r = self.ok("api-resources")
        rows = self.table(r, ["NAME", "SHORTNAMES", "APIVERSION",
                              "NAMESPACED", "KIND"])
        got = {row["NAME"]: row for row in rows}
        want = [("namespaces", "ns", "v1", "false", "Namespace"),
                ("nodes", "no", "v1", "false", "Node"),
                ("pods", "po", "v1", "true", "Pod"),
                ("services", "svc", "v1", "true", "Service"),
                ("endpoints", "ep", "v1", "true", "Endpoints"),
                ("events", "ev", "v1", "true", "Event"),
                ("configmaps", "cm", "v1", "true", "ConfigMap"),
                ("secrets", "", "v1", "true", "Secret"),
                ("serviceaccounts", "sa", "v1", "true", "ServiceAccount"),
                ("deployments", "deploy", "apps/v1", "true", "Deployment"),
                ("replicasets", "rs", "apps/v1", "true", "ReplicaSet"),
                ("endpointslices", "", "discovery.k8s.io/v1", "true",
                 "EndpointSlice"),
                ("leases", "", "coordination.k8s.io/v1", "true", "Lease")]
        for name, short, gv, namespaced, kind in want:
            row = got.get(name) if name != "events" else next(
                (x for x in rows if x["NAME"] == "events" and
                 x["APIVERSION"] == "v1"), None)
            self.assertIsNotNone(row, "api-resources lacks %s\n%s" %
                                 (name, r.describe()))
            self.expect_cells(r, row, {"SHORTNAMES": short, "APIVERSION": gv,
                                       "NAMESPACED": namespaced,
                                       "KIND": kind})
        r = self.ok("api-resources", "--api-group=apps", "-o", "name")
        self.expect_line(r, "deployments.apps")
        self.expect_line(r, "replicasets.apps")
        r = self.ok("api-resources", "--namespaced=false", "-o", "name")
        self.expect_line(r, "namespaces")
        self.expect_line(r, "nodes")
        self.expect_not_in(r, "pods")
        r = self.ok("api-versions")
        for gv in ("v1", "apps/v1", "discovery.k8s.io/v1",
                   "coordination.k8s.io/v1"):
            self.expect_line(r, gv)

    def test_explain(self):
        r = self.ok("explain", "pods")
        self.expect_match(r, r"^KIND:\s+Pod$")
        self.expect_match(r, r"^VERSION:\s+v1$")
        # ksim writes its own descriptions (kube's OpenAPI text is not
        # copied), so only their presence is checked.
        self.expect_match(r, r"^DESCRIPTION:\n\s+\S")
        for field in ("apiVersion", "kind", "metadata", "spec", "status"):
            self.expect_match(r, r"^\s+%s\s+<" % field)

        r = self.ok("explain", "deployment.spec.template.spec.containers")
        self.expect_match(r, r"^KIND:\s+Deployment$")
        # kubectl's OpenAPI v3 explain prints GROUP and VERSION apart.
        self.expect_match(r, r"^GROUP:\s+apps$")
        self.expect_match(r, r"^VERSION:\s+v1$")
        self.expect_match(r, r"^(RESOURCE|FIELD):\s+containers\s+<\[\]Container>")
        self.expect_match(r, r"^DESCRIPTION:\n\s+\S")
        for field in ("image", "name", "ports", "env"):
            self.expect_match(r, r"^\s+%s\s+<" % field)

        r = self.ok("explain", "svc.spec.ports")
        self.expect_match(r, r"^KIND:\s+Service$")
        self.expect_match(r, r"^(RESOURCE|FIELD):\s+ports\s+<\[\]ServicePort>")
        self.expect_match(r, r"^DESCRIPTION:\n\s+\S")
        for field in ("port", "targetPort", "protocol", "nodePort"):
            self.expect_match(r, r"^\s+%s\s+<" % field)

        r = self.fails("explain", "pods.spec.nosuchfield")
        self.expect_in(r, 'field "nosuchfield" does not exist', "err")


class NamespaceTest(KubectlCase):

    def test_default_namespaces(self):
        r = self.ok("get", "namespaces")
        rows = {row["NAME"]: row for row in self.table(
            r, ["NAME", "STATUS", "AGE"])}
        for ns in ("default", "kube-system", "kube-public",
                   "kube-node-lease"):
            self.assertIn(ns, rows, r.describe())
            self.expect_cells(r, rows[ns], {"STATUS": "Active"})
        obj = self.get_json("namespace", "kube-system")
        self.expect_field(obj, "spec.finalizers", ["kubernetes"])
        self.expect_field(obj, "metadata.labels",
                          {"kubernetes.io/metadata.name": "kube-system"})
        r = self.ok("describe", "namespace", "default")
        self.expect_match(r, r"^Status:\s+Active$")

    def test_terminating_until_content_gone(self):
        ns = self.namespace("term")
        d, _ = self.write("held.yaml", """\
            apiVersion: v1
            kind: ConfigMap
            metadata:
              name: held
              finalizers: [ksim.test/hold]
            data: {a: "1"}
            """)
        self.write("late.yaml", "apiVersion: v1\nkind: ConfigMap\n"
                   "metadata: {name: late}\n", d)
        self.ok("create", "-f", "held.yaml", "-n", ns, cwd=d)
        self.create(cm_obj("plain"), ns=ns)

        r = self.ok("delete", "namespace", ns, "--wait=false")
        self.expect_out(r, 'namespace "%s" deleted\n' % ns)
        r = self.ok("get", "namespace", ns)
        self.expect_cells(r, self.row(r, "NAME", ns), {"STATUS":
                                                       "Terminating"})

        def plain_gone():
            r = self.k("get", "configmap", "plain", "-n", ns)
            return r.rc == 1 and "NotFound" in r.err
        self.assertTrue(harness.wait_until(plain_gone, 15),
                        "configmap plain was not deleted with its namespace")
        held = self.get_json("configmap", "held", "-n", ns)
        self.assertIn("deletionTimestamp", held["metadata"],
                      json.dumps(held, indent=1))
        obj = self.get_json("namespace", ns)
        self.expect_field(obj, "status.phase", "Terminating")
        self.assertIn("deletionTimestamp", obj["metadata"])
        with self.subTest("namespace status.conditions while held"):
            # The namespace controller reports what holds the namespace.
            def conditions():
                o = self.get_json("namespace", ns)
                c = {x["type"]: x for x in o["status"].get("conditions", [])}
                return c if "NamespaceFinalizersRemaining" in c else None
            conds = harness.wait_until(conditions, 10) or {}
            held_by = conds.get("NamespaceFinalizersRemaining", {})
            self.assertEqual(
                (held_by.get("status"), held_by.get("reason"),
                 held_by.get("message")),
                ("True", "SomeFinalizersRemain", "Some content in the "
                 "namespace has finalizers remaining: ksim.test/hold in 1 "
                 "resource instances"),
                json.dumps(self.get_json("namespace", ns), indent=1))
            self.assertEqual(conds.get("NamespaceContentRemaining", {}).get(
                "status"), "True", json.dumps(conds, indent=1))

        r = self.fails("create", "-f", "late.yaml", "-n", ns, cwd=d)
        self.expect_out(r, 'Error from server (Forbidden): error when creating'
                        ' "late.yaml": configmaps "late" is forbidden: unable'
                        ' to create new content in namespace %s because it is'
                        ' being terminated\n' % ns, "err")

        r = self.ok("patch", "configmap", "held", "-n", ns, "--type=merge",
                    "-p", '{"metadata":{"finalizers":null}}')
        with self.subTest("patch that removes the last finalizer"):
            # kube deletes the object and answers with it (not a Status).
            self.expect_out(r, "configmap/held patched\n")

        def ns_gone():
            r = self.k("get", "namespace", ns)
            return r.rc == 1 and r.err == (
                'Error from server (NotFound): namespaces "%s" not found\n'
                % ns)
        self.assertTrue(harness.wait_until(ns_gone, 20),
                        "namespace %s still exists after its content went\n%s"
                        % (ns, self.k("get", "ns", ns, "-o", "yaml").out))


class RestartTest(KubectlCase):
    """Objects and resourceVersions survive a stop and start on one --data."""

    def test_restart_keeps_objects(self):
        with harness.Cluster(kube_version=kubectl_support.VERSION,
                             name="restart") as c:
            k = lambda *a, **kw: c.kubectl(kubectl_support.KUBECTL, *a, **kw)

            def ok(*a, **kw):
                r = k(*a, **kw)
                self.assertEqual(r.rc, 0, r.describe())
                return r

            d = c.new_dir("manifests")
            ok("create", "-f", write_objects(d, [namespace_obj("keep")],
                                             "ns.json"), cwd=d)
            self.write("webapp-deployment.yaml", WEBAPP_DEPLOYMENT, d)
            self.write("webapp-service.yaml", WEBAPP_SERVICE, d)
            write_objects(d, [cm_obj("c1", {"a": "1"})], "c1.json")
            write_objects(d, [cm_obj("c2")], "c2.json")
            write_objects(d, [svc_obj("other")], "other.json")
            for f in ("webapp-deployment.yaml", "webapp-service.yaml",
                      "c1.json"):
                ok("create", "-f", f, "-n", "keep", cwd=d)
            before = json.loads(ok("get", "deploy,svc,cm", "-n", "keep", "-o",
                                   "json").out)["items"]
            ns_before = json.loads(ok("get", "ns", "keep", "-o", "json").out)

            c.restart()

            after = json.loads(ok("get", "deploy,svc,cm", "-n", "keep", "-o",
                                  "json").out)["items"]
            key = lambda o: (o["kind"], o["metadata"]["name"])
            self.assertEqual(
                sorted((key(o), o["metadata"]["resourceVersion"],
                        o["metadata"]["uid"]) for o in before),
                sorted((key(o), o["metadata"]["resourceVersion"],
                        o["metadata"]["uid"]) for o in after))
            self.assertEqual(before, after)
            ns_after = json.loads(ok("get", "ns", "keep", "-o", "json").out)
            self.assertEqual(ns_before, ns_after)

            ok("create", "-f", "c2.json", "-n", "keep", cwd=d)
            new = json.loads(ok("get", "cm", "c2", "-n", "keep", "-o",
                                "json").out)
            newest_before = max(int(o["metadata"]["resourceVersion"])
                                for o in before)
            self.assertGreater(int(new["metadata"]["resourceVersion"]),
                               newest_before)
            # The ClusterIP allocation survives too: no reuse of webapp's IP.
            ok("create", "-f", "other.json", "-n", "keep", cwd=d)
            ips = json.loads(ok("get", "svc", "-n", "keep", "-o",
                                "json").out)["items"]
            self.assertEqual(len({s["spec"]["clusterIP"] for s in ips}), 2,
                             json.dumps(ips, indent=1))
