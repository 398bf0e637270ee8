import * as fs from 'node:fs';
import * as path from 'node:path';
import { ACCOUNTS_CONF_FILE } from '../../src/core/account';
import { confAccountSource } from '../../src/core/accounts';
import { ILLUMIO_EVENTS_CHECKPOINT } from '../../src/sources/illumio/checkpoint';
import { Collector, type CollectorTuning } from '../../src/sources/illumio/collector';
import { source } from '../../src/sources/illumio';
import { startIllumioSimulator, type IllumioSimulator, type SimulatorOptions } from '../../src/sources/illumio/simulator';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import type { Source } from '../../src/core/types';
import { writeRawCheckpoint } from '../support/checkpoint';
import { hrefsOf, params, runOnce, tmpDir, TSV_TYPES } from './harness';

const MIN = 60_000;
let sim: IllumioSimulator | undefined;
afterEach(async () => { await sim?.stop(); sim = undefined; });

async function startSim(o: SimulatorOptions = {}): Promise<IllumioSimulator> {
  sim = await startIllumioSimulator({ eventTypes: TSV_TYPES, jobRetryAfterSec: 0, ...o });
  return sim;
}

function tuned(t: Partial<CollectorTuning>): Source {
  return { ...source, collect: (c, ctx) => new Collector(c as never, ctx, t).run() } as Source;
}

function expectSortedAndStamped(events: { time?: number; data: string }[]): void {
  let prev = -Infinity;
  for (const e of events) {
    const obj = JSON.parse(e.data) as { timestamp: string };
    expect(e.time).toBe(Date.parse(obj.timestamp) / 1000);
    expect(e.data).toBe(JSON.stringify(obj));
    expect(e.time!).toBeGreaterThanOrEqual(prev);
    prev = e.time!;
  }
}

test('first run delivers every event of the window once, in timestamp order, with the event time', async () => {
  const now = Date.now();
  const s = await startSim();
  s.addEvents(700, now - 2 * 3600e3, now - 2 * MIN);
  s.addEvents(50, now - 10_000, now); // inside the lag: not yet
  const dir = tmpDir('illumio-c1-');
  const r = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(r.summary.status).toBe('ok');
  const want = s.hrefsBetween(now - 3 * 3600e3, now - 30_000);
  expect(hrefsOf(r.events).sort()).toEqual(want.sort());
  expect(new Set(hrefsOf(r.events)).size).toBe(r.events.length);
  expectSortedAndStamped(r.events);
  expect(r.events.every((e) => e.sourcetype === 'illumio:pce:event')).toBe(true);
  const q = s.served.find((x) => x.endpoint === 'events')!.query;
  expect(q['timestamp[gte]']).toBe(new Date(now - 3 * 3600e3).toISOString());
  expect(q['timestamp[lte]']).toBe(new Date(now - 30_000).toISOString());
  expect(q.max_results).toBe('10000');
});

test('reruns deliver only what is new, including late arrivals inside the overlap', async () => {
  let now = Date.now();
  const s = await startSim();
  s.addEvents(300, now - 3600e3, now - MIN);
  const dir = tmpDir('illumio-c2-');
  const first = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(first.events.length).toBe(300);
  const again = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(again.events).toEqual([]);
  // A late arrival timestamped before the last checkpoint (within the 5 min overlap) and new ones.
  s.addEvents(3, now - 3 * MIN, now - 2 * MIN);
  now += 10 * MIN;
  s.addEvents(40, now - 9 * MIN, now - MIN);
  const third = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(third.events.length).toBe(43);
  const all = [...hrefsOf(first.events), ...hrefsOf(third.events)];
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort()).toEqual(s.hrefsBetween(0, now).sort());
  expect(third.logs.some((l) => /0 overlap duplicates|overlap duplicates/.test(l.message))).toBe(true);
});

test('overlap setting: a late arrival older than the default 5 minutes is caught with a wider overlap', async () => {
  let now = Date.now();
  const s = await startSim();
  s.addEvents(100, now - 3600e3, now - MIN);
  const narrow = tmpDir('illumio-ov1-');
  const wide = tmpDir('illumio-ov2-');
  await runOnce(source, s, narrow, params(s), { now: () => now });
  await runOnce(source, s, wide, params(s, { overlap: '900' }), { now: () => now });
  // Recorded by the PCE only now, stamped 10 minutes before the checkpoint (a PCE clock behind).
  s.addEvents(2, now - 11 * MIN, now - 10 * MIN);
  now += 5 * MIN;
  const late = await runOnce(source, s, narrow, params(s), { now: () => now });
  const caught = await runOnce(source, s, wide, params(s, { overlap: '900' }), { now: () => now });
  expect(late.events).toHaveLength(0);
  expect(caught.events).toHaveLength(2);
  const q = s.served.filter((x) => x.endpoint === 'events').at(-1)!.query;
  expect(Date.parse(q['timestamp[gte]'])).toBeLessThanOrEqual(now - 5 * MIN - 15 * MIN + 30_000);
});

test('a capped page switches to the async collection and the datafile is emitted in order', async () => {
  const now = Date.now();
  const s = await startSim({ order: 'shuffle', jobPolls: 2 });
  s.addEvents(2500, now - 2 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c3-');
  const r = await runOnce(tuned({ memoryLimit: 500, batchSize: 400 }), s, dir, params(s, { max_results: '1000' }), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(s.served.filter((x) => x.endpoint === 'async')).toHaveLength(1);
  expect(s.served.filter((x) => x.endpoint === 'job').length).toBe(3);
  expect(s.served.find((x) => x.endpoint === 'datafile')?.count).toBe(2500);
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
  expectSortedAndStamped(r.events);
  expect(r.summary.batches).toBeGreaterThan(5);
});

test.each([
  ['the PCE ignores Prefer: respond-async', { supportsAsync: false }],
  ['the job fails', { jobOutcome: 'failed' as const }],
  ['the job is cancelled', { jobOutcome: 'cancelled' as const }],
])('when %s the window is split until pages fit', async (_why, o) => {
  const now = Date.now();
  const s = await startSim(o);
  s.addEvents(900, now - 2 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c4-');
  const r = await runOnce(source, s, dir, params(s, { max_results: '200' }), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
  expectSortedAndStamped(r.events);
  expect(r.logs.some((l) => l.level === 'warn' && /splitting/.test(l.message))).toBe(true);
  for (const p of s.served.filter((x) => x.endpoint === 'events' && x.status === 200)) expect(p.count).toBeLessThanOrEqual(200);
});

test.each(['truncate', 'malformed'] as const)('a %s datafile is downloaded again', async (kind) => {
  const now = Date.now();
  const s = await startSim({ faults: [{ on: 'datafile', kind }] });
  s.addEvents(1500, now - 2 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c5-');
  const r = await runOnce(tuned({ memoryLimit: 300 }), s, dir, params(s, { max_results: '1000' }), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(s.served.filter((x) => x.endpoint === 'datafile')).toHaveLength(2);
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
});

test('events sharing a timestamp across batch boundaries are neither lost nor repeated after a stop', async () => {
  const now = Date.now();
  const s = await startSim();
  // 600 events over 60 ms: ten per millisecond.
  s.addEvents(600, now - 10 * MIN, now - 10 * MIN + 60);
  const dir = tmpDir('illumio-c6-');
  const ctrl = new AbortController();
  let seen = 0;
  const stopping: Source = {
    ...source,
    collect: async function* (c, ctx) {
      for await (const b of new Collector(c as never, ctx, { batchSize: 37, checkpointEvery: 37 }).run()) {
        yield b;
        seen += b.events.length;
        if (seen > 200) ctrl.abort();
      }
    },
  } as Source;
  const first = await runOnce(stopping, s, dir, params(s), { now: () => now, signal: ctrl.signal });
  expect(first.summary.interrupted).toBe(true);
  expect(first.events.length).toBeLessThan(600);
  const cp = await fileCheckpointStore(dir, 'illumio_pce_events://test').load(ILLUMIO_EVENTS_CHECKPOINT);
  expect(cp).toBeDefined();
  const second = await runOnce(tuned({ batchSize: 37, checkpointEvery: 37 }), s, dir, params(s), { now: () => now });
  const all = [...hrefsOf(first.events), ...hrefsOf(second.events)];
  expect(new Set(all).size).toBe(all.length);
  expect(all.length).toBe(600);
});

test('the dedup set is bounded and the next window never starts before what it covers', async () => {
  const now = Date.now();
  const s = await startSim();
  s.addEvents(3000, now - 4 * MIN, now - MIN);
  const dir = tmpDir('illumio-c7-');
  const first = await runOnce(tuned({ recentMax: 1000 }), s, dir, params(s), { now: () => now });
  expect(first.events.length).toBe(3000);
  const cp = (await fileCheckpointStore(dir, 'illumio_pce_events://test').load(ILLUMIO_EVENTS_CHECKPOINT))!;
  expect(cp.recent_hrefs.length).toBe(1000);
  expect(cp.recent_ts.length).toBe(1000);
  const oldestKept = Math.min(...cp.recent_ts);
  expect(Date.parse(cp.dedup_from)).toBeLessThanOrEqual(oldestKept);
  expect(Date.parse(cp.dedup_from)).toBeGreaterThan(now - 4 * MIN);
  const second = await runOnce(tuned({ recentMax: 1000 }), s, dir, params(s), { now: () => now + MIN });
  expect(second.events).toEqual([]);
  const gte = s.served.filter((x) => x.endpoint === 'events').at(-1)!.query['timestamp[gte]'];
  expect(Date.parse(gte)).toBe(Date.parse(cp.dedup_from));
});

test('a schema-invalid event is indexed as received and the run says why', async () => {
  const now = Date.now();
  const s = await startSim();
  s.addEvents(20, now - 30 * MIN, now - MIN);
  const bad = { href: '/orgs/1/events/0bad0bad-0000-4000-8000-000000000001', timestamp: new Date(now - 5 * MIN).toISOString(), pce_fqdn: 'pce.example.com', created_by: { system: {} }, event_type: 'user.sign_in', status: 'maybe', severity: 'info', action: null, resource_changes: [], notifications: [], version: 2 };
  const legacyTime = { ...bad, href: '/orgs/1/events/0bad0bad-0000-4000-8000-000000000002', status: 'success', timestamp: undefined, time: new Date(now - 4 * MIN).toISOString() };
  s.addRaw([bad, JSON.parse(JSON.stringify(legacyTime))]);
  const dir = tmpDir('illumio-c8-');
  const r = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(r.events.length).toBe(22);
  const got = r.events.find((e) => e.data.includes('0bad0bad-0000-4000-8000-000000000001'))!;
  expect(JSON.parse(got.data)).toEqual(bad);
  const legacy = r.events.find((e) => e.data.includes('0bad0bad-0000-4000-8000-000000000002'))!;
  expect(legacy.time).toBe((now - 4 * MIN) / 1000);
  const warn = r.logs.find((l) => /did not match the PCE event schema/.test(l.message));
  expect(warn?.message).toMatch(/^illumio_pce_events:\/\/test: 1 events did not match/);
  expect(warn?.message).toContain('/status must be equal to one of the allowed values (success, failure, null)');
});

test('event_types asks once per type and merges; severity goes to the PCE', async () => {
  const now = Date.now();
  const s = await startSim({ eventTypes: ['user.sign_in', 'user.sign_out', 'agent.tampering', 'rule_set.update'] });
  s.addEvents(400, now - 3600e3, now - MIN);
  const dir = tmpDir('illumio-c9-');
  const r = await runOnce(source, s, dir, params(s, { event_types: 'user.sign_in, agent.tampering', severity: 'warning' }), { now: () => now });
  const want = [...s.eventsBetween(0, now)].filter((e) => ['user.sign_in', 'agent.tampering'].includes(String(e.event_type)) && e.severity === 'warning');
  expect(want.length).toBeGreaterThan(5);
  expect(hrefsOf(r.events).sort()).toEqual(want.map((e) => String(e.href)).sort());
  expectSortedAndStamped(r.events);
  const types = s.served.filter((x) => x.endpoint === 'events').map((x) => x.query.event_type);
  expect(types.sort()).toEqual(['agent.tampering', 'user.sign_in']);
  expect(s.served.every((x) => x.endpoint !== 'events' || x.query.severity === 'warning')).toBe(true);
});

test('retries exhausted: the run fails with a summary and the checkpoint stays at the last delivered event', async () => {
  const now = Date.now();
  const s = await startSim();
  s.addEvents(100, now - 30 * 3600e3, now - 20 * 3600e3);
  s.addEvents(100, now - 3 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c10-');
  // The first 6 h slice goes through; the second fails on every attempt.
  s.faults.push({ on: 'events', nth: 2, times: 7, kind: 'status', status: 503 });
  const first = await runOnce(source, s, dir, params(s, { start_date: '-30h' }), { now: () => now });
  expect(first.summary.status).toBe('failed');
  expect(first.summary.errorKind).toBe('transient');
  const err = first.logs.find((l) => l.level === 'error')!.message;
  expect(err).toMatch(/503/);
  expect(err).toMatch(/events were delivered in this run; the checkpoint stays at/);
  const delivered = first.events.length;
  expect(delivered).toBeGreaterThan(0);
  const cp = (await fileCheckpointStore(dir, 'illumio_pce_events://test').load(ILLUMIO_EVENTS_CHECKPOINT))!;
  expect(Date.parse(cp.last_timestamp)).toBeLessThan(now - 20 * 3600e3);
  const second = await runOnce(source, s, dir, params(s, { start_date: '-30h' }), { now: () => now });
  expect(second.summary.status).toBe('ok');
  const all = [...hrefsOf(first.events), ...hrefsOf(second.events)];
  expect(new Set(all).size).toBe(all.length);
  expect(all.length).toBe(200);
});

test('401 and 403 name the key and the PCE', async () => {
  const s = await startSim();
  const dir = tmpDir('illumio-c11-');
  const r401 = await runOnce(source, s, dir, params(s, { api_secret: 'wrong-secret' }));
  expect(r401.summary.errorKind).toBe('auth');
  const m401 = r401.logs.find((l) => l.level === 'error')!.message;
  expect(m401).toContain(`API key "${s.keyId}"`);
  expect(m401).toContain(`127.0.0.1:${s.port}`);
  expect(m401).toContain('HTTP 401');
  expect(m401).not.toContain('wrong-secret');
  // The admin reads the whole advice: the log redactor must not eat it as an "api_secret: value" pair.
  expect(m401).toContain('Check api_key_id and api_secret (the key may be wrong, expired or deleted)');
  const r403 = await runOnce(source, s, dir, params(s, { org_id: '7' }));
  const m403 = r403.logs.find((l) => l.level === 'error')!.message;
  expect(m403).toMatch(/API key "api_\w+" may not read events of org 7 on the PCE 127\.0\.0\.1:\d+ \(HTTP 403\)/);
  // The key is the input's own: the admin is sent to the input, and to no connection.
  expect(m401).toContain('Create a key under My Profile > API Keys and update the input.');
  expect(m403).toContain('Check the org_id of the input (it is shown with the key)');
  for (const m of [m401, m403]) expect(m).not.toMatch(/connection|accounts\.conf/);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.json'))).toEqual([]);
});

test('401 and 403 of an input on a PCE connection send the admin to the connection, by name, not to the input', async () => {
  const s = await startSim();
  const dir = tmpDir('illumio-c11a-');
  const app = tmpDir('illumio-c11a-app-');
  const conf = (secret: string, org: number) => {
    fs.mkdirSync(path.join(app, 'local'), { recursive: true });
    fs.writeFileSync(path.join(app, 'local', ACCOUNTS_CONF_FILE),
      `[illumio_pce://prod]\npce_url = ${s.url}\norg_id = ${org}\napi_key_id = ${s.keyId}\napi_secret = ${secret}\n`);
  };
  const accounts = confAccountSource(app);
  const home = `the Illumio PCE connection "prod" (stanza [illumio_pce://prod] of ${ACCOUNTS_CONF_FILE}; edit it on the Configuration page's Accounts tab, or in local/${ACCOUNTS_CONF_FILE}), not the input`;
  conf('wrong-connection-secret', s.org);
  const r401 = await runOnce(source, s, dir, { pce_connection: 'prod', start_date: '-3h' }, { accounts });
  expect(r401.summary.errorKind).toBe('auth');
  const m401 = r401.logs.find((l) => l.level === 'error')!.message;
  expect(m401).toContain(`illumio_pce_events://test: the PCE 127.0.0.1:${s.port} refused API key "${s.keyId}" (HTTP 401)`);
  expect(m401).toContain(`Create a key under My Profile > API Keys and update ${home}.`);
  conf(s.secret, 7);
  const r403 = await runOnce(source, s, dir, { pce_connection: 'prod', start_date: '-3h' }, { accounts });
  const m403 = r403.logs.find((l) => l.level === 'error')!.message;
  expect(m403).toMatch(/API key "api_\w+" may not read events of org 7 on the PCE 127\.0\.0\.1:\d+ \(HTTP 403\)/);
  expect(m403).toContain(`Check the org_id of ${home} (it is shown with the key)`);
  const all = [...r401.logs, ...r403.logs].map((l) => l.message).join('\n');
  expect(all).not.toContain('wrong-connection-secret');
  expect(all).not.toContain(s.secret);
  expect(all).not.toContain('update the input');
});

test.each([
  ['a reset connection', { kind: 'reset' as const }],
  ['a cut-off page', { kind: 'truncate' as const }],
  ['a malformed page', { kind: 'malformed' as const }],
  ['a 502 with Retry-After', { kind: 'status' as const, status: 502, retryAfter: 0 }],
])('%s is read again and nothing is lost or repeated', async (_why, fault) => {
  const now = Date.now();
  const s = await startSim({ faults: [{ on: 'events', ...fault }] });
  s.addEvents(800, now - 2 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c12-');
  const r = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(s.served.filter((x) => x.endpoint === 'events')).toHaveLength(2);
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
});

test('a PCE that keeps sending garbage fails the run with a message, checkpoint untouched', async () => {
  const now = Date.now();
  const s = await startSim({ faults: [{ on: 'events', kind: 'malformed', times: Infinity }] });
  s.addEvents(50, now - 3600e3, now - MIN);
  const dir = tmpDir('illumio-c13-');
  const r = await runOnce(source, s, dir, params(s), { now: () => now });
  expect(r.summary.status).toBe('failed');
  expect(r.logs.find((l) => l.level === 'error')?.message).toMatch(/array element that is not JSON|not usable/);
  expect(r.events).toEqual([]);
  expect(await fileCheckpointStore(dir, 'illumio_pce_events://test').load(ILLUMIO_EVENTS_CHECKPOINT)).toBeUndefined();
});

test('an answer slower than the timeout is retried, and the run completes', async () => {
  const now = Date.now();
  const s = await startSim({ faults: [{ on: 'events', kind: 'slow', delayMs: 2500 }] });
  s.addEvents(200, now - 3600e3, now - MIN);
  const dir = tmpDir('illumio-c14-');
  const r = await runOnce(source, s, dir, params(s, { timeout: '1' }), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
  // The slow answer is logged by the simulator only when it is finally sent; the client's retry is what shows.
  expect(r.logs.some((l) => l.level === 'warn' && /retry/i.test(l.message))).toBe(true);
});

test('a PCE that refuses Prefer: respond-async with 406 gets its window split instead', async () => {
  const now = Date.now();
  const s = await startSim({ faults: [{ on: 'async', kind: 'status', status: 406, times: Infinity }] });
  s.addEvents(500, now - 2 * 3600e3, now - MIN);
  const dir = tmpDir('illumio-c15-');
  const r = await runOnce(source, s, dir, params(s, { max_results: '200' }), { now: () => now });
  expect(r.summary.status).toBe('ok');
  expect(hrefsOf(r.events).sort()).toEqual(s.hrefsBetween(0, now).sort());
  expect(s.served.filter((x) => x.endpoint === 'async' && x.status === 406)).toHaveLength(2);
});

describe('a saved checkpoint the input cannot use stops it: no event is sent again or skipped', () => {
  const STANZA = 'illumio_pce_events://test';
  // Each was once taken in part: entries dropped from the dedup set (events of the overlap sent
  // again), a missing dedup_from replaced, a foreign state read as a first run.
  test.each([
    ['a dedup set whose times were cut short', (cp: Record<string, unknown>) => ({ ...cp, recent_ts: [] }), /\/recent_hrefs holds \d+ entries but \/recent_ts 0/],
    ['the pairs of an early development build', (cp: Record<string, unknown>) => ({ ...cp, recent_hrefs: (cp.recent_hrefs as string[]).map((h, i) => [h, (cp.recent_ts as number[])[i]]) }), /\/recent_hrefs\/0 must be string/],
    ['no dedup_from', (cp: Record<string, unknown>) => ({ ...cp, dedup_from: undefined }), /must have required property 'dedup_from'/],
    ['a newer release\'s version 2', (cp: Record<string, unknown>) => ({ ...cp, version: 2 }), /version 2, written by a newer release of the add-on \(this one reads version 1\)/],
    ['another input\'s state', () => ({ v: 1, cursor: Date.now() - 60_000, seen: [] }), /without a version number in "version", so it is not an Illumio events checkpoint/],
  ])('%s', async (_what, spoil, why) => {
    const now = Date.now();
    const s = await startSim();
    s.addEvents(40, now - 4 * MIN, now - MIN);
    const dir = tmpDir('illumio-cp-');
    expect((await runOnce(source, s, dir, params(s), { now: () => now })).events).toHaveLength(40);
    const store = fileCheckpointStore(dir, STANZA);
    const saved = JSON.parse(fs.readFileSync(store.file, 'utf8')) as { state: Record<string, unknown> };
    const file = writeRawCheckpoint(dir, STANZA, spoil(saved.state));
    const spoiled = fs.readFileSync(file, 'utf8');
    const asked = s.served.length;
    s.addEvents(5, now + MIN, now + 2 * MIN);

    const r = await runOnce(source, s, dir, params(s), { now: () => now + 5 * MIN });
    expect(r.summary).toMatchObject({ status: 'failed', errorKind: 'config', events: 0 });
    const err = r.logs.find((l) => l.level === 'error')!.message;
    expect(err).toContain(`${STANZA}: the checkpoint ${file} `);
    expect(err).toMatch(why);
    expect(err).toContain('To start over as on its first run, move');
    expect(r.events).toEqual([]);
    expect(s.served.length).toBe(asked);
    expect(fs.readFileSync(file, 'utf8')).toBe(spoiled);
  });
});
