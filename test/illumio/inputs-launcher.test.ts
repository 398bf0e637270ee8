/**
 * The traffic, health and objects inputs as splunkd runs them: bin/illumio_pce_<x>.sh spawned
 * with <input> or <items> on stdin, secrets and the KV store through the loopback splunkd
 * stand-in, against the simulated PCE.
 */
import * as path from 'node:path';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { OBJECT_COLLECTIONS, OBJECT_KINDS } from '../../src/sources/illumio/objects';
import { flowKey } from '../../src/sources/illumio/traffic';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { tmpDir } from './harness';
import { inputXml, launch, ROOT, validationXml, type Launched, type Session } from './launch';

const H = 3600e3;
const COLLECTIONS = OBJECT_COLLECTIONS;
let sim: IllumioSimulator;
let splunkd: SplunkdStandIn;
let session: Session;

beforeEach(async () => {
  sim = await startIllumioSimulator({ traffic: { retryAfterSec: 0 } });
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events', collections: COLLECTIONS });
  session = { serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: tmpDir('illumio-inputs-') };
});
afterEach(async () => {
  await sim.stop();
  await splunkd.close();
});

const launcher = (x: string) => path.join(ROOT, 'bin', `illumio_pce_${x}.sh`);
const base = () => ({ pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret });

async function run(x: string, extra: Record<string, string> = {}): Promise<Launched> {
  const stanza = `illumio_pce_${x}://e2e`;
  const p = { ...base(), ...extra };
  const conf = splunkd.conf('inputs', stanza);
  if (!conf) splunkd.setConf('inputs', stanza, p);
  const r = await launch(inputXml(session, { ...p, api_secret: conf?.api_secret ?? sim.secret }, stanza), { launcher: launcher(x) });
  expect(r.stdout + r.stderr).not.toContain(sim.secret);
  return r;
}

const validate = (x: string, p: Record<string, string>) => launch(validationXml(session, p), { args: ['--validate-arguments'], launcher: launcher(x) });

describe('illumio_pce_traffic', () => {
  test('a run delivers each blocked/potentially blocked flow of the window once as illumio:pce:flow, and moves the secret out of inputs.conf', async () => {
    sim.addFlows(300, Date.now() - 2 * H, Date.now() - 20 * 60e3);
    const r = await run('traffic', { start_date: '-3h' });
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const want = sim.traffic.flowsBetween(Date.now() - 3 * H, Date.now() - 11 * 60e3)
      .filter((f) => ['blocked', 'potentially_blocked'].includes(String(f.policy_decision))).map(flowKey).sort();
    expect(want.length).toBeGreaterThan(50);
    expect(r.events.map((e) => flowKey(JSON.parse(e.data) as Record<string, unknown>)).sort()).toEqual(want);
    expect(new Set(r.events.map((e) => e.sourcetype))).toEqual(new Set(['illumio:pce:flow']));
    expect(splunkd.conf('inputs', 'illumio_pce_traffic://e2e')?.api_secret).toBe('********');
    expect(splunkd.getPassword('illumio_pce_traffic://e2e', 'api_secret')).toBe(sim.secret);
    // Every query was deleted after its download.
    expect(sim.traffic.log.deleted.length).toBe(sim.traffic.log.created.length);
    const again = await run('traffic', { start_date: '-3h' });
    expect(again.code).toBe(0);
    expect(again.events).toEqual([]);
  });

  test('--validate-arguments: a bad scope is named before anything is sent; a working key passes with one list request', async () => {
    const bad = await validate('traffic', { ...base(), src_include: '/orgs/1/labels/7,web-servers' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/<error><message>[^<]*src_include[^<]*web-servers[^<]*label, label group, workload or IP list href/);
    const svc = await validate('traffic', { ...base(), exclude_services: '70000/tcp' });
    expect(svc.stdout).toMatch(/exclude_services[^<]*70000\/tcp/);
    const pd = await validate('traffic', { ...base(), policy_decisions: 'blocked,denied' });
    expect(pd.stdout).toMatch(/policy_decisions[^<]*"denied"[^<]*allowed, potentially_blocked, blocked, unknown/);
    expect(sim.served).toEqual([]);
    const ok = await validate('traffic', base());
    expect(ok.stdout).not.toContain('<error>');
    expect(ok.code).toBe(0);
    expect(sim.served.map((s) => s.endpoint)).toEqual(['traffic_status']);
    expect(sim.traffic.log.created).toEqual([]);
  });

  test('--validate-arguments: a wrong org is refused in the words of traffic queries', async () => {
    const r = await validate('traffic', { ...base(), org_id: String(sim.org + 1) });
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/may not read traffic queries of org \d+[^<]*HTTP 403/);
  });
});

describe('illumio_pce_health', () => {
  test('one event per cluster, node and service, with a degraded service named', async () => {
    sim.traffic.options.health = { degraded: { node: 'core1', service: 'traffic_worker' } };
    const r = await run('health');
    expect(r.code).toBe(0);
    const docs = r.events.map((e): Record<string, unknown> => ({ st: e.sourcetype, ...(JSON.parse(e.data) as Record<string, unknown>) }));
    expect(new Set(docs.map((d) => d.st))).toEqual(new Set(['illumio:pce:health']));
    expect(docs.filter((d) => d.kind === 'cluster')).toHaveLength(1);
    expect(docs.filter((d) => d.kind === 'node')).toHaveLength(4);
    expect(docs.filter((d) => d.kind === 'service' && d.status === 'degraded')).toEqual([expect.objectContaining({ service: 'traffic_worker', hostname: expect.stringMatching(/^core1\./) })]);
  });

  test('--validate-arguments reads /api/v2/health once', async () => {
    const r = await validate('health', base());
    expect(r.code).toBe(0);
    expect(sim.served.map((s) => s.endpoint)).toEqual(['health']);
  });
});

describe('illumio_pce_objects', () => {
  test('each collection is replaced by the snapshot: new objects in, objects gone from the PCE out, one summary event per type', async () => {
    const r = await run('objects');
    expect(r.stderr).not.toMatch(/ERROR/);
    expect(r.code).toBe(0);
    const workloads = [...splunkd.kv('illumio_workloads').values()];
    expect(workloads).toHaveLength(sim.traffic.estate.workloads.length);
    const offline = workloads.filter((w) => w.online === false).map((w) => w.hostname).sort();
    expect(offline).toEqual(sim.traffic.estate.workloads.filter((w) => w.online === false).map((w) => w.hostname).sort());
    expect(offline.length).toBeGreaterThan(0);
    expect(splunkd.kv('illumio_labels').size).toBe(sim.traffic.estate.labels.length);
    const summaries = r.events.map((e) => JSON.parse(e.data) as { collection: string; records: number });
    expect(summaries.map((s) => s.collection).sort()).toEqual(OBJECT_KINDS.map((k) => k.collection).sort());
    // One interface record per workload address, keyed for the IP lookup, with the workload's VEN state.
    const interfaces = [...splunkd.kv('illumio_workload_interfaces').values()];
    const addresses = sim.traffic.estate.workloads.flatMap((w) => (w.interfaces as { address: string }[]).map((i) => [i.address, w.href]));
    expect(interfaces.map((i) => [i.ip, i.workload_href]).sort()).toEqual(addresses.sort());
    expect(summaries.find((x) => x.collection === 'illumio_workloads')).toMatchObject({ derived_collection: 'illumio_workload_interfaces', derived_records: addresses.length });
    expect(interfaces.filter((i) => ['offline', 'suspended'].includes(String(i.ven_state))).map((i) => i.hostname).sort()).toEqual(offline);
    expect(new Set(r.events.map((e) => e.sourcetype))).toEqual(new Set(['illumio:pce:objects']));

    const gone = sim.traffic.estate.workloads.pop()!;
    const again = await run('objects');
    expect(again.code).toBe(0);
    const keys = [...splunkd.kv('illumio_workloads').values()].map((w) => w.href);
    expect(keys).toHaveLength(sim.traffic.estate.workloads.length);
    expect(keys).not.toContain(gone.href);
    // The gone workload's addresses leave the interface collection with the same snapshot.
    expect([...splunkd.kv('illumio_workload_interfaces').values()].map((i) => i.workload_href)).not.toContain(gone.href);
  });

  test('a listing the PCE caps leaves the previous snapshot in place and says which setting to raise', async () => {
    expect((await run('objects')).code).toBe(0);
    const before = splunkd.kv('illumio_workloads').size;
    const r = await run('objects', { max_results: '3' });
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(/more than the 3 one request returns; the illumio_labels snapshot was not replaced[^\n]*max_results/);
    // The input keeps no checkpoint: its error must not promise to resume from one.
    expect(r.stderr).toMatch(/this input keeps no checkpoint: the next run reads the whole state again/);
    expect(r.stderr).not.toMatch(/checkpoint stays|resumes from there/);
    expect(splunkd.kv('illumio_workloads').size).toBe(before);
  });

  test('one item that is not JSON is skipped: the snapshot is still replaced, the item counted and shown once, redacted', async () => {
    expect((await run('objects')).code).toBe(0);
    const gone = sim.traffic.estate.workloads.pop()!;
    // The PCE sends the same broken item every run (here leaking the API secret into it).
    sim.traffic.options.brokenObjects = {
      workloads: [`{"href":"/orgs/${sim.org}/workloads/broken","k":${sim.secret}}`],
      labels: ['[1,2]'],
    };
    for (let i = 0; i < 2; i++) {
      const r = await run('objects');
      expect(r.code).toBe(0);
      expect(r.stderr).not.toMatch(/ERROR/);
      const kept = [...splunkd.kv('illumio_workloads').values()].map((w) => w.href);
      expect(kept.sort()).toEqual(sim.traffic.estate.workloads.map((w) => w.href).sort());
      expect(kept).not.toContain(gone.href);
      expect(splunkd.kv('illumio_labels').size).toBe(sim.traffic.estate.labels.length);
      const warns = r.stderr.split('\n').filter((l) => /could not be stored/.test(l));
      expect(warns).toHaveLength(2);
      expect(warns[0]).toMatch(/^WARN .*: 1 labels from the PCE could not be stored and were skipped \(1 JSON but not an object; the first unreadable one: 5 characters: "\[1,2\]"\); illumio_labels was replaced with the other \d+\. [^\n]*more than 1 % of such items \(at least 5, and fewer than half\) is refused[^\n]*Illumio support/);
      // The excerpt is shown once per run; the workloads' line only counts.
      expect(warns[1]).toMatch(/: 1 workloads from the PCE could not be stored and were skipped \(1 not JSON\); illumio_workloads was replaced with the other \d+\./);
      const summary = r.events.map((e) => JSON.parse(e.data) as Record<string, unknown>).find((e) => e.collection === 'illumio_workloads');
      expect(summary).toMatchObject({ records: sim.traffic.estate.workloads.length, skipped: 1, unreadable: 1 });
    }
    // Only the labels' item came first; the workloads' excerpt shows once the labels are intact.
    sim.traffic.options.brokenObjects = { workloads: sim.traffic.options.brokenObjects.workloads };
    const r = await run('objects');
    expect(r.stderr).toMatch(/1 workloads from the PCE could not be stored and were skipped \(1 not JSON; the first unreadable one: \d+ characters starting "\{\\"href\\":\\"\/orgs\/\d+\/workloads\/broken\\",\\"k\\":<redacted>\}"\)/);
    // Redacted before it was clipped: no part of the secret shows either.
    expect(r.stderr).not.toContain(sim.secret.slice(0, 12));
  });

  test('a listing mostly not JSON keeps the previous snapshot with an ERROR naming the bound; the other collections are replaced', async () => {
    expect((await run('objects')).code).toBe(0);
    const before = [...splunkd.kv('illumio_workloads').values()].map((w) => w.href).sort();
    const gone = sim.traffic.estate.workloads.pop()!;
    const label = { href: `/orgs/${sim.org}/labels/900`, key: 'app', value: 'new-app', created_at: '2026-11-21T00:00:00.000Z', updated_at: '2026-11-21T00:00:00.000Z' };
    sim.traffic.estate.labels.push(label);
    const n = sim.traffic.estate.workloads.length + 20;
    sim.traffic.options.brokenObjects = { workloads: Array.from({ length: 20 }, (_, i) => `{"href":"/orgs/${sim.org}/workloads/bad-${i}","hostname":x${i}}`) };
    const r = await run('objects');
    expect(r.code).toBe(1);
    expect(r.stderr).toMatch(new RegExp(`ERROR [^\\n]*sent 20 of ${n} workloads that cannot be stored \\(20 not JSON; the first unreadable one: [^\\n]*\\)\\. That is more than the 5 a listing of ${n} may skip \\(1 % of the items, at least 5, and fewer than half\\), so the illumio_workloads snapshot was not replaced and lookups keep the previous workloads\\. Check that pce_url`));
    // The previous workloads stay (the one gone from the PCE too, until a listing is usable again).
    expect([...splunkd.kv('illumio_workloads').values()].map((w) => w.href).sort()).toEqual(before);
    expect([...splunkd.kv('illumio_labels').values()].map((l) => l.href)).toContain(label.href);
    expect(r.events.map((e) => (JSON.parse(e.data) as { collection: string }).collection)).not.toContain('illumio_workloads');
    // Once the PCE lists its workloads intact again, the snapshot follows.
    sim.traffic.options.brokenObjects = {};
    expect((await run('objects')).code).toBe(0);
    expect([...splunkd.kv('illumio_workloads').values()].map((w) => w.href)).not.toContain(gone.href);
  });

  test('without the KV store collection the run says where the input must run', async () => {
    const bare = await startSplunkd({ app: 'TA-zerotrust-events' });
    try {
      const s = { ...session, serverUri: bare.url, sessionKey: bare.sessionKey };
      const r = await launch(validationXml(s, base()), { args: ['--validate-arguments'], launcher: launcher('objects') });
      expect(r.code).toBe(1);
      expect(r.stdout).toMatch(/KV store collection illumio_labels[^<]*does not exist[^<]*search head/);
    } finally {
      await bare.close();
    }
  });
});
