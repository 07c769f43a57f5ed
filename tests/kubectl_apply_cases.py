"""kubectl apply (client-side and server-side), patch, replace, label,
annotate and scale, with kube-apiserver's answers as the expectation."""

import json
import os

from kubectl_support import (KubectlCase, annotated, cm_obj, deploy_obj,
                             secret_obj)

CM = """\
apiVersion: v1
kind: ConfigMap
metadata:
  name: %s
data:
  k: %s
"""


class ApplyTest(KubectlCase):

    def test_client_side_apply(self):
        ns = self.namespace("csa")
        d, _ = self.write("cm.yaml", CM % ("applied", "one"))
        self.write("cm2.yaml", CM % ("applied", "two"), d)
        steps = [("cm.yaml", "created"), ("cm.yaml", "unchanged"),
                 ("cm2.yaml", "configured"), ("cm2.yaml", "unchanged")]
        for f, word in steps:
            r = self.ok("apply", "-f", f, "-n", ns, cwd=d)
            self.expect_out(r, "configmap/applied %s\n" % word)
            self.expect_out(r, "", "err")
        obj = self.get_json("cm", "applied", "-n", ns, managed=True)
        self.expect_field(obj, "data", {"k": "two"})
        last = json.loads(obj["metadata"]["annotations"][
            "kubectl.kubernetes.io/last-applied-configuration"])
        self.assertEqual(last, {"apiVersion": "v1", "kind": "ConfigMap",
                                "metadata": {"annotations": {},
                                             "name": "applied",
                                             "namespace": ns},
                                "data": {"k": "two"}})
        managers = {m["manager"]: m for m in obj["metadata"]["managedFields"]}
        self.assertIn("kubectl-client-side-apply", managers,
                      json.dumps(obj, indent=1))
        self.assertEqual(managers["kubectl-client-side-apply"]["operation"],
                         "Update")

        # A field dropped from the manifest is removed from the object.
        self.write("cm3.yaml", "apiVersion: v1\nkind: ConfigMap\nmetadata:\n"
                   "  name: applied\n", d)
        r = self.ok("apply", "-f", "cm3.yaml", "-n", ns, cwd=d)
        self.expect_out(r, "configmap/applied configured\n")
        obj = self.get_json("cm", "applied", "-n", ns)
        self.assertNotIn("data", obj, json.dumps(obj, indent=1))

    def test_diff_and_server_dry_run(self):
        """kubectl diff and --dry-run=server both send dryRun=All; nothing
        may be written."""
        ns = self.namespace("dry")
        d, _ = self.write("cm.yaml", CM % ("dry", "one"))
        self.write("cm2.yaml", CM % ("dry", "two"), d)
        self.ok("apply", "-f", "cm.yaml", "-n", ns, cwd=d)
        rv = self.get_json("cm", "dry", "-n", ns)["metadata"][
            "resourceVersion"]
        r = self.k("diff", "-f", "cm.yaml", "-n", ns, cwd=d)
        self.assertEqual(r.rc, 0, "no difference: exit 0\n" + r.describe())
        self.expect_out(r, "")
        r = self.k("diff", "-f", "cm2.yaml", "-n", ns, cwd=d)
        self.assertEqual(r.rc, 1, "a difference: exit 1\n" + r.describe())
        self.expect_line(r, "-  k: one")
        self.expect_line(r, "+  k: two")
        r = self.ok("apply", "-f", "cm2.yaml", "--dry-run=server", "-n", ns,
                    cwd=d)
        self.expect_out(r, "configmap/dry configured (server dry run)\n")
        r = self.ok("apply", "--server-side", "-f", "cm2.yaml",
                    "--dry-run=server", "-n", ns, cwd=d)
        self.expect_out(r, "configmap/dry serverside-applied (server dry "
                        "run)\n")
        obj = self.get_json("cm", "dry", "-n", ns)
        self.expect_field(obj, "data", {"k": "one"})
        self.assertEqual(obj["metadata"]["resourceVersion"], rv)

    def test_apply_strategic_list_merge(self):
        ns = self.namespace("csa-svc")
        svc = ("apiVersion: v1\nkind: Service\nmetadata: {name: web}\nspec:\n"
               "  selector: {app: web}\n  ports:\n%s")
        d, _ = self.write("svc.yaml", svc % "  - {port: 8080, targetPort: 80}\n")
        self.write("svc2.yaml", svc % "  - {port: 8081, targetPort: 80}\n", d)
        self.ok("apply", "-f", "svc.yaml", "-n", ns, cwd=d)
        ip = self.get_json("svc", "web", "-n", ns)["spec"]["clusterIP"]
        r = self.ok("apply", "-f", "svc2.yaml", "-n", ns, cwd=d)
        self.expect_out(r, "service/web configured\n")
        obj = self.get_json("svc", "web", "-n", ns)
        self.assertEqual([(p["port"], p["targetPort"], p["protocol"])
                          for p in obj["spec"]["ports"]], [(8081, 80, "TCP")])
        self.assertEqual(obj["spec"]["clusterIP"], ip)

    def test_server_side_apply(self):
        ns = self.namespace("ssa")
        d, _ = self.write("cm.yaml", CM % ("ssa", "one"))
        self.write("cm2.yaml", CM % ("ssa", "two"), d)
        r = self.ok("apply", "--server-side", "-f", "cm.yaml", "-n", ns,
                    cwd=d)
        self.expect_out(r, "configmap/ssa serverside-applied\n")
        obj = self.get_json("cm", "ssa", "-n", ns, managed=True)
        mf = obj["metadata"].get("managedFields", [])
        self.assertEqual([(m["manager"], m["operation"], m["fieldsType"],
                           m.get("fieldsV1")) for m in mf],
                         [("kubectl", "Apply", "FieldsV1",
                           {"f:data": {"f:k": {}}})],
                         json.dumps(mf, indent=1))
        r = self.ok("apply", "--server-side", "-f", "cm2.yaml", "-n", ns,
                    cwd=d)
        self.expect_out(r, "configmap/ssa serverside-applied\n")
        self.expect_field(self.get_json("cm", "ssa", "-n", ns), "data",
                          {"k": "two"})

    def test_server_side_apply_conflict_between_managers(self):
        ns = self.namespace("ssa-conflict")
        d, _ = self.write("cm.yaml", CM % ("shared", "mine"))
        self.write("other.yaml", CM % ("shared", "theirs"), d)
        self.ok("apply", "--server-side", "-f", "cm.yaml", "-n", ns, cwd=d)
        r = self.fails("apply", "--server-side", "--field-manager=other",
                       "-f", "other.yaml", "-n", ns, cwd=d)
        self.expect_line(r, 'error: Apply failed with 1 conflict: conflict '
                         'with "kubectl": .data.k', "err")
        self.expect_field(self.get_json("cm", "shared", "-n", ns), "data",
                          {"k": "mine"})
        r = self.ok("apply", "--server-side", "--field-manager=other",
                    "--force-conflicts", "-f", "other.yaml", "-n", ns, cwd=d)
        self.expect_out(r, "configmap/shared serverside-applied\n")
        obj = self.get_json("cm", "shared", "-n", ns, managed=True)
        self.expect_field(obj, "data", {"k": "theirs"})
        owners = {m["manager"]: m.get("fieldsV1")
                  for m in obj["metadata"]["managedFields"]}
        self.assertEqual(owners.get("other"), {"f:data": {"f:k": {}}},
                         json.dumps(obj, indent=1))
        self.assertNotIn("kubectl", owners, "a forced apply takes the field "
                         "from its old manager\n" + json.dumps(obj, indent=1))

    def test_server_side_apply_conflict_with_update(self):
        ns = self.namespace("ssa-upd")
        d, _ = self.write("cm.yaml", CM % ("mixed", "created"))
        self.write("cm2.yaml", CM % ("mixed", "applied"), d)
        self.ok("create", "-f", "cm.yaml", "-n", ns, cwd=d)
        r = self.fails("apply", "--server-side", "-f", "cm2.yaml", "-n", ns,
                       cwd=d)
        self.expect_line(r, 'error: Apply failed with 1 conflict: conflict '
                         'with "kubectl-create" using v1: .data.k', "err")


class PatchTest(KubectlCase):

    def test_patch_types(self):
        ns = self.namespace("patch")
        self.create(cm_obj("p", {"a": "1"}), ns=ns)
        r = self.ok("patch", "cm", "p", "-n", ns, "--type=merge", "-p",
                    '{"data":{"b":"2"}}')
        self.expect_out(r, "configmap/p patched\n")
        self.expect_field(self.get_json("cm", "p", "-n", ns), "data",
                          {"a": "1", "b": "2"})
        rv = self.get_json("cm", "p", "-n", ns)["metadata"]["resourceVersion"]
        r = self.ok("patch", "cm", "p", "-n", ns, "--type=merge", "-p",
                    '{"data":{"b":"2"}}')
        self.expect_out(r, "configmap/p patched (no change)\n")
        self.assertEqual(self.get_json("cm", "p", "-n", ns)["metadata"][
            "resourceVersion"], rv, "a no-op patch must not write")

        r = self.ok("patch", "cm", "p", "-n", ns, "--type=json", "-p",
                    '[{"op":"replace","path":"/data/a","value":"9"},'
                    '{"op":"remove","path":"/data/b"}]')
        self.expect_out(r, "configmap/p patched\n")
        self.expect_field(self.get_json("cm", "p", "-n", ns), "data",
                          {"a": "9"})

        r = self.fails("patch", "cm", "p", "-n", ns, "--type=json", "-p",
                       '[{"op":"test","path":"/data/a","value":"1"},'
                       '{"op":"replace","path":"/data/a","value":"x"}]')
        self.expect_out(r, "The request is invalid: the server rejected our "
                        "request due to an error in our request\n", "err")
        self.expect_field(self.get_json("cm", "p", "-n", ns), "data",
                          {"a": "9"})

        r = self.fails("patch", "cm", "nope", "-n", ns, "--type=merge", "-p",
                       '{"data":{"b":"2"}}')
        self.expect_out(r, 'Error from server (NotFound): configmaps "nope" '
                        'not found\n', "err")

    def test_strategic_merge_on_containers(self):
        ns = self.namespace("smp")
        d, _ = self.write("d.yaml", """\
            apiVersion: apps/v1
            kind: Deployment
            metadata: {name: two}
            spec:
              selector: {matchLabels: {app: two}}
              template:
                metadata: {labels: {app: two}}
                spec:
                  nodeSelector: {ksim.test/never: "true"}
                  containers:
                  - {name: web, image: "nginx:1.25"}
                  - {name: side, image: "busybox:1.36"}
            """)
        self.ok("create", "-f", "d.yaml", "-n", ns, cwd=d)
        images = lambda: [(c["name"], c["image"]) for c in self.get_json(
            "deploy", "two", "-n", ns)["spec"]["template"]["spec"][
            "containers"]]

        r = self.ok("patch", "deploy", "two", "-n", ns, "-p",
                    '{"spec":{"template":{"spec":{"containers":'
                    '[{"name":"web","image":"nginx:1.26"}]}}}}')
        self.expect_out(r, "deployment.apps/two patched\n")
        self.assertEqual(images(), [("web", "nginx:1.26"),
                                    ("side", "busybox:1.36")])
        self.expect_field(self.get_json("deploy", "two", "-n", ns),
                          "metadata.generation", 2)

        r = self.ok("patch", "deploy", "two", "-n", ns, "--type=strategic",
                    "-p", '{"spec":{"template":{"spec":{"containers":'
                    '[{"name":"side","$patch":"delete"}]}}}}')
        self.expect_out(r, "deployment.apps/two patched\n")
        self.assertEqual(images(), [("web", "nginx:1.26")])

        self.ok("patch", "deploy", "two", "-n", ns, "--type=strategic", "-p",
                '{"spec":{"template":{"spec":{"containers":'
                '[{"name":"side","image":"busybox:1.36"}]}}}}')
        self.assertEqual(images(), [("side", "busybox:1.36"),
                                    ("web", "nginx:1.26")])
        r = self.ok("patch", "deploy", "two", "-n", ns, "--type=merge", "-p",
                    '{"spec":{"template":{"spec":{"containers":'
                    '[{"name":"only","image":"nginx:1.27"}]}}}}')
        self.assertEqual(images(), [("only", "nginx:1.27")])

        r = self.fails("patch", "deploy", "two", "-n", ns, "--type=merge",
                       "-p", '{"spec":{"replicas":-1}}')
        self.expect_out(r, 'The Deployment "two" is invalid: spec.replicas: '
                        'Invalid value: -1: must be greater than or equal '
                        'to 0\n', "err")


class ReplaceLabelScaleTest(KubectlCase):

    def test_replace(self):
        ns = self.namespace("replace")
        self.create(cm_obj("r", {"a": "1"}), ns=ns)
        obj = self.get_json("cm", "r", "-n", ns)
        obj["data"] = {"a": "2"}
        d, _ = self.write("r.json", json.dumps(obj))
        r = self.ok("replace", "-f", "r.json", cwd=d)
        self.expect_out(r, "configmap/r replaced\n")
        now = self.get_json("cm", "r", "-n", ns)
        self.expect_field(now, "data", {"a": "2"})
        self.assertNotEqual(now["metadata"]["resourceVersion"],
                            obj["metadata"]["resourceVersion"])
        self.assertEqual(now["metadata"]["uid"], obj["metadata"]["uid"])

        obj["data"] = {"a": "stale"}
        self.write("r.json", json.dumps(obj), d)
        r = self.fails("replace", "-f", "r.json", cwd=d)
        self.expect_out(r, 'Error from server (Conflict): error when replacing'
                        ' "r.json": Operation cannot be fulfilled on '
                        'configmaps "r": the object has been modified; please'
                        ' apply your changes to the latest version and try '
                        'again\n', "err")
        self.expect_field(self.get_json("cm", "r", "-n", ns), "data",
                          {"a": "2"})

        r = self.ok("replace", "--force", "-f", "r.json", cwd=d)
        self.expect_line(r, "configmap/r replaced")
        again = self.get_json("cm", "r", "-n", ns)
        self.expect_field(again, "data", {"a": "stale"})
        self.assertNotEqual(again["metadata"]["uid"], obj["metadata"]["uid"])

    def test_label_and_annotate(self):
        ns = self.namespace("label")
        self.create(cm_obj("l"), ns=ns)
        r = self.ok("label", "cm", "l", "tier=web", "-n", ns)
        self.expect_out(r, "configmap/l labeled\n")
        r = self.fails("label", "cm", "l", "tier=db", "-n", ns)
        self.expect_out(r, "error: 'tier' already has a value (web), and "
                        "--overwrite is false\n", "err")
        r = self.ok("label", "cm", "l", "tier=db", "--overwrite", "-n", ns)
        self.expect_out(r, "configmap/l labeled\n")
        self.expect_field(self.get_json("cm", "l", "-n", ns),
                          "metadata.labels", {"tier": "db"})
        r = self.ok("label", "cm", "l", "tier-", "-n", ns)
        self.expect_out(r, "configmap/l unlabeled\n")
        with self.subTest("no empty labels map"):  # Go omits empty maps
            self.assertNotIn("labels", self.get_json("cm", "l", "-n", ns)[
                "metadata"])

        r = self.ok("annotate", "cm", "l", "note=hello world", "-n", ns)
        self.expect_out(r, "configmap/l %s\n" % annotated())
        self.expect_field(self.get_json("cm", "l", "-n", ns),
                          "metadata.annotations", {"note": "hello world"})
        r = self.ok("annotate", "cm", "l", "note-", "-n", ns)
        self.expect_out(r, "configmap/l %s\n" % annotated())
        self.create(secret_obj("only"), ns=ns)
        r = self.ok("label", "secrets", "--all", "all=yes", "-n", ns)
        self.expect_out(r, "secret/only labeled\n")

        # kubectl checks label values itself; a patch reaches the server.
        r = self.fails("patch", "cm", "l", "-n", ns, "--type=merge", "-p",
                       '{"metadata":{"labels":{"a":"%s"}}}' % ("x" * 64))
        self.expect_out(r, 'The ConfigMap "l" is invalid: metadata.labels: '
                        'Invalid value: "%s": must be no more than 63 '
                        'characters\n' % ("x" * 64), "err")

    def test_scale(self):
        ns = self.namespace("scale")
        self.create(deploy_obj("s", replicas=2), ns=ns)
        gen = self.get_json("deploy", "s", "-n", ns)["metadata"]["generation"]
        r = self.ok("scale", "deployment", "s", "--replicas=3", "-n", ns)
        self.expect_out(r, "deployment.apps/s scaled\n")
        obj = self.get_json("deploy", "s", "-n", ns)
        self.expect_field(obj, "spec.replicas", 3)
        self.expect_field(obj, "metadata.generation", gen + 1)
        r = self.ok("get", "--raw", "/apis/apps/v1/namespaces/%s/deployments"
                    "/s/scale" % ns)
        scale = json.loads(r.out)
        self.assertEqual((scale["kind"], scale["apiVersion"],
                          scale["spec"]["replicas"],
                          scale["status"]["selector"]),
                         ("Scale", "autoscaling/v1", 3, "app=s"), r.out)
        r = self.fails("scale", "deployment", "nosuch", "--replicas=1",
                       "-n", ns)
        self.expect_in(r, "error: no objects passed to scale", "err")

    def test_create_generators(self):
        ns = self.namespace("gen")
        cases = [
            (["create", "configmap", "g", "--from-literal=a=1"],
             "configmap/g created"),
            (["create", "secret", "generic", "g", "--from-literal=p=x"],
             "secret/g created"),
            (["create", "deployment", "g", "--image=nginx:1.25"],
             "deployment.apps/g created"),
            (["create", "service", "clusterip", "g", "--tcp=80:8080"],
             "service/g created"),
            (["create", "serviceaccount", "g"], "serviceaccount/g created"),
            (["run", "g", "--image=nginx:1.25"], "pod/g created"),
        ]
        for args, line in cases:
            r = self.ok(*args, "-n", ns)
            self.expect_out(r, line + "\n")
        secret = self.get_json("secret", "g", "-n", ns)
        self.expect_field(secret, "data", {"p": "eA=="})
        self.expect_field(secret, "type", "Opaque")
        svc = self.get_json("svc", "g", "-n", ns)
        self.expect_field(svc, "spec.ports.0.targetPort", 8080)
        self.expect_field(svc, "spec.selector", {"app": "g"})
        pod = self.get_json("pod", "g", "-n", ns)
        self.expect_field(pod, "metadata.labels", {"run": "g"})
        r = self.ok("get", "--raw", "/api/v1/namespaces/%s/configmaps/g" % ns)
        self.expect_field(json.loads(r.out), "data", {"a": "1"})
        r = self.create(cm_obj("dry"), ns=ns, extra=["--dry-run=server"])
        self.expect_out(r, "configmap/dry created (server dry run)\n")
        r = self.fails("get", "configmap", "dry", "-n", ns)
        self.expect_out(r, 'Error from server (NotFound): configmaps "dry" '
                        'not found\n', "err")
