/**
 * The standalone collector with a PCE connection in collector.json's `accounts`, named by two
 * Illumio inputs; its secret comes from the environment (or a file), as the inputs' secrets do.
 * The outside world: the Illumio PCE simulator; events go to an NDJSON file.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { main } from '../../src/cli/ta-zerotrust';
import { accountSecretEnvName, checkCollectorConfig, secretEnvName } from '../../src/core/standalone/config';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';

const descriptions = descriptionsOf(SOURCE_MODULES);
const H = 3_600_000;

let dir: string;
let pce: IllumioSimulator;

beforeEach(async () => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-standalone-accounts-'));
  pce = await startIllumioSimulator({ jobRetryAfterSec: 0 });
});

afterEach(async () => {
  await pce.stop();
  fs.rmSync(dir, { recursive: true, force: true });
});

function capture(): { stream: Writable; text: () => string } {
  let text = '';
  return { stream: new Writable({ write(c, _e, cb) { text += c.toString(); cb(); } }), text: () => text };
}

const account = () => ({ name: 'prod', kind: 'illumio_pce', params: { pce_url: pce.url, org_id: pce.org, api_key_id: pce.keyId, timeout: 30 } });

function problems(doc: Record<string, unknown>): string {
  try {
    checkCollectorConfig({ sink: { type: 'ndjson', path: 'x' }, ...doc }, descriptions, '/cfg');
  } catch (e) {
    return (e as Error).message;
  }
  return '';
}

test('two inputs name one connection; its secret comes once from the environment and appears in no output', async () => {
  pce.addEvents(30, Date.now() - 2 * H, Date.now() - 120_000);
  const file = path.join(dir, 'collector.json');
  fs.writeFileSync(file, JSON.stringify({
    state_dir: 'state',
    sink: { type: 'ndjson', path: 'out/events.ndjson' },
    accounts: [account()],
    inputs: [
      { name: 'pce', scheme: 'illumio_pce_events', params: { pce_connection: 'prod', start_date: '-6h' } },
      { name: 'pce_health', scheme: 'illumio_pce_health', params: { pce_connection: 'prod' } },
    ],
  }));
  const out = capture();
  const err = capture();
  const env = { [accountSecretEnvName('illumio_pce', 'prod', 'api_secret')]: pce.secret };
  expect(accountSecretEnvName('illumio_pce', 'prod', 'api_secret')).toBe('TA_ZEROTRUST_SECRET_ILLUMIO_PCE_PROD_API_SECRET');
  const code = await main(['run', '--config', file, '--once'], { stdout: out.stream, stderr: err.stream, env });
  expect(err.text()).toBe('');
  expect(code).toBe(0);
  expect(out.text()).toMatch(/illumio_pce_events:\/\/pce: ok, 30 events/);
  expect(out.text()).toMatch(/illumio_pce_health:\/\/pce_health: ok, [1-9]\d* events/);
  const events = fs.readFileSync(path.join(dir, 'out', 'events.ndjson'), 'utf8');
  const log = fs.readFileSync(path.join(dir, 'state', 'log', 'ta_zerotrust_events_standalone.log'), 'utf8');
  expect(events + log + out.text()).not.toContain(pce.secret);
});

test('collector.json: an unknown connection, a secret in the file, a duplicate and a missing secret are named with what to do', async () => {
  const input = (name: string) => ({ name: 'pce', scheme: 'illumio_pce_events', params: { pce_connection: name } });
  expect(problems({ accounts: [account()], inputs: [input('staging')] }))
    .toContain('inputs[0].params.pce_connection: no Illumio PCE connection named "staging" in accounts; add it there (kind illumio_pce) or correct the name.');
  expect(problems({ accounts: [{ ...account(), params: { ...account().params, api_secret: 'x' } }], inputs: [input('prod')] }))
    .toContain('accounts[0].params.api_secret: secrets are not read from the config file; put it in the environment variable TA_ZEROTRUST_SECRET_ILLUMIO_PCE_PROD_API_SECRET or in a file named by params.api_secret_file.');
  expect(problems({ accounts: [account(), account()], inputs: [input('prod')] })).toContain('accounts[1]: illumio_pce "prod" is defined twice');
  expect(problems({ accounts: [{ ...account(), name: '../x' }], inputs: [input('prod')] })).toContain('accounts[0].name');
  // An input naming a connection needs none of its PCE settings; one without needs them all.
  expect(problems({ accounts: [account()], inputs: [input('prod')] })).toBe('');
  expect(problems({ inputs: [{ name: 'pce', scheme: 'illumio_pce_events', params: {} }] })).toContain('inputs[0].params.pce_url: is required.');

  const file = path.join(dir, 'collector.json');
  fs.writeFileSync(file, JSON.stringify({ state_dir: 'state', sink: { type: 'ndjson', path: 'o' }, accounts: [account()], inputs: [input('prod')] }));
  const err = capture();
  const code = await main(['check', '--config', file], { stdout: capture().stream, stderr: err.stream, env: {} });
  expect(code).not.toBe(0);
  expect(err.text()).toContain('accounts[0] (illumio_pce prod): API key secret is missing; set the environment variable TA_ZEROTRUST_SECRET_ILLUMIO_PCE_PROD_API_SECRET or params.api_secret_file.');
  // The input's own secret is not asked for: the connection supplies it.
  expect(err.text()).not.toContain(secretEnvName('pce', 'api_secret'));
});

test('a connection named in the file with its own PCE settings in the input fails that run, saying which', async () => {
  const file = path.join(dir, 'collector.json');
  fs.writeFileSync(file, JSON.stringify({
    state_dir: 'state', sink: { type: 'ndjson', path: 'o' }, accounts: [account()],
    inputs: [{ name: 'pce', scheme: 'illumio_pce_events', params: { pce_connection: 'prod', org_id: 2 } }],
  }));
  const out = capture();
  const err = capture();
  const code = await main(['run', '--config', file, '--once'], { stdout: out.stream, stderr: err.stream, env: { TA_ZEROTRUST_SECRET_ILLUMIO_PCE_PROD_API_SECRET: pce.secret } });
  expect(code).not.toBe(0);
  expect(err.text()).toContain('illumio_pce_events://pce: names the Illumio PCE connection "prod" (pce_connection) and also sets its own org_id.');
});

test('a key the PCE refuses is fixed in the connection: the 401 names it, where it is, and the inputs sharing it, without the secret', async () => {
  const file = path.join(dir, 'collector.json');
  fs.writeFileSync(file, JSON.stringify({
    state_dir: 'state', sink: { type: 'ndjson', path: 'o' }, accounts: [account()],
    inputs: [
      { name: 'pce', scheme: 'illumio_pce_events', params: { pce_connection: 'prod', start_date: '-1h' } },
      { name: 'pce_health', scheme: 'illumio_pce_health', params: { pce_connection: 'prod' }, disabled: true },
    ],
  }));
  const out = capture();
  const err = capture();
  const code = await main(['run', '--config', file, '--once'], { stdout: out.stream, stderr: err.stream, env: { TA_ZEROTRUST_SECRET_ILLUMIO_PCE_PROD_API_SECRET: 'not-the-key-secret' } });
  expect(code).not.toBe(0);
  expect(err.text()).toContain(`refused API key "${pce.keyId}" (HTTP 401)`);
  expect(err.text()).toContain('update the Illumio PCE connection "prod" (stanza [illumio_pce://prod] of the accounts of collector.json; ' +
    'edit it in accounts of collector.json; the 2 inputs that name it all use it), not the input.');
  expect(err.text() + out.text()).not.toContain('not-the-key-secret');
});
