/**
 * The one builder of HTTP client options (src/core/http/options.ts): inputs' connection settings,
 * the add-on-wide proxy of splunkd's settings page, the HEC sink's `sink.` names. Checked by what
 * a client built from them does against loopback servers and the test proxy.
 */
import * as http from 'node:http';
import type { AddressInfo } from 'node:net';
import { ConfigError } from '../../src/core/errors';
import { createHttpClient } from '../../src/core/http';
import { connectionOptions, withDefaultProxy } from '../../src/core/http/options';
import { startProxy, type TestProxy } from '../support/proxy';

const closers: (() => Promise<void>)[] = [];
afterEach(async () => {
  await Promise.all(closers.splice(0).map((c) => c()));
});

async function target(): Promise<{ url: string; port: number }> {
  const server = http.createServer((req, res) => res.end(`ok ${req.url}`));
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  closers.push(() => new Promise<void>((r) => server.close(() => r())));
  const port = (server.address() as AddressInfo).port;
  return { url: `http://127.0.0.1:${port}`, port };
}

async function proxy(auth?: { username: string; password: string }): Promise<TestProxy> {
  const p = await startProxy(auth ? { auth } : {});
  closers.push(() => p.close());
  return p;
}

test('settings in their units and names; a proxy password counts only with a proxy, and then as a secret', () => {
  const o = connectionOptions({
    verify_tls: false, ca_cert_path: '/etc/ca.pem', timeout: 12, max_response_mb: 3, request_deadline: 90,
    proxy_url: 'http://proxy:3128', proxy_username: 'svc', proxy_password: 'pw-1',
  }, { prefix: 'sink.', secrets: ['tok'] });
  expect(o).toMatchObject({
    verifyTls: false, caCertPath: '/etc/ca.pem', timeoutMs: 12_000, maxResponseBytes: 3 * 1024 * 1024, requestDeadlineMs: 90_000,
    proxyUrl: 'http://proxy:3128', proxyUsername: 'svc', proxyPassword: 'pw-1', secrets: ['tok', 'pw-1'],
    caSettingName: 'sink.ca_cert_path', proxySettingName: 'sink.proxy_url', maxResponseSetting: 'sink.max_response_mb',
  });
  const bare = connectionOptions({ proxy_password: 'stray' });
  expect(bare).toMatchObject({ verifyTls: true, timeoutMs: 60_000, secrets: [], caSettingName: 'ca_cert_path' });
  expect(bare.proxyPassword).toBeUndefined();
  expect(bare.proxyUrl).toBeUndefined();
});

test('the add-on-wide proxy carries an input with none of its own, with its credentials; a per-input proxy wins', async () => {
  const t = await target();
  const addon = await proxy({ username: 'svc', password: 'Addon-Pa55' });
  const own = await proxy();
  const viaAddon = createHttpClient(withDefaultProxy(connectionOptions({}), { url: addon.url, username: 'svc', password: 'Addon-Pa55' }));
  closers.push(() => viaAddon.close());
  expect(await (await viaAddon.request({ url: `${t.url}/a` })).text()).toBe('ok /a');
  expect(addon.seen).toEqual([{ method: 'CONNECT', target: `127.0.0.1:${t.port}`, proxyAuthorization: `Basic ${Buffer.from('svc:Addon-Pa55').toString('base64')}` }]);
  const viaOwn = createHttpClient(withDefaultProxy(connectionOptions({ proxy_url: own.url }), { url: addon.url, username: 'svc', password: 'Addon-Pa55' }));
  closers.push(() => viaOwn.close());
  expect(await (await viaOwn.request({ url: `${t.url}/b` })).text()).toBe('ok /b');
  expect(own.seen).toHaveLength(1);
  expect(addon.seen).toHaveLength(1);
});

test('a refused add-on proxy password is named by the proxy, never shown', async () => {
  const t = await target();
  const addon = await proxy({ username: 'svc', password: 'right' });
  const c = createHttpClient(withDefaultProxy(connectionOptions({}), { url: addon.url, username: 'svc', password: 'Wr0ng-Addon-Pw' }));
  closers.push(() => c.close());
  const e = (await c.request({ url: `${t.url}/` }).catch((x: unknown) => x)) as Error;
  expect(e).toBeInstanceOf(ConfigError);
  expect(e.message).toContain('refused the credentials (407');
  expect(e.message).not.toContain('Wr0ng-Addon-Pw');
  expect(c.redact('x Wr0ng-Addon-Pw y')).not.toContain('Wr0ng-Addon-Pw');
});
