/**
 * The simulated PCE against the documented behaviour of the events API, with plain HTTP from
 * Node (no collector code), so the collector tests stand on a faithful stand-in.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { createEventValidator } from '../../src/sources/illumio/schema';
import { makeEvent, startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { TSV_TYPES } from './harness';

let sim: IllumioSimulator;
const now = Date.parse('2026-11-20T12:00:00.000Z');
const H = 3600e3;

beforeEach(async () => {
  sim = await startIllumioSimulator({ eventTypes: TSV_TYPES, jobRetryAfterSec: 0 });
  sim.addEvents(300, now - 3 * H, now - H);
});
afterEach(() => sim.stop());

const auth = () => `Basic ${Buffer.from(`${sim.keyId}:${sim.secret}`).toString('base64')}`;
async function get(p: string, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${sim.url}/api/v2${p}`, { headers: { authorization: auth(), ...headers } });
}
const q = (o: Record<string, string | number>) => new URLSearchParams(Object.entries(o).map(([k, v]) => [k, String(v)])).toString();

test('Basic auth: a wrong secret is 401, another org is 403', async () => {
  const bad = await fetch(`${sim.url}/api/v2/orgs/1/events`, { headers: { authorization: `Basic ${Buffer.from(`${sim.keyId}:nope`).toString('base64')}` } });
  expect(bad.status).toBe(401);
  expect((await get('/orgs/2/events')).status).toBe(403);
});

test('default 100 results, the newest when capped, X-Total-Count, timestamp filters inclusive', async () => {
  const all = await get('/orgs/1/events');
  const body = (await all.json()) as { timestamp: string }[];
  expect(body).toHaveLength(100);
  expect(all.headers.get('x-total-count')).toBe('300');
  const newest = [...sim.eventsBetween(0, now)].slice(-100).map((e) => e.href).sort();
  expect((body as unknown as { href: string }[]).map((e) => e.href).sort()).toEqual(newest);
  const first = [...sim.eventsBetween(0, now)][10];
  const t = String(first.timestamp);
  const win = await get(`/orgs/1/events?${q({ 'timestamp[gte]': t, 'timestamp[lte]': t, max_results: 10000 })}`);
  const got = (await win.json()) as { href: string; timestamp: string }[];
  expect(got.length).toBeGreaterThanOrEqual(1);
  expect(got.every((e) => e.timestamp === t)).toBe(true);
  expect(got.map((e) => e.href)).toContain(first.href);
  expect((await get(`/orgs/1/events?${q({ max_results: 10001 })}`)).status).toBe(406);
});

test('event_type and severity filter server-side', async () => {
  const type = String([...sim.eventsBetween(0, now)][0].event_type);
  const r = (await (await get(`/orgs/1/events?${q({ event_type: type, max_results: 10000 })}`)).json()) as { event_type: string }[];
  expect(r.length).toBeGreaterThan(0);
  expect(r.every((e) => e.event_type === type)).toBe(true);
  const w = (await (await get(`/orgs/1/events?${q({ severity: 'warning', max_results: 10000 })}`)).json()) as { severity: string }[];
  expect(w.every((e) => e.severity === 'warning')).toBe(true);
});

test('async GET collection: 202 + Location, job polling with Retry-After, datafile with every match', async () => {
  sim.options.jobPolls = 2;
  const r = await get(`/orgs/1/events?${q({ 'timestamp[gte]': new Date(now - 4 * H).toISOString() })}`, { prefer: 'respond-async' });
  expect(r.status).toBe(202);
  const loc = r.headers.get('location')!;
  expect(loc).toMatch(/^\/orgs\/1\/jobs\/[0-9a-f-]{36}$/);
  expect(r.headers.get('retry-after')).toBe('0');
  const polls: string[] = [];
  let job: { status: string; result: { href?: string } };
  do {
    job = (await (await get(loc)).json()) as typeof job;
    polls.push(job.status);
  } while (job.status !== 'done');
  expect(polls).toEqual(['running', 'running', 'done']);
  expect(job.result.href).toMatch(/^\/orgs\/1\/datafiles\//);
  const data = (await (await get(job.result.href!)).json()) as unknown[];
  expect(data).toHaveLength(300);
});

test('rate limit: 429 with Retry-After above the configured rate', async () => {
  await sim.stop();
  sim = await startIllumioSimulator({ rateLimit: { requests: 3, windowMs: 60_000 } });
  const statuses = [];
  for (let i = 0; i < 5; i++) statuses.push((await get('/orgs/1/events')).status);
  expect(statuses).toEqual([200, 200, 200, 429, 429]);
  const r = await get('/orgs/1/events');
  expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0);
});

test('faults: 5xx, reset, truncated and malformed bodies fire as planned', async () => {
  sim.faults.push({ on: 'events', kind: 'status', status: 502 }, { on: 'events', nth: 2, kind: 'reset' }, { on: 'events', nth: 3, kind: 'truncate' }, { on: 'events', nth: 4, kind: 'malformed' });
  expect((await get('/orgs/1/events')).status).toBe(502);
  await expect(get('/orgs/1/events')).rejects.toThrow();
  await expect(get('/orgs/1/events').then((r) => r.text())).rejects.toThrow();
  await expect(get('/orgs/1/events').then((r) => r.json())).rejects.toThrow(/JSON/);
  expect((await get('/orgs/1/events')).status).toBe(200);
  expect(sim.served.map((s) => s.fault ?? '-')).toEqual(['status', 'reset', 'truncate', 'malformed', '-']);
});

test('generated events are deterministic, realistic and valid v2 events', () => {
  const validate = createEventValidator();
  const opts = { seed: 7, org: 1, pceFqdn: 'pce.example.com', eventTypes: TSV_TYPES };
  expect(makeEvent(opts, 42, now)).toEqual(makeEvent(opts, 42, now));
  const events = Array.from({ length: 3000 }, (_, i) => makeEvent(opts, i, now + i));
  const bad = events.filter((e) => !validate(e));
  expect(bad).toEqual([]);
  const creators = new Set(events.flatMap((e) => Object.keys(e.created_by as object)));
  expect([...creators].sort()).toEqual(['agent', 'container_cluster', 'service_account', 'system', 'user', 'ven']);
  expect(events.some((e) => (e.action as { src_ip?: string } | null)?.src_ip === 'FILTERED')).toBe(true);
  expect(events.some((e) => (e.resource_changes as unknown[]).length > 0)).toBe(true);
  expect(events.some((e) => (e.notifications as unknown[]).length > 0)).toBe(true);
  expect(new Set(events.map((e) => e.href)).size).toBe(3000);
});

test('legacy names: pre-18.2 PCEs wrote fw_config_change and activation_/deactivation_ names', () => {
  const opts = { seed: 3, org: 1, pceFqdn: 'pce.example.com', eventTypes: ['agent.activate', 'agent.deactivate', 'agent.firewall_config'], legacyNames: true };
  const types = new Set(Array.from({ length: 400 }, (_, i) => String(makeEvent(opts, i, now).event_type)));
  expect(types).toEqual(new Set(['activation_success', 'activation_failure', 'deactivation_success', 'deactivation_failure', 'fw_config_change']));
});

test('the shipped samples, written from the documented examples, pass the schema', () => {
  const validate = createEventValidator();
  const samples = JSON.parse(fs.readFileSync(path.join(__dirname, '..', '..', 'src', 'sources', 'illumio', 'samples', 'events.json'), 'utf8')) as unknown[];
  for (const e of samples) expect([validate(e), validate.lastError()]).toEqual([true, expect.any(String)]);
});

test('pce_url: https, a port, or the API path; http only to this host', async () => {
  const { pceUrlCheck } = await import('../../src/sources/illumio/description');
  expect(pceUrlCheck('https://pce.example.com:8443')).toBeUndefined();
  expect(pceUrlCheck('https://pce.example.com:8443/api/v2')).toBeUndefined();
  expect(pceUrlCheck('http://127.0.0.1:9443')).toBeUndefined();
  expect(pceUrlCheck('http://pce.example.com:8443')).toMatch(/must start with https:\/\//);
  expect(pceUrlCheck('https://pce.example.com/login?next=1')).toMatch(/PCE address only/);
  expect(pceUrlCheck('pce.example.com')).toMatch(/must be a URL/);
});
