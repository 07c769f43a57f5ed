"""kubectl get in its output forms and selectors, get -w, and delete with
its cascade variants."""

import json
import re

import harness
import kubectl_support
from kubectl_resources_cases import NEVER, delete_line
from kubectl_support import (AGE_RE, KubectlCase, cm_obj, deploy_obj,
                             namespace_obj, parse_table, pod_obj,
                             secret_obj, write_objects)

POD = """\
apiVersion: v1
kind: Pod
metadata:
  name: %s
  labels: {%s}
spec:
  """ + NEVER + """
  containers:
  - {name: c, image: "nginx:1.25"}
"""

POD_HEADER = ["NAME", "READY", "STATUS", "RESTARTS", "AGE"]


class GetTest(KubectlCase):

    @classmethod
    def setUpClass(cls):
        super().setUpClass()
        c = cls.cluster
        d = c.new_dir("pods")
        f = write_objects(d, [namespace_obj(n) for n in ("get-a", "get-b",
                                                         "get-empty")])
        r = c.kubectl(kubectl_support.KUBECTL, "create", "-f", f, cwd=d)
        assert r.rc == 0, r.describe()
        pods = [("get-a", "p1", "app: web, tier: fe"),
                ("get-a", "p2", "app: web, tier: be"),
                ("get-a", "p3", "app: db"),
                ("get-b", "p4", "app: web, tier: fe")]
        for ns, name, labels in pods:
            with open("%s/%s.yaml" % (d, name), "w") as f:
                f.write(POD % (name, labels))
            r = c.kubectl(kubectl_support.KUBECTL, "create", "-f",
                          name + ".yaml", "-n", ns, cwd=d)
            assert r.rc == 0, r.describe()

    def names(self, *args):
        r = self.ok("get", "pods", *args)
        return [row["NAME"] for row in self.table(r, POD_HEADER)]

    def test_table_forms(self):
        r = self.ok("get", "pods", "-n", "get-a")
        rows = self.table(r, POD_HEADER)
        self.assertEqual([x["NAME"] for x in rows], ["p1", "p2", "p3"])
        for row in rows:
            self.expect_cells(r, row, {"READY": "0/1", "STATUS": "Pending",
                                       "RESTARTS": "0", "AGE": AGE_RE})
        r = self.ok("get", "pods", "-n", "get-a", "-o", "wide")
        self.table(r, POD_HEADER + ["IP", "NODE", "NOMINATED NODE",
                                    "READINESS GATES"])
        r = self.ok("get", "pods", "-n", "get-a", "--show-labels")
        row = self.row(r, "NAME", "p1", POD_HEADER + ["LABELS"])
        self.expect_cells(r, row, {"LABELS": "app=web,tier=fe"})
        r = self.ok("get", "pods", "-n", "get-a", "-L", "tier")
        row = self.row(r, "NAME", "p3", POD_HEADER + ["TIER"])
        self.expect_cells(r, row, {"TIER": ""})
        r = self.ok("get", "pods", "-A", "-l", "app=web")
        rows = [x for x in self.table(r, ["NAMESPACE"] + POD_HEADER)
                if x["NAMESPACE"].startswith("get-")]  # other tests' pods
        self.assertEqual([(x["NAMESPACE"], x["NAME"]) for x in rows],
                         [("get-a", "p1"), ("get-a", "p2"), ("get-b", "p4")])
        r = self.ok("get", "pods", "p3", "p1", "-n", "get-a")
        self.assertEqual([x["NAME"] for x in self.table(r)], ["p3", "p1"])
        r = self.ok("get", "pods", "-n", "get-a",
                    "--sort-by=.metadata.labels.app")
        self.assertEqual([x["NAME"] for x in self.table(r)][0], "p3")
        r = self.ok("get", "pods", "-n", "get-a", "--no-headers")
        self.assertEqual([l.split()[0] for l in r.out.splitlines()],
                         ["p1", "p2", "p3"], r.describe())
        r = self.ok("get", "pods", "-n", "get-empty")
        self.expect_out(r, "")
        self.expect_out(r, "No resources found in get-empty namespace.\n",
                        "err")
        r = self.fails("get", "pod", "nosuch", "-n", "get-a")
        self.expect_out(r, 'Error from server (NotFound): pods "nosuch" not '
                        'found\n', "err")
        r = self.ok("get", "all", "-n", "get-a")
        self.expect_in(r, "pod/p1")

    def test_machine_forms(self):
        r = self.ok("get", "pods", "-n", "get-a", "-o", "json")
        lst = json.loads(r.out)
        self.assertEqual((lst["kind"], lst["apiVersion"]), ("List", "v1"))
        self.assertEqual([i["metadata"]["name"] for i in lst["items"]],
                         ["p1", "p2", "p3"])
        self.assertEqual({i["kind"] for i in lst["items"]}, {"Pod"})
        r = self.ok("get", "pods", "-n", "get-a", "-o", "yaml")
        self.expect_line(r, "kind: List")
        self.assertEqual(r.out.count("\n  kind: Pod\n"), 3, r.describe())
        r = self.ok("get", "pods", "-n", "get-a", "-o",
                    "jsonpath={.items[*].metadata.name}")
        self.expect_out(r, "p1 p2 p3")
        r = self.ok("get", "pod", "p1", "-n", "get-a", "-o",
                    "jsonpath={.status.phase}/{.metadata.namespace}")
        self.expect_out(r, "Pending/get-a")
        r = self.ok("get", "pods", "-n", "get-a", "-o", "name")
        self.expect_out(r, "pod/p1\npod/p2\npod/p3\n")
        r = self.ok("get", "pods", "-n", "get-a", "-o",
                    "custom-columns=N:.metadata.name,APP:.metadata.labels.app")
        self.assertEqual(parse_table(r.out)[1][2], {"N": "p3", "APP": "db"})

    def test_label_selectors(self):
        ns = ["-n", "get-a"]
        self.assertEqual(self.names("-l", "app=web", *ns), ["p1", "p2"])
        self.assertEqual(self.names("-l", "app in (web,db)", *ns),
                         ["p1", "p2", "p3"])
        self.assertEqual(self.names("-l", "app!=web", *ns), ["p3"])
        self.assertEqual(self.names("-l", "!tier", *ns), ["p3"])
        self.assertEqual(self.names("-l", "tier", *ns), ["p1", "p2"])
        self.assertEqual(self.names("-l", "app=web,tier notin (be)", *ns),
                         ["p1"])
        r = self.ok("get", "pods", "-l", "app=nothing", *ns)
        self.expect_out(r, "No resources found in get-a namespace.\n", "err")

    def test_field_selectors(self):
        ns = ["-n", "get-a"]
        self.assertEqual(self.names("--field-selector", "metadata.name=p2",
                                    *ns), ["p2"])
        self.assertEqual(self.names("--field-selector",
                                    "status.phase=Pending", *ns),
                         ["p1", "p2", "p3"])
        self.assertEqual(self.names("--field-selector", "spec.nodeName=",
                                    "-l", "app=web", *ns), ["p1", "p2"])
        self.assertEqual(self.names(
            "--field-selector", "metadata.name!=p1,status.phase=Pending",
            *ns), ["p2", "p3"])
        r = self.ok("get", "pods", "-A", "--field-selector",
                    "metadata.namespace=get-b")
        self.assertEqual([x["NAME"] for x in self.table(r)], ["p4"])
        r = self.fails("get", "pods", "--field-selector", "foo=bar", *ns)
        self.expect_in(r, "field label not supported: foo", "err")
        self.expect_in(r, "Error from server (BadRequest)", "err")


class WatchTest(KubectlCase):

    def test_get_watch(self):
        ns = self.namespace("watch")
        d, _ = self.write("w1.yaml", POD % ("w1", "app: w"))
        self.write("w2.yaml", POD % ("w2", "app: w"), d)
        self.ok("create", "-f", "w1.yaml", "-n", ns, cwd=d)
        plain = self.cluster.kubectl_background(
            kubectl_support.KUBECTL, "get", "pods", "-w", "-n", ns)
        events = self.cluster.kubectl_background(
            kubectl_support.KUBECTL, "get", "pods", "-w",
            "--output-watch-events", "-n", ns)
        try:
            for bg in (plain, events):
                self.assertTrue(bg.wait_for(lambda out: "w1" in out, 20),
                                "no initial row\n" + bg.stdout() +
                                bg.stderr())
            self.ok("create", "-f", "w2.yaml", "-n", ns, cwd=d)
            self.ok("label", "pod", "w2", "step=two", "-n", ns)
            self.ok("delete", "pod", "w2", "-n", ns)
            for bg in (plain, events):
                bg.wait_for(lambda out: out.count("\nw2 ") >= 3 or
                            out.count("DELETED") >= 1, 20)
        finally:
            plain.stop()
            events.stop()
        r = plain.result()
        names, rows = parse_table(r.out)
        self.assertEqual(names, POD_HEADER, r.describe())
        self.assertEqual(r.out.count("NAME"), 1, "duplicate header\n" +
                         r.describe())
        self.assertEqual([x["NAME"] for x in rows], ["w1", "w2", "w2", "w2"],
                         r.describe())
        for row in rows:
            self.expect_cells(r, row, {"READY": "0/1", "STATUS": "Pending",
                                       "AGE": AGE_RE})
        r = events.result()
        names, rows = parse_table(r.out)
        self.assertEqual(names, ["EVENT"] + POD_HEADER, r.describe())
        self.assertEqual([(x["EVENT"], x["NAME"]) for x in rows],
                         [("ADDED", "w1"), ("ADDED", "w2"),
                          ("MODIFIED", "w2"), ("DELETED", "w2")],
                         r.describe())

    def test_watch_json_events(self):
        ns = self.namespace("watch-json")
        self.create(cm_obj("j0"), ns=ns)
        bg = self.cluster.kubectl_background(
            kubectl_support.KUBECTL, "get", "configmaps", "-w", "-o", "json",
            "--output-watch-events", "-n", ns)
        try:
            # Once j0 is printed the list is done; the watch starts from the
            # list's resourceVersion, so nothing after it can be missed.
            self.assertTrue(bg.wait_for(lambda out: '"j0"' in out, 20),
                            bg.stdout() + bg.stderr())
            self.create(cm_obj("j1", {"a": "1"}), ns=ns)
            self.ok("delete", "configmap", "j1", "-n", ns)
            bg.wait_for(lambda out: "DELETED" in out, 20)
        finally:
            bg.stop()
        r = bg.result()
        decoder, pos, events = json.JSONDecoder(), 0, []
        text = r.out
        while pos < len(text):
            while pos < len(text) and text[pos].isspace():
                pos += 1
            if pos >= len(text):
                break
            obj, pos = decoder.raw_decode(text, pos)
            events.append(obj)
        self.assertEqual([(e["type"], e["object"]["kind"],
                           e["object"]["metadata"]["name"]) for e in events],
                         [("ADDED", "ConfigMap", "j0"),
                          ("ADDED", "ConfigMap", "j1"),
                          ("DELETED", "ConfigMap", "j1")], r.describe())
        self.assertEqual(events[1]["object"]["data"], {"a": "1"})


class DeleteTest(KubectlCase):

    def owned_replicaset(self, ns, name):
        """A Deployment and a ReplicaSet whose ownerReference points at it."""
        self.create(deploy_obj(name), ns=ns)
        uid = self.get_json("deploy", name, "-n", ns)["metadata"]["uid"]
        rs = {"apiVersion": "apps/v1", "kind": "ReplicaSet",
              "metadata": {"name": name + "-rs", "labels": {"app": name},
                           "ownerReferences": [{
                               "apiVersion": "apps/v1", "kind": "Deployment",
                               "name": name, "uid": uid, "controller": True,
                               "blockOwnerDeletion": True}]},
              "spec": {"replicas": 0, "selector": {"matchLabels": {
                  "app": name}}, "template": {
                  "metadata": {"labels": {"app": name}},
                  "spec": {"containers": [{"name": "c",
                                           "image": "nginx:1.25"}]}}}}
        d, _ = self.write("rs.json", json.dumps(rs))
        self.ok("create", "-f", "rs.json", "-n", ns, cwd=d)

    def gone(self, ns, *what):
        r = self.k("get", *what, "-n", ns)
        return r.rc == 1 and "NotFound" in r.err

    def test_cascade(self):
        ns = self.namespace("cascade")
        for policy in ("background", "foreground", "orphan"):
            with self.subTest(cascade=policy):
                name = "c-" + policy
                self.owned_replicaset(ns, name)
                r = self.ok("delete", "deployment", name,
                            "--cascade=" + policy, "--timeout=20s", "-n", ns)
                self.expect_out(r, delete_line("deployment.apps", name, ns)
                                + "\n")
                self.assertTrue(self.gone(ns, "deploy", name),
                                "deployment still there after delete")
                if policy == "orphan":
                    rs = self.get_json("rs", name + "-rs", "-n", ns)
                    self.assertNotIn("ownerReferences", rs["metadata"],
                                     json.dumps(rs, indent=1))
                else:
                    self.assertTrue(
                        harness.wait_until(lambda: self.gone(
                            ns, "rs", name + "-rs"), 15),
                        "%s delete left the owned ReplicaSet" % policy)

    def test_delete_forms(self):
        ns = self.namespace("delete")
        self.create(cm_obj("a"), cm_obj("b"), cm_obj("c"), ns=ns)
        self.ok("label", "cm", "a", "b", "group=x", "-n", ns)
        r = self.ok("delete", "cm", "-l", "group=x", "-n", ns)
        self.assertEqual(sorted(r.out.splitlines()),
                         [delete_line("configmap", "a", ns),
                          delete_line("configmap", "b", ns)], r.describe())
        r = self.fails("delete", "cm", "nosuch", "-n", ns)
        self.expect_out(r, 'Error from server (NotFound): configmaps "nosuch"'
                        ' not found\n', "err")
        r = self.ok("delete", "cm", "nosuch", "--ignore-not-found", "-n", ns)
        self.expect_out(r, "")
        # Secrets, not configmaps: a cluster may publish kube-root-ca.crt.
        self.create(secret_obj("s1"), secret_obj("s2"), ns=ns)
        r = self.ok("delete", "secrets", "--all", "-n", ns)
        self.assertEqual(r.out.splitlines(),
                         [delete_line("secret", "s1", ns),
                          delete_line("secret", "s2", ns)], r.describe())
        r = self.ok("get", "secrets", "-n", ns)
        self.expect_out(r, "")

        self.create(pod_obj("gp"), ns=ns)
        r = self.ok("delete", "pod", "gp", "--grace-period=0", "--force",
                    "-n", ns)
        self.expect_line(r, re.sub(r" deleted", " force deleted",
                                   delete_line("pod", "gp", ns)))
        self.assertTrue(self.gone(ns, "pod", "gp"))

        self.create(cm_obj("dry"), ns=ns)
        r = self.ok("delete", "cm", "dry", "--dry-run=server", "-n", ns)
        self.expect_in(r, "(server dry run)")
        self.ok("get", "cm", "dry", "-n", ns)


class DescribeTest(KubectlCase):

    def fields(self, r):
        from kubectl_seed_cases import describe_fields
        return describe_fields(r.out)

    def expect_fields(self, r, want):
        f = self.fields(r)
        for k, v in want.items():
            ok = v.match(f.get(k) or "") if isinstance(v, re.Pattern) else (
                f.get(k) == v)
            if not ok:
                self.fail("describe: %s\nexpected: %r\nactual:   %r\n%s" %
                          (k, getattr(v, "pattern", v), f.get(k),
                           r.describe()))

    def test_describe_pod_and_deployment(self):
        ns = self.namespace("describe")
        d, _ = self.write("p.yaml", POD % ("dp", "app: web"))
        self.ok("create", "-f", "p.yaml", "-n", ns, cwd=d)
        r = self.ok("describe", "pod", "dp", "-n", ns)
        self.expect_fields(r, {"Name": "dp", "Namespace": ns, "Priority": "0",
                               "Service Account": "default",
                               "Node": "<none>", "Labels": "app=web",
                               "Status": "Pending",
                               "QoS Class": "BestEffort",
                               "Node-Selectors": "ksim.test/never=true"})
        self.expect_match(r, r"^\s+c:$")
        self.expect_match(r, r"^\s+Image:\s+nginx:1\.25$")
        self.expect_match(r, r"node\.kubernetes\.io/not-ready:NoExecute "
                          r"op=Exists for 300s")

        self.create(deploy_obj("dd", replicas=2), ns=ns)
        r = self.ok("describe", "deployment", "dd", "-n", ns)
        self.expect_fields(r, {
            "Name": "dd", "Namespace": ns, "Selector": "app=dd",
            "Replicas": re.compile(r"^2 desired \| \d+ updated \| \d+ total "
                                   r"\| \d+ available \| \d+ unavailable$"),
            "StrategyType": "RollingUpdate", "MinReadySeconds": "0",
            "RollingUpdateStrategy": "25% max unavailable, 25% max surge"})
        self.expect_match(r, r"^\s+Image:\s+nginx:1\.25$")

        r = self.ok("describe", "namespace", ns)
        self.expect_fields(r, {"Name": ns, "Status": "Active"})
        # A kubeadm cluster also prints "No resource quota." and "No
        # LimitRange resource." here; ksim does not serve resourcequotas or
        # limitranges yet (not among the resources of this milestone), so
        # kubectl leaves those sections out.
        r = self.fails("describe", "pod", "nosuch", "-n", ns)
        self.expect_out(r, 'Error from server (NotFound): pods "nosuch" not '
                        'found\n', "err")
