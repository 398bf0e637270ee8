/**
 * PCE health events and policy-object snapshots against the simulated PCE, through the real
 * HTTP client and the events input's PceClient.
 */
import { createHttpClient } from '../../src/core/http';
import type { SourceContext } from '../../src/core/types';
import { fetchHealth, healthEvents } from '../../src/sources/illumio/health';
import { healthSource } from '../../src/sources/illumio';
import { fetchObjects, kvKey, toleratedBadItems, type ObjectChunk } from '../../src/sources/illumio/objects';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { captureLogger, runOnce, tmpDir, type LogLine } from './harness';

let sim: IllumioSimulator;
const now = Date.parse('2026-11-20T12:00:00.000Z');

beforeEach(async () => { sim = await startIllumioSimulator(); });
afterEach(() => sim.stop());

function context(): SourceContext {
  const logs: LogLine[] = [];
  const make = () => createHttpClient({ verifyTls: true, timeoutMs: 10_000, secrets: [sim.secret], retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } });
  return {
    stanza: 'illumio_pce_health://test', name: 'test', http: make(), makeHttp: make,
    checkpoint: { load: async () => undefined, save: async () => undefined },
    stateDir: tmpDir('illumio-state-'), log: captureLogger(logs), signal: new AbortController().signal, now: () => now,
  };
}
const settings = () => ({ pceUrl: sim.url, org: sim.org, keyId: sim.keyId, secret: sim.secret, stanza: 'illumio_pce_health://test' });
const parsed = (events: { data: string }[]) => events.map((e) => JSON.parse(e.data) as Record<string, any>);

test('health: one cluster event, one per node, one per service; a degraded service is named with its node', async () => {
  sim.traffic.options.health = { degraded: { node: 'core1', service: 'traffic_worker' } };
  const events = await fetchHealth(settings(), context());
  const e = parsed(events);
  expect(events.every((x) => x.sourcetype === 'illumio:pce:health' && typeof x.time === 'number')).toBe(true);
  expect(e.filter((x) => x.kind === 'cluster')).toEqual([expect.objectContaining({ fqdn: 'pce.example.com', status: 'warning', nodes: 4, degraded_services: 1, failed_services: 0 })]);
  const nodes = e.filter((x) => x.kind === 'node');
  expect(nodes.map((n) => n.node_type)).toEqual(['core0', 'core1', 'data0', 'data1']);
  expect(nodes[1]).toMatchObject({ hostname: 'core1.pce.example.com', status: 'degraded', services_degraded: ['traffic_worker'] });
  expect(nodes[3]).toMatchObject({ database_role: 'replica', replication_lag_seconds: 2 });
  const services = e.filter((x) => x.kind === 'service');
  expect(services.filter((s) => s.status !== 'running')).toEqual([{ kind: 'service', fqdn: 'pce.example.com', generated_at: expect.any(String), hostname: 'core1.pce.example.com', node_type: 'core1', service: 'traffic_worker', status: 'degraded' }]);
  expect(services.length).toBe(nodes.reduce((n, x) => n + x.services_running + x.services_degraded.length + x.services_failed.length, 0));
});

test('health: fields the PCE leaves out are absent, not invented; no cluster object is an error', async () => {
  expect(parsed(healthEvents([{ status: 'normal' }], now))).toEqual([{ kind: 'cluster', status: 'normal', nodes: 0, degraded_services: 0, failed_services: 0 }]);
  expect(healthEvents([], now)).toEqual([]);
  sim.faults.push({ on: 'health', kind: 'status', status: 404 });
  await expect(fetchHealth(settings(), context())).rejects.toThrow(/only on PCEs installed on-premises/);
});

async function all(o: Parameters<typeof fetchObjects>[2] = {}): Promise<ObjectChunk[]> {
  const out: ObjectChunk[] = [];
  for await (const c of fetchObjects(settings(), context(), o)) out.push(c);
  return out;
}

test('objects: five collections of flat records keyed for the KV store, each ending with last', async () => {
  const chunks = await all();
  expect(chunks.map((c) => [c.collection, c.first, c.last])).toEqual([
    ['illumio_labels', true, true], ['illumio_workloads', true, true], ['illumio_ip_lists', true, true],
    ['illumio_services', true, true], ['illumio_rule_sets', true, true],
  ]);
  const by = Object.fromEntries(chunks.map((c) => [c.kind, c.records]));
  expect(by.labels[0]).toEqual({ _key: 'orgs.1.labels.1', href: '/orgs/1/labels/1', name: null, key: 'role', value: 'web' });
  const offline = by.workloads.filter((w) => w.online === false);
  expect(offline).toHaveLength(2);
  const w = sim.traffic.estate.workloads[0] as Record<string, any>;
  expect(by.workloads[0]).toMatchObject({
    _key: kvKey(w.href), hostname: w.hostname, ips: [w.interfaces[0].address], ven_status: 'active', managed: true,
    labels: w.labels.map((l: { key: string; value: string }) => `${l.key}:${l.value}`),
    label_env: w.labels.find((l: { key: string }) => l.key === 'env').value,
  });
  expect(by.workloads.find((x) => x.ven_status === 'suspended')).toBeDefined();
  expect(by.ip_lists[1]).toMatchObject({ name: 'Corporate', ranges: ['10.0.0.0/8'] });
  expect(by.services.find((s) => s.name === 'DNS')).toMatchObject({ ports: ['53/17'] });
  expect(by.rule_sets[0]).toMatchObject({ name: 'payments-ringfence', enabled: true, rule_count: 1, scopes: [expect.stringContaining('&')] });
});

test('objects: chunks bound memory; a listing capped by max_results is an error, never a partial snapshot', async () => {
  const chunks = await all({ kinds: ['workloads'], chunkSize: 5 });
  expect(chunks.map((c) => [c.records.length, c.first, c.last])).toEqual([[5, true, false], [5, false, false], [2, false, true]]);
  const got: ObjectChunk[] = [];
  await expect((async () => { for await (const c of fetchObjects(settings(), context(), { kinds: ['workloads'], maxResults: 10 })) got.push(c); })())
    .rejects.toThrow(/lists 12 workloads, more than the 10 one request returns; the illumio_workloads snapshot was not replaced/);
  expect(got.some((c) => c.last)).toBe(false);
});

test('health: a PCE that keeps failing stops the run with an ERROR that promises no checkpoint (the input has none)', async () => {
  sim.faults.push({ on: 'health', kind: 'status', status: 503, retryAfter: 0, times: Infinity });
  const stanza = 'illumio_pce_health://test';
  const r = await runOnce(healthSource, sim, tmpDir('illumio-health-'), { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret }, { stanza });
  expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'transient' });
  const errors = r.logs.filter((l) => l.level === 'error').map((l) => l.message).join('\n');
  expect(errors).toMatch(/503 after \d+ attempts[^\n]*The run stopped after 0 events in 0 batches; this input keeps no checkpoint: the next run reads the whole state again\./);
  expect(errors).not.toMatch(/checkpoint stays|resumes/);
});

test('a 403 names what the key was refused (the health API, a listing), not events', async () => {
  sim.faults.push({ on: 'health', kind: 'status', status: 403 });
  const health = await fetchHealth(settings(), context()).then(() => undefined, (e: Error) => e.message);
  expect(health).toMatch(/may not read the health API of org \d+ on the PCE [^ ]+ \(HTTP 403\)[^\n]*role that can read them, e\.g\. Global Read Only\./);
  sim.faults.push({ on: 'objects', kind: 'status', status: 403 });
  const listing = await all().then(() => undefined, (e: Error) => e.message);
  expect(listing).toMatch(/may not read the labels of org \d+ on the PCE [^ ]+ \(HTTP 403\)/);
  for (const m of [health, listing]) {
    expect(m).not.toMatch(/events/);
    expect(m).not.toContain(sim.secret);
  }
});

test('objects: the bound on unusable items: 1 % of the listing, at least 5, always fewer than half', () => {
  expect([0, 1, 2, 3, 4, 10, 11, 12, 100, 599, 600, 5000, 100_000].map((n) => [n, toleratedBadItems(n)])).toEqual([
    [0, 0], [1, 0], [2, 0], [3, 1], [4, 1], [10, 4], [11, 5], [12, 5], [100, 5], [599, 5], [600, 6], [5000, 50], [100_000, 1000],
  ]);
});

test('objects: an item that is not JSON or not an object is skipped and counted, its excerpt redacted; the listing still completes', async () => {
  const labels = sim.traffic.estate.labels.length;
  // A broken serialiser that leaks the API secret into the item it breaks.
  sim.traffic.options.brokenObjects = { labels: [`{"href":"/orgs/1/labels/99","key":"role","value":${sim.secret}}`, '"just a string"'] };
  const chunks = await all({ kinds: ['labels', 'workloads'] });
  expect(chunks.map((c) => [c.kind, c.last, c.records.length, c.notJson, c.notObject, c.skipped])).toEqual([
    ['labels', true, labels, 1, 1, 0], ['workloads', true, sim.traffic.estate.workloads.length, 0, 0, 0],
  ]);
  const sample = chunks[0].sample!;
  expect(sample).toMatch(/^\d+ characters starting "\{\\"href\\":\\"\/orgs\/1\/labels\/99\\"/);
  expect(sample).toContain('<redacted>');
  expect(sample).not.toContain(sim.secret);
  expect(sample.length).toBeLessThan(120);
  expect(chunks[1].sample).toBeUndefined();
});

test('objects: a listing mostly bad is refused (no last chunk, the previous snapshot stays); the other listings still complete', async () => {
  const n = sim.traffic.estate.workloads.length;
  // What a broken serialiser sends: brackets and quotes balance, a value is left unquoted.
  const broken = (k: number) => Array.from({ length: k }, (_, i) => `{"href":"/orgs/1/workloads/bad-${i}","hostname":web-${i}}`);
  sim.traffic.options.brokenObjects = { workloads: broken(6) };
  const got: ObjectChunk[] = [];
  await expect((async () => { for await (const c of fetchObjects(settings(), context(), { kinds: ['labels', 'workloads', 'ip_lists'] })) got.push(c); })())
    .rejects.toThrow(new RegExp(`sent 6 of ${n + 6} workloads that cannot be stored \\(6 not JSON; the first unreadable one: 51 characters starting "\\{\\\\"href\\\\":\\\\"/orgs/1/workloads/bad-0\\\\",\\\\"hostname\\\\":web-0\\}"\\)\\. That is more than the 5 a listing of ${n + 6} may skip \\(1 % of the items, at least 5, and fewer than half\\), so the illumio_workloads snapshot was not replaced`));
  expect(got.filter((c) => c.last).map((c) => c.kind)).toEqual(['labels', 'ip_lists']);
  // Five are within the bound: the same listing with one fewer broken item completes.
  sim.traffic.options.brokenObjects = { workloads: broken(5) };
  const ok = await all({ kinds: ['workloads'] });
  expect(ok.map((c) => [c.last, c.records.length, c.notJson])).toEqual([[true, n, 5]]);
});

test('objects: a listing of nothing but garbage never empties the snapshot, however short', async () => {
  sim.traffic.estate.services.splice(1);
  sim.traffic.options.brokenObjects = { services: ['42'] };
  const got: ObjectChunk[] = [];
  await expect((async () => { for await (const c of fetchObjects(settings(), context(), { kinds: ['services'] })) got.push(c); })())
    .rejects.toThrow(/sent 1 of 2 services that cannot be stored \(1 JSON but not an object; the first unreadable one: 2 characters: "42"\)\. That is more than the 0 a listing of 2 may skip/);
  expect(got.some((c) => c.last)).toBe(false);
});
