// The official JavaScript client (@kubernetes/client-node 1.4.0, pinned in
// tests/package.json) against a real `ksim up`.
// Run: cd tests && KSIM_BINARY=../build/ksim node --test js/
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';

import * as k8s from '@kubernetes/client-node';

import { Cluster } from './cluster.mjs';

const NEVER = { 'ksim.test/never': 'true' };
const CONFLICT = (name) => `Operation cannot be fulfilled on configmaps "${name}": the object `
  + 'has been modified; please apply your changes to the latest version and try again';

function clients(cluster) {
  const kc = new k8s.KubeConfig();
  kc.loadFromFile(cluster.kubeconfig);
  return { kc, core: kc.makeApiClient(k8s.CoreV1Api), apps: kc.makeApiClient(k8s.AppsV1Api) };
}

const cm = (name, labels, data) => ({
  metadata: { name, labels }, data: data || { k: name },
});

// The Status object of an ApiException (its body is text or parsed JSON).
function statusOf(err) {
  assert.ok(err instanceof k8s.ApiException, `not an ApiException: ${err}`);
  return typeof err.body === 'string' ? JSON.parse(err.body) : err.body;
}

async function rejectsWith(promise, code) {
  try {
    await promise;
  } catch (err) {
    assert.equal(err.code, code, `HTTP ${err.code}, want ${code}: ${JSON.stringify(err.body)}`);
    return statusOf(err);
  }
  assert.fail(`expected HTTP ${code}, the call succeeded`);
}

// Watches `path` from `rv` until `count` events or the deadline.
function collect(kc, path, rv, count, ms = 10000) {
  return new Promise((resolve, reject) => {
    const events = [];
    let controller = null;
    let finished = false;
    const finish = (err) => {
      if (finished) return;
      finished = true;
      clearTimeout(timer);
      if (controller) controller.abort();
      if (err) reject(err); else resolve(events);
    };
    const timer = setTimeout(() => finish(), ms);
    new k8s.Watch(kc).watch(path, { resourceVersion: rv }, (type, obj) => {
      events.push({ type, obj });
      if (events.length >= count) finish();
    }, (err) => finish(err && err.name !== 'AbortError' ? err : null))
      .then((c) => { controller = c; if (finished) c.abort(); }, finish);
  });
}

describe('JavaScript client against ksim', { timeout: 120000 }, () => {
  let cluster;
  let core;
  let apps;
  let kc;

  before(async () => {
    // The API alone, as a bare kube-apiserver: these cases pin resourceVersions
    // and patches that controllers would race with.
    cluster = await new Cluster(['--api-only']).start();
    ({ kc, core, apps } = clients(cluster));
  });
  after(async () => { if (cluster) await cluster.close(); });

  const namespace = async (name) => {
    await core.createNamespace({ body: { metadata: { name } } });
    return name;
  };

  it('creates configmaps, pods and deployments', async () => {
    const ns = await namespace('js-create');
    const c = await core.createNamespacedConfigMap({ namespace: ns, body: cm('c1', { app: 'js' }) });
    assert.equal(c.metadata.namespace, ns);
    assert.ok(c.metadata.uid && c.metadata.resourceVersion);
    const pod = await core.createNamespacedPod({ namespace: ns, body: {
      metadata: { name: 'p1' },
      spec: { nodeSelector: NEVER, containers: [{ name: 'c', image: 'nginx:1.25' }] },
    } });
    assert.equal(pod.status.phase, 'Pending');
    assert.equal(pod.spec.containers[0].imagePullPolicy, 'IfNotPresent');
    const dep = await apps.createNamespacedDeployment({ namespace: ns, body: {
      metadata: { name: 'd1' },
      spec: { replicas: 2, selector: { matchLabels: { app: 'd1' } }, template: {
        metadata: { labels: { app: 'd1' } },
        spec: { nodeSelector: NEVER, containers: [{ name: 'web', image: 'nginx:1.25' }] } } },
    } });
    assert.equal(dep.metadata.generation, 1);
    assert.equal(dep.spec.strategy.type, 'RollingUpdate');
    const st = await rejectsWith(core.createNamespacedConfigMap({ namespace: ns, body: cm('c1') }), 409);
    assert.equal(st.reason, 'AlreadyExists');
    assert.equal(st.message, 'configmaps "c1" already exists');
  });

  it('lists with label and field selectors', async () => {
    const ns = await namespace('js-select');
    for (const [name, labels] of [['a', { app: 'web', tier: 'fe' }], ['b', { app: 'web', tier: 'be' }],
      ['c', { app: 'db' }]]) {
      await core.createNamespacedConfigMap({ namespace: ns, body: cm(name, labels) });
    }
    const names = async (q) => (await core.listNamespacedConfigMap({ namespace: ns, ...q }))
      .items.map((i) => i.metadata.name);
    assert.deepEqual(await names({ labelSelector: 'app=web' }), ['a', 'b']);
    assert.deepEqual(await names({ labelSelector: 'tier notin (fe)' }), ['b', 'c']);
    assert.deepEqual(await names({ labelSelector: 'app=web,tier' }), ['a', 'b']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name=c' }), ['c']);
    assert.deepEqual(await names({ fieldSelector: 'metadata.name!=a', labelSelector: 'app=web' }), ['b']);
    const st = await rejectsWith(names({ fieldSelector: 'spec.foo=1' }), 400);
    assert.equal(st.reason, 'BadRequest');
    assert.equal(st.message, 'field label not supported: spec.foo');
  });

  it('pages with limit and continue', async () => {
    const ns = await namespace('js-paging');
    for (let i = 0; i < 25; i++) {
      await core.createNamespacedConfigMap({ namespace: ns, body: cm(`cm-${String(i).padStart(2, '0')}`) });
    }
    const seen = [];
    const pages = [];
    const rvs = new Set();
    let token;
    do {
      const page = await core.listNamespacedConfigMap({ namespace: ns, limit: 10, _continue: token });
      pages.push([page.items.length, page.metadata.remainingItemCount]);
      rvs.add(page.metadata.resourceVersion);
      seen.push(...page.items.map((i) => i.metadata.name));
      token = page.metadata._continue;
      if (pages.length === 1) {
        await core.createNamespacedConfigMap({ namespace: ns, body: cm('cm-late') });
      }
      assert.ok(pages.length < 5, 'paging does not end');
    } while (token);
    assert.deepEqual(pages, [[10, 15], [10, 5], [5, undefined]]);
    assert.deepEqual(seen, Array.from({ length: 25 }, (_, i) => `cm-${String(i).padStart(2, '0')}`));
    assert.equal(rvs.size, 1, `pages differ in resourceVersion: ${[...rvs]}`);
  });

  it('watches from a resourceVersion', async () => {
    const ns = await namespace('js-watch');
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('before') });
    const rv = (await core.listNamespacedConfigMap({ namespace: ns })).metadata.resourceVersion;
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('after') });
    await core.patchNamespacedConfigMap({ name: 'after', namespace: ns, body: { data: { k: 'changed' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    await core.deleteNamespacedConfigMap({ name: 'after', namespace: ns });
    const events = await collect(kc, `/api/v1/namespaces/${ns}/configmaps`, rv, 3);
    assert.deepEqual(events.map((e) => [e.type, e.obj.kind, e.obj.metadata.name, e.obj.data.k]), [
      ['ADDED', 'ConfigMap', 'after', 'after'],
      ['MODIFIED', 'ConfigMap', 'after', 'changed'],
      ['DELETED', 'ConfigMap', 'after', 'changed']]);
  });

  it('patches with merge, strategic merge and JSON patch', async () => {
    const ns = await namespace('js-patch');
    await core.createNamespacedConfigMap({ namespace: ns, body: cm('m', undefined, { a: '1', b: '2' }) });
    let out = await core.patchNamespacedConfigMap({ name: 'm', namespace: ns, body: { data: { a: null, c: '3' } } },
      k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.MergePatch));
    assert.deepEqual(out.data, { b: '2', c: '3' });
    out = await core.patchNamespacedConfigMap({ name: 'm', namespace: ns,
      body: [{ op: 'replace', path: '/data/b', value: '9' }] },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch));
    assert.deepEqual(out.data, { b: '9', c: '3' });
    const st = await rejectsWith(core.patchNamespacedConfigMap({ name: 'm', namespace: ns,
      body: [{ op: 'test', path: '/data/b', value: 'nope' }] },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.JsonPatch)), 422);
    assert.equal(st.reason, 'Invalid');

    await apps.createNamespacedDeployment({ namespace: ns, body: {
      metadata: { name: 'sp' },
      spec: { selector: { matchLabels: { app: 'sp' } }, template: {
        metadata: { labels: { app: 'sp' } },
        spec: { nodeSelector: NEVER, containers: [{ name: 'web', image: 'nginx:1.25' },
          { name: 'side', image: 'busybox:1.36' }] } } },
    } });
    const dep = await apps.patchNamespacedDeployment({ name: 'sp', namespace: ns,
      body: { spec: { template: { spec: { containers: [{ name: 'web', image: 'nginx:1.26' }] } } } } },
    k8s.setHeaderOptions('Content-Type', k8s.PatchStrategy.StrategicMergePatch));
    assert.deepEqual(dep.spec.template.spec.containers.map((c) => [c.name, c.image]),
      [['web', 'nginx:1.26'], ['side', 'busybox:1.36']]);
    assert.equal(dep.metadata.generation, 2);
  });

  it('rejects a stale resourceVersion and deletes', async () => {
    const ns = await namespace('js-conflict');
    const c = await core.createNamespacedConfigMap({ namespace: ns, body: cm('v') });
    const stale = c.metadata.resourceVersion;
    c.data = { k: 'first' };
    const updated = await core.replaceNamespacedConfigMap({ name: 'v', namespace: ns, body: c });
    assert.notEqual(updated.metadata.resourceVersion, stale);
    c.data = { k: 'second' };
    c.metadata.resourceVersion = stale;
    const st = await rejectsWith(core.replaceNamespacedConfigMap({ name: 'v', namespace: ns, body: c }), 409);
    assert.equal(st.reason, 'Conflict');
    assert.equal(st.message, CONFLICT('v'));
    assert.deepEqual((await core.readNamespacedConfigMap({ name: 'v', namespace: ns })).data, { k: 'first' });

    const del = await core.deleteNamespacedConfigMap({ name: 'v', namespace: ns });
    assert.equal(del.status, 'Success');
    assert.equal(del.details.name, 'v');
    const nf = await rejectsWith(core.readNamespacedConfigMap({ name: 'v', namespace: ns }), 404);
    assert.equal(nf.message, 'configmaps "v" not found');
  });
});

describe('JavaScript watch after compaction', { timeout: 60000 }, () => {
  let cluster;
  before(async () => { cluster = await new Cluster(['--compaction-interval', '1']).start(); });
  after(async () => { if (cluster) await cluster.close(); });

  it('gets an ERROR event with 410 Expired', async () => {
    const { kc, core } = clients(cluster);
    const first = await core.createNamespacedConfigMap({ namespace: 'default', body: cm('old') });
    const oldRv = first.metadata.resourceVersion;
    for (let i = 0; i < 5; i++) {
      await core.createNamespacedConfigMap({ namespace: 'default', body: cm(`new-${i}`) });
    }
    const deadline = Date.now() + 20000;
    let expired = null;
    while (!expired && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 500));
      const events = await collect(kc, '/api/v1/namespaces/default/configmaps', oldRv, 100, 1000);
      expired = events.find((e) => e.type === 'ERROR') || null;
    }
    assert.ok(expired, 'no ERROR event within 20s of writes with --compaction-interval 1');
    assert.equal(expired.obj.kind, 'Status');
    assert.equal(expired.obj.code, 410);
    assert.equal(expired.obj.reason, 'Expired');
    assert.match(expired.obj.message, new RegExp(`^too old resource version: ${oldRv} \\(\\d+\\)$`));
  });
});
