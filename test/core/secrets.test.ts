import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { MASK, type InputDescription } from '../../src/core/description';
import { AuthError, ConfigError } from '../../src/core/errors';
import { resolveSecrets, splunkdConfMasker, splunkdSecretStore } from '../../src/core/secrets';
import type { Logger } from '../../src/core/types';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';
import { rejection } from '../support/rejection';

const ROOT = path.resolve(__dirname, '..', '..');

const desc: InputDescription = {
  scheme: 'demo_events', title: 'Demo', description: 'test input', sourcetype: 'demo:event', defaultInterval: 300,
  args: [
    { name: 'url', title: 'URL', description: 'u', type: 'string', required: true },
    { name: 'api_key', title: 'API key', description: 'k', type: 'string', required: true },
    { name: 'api_secret', title: 'API secret', description: 's', type: 'string', required: true, secret: true },
    { name: 'client_secret', title: 'Client secret', description: 'c', type: 'string', secret: true },
  ],
};

function captureLog(): Logger & { lines: string[] } {
  const lines: string[] = [];
  const mk = (prefix: Record<string, unknown>): Logger => ({
    debug: (m, meta) => lines.push(`DEBUG ${m} ${JSON.stringify({ ...prefix, ...meta })}`),
    info: (m, meta) => lines.push(`INFO ${m} ${JSON.stringify({ ...prefix, ...meta })}`),
    warn: (m, meta) => lines.push(`WARN ${m} ${JSON.stringify({ ...prefix, ...meta })}`),
    error: (m, meta) => lines.push(`ERROR ${m} ${JSON.stringify({ ...prefix, ...meta })}`),
    child: (meta) => mk({ ...prefix, ...meta }),
  });
  return Object.assign(mk({}), { lines });
}

let splunkd: SplunkdStandIn;
beforeEach(async () => {
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events' });
});
afterEach(() => splunkd.close());
const conn = () => ({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: splunkd.app });

describe('splunkdSecretStore (splunk-sdk)', () => {
  test('creates, reads and updates a credential with realm = stanza, username = argument', async () => {
    const store = splunkdSecretStore(conn());
    const realm = 'demo_events://prod:eu';
    expect(await store.get(realm, 'api_secret')).toBeUndefined();
    await store.set(realm, 'api_secret', 'first-Secret=1');
    expect(splunkd.passwords()).toEqual([{ app: 'TA-zerotrust-events', realm, username: 'api_secret', password: 'first-Secret=1' }]);
    expect(await store.get(realm, 'api_secret')).toBe('first-Secret=1');
    await store.set(realm, 'api_secret', 'second&Secret');
    expect(splunkd.passwords()).toHaveLength(1);
    expect(await store.get(realm, 'api_secret')).toBe('second&Secret');
    expect(await store.get(realm, 'client_secret')).toBeUndefined();
    expect(splunkd.requests.every((r) => r.path.startsWith('/servicesNS/nobody/TA-zerotrust-events/storage/passwords'))).toBe(true);
  });

  test('a refused session key is an AuthError that does not contain the key', async () => {
    const store = splunkdSecretStore({ ...conn(), sessionKey: 'not-the-key-0123456789' });
    const e = await rejection(store.get('demo_events://x', 'api_secret'));
    expect(e).toBeInstanceOf(AuthError);
    expect(e.message).toContain('401');
    expect(e.message).not.toContain('not-the-key-0123456789');
  });
});

describe('resolveSecrets', () => {
  const stanza = 'demo_events://prod';

  test('a clear secret is moved to storage/passwords and masked in inputs.conf; the value is returned', async () => {
    const secret = 'Xk9#clear-Secret-Value';
    splunkd.setConf('inputs', stanza, { url: 'https://x', api_key: 'k1', api_secret: secret, interval: '300' });
    const log = captureLog();
    const params = { url: 'https://x', api_key: 'k1', api_secret: secret, interval: '300' };
    const out = await resolveSecrets(desc, stanza, params, { store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log });
    expect(out).toEqual(params);
    expect(splunkd.getPassword(stanza, 'api_secret', 'TA-zerotrust-events')).toBe(secret);
    expect(splunkd.conf('inputs', stanza)).toEqual({ url: 'https://x', api_key: 'k1', api_secret: MASK, interval: '300' });
    // After masking, nothing splunkd serves about the stanza carries the secret any more.
    const confRead = await fetch(`${splunkd.url}/servicesNS/-/-/configs/conf-inputs/${encodeURIComponent(stanza)}?output_mode=json`, {
      headers: { Authorization: `Splunk ${splunkd.sessionKey}` },
    });
    expect(await confRead.text()).not.toContain(secret);
    const masking = splunkd.requests.filter((r) => r.method === 'POST' && r.path.includes('configs/conf-inputs'));
    expect(masking).toHaveLength(1);
    expect(masking[0].form).toEqual({ api_secret: MASK });
    expect(log.lines.join('\n')).not.toContain(secret);
    expect(log.lines.some((l) => l.includes('Moved secrets') && l.includes('api_secret'))).toBe(true);
  });

  test('a masked secret is read back from storage/passwords, nothing is written', async () => {
    splunkd.setPassword(stanza, 'api_secret', 'stored-Secret-1');
    splunkd.setPassword(stanza, 'client_secret', 'stored-Secret-2');
    const out = await resolveSecrets(desc, stanza, { api_key: 'k', api_secret: MASK, client_secret: MASK },
      { store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log: captureLog() });
    expect(out).toEqual({ api_key: 'k', api_secret: 'stored-Secret-1', client_secret: 'stored-Secret-2' });
    expect(splunkd.requests.filter((r) => r.method !== 'GET')).toEqual([]);
  });

  test('a masked secret missing from storage/passwords tells the admin to re-enter it', async () => {
    const e = await rejection(resolveSecrets(desc, stanza, { api_secret: MASK },
      { store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log: captureLog() }));
    expect(e).toBeInstanceOf(ConfigError);
    expect((e as ConfigError).field).toBe('api_secret');
    expect(e.message).toContain('Re-enter the API secret in the input\'s settings');
  });

  test('the mask is written to the app that defines the stanza', async () => {
    splunkd.setConf('inputs', stanza, { api_secret: 'in-search-app-1' }, 'search');
    await resolveSecrets(desc, stanza, { api_secret: 'in-search-app-1' },
      { store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log: captureLog() });
    expect(splunkd.conf('inputs', stanza, 'search')).toEqual({ api_secret: MASK });
    expect(splunkd.conf('inputs', stanza, 'TA-zerotrust-events')).toBeUndefined();
  });

  test('a failed mask keeps the run going and says the secret is still in clear, without printing it', async () => {
    splunkd.setConf('inputs', stanza, { api_secret: 'still-Clear-77' });
    splunkd.failNext(/configs\/conf-inputs/, 500, 10);
    const log = captureLog();
    const out = await resolveSecrets(desc, stanza, { api_secret: 'still-Clear-77' },
      { store: splunkdSecretStore(conn()), masker: splunkdConfMasker(conn()), log });
    expect(out.api_secret).toBe('still-Clear-77');
    expect(splunkd.getPassword(stanza, 'api_secret')).toBe('still-Clear-77');
    const errors = log.lines.filter((l) => l.startsWith('ERROR'));
    expect(errors).toHaveLength(1);
    expect(errors[0]).toContain('still there in clear');
    expect(log.lines.join('\n')).not.toContain('still-Clear-77');
  });

  test('without a store (standalone) clear values pass through and masks are refused', async () => {
    const out = await resolveSecrets(desc, stanza, { api_secret: 'env-Secret' }, { log: captureLog() });
    expect(out.api_secret).toBe('env-Secret');
    await expect(resolveSecrets(desc, stanza, { api_secret: MASK }, { log: captureLog() })).rejects.toThrow(ConfigError);
  });
});

test('a .env file in the working directory is not loaded by splunk-sdk', () => {
  const cwd = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-dotenv-'));
  try {
    fs.writeFileSync(path.join(cwd, '.env'), 'ZT_DOTENV_PROBE=loaded\nNODE_TLS_REJECT_UNAUTHORIZED=0\nLOG_LEVEL=ALL\n');
    const env = { ...process.env };
    delete env.ZT_DOTENV_PROBE;
    delete env.NODE_TLS_REJECT_UNAUTHORIZED;
    delete env.LOG_LEVEL;
    const tsx = pathToFileURL(path.join(ROOT, 'node_modules', 'tsx', 'dist', 'loader.mjs')).href;
    const out = execFileSync(process.execPath, ['--import', tsx, path.join(__dirname, 'fixtures', 'secrets-dotenv.ts')], { cwd, env, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({ probe: null, tls: null, sdkLogLevel: '0' });
  } finally {
    fs.rmSync(cwd, { recursive: true, force: true });
  }
});
