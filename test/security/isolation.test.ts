/**
 * Case 5, per-record isolation for Illumio: an element of a page or of an async datafile that is
 * not JSON must not fail the run (and every run after it). Through the real runtime: the good
 * events and the bad record (raw, redacted, `source=<stanza>:unparsed`) are delivered, the
 * checkpoint moves past them, the next run repeats nothing, and the log says how many were set aside.
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { source as illumio } from '../../src/sources/illumio';
import { alertsSource, auditSource } from '../../src/sources/lacework';
import { source as prisma } from '../../src/sources/prisma';
import { serve, type TestServer } from '../support/serve';
import { run, written } from './support';

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

const SECRET = 'Zq8vL3-mT6pW1-kR9sD4-hN2';
const STANZA = 'illumio_pce_events://iso';

function good(i: number, t: number): string {
  return JSON.stringify({ href: `/orgs/1/events/g${i}`, timestamp: new Date(t).toISOString(), event_type: 'user.login', status: 'success', severity: 'info', pce_fqdn: 'pce', created_by: { system: {} } });
}

/** A page (or datafile) with two good events and two elements JSON.parse refuses, one echoing the secret. */
function body(t: number): string {
  const broken = `{"href":"/orgs/1/events/bad","timestamp":"${new Date(t + 1000).toISOString()}","note":"${SECRET}",oops}`;
  return `[${good(1, t)},${broken},NaN,${good(2, t + 2000)}]`;
}

function json(res: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(text);
}

function expectIsolated(r: Awaited<ReturnType<typeof run>>): void {
  expect(r.summary.status).toBe('ok');
  const parsed = r.events.filter((e) => e.source !== `${STANZA}:unparsed`);
  const unparsed = r.events.filter((e) => e.source === `${STANZA}:unparsed`);
  expect(parsed.map((e) => (JSON.parse(e.data) as { href: string }).href).sort()).toEqual(['/orgs/1/events/g1', '/orgs/1/events/g2']);
  expect(unparsed).toHaveLength(2);
  expect(unparsed.map((e) => e.data).sort()).toEqual([expect.stringContaining('/orgs/1/events/bad'), 'NaN'].sort());
  const bad = unparsed.find((e) => e.data.includes('events/bad'))!;
  expect(bad.data).not.toContain(SECRET);
  expect(bad.data).toContain('<redacted>');
  // The broken record keeps the time it announces, so it dedups like any event.
  expect(bad.time).toBeDefined();
  expect(written(r.lines)).toMatch(/2 records were not JSON .*:unparsed/);
  expect(written(r.lines)).not.toContain(SECRET);
}

test('a page element that is not JSON is indexed raw and redacted; the checkpoint moves past it', async () => {
  const t = Date.now() - 120_000;
  const s = await serve((_req: IncomingMessage, res: ServerResponse) => json(res, 200, body(t)));
  servers.push(s);
  const params = { pce_url: s.url, org_id: '1', api_key_id: 'k1', api_secret: SECRET, start_date: '-10m' };
  const first = await run(illumio, STANZA, params);
  expectIsolated(first);
  const again = await run(illumio, STANZA, params, { dir: first.dir });
  expect(again.summary.status).toBe('ok');
  expect(again.events).toHaveLength(0);
});

test('an async datafile element that is not JSON is indexed raw too, not a window split down to the millisecond', async () => {
  const t = Date.now() - 120_000;
  const s = await serve((req: IncomingMessage, res: ServerResponse) => {
    const u = new URL(req.url ?? '/', 'http://x');
    if (req.headers.prefer === 'respond-async') return json(res, 202, '', { location: '/api/v2/orgs/1/jobs/j1', 'retry-after': '0' });
    if (u.pathname.endsWith('/jobs/j1')) return json(res, 200, JSON.stringify({ status: 'done', result: { href: '/api/v2/orgs/1/datafiles/d1' } }));
    if (u.pathname.endsWith('/datafiles/d1')) return json(res, 200, body(t));
    // The page is full (max_results=2), so the window goes through the async collection.
    return json(res, 200, `[${good(1, t)},${good(2, t + 2000)}]`);
  });
  servers.push(s);
  const params = { pce_url: s.url, org_id: '1', api_key_id: 'k1', api_secret: SECRET, start_date: '-10m', max_results: '2' };
  const first = await run(illumio, STANZA, params);
  expectIsolated(first);
  expect(s.hits.filter((h) => h.url.includes('datafiles'))).toHaveLength(1);
  const again = await run(illumio, STANZA, params, { dir: first.dir });
  expect(again.summary.status).toBe('ok');
  expect(again.events).toHaveLength(0);
});

const LW_TOKEN = 'Tk5rW2-bN7qX4-jP1mC8-fV3';

test('Lacework audit: records that are not objects are indexed raw and redacted, once', async () => {
  const now = Date.now();
  const s = await serve((_req: IncomingMessage, res: ServerResponse) => json(res, 200,
    `{"audit_events":[{"uuid":"a1","create_time":${now - 60_000}},42,"echo ${LW_TOKEN}",null]}`));
  servers.push(s);
  const params = { base_url: s.url, api_token: LW_TOKEN, start_date: '-10m' };
  const first = await run(auditSource, 'lacework_edge_audit://iso', params);
  expect(first.summary.status).toBe('ok');
  const raw = first.events.filter((e) => e.source === 'lacework_edge_audit://iso:unparsed').map((e) => e.data);
  expect(raw.sort()).toEqual(['"echo <redacted>"', '42', 'null']);
  expect(first.events.filter((e) => e.data.includes('"a1"'))).toHaveLength(1);
  expect(written(first.lines)).toMatch(/3 audit record\(s\) were not JSON objects.*:unparsed/);
  const again = await run(auditSource, 'lacework_edge_audit://iso', params, { dir: first.dir });
  expect(again.summary.status).toBe('ok');
  expect(again.events).toHaveLength(0);
});

test('Lacework alerts: records without a uuid are indexed raw and redacted, once, instead of dropped', async () => {
  const now = Date.now();
  const s = await serve((req: IncomingMessage, res: ServerResponse) => {
    if (!/alerts/.test(req.url ?? '') || /history|\/alerts\/[^?]/.test(req.url ?? '')) return json(res, 404, '{}');
    return json(res, 200, JSON.stringify({ alerts: [
      { uuid: 'al-1', create_time: now - 60_000, update_time: now - 60_000, status: 1, incident_status: 0 },
      { create_time: now - 50_000, note: `token ${LW_TOKEN}` },
      7,
    ] }));
  });
  servers.push(s);
  const params = { base_url: s.url, api_token: LW_TOKEN, start_date: '-10m', include_history: '0' };
  const first = await run(alertsSource, 'lacework_edge_alerts://iso', params);
  expect(first.summary.status).toBe('ok');
  const raw = first.events.filter((e) => e.source === 'lacework_edge_alerts://iso:unparsed').map((e) => e.data);
  expect(raw).toHaveLength(2);
  expect(raw).toContain('7');
  expect(raw.join('\n')).toContain('token <redacted>');
  expect(raw.join('\n')).not.toContain(LW_TOKEN);
  expect(first.events.filter((e) => e.data.includes('al-1'))).toHaveLength(1);
  expect(written(first.lines)).toMatch(/2 alert record\(s\) had no uuid .*:unparsed/);
  const again = await run(alertsSource, 'lacework_edge_alerts://iso', params, { dir: first.dir });
  expect(again.summary.status).toBe('ok');
  expect(again.events).toHaveLength(0);
});

test('Prisma: an unparsed body is indexed raw with the secret an echo carried redacted', async () => {
  const CS = 'Pc3xK8-rM5wQ2-nL7tB9-dG4';
  let bodies = 0;
  const s = await serve((req: IncomingMessage, res: ServerResponse) => {
    if (req.url?.includes('oauth/token')) return json(res, 200, JSON.stringify({ access_token: 'at-1234567890', expires_in: 3600, token_type: 'Bearer' }));
    if (bodies++) return void res.writeHead(204).end();
    return json(res, 200, `{"events":[{"log_type":"activity","timestamp":"2026-01-01T00:00:00Z"},{"log_type":"x","echo":"${CS}",}]}`);
  });
  servers.push(s);
  const r = await run(prisma, 'prisma_saas_log_events://iso', { base_url: s.url, client_id: 'cid', client_secret: CS, max_runtime: '10' });
  expect(r.summary.status).toBe('ok');
  const raw = r.events.filter((e) => e.source === 'prisma_saas_log_events://iso:unparsed');
  expect(raw).toHaveLength(1);
  expect(raw[0].data).toContain('<redacted>');
  expect(JSON.stringify(r.events)).not.toContain(CS);
  expect(r.events).toHaveLength(2);
});
