import { createHttpClient } from '../../src/core/http';
import { eventGenerator, LOG_TYPES, PrismaSimulator, seedStyleInvalid, startPrismaSimulator } from '../../src/sources/prisma/simulator';

describe('Prisma SaaS simulator', () => {
  let sim: PrismaSimulator;
  afterEach(() => sim.stop());

  const client = () => createHttpClient({ baseUrl: sim.url, verifyTls: true, timeoutMs: 10_000 });
  async function token(): Promise<string> {
    const res = await client().request({
      method: 'POST', url: '/oauth/token', body: 'grant_type=client_credentials&scope=api_access',
      headers: { authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}`, 'content-type': 'application/x-www-form-urlencoded' },
    });
    const body = await res.json<{ access_token: string; expires_in: number }>();
    expect(body.expires_in).toBe(7200);
    return body.access_token;
  }
  const get = async (path: string, tok: string) => client().request({ url: path, headers: { authorization: `Bearer ${tok}` }, retry: false });

  it('answers a waiting long poll as soon as an event arrives, and 204 when none does', async () => {
    sim = await startPrismaSimulator({ longPollMs: 60_000 });
    const tok = await token();
    const pending = get('/api/v1/log_events', tok);
    setTimeout(() => sim.enqueue(1), 50);
    const res = await pending;
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual(sim.served[0].event);
    await sim.stop();
    sim = await startPrismaSimulator({ longPollMs: 30 });
    const empty = await get('/api/v1/log_events_bulk', await token());
    expect([empty.status, await empty.text()]).toEqual([204, '']);
  });

  it('refuses a wrong secret and a wrong scope the way the service does', async () => {
    sim = await startPrismaSimulator();
    const bad = await client().request({
      method: 'POST', url: '/oauth/token', body: 'grant_type=client_credentials&scope=api_access',
      headers: { authorization: `Basic ${Buffer.from(`${sim.clientId}:nope`).toString('base64')}` },
    });
    expect(bad.status).toBe(401);
    expect(await bad.json()).toMatchObject({ error: 'unauthorized', error_description: 'Invalid credentials' });
    const scope = await client().request({
      method: 'POST', url: '/oauth/token', body: 'grant_type=client_credentials&scope=other',
      headers: { authorization: `Basic ${Buffer.from(`${sim.clientId}:${sim.clientSecret}`).toString('base64')}` },
    });
    expect(scope.status).toBe(400);
    expect((await get('/api/v1/log_events', 'made-up')).status).toBe(401);
  });

  it('counts events dequeued by an answer that never left as lost', async () => {
    sim = await startPrismaSimulator({ events: 3, faults: [{ kind: 'reset-after-dequeue' }] });
    const tok = await token();
    await expect(get('/api/v1/log_events_bulk', tok)).rejects.toThrow(/closed/);
    expect(sim.stats()).toMatchObject({ dequeued: 3, lost: 3, queued: 0 });
  });

  it('generates unique events of all five types with the documented fields', () => {
    const gen = eventGenerator({ seed: 1 });
    const events = Array.from({ length: 400 }, gen);
    expect(new Set(events.map((e) => JSON.stringify(e))).size).toBe(400);
    expect(new Set(events.map((e) => e.log_type))).toEqual(new Set(LOG_TYPES));
    const withMs = events.filter((e) => /\.\d{3}Z$/.test(String(e.timestamp))).length;
    expect(withMs).toBeGreaterThan(0);
    expect(withMs).toBeLessThan(400);
    const incident = events.find((e) => e.log_type === 'incident')!;
    for (const f of ['asset_id', 'incident_id', 'policy_rule_name', 'severity', 'exposure', 'item_owner_email', 'cloud_app_instance', 'serial']) {
      expect(incident).toHaveProperty(f);
    }
    expect(() => JSON.parse(seedStyleInvalid(incident))).toThrow();
  });
});
