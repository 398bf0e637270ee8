/**
 * The simulated PCE's Explorer, health and object endpoints against the documented behaviour,
 * with plain HTTP (no collector code), so the traffic tests stand on a faithful stand-in.
 */
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';

let sim: IllumioSimulator;
const now = Date.parse('2026-11-20T12:00:00.000Z');
const H = 3600e3;

beforeEach(async () => {
  sim = await startIllumioSimulator({ traffic: { retryAfterSec: 0, queuedPolls: 1, workingPolls: 1 } });
  sim.addFlows(400, now - 2 * H, now - H);
});
afterEach(() => sim.stop());

const auth = () => `Basic ${Buffer.from(`${sim.keyId}:${sim.secret}`).toString('base64')}`;
const api = (p: string, init: RequestInit = {}) =>
  fetch(`${sim.url}/api/v2${p}`, { ...init, headers: { authorization: auth(), 'content-type': 'application/json', ...(init.headers ?? {}) } });

/** The guide's example body, with our window. */
const body = (o: Record<string, unknown> = {}) => JSON.stringify({
  sources: { include: [[]], exclude: [] }, destinations: { include: [[]], exclude: [] }, services: { include: [], exclude: [] },
  sources_destinations_query_op: 'and', start_date: new Date(now - 3 * H).toISOString(), end_date: new Date(now).toISOString(),
  policy_decisions: [], max_results: 1000, query_name: 'sim test', ...o,
});

async function complete(href: string): Promise<{ statuses: string[]; view: Record<string, unknown> }> {
  const statuses: string[] = [];
  let view: Record<string, unknown>;
  do {
    const r = await api(href.replace(/^/, ''));
    view = (await r.json()) as Record<string, unknown>;
    statuses.push(String(view.status));
  } while (view.status === 'queued' || view.status === 'working');
  return { statuses, view };
}

test('POST async_queries: 202, queued, content-location, query_parameters echoed; status queued → working → completed', async () => {
  const r = await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body() });
  expect(r.status).toBe(202);
  const q = (await r.json()) as { status: string; href: string; query_parameters: { max_results: number }; created_by: unknown };
  expect(q.status).toBe('queued');
  expect(q.href).toMatch(/^\/orgs\/1\/traffic_flows\/async_queries\/[0-9a-f-]{36}$/);
  expect(r.headers.get('content-location')).toBe(q.href.split('/').pop());
  expect(q.query_parameters.max_results).toBe(1000);
  expect(q.created_by).toEqual({ href: '/users/1' });
  const { statuses, view } = await complete(q.href);
  expect(statuses).toEqual(['working', 'completed']);
  expect(view).toMatchObject({ matches_count: 400, flows_count: 400, result: `${q.href}/download` });
  const list = (await (await api('/orgs/1/traffic_flows/async_queries')).json()) as { href: string }[];
  expect(list.map((x) => x.href)).toEqual([q.href]);
});

test('download: the documented flow fields; truncation shows as matches_count > flows_count; NDJSON framing on request', async () => {
  const r = await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body({ max_results: 150 }) });
  const { view } = await complete(((await r.json()) as { href: string }).href);
  expect(view).toMatchObject({ matches_count: 400, flows_count: 150 });
  const flows = (await (await api(String(view.result))).json()) as Record<string, any>[];
  expect(flows).toHaveLength(150);
  for (const f of flows) {
    expect(Object.keys(f)).toEqual(expect.arrayContaining(['src', 'dst', 'service', 'num_connections', 'policy_decision', 'timestamp_range', 'caps']));
    expect(f.dst.workload).toMatchObject({ href: expect.stringMatching(/^\/orgs\/1\/workloads\//), name: expect.any(String) });
    expect(f.dst.workload.labels[0]).toMatchObject({ href: expect.stringMatching(/^\/orgs\/1\/labels\//), key: expect.any(String), value: expect.any(String) });
    expect(Date.parse(f.timestamp_range.first_detected)).toBeLessThanOrEqual(Date.parse(f.timestamp_range.last_detected));
  }
  sim.traffic.options.downloadFormat = 'ndjson';
  const text = await (await api(String(view.result))).text();
  expect(text.trim().split('\n').map((l) => JSON.parse(l))).toEqual(flows);
});

test('filters: policy decisions, label scope, service exclude; max_results above 200 000 is refused', async () => {
  const label = sim.traffic.estate.labels.find((l) => l.key === 'env' && l.value === 'prod')!;
  const r = await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body({
    policy_decisions: ['blocked'], destinations: { include: [[{ label: { href: label.href } }]], exclude: [] },
    services: { include: [], exclude: [{ port: 53, proto: 17 }] },
  }) });
  const { view } = await complete(((await r.json()) as { href: string }).href);
  const flows = (await (await api(String(view.result))).json()) as Record<string, any>[];
  expect(flows.length).toBeGreaterThan(0);
  expect(flows.every((f) => f.policy_decision === 'blocked' && f.service.port !== 53
    && f.dst.workload.labels.some((l: { href: string }) => l.href === label.href))).toBe(true);
  expect((await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body({ max_results: 200_001 }) })).status).toBe(406);
  expect((await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body({ policy_decisions: ['denied'] }) })).status).toBe(406);
});

test('cancel with PUT kills a queued query; DELETE removes a finished one; a running one cannot be deleted', async () => {
  sim.traffic.options.queuedPolls = 100;
  const q = (await (await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body() })).json()) as { href: string };
  expect((await api(q.href, { method: 'DELETE' })).status).toBe(406);
  expect((await api(q.href, { method: 'PUT', body: JSON.stringify({ status: 'cancel_requested' }) })).status).toBe(204);
  expect(((await (await api(q.href)).json()) as { status: string }).status).toBe('killed');
  expect((await api(`${q.href}/download`)).status).toBe(404);
  expect((await api(q.href, { method: 'DELETE' })).status).toBe(204);
  expect((await api(q.href)).status).toBe(404);
  expect(sim.traffic.log.cancelled).toHaveLength(1);
  expect(sim.traffic.log.deleted).toHaveLength(1);
});

test('planned outcomes: failed and killed; another org is 403; faults and the rate limit apply to these routes', async () => {
  sim.traffic.options.outcomes = ['failed', 'killed'];
  for (const want of ['failed', 'killed']) {
    const q = (await (await api('/orgs/1/traffic_flows/async_queries', { method: 'POST', body: body() })).json()) as { href: string };
    const { view } = await complete(q.href);
    expect(view.status).toBe(want);
    expect(view.result).toBeUndefined();
  }
  expect((await api('/orgs/2/traffic_flows/async_queries', { method: 'POST', body: body() })).status).toBe(403);
  sim.faults.push({ on: 'traffic_status', kind: 'status', status: 429, retryAfter: 4 });
  const r = await api('/orgs/1/traffic_flows/async_queries');
  expect([r.status, r.headers.get('retry-after')]).toEqual([429, '4']);
});

test('health: one cluster with nodes, their services and status; a degraded service shows', async () => {
  sim.traffic.options.health = { degraded: { node: 'core1', service: 'traffic_worker' } };
  const h = (await (await api('/health')).json()) as Record<string, any>[];
  expect(h).toHaveLength(1);
  expect(h[0]).toMatchObject({ status: 'warning', type: 'pce', available_seconds: expect.any(Number) });
  expect(h[0].nodes.map((n: { type: string }) => n.type)).toEqual(['core0', 'core1', 'data0', 'data1']);
  const core1 = h[0].nodes[1];
  expect(core1.services).toMatchObject({ status: 'degraded', partial: ['traffic_worker'] });
  expect(h[0].nodes[3].database).toMatchObject({ role: 'replica' });
});

test('object collections: labels, workloads (interfaces, VEN state, online), IP lists, services, rule sets', async () => {
  const get = async (p: string) => (await (await api(p)).json()) as Record<string, any>[];
  const labels = await get('/orgs/1/labels');
  expect(labels[0]).toMatchObject({ href: '/orgs/1/labels/1', key: 'role', value: 'web' });
  const workloads = await get('/orgs/1/workloads');
  expect(workloads.filter((w) => !w.online).length).toBe(2);
  expect(workloads[0]).toMatchObject({ hostname: expect.any(String), interfaces: [expect.objectContaining({ address: expect.any(String) })], ven: { status: 'active' } });
  expect((await get('/orgs/1/sec_policy/draft/ip_lists'))[1]).toMatchObject({ name: 'Corporate', ip_ranges: [{ from_ip: '10.0.0.0/8' }] });
  expect((await get('/orgs/1/sec_policy/draft/services')).map((s) => s.name)).toContain('SSH');
  expect((await get('/orgs/1/sec_policy/draft/rule_sets'))[0]).toMatchObject({ name: 'payments-ringfence', scopes: [expect.any(Array)] });
  const capped = await api('/orgs/1/workloads?max_results=5');
  expect([((await capped.json()) as unknown[]).length, capped.headers.get('x-total-count')]).toEqual([5, '12']);
});
