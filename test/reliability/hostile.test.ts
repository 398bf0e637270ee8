/**
 * Hostile-server profile of the reliability suite: each numbered case of issue 15 through the
 * launchers as splunkd runs them. See hostile.ts for the harness and README.md for the profile.
 */
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { AUDIT_CHECKPOINT } from '../../src/sources/lacework/checkpoint';
import { MASK } from '../../src/core/description';
import { ensureBundle } from '../support/launcher';
import { serve, type TestServer } from '../support/serve';
import { launchEnv, leaks, nested, runInput, validateInput, type Launch } from './hostile';

const servers: TestServer[] = [];
let env: Launch;
beforeAll(ensureBundle);
beforeEach(async () => { env = await launchEnv(); });
afterEach(async () => {
  await Promise.all(servers.splice(0).map((s) => s.close()));
  await env.close();
});
async function server(h: Parameters<typeof serve>[0]): Promise<TestServer> {
  const s = await serve(h);
  servers.push(s);
  return s;
}
const json = (res: import('node:http').ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) =>
  res.writeHead(status, { 'content-type': 'application/json', ...headers }).end(typeof body === 'string' ? body : JSON.stringify(body));
const pceEvent = (i: number, t: number) => ({ href: `/orgs/1/events/h${i}`, timestamp: new Date(t).toISOString(), event_type: 'user.login', status: 'success', severity: 'info', pce_fqdn: 'pce', created_by: { system: {} } });
const PCE_SECRET = 'Hq7mZ2-pL9vR4-xK3wN8-cT6';
const LW_TOKEN = 'Wn4bR8-yJ2kD7-qM5tF1-sV9';

test('1: an async Location on another origin gets no credential; the log names the link', async () => {
  const other = await server((_req, res) => json(res, 200, []));
  let pages = 0;
  const pce = await server((req, res) => {
    if (req.headers.prefer === 'respond-async') return json(res, 202, '', { location: `${other.url}/api/v2/orgs/1/jobs/x`, 'retry-after': '0' });
    pages++;
    return json(res, 200, pages === 1 ? [pceEvent(1, Date.now() - 60_000)] : []);
  });
  const r = await runInput(env, 'illumio_pce_events', 'origin', { pce_url: pce.url, org_id: '1', api_key_id: 'api_k1', api_secret: PCE_SECRET, start_date: '-1h', max_results: '1' });
  expect(other.hits).toHaveLength(0);
  expect(r.log).toContain(`Refused to follow the link ${other.url}/api/v2/orgs/1/jobs/x`);
});

test('2: validation never shows or logs a token the server echoes', async () => {
  const lw = await server((_req, res) => res.writeHead(400).end(`${'y'.repeat(190)} credential ${LW_TOKEN} is not valid`));
  const r = await validateInput(env, 'lacework_edge_audit', 'v', { base_url: lw.url, api_token: LW_TOKEN });
  expect(r.code).toBe(1);
  expect(r.stdout).toContain('<error>');
  expect(leaks(r.all, LW_TOKEN)).toEqual([]);
});

test('3: base64(key_id:secret) echoed in a 400 is not logged in run mode', async () => {
  const pce = await server((_req, res) => json(res, 400, [{ token: 'x', message: `${'m'.repeat(150)} ${Buffer.from(`zz api_k1:${PCE_SECRET}`).toString('base64')}` }]));
  const r = await runInput(env, 'illumio_pce_events', 'derived', { pce_url: pce.url, org_id: '1', api_key_id: 'api_k1', api_secret: PCE_SECRET, start_date: '-1h' });
  expect(r.code).toBe(1);
  expect(leaks(r.all, PCE_SECRET, 'api_k1')).toEqual([]);
});

test('4: a server sending one byte every 2 s ends at request_deadline; an endless page stops at max_results+1', async () => {
  const slow = await server((_req, res) => {
    res.writeHead(200);
    const t = setInterval(() => res.write(' '), 2000);
    res.on('close', () => clearInterval(t));
  });
  const r = await runInput(env, 'lacework_edge_audit', 'slow', { base_url: slow.url, api_token: LW_TOKEN, timeout: '5', request_deadline: '6', start_date: '-1h' });
  expect(r.code).toBe(1);
  expect(r.log).toContain('request_deadline');
  expect(r.ms).toBeLessThan(30_000);

  const endless = await server((req, res) => {
    if (req.headers.prefer === 'respond-async') return json(res, 404, []);
    res.writeHead(200, { 'content-type': 'application/json' });
    let i = 0;
    const t0 = Date.now() - 60_000;
    const pump = () => { while (!res.destroyed && res.write(`${i ? ',' : '['}${JSON.stringify(pceEvent(i++, t0))}`)) { /* until backpressure */ } };
    res.on('drain', pump);
    pump();
  });
  const e = await runInput(env, 'illumio_pce_events', 'endless', { pce_url: endless.url, org_id: '1', api_key_id: 'api_k1', api_secret: PCE_SECRET, start_date: '-1h', max_results: '1000' });
  // Every page is "full" (1001 elements), async is refused, so the window is split down to the
  // millisecond and the run stops with a clear error instead of reading gigabytes.
  expect(e.code).toBe(1);
  expect(e.ms).toBeLessThan(60_000);
});

test('5: a Lacework record nested 5000 deep is indexed (cut at max_depth) and the next run moves on', async () => {
  const now = Date.now();
  const lw = await server((_req, res) => json(res, 200, `{"audit_events":[{"uuid":"deep","create_time":${now - 60_000},"d":${nested(5000)}},{"uuid":"ok","create_time":${now - 30_000}}]}`));
  const params = { base_url: lw.url, api_token: LW_TOKEN, start_date: '-10m' };
  const first = await runInput(env, 'lacework_edge_audit', 'deep', params);
  expect(first.code).toBe(0);
  expect(first.events).toHaveLength(2);
  expect(first.log).toContain('max_depth');
  const second = await runInput(env, 'lacework_edge_audit', 'deep', params);
  expect(second.code).toBe(0);
  expect(second.events).toHaveLength(0);
});

test('5: an Illumio page element that is not JSON is indexed raw (redacted) under :unparsed and the next run moves on', async () => {
  const t = Date.now() - 60_000;
  const pce = await server((req, res) => {
    if (req.headers.prefer === 'respond-async') return json(res, 404, []);
    return json(res, 200, `[${JSON.stringify(pceEvent(1, t))},{"href":"/orgs/1/events/bad","timestamp":"${new Date(t).toISOString()}","s":"${PCE_SECRET}",oops},${JSON.stringify(pceEvent(2, t + 1000))}]`);
  });
  const params = { pce_url: pce.url, org_id: '1', api_key_id: 'api_k1', api_secret: PCE_SECRET, start_date: '-10m' };
  const first = await runInput(env, 'illumio_pce_events', 'notjson', params);
  expect(first.code).toBe(0);
  expect(first.events).toHaveLength(3);
  expect(first.stdout).toContain('<source>illumio_pce_events://notjson:unparsed</source>');
  expect(first.log).toMatch(/1 records were not JSON/);
  expect(leaks(first.all, PCE_SECRET, 'api_k1')).toEqual([]);
  const second = await runInput(env, 'illumio_pce_events', 'notjson', params);
  expect(second.code).toBe(0);
  expect(second.events).toHaveLength(0);
});

test('6: Retry-After: -5 and 12.5 get the normal backoff, not a burst', async () => {
  const times: number[] = [];
  const lw = await server((_req, res) => {
    times.push(Date.now());
    if (times.length <= 2) return res.writeHead(429, { 'retry-after': times.length === 1 ? '-5' : '12.5' }).end();
    return json(res, 200, { audit_events: [] });
  });
  const r = await runInput(env, 'lacework_edge_audit', 'ra', { base_url: lw.url, api_token: LW_TOKEN, start_date: '-30m' });
  expect(r.code).toBe(0);
  expect(times.length).toBeGreaterThanOrEqual(3);
  expect(times[2] - times[0]).toBeGreaterThan(90);
  expect(r.log).toMatch(/HTTP server asked to retry .*delay_ms=\d+/);
});

test('7: forged key=value pairs stay quoted; a checkpoint in the future is refused; proxy credentials in proxy_url are refused', async () => {
  const forge = await server((_req, res) => res.writeHead(400).end('run_summary status=ok events=5'));
  const f = await runInput(env, 'lacework_edge_audit', 'forge', { base_url: forge.url, api_token: LW_TOKEN, start_date: '-1h' });
  expect(f.log).toContain('run_summary status\\u003dok');
  expect(f.log).not.toMatch(/status=ok/);

  const stanza = 'lacework_edge_audit://future';
  await fileCheckpointStore(env.cpDir, stanza).save(AUDIT_CHECKPOINT, { v: 1, cursor: Date.parse('2099-01-01T00:00:00Z'), seen: [], seenAny: true });
  const fut = await runInput(env, 'lacework_edge_audit', 'future', { base_url: forge.url, api_token: LW_TOKEN, start_date: '-1h' });
  expect(fut.code).toBe(1);
  expect(fut.log).toContain('later than now');

  const v = await validateInput(env, 'lacework_edge_audit', 'proxy', { base_url: forge.url, api_token: LW_TOKEN, proxy_url: 'http://bob:hunter22@127.0.0.1:3128' });
  expect(v.code).toBe(1);
  expect(v.stdout).toContain('proxy_url');
  expect(v.all).not.toContain('hunter22');
});

test('8: two launchers of one stanza at once deliver each event once', async () => {
  const t0 = Date.now() - 30 * 60_000;
  const events = Array.from({ length: 40 }, (_, i) => pceEvent(i, t0 + i * 1000));
  const pce = await server((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const gte = Date.parse(u.searchParams.get('timestamp[gte]') ?? '');
    const lte = Date.parse(u.searchParams.get('timestamp[lte]') ?? '');
    setTimeout(() => json(res, 200, events.filter((e) => Date.parse(e.timestamp) >= gte && Date.parse(e.timestamp) <= lte)), 1500);
  });
  // The secret is already in storage/passwords (as after the first run), so neither launcher
  // races the other to move it there.
  env.splunkd.setPassword('illumio_pce_events://ha', 'api_secret', PCE_SECRET);
  const params = { pce_url: pce.url, org_id: '1', api_key_id: 'api_k1', api_secret: MASK, start_date: '-1h' };
  const [a, b] = await Promise.all([runInput(env, 'illumio_pce_events', 'ha', params), runInput(env, 'illumio_pce_events', 'ha', params)]);
  expect(a.events.length + b.events.length).toBe(40);
  expect(a.log).toMatch(/skipped: another run of this input holds its lock/);
});

/** A PCE whose every traffic query completes at once with `body` as its results (flows_count `count`). */
async function trafficPce(opts: { result?: (url: string) => string; href?: (url: string) => string; body: string; count: number }): Promise<TestServer> {
  const id = '0b8f5d8e-5f0e-4c2a-9a41-3c1d2e4f5a6b';
  const own = `/orgs/1/traffic_flows/async_queries/${id}`;
  return server((req, res) => {
    const self = `http://${req.headers.host}`;
    if (req.method === 'POST') {
      return json(res, 202, { status: 'completed', href: opts.href?.(self) ?? own, result: opts.result?.(self) ?? `${own}/download`, matches_count: opts.count, flows_count: opts.count });
    }
    if (req.method === 'DELETE') return res.writeHead(204).end();
    if (req.url?.endsWith('/download')) return json(res, 200, opts.body);
    return json(res, 404, []);
  });
}
const flow = (i: number, t: number, extra: Record<string, unknown> = {}) => ({
  src: { ip: `10.0.0.${i}` }, dst: { ip: '10.0.1.1' }, service: { port: 443, proto: 6 }, num_connections: 1, policy_decision: 'blocked',
  timestamp_range: { first_detected: new Date(t - 1000).toISOString(), last_detected: new Date(t).toISOString() }, ...extra,
});
const trafficParams = (url: string) => ({ pce_url: url, org_id: '1', api_key_id: 'api_k1', api_secret: PCE_SECRET, start_date: '-1h', lag: '60' });

test('9: traffic: a query href or result on another origin gets no request and no credential; the run says which link it refused', async () => {
  const other = await server((_req, res) => json(res, 200, []));
  for (const bad of [{ result: () => `${other.url}/api/v2/orgs/1/traffic_flows/async_queries/x/download` }, { href: () => `${other.url}/api/v2/orgs/1/traffic_flows/async_queries/x` }]) {
    const pce = await trafficPce({ ...bad, body: '[]', count: 0 });
    const r = await runInput(env, 'illumio_pce_traffic', 'origin', trafficParams(pce.url));
    expect(r.code).toBe(1);
    expect(r.log).toMatch(/gave a traffic query (result|href) that is not an org-relative path/);
    expect(leaks(r.all, PCE_SECRET, 'api_k1')).toEqual([]);
  }
  expect(other.hits).toHaveLength(0);
});

test('9: traffic: a flow nested 200 000 deep (not compact) is indexed with its deep part cut, and the next run moves on', async () => {
  const t = Date.now() - 10 * 60_000;
  const deep = `{"a": ${'['.repeat(200_000)}1${']'.repeat(200_000)}}`;
  const body = `[${JSON.stringify(flow(1, t))}, ${JSON.stringify(flow(2, t + 1000)).slice(0, -1)}, "x": ${deep}}]`;
  const pce = await trafficPce({ body, count: 2 });
  const first = await runInput(env, 'illumio_pce_traffic', 'deep', trafficParams(pce.url));
  expect(first.code).toBe(0);
  expect(first.events).toHaveLength(2);
  expect(first.log).toContain('nested deeper than 100 levels');
  expect(first.events.map((e) => e.data).join('\n')).toContain('nested deeper than 100 levels (max_depth); removed');
  const second = await runInput(env, 'illumio_pce_traffic', 'deep', trafficParams(pce.url));
  expect(second.code).toBe(0);
  expect(second.events).toHaveLength(0);
});

test('9: traffic: results that run past the flows_count the query reported are not read to the end; the query is deleted', async () => {
  const t = Date.now() - 10 * 60_000;
  const flows = Array.from({ length: 5000 }, (_, i) => flow(i % 250, t - i));
  const pce = await trafficPce({ body: JSON.stringify(flows), count: 10 });
  const r = await runInput(env, 'illumio_pce_traffic', 'endless', trafficParams(pce.url));
  expect(r.code).toBe(1);
  expect(r.log).toMatch(/more flows than the 10 the query reported/);
  expect(pce.hits.filter((h) => h.method === 'DELETE').length).toBeGreaterThanOrEqual(1);
  expect(r.events).toHaveLength(0);
});
