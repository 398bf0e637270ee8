import * as path from 'node:path';
import { ConfigError, ProtocolError, TransientError } from '../../src/core/errors';
import { classifyFailure, createHttpClient, errorCode, parseRetryAfter } from '../../src/core/http';
import { startProxy } from '../support/proxy';
import { rejection } from '../support/rejection';
import { recordingClients, serve } from '../support/serve';
import { makeTestPki, type TestPki } from '../support/tls';

const { client, servers, closeAll } = recordingClients(4);
afterEach(closeAll);

describe('retries', () => {
  test('429 with Retry-After in seconds is waited exactly, then the answer is returned', async () => {
    const s = await serve((_req, res, n) => {
      if (n === 1) res.writeHead(429, { 'retry-after': '7' }).end('slow down');
      else res.writeHead(200, { 'content-type': 'application/json' }).end('{"ok":true}');
    });
    servers.push(s);
    const { c, delays } = client({ baseUrl: s.url });
    const res = await c.request({ url: '/api/v2/events', query: { max_results: 10 } });
    expect(await res.json()).toEqual({ ok: true });
    expect(delays).toEqual([7000]);
    expect(s.hits.map((h) => h.url)).toEqual(['/api/v2/events?max_results=10', '/api/v2/events?max_results=10']);
  });

  test('Retry-After as an HTTP-date is honoured', () => {
    const now = Date.parse('2026-11-21T12:00:00Z');
    expect(parseRetryAfter('Sat, 21 Nov 2026 12:00:30 GMT', now)).toBe(30_000);
    expect(parseRetryAfter('120', now)).toBe(120_000);
    expect(parseRetryAfter('soon', now)).toBeUndefined();
  });

  test('503 every time: exponential backoff with jitter, then TransientError with a summary', async () => {
    const s = await serve((_req, res) => res.writeHead(503).end('busy'));
    servers.push(s);
    const { c, delays } = client();
    const e = await rejection(c.request({ url: `${s.url}/path?token=abc` }));
    expect(e).toBeInstanceOf(TransientError);
    expect((e as TransientError).status).toBe(503);
    expect(e.message).toMatch(new RegExp(`^GET http://127\\.0\\.0\\.1:${s.port}/path: 503 after 5 attempts over \\d+\\.\\d s\\.$`));
    // random() = 0.5 of min(1000, 100·2^n)
    expect(delays).toEqual([50, 100, 200, 400]);
    expect(s.hits).toHaveLength(5);
  });

  test('Retry-After longer than the cap stops at once', async () => {
    const s = await serve((_req, res) => res.writeHead(429, { 'retry-after': '3600' }).end());
    servers.push(s);
    const { c, delays } = client();
    const e = await rejection(c.request({ url: s.url }));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('retry after 3600.0 s');
    expect(delays).toEqual([]);
    expect(s.hits).toHaveLength(1);
  });

  test('retry: false makes exactly one attempt and returns nothing but the error', async () => {
    const s = await serve((_req, res) => res.writeHead(500).end());
    servers.push(s);
    const { c, delays } = client();
    const e = await rejection(c.request({ url: s.url, method: 'POST', body: 'x', retry: false }));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('POST');
    expect(e.message).toContain('after 1 attempt over');
    expect(delays).toEqual([]);
    expect(s.hits).toHaveLength(1);
  });

  test('a socket reset is retried', async () => {
    const s = await serve((req, res, n) => {
      if (n <= 2) req.socket.destroy();
      else res.end('fine');
    });
    servers.push(s);
    const { c, delays } = client();
    const res = await c.request({ url: s.url });
    expect(await res.text()).toBe('fine');
    expect(delays).toHaveLength(2);
  });

  test('a hanging server times out, is retried, and ends as TransientError', async () => {
    const s = await serve(() => undefined);
    servers.push(s);
    const { c } = client({ timeoutMs: 200, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const e = await rejection(c.request({ url: s.url }));
    expect(e).toBeInstanceOf(TransientError);
    expect(e.message).toContain('timed out waiting for the response after 2 attempts');
    expect(s.hits).toHaveLength(2);
  });

  test('other statuses are returned to the caller', async () => {
    const s = await serve((_req, res) => res.writeHead(404).end('nope'));
    servers.push(s);
    const { c } = client();
    const res = await c.request({ url: s.url });
    expect(res.status).toBe(404);
    expect(await res.text()).toBe('nope');
  });

  test('connection refused names host:port after the retries', async () => {
    const s = await serve(() => undefined);
    const port = s.port;
    await s.close();
    const { c, delays } = client({ retry: { retries: 2, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const e = await rejection(c.request({ url: `http://127.0.0.1:${port}/x` }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(`cannot connect to 127.0.0.1:${port} (connection refused) after 3 attempts`);
    expect(delays).toHaveLength(2);
  });
});

describe('TLS', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.cleanup());

  test('a self-signed server certificate is refused with a ConfigError naming the host and the setting', async () => {
    const s = await serve((_req, res) => res.end('secret data'), pki.selfSigned);
    servers.push(s);
    const { c, delays } = client({ caSettingName: 'ca_cert_path' });
    const e = await rejection(c.request({ url: `https://localhost:${s.port}/api` }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain('certificate of localhost is not trusted');
    expect(e.message).toContain('DEPTH_ZERO_SELF_SIGNED_CERT');
    expect(e.message).toContain('ca_cert_path');
    expect((e as ConfigError).field).toBe('ca_cert_path');
    expect(delays).toEqual([]);
  });

  test('a certificate from a private CA is refused without the CA file and accepted with it', async () => {
    const s = await serve((_req, res) => res.end('hello'), pki.server);
    servers.push(s);
    const refused = await rejection(client().c.request({ url: `https://localhost:${s.port}/` }));
    expect(refused).toBeInstanceOf(ConfigError);
    expect(refused.message).toContain('UNABLE_TO_VERIFY_LEAF_SIGNATURE');
    const res = await client({ caCertPath: pki.caCert }).c.request({ url: `https://127.0.0.1:${s.port}/` });
    expect(await res.text()).toBe('hello');
  });

  test('verifyTls: false accepts an untrusted certificate', async () => {
    const s = await serve((_req, res) => res.end('ok'), pki.selfSigned);
    servers.push(s);
    const res = await client({ verifyTls: false }).c.request({ url: `${s.url}/` });
    expect(await res.text()).toBe('ok');
  });

  test('a missing or non-PEM CA file is a ConfigError naming the path', () => {
    const missing = path.join(pki.dir, 'nope.pem');
    expect(() => createHttpClient({ verifyTls: true, timeoutMs: 1000, caCertPath: missing }))
      .toThrow(new ConfigError(`The CA certificate file ${missing} (ca_cert_path) does not exist. Set ca_cert_path to a readable PEM file.`));
    expect(() => createHttpClient({ verifyTls: true, timeoutMs: 1000, caCertPath: pki.serverKey }))
      .toThrow(/contains no PEM certificate/);
  });
});

describe('proxy', () => {
  let pki: TestPki;
  beforeAll(() => {
    pki = makeTestPki();
  });
  afterAll(() => pki.cleanup());

  test('requests go through the proxy with Proxy-Authorization from the credentials', async () => {
    const target = await serve((req, res) => res.end(`via ${req.headers.host}`), pki.server);
    const proxy = await startProxy({ auth: { username: 'svc', password: 'pr0xy-Pass!' } });
    servers.push(target, proxy);
    const { c } = client({ proxyUrl: proxy.url, proxyUsername: 'svc', proxyPassword: 'pr0xy-Pass!', caCertPath: pki.caCert });
    const res = await c.request({ url: `https://localhost:${target.port}/events` });
    expect(await res.text()).toBe(`via localhost:${target.port}`);
    expect(proxy.seen).toEqual([{
      method: 'CONNECT', target: `localhost:${target.port}`,
      proxyAuthorization: `Basic ${Buffer.from('svc:pr0xy-Pass!').toString('base64')}`,
    }]);
    expect(target.hits[0].headers['proxy-authorization']).toBeUndefined();
  });

  test('credentials in the proxy URL work too, and a refusal names the proxy but not the password', async () => {
    const target = await serve((_req, res) => res.end('x'));
    const proxy = await startProxy({ auth: { username: 'svc', password: 'right' } });
    servers.push(target, proxy);
    const ok = client({ proxyUrl: `http://svc:right@127.0.0.1:${proxy.port}` });
    expect(await (await ok.c.request({ url: `${target.url}/` })).text()).toBe('x');
    const bad = client({ proxyUrl: `http://svc:wr0ng-Pa55@127.0.0.1:${proxy.port}`, proxySettingName: 'proxy_url' });
    const e = await rejection(bad.c.request({ url: `${target.url}/` }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(`proxy 127.0.0.1:${proxy.port} refused the credentials (407`);
    expect(e.message).not.toContain('wr0ng-Pa55');
  });

  test('an unreachable proxy is named', async () => {
    const gone = await startProxy();
    const port = gone.port;
    await gone.close();
    const { c } = client({ proxyUrl: `http://user:hunter2hunter2@127.0.0.1:${port}`, retry: { retries: 0 } });
    const e = await rejection(c.request({ url: 'https://pce.example.com:8443/api' }));
    expect(e).toBeInstanceOf(ConfigError);
    expect(e.message).toContain(`cannot connect to the proxy 127.0.0.1:${port}`);
    expect(e.message).not.toContain('hunter2hunter2');
  });
});

describe('redaction', () => {
  test('configured secrets, Authorization values and URL credentials never reach messages or logs', async () => {
    const secret = 'S3cr3t-Api-Key-42';
    const s = await serve((_req, res) => res.writeHead(503).end(`echo ${secret}`));
    servers.push(s);
    const logged: string[] = [];
    const log = {
      debug: () => undefined, info: () => undefined,
      warn: (m: string, meta?: Record<string, unknown>) => logged.push(m + JSON.stringify(meta)),
      error: () => undefined, child() { return this; },
    };
    const { c } = client({ secrets: [secret], logger: log, retry: { retries: 1, baseDelayMs: 1, maxDelayMs: 1, maxRetryAfterMs: 1 } });
    const u = new URL(s.url);
    u.username = 'api_user';
    u.password = 'url-pass-99';
    u.pathname = `/orgs/${secret}/events`;
    u.searchParams.set('key', secret);
    const e = await rejection(c.request({ url: u.toString(), headers: { Authorization: 'Bearer tok-abcdefghijk' } }));
    expect(e).toBeInstanceOf(TransientError);
    for (const text of [e.message, ...logged]) {
      expect(text).not.toContain(secret);
      expect(text).not.toContain(encodeURIComponent(secret));
      expect(text).not.toContain('url-pass-99');
      expect(text).not.toContain('tok-abcdefghijk');
    }
    expect(e.message).toContain('/orgs/<redacted>/events: 503');
    expect(logged.length).toBe(1);
  });

  test('json() failure is a ProtocolError with a short excerpt free of secrets', async () => {
    const secret = 'tok_9f8e7d6c5b4a';
    const s = await serve((_req, res) => res.end(`<html>error for ${secret} ${'x'.repeat(500)}</html>`));
    servers.push(s);
    const { c } = client({ secrets: [secret] });
    const res = await c.request({ url: s.url });
    const e = await rejection(res.json());
    expect(e).toBeInstanceOf(ProtocolError);
    expect(e.message).toContain('is not valid JSON; it starts with "<html>error for <redacted> xxx');
    expect(e.message).not.toContain(secret);
    expect(e.message.length).toBeLessThan(300);
  });
});

describe('classification of failures without a network', () => {
  const ctx = {
    method: 'GET', url: 'https://pce.example.com:8443/api/v2/orgs/1/events', host: 'pce.example.com', port: '8443',
    caSettingName: 'ca_cert_path', proxySettingName: 'proxy_url', redact: (s: string) => s,
  };
  const err = (code: string, message = code) => Object.assign(new Error(message), { code });

  test('DNS failures name the host (or the proxy) and say to check the URL', () => {
    expect(classifyFailure(err('ENOTFOUND', 'getaddrinfo ENOTFOUND pce.example.com'), ctx, '').message)
      .toBe('GET https://pce.example.com:8443/api/v2/orgs/1/events: cannot resolve host pce.example.com: check the URL.');
    const viaProxy = classifyFailure(err('EAI_AGAIN'), { ...ctx, proxy: 'proxy.corp:3128' }, '');
    expect(viaProxy).toBeInstanceOf(ConfigError);
    expect(viaProxy.message).toContain('cannot resolve the proxy host proxy.corp: check proxy_url');
  });

  test('the socket error under undici\'s wrapper decides; certificate problems say what is wrong', () => {
    const wrapped = Object.assign(new Error('fetch failed'), { code: 'UND_ERR_SOCKET', cause: err('CERT_HAS_EXPIRED') });
    expect(errorCode(wrapped)).toBe('CERT_HAS_EXPIRED');
    expect(classifyFailure(wrapped, ctx, '').message).toContain('the TLS certificate of pce.example.com has expired (CERT_HAS_EXPIRED)');
    expect(classifyFailure(err('ERR_TLS_CERT_ALTNAME_INVALID'), ctx, '').message).toContain('does not name pce.example.com');
  });
});
