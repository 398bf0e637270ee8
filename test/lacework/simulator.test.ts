import { parseArgs } from '../../src/sources/lacework/simulator/cli';
import { SIM_ALERT_STATUS, startLaceworkSimulator, type LaceworkSimulator } from '../../src/sources/lacework/simulator';

let sim: LaceworkSimulator;
afterEach(async () => {
  await sim?.stop();
});

const get = (path: string, headers: Record<string, string> = {}) => fetch(`${sim.url}${path}`, { headers });
const auth = () => ({ Authorization: `Bearer ${sim.token}` });

test('serves the documented shapes behind the configured header and paths', async () => {
  sim = await startLaceworkSimulator({ seed: 1 });
  const t = Date.UTC(2026, 0, 1);
  const [ev] = sim.addAuditEvents(1, t, t);
  const [al] = sim.addAlerts(1, t, t);
  expect((await get(`/api/v1/audit_events?start_time=${t}`)).status).toBe(401);
  expect(await (await get(`/api/v1/audit_events?start_time=${t}&end_time=${t}`, auth())).json()).toEqual({ audit_events: [ev] });
  expect((await get('/api/v1/audit_events', auth())).status).toBe(400);
  expect(await (await get(`/api/v1/alerts?start_time=${t}&end_time=${t}`, auth())).json()).toEqual({ alerts: [al] });
  expect((await get(`/api/v1/alerts?start_time=${t}`, auth())).status).toBe(400);
  expect(await (await get(`/api/v1/alerts/${al.uuid}`, auth())).json()).toEqual(al);
  expect((await get('/api/v1/alerts/nope', auth())).status).toBe(404);
  expect((await get('/api/v2/alerts', auth())).status).toBe(404);
  expect(Object.keys(ev).sort()).toEqual([
    'account_name', 'auth_account_name', 'auth_role', 'auth_type', 'auth_uuid', 'client_ip', 'create_time', 'expire_time_sec',
    'matched_path', 'method', 'op', 'path', 'proto_version', 'protocol', 'request_body', 'response_status',
    'response_status_text', 'trace', 'user_display_name', 'user_login', 'uuid',
  ]);
});

test('alerts change state, leave the open query when closed, and keep their investigation history', async () => {
  sim = await startLaceworkSimulator({ seed: 2, authHeader: 'X-Api-Key', authScheme: '', timeUnit: 's' });
  const t = Date.UTC(2026, 0, 1);
  const [a] = sim.addAlerts(1, t, t);
  const h = { 'X-Api-Key': sim.token };
  const q = `/api/v1/alerts?start_time=${t / 1000}&end_time=${t / 1000 + 1}`;
  expect(((await (await get(q, h)).json()) as { alerts: unknown[] }).alerts).toHaveLength(1);
  const closed = sim.changeAlert(a.uuid, { close: { incident_status: 2, note: 'fp' } });
  expect(closed.status).toBe(SIM_ALERT_STATUS.CLOSED);
  expect(closed.update_time).toBeGreaterThan(a.update_time);
  expect(((await (await get(q, h)).json()) as { alerts: unknown[] }).alerts).toHaveLength(0);
  const one = (await (await get(`/api/v1/alerts/${a.uuid}`, h)).json()) as { closed_time: number };
  expect(one.closed_time).toBe(Math.floor(closed.closed_time / 1000));
  const hist = (await (await get(`/api/v1/alerts/${a.uuid}/investigation_history`, h)).json()) as { investigation_actions: Array<{ action: { close_with_reason: unknown } }> };
  expect(hist.investigation_actions[0].action.close_with_reason).toEqual({ incident_status: 2, note_text: 'fp' });
});

test('faults fire on the requests they name, then stop', async () => {
  sim = await startLaceworkSimulator({
    faults: [
      { op: 'alerts', kind: 'status', status: 429, retryAfter: 3 },
      { op: 'audit', after: 1, kind: 'reset' },
      { op: 'audit', kind: 'malformed', after: 2 },
    ],
  });
  const first = await get('/api/v1/alerts?start_time=0&end_time=1', auth());
  expect(first.status).toBe(429);
  expect(first.headers.get('retry-after')).toBe('3');
  expect((await get('/api/v1/alerts?start_time=0&end_time=1', auth())).status).toBe(200);
  expect((await get('/api/v1/audit_events?start_time=0', auth())).status).toBe(200);
  await expect(get('/api/v1/audit_events?start_time=0', auth())).rejects.toThrow();
  expect(await (await get('/api/v1/audit_events?start_time=0', auth())).text()).toMatch(/^<html>/);
  expect((await get('/api/v1/audit_events?start_time=0', auth())).status).toBe(200);
  expect(sim.requests.map((r) => r.status)).toEqual([429, 200, 200, -1, 200, 200]);
});

test('proto3 JSON: times as strings, zero values left out', async () => {
  sim = await startLaceworkSimulator({ protoJson: { int64AsString: true, omitEmpty: true } });
  const t = Date.UTC(2026, 0, 1);
  const [a] = sim.addAlerts(1, t, t);
  const body = (await (await get(`/api/v1/alerts/${a.uuid}`, auth())).json()) as Record<string, unknown>;
  expect(body.create_time).toBe(String(t));
  expect('closed_time' in body).toBe(false);
  expect('owner_uuid' in body).toBe(false);
});

test('the standalone command line', () => {
  expect(parseArgs(['--port', '9000', '--auth-scheme', 'none', '--auth-header', 'X-Api-Key', '--time-unit', 's'])).toMatchObject({
    port: 9000, authScheme: '', authHeader: 'X-Api-Key', timeUnit: 's', everySec: 10,
  });
  expect(() => parseArgs(['--time-unit', 'us'])).toThrow(/ms or s/);
});
