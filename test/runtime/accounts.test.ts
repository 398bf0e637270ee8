/**
 * An input's account (src/core/accounts.ts) through runStanza and validateStanza: the real conf
 * reader over an app folder on disk, the real secret store and masker against the loopback
 * splunkd stand-in (which writes its configs/conf-* edits to the app's local/ as splunkd does).
 * The vendor is a tiny one defined here, with an account kind of its own.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { accountArgument, ACCOUNTS_CONF, ACCOUNTS_CONF_FILE, type AccountDescription } from '../../src/core/account';
import { confAccountSource } from '../../src/core/accounts';
import { secretRef } from '../../src/core/secret-ref';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { parseConf, toMap } from '../../src/core/conf/parse';
import { commonBoundArgs, commonTransportArgs, httpsUrlCheck, MASK, type InputDescription, type TypedConfig } from '../../src/core/description';
import { ConfigError } from '../../src/core/errors';
import { createHttpClient } from '../../src/core/http';
import { closeLoggers, createLogger } from '../../src/core/log';
import { runStanza, validateStanza, type RunEnv, type StanzaParams } from '../../src/core/runtime';
import { splunkdConfMasker, splunkdSecretStore } from '../../src/core/secrets';
import { XmlStreamSink } from '../../src/core/sinks';
import type { Source } from '../../src/core/types';
import { Collect } from '../support/collect';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

const account: AccountDescription = {
  kind: 'test_conn',
  title: 'Test feed connection',
  description: 'A feed server and its token.',
  param: 'feed_connection',
  args: [
    { name: 'url', title: 'Feed URL', type: 'string', required: true, description: 'Where the feed is.', check: httpsUrlCheck },
    { name: 'port', title: 'Feed port', type: 'number', min: 1, max: 65535, description: 'A number, to see types checked.' },
    { name: 'token', title: 'Feed token', type: 'string', required: true, secret: true, description: 'The token.' },
    ...commonTransportArgs(),
  ],
};

const description: InputDescription = {
  scheme: 'test_feed',
  title: 'Test feed',
  description: 'A vendor of the tests.',
  sourcetype: 'test:feed',
  defaultInterval: 60,
  account,
  args: [accountArgument(account), ...account.args, { name: 'topic', title: 'Topic', type: 'string', default: 'all', description: 'Per input.' }, ...commonBoundArgs()],
};

let tmp: string;
let appDir: string;
let stderr: Collect;
let splunkd: SplunkdStandIn;
let seen: TypedConfig[];

const source: Source = {
  description,
  validate: async (config) => {
    seen.push(config);
  },
  async *collect(config, ctx) {
    seen.push(config);
    // A vendor echoing the credential it was sent: the run's logger must not let it through.
    ctx.log.warn(`server said: token ${String(config.token)} refused; proxy ${String(config.proxy_password ?? '')}`);
    yield { events: [{ data: `topic ${String(config.topic)}` }] };
  },
};

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-accounts-'));
  appDir = path.join(tmp, 'app');
  fs.mkdirSync(path.join(appDir, 'default'), { recursive: true });
  stderr = new Collect();
  seen = [];
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events', mirror: { appDir, files: [ACCOUNTS_CONF] } });
});

afterEach(async () => {
  await closeLoggers();
  await splunkd.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const conn = () => ({ serverUri: splunkd.url, sessionKey: splunkd.sessionKey, app: 'TA-zerotrust-events' });

function env(stanza: string, extra: Partial<RunEnv> = {}): RunEnv {
  return {
    sink: new XmlStreamSink(new Collect()),
    checkpoint: fileCheckpointStore(path.join(tmp, 'checkpoints'), stanza),
    log: createLogger({ input: 'test_feed', stanza, logDir: path.join(tmp, 'log'), stderr }),
    makeHttp: createHttpClient,
    signal: new AbortController().signal,
    stateDir: path.join(tmp, 'state', stanza.replace(/\W/g, '_')),
    secrets: splunkdSecretStore(conn()),
    masker: splunkdConfMasker(conn()),
    accounts: confAccountSource(appDir, splunkdConfMasker({ ...conn(), file: ACCOUNTS_CONF })),
    ...extra,
  };
}

async function logs(): Promise<string> {
  await closeLoggers();
  const f = path.join(tmp, 'log', 'ta_zerotrust_events_test_feed.log');
  return stderr.text + (fs.existsSync(f) ? fs.readFileSync(f, 'utf8') : '');
}

const localAccounts = () => toMap(parseConf(fs.readFileSync(path.join(appDir, 'local', ACCOUNTS_CONF_FILE), 'utf8')));

test('two inputs share one account: a secret typed in clear in the accounts conf is stored once under the account, masked there, and never logged', async () => {
  splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', {
    url: 'https://feed.example.com', port: '8443', token: 'acct-token-9f8e7d', verify_tls: '1', proxy_url: 'http://127.0.0.1:9', proxy_username: 'u', proxy_password: 'proxy-pw-5c4b3a',
  });
  const a = await runStanza(source, 'test_feed://a', { feed_connection: 'main', topic: 'alerts', interval: '60' }, env('test_feed://a'));
  expect(a.status).toBe('ok');
  expect(splunkd.getPassword('test_conn://main', 'token')).toBe('acct-token-9f8e7d');
  // splunkd's edit reached local/ on disk: the next run reads the mask and takes the store's copy.
  expect(localAccounts().get('test_conn://main')?.get('token')).toBe(MASK);
  expect(localAccounts().get('test_conn://main')?.get('proxy_password')).toBe(MASK);
  expect(splunkd.getPassword('test_conn://main', 'proxy_password')).toBe('proxy-pw-5c4b3a');
  expect(splunkd.conf(ACCOUNTS_CONF, 'test_conn://main')?.url).toBe('https://feed.example.com');
  const b = await runStanza(source, 'test_feed://b', { feed_connection: 'main' }, env('test_feed://b'));
  expect(b.status).toBe('ok');
  expect(seen.map((c) => [c.url, c.port, c.token, c.topic, c.feed_connection])).toEqual([
    ['https://feed.example.com', 8443, 'acct-token-9f8e7d', 'alerts', 'main'],
    ['https://feed.example.com', 8443, 'acct-token-9f8e7d', 'all', 'main'],
  ]);
  // Stored once, under the account; the inputs keep no copy and their stanzas were not touched.
  expect(splunkd.passwords().map((p) => `${p.realm}:${p.username}`).sort()).toEqual(['test_conn://main:proxy_password', 'test_conn://main:token']);
  expect(seen[1].proxy_password).toBe('proxy-pw-5c4b3a');
  expect(splunkd.requests.filter((r) => r.method === 'POST' && r.path.includes('conf-inputs'))).toEqual([]);
  const text = await logs();
  expect(text).toContain('server said: token');
  expect(text).not.toContain('acct-token-9f8e7d');
  expect(text).not.toContain('proxy-pw-5c4b3a');
});

test('default/ then local/ of the accounts conf, key by key; a secret only in storage/passwords (no key in the conf) is read from there', async () => {
  fs.writeFileSync(path.join(appDir, 'default', ACCOUNTS_CONF_FILE), '[test_conn://main]\nurl = https://old.example.com\nport = 1\ntimeout = 30\n');
  fs.mkdirSync(path.join(appDir, 'local'));
  fs.writeFileSync(path.join(appDir, 'local', ACCOUNTS_CONF_FILE), '[test_conn://main]\nurl = https://new.example.com\n');
  splunkd.setPassword('test_conn://main', 'token', 'stored-only');
  expect((await runStanza(source, 'test_feed://a', { feed_connection: 'main' }, env('test_feed://a'))).status).toBe('ok');
  expect(seen[0]).toMatchObject({ url: 'https://new.example.com', port: 1, timeout: 30, token: 'stored-only' });
});

describe('clear errors, the same from --validate-arguments', () => {
  const failure = async (params: StanzaParams, validate = false): Promise<string> => {
    if (validate) {
      const e = await validateStanza(source, 'test_feed://a', params, env('test_feed://a')).then(() => undefined, (x: unknown) => x);
      expect(e).toBeInstanceOf(ConfigError);
      return (e as Error).message;
    }
    const summary = await runStanza(source, 'test_feed://a', params, env('test_feed://a'));
    expect(summary).toMatchObject({ status: 'failed', errorKind: 'config' });
    expect(seen).toEqual([]);
    return (await logs()).split('\n').find((l) => l.startsWith('ERROR')) ?? '';
  };

  test.each([false, true])('unknown account (validate: %s)', async (validate) => {
    expect(await failure({ feed_connection: 'nope' }, validate)).toContain(
      `test_feed://a: no Test feed connection named "nope" in ${ACCOUNTS_CONF_FILE}; define it on the Configuration page's Accounts tab, or correct feed_connection.`);
  });

  test.each([false, true])('an account missing a required setting (validate: %s)', async (validate) => {
    splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { port: '1', token: 'x' });
    expect(await failure({ feed_connection: 'main' }, validate)).toContain(
      `test_feed://a: the Test feed connection "main" has no url (Feed URL) in ${ACCOUNTS_CONF_FILE}; define it on the Configuration page's Accounts tab.`);
  });

  test.each([false, true])('a bad value in the account names the account (validate: %s)', async (validate) => {
    splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', port: 'eighty', token: 'x' });
    expect(await failure({ feed_connection: 'main' }, validate)).toContain(
      `[test_conn://main] of ${ACCOUNTS_CONF_FILE}: "port" (Feed port) must be a number, got "eighty".`);
  });

  test.each([false, true])('a stanza naming an account and setting its own connection settings says which (validate: %s)', async (validate) => {
    splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', token: 'x' });
    expect(await failure({ feed_connection: 'main', url: 'https://other.example.com', timeout: '5', topic: 't' }, validate)).toContain(
      'test_feed://a: names the Test feed connection "main" (feed_connection) and also sets its own url, timeout. Remove them from the input');
  });

  test.each([false, true])('a secret storage/passwords does not have (validate: %s)', async (validate) => {
    splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', token: MASK });
    const message = await failure({ feed_connection: 'main' }, validate);
    expect(message).toContain(
      `[test_conn://main] of ${ACCOUNTS_CONF_FILE}: storage/passwords has no secret for realm "test_conn://main", user "token" (Feed token)`);
    // The secret is the connection's: it is typed again there, not in the input.
    expect(message).toContain('Re-enter the Feed token of the Test feed connection "main": edit it on the Configuration page\'s Accounts tab');
    expect(message).not.toContain('input\'s settings');
  });

  test.each([false, true])('a connection taking over a secret storage/passwords does not have is sent to the connection (validate: %s)', async (validate) => {
    splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', token: secretRef('test_conn://gone') });
    const message = await failure({ feed_connection: 'main' }, validate);
    expect(message).toContain('is to be taken from realm "test_conn://gone" of storage/passwords, which has no secret');
    expect(message).toContain('Re-enter the Feed token of the Test feed connection "main": edit it on the Configuration page\'s Accounts tab');
    expect(message).not.toContain('input\'s settings');
  });

  test.each([false, true])('a name that cannot be an account (validate: %s)', async (validate) => {
    expect(await failure({ feed_connection: '../etc' }, validate)).toContain('"feed_connection" "../etc" cannot name an account');
  });
});

test('a conflicting stanza\'s own secret typed in clear is still moved out of inputs.conf before the error', async () => {
  splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', token: 'x' });
  splunkd.setConf('inputs', 'test_feed://a', { feed_connection: 'main', token: 'own-clear-1234' });
  const summary = await runStanza(source, 'test_feed://a', { feed_connection: 'main', token: 'own-clear-1234' }, env('test_feed://a'));
  expect(summary.status).toBe('failed');
  expect(splunkd.conf('inputs', 'test_feed://a')?.token).toBe(MASK);
  expect(splunkd.getPassword('test_feed://a', 'token')).toBe('own-clear-1234');
  const text = await logs();
  expect(text).toContain('also sets its own token');
  expect(text).not.toContain('own-clear-1234');
});

test('validation reads the account but stores and masks nothing', async () => {
  splunkd.setConf(ACCOUNTS_CONF, 'test_conn://main', { url: 'https://feed.example.com', token: 'typed-clear' });
  await validateStanza(source, 'test_feed://a', { feed_connection: 'main' }, env('test_feed://a'));
  expect(seen[0]).toMatchObject({ token: 'typed-clear', url: 'https://feed.example.com' });
  expect(splunkd.passwords()).toEqual([]);
  expect(splunkd.conf(ACCOUNTS_CONF, 'test_conn://main')?.token).toBe('typed-clear');
});

test('a stanza with its own settings works as before and reads no account', async () => {
  splunkd.setConf('inputs', 'test_feed://own', { url: 'https://feed.example.com', token: 'own-secret' });
  const summary = await runStanza(source, 'test_feed://own', { url: 'https://feed.example.com', token: 'own-secret', feed_connection: '' }, env('test_feed://own'));
  expect(summary.status).toBe('ok');
  expect(seen[0]).toMatchObject({ url: 'https://feed.example.com', token: 'own-secret' });
  expect(splunkd.getPassword('test_feed://own', 'token')).toBe('own-secret');
  expect(splunkd.conf('inputs', 'test_feed://own')?.token).toBe(MASK);
  expect(fs.existsSync(path.join(appDir, 'local'))).toBe(false);
});

test('without an account source (no way to read accounts), naming one is a clear error', async () => {
  const summary = await runStanza(source, 'test_feed://a', { feed_connection: 'main' }, env('test_feed://a', { accounts: undefined }));
  expect(summary.status).toBe('failed');
  expect(await logs()).toContain('accounts cannot be read here');
});

test('two runs storing the same new secret at once both succeed: one creates it, the other finds it created and updates it', async () => {
  const [a, b] = [splunkdSecretStore(conn()), splunkdSecretStore(conn())];
  await Promise.all([a.set('test_conn://main', 'token', 'same'), b.set('test_conn://main', 'token', 'same')]);
  // The race did happen: splunkd refused the second create.
  expect(splunkd.requests.filter((r) => r.method === 'POST' && /\/storage\/passwords\/?$/.test(r.path)).map((r) => r.status)).toContain(409);
  expect(splunkd.passwords().map((p) => p.password)).toEqual(['same']);
});
