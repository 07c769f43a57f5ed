"""create/get/describe/apply/label/delete through kubectl, on every resource
ksim serves, compared with what kube-apiserver (and kubectl's printers for
its Table columns) show."""

import ipaddress
import json
import re

from kubectl_support import AGE_RE, KubectlCase, annotated, now_rfc3339

ANY_NUMBER = re.compile(r"^\d+$")
# Pods never leave Pending in these tests: their node selector matches no
# node, so a scheduler added later does not change what they show.
NEVER = "nodeSelector: {ksim.test/never: \"true\"}"


def delete_line(ref, name, namespace=None):
    """What `kubectl delete` (1.27 - 1.33) prints for one object; the
    namespace is not part of it."""
    return '%s "%s" deleted' % (ref, name)


class Res:
    """One served resource: manifests, printed names, columns, checks."""

    def __init__(self, plural, ref, kind, api_version, name, manifest,
                 changed, header, wide, cells, json_checks, changed_checks,
                 changed_cells, namespaced=True, group=""):
        self.plural, self.ref, self.kind = plural, ref, kind
        self.api_version, self.name = api_version, name
        self.manifest, self.changed = manifest, changed
        self.header, self.wide, self.cells = header, wide, cells
        self.json_checks, self.changed_checks = json_checks, changed_checks
        self.changed_cells = changed_cells
        self.namespaced, self.group = namespaced, group

    @property
    def qualified(self):  # what error messages call the resource
        return self.plural + ("." + self.group if self.group else "")


def manifest(api_version, kind, name, body, labels="app: crud"):
    return ("apiVersion: %s\nkind: %s\nmetadata:\n  name: %s\n  labels: {%s}\n"
            % (api_version, kind, name, labels)) + body


def pod_template(app, image):
    return ("  template:\n    metadata:\n      labels: {app: %s}\n"
            "    spec:\n      %s\n      containers:\n      - name: web\n"
            "        image: %s\n        ports: [{containerPort: 80}]\n"
            % (app, NEVER, image))


def resources(ns):
    now = now_rfc3339()
    event = ("involvedObject: {kind: Pod, name: p1, namespace: %s}\n"
             "reason: Testing\nmessage: %%s\ntype: Normal\n"
             "source: {component: ksim-test}\nfirstTimestamp: %s\n"
             "lastTimestamp: %s\ncount: %%d\n" % (ns, now, now))
    in_10_1 = lambda v: ipaddress.ip_address(v) in ipaddress.ip_network(
        "10.1.0.0/16")
    return [
        Res("configmaps", "configmap", "ConfigMap", "v1", "cm1",
            manifest("v1", "ConfigMap", "cm1", "data: {k1: v1}\n"),
            manifest("v1", "ConfigMap", "cm1", "data: {k1: v2, k2: x}\n"),
            ["NAME", "DATA", "AGE"], ["NAME", "DATA", "AGE"],
            {"DATA": "1"}, {"data": {"k1": "v1"}},
            {"data": {"k1": "v2", "k2": "x"}}, {"DATA": "2"}),
        Res("secrets", "secret", "Secret", "v1", "s1",
            manifest("v1", "Secret", "s1",
                     "type: Opaque\nstringData: {user: admin}\n"),
            manifest("v1", "Secret", "s1", "type: Opaque\n"
                     "data: {user: YWRtaW4=, pass: c2VjcmV0}\n"),
            ["NAME", "TYPE", "DATA", "AGE"], ["NAME", "TYPE", "DATA", "AGE"],
            {"TYPE": "Opaque", "DATA": "1"},
            {"data": {"user": "YWRtaW4="}, "stringData": None},
            {"data": {"user": "YWRtaW4=", "pass": "c2VjcmV0"}},
            {"DATA": "2"}),
        Res("serviceaccounts", "serviceaccount", "ServiceAccount", "v1",
            "sa1", manifest("v1", "ServiceAccount", "sa1", ""),
            manifest("v1", "ServiceAccount", "sa1",
                     "automountServiceAccountToken: false\n"),
            ["NAME", "SECRETS", "AGE"], ["NAME", "SECRETS", "AGE"],
            {"SECRETS": "0"}, {"automountServiceAccountToken": None},
            {"automountServiceAccountToken": False}, {"SECRETS": "0"}),
        Res("services", "service", "Service", "v1", "svc1",
            manifest("v1", "Service", "svc1", "spec:\n  selector: {app: crud}"
                     "\n  ports: [{name: http, port: 80, targetPort: 8080}]\n"),
            # Service ports merge on `port`: a changed port would be added
            # next to the old one (kube answers Duplicate value), so the
            # change is to targetPort.
            manifest("v1", "Service", "svc1", "spec:\n  selector: {app: crud}"
                     "\n  ports: [{name: http, port: 80, targetPort: 9090}]\n"),
            ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE"],
            ["NAME", "TYPE", "CLUSTER-IP", "EXTERNAL-IP", "PORT(S)", "AGE",
             "SELECTOR"],
            {"TYPE": "ClusterIP", "EXTERNAL-IP": "<none>",
             "PORT(S)": "80/TCP", "SELECTOR": "app=crud"},
            {"spec.type": "ClusterIP", "spec.sessionAffinity": "None",
             "spec.ports.0.protocol": "TCP", "spec.ipFamilies": ["IPv4"],
             "spec.ipFamilyPolicy": "SingleStack",
             "spec.internalTrafficPolicy": "Cluster",
             "spec.clusterIP": in_10_1},
            {"spec.ports.0.targetPort": 9090, "spec.ports.0.port": 80},
            {"PORT(S)": "80/TCP"}),
        Res("pods", "pod", "Pod", "v1", "p1",
            manifest("v1", "Pod", "p1", "spec:\n  %s\n  containers:\n"
                     "  - {name: c, image: 'nginx:1.25'}\n" % NEVER),
            manifest("v1", "Pod", "p1", "spec:\n  %s\n  containers:\n"
                     "  - {name: c, image: 'nginx:1.26'}\n" % NEVER),
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE"],
            ["NAME", "READY", "STATUS", "RESTARTS", "AGE", "IP", "NODE",
             "NOMINATED NODE", "READINESS GATES"],
            {"READY": "0/1", "STATUS": "Pending", "RESTARTS": "0",
             "IP": "<none>", "NODE": "<none>", "NOMINATED NODE": "<none>",
             "READINESS GATES": "<none>"},
            {"status.phase": "Pending", "status.qosClass": "BestEffort",
             "spec.restartPolicy": "Always", "spec.dnsPolicy": "ClusterFirst",
             "spec.schedulerName": "default-scheduler",
             "spec.terminationGracePeriodSeconds": 30,
             "spec.containers.0.imagePullPolicy": "IfNotPresent",
             "spec.containers.0.terminationMessagePath":
                 "/dev/termination-log",
             "spec.containers.0.terminationMessagePolicy": "File"},
            {"spec.containers.0.image": "nginx:1.26"}, {"STATUS": "Pending"}),
        Res("endpoints", "endpoints", "Endpoints", "v1", "ep1",
            manifest("v1", "Endpoints", "ep1", "subsets:\n"
                     "- addresses: [{ip: 10.244.1.5}]\n"
                     "  ports: [{name: http, port: 8080, protocol: TCP}]\n"),
            manifest("v1", "Endpoints", "ep1", "subsets:\n"
                     "- addresses: [{ip: 10.244.1.5}, {ip: 10.244.1.6}]\n"
                     "  ports: [{name: http, port: 8080, protocol: TCP}]\n"),
            ["NAME", "ENDPOINTS", "AGE"], ["NAME", "ENDPOINTS", "AGE"],
            {"ENDPOINTS": "10.244.1.5:8080"},
            {"subsets.0.addresses.0.ip": "10.244.1.5"},
            {"subsets.0.addresses.1.ip": "10.244.1.6"},
            {"ENDPOINTS": "10.244.1.5:8080,10.244.1.6:8080"}),
        Res("events", "event", "Event", "v1", "ev1",
            manifest("v1", "Event", "ev1", event % ("hello world", 1)),
            manifest("v1", "Event", "ev1", event % ("hello again", 2)),
            ["LAST SEEN", "TYPE", "REASON", "OBJECT", "MESSAGE"],
            ["LAST SEEN", "TYPE", "REASON", "OBJECT", "SUBOBJECT", "SOURCE",
             "MESSAGE", "FIRST SEEN", "COUNT", "NAME"],
            {"TYPE": "Normal", "REASON": "Testing", "OBJECT": "pod/p1",
             "MESSAGE": "hello world", "SOURCE": "ksim-test", "COUNT": "1",
             "NAME": "ev1", "LAST SEEN": AGE_RE},
            {"reason": "Testing", "involvedObject.name": "p1"},
            {"message": "hello again", "count": 2},
            {"MESSAGE": "hello again"}),
        Res("deployments", "deployment.apps", "Deployment", "apps/v1", "d1",
            manifest("apps/v1", "Deployment", "d1",
                     "spec:\n  replicas: 2\n  selector:\n"
                     "    matchLabels: {app: d1}\n" +
                     pod_template("d1", "nginx:1.25")),
            manifest("apps/v1", "Deployment", "d1",
                     "spec:\n  replicas: 3\n  selector:\n"
                     "    matchLabels: {app: d1}\n" +
                     pod_template("d1", "nginx:1.26")),
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE"],
            ["NAME", "READY", "UP-TO-DATE", "AVAILABLE", "AGE", "CONTAINERS",
             "IMAGES", "SELECTOR"],
            {"READY": re.compile(r"^\d+/2$"), "UP-TO-DATE": ANY_NUMBER,
             "AVAILABLE": ANY_NUMBER, "CONTAINERS": "web",
             "IMAGES": "nginx:1.25", "SELECTOR": "app=d1"},
            {"metadata.generation": 1, "spec.strategy.type": "RollingUpdate",
             "spec.strategy.rollingUpdate.maxSurge": "25%",
             "spec.strategy.rollingUpdate.maxUnavailable": "25%",
             "spec.revisionHistoryLimit": 10,
             "spec.progressDeadlineSeconds": 600,
             "spec.template.spec.containers.0.ports.0.protocol": "TCP"},
            {"metadata.generation": 2, "spec.replicas": 3},
            {"READY": re.compile(r"^\d+/3$"), "IMAGES": "nginx:1.26"},
            group="apps"),
        Res("replicasets", "replicaset.apps", "ReplicaSet", "apps/v1", "rs1",
            manifest("apps/v1", "ReplicaSet", "rs1",
                     "spec:\n  replicas: 1\n  selector:\n"
                     "    matchLabels: {app: rs1}\n" +
                     pod_template("rs1", "nginx:1.25")),
            manifest("apps/v1", "ReplicaSet", "rs1",
                     "spec:\n  replicas: 2\n  selector:\n"
                     "    matchLabels: {app: rs1}\n" +
                     pod_template("rs1", "nginx:1.25")),
            ["NAME", "DESIRED", "CURRENT", "READY", "AGE"],
            ["NAME", "DESIRED", "CURRENT", "READY", "AGE", "CONTAINERS",
             "IMAGES", "SELECTOR"],
            {"DESIRED": "1", "CURRENT": ANY_NUMBER, "READY": "0",
             "CONTAINERS": "web", "IMAGES": "nginx:1.25",
             "SELECTOR": "app=rs1"},
            {"metadata.generation": 1, "spec.replicas": 1},
            {"metadata.generation": 2, "spec.replicas": 2}, {"DESIRED": "2"},
            group="apps"),
        Res("endpointslices", "endpointslice.discovery.k8s.io",
            "EndpointSlice", "discovery.k8s.io/v1", "es1",
            manifest("discovery.k8s.io/v1", "EndpointSlice", "es1",
                     "addressType: IPv4\nendpoints: [{addresses: [10.244.1.5], "
                     "conditions: {ready: true}}]\n"
                     "ports: [{name: http, port: 8080, protocol: TCP}]\n",
                     "app: crud, kubernetes.io/service-name: svc1"),
            manifest("discovery.k8s.io/v1", "EndpointSlice", "es1",
                     # endpoints[].conditions is always serialized (a Go
                     # struct), so the manifest spells it out to let a
                     # second apply be "unchanged".
                     "addressType: IPv4\nendpoints: [{addresses: [10.244.1.5], "
                     "conditions: {ready: true}}, {addresses: [10.244.1.6], "
                     "conditions: {ready: true}}]\n"
                     "ports: [{name: http, port: 8080, protocol: TCP}]\n",
                     "app: crud, kubernetes.io/service-name: svc1"),
            ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
            ["NAME", "ADDRESSTYPE", "PORTS", "ENDPOINTS", "AGE"],
            {"ADDRESSTYPE": "IPv4", "PORTS": "8080",
             "ENDPOINTS": "10.244.1.5"},
            {"addressType": "IPv4", "ports.0.name": "http"},
            {"endpoints.1.addresses": ["10.244.1.6"]},
            {"ENDPOINTS": "10.244.1.5,10.244.1.6"}, group="discovery.k8s.io"),
        Res("leases", "lease.coordination.k8s.io", "Lease",
            "coordination.k8s.io/v1", "l1",
            manifest("coordination.k8s.io/v1", "Lease", "l1",
                     "spec: {holderIdentity: holder-a, "
                     "leaseDurationSeconds: 15}\n"),
            manifest("coordination.k8s.io/v1", "Lease", "l1",
                     "spec: {holderIdentity: holder-b, "
                     "leaseDurationSeconds: 15}\n"),
            ["NAME", "HOLDER", "AGE"], ["NAME", "HOLDER", "AGE"],
            {"HOLDER": "holder-a"}, {"spec.leaseDurationSeconds": 15},
            {"spec.holderIdentity": "holder-b"}, {"HOLDER": "holder-b"},
            group="coordination.k8s.io"),
        Res("namespaces", "namespace", "Namespace", "v1", ns + "-extra",
            manifest("v1", "Namespace", ns + "-extra", ""),
            manifest("v1", "Namespace", ns + "-extra", "",
                     "app: crud, team: blue"),
            ["NAME", "STATUS", "AGE"], ["NAME", "STATUS", "AGE"],
            {"STATUS": "Active"},
            {"spec.finalizers": ["kubernetes"], "status.phase": "Active",
             "metadata.labels": {"app": "crud",
                                 "kubernetes.io/metadata.name": ns + "-extra"}},
            {"metadata.labels.team": "blue"}, {"STATUS": "Active"},
            namespaced=False),
        Res("nodes", "node", "Node", "v1", ns + "-node",
            manifest("v1", "Node", ns + "-node", "spec: {}\n",
                     "app: crud, node-role.kubernetes.io/worker: ''"),
            manifest("v1", "Node", ns + "-node", "spec: {unschedulable: true}\n",
                     "app: crud, node-role.kubernetes.io/worker: ''"),
            ["NAME", "STATUS", "ROLES", "AGE", "VERSION"],
            ["NAME", "STATUS", "ROLES", "AGE", "VERSION", "INTERNAL-IP",
             "EXTERNAL-IP", "OS-IMAGE", "KERNEL-VERSION", "CONTAINER-RUNTIME"],
            {"STATUS": "Unknown", "ROLES": "worker", "VERSION": "",
             "INTERNAL-IP": "<none>", "EXTERNAL-IP": "<none>",
             "OS-IMAGE": "<unknown>", "KERNEL-VERSION": "<unknown>",
             "CONTAINER-RUNTIME": "<unknown>"},
            {"metadata.labels.app": "crud"}, {"spec.unschedulable": True},
            {"STATUS": "Unknown,SchedulingDisabled"}, namespaced=False),
    ]


class ResourceLifecycleTest(KubectlCase):
    """The same kubectl life cycle on each resource, one subTest each."""

    def test_every_resource(self):
        ns = self.namespace("crud")
        for res in resources(ns):
            with self.subTest(resource=res.plural):
                self.lifecycle(res, ns)

    def lifecycle(self, res, ns):
        nsargs = ["-n", ns] if res.namespaced else []
        d, _ = self.write("m.yaml", res.manifest)
        self.write("changed.yaml", res.changed, d)
        ref = "%s/%s" % (res.ref, res.name)

        r = self.ok("create", "-f", "m.yaml", *nsargs, cwd=d)
        self.expect_out(r, ref + " created\n")
        r = self.fails("create", "-f", "m.yaml", *nsargs, cwd=d)
        self.expect_out(r, 'Error from server (AlreadyExists): error when '
                        'creating "m.yaml": %s "%s" already exists\n' %
                        (res.qualified, res.name), "err")

        self.check_tables(res, nsargs, res.cells)
        obj = self.check_json(res, nsargs, res.json_checks)
        rv = obj["metadata"]["resourceVersion"]

        r = self.ok("get", res.plural, "-l", "app=crud", "--show-labels",
                    *nsargs)
        row = self.row(r, "NAME", res.name) if "NAME" in res.header else (
            self.table(r)[0])
        self.assertIn("app=crud", row.get("LABELS", ""), r.describe())
        r = self.ok("get", res.plural, "-l", "app=nothing-has-this", *nsargs)
        self.expect_out(r, "")
        self.expect_in(r, "No resources found", "err")

        r = self.ok("describe", res.plural, res.name, *nsargs)
        self.expect_match(r, r"^Name:\s+%s$" % re.escape(res.name))

        r = self.ok("apply", "-f", "changed.yaml", *nsargs, cwd=d)
        self.expect_out(r, ref + " configured\n")
        self.expect_in(r, "is missing the kubectl.kubernetes.io/"
                       "last-applied-configuration annotation", "err")
        obj = self.check_json(res, nsargs, res.changed_checks)
        self.assertNotEqual(obj["metadata"]["resourceVersion"], rv)
        self.check_tables(res, nsargs, res.changed_cells)
        r = self.ok("apply", "-f", "changed.yaml", *nsargs, cwd=d)
        self.expect_out(r, ref + " unchanged\n")

        r = self.ok("label", res.plural, res.name, "extra=yes", *nsargs)
        self.expect_out(r, ref + " labeled\n")
        r = self.ok("annotate", res.plural, res.name, "note=hi", *nsargs)
        self.expect_out(r, "%s %s\n" % (ref, annotated()))

        r = self.ok("delete", "-f", "changed.yaml", *nsargs, cwd=d)
        self.expect_out(r, delete_line(res.ref, res.name,
                                       ns if res.namespaced else None) + "\n")
        r = self.fails("get", res.plural, res.name, *nsargs)
        self.expect_out(r, 'Error from server (NotFound): %s "%s" not found\n'
                        % (res.qualified, res.name), "err")

    def check_tables(self, res, nsargs, cells):
        narrow = {k: v for k, v in cells.items() if k in res.header}
        for args, header, want in ((["get", res.plural, res.name], res.header,
                                    narrow),
                                   (["get", res.plural, res.name, "-o",
                                     "wide"], res.wide, cells)):
            r = self.ok(*args, *nsargs)
            rows = self.table(r, header)
            self.assertEqual(len(rows), 1, r.describe())
            if "NAME" in header:
                self.expect_cells(r, rows[0], {"NAME": res.name})
            if "AGE" in header:
                self.expect_cells(r, rows[0], {"AGE": AGE_RE})
            self.expect_cells(r, rows[0], want)

    def check_json(self, res, nsargs, checks):
        obj = self.get_json(res.plural, res.name, *nsargs)
        context = json.dumps(obj, indent=1)[:3000]
        self.expect_field(obj, "kind", res.kind, context)
        self.expect_field(obj, "apiVersion", res.api_version, context)
        self.expect_field(obj, "metadata.name", res.name, context)
        meta = obj["metadata"]
        for f in ("uid", "resourceVersion", "creationTimestamp"):
            self.assertTrue(meta.get(f), "metadata.%s missing\n%s" %
                            (f, context))
        self.assertRegex(meta["creationTimestamp"],
                         r"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ$")
        if res.namespaced:
            self.expect_field(obj, "metadata.namespace", nsargs[1], context)
        else:
            self.assertNotIn("namespace", meta, context)
        for path, want in checks.items():
            if callable(want):
                got = obj
                for p in path.split("."):
                    got = got.get(p) if isinstance(got, dict) else None
                self.assertTrue(got is not None and want(got),
                                "field %s = %r fails its check\n%s" %
                                (path, got, context))
            else:
                self.expect_field(obj, path, want, context)
        return obj
