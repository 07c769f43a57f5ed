"""Bad requests over raw HTTP (http.client): each gets kube-apiserver's
status code, reason and message, and none of them changes the store.

Run: KSIM_BINARY=build/ksim /usr/bin/python3 tests/bad_input_test.py
"""

import http.client
import json
import os
import signal
import socket
import subprocess
import sys
import time
import unittest

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

import harness  # noqa: E402

NS = "bad"
CMS = "/api/v1/namespaces/%s/configmaps" % NS
SVCS = "/api/v1/namespaces/%s/services" % NS
DEPLOYS = "/apis/apps/v1/namespaces/%s/deployments" % NS
CONFLICT = ('Operation cannot be fulfilled on configmaps "%s": the object '
            'has been modified; please apply your changes to the latest '
            'version and try again')
RFC1123_SUBDOMAIN = (
    "a lowercase RFC 1123 subdomain must consist of lower case alphanumeric "
    "characters, '-' or '.', and must start and end with an alphanumeric "
    "character (e.g. 'example.com', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?(\\.[a-z0-9]([-a-z0-9]*[a-z0-9])?)*')")
RFC1123_LABEL = (
    "a lowercase RFC 1123 label must consist of lower case alphanumeric "
    "characters or '-', and must start and end with an alphanumeric "
    "character (e.g. 'my-name',  or '123-abc', regex used for validation is "
    "'[a-z0-9]([-a-z0-9]*[a-z0-9])?')")
DNS1035_LABEL = (
    "a DNS-1035 label must consist of lower case alphanumeric characters or "
    "'-', start with an alphabetic character, and end with an alphanumeric "
    "character (e.g. 'my-name',  or 'abc-123', regex used for validation is "
    "'[a-z]([-a-z0-9]*[a-z0-9])?')")
JSON_PATCH = {"Content-Type": "application/json-patch+json"}


def cm(name, data=None, **meta):
    return {"apiVersion": "v1", "kind": "ConfigMap",
            "metadata": dict(name=name, **meta), "data": data or {"k": name}}


def svc(name, **spec):
    s = {"selector": {"app": name}, "ports": [{"port": 80}]}
    s.update(spec)
    return {"apiVersion": "v1", "kind": "Service",
            "metadata": {"name": name}, "spec": s}


class BadInputTest(unittest.TestCase):

    maxDiff = None

    @classmethod
    def setUpClass(cls):
        cls.cluster = harness.Cluster(name="bad-input")
        cls.cluster.start()
        c = cls.cluster
        for method, path, body in (
                ("POST", "/api/v1/namespaces",
                 {"apiVersion": "v1", "kind": "Namespace",
                  "metadata": {"name": NS}}),
                ("POST", CMS, cm("target", {"a": "1"})),
                ("POST", CMS, cm("imm", {"a": "1"}) | {"immutable": True}),
                ("POST", SVCS, svc("web"))):
            r = c.http(method, path, body)
            assert r.status == 201, r.describe()

    @classmethod
    def tearDownClass(cls):
        cls.cluster.close()

    # ---- helpers ----------------------------------------------------------

    def snapshot(self):
        """Everything the bad requests could touch: all configmaps,
        services and deployments, and the namespaces."""
        snap = {}
        for path in ("/api/v1/configmaps", "/api/v1/services",
                     "/apis/apps/v1/deployments", "/api/v1/namespaces"):
            items = self.cluster.get_json(path)["items"]
            snap[path] = sorted(
                ((i["metadata"].get("namespace", ""), i["metadata"]["name"],
                  i["metadata"]["resourceVersion"], json.dumps(
                      i, sort_keys=True)) for i in items))
        return snap

    def expect_status(self, r, code, reason, message=None, prefix=None,
                      contains=None):
        """Checks an error answer: HTTP code and a Status body."""
        where = "request: " + r.describe() + "\n--- ksim log ---\n" + \
            self.cluster.log_tail(5)
        self.assertEqual(r.status, code, "HTTP status\n" + where)
        ctype = (r.header_values("Content-Type") or [""])[0]
        self.assertTrue(ctype.startswith("application/json"),
                        "Content-Type %r\n%s" % (ctype, where))
        try:
            st = r.json()
        except ValueError:
            self.fail("error body is not JSON\n" + where)
        self.assertEqual((st.get("kind"), st.get("apiVersion"),
                          st.get("status"), st.get("code"), st.get("reason")),
                         ("Status", "v1", "Failure", code, reason),
                         "Status fields\n" + where)
        msg = st.get("message", "")
        if message is not None:
            self.assertEqual(msg, message, "message\n" + where)
        if prefix is not None:
            self.assertTrue(msg.startswith(prefix),
                            "message prefix\nexpected: %r\nactual:   %r\n%s"
                            % (prefix, msg, where))
        if contains is not None:
            self.assertIn(contains, msg, "message\n" + where)
        return st

    def bad(self, method, path, body=None, headers=None, query=None):
        """Sends one bad request; asserts afterwards the store is intact."""
        before = self.snapshot()
        r = self.send(method, path, body, headers, query)
        self.assertEqual(self.snapshot(), before,
                         "the store changed after a rejected request:\n" +
                         r.describe())
        return r

    def send(self, method, path, body, headers, query):
        try:
            return self.cluster.http(method, path, body, headers, query)
        except (BrokenPipeError, ConnectionResetError) as e:
            self.fail("%s %s: connection broken instead of an answer: %r" %
                      (method, path, e))

    def target(self, name="target"):
        return self.cluster.get_json("%s/%s" % (CMS, name))

    # ---- decoding ---------------------------------------------------------

    def test_malformed_json(self):
        body = '{"apiVersion":"v1","kind":"ConfigMap","metadata":{"name":"x"'
        r = self.bad("POST", CMS, body, {"Content-Type": "application/json"})
        self.expect_status(
            r, 400, "BadRequest",
            "the object provided is unrecognized (must be of type ConfigMap):"
            " couldn't get version/kind; json parse error: unexpected end of "
            "JSON input (%s ...)" % body[:30])
        for body in ('{"apiVersion":"v1","kind":"ConfigMap", data}', "[]"):
            r = self.bad("POST", CMS, body,
                         {"Content-Type": "application/json"})
            self.expect_status(
                r, 400, "BadRequest",
                prefix="the object provided is unrecognized (must be of type "
                "ConfigMap): couldn't get version/kind; json parse error: ")
        r = self.bad("PUT", CMS + "/target", "{not json",
                     {"Content-Type": "application/json"})
        self.expect_status(r, 400, "BadRequest",
                           contains="json parse error")

    def test_wrong_kind_for_url(self):
        r = self.bad("POST", CMS, svc("not-a-cm"))
        self.expect_status(r, 400, "BadRequest", prefix='Service in version '
                           '"v1" cannot be handled as a ConfigMap: ')
        dep = {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "d"}}
        r = self.bad("POST", CMS, dep)
        self.expect_status(r, 400, "BadRequest", prefix='Deployment in '
                           'version "v1" cannot be handled as a ConfigMap: ')

    def test_wrong_api_version(self):
        body = cm("wrong-version")
        body["apiVersion"] = "v2"
        r = self.bad("POST", CMS, body)
        self.expect_status(
            r, 400, "BadRequest",
            prefix='ConfigMap in version "v2" cannot be handled as a '
            'ConfigMap: no kind "ConfigMap" is registered for version "v2"')

    def test_missing_kind_defaults_from_url(self):
        r = self.cluster.http("POST", CMS, {"metadata": {"name": "kindless"},
                                            "data": {"a": "1"}})
        self.assertEqual(r.status, 201, r.describe())
        self.assertEqual((r.json()["kind"], r.json()["apiVersion"]),
                         ("ConfigMap", "v1"))
        r = self.cluster.http("DELETE", CMS + "/kindless")
        self.assertEqual(r.status, 200, r.describe())

    def test_namespace_mismatch(self):
        r = self.bad("POST", CMS, cm("elsewhere", namespace="default"))
        self.expect_status(r, 400, "BadRequest", "the namespace of the "
                           "provided object does not match the namespace "
                           "sent on the request")
        obj = self.target()
        obj["metadata"]["name"] = "other"
        r = self.bad("PUT", CMS + "/target", obj)
        self.expect_status(r, 400, "BadRequest", "the name of the object "
                           "(other) does not match the name on the URL "
                           "(target)")

    # ---- validation -------------------------------------------------------

    def invalid(self, r, kind, name, field, detail, reason, group=""):
        """A 422 with one cause, as field.ErrorList -> NewInvalid makes."""
        st = self.expect_status(
            r, 422, "Invalid", '%s "%s" is invalid: %s: %s' %
            (kind + ("." + group if group else ""), name, field, detail))
        want = {"name": name, "kind": kind,
                "causes": [{"reason": reason, "message": detail,
                            "field": field}]}
        if group:
            want["group"] = group
        self.assertEqual(st.get("details"), want, r.describe())
        return st

    def test_invalid_names(self):
        r = self.bad("POST", CMS, cm("Bad_Name"))
        self.invalid(r, "ConfigMap", "Bad_Name", "metadata.name",
                     'Invalid value: "Bad_Name": ' + RFC1123_SUBDOMAIN,
                     "FieldValueInvalid")
        r = self.bad("POST", "/api/v1/namespaces",
                     {"apiVersion": "v1", "kind": "Namespace",
                      "metadata": {"name": "Bad.NS"}})
        self.invalid(r, "Namespace", "Bad.NS", "metadata.name",
                     'Invalid value: "Bad.NS": ' + RFC1123_LABEL,
                     "FieldValueInvalid")
        r = self.bad("POST", SVCS, svc("1svc"))
        self.invalid(r, "Service", "1svc", "metadata.name",
                     'Invalid value: "1svc": ' + DNS1035_LABEL,
                     "FieldValueInvalid")
        long_name = "a" * 254
        r = self.bad("POST", CMS, cm(long_name))
        self.invalid(r, "ConfigMap", long_name, "metadata.name",
                     'Invalid value: "%s": must be no more than 253 '
                     'characters' % long_name, "FieldValueInvalid")

    def test_invalid_objects(self):
        body = svc("noports")
        del body["spec"]["ports"]
        r = self.bad("POST", SVCS, body)
        self.invalid(r, "Service", "noports", "spec.ports", "Required value",
                     "FieldValueRequired")
        dep = {"apiVersion": "apps/v1", "kind": "Deployment",
               "metadata": {"name": "mismatch"},
               "spec": {"selector": {"matchLabels": {"app": "x"}},
                        "template": {"metadata": {"labels": {"app": "y"}},
                                     "spec": {"containers": [
                                         {"name": "c", "image": "nginx"}]}}}}
        r = self.bad("POST", DEPLOYS, dep)
        self.invalid(r, "Deployment", "mismatch",
                     "spec.template.metadata.labels",
                     'Invalid value: map[string]string{"app":"y"}: '
                     '`selector` does not match template `labels`',
                     "FieldValueInvalid", group="apps")

    def test_immutable_configmap(self):
        obj = self.target("imm")
        obj["data"] = {"a": "2"}
        r = self.bad("PUT", CMS + "/imm", obj)
        self.invalid(r, "ConfigMap", "imm", "data",
                     "Forbidden: field is immutable when `immutable` is set",
                     "FieldValueForbidden")

    # ---- field validation -------------------------------------------------

    def test_unknown_field_strict(self):
        body = svc("strict")
        body["spec"]["foo"] = 1
        r = self.bad("POST", SVCS, body, query={"fieldValidation": "Strict"})
        self.expect_status(r, 400, "BadRequest", 'Service in version "v1" '
                           'cannot be handled as a Service: strict decoding '
                           'error: unknown field "spec.foo"')
        obj = self.target()
        obj["spec"] = {"foo": 1}
        r = self.bad("PUT", CMS + "/target", obj,
                     query={"fieldValidation": "Strict"})
        self.expect_status(r, 400, "BadRequest", 'ConfigMap in version "v1" '
                           'cannot be handled as a ConfigMap: strict decoding '
                           'error: unknown field "spec"')
        r = self.bad("PATCH", CMS + "/target", {"spec": {"x": 1}},
                     {"Content-Type": "application/merge-patch+json"},
                     {"fieldValidation": "Strict"})
        self.expect_status(r, 400, "BadRequest",
                           contains='strict decoding error: unknown field '
                           '"spec"')

    def test_unknown_field_warn_and_ignore(self):
        for name, query in (("warn", {"fieldValidation": "Warn"}),
                            ("default", None)):
            body = svc(name)
            body["spec"]["foo"] = 1
            r = self.cluster.http("POST", SVCS, body, query=query)
            self.assertEqual(r.status, 201, r.describe())
            self.assertEqual(r.header_values("Warning"),
                             ['299 - "unknown field \\"spec.foo\\""'],
                             r.headers)
            self.assertNotIn("foo", r.json()["spec"])
            self.assertEqual(self.cluster.http("DELETE", SVCS + "/" + name)
                             .status, 200)
        body = svc("ignore")
        body["spec"]["foo"] = 1
        r = self.cluster.http("POST", SVCS, body,
                              query={"fieldValidation": "Ignore"})
        self.assertEqual(r.status, 201, r.describe())
        self.assertEqual(r.header_values("Warning"), [])
        self.cluster.http("DELETE", SVCS + "/ignore")
        r = self.bad("POST", SVCS, svc("what"),
                     query={"fieldValidation": "Sometimes"})
        self.expect_status(r, 422, "Invalid", contains='fieldValidation: '
                           'Unsupported value: "Sometimes"')

    # ---- size -------------------------------------------------------------

    def test_oversized_body(self):
        body = cm("huge", {"blob": "x" * (3 * 1024 * 1024 + 100)})
        r = self.bad("POST", CMS, body)
        self.expect_status(r, 413, "RequestEntityTooLarge",
                           "Request entity too large: limit is 3145728")
        obj = self.target()
        obj["data"] = {"blob": "y" * (3 * 1024 * 1024 + 100)}
        r = self.bad("PUT", CMS + "/target", obj)
        self.expect_status(r, 413, "RequestEntityTooLarge",
                           "Request entity too large: limit is 3145728")

    # ---- lists and selectors ----------------------------------------------

    def test_bad_label_selector(self):
        r = self.bad("GET", CMS, query={"labelSelector": "app=a b"})
        self.expect_status(r, 400, "BadRequest",
                           "found 'b', expected: ',' or 'end of string'")
        r = self.bad("GET", CMS, query={"labelSelector": "app=a b",
                                        "watch": "true"})
        self.expect_status(r, 400, "BadRequest",
                           "found 'b', expected: ',' or 'end of string'")

    def test_bad_field_selector(self):
        r = self.bad("GET", CMS, query={"fieldSelector": "spec.foo=x"})
        self.expect_status(r, 400, "BadRequest",
                           "field label not supported: spec.foo")
        r = self.bad("GET", "/api/v1/namespaces/%s/pods" % NS,
                     query={"fieldSelector": "status.foo=x"})
        self.expect_status(r, 400, "BadRequest",
                           "field label not supported: status.foo")
        r = self.bad("GET", CMS, query={"fieldSelector": "a"})
        self.expect_status(r, 400, "BadRequest",
                           "invalid selector: 'a'; can't understand 'a'")

    # ---- concurrency ------------------------------------------------------

    def test_stale_resource_version_on_put(self):
        stale = self.target()
        fresh = json.loads(json.dumps(stale))
        fresh["data"] = {"a": "fresh"}
        r = self.cluster.http("PUT", CMS + "/target", fresh)
        self.assertEqual(r.status, 200, r.describe())
        stale["data"] = {"a": "stale"}
        r = self.bad("PUT", CMS + "/target", stale)
        st = self.expect_status(r, 409, "Conflict", CONFLICT % "target")
        self.assertEqual(st.get("details"), {"name": "target",
                                             "kind": "configmaps"})
        self.assertEqual(self.target()["data"], {"a": "fresh"})

    def test_delete_precondition(self):
        rv = self.target()["metadata"]["resourceVersion"]
        r = self.bad("DELETE", CMS + "/target",
                     {"preconditions": {"resourceVersion": "1"}})
        self.expect_status(r, 409, "Conflict", prefix='Operation cannot be '
                           'fulfilled on configmaps "target": ',
                           contains="Precondition failed: ResourceVersion in "
                           "precondition: 1, ResourceVersion in object meta: "
                           + rv)

    # ---- paths ------------------------------------------------------------

    def test_unknown_paths(self):
        # An unknown group falls through to Go's http.NotFound (text).
        r = self.bad("GET", "/apis/nope.example.com/v1/things")
        self.assertEqual(r.status, 404, r.describe())
        for path in ("/api/v1/namespaces/%s/foos" % NS,
                     "/apis/apps/v1/namespaces/%s/foos" % NS):
            r = self.bad("GET", path)
            self.expect_status(r, 404, "NotFound",
                               "the server could not find the requested "
                               "resource")
        r = self.bad("POST", "/api/v1/namespaces/%s/foos" % NS, cm("x"))
        self.expect_status(r, 404, "NotFound")
        r = self.bad("GET", CMS + "/nosuch")
        st = self.expect_status(r, 404, "NotFound",
                                'configmaps "nosuch" not found')
        self.assertEqual(st.get("details"), {"name": "nosuch",
                                             "kind": "configmaps"})
        r = self.bad("GET", DEPLOYS + "/nosuch")
        st = self.expect_status(r, 404, "NotFound",
                                'deployments.apps "nosuch" not found')
        self.assertEqual(st.get("details"), {"name": "nosuch", "group": "apps",
                                             "kind": "deployments"})
        r = self.bad("PUT", CMS, cm("x"))
        self.expect_status(r, 405, "MethodNotAllowed", "the server does not "
                           "allow this method on the requested resource")

    def test_create_in_missing_namespace(self):
        r = self.bad("POST", "/api/v1/namespaces/nope/configmaps", cm("x"))
        st = self.expect_status(r, 404, "NotFound",
                                'namespaces "nope" not found')
        self.assertEqual(st.get("details"), {"name": "nope",
                                             "kind": "namespaces"})

    # ---- patches ----------------------------------------------------------

    def test_json_patch_failures(self):
        before = self.target()
        r = self.bad("PATCH", CMS + "/target",
                     [{"op": "test", "path": "/data/a", "value": "wrong"},
                      {"op": "replace", "path": "/data/a", "value": "x"}],
                     JSON_PATCH)
        self.expect_status(r, 422, "Invalid", "the server rejected our "
                           "request due to an error in our request")
        r = self.bad("PATCH", CMS + "/target",
                     [{"op": "remove", "path": "/data/nosuch"}], JSON_PATCH)
        self.expect_status(r, 422, "Invalid")
        r = self.bad("PATCH", CMS + "/target", {"op": "add"}, JSON_PATCH)
        self.expect_status(r, 400, "BadRequest")
        r = self.bad("PATCH", CMS + "/target", {"data": {"a": "2"}},
                     {"Content-Type": "text/plain"})
        self.expect_status(r, 415, "UnsupportedMediaType")
        self.assertEqual(self.target(), before)

    def test_patch_that_breaks_validation(self):
        r = self.bad("PATCH", SVCS + "/web",
                     {"spec": {"ports": [{"port": 70000, "targetPort": 80}]}},
                     {"Content-Type": "application/merge-patch+json"})
        st = self.expect_status(r, 422, "Invalid", prefix='Service "web" is '
                                'invalid: spec.ports[0].port: Invalid value: '
                                '70000: must be between 1 and 65535, '
                                'inclusive')
        self.assertEqual(st["details"]["causes"][0]["field"],
                         "spec.ports[0].port")


class ServerStopTest(unittest.TestCase):
    """SIGTERM stops the server promptly even while a client holds an idle
    keep-alive connection (kube-apiserver closes idle connections on
    shutdown; clients such as urllib3 pools keep them open)."""

    def test_sigterm_with_idle_keep_alive_connection(self):
        with harness.Cluster(name="stop") as c:
            conn = http.client.HTTPConnection("127.0.0.1", c.port, timeout=5)
            conn.request("GET", "/api/v1/namespaces")
            self.assertEqual(conn.getresponse().read()[:1], b"{")
            proc = c.proc
            start = time.monotonic()
            os.kill(proc.pid, signal.SIGTERM)
            try:
                rc = proc.wait(timeout=5)
            except subprocess.TimeoutExpired:
                rc = "still running after 5s"
            took = time.monotonic() - start
            conn.close()
            self.assertEqual(rc, 0, "SIGTERM with an idle connection open: "
                             "%s (%.1fs)\n%s" % (rc, took, c.log_tail(5)))

    def test_watch_released_when_client_goes_away(self):
        """A watch whose client closed its socket ends at once (Go's HTTP
        server cancels the request); it must not wait for the next event or
        for its timeout. Checked through the kernel's socket table: the
        server side must not linger in CLOSE_WAIT."""
        with harness.Cluster(name="watch-gone") as c:
            socks = []
            for _ in range(3):
                s = socket.create_connection(("127.0.0.1", c.port), 5)
                s.sendall(b"GET /api/v1/namespaces/default/configmaps?"
                          b"watch=true&timeoutSeconds=300 HTTP/1.1\r\n"
                          b"Host: ksim\r\nAccept: application/json\r\n\r\n")
                self.assertIn(b" 200 ", s.recv(4096).split(b"\r\n")[0])
                socks.append(s)
            for s in socks:
                s.close()
            lingering = harness.wait_until(
                lambda: close_wait_sockets(c.port) == 0, 5)
            self.assertTrue(lingering, "%d server sockets still in CLOSE_WAIT"
                            " 5s after their watch clients left" %
                            close_wait_sockets(c.port))
            start = time.monotonic()
            self.assertEqual(c.stop(), 0)
            self.assertLess(time.monotonic() - start, 5)


def close_wait_sockets(port):
    """Sockets of 127.0.0.1:port in CLOSE_WAIT (state 08), from procfs."""
    count = 0
    with open("/proc/net/tcp") as f:
        for line in f.readlines()[1:]:
            fields = line.split()
            local, state = fields[1], fields[3]
            if int(local.split(":")[1], 16) == port and state == "08":
                count += 1
    return count


if __name__ == "__main__":
    unittest.main(verbosity=2)
