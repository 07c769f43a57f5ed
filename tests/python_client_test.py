"""The official Python client (Debian python3-kubernetes) against `ksim up`.

Run with /usr/bin/python3 (the only interpreter that sees Debian's
packages): KSIM_BINARY=build/ksim /usr/bin/python3 tests/python_client_test.py
"""

import json
import os
import sys
import threading
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

try:
    from kubernetes import client, config, watch
    from kubernetes.client.rest import ApiException
except ImportError as e:  # not Debian's /usr/bin/python3, or not installed
    print("SKIP: the Python client is not importable: %s" % e)
    sys.exit(77)

TIMEOUT = 15  # seconds, for every client call (_request_timeout)
CONFLICT = ('Operation cannot be fulfilled on configmaps "%s": the object '
            'has been modified; please apply your changes to the latest '
            'version and try again')
NEVER = {"ksim.test/never": "true"}


def api_client(cluster):
    cfg = client.Configuration()
    config.load_kube_config(config_file=cluster.kubeconfig,
                            client_configuration=cfg)
    return client.ApiClient(cfg)


def configmap(name, labels=None, data=None):
    return client.V1ConfigMap(
        metadata=client.V1ObjectMeta(name=name, labels=labels),
        data=data or {"k": name})


def status_of(e):
    try:
        return json.loads(e.body)
    except (TypeError, ValueError):
        return {}


class PythonClientTest(unittest.TestCase):

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster(name="python", extra_args=["--api-only"])
        cls.cluster.start()
        cls.api = api_client(cls.cluster)
        cls.core = client.CoreV1Api(cls.api)
        cls.apps = client.AppsV1Api(cls.api)

    @classmethod
    def tearDownClass(cls):
        cls.api.close()
        cls.cluster.close()

    def make_namespace(self, name):
        self.core.create_namespace(
            client.V1Namespace(metadata=client.V1ObjectMeta(name=name)),
            _request_timeout=TIMEOUT)
        return name

    def describe_error(self, e):
        return "status %s\n%s\n--- ksim log ---\n%s" % (
            e.status, e.body, self.cluster.log_tail(10))

    def test_create_pod_configmap_deployment(self):
        ns = self.make_namespace("py-create")
        cm = self.core.create_namespaced_config_map(
            ns, configmap("c1", {"app": "py"}), _request_timeout=TIMEOUT)
        self.assertEqual(cm.metadata.namespace, ns)
        self.assertTrue(cm.metadata.uid and cm.metadata.resource_version)
        pod = client.V1Pod(
            metadata=client.V1ObjectMeta(name="p1", labels={"app": "py"}),
            spec=client.V1PodSpec(node_selector=NEVER, containers=[
                client.V1Container(name="c", image="nginx:1.25")]))
        pod = self.core.create_namespaced_pod(ns, pod,
                                              _request_timeout=TIMEOUT)
        self.assertEqual(pod.status.phase, "Pending")
        self.assertEqual(pod.spec.restart_policy, "Always")
        self.assertEqual(pod.spec.containers[0].image_pull_policy,
                         "IfNotPresent")
        dep = client.V1Deployment(
            metadata=client.V1ObjectMeta(name="d1"),
            spec=client.V1DeploymentSpec(
                replicas=2,
                selector=client.V1LabelSelector(match_labels={"app": "d1"}),
                template=client.V1PodTemplateSpec(
                    metadata=client.V1ObjectMeta(labels={"app": "d1"}),
                    spec=client.V1PodSpec(node_selector=NEVER, containers=[
                        client.V1Container(name="web",
                                           image="nginx:1.25")]))))
        dep = self.apps.create_namespaced_deployment(
            ns, dep, _request_timeout=TIMEOUT)
        self.assertEqual(dep.metadata.generation, 1)
        self.assertEqual(dep.spec.strategy.type, "RollingUpdate")
        got = self.apps.read_namespaced_deployment("d1", ns,
                                                   _request_timeout=TIMEOUT)
        self.assertEqual(got.metadata.uid, dep.metadata.uid)

        with self.assertRaises(ApiException) as ctx:
            self.core.create_namespaced_config_map(
                ns, configmap("c1"), _request_timeout=TIMEOUT)
        e = ctx.exception
        self.assertEqual(e.status, 409, self.describe_error(e))
        st = status_of(e)
        self.assertEqual((st.get("reason"), st.get("message")),
                         ("AlreadyExists", 'configmaps "c1" already exists'))
        self.assertEqual(st.get("details"), {"name": "c1",
                                             "kind": "configmaps"})

    def test_selectors(self):
        ns = self.make_namespace("py-select")
        for name, labels in (("a", {"app": "web", "tier": "fe"}),
                             ("b", {"app": "web", "tier": "be"}),
                             ("c", {"app": "db"})):
            self.core.create_namespaced_config_map(
                ns, configmap(name, labels), _request_timeout=TIMEOUT)

        def names(**kw):
            lst = self.core.list_namespaced_config_map(
                ns, _request_timeout=TIMEOUT, **kw)
            return [i.metadata.name for i in lst.items]

        self.assertEqual(names(label_selector="app=web"), ["a", "b"])
        self.assertEqual(names(label_selector="app=web,tier!=fe"), ["b"])
        self.assertEqual(names(label_selector="tier in (fe,be)"), ["a", "b"])
        self.assertEqual(names(label_selector="!tier"), ["c"])
        self.assertEqual(names(field_selector="metadata.name=b"), ["b"])
        self.assertEqual(names(field_selector="metadata.name!=b",
                               label_selector="app"), ["a", "c"])
        all_ns = self.core.list_config_map_for_all_namespaces(
            field_selector="metadata.namespace=%s" % ns,
            _request_timeout=TIMEOUT)
        self.assertEqual(sorted(i.metadata.name for i in all_ns.items),
                         ["a", "b", "c"])
        with self.assertRaises(ApiException) as ctx:
            names(field_selector="data.k=a")
        self.assertEqual(ctx.exception.status, 400)
        self.assertEqual(status_of(ctx.exception).get("message"),
                         "field label not supported: data.k")

    def test_paging(self):
        ns = self.make_namespace("py-paging")
        for i in range(25):
            self.core.create_namespaced_config_map(
                ns, configmap("cm-%02d" % i), _request_timeout=TIMEOUT)
        seen, token, pages, rvs = [], None, [], set()
        while True:
            kw = {"limit": 10, "_request_timeout": TIMEOUT}
            if token:
                kw["_continue"] = token
            page = self.core.list_namespaced_config_map(ns, **kw)
            pages.append((len(page.items), page.metadata.remaining_item_count))
            rvs.add(page.metadata.resource_version)
            seen += [i.metadata.name for i in page.items]
            token = page.metadata._continue
            if len(pages) == 1:
                # Written after the first page: a paged list is one
                # snapshot, so this object must not show up.
                self.core.create_namespaced_config_map(
                    ns, configmap("cm-late"), _request_timeout=TIMEOUT)
            if not token:
                break
            self.assertLess(len(pages), 5, "paging does not end")
        self.assertEqual(pages, [(10, 15), (10, 5), (5, None)])
        self.assertEqual(seen, ["cm-%02d" % i for i in range(25)])
        self.assertEqual(len(rvs), 1, "pages of one list differ in "
                         "resourceVersion: %s" % rvs)
        full = self.core.list_namespaced_config_map(ns,
                                                    _request_timeout=TIMEOUT)
        self.assertEqual(len(full.items), 26)
        self.assertIsNone(full.metadata._continue)

    def test_watch_from_resource_version(self):
        ns = self.make_namespace("py-watch")
        self.core.create_namespaced_config_map(ns, configmap("before"),
                                               _request_timeout=TIMEOUT)
        rv = self.core.list_namespaced_config_map(
            ns, _request_timeout=TIMEOUT).metadata.resource_version
        self.core.create_namespaced_config_map(ns, configmap("after"),
                                               _request_timeout=TIMEOUT)
        self.core.patch_namespaced_config_map(
            "after", ns, {"data": {"k": "changed"}}, _request_timeout=TIMEOUT)
        self.core.delete_namespaced_config_map("after", ns,
                                               _request_timeout=TIMEOUT)
        events = []
        w = watch.Watch()
        for ev in w.stream(self.core.list_namespaced_config_map, ns,
                           resource_version=rv, timeout_seconds=10,
                           _request_timeout=TIMEOUT):
            events.append((ev["type"], ev["object"].metadata.name,
                           (ev["object"].data or {}).get("k")))
            if len(events) == 3:
                w.stop()
        self.assertEqual(events, [("ADDED", "after", "after"),
                                  ("MODIFIED", "after", "changed"),
                                  ("DELETED", "after", "changed")])

        # Live events: a watch started now sees a write made after it.
        got = []
        rv = self.core.list_namespaced_config_map(
            ns, _request_timeout=TIMEOUT).metadata.resource_version
        w = watch.Watch()

        def writer():
            time.sleep(0.3)
            self.core.create_namespaced_config_map(ns, configmap("live"),
                                                   _request_timeout=TIMEOUT)
        t = threading.Thread(target=writer)
        t.start()
        for ev in w.stream(self.core.list_namespaced_config_map, ns,
                           resource_version=rv, timeout_seconds=10,
                           _request_timeout=TIMEOUT):
            got.append((ev["type"], ev["object"].metadata.name))
            w.stop()
        t.join(TIMEOUT)
        self.assertEqual(got, [("ADDED", "live")])

    def test_watch_query_forms(self):
        """The client sends watch=True; kube takes any value but "0" and
        "false" (any case) as true, and streams JSON watch events with
        Content-Type application/json."""
        ns = self.make_namespace("py-watch-forms")
        self.core.create_namespaced_config_map(ns, configmap("w"),
                                               _request_timeout=TIMEOUT)
        path = "/api/v1/namespaces/%s/configmaps" % ns
        for value in ("true", "True", "1"):
            r = self.cluster.http("GET", path, query={
                "watch": value, "timeoutSeconds": "1"})
            self.assertEqual(r.status, 200, r.describe())
            with self.subTest(watch=value, check="events"):
                lines = r.body.decode().splitlines()
                self.assertEqual([json.loads(l).get("type") for l in lines],
                                 ["ADDED"], "watch=%s\n%s" %
                                 (value, r.describe()))
            with self.subTest(watch=value, check="Content-Type"):
                self.assertEqual(r.header_values("Content-Type"),
                                 ["application/json"], "watch=%s\n%s" %
                                 (value, r.headers))
        for value in ("false", "False", "0"):
            r = self.cluster.http("GET", path, query={"watch": value})
            self.assertEqual(r.json().get("kind"), "ConfigMapList",
                             "watch=%s\n%s" % (value, r.describe()))

    def test_patch_merge_and_strategic(self):
        ns = self.make_namespace("py-patch")
        self.core.create_namespaced_config_map(
            ns, configmap("m", data={"a": "1", "b": "2"}),
            _request_timeout=TIMEOUT)
        self.api.select_header_content_type = (
            lambda types, *a, **kw: "application/merge-patch+json")
        try:
            out = self.core.patch_namespaced_config_map(
                "m", ns, {"data": {"a": None, "c": "3"}},
                _request_timeout=TIMEOUT)
        finally:
            del self.api.select_header_content_type
        self.assertEqual(out.data, {"b": "2", "c": "3"})
        # A list body is sent as a JSON patch.
        out = self.core.patch_namespaced_config_map(
            "m", ns, [{"op": "add", "path": "/data/d", "value": "4"},
                      {"op": "remove", "path": "/data/b"}],
            _request_timeout=TIMEOUT)
        self.assertEqual(out.data, {"c": "3", "d": "4"})

        dep = {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "sp"},
               "spec": {"selector": {"matchLabels": {"app": "sp"}},
                        "template": {"metadata": {"labels": {"app": "sp"}},
                                     "spec": {"nodeSelector": NEVER,
                                              "containers": [
                            {"name": "web", "image": "nginx:1.25"},
                            {"name": "side", "image": "busybox:1.36"}]}}}}
        self.apps.create_namespaced_deployment(ns, dep,
                                               _request_timeout=TIMEOUT)
        # The client's default for a dict body is strategic merge patch.
        out = self.apps.patch_namespaced_deployment(
            "sp", ns, {"spec": {"template": {"spec": {"containers": [
                {"name": "web", "image": "nginx:1.26"}]}}}},
            _request_timeout=TIMEOUT)
        self.assertEqual([(c.name, c.image) for c in
                          out.spec.template.spec.containers],
                         [("web", "nginx:1.26"), ("side", "busybox:1.36")])
        self.assertEqual(out.metadata.generation, 2)

    def test_conflict_and_delete(self):
        ns = self.make_namespace("py-conflict")
        cm = self.core.create_namespaced_config_map(
            ns, configmap("v"), _request_timeout=TIMEOUT)
        stale = cm.metadata.resource_version
        cm.data = {"k": "first"}
        updated = self.core.replace_namespaced_config_map(
            "v", ns, cm, _request_timeout=TIMEOUT)
        self.assertNotEqual(updated.metadata.resource_version, stale)
        cm.data = {"k": "second"}
        cm.metadata.resource_version = stale
        with self.assertRaises(ApiException) as ctx:
            self.core.replace_namespaced_config_map("v", ns, cm,
                                                    _request_timeout=TIMEOUT)
        e = ctx.exception
        self.assertEqual(e.status, 409, self.describe_error(e))
        st = status_of(e)
        self.assertEqual((st.get("reason"), st.get("message")),
                         ("Conflict", CONFLICT % "v"))
        now = self.core.read_namespaced_config_map("v", ns,
                                                   _request_timeout=TIMEOUT)
        self.assertEqual(now.data, {"k": "first"})

        st = self.core.delete_namespaced_config_map("v", ns,
                                                    _request_timeout=TIMEOUT)
        self.assertEqual(st.status, "Success")
        self.assertEqual(st.details.name, "v")
        with self.assertRaises(ApiException) as ctx:
            self.core.read_namespaced_config_map("v", ns,
                                                 _request_timeout=TIMEOUT)
        self.assertEqual(ctx.exception.status, 404)
        self.assertEqual(status_of(ctx.exception).get("message"),
                         'configmaps "v" not found')
        with self.assertRaises(ApiException) as ctx:
            self.core.delete_namespaced_config_map("v", ns,
                                                   _request_timeout=TIMEOUT)
        self.assertEqual(ctx.exception.status, 404)


class PythonCompactionTest(unittest.TestCase):
    """A watch from a compacted resourceVersion ends with 410 Expired."""

    def test_watch_after_compaction_is_gone(self):
        with harness.Cluster(name="py-compact",
                             extra_args=["--compaction-interval", "1"]) as c:
            api = api_client(c)
            core = client.CoreV1Api(api)
            try:
                first = core.create_namespaced_config_map(
                    "default", configmap("old"), _request_timeout=TIMEOUT)
                old_rv = first.metadata.resource_version
                last = None
                for i in range(5):
                    last = core.create_namespaced_config_map(
                        "default", configmap("new-%d" % i),
                        _request_timeout=TIMEOUT)
                err = None
                deadline = time.monotonic() + 20
                while err is None and time.monotonic() < deadline:
                    time.sleep(0.5)
                    try:
                        for _ in watch.Watch().stream(
                                core.list_namespaced_config_map, "default",
                                resource_version=old_rv, timeout_seconds=1,
                                _request_timeout=TIMEOUT):
                            pass
                    except ApiException as e:
                        err = e
                self.assertIsNotNone(err, "no 410 within 20s of writes with "
                                     "--compaction-interval 1")
                self.assertEqual(err.status, 410)
                self.assertIn("Expired: too old resource version: %s" %
                              old_rv, err.reason)
                # A current resourceVersion still works.
                events = []
                for ev in watch.Watch().stream(
                        core.list_namespaced_config_map, "default",
                        resource_version=last.metadata.resource_version,
                        timeout_seconds=1, _request_timeout=TIMEOUT):
                    events.append(ev)
                self.assertEqual(events, [])
            finally:
                api.close()


if __name__ == "__main__":
    unittest.main(verbosity=2)
