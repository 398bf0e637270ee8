/**
 * One PCE connection shared by the Illumio inputs, end to end: bin/<scheme>.sh spawned as splunkd
 * spawns it (input XML on stdin, a session key), the connection in the app's
 * local/ta_zerotrust_events_accounts.conf, its secret in the loopback splunkd stand-in's
 * storage/passwords (which writes its configs/conf-* edits to the app's local/ as splunkd does),
 * the Illumio PCE simulator as the PCE.
 */
import * as fs from 'fs';
import * as os from 'os';
import * as path from 'path';
import { ACCOUNTS_CONF, ACCOUNTS_CONF_FILE } from '../../src/core/account';
import { parseConf, toMap } from '../../src/core/conf/parse';
import { MASK } from '../../src/core/description';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { child, parseXml } from '../protocol/xml-tree';
import { ensureBundle, logFileText, REPO, runLauncher, type SpawnResult } from '../support/launcher';
import { inputXml, itemsXml, type SplunkdStdinSession } from '../support/modinput-xml';
import { startSplunkd, type SplunkdStandIn } from '../support/splunkd';

const ACCOUNT = 'illumio_pce://prod';

let tmp: string;
let appDir: string;
let splunkd: SplunkdStandIn;
let sim: IllumioSimulator;

beforeAll(ensureBundle);

beforeEach(async () => {
  tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-e2e-accounts-'));
  // The app as installed: its shipped default/, and a local/ splunkd writes into.
  appDir = path.join(tmp, 'TA-zerotrust-events');
  fs.mkdirSync(appDir);
  fs.symlinkSync(path.join(REPO, 'default'), path.join(appDir, 'default'));
  splunkd = await startSplunkd({ app: 'TA-zerotrust-events', mirror: { appDir, files: [ACCOUNTS_CONF] } });
  sim = await startIllumioSimulator({});
  const now = Date.now();
  sim.addEvents(40, now - 2 * 3600e3, now - 120_000);
});

afterEach(async () => {
  await sim.stop();
  await splunkd.close();
  fs.rmSync(tmp, { recursive: true, force: true });
});

const session = (scheme: string): SplunkdStdinSession => {
  const checkpointDir = path.join(tmp, 'modinputs', scheme);
  fs.mkdirSync(checkpointDir, { recursive: true });
  return { serverUri: splunkd.url, sessionKey: splunkd.sessionKey, checkpointDir };
};

const env = () => ({ TA_ZEROTRUST_APP_DIR: appDir });
const splunkHome = () => path.join(tmp, 'splunk');

function launch(scheme: string, stanzas: Record<string, Record<string, string>>): Promise<SpawnResult> {
  return runLauncher(scheme, inputXml(session(scheme), stanzas), splunkHome(), { env: env() });
}

/** The connection as an admin left it in local/ after the Accounts tab or a hand edit: the secret in clear. */
function defineAccount(): void {
  splunkd.setConf(ACCOUNTS_CONF, ACCOUNT, { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, timeout: '30' });
}

const hrefs = (r: SpawnResult) => r.events.filter((e) => e.sourcetype === 'illumio:pce:event').map((e) => (JSON.parse(e.data) as { href: string }).href);

function everything(...runs: SpawnResult[]): string {
  return [...runs.map((r) => r.stdout + r.stderr), logFileText(splunkHome(), 'illumio_pce_events'), logFileText(splunkHome(), 'illumio_pce_health')].join('\n');
}

test('the events and health inputs share one connection: its secret is stored once, masked in the accounts conf, and appears nowhere', async () => {
  defineAccount();
  // Both start at once, as splunkd starts its inputs: both find the secret in clear.
  const [events, health] = await Promise.all([
    launch('illumio_pce_events', { 'illumio_pce_events://prod': { pce_connection: 'prod', start_date: '-3h', index: 'main', interval: '300' } }),
    launch('illumio_pce_health', { 'illumio_pce_health://prod': { pce_connection: 'prod', index: 'main', interval: '300' } }),
  ]);
  expect([events.code, health.code]).toEqual([0, 0]);
  expect(new Set(hrefs(events))).toEqual(new Set(sim.hrefsBetween(0, Date.now())));
  expect(health.events.filter((e) => e.sourcetype === 'illumio:pce:health').length).toBeGreaterThan(0);
  // The requests reached the PCE with the connection's key.
  expect(sim.served.some((s) => s.endpoint === 'health' && s.status === 200)).toBe(true);

  expect(splunkd.passwords().map((p) => `${p.realm} ${p.username}`)).toEqual([`${ACCOUNT} api_secret`]);
  expect(splunkd.getPassword(ACCOUNT, 'api_secret')).toBe(sim.secret);
  const local = toMap(parseConf(fs.readFileSync(path.join(appDir, 'local', ACCOUNTS_CONF_FILE), 'utf8')));
  expect(local.get(ACCOUNT)?.get('api_secret')).toBe(MASK);
  expect(local.get(ACCOUNT)?.get('pce_url')).toBe(sim.url);
  expect(everything(events, health)).not.toContain(sim.secret);

  // The next run reads the masked conf from disk and the secret from storage/passwords.
  const now = Date.now();
  sim.addEvents(5, now - 60_000, now - 30_000, 77);
  const again = await launch('illumio_pce_events', { 'illumio_pce_events://prod': { pce_connection: 'prod', start_date: '-3h' } });
  expect(again.code).toBe(0);
  expect(hrefs(again).length).toBe(5);
  expect(splunkd.passwords()).toHaveLength(1);
  expect(everything(again)).not.toContain(sim.secret);
}, 120_000);

test('an input with its own settings keeps working, and moving it to a connection of the same PCE goes on from its checkpoint', async () => {
  const stanza = 'illumio_pce_events://legacy';
  const own = { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h' };
  splunkd.setConf('inputs', stanza, own);
  const first = await launch('illumio_pce_events', { [stanza]: own });
  expect(first.code).toBe(0);
  expect(hrefs(first)).toHaveLength(40);
  expect(splunkd.getPassword(stanza, 'api_secret')).toBe(sim.secret);
  expect(splunkd.conf('inputs', stanza)?.api_secret).toBe(MASK);

  defineAccount();
  const now = Date.now();
  sim.addEvents(3, now - 60_000, now - 30_000, 78);
  const moved = await launch('illumio_pce_events', { [stanza]: { pce_connection: 'prod', start_date: '-3h' } });
  expect(moved.code).toBe(0);
  // Only what is new: the checkpoint belongs to the input, not to where its settings come from.
  expect(hrefs(moved)).toHaveLength(3);
  expect(everything(first, moved)).not.toContain(sim.secret);
}, 120_000);

describe('--validate-arguments', () => {
  const validate = async (params: Record<string, string>): Promise<{ code: number | null; message?: string; all: string }> => {
    const r = await runLauncher('illumio_pce_traffic', itemsXml(session('illumio_pce_traffic'), 'flows', params), splunkHome(), { env: env(), args: ['--validate-arguments'] });
    return { code: r.code, all: r.stdout + r.stderr, ...(r.stdout ? { message: child(parseXml(r.stdout), 'message')?.text } : {}) };
  };

  test('a form naming the connection passes the live check with the connection\'s key, and writes nothing', async () => {
    defineAccount();
    const r = await validate({ pce_connection: 'prod', start_date: '-1h' });
    expect(r).toMatchObject({ code: 0, all: '' });
    expect(splunkd.passwords()).toEqual([]);
    expect(splunkd.conf(ACCOUNTS_CONF, ACCOUNT)?.api_secret).toBe(sim.secret);
  }, 60_000);

  test('an unknown connection, and a form that names one and sets its own PCE settings, are refused saying what to do', async () => {
    const unknown = await validate({ pce_connection: 'staging' });
    expect(unknown.code).toBe(1);
    expect(unknown.message).toBe(`illumio_pce_traffic://flows: no Illumio PCE connection named "staging" in ${ACCOUNTS_CONF_FILE}; define it on the Configuration page's Accounts tab, or correct pce_connection.`);
    defineAccount();
    const both = await validate({ pce_connection: 'prod', pce_url: 'https://other.example.com', api_secret: 'typed-in-form-77' });
    expect(both.code).toBe(1);
    expect(both.message).toContain('names the Illumio PCE connection "prod" (pce_connection) and also sets its own pce_url, api_secret.');
    expect(both.all).not.toContain('typed-in-form-77');
    const neither = await validate({});
    expect(neither.message).toContain('"pce_url" (PCE URL) is required. Set it in the input\'s settings, or name an Illumio PCE connection in pce_connection.');
  }, 60_000);
});
