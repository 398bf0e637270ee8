/**
 * Issue 15 at the core HTTP client: a vendor server that sends links to another origin, garbage
 * Retry-After values, endless bodies or one byte every few seconds.
 */
import { ConfigError, ProtocolError, TransientError } from '../../src/core/errors';
import { parseRetryAfter } from '../../src/core/http';
import { rejection } from '../support/rejection';
import { recordingClients, serve } from '../support/serve';

const { client, servers, closeAll } = recordingClients(3);
afterEach(closeAll);

describe('case 1: credentials stay at the configured origin', () => {
  test('an absolute link to another port is refused before anything is sent; relative links resolve against the base', async () => {
    const home = await serve((_req, res) => res.end('[]'));
    const other = await serve((_req, res) => res.end('[]'));
    servers.push(home, other);
    const { c } = client({ baseUrl: `${home.url}/api/v2` });
    await (await c.request({ url: '/orgs/1/jobs/7' })).dump();
    const e = await rejection(c.request({ url: `${other.url}/api/v2/orgs/1/datafiles/x`, headers: { authorization: 'Basic a2V5OnNlY3JldA==' } }));
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain(`${other.url}/api/v2/orgs/1/datafiles/x`);
    expect(e.message).toContain(`http://127.0.0.1:${home.port}`);
    expect(other.hits).toHaveLength(0);
    expect(home.hits.map((h) => h.url)).toEqual(['/orgs/1/jobs/7']);
  });

  test('without a base URL the first request pins the origin; a change of scheme or host is refused too', async () => {
    const home = await serve((_req, res) => res.end('ok'));
    servers.push(home);
    const { c } = client();
    await (await c.request({ url: `${home.url}/a` })).dump();
    for (const link of [`https://127.0.0.1:${home.port}/b`, `http://localhost:${home.port}/b`]) {
      expect(await rejection(c.request({ url: link }))).toBeInstanceOf(ProtocolError);
    }
    expect(home.hits).toHaveLength(1);
  });

  test('redirects are not followed', async () => {
    const other = await serve((_req, res) => res.end('stolen'));
    const home = await serve((_req, res) => res.writeHead(302, { location: `${other.url}/x` }).end());
    servers.push(home, other);
    const { c } = client({ baseUrl: home.url });
    const res = await c.request({ url: '/', headers: { authorization: 'Bearer abcdefgh123' } });
    expect(res.status).toBe(302);
    await res.dump();
    expect(other.hits).toHaveLength(0);
  });
});

describe('case 6: Retry-After', () => {
  const now = Date.parse('2026-11-21T12:00:00Z');
  test('only integer seconds or a future HTTP date count', () => {
    expect(parseRetryAfter('7', now)).toBe(7000);
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    for (const bad of ['-5', '12.5', '1e3', 'Sat, 21 Nov 2026 11:00:00 GMT', 'soon', '', ' ', '0x10']) {
      expect([bad, parseRetryAfter(bad, now)]).toEqual([bad, undefined]);
    }
  });

  test('a 429 with Retry-After: -5 or 12.5 gets the normal backoff, not three requests at once', async () => {
    for (const value of ['-5', '12.5']) {
      const s = await serve((_req, res, n) => (n < 3 ? res.writeHead(429, { 'retry-after': value }).end() : res.end('ok')));
      servers.push(s);
      const { c, delays } = client({ baseUrl: s.url });
      await (await c.request({ url: '/' })).dump();
      // random() = 0.5 of min(1000, 100·2^n): the backoff, since the header is garbage.
      expect([value, delays]).toEqual([value, [50, 100]]);
    }
  });
});

describe('case 4: bounds on bytes and time', () => {
  test('a body larger than max_response_mb ends with an error naming the setting', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      const chunk = Buffer.alloc(64 * 1024, 0x20);
      const pump = () => { while (res.write(chunk)) { /* until backpressure */ } };
      res.on('drain', pump);
      pump();
    });
    servers.push(s);
    const { c } = client({ baseUrl: s.url, maxResponseBytes: 1024 * 1024, maxResponseSetting: 'max_response_mb' });
    const res = await c.request({ url: '/' });
    const e = await rejection(res.text());
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('max_response_mb');
    const res2 = await c.request({ url: '/' });
    let seen = 0;
    const e2 = await rejection((async () => { for await (const ch of res2.body as AsyncIterable<Buffer>) seen += ch.length; })());
    expect(e2.message).toContain('max_response_mb');
    expect(seen).toBeLessThanOrEqual(1024 * 1024);
    // The same bound and message without a stream in between.
    const res3 = await c.request({ url: '/' });
    let handed = 0;
    const e3 = await rejection(res3.eachChunk((ch) => { handed += ch.length; }));
    expect(e3).toBeInstanceOf(ProtocolError);
    expect(e3.message).toBe(e.message);
    expect(handed).toBeLessThanOrEqual(1024 * 1024);
  });

  test('eachChunk: false stops the read and frees the connection; what the consumer throws rejects; a cut body is transient', async () => {
    let closed = 0;
    const endless = await serve((_req, res) => {
      res.writeHead(200);
      const chunk = Buffer.alloc(16 * 1024, 0x61);
      const pump = () => { while (res.write(chunk)) { /* until backpressure */ } };
      res.on('drain', pump);
      res.on('close', () => { closed++; });
      pump();
    });
    const cut = await serve((req, res) => {
      res.writeHead(200, { 'content-length': '100' });
      res.write('x'.repeat(10));
      setTimeout(() => req.socket.destroy(), 20);
    });
    servers.push(endless, cut);
    const { c } = client({ baseUrl: endless.url });
    let chunks = 0;
    await (await c.request({ url: '/' })).eachChunk(() => ++chunks < 3);
    expect(chunks).toBe(3);
    for (let i = 0; i < 50 && closed === 0; i++) await new Promise((r) => setTimeout(r, 20));
    expect(closed).toBe(1);
    const boom = new ProtocolError('the consumer refused a chunk');
    expect(await rejection((await c.request({ url: '/' })).eachChunk(() => { throw boom; }))).toBe(boom);
    const { c: c2 } = client({ baseUrl: cut.url });
    const e = await rejection((await c2.request({ url: '/' })).eachChunk(() => undefined));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toMatch(/cut off/);
  });

  test('one byte every 300 ms stops at the request deadline, not per chunk', async () => {
    const s = await serve((_req, res) => {
      res.writeHead(200);
      const t = setInterval(() => res.write('['), 300);
      res.on('close', () => clearInterval(t));
    });
    servers.push(s);
    const { c } = client({ baseUrl: s.url, timeoutMs: 1000, requestDeadlineMs: 1500, requestDeadlineSetting: 'request_deadline' });
    const started = Date.now();
    const res = await c.request({ url: '/' });
    const e = await rejection(res.text());
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('request_deadline');
    expect(Date.now() - started).toBeLessThan(5000);
    const again = Date.now();
    const e2 = await rejection((await c.request({ url: '/' })).eachChunk(() => undefined));
    expect(e2).toBeInstanceOf(TransientError);
    expect(e2.message).toContain('request_deadline');
    expect(Date.now() - again).toBeLessThan(5000);
  });

  test('the deadline also bounds waiting for headers across retries', async () => {
    const s = await serve(() => undefined);
    servers.push(s);
    const { c } = client({ baseUrl: s.url, timeoutMs: 10_000, requestDeadlineMs: 800, requestDeadlineSetting: 'request_deadline' });
    const started = Date.now();
    const e = await rejection(c.request({ url: '/' }));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('request_deadline');
    expect(Date.now() - started).toBeLessThan(5000);
  });
});

test('ConfigError is still what a bad URL gives', async () => {
  const { c } = client({ baseUrl: 'http://127.0.0.1:1' });
  expect(await rejection(c.request({ url: 'http://[' }))).toBeInstanceOf(ConfigError);
});
