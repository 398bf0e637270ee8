/**
 * Case 8: one run per stanza. Two runs of one stanza at once (a run longer than its interval, or
 * two forwarders sharing the KV store checkpoint) must not both deliver: the second skips. A
 * lock or lease left by a run that died is taken over, and the failover loses nothing.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { checkpointKey, KV_COLLECTION, kvCheckpointStore } from '../../src/core/checkpoint';
import { source as illumio } from '../../src/sources/illumio';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { serve, type TestServer } from '../support/serve';
import { run, tmp, written } from './support';

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

const STANZA = 'illumio_pce_events://ha';

/** A PCE with `n` events in the last hour that answers each page after `delayMs`. */
async function slowPce(n: number, delayMs: number): Promise<TestServer> {
  const base = Date.now() - 30 * 60_000;
  const events = Array.from({ length: n }, (_, i) => ({
    href: `/orgs/1/events/e${i}`, timestamp: new Date(base + i * 1000).toISOString(), event_type: 'user.login', status: 'success', severity: 'info', pce_fqdn: 'pce', created_by: { system: {} },
  }));
  return serve((req, res) => {
    const u = new URL(req.url ?? '/', 'http://x');
    const gte = Date.parse(u.searchParams.get('timestamp[gte]') ?? '');
    const lte = Date.parse(u.searchParams.get('timestamp[lte]') ?? '');
    const page = events.filter((e) => Date.parse(e.timestamp) >= gte && Date.parse(e.timestamp) <= lte);
    setTimeout(() => res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(page)), delayMs);
  });
}

const params = (pce: TestServer) => ({ pce_url: pce.url, org_id: '1', api_key_id: 'k1', api_secret: 'sec-123456789', start_date: '-1h' });

test('file checkpoints: two runs of one stanza at once deliver each event once; the second says it skipped', async () => {
  const pce = await slowPce(50, 700);
  servers.push(pce);
  const dir = tmp('ta-sec-lock-');
  const [a, b] = await Promise.all([run(illumio, STANZA, params(pce), { dir }), run(illumio, STANZA, params(pce), { dir })]);
  expect(a.events.length + b.events.length).toBe(50);
  expect([a.summary.skipped, b.summary.skipped].filter(Boolean)).toHaveLength(1);
  expect(written([...a.lines, ...b.lines])).toMatch(/skipped: another run of this input holds its lock \(process \d+ on /);
  // The lock is released at the end: the next run runs (and finds nothing new).
  const c = await run(illumio, STANZA, params(pce), { dir });
  expect(c.summary.skipped).toBeUndefined();
  expect(c.events).toHaveLength(0);
  expect(fs.readdirSync(dir).filter((f) => f.endsWith('.lock'))).toEqual([]);
});

test('file checkpoints: a lock left by a process that died is taken over', async () => {
  const pce = await slowPce(5, 0);
  servers.push(pce);
  const dir = tmp('ta-sec-lock-');
  fs.writeFileSync(path.join(dir, `${checkpointKey(STANZA)}.lock`), JSON.stringify({ owner: 'x', host: os.hostname(), pid: 2 ** 22 + 7, expires_at: Date.now() + 3_600_000 }));
  const r = await run(illumio, STANZA, params(pce), { dir });
  expect(r.summary.skipped).toBeUndefined();
  expect(r.events).toHaveLength(5);
});

describe('KV store checkpoints shared by two forwarders', () => {
  let splunkd: SplunkdStandIn;
  beforeEach(async () => { splunkd = await startSplunkd({ collections: [KV_COLLECTION] }); });
  afterEach(() => splunkd.close());
  const store = () => kvCheckpointStore({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: splunkd.app, stanza: STANZA, leaseSettleMs: 50 });

  test('active/passive: the second forwarder skips while the lease is held', async () => {
    const pce = await slowPce(40, 700);
    servers.push(pce);
    const [a, b] = await Promise.all([
      run(illumio, STANZA, params(pce), { checkpoint: store() }),
      run(illumio, STANZA, params(pce), { checkpoint: store() }),
    ]);
    expect(a.events.length + b.events.length).toBe(40);
    expect([a.summary.skipped, b.summary.skipped].filter(Boolean)).toHaveLength(1);
  });

  test('failover: a lease left by a dead forwarder expires, then the other one collects and loses nothing', async () => {
    const pce = await slowPce(30, 0);
    servers.push(pce);
    const dead = await store().acquire!(800);
    expect(dead.held).toBe(true);
    const early = await run(illumio, STANZA, params(pce), { checkpoint: store() });
    expect(early.summary.skipped).toBe(true);
    expect(early.events).toHaveLength(0);
    expect(written(early.lines)).toMatch(/holds its lock \(process \d+ on .* until \d{4}-/);
    await new Promise((r) => setTimeout(r, 900));
    const after = await run(illumio, STANZA, params(pce), { checkpoint: store() });
    expect(after.summary.skipped).toBeUndefined();
    expect(after.events).toHaveLength(30);
  });
});
