/**
 * The input as splunkd runs it: bin/illumio_pce_events.sh spawned with <input> on stdin, secrets
 * through the loopback splunkd stand-in, the XML stream read back from stdout, against the
 * simulated PCE on loopback.
 *
 * "Nothing duplicated" after kill -9, precisely: delivery is at-least-once with dedup. A run
 * killed after writing events but before saving the checkpoint that covers them has handed
 * those events to splunkd already; the next run sends them again because nothing durable says
 * they were delivered. Every other repetition — re-reading the overlap, a rerun of a finished
 * window — is removed by the href set in the checkpoint. So: each href is delivered exactly once
 * by the deliveries a checkpoint covers (completed runs, and the part of a killed run at or
 * before the checkpoint it left), and any extra copy comes from the uncovered tail of a killed run.
 */
import * as fs from 'node:fs';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { ILLUMIO_EVENTS_CHECKPOINT } from '../../src/sources/illumio/checkpoint';
import { startIllumioSimulator, type IllumioSimulator, type SimulatorOptions } from '../../src/sources/illumio/simulator';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { tmpDir, TSV_TYPES } from './harness';
import { hrefOf, launch, STANZA, validationXml, inputXml, type Launched, type Session } from './launch';

const MIN = 60_000;
const HOUR = 3600e3;
let sim: IllumioSimulator | undefined;
let splunkd: SplunkdStandIn | undefined;
let session: Session;

afterEach(async () => {
  await sim?.stop();
  await splunkd?.close();
  sim = undefined;
  splunkd = undefined;
});

async function setup(o: SimulatorOptions = {}): Promise<IllumioSimulator> {
  sim = await startIllumioSimulator({ eventTypes: TSV_TYPES, ...o });
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
  session = { serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir: tmpDir('illumio-e2e-') };
  return sim;
}

/** The stanza as inputs.conf holds it: the secret in clear until the first run moved it. */
function stanzaParams(s: IllumioSimulator, extra: Record<string, string> = {}): Record<string, string> {
  const conf = splunkd!.conf('inputs', STANZA);
  return {
    pce_url: s.url, org_id: String(s.org), api_key_id: s.keyId,
    api_secret: conf?.api_secret ?? s.secret, start_date: '-3h', ...extra,
  };
}

async function run(s: IllumioSimulator, extra: Record<string, string> = {}, killAfterEvents?: number): Promise<Launched> {
  const p = stanzaParams(s, extra);
  if (!splunkd!.conf('inputs', STANZA)) splunkd!.setConf('inputs', STANZA, p);
  const r = await launch(inputXml(session, p), killAfterEvents !== undefined ? { killAfterEvents } : {});
  expect(r.stdout + r.stderr).not.toContain(s.secret);
  return r;
}

async function checkpoint() {
  return fileCheckpointStore(session.checkpointDir, STANZA).load(ILLUMIO_EVENTS_CHECKPOINT);
}

function expectOrdered(events: { time?: number; data: string }[]): void {
  let prev = -Infinity;
  for (const e of events) {
    expect(e.time).toBe(Date.parse((JSON.parse(e.data) as { timestamp: string }).timestamp) / 1000);
    expect(e.time!).toBeGreaterThanOrEqual(prev);
    prev = e.time!;
  }
}

test('exactly-once across reruns; the secret moves to storage/passwords', async () => {
  const now = Date.now();
  const s = await setup();
  s.addEvents(2000, now - 2 * HOUR, now - 2 * MIN);
  const first = await run(s);
  expect(first.code).toBe(0);
  expect(first.events).toHaveLength(2000);
  expectOrdered(first.events);
  expect(first.events.every((e) => e.sourcetype === 'illumio:pce:event' && e.stanza === STANZA && e.index === 'main')).toBe(true);
  expect(splunkd!.getPassword(STANZA, 'api_secret')).toBe(s.secret);
  expect(splunkd!.conf('inputs', STANZA)?.api_secret).toBe('********');

  const second = await run(s);
  expect(second.code).toBe(0);
  expect(second.events).toEqual([]);

  // New events, and late arrivals stamped before the checkpoint but inside the overlap.
  const t = Date.now();
  s.addEvents(120, t - 4 * MIN, t - 45_000);
  const third = await run(s);
  expect(third.code).toBe(0);
  const all = [...first.events, ...third.events].map(hrefOf);
  expect(new Set(all).size).toBe(all.length);
  expect(all.sort()).toEqual(s.hrefsBetween(0, t).sort());
});

test('a 25 000-event window goes through the async GET collection', async () => {
  const now = Date.now();
  const s = await setup({ order: 'shuffle' });
  s.addEvents(25_000, now - 2 * HOUR, now - MIN);
  const r = await run(s);
  expect(r.code).toBe(0);
  const served = s.served.map((x) => `${x.endpoint}:${x.status}`);
  expect(served).toEqual(['events:200', 'async:202', 'job:200', 'job:200', 'datafile:200']);
  expect(s.served[0].count).toBe(10_000);
  expect(s.served.at(-1)!.count).toBe(25_000);
  expect(r.events).toHaveLength(25_000);
  expect(new Set(r.events.map(hrefOf))).toEqual(new Set(s.hrefsBetween(0, now)));
  expectOrdered(r.events);
}, 300_000);

test('kill -9 at random points, then rerun: nothing lost, repeats only from uncheckpointed tails', async () => {
  const now = Date.now();
  // 6 h slices: a sparse 5 days plus two dense hours that need the async path (max_results 1000).
  const s = await setup();
  s.addEvents(1500, now - 5 * 24 * HOUR + HOUR, now - 3 * HOUR);
  s.addEvents(5000, now - 2 * HOUR, now - MIN);
  const extra = { start_date: '-5d', max_results: '1000' };
  const total = s.size();
  let seed = Number(process.env.ILLUMIO_KILL_SEED ?? Date.now() % 100000);
  const rand = () => { seed = (Math.imul(seed, 48271) + 1) % 2147483647; return Math.abs(seed) / 2147483647; };
  const startSeed = seed;

  const occurrences = new Map<string, { covered: number; uncovered: number }>();
  const note = (href: string, covered: boolean) => {
    const o = occurrences.get(href) ?? { covered: 0, uncovered: 0 };
    if (covered) o.covered++; else o.uncovered++;
    occurrences.set(href, o);
  };
  let kills = 0;
  for (let i = 0; i < 6; i++) {
    const r = await run(s, extra, 1 + Math.floor(rand() * 3000));
    const cp = await checkpoint();
    const last = cp ? Date.parse(cp.last_timestamp) : -Infinity;
    if (r.killed) kills++;
    for (const e of r.events) note(hrefOf(e), !r.killed || e.time! * 1000 <= last);
    if (!r.killed) break;
  }
  const final = await run(s, extra);
  expect(final.code).toBe(0);
  for (const e of final.events) note(hrefOf(e), true);

  expect(kills).toBeGreaterThan(0);
  // Spools of killed runs are removed by the next run.
  const spools = (fs.readdirSync(session.checkpointDir, { recursive: true }) as string[]).filter((f) => f.endsWith('.spool'));
  expect(spools).toEqual([]);
  const want = s.hrefsBetween(0, now);
  expect(want).toHaveLength(total);
  expect([...occurrences.keys()].sort()).toEqual(want.sort());
  const wrong = [...occurrences].filter(([, o]) => o.covered !== 1);
  if (wrong.length) throw new Error(`seed ${startSeed}: ${wrong.length} hrefs not delivered exactly once by checkpointed deliveries, e.g. ${JSON.stringify(wrong.slice(0, 3))}`);
}, 300_000);

test('a 429 storm slows the run down but it completes', async () => {
  const now = Date.now();
  // One request per 5 s for the key: every request after the first meets a 429 with Retry-After
  // (5 s, not 2: on a loaded machine the work between two requests can outlast a short window).
  const s = await setup({ rateLimit: { requests: 1, windowMs: 5000 }, jobRetryAfterSec: 0 });
  s.addEvents(1500, now - 2 * HOUR, now - MIN);
  const r = await run(s, { max_results: '500', event_types: 'user.sign_in,agent.activate,user.sign_out,workload.update' });
  expect(r.code).toBe(0);
  expect(s.served.filter((x) => x.status === 429).length).toBeGreaterThanOrEqual(3);
  expect(s.served.filter((x) => x.endpoint === 'events' && x.status === 200)).toHaveLength(4);
  const want = [...s.eventsBetween(0, now)].filter((e) => ['user.sign_in', 'agent.activate', 'user.sign_out', 'workload.update'].includes(String(e.event_type)));
  expect(r.events.map(hrefOf).sort()).toEqual(want.map((e) => String(e.href)).sort());
}, 120_000);

test('a schema-invalid event is indexed and the run reports it', async () => {
  const now = Date.now();
  const s = await setup();
  s.addEvents(30, now - HOUR, now - MIN);
  const bad = { href: '/orgs/1/events/0bad0bad-0000-4000-8000-00000000000b', timestamp: new Date(now - 10 * MIN).toISOString(), pce_fqdn: 'pce.example.com', created_by: {}, event_type: 'user.sign_in', status: 'success', severity: 'loud', action: null, resource_changes: [], notifications: [], version: 2 };
  s.addRaw([bad]);
  const r = await run(s);
  expect(r.code).toBe(0);
  expect(r.events).toHaveLength(31);
  const got = r.events.find((e) => hrefOf(e) === bad.href)!;
  expect(JSON.parse(got.data)).toEqual(bad);
  expect(got.time).toBe((now - 10 * MIN) / 1000);
  expect(r.stderr).toMatch(/1 events did not match the PCE event schema \(version 2\) and were indexed as received/);
});

describe('--validate-arguments', () => {
  async function validate(p: Record<string, string>): Promise<Launched> {
    return launch(validationXml(session, p), { args: ['--validate-arguments'] });
  }
  const base = (s: IllumioSimulator) => ({ pce_url: s.url, org_id: String(s.org), api_key_id: s.keyId, api_secret: s.secret });

  test('a working key passes; the check is one events request with max_results=1', async () => {
    const s = await setup();
    const r = await validate(base(s));
    expect(r.code).toBe(0);
    expect(r.stdout).not.toContain('<error>');
    expect(s.served.map((x) => [x.endpoint, x.query.max_results])).toEqual([['events', '1']]);
  });

  test('syntax is checked before anything is sent', async () => {
    const s = await setup();
    const bad = await validate({ ...base(s), pce_url: 'pce.example.com:8443' });
    expect(bad.code).toBe(1);
    expect(bad.stdout).toMatch(/<error><message>[^<]*pce_url[^<]*<\/message><\/error>/);
    const org = await validate({ ...base(s), org_id: 'one' });
    expect(org.stdout).toMatch(/org_id[^<]*must be a number/);
    expect(s.served).toEqual([]);
  });

  test('a refused key names the key id and the PCE, never the secret', async () => {
    const s = await setup();
    const r = await validate({ ...base(s), api_secret: 'not-the-secret' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain(`refused API key "${s.keyId}" (HTTP 401)`);
    expect(r.stdout).toContain(`127.0.0.1:${s.port}`);
    expect(r.stdout + r.stderr).not.toContain('not-the-secret');
  });

  test('an unverifiable certificate says to set ca_cert_path; with it the check passes', async () => {
    const s = await setup({ tls: true });
    const r = await validate(base(s));
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('ca_cert_path');
    const ok = await validate({ ...base(s), ca_cert_path: s.caPath! });
    expect(ok.code).toBe(0);
  });

  test('an unknown host is named', async () => {
    const s = await setup();
    const r = await validate({ ...base(s), pce_url: 'https://pce.does-not-exist.invalid:8443' });
    expect(r.code).toBe(1);
    expect(r.stdout).toContain('pce.does-not-exist.invalid');
  });
});

afterAll(() => {
  if (session?.checkpointDir) fs.rmSync(session.checkpointDir, { recursive: true, force: true });
});
