/**
 * The traffic engine through the real runtime against the simulated PCE: windows, splitting on
 * truncation, overlap dedup, failed/killed queries, Retry-After, deletion, bounded memory.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { checkpointKey } from '../../src/core/checkpoint';
import { abortableSleep } from '../../src/core/http';
import type { OutEvent, Sink } from '../../src/core/types';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { flowKey, parseService, trafficQueryTemplate } from '../../src/sources/illumio/traffic';
import { writeRawCheckpoint } from '../support/checkpoint';
import { tmpDir } from './harness';
import { runTraffic, STANZA, trafficParams } from './traffic-harness';

const now = Date.parse('2026-11-20T12:00:00.000Z');
const H = 3600e3;
const M = 60e3;
let sim: IllumioSimulator;
let dir: string;

beforeEach(async () => {
  sim = await startIllumioSimulator({ traffic: { retryAfterSec: 0 } });
  dir = tmpDir('illumio-traffic-');
});
afterEach(async () => {
  await sim.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

const keysOf = (events: OutEvent[]) => events.map((e) => flowKey(JSON.parse(e.data) as Record<string, unknown>));
const lastOf = (f: Record<string, unknown>) => Date.parse((f.timestamp_range as { last_detected: string }).last_detected);
/** What the PCE holds with last_detected in [a, b) and one of the decisions. */
function expected(a: number, b: number, decisions = ['blocked', 'potentially_blocked']): string[] {
  return sim.traffic.flowsBetween(a, b - 1).filter((f) => decisions.includes(String(f.policy_decision))).map(flowKey);
}
const checkpointFile = () => path.join(dir, `${checkpointKey(STANZA)}.json`);
const readCp = () => (fs.existsSync(checkpointFile()) ? JSON.parse(fs.readFileSync(checkpointFile(), 'utf8')).state : undefined);

test('one run: every blocked and potentially blocked flow of the window once, _time from last_detected, queries deleted', async () => {
  sim.addFlows(600, now - 3 * H, now - 1);
  const r = await runTraffic(dir, trafficParams(sim), () => now);
  expect(r.summary.status).toBe('ok');
  const lag = 10 * M;
  const want = expected(now - 3 * H, now - lag);
  expect(keysOf(r.events).sort()).toEqual(want.sort());
  expect(new Set(keysOf(r.events)).size).toBe(r.events.length);
  for (const e of r.events) {
    const f = JSON.parse(e.data) as Record<string, unknown>;
    expect(e.time).toBe(lastOf(f) / 1000);
    expect(e.sourcetype).toBe('illumio:pce:flow');
    expect(['blocked', 'potentially_blocked']).toContain(f.policy_decision);
  }
  // Three 1 h windows; each query deleted after its download.
  expect(sim.traffic.log.created).toHaveLength(3);
  expect(sim.traffic.log.deleted.sort()).toEqual([...sim.traffic.log.created].sort());
  expect(sim.traffic.queries.size).toBe(0);
  expect(readCp().last_timestamp).toBe(new Date(now - lag - 1).toISOString());
});

test('truncation: a window over max_results is split until every flow is collected exactly once', async () => {
  // Splitting costs requests; the PCE's 500/min would make this run wait minutes (429 + Retry-After).
  await sim.stop();
  sim = await startIllumioSimulator({ traffic: { retryAfterSec: 0 }, rateLimit: { requests: 100_000, windowMs: 60_000 } });
  sim.addFlows(3000, now - 2 * H, now - 11 * M);
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-2h', max_results: '200', policy_decisions: 'allowed,blocked,potentially_blocked,unknown' }), () => now);
  expect([r.summary.status, r.logs.filter((l) => l.level === 'error')]).toEqual(['ok', []]);
  const want = expected(now - 2 * H, now - 10 * M, ['allowed', 'blocked', 'potentially_blocked', 'unknown']);
  expect(want.length).toBe(3000);
  expect(keysOf(r.events).sort()).toEqual(want.sort());
  const c = r.collector!.stats;
  expect(c.truncated).toBeGreaterThan(0);
  // Every query that was read had all its matches; truncated ones were deleted unread.
  for (const id of sim.traffic.log.downloaded) expect(sim.traffic.log.created).toContain(id);
  expect(sim.traffic.log.deleted).toHaveLength(sim.traffic.log.created.length);
  expect(r.logs.some((l) => /but the query returned 200; asking again in \d+ smaller windows/.test(l.message))).toBe(true);
});

test('a window that cannot be split small enough stops with an error naming what to narrow; checkpoint unmoved', async () => {
  sim.addFlows(50, now - H, now - H + 500);
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-2h', max_results: '10', policy_decisions: 'allowed,blocked,potentially_blocked,unknown' }), () => now);
  expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'transient' });
  const err = r.logs.find((l) => l.level === 'error')!.message;
  expect(err).toMatch(/cannot be split further\. Narrow the query \(src_include, dst_include, exclude_services, policy_decisions\) or raise max_results/);
  // Windows before the dense second may be delivered; the checkpoint never passes it.
  expect(Date.parse(readCp()?.last_timestamp ?? '1970-01-01T00:00:00Z')).toBeLessThan(now - H);
});

test('overlap: flows re-read in the overlap are not sent twice; late flows in it are', async () => {
  sim.addFlows(400, now - 2 * H, now - 11 * M);
  const p = trafficParams(sim, { start_date: '-2h', policy_decisions: 'allowed,blocked,potentially_blocked,unknown' });
  const r1 = await runTraffic(dir, p, () => now);
  // Flows the PCE learned of late, last seen just before the checkpoint (inside the 15 min overlap).
  sim.addFlows(40, now - 15 * M, now - 11 * M, 777);
  sim.addFlows(100, now - 10 * M, now + 20 * M);
  const r2 = await runTraffic(dir, p, () => now + 30 * M);
  expect(r2.collector!.stats.duplicates).toBeGreaterThan(0);
  const all = [...keysOf(r1.events), ...keysOf(r2.events)];
  expect(new Set(all).size).toBe(all.length);
  const want = expected(now - 2 * H, now + 20 * M, ['allowed', 'blocked', 'potentially_blocked', 'unknown']);
  expect(all.sort()).toEqual(want.sort());
  expect(readCp().recent_hrefs.length).toBeGreaterThan(0);
});

test.each(['failed', 'killed'] as const)('a %s query: clear error, query deleted, checkpoint unmoved, the next run collects it', async (outcome) => {
  sim.addFlows(300, now - 2 * H, now - 11 * M);
  const p = trafficParams(sim, { start_date: '-2h', window: '10800' });
  const first = await runTraffic(dir, p, () => now - H);
  expect(first.summary.status).toBe('ok');
  const cp = readCp();
  sim.traffic.options.outcomes = [outcome];
  const r = await runTraffic(dir, p, () => now);
  expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'transient' });
  const err = r.logs.find((l) => l.level === 'error')!.message;
  expect(err).toContain(`${outcome} the traffic query for`);
  expect(err).toContain(`the checkpoint stays at ${cp.last_timestamp}`);
  expect(readCp()).toEqual(cp);
  expect(sim.traffic.log.deleted).toContain(sim.traffic.log.created[1]);
  const again = await runTraffic(dir, p, () => now);
  expect(again.summary.status).toBe('ok');
  const all = [...keysOf(first.events), ...keysOf(again.events)];
  expect(all.sort()).toEqual(expected(now - 2 * H, now - 10 * M).sort());
});

test('Retry-After: polls wait what the PCE says (capped); a 429 is retried after its Retry-After', async () => {
  sim.addFlows(100, now - 50 * M, now - 11 * M);
  sim.traffic.options = { ...sim.traffic.options, retryAfterSec: 7, queuedPolls: 2, workingPolls: 2 };
  sim.faults.push({ on: 'traffic_status', nth: 2, kind: 'status', status: 429, retryAfter: 3 });
  const sleeps: number[] = [];
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h', window: '3600' }), () => now, { maxPollMs: 30_000 }, { sleeps });
  expect(r.summary.status).toBe('ok');
  expect(r.collector!.stats.waits).toEqual([7000, 7000, 7000, 7000]);
  expect(sleeps).toContain(3000);
  expect(sim.served.filter((s) => s.endpoint === 'traffic_status').map((s) => s.status)).toEqual([200, 429, 200, 200, 200]);
  const capped = await runTraffic(tmpDir('illumio-traffic-cap-'), trafficParams(sim, { start_date: '-1h', window: '3600' }), () => now, { maxPollMs: 5000 });
  expect(capped.collector!.stats.waits.every((w) => w === 5000)).toBe(true);
});

test('bounded wait: a query still queued past the limit is cancelled with PUT, deleted, and the run stops', async () => {
  sim.addFlows(100, now - 50 * M, now - 11 * M);
  sim.traffic.options = { ...sim.traffic.options, retryAfterSec: 3, queuedPolls: 1000 };
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h', window: '3600' }), () => now, { maxJobMs: 10_000 });
  expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'transient' });
  expect(r.collector!.stats.waits).toEqual([3000, 3000, 3000, 1000]);
  expect(r.logs.find((l) => l.level === 'error')!.message).toMatch(/was still queued after 10 s and was cancelled/);
  expect(sim.traffic.log.cancelled).toEqual(sim.traffic.log.created);
  expect(sim.traffic.log.deleted).toEqual(sim.traffic.log.created);
  expect(readCp()).toBeUndefined();
});

test('a run Splunk stops while a query is queued cancels it on the PCE', async () => {
  sim.addFlows(100, now - 50 * M, now - 11 * M);
  sim.traffic.options = { ...sim.traffic.options, queuedPolls: 1000 };
  const stop = new AbortController();
  const sleep = (_ms: number, signal?: AbortSignal) => { stop.abort(); return abortableSleep(10, signal); };
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h' }), () => now, { sleep }, { signal: stop.signal });
  expect(r.summary.interrupted).toBe(true);
  expect(sim.traffic.log.cancelled).toEqual(sim.traffic.log.created);
  expect(sim.traffic.queries.get(sim.traffic.log.created[0])?.status).toBe('killed');
  expect(readCp()).toBeUndefined();
});

test('NDJSON results read the same as a JSON array', async () => {
  sim.addFlows(500, now - 50 * M, now - 11 * M);
  sim.traffic.options.downloadFormat = 'ndjson';
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h' }), () => now);
  expect(r.summary.status).toBe('ok');
  expect(keysOf(r.events).sort()).toEqual(expected(now - H, now - 10 * M).sort());
});

test('scopes and service excludes reach the PCE as documented and only matching flows come back', async () => {
  sim.addFlows(800, now - 50 * M, now - 11 * M);
  const prod = sim.traffic.estate.labels.find((l) => l.key === 'env' && l.value === 'prod')!;
  const web = sim.traffic.estate.labels.find((l) => l.key === 'role' && l.value === 'web')!;
  const r = await runTraffic(dir, trafficParams(sim, {
    start_date: '-1h', dst_include: `${prod.href}+${web.href}`, src_exclude: '/orgs/1/sec_policy/draft/ip_lists/3', exclude_services: '53/udp,3389/tcp',
  }), () => now);
  expect(r.summary.status).toBe('ok');
  const q = [...sim.traffic.log.created].map((id) => id);
  expect(q.length).toBe(1);
  expect(r.events.length).toBeGreaterThan(0);
  for (const e of r.events) {
    const f = JSON.parse(e.data) as Record<string, any>;
    const labels = f.dst.workload.labels.map((l: { href: string }) => l.href);
    expect(labels).toEqual(expect.arrayContaining([prod.href, web.href]));
    expect(String(f.src.ip)).not.toMatch(/^203\.0\.113\./);
    expect([53, 3389]).not.toContain(f.service.port);
  }
});

test('a query the PCE rejects is a configuration error naming the traffic settings, not the events ones', async () => {
  sim.addFlows(10, now - 50 * M, now - 11 * M);
  sim.faults.push({ on: 'traffic_query', kind: 'status', status: 406 });
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h', src_include: '/orgs/1/labels/999' }), () => now);
  expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'config' });
  const err = r.logs.find((l) => l.level === 'error')!.message;
  expect(err).toMatch(/rejected the traffic query \(HTTP 406: "Simulated failure"\)\. Check policy_decisions, the src_\/dst_ include and exclude hrefs/);
  expect(err).not.toMatch(/event_types/);
});

test('settings: decisions, service syntax and scopes are checked with messages naming the setting', () => {
  const base = { pce_url: 'https://pce.example.com:8443', org_id: 1, api_key_id: 'api_x', api_secret: 's' };
  expect(trafficQueryTemplate(base)).toMatchObject({
    policy_decisions: ['blocked', 'potentially_blocked'], max_results: 200_000, sources_destinations_query_op: 'and',
    sources: { include: [[]], exclude: [] }, services: { include: [], exclude: [] },
  });
  expect(() => trafficQueryTemplate({ ...base, policy_decisions: ['deny'] })).toThrow(/policy_decisions: "deny" is not one of allowed, potentially_blocked, blocked, unknown/);
  expect(() => trafficQueryTemplate({ ...base, max_results: 200_001 })).toThrow(/max_results must be a whole number from 1 to 200000/);
  expect(() => trafficQueryTemplate({ ...base, src_include: ['web'] })).toThrow(/src_include: "web" is not a label/);
  expect(parseService('443/tcp')).toEqual({ port: 443, proto: 6 });
  expect(parseService('8000-8080/udp')).toEqual({ port: 8000, to_port: 8080, proto: 17 });
  expect(parseService('135')).toEqual({ port: 135 });
  expect(parseService('icmp')).toEqual({ proto: 1 });
  expect(parseService('/orgs/1/sec_policy/active/services/7')).toEqual({ href: '/orgs/1/sec_policy/active/services/7' });
  expect(() => parseService('80-70/tcp')).toThrow(/exclude_services: "80-70\/tcp" is not a port/);
});

/** Counts instead of keeping 200 000 events; remembers the largest write. */
class CountingSink implements Sink {
  count = 0;
  largestWrite = 0;
  keys = new Set<string>();
  async write(_s: string, events: OutEvent[]): Promise<void> {
    this.count += events.length;
    this.largestWrite = Math.max(this.largestWrite, events.length);
    for (const k of keysOf(events)) this.keys.add(k);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

test('200 000 flows in one query stream through in batches: never more than a batch and a chunk held', async () => {
  sim.addFlows(200_000, now - 50 * M, now - 11 * M);
  const sink = new CountingSink();
  const r = await runTraffic(dir, trafficParams(sim, { start_date: '-1h', policy_decisions: 'allowed,blocked,potentially_blocked,unknown' }), () => now, {}, { sink });
  expect(r.summary.status).toBe('ok');
  expect(sim.traffic.log.created).toHaveLength(1);
  expect([sink.count, sink.keys.size]).toEqual([200_000, 200_000]);
  expect(sink.largestWrite).toBeLessThanOrEqual(1000 + 200);
  // Holding the result would show 200 000 here; a 64 KB chunk carries ~150 flows.
  expect(r.collector!.stats.peakBuffered).toBeLessThan(1500);
}, 240_000);

test('a saved checkpoint the engine cannot use stops it before any query; one of today\'s format goes on from where it was', async () => {
  // Before: anything that did not parse was taken as a first run (start_date again: duplicates).
  sim.addFlows(300, now - 3 * H, now - 1);
  const file = writeRawCheckpoint(dir, STANZA, { version: 1, last_timestamp: 'yesterday', dedup_from: 'yesterday', recent_hrefs: [], recent_ts: [] });
  const bad = await runTraffic(dir, trafficParams(sim), () => now);
  expect(bad.summary).toMatchObject({ status: 'failed', errorKind: 'config', events: 0 });
  expect(bad.logs.find((l) => l.level === 'error')!.message).toContain(
    `${STANZA}: the checkpoint ${file} is not a valid Illumio traffic checkpoint (version 1): /last_timestamp is not a date ("yesterday").`);
  expect(sim.traffic.log.created).toHaveLength(0);

  // The committed checkpoint of a run of the current release (test/core/fixtures/checkpoints).
  const fixture = JSON.parse(fs.readFileSync(path.join(__dirname, '..', 'core', 'fixtures', 'checkpoints', 'illumio_pce_traffic.json'), 'utf8')) as { state: { last_timestamp: string; dedup_from: string } };
  writeRawCheckpoint(dir, STANZA, fixture.state);
  const at = Date.parse(fixture.state.last_timestamp);
  sim.addFlows(50, at - 5 * M, at + H);
  const later = at + H + 10 * M;
  const ok = await runTraffic(dir, trafficParams(sim), () => later);
  expect(ok.summary.status).toBe('ok');
  const keys = keysOf(ok.events);
  expect(new Set(keys).size).toBe(keys.length);
  expect(keys).toEqual(expect.arrayContaining(expected(at + 1, later - 10 * M)));
  for (const e of ok.events) expect(e.time! * 1000).toBeGreaterThanOrEqual(Date.parse(fixture.state.dedup_from));
  expect(readCp().last_timestamp).toBe(new Date(later - 10 * M - 1).toISOString());
});
