/**
 * Cases 4 and 5 through the real runtime: pages that never end, servers that send one byte at a
 * time, records nested thousands deep. Every run ends, in bounded time, naming the setting; a
 * poison record is indexed (its deep part cut) and the checkpoint moves past it.
 */
import { createHttpClient } from '../../src/core/http';
import { source as illumio } from '../../src/sources/illumio';
import { PceClient } from '../../src/sources/illumio/client';
import { auditSource } from '../../src/sources/lacework';
import { source as prisma } from '../../src/sources/prisma';
import { serve, type TestServer } from '../support/serve';
import { run, written } from './support';

const servers: TestServer[] = [];
afterEach(async () => { await Promise.all(servers.splice(0).map((s) => s.close())); });

function nested(depth: number): string {
  return `${'{"a":'.repeat(depth)}"x"${'}'.repeat(depth)}`;
}

test('an events page that never ends stops at max_results+1 elements', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    let i = 0;
    const el = () => `${i++ ? ',' : '['}{"href":"/orgs/1/events/${i}","timestamp":"2026-01-01T00:00:00Z"}`;
    const pump = () => { while (!res.destroyed && res.write(el().repeat(1))) { /* until backpressure */ } };
    res.on('drain', pump);
    pump();
  });
  servers.push(s);
  const http = createHttpClient({ verifyTls: true, timeoutMs: 5000 });
  try {
    const pce = new PceClient(http, { pceUrl: s.url, org: 1, keyId: 'k', secret: 'secret-1', stanza: 'illumio_pce_events://p' });
    let seen = 0;
    const { count } = await pce.page({ gte: 0, lte: 1 }, 1000, () => { seen++; });
    expect(count).toBe(1001);
    expect(seen).toBe(1001);
  } finally {
    await http.close();
  }
});

test('Lacework: a server sending one byte every 2 s ends at request_deadline, not after minutes', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const t = setInterval(() => res.write(' '), 2000);
    res.on('close', () => clearInterval(t));
  });
  servers.push(s);
  const started = Date.now();
  const r = await run(auditSource, 'lacework_edge_audit://slow', { base_url: s.url, api_token: 'tok-123456789', timeout: '5', request_deadline: '6', start_date: '-1h' });
  expect(r.summary.status).toBe('failed');
  expect(written(r.lines)).toContain('request_deadline');
  expect(Date.now() - started).toBeLessThan(20_000);
});

test('Prisma: max_runtime ends a read in flight', async () => {
  const s = await serve((req, res) => {
    if (req.url?.includes('oauth/token')) {
      res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ access_token: 'at-1234567890', expires_in: 3600, token_type: 'Bearer' }));
      return;
    }
    res.writeHead(200, { 'content-type': 'application/json' });
    const t = setInterval(() => res.write(' '), 2000);
    res.on('close', () => clearInterval(t));
  });
  servers.push(s);
  const started = Date.now();
  const r = await run(prisma, 'prisma_saas_log_events://slow', { base_url: s.url, client_id: 'cid', client_secret: 'cs-1234567890', max_runtime: '10', timeout: '5' });
  const took = Date.now() - started;
  expect(written(r.lines)).toContain('max_runtime');
  expect(took).toBeLessThan(25_000);
});

test('a body past max_response_mb ends the run with an error naming the setting', async () => {
  const s = await serve((_req, res) => {
    res.writeHead(200, { 'content-type': 'application/json' });
    const chunk = Buffer.alloc(256 * 1024, 0x20);
    const pump = () => { while (!res.destroyed && res.write(chunk)) { /* until backpressure */ } };
    res.on('drain', pump);
    pump();
  });
  servers.push(s);
  const r = await run(auditSource, 'lacework_edge_audit://big', { base_url: s.url, api_token: 'tok-123456789', max_response_mb: '2', start_date: '-1h' });
  expect(r.summary.status).toBe('failed');
  expect(written(r.lines)).toMatch(/larger than 2097152 bytes \(max_response_mb\)/);
});

test('case 5: a Lacework audit record nested 5000 deep is indexed cut at max_depth and the checkpoint moves past it', async () => {
  const now = Date.now();
  const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(
    `{"audit_events":[{"uuid":"deep-1","create_time":${now - 60_000},"detail":${nested(5000)}},{"uuid":"ok-2","create_time":${now - 50_000}}]}`));
  servers.push(s);
  const r = await run(auditSource, 'lacework_edge_audit://deep', { base_url: s.url, api_token: 'tok-123456789', start_date: '-10m' });
  expect(r.summary.status).toBe('ok');
  expect(r.events.map((e) => (JSON.parse(e.data) as { uuid: string }).uuid).sort()).toEqual(['deep-1', 'ok-2']);
  expect(r.events.find((e) => e.data.includes('deep-1'))!.data).toContain('max_depth');
  expect(written(r.lines)).toContain('max_depth');
  const again = await run(auditSource, 'lacework_edge_audit://deep', { base_url: s.url, api_token: 'tok-123456789', start_date: '-10m' }, { dir: r.dir });
  expect(again.summary.status).toBe('ok');
  expect(again.events).toHaveLength(0);
});

test('case 5: an Illumio event nested 5000 deep is indexed, not a run that fails forever', async () => {
  const t = new Date(Date.now() - 60_000).toISOString();
  const s = await serve((_req, res) => res.writeHead(200, { 'content-type': 'application/json' }).end(
    `[{"href":"/orgs/1/events/deep","timestamp":"${t}","event_type":"user.login","detail":${nested(5000)}}]`));
  servers.push(s);
  const r = await run(illumio, 'illumio_pce_events://deep', { pce_url: s.url, org_id: '1', api_key_id: 'k1', api_secret: 'sec-123456789', start_date: '-10m' });
  expect(r.summary.status).toBe('ok');
  expect(r.events).toHaveLength(1);
  expect(r.events[0].data).toContain('max_depth');
});
