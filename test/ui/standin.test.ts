/** The splunkd stand-in's parts the configuration page relies on: validation, enable/disable, capabilities, ACLs, 409. */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { spawn, spawnSync } from 'node:child_process';
import * as os from 'node:os';
import { schemeXml } from '../../src/core/protocol';
import { descriptionsOf } from '../../src/core/source-module';
import { SOURCE_MODULES } from '../../src/sources';
import { ensureBundle, REPO } from '../support/launcher';
import { passwordEntityName, roleCapabilities, schemeRequirements, startSplunkd, type SplunkdStandIn } from '../support/splunkd';

const META = fs.readFileSync(path.join(__dirname, '..', '..', 'metadata', 'default.meta'), 'utf8');
const NS = '/servicesNS/nobody/TA-zerotrust-events';

let splunkd: SplunkdStandIn;
afterEach(() => splunkd?.close());

async function call(method: string, path: string, body?: Record<string, string>, key = splunkd.sessionKey) {
  const res = await fetch(`${splunkd.url}${path}?output_mode=json`, {
    method,
    headers: { Authorization: `Splunk ${key}`, ...(body ? { 'Content-Type': 'application/x-www-form-urlencoded' } : {}) },
    ...(body ? { body: new URLSearchParams(body).toString() } : {}),
  });
  return { status: res.status, json: await res.json() as { messages?: { text: string }[] } };
}

test('create and edit of data/inputs/<scheme> go through the validator with the stanza as it would be saved', async () => {
  const seen: [string, string, Record<string, string>][] = [];
  splunkd = await startSplunkd({
    validate: async (scheme, name, params) => {
      seen.push([scheme, name, params]);
      return params.org_id === '0' ? `${scheme}://${name}: "org_id" must be at least 1, got 0.` : undefined;
    },
  });
  const base = '/servicesNS/nobody/TA-zerotrust-events/data/inputs/illumio_pce_events';
  const refused = await call('POST', base, { name: 'prod', org_id: '0', api_secret: '********' });
  expect(refused.status).toBe(400);
  expect(refused.json.messages![0].text).toBe('Argument validation for scheme=illumio_pce_events: illumio_pce_events://prod: "org_id" must be at least 1, got 0.');
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')).toBeUndefined();

  expect((await call('POST', base, { name: 'prod', org_id: '7', pce_url: 'https://pce' })).status).toBe(200);
  expect((await call('POST', `${base}/prod`, { org_id: '0' })).status).toBe(400);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.org_id).toBe('7');
  expect(seen.map(([, n, p]) => [n, p])).toEqual([
    ['prod', { org_id: '0', api_secret: '********' }],
    ['prod', { org_id: '7', pce_url: 'https://pce' }],
    ['prod', { org_id: '0', pce_url: 'https://pce' }],
  ]);

  // enable/disable flip `disabled` without a validation run.
  expect((await call('POST', `${base}/prod/disable`, {})).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.disabled).toBe('1');
  expect((await call('POST', `${base}/prod/enable`, {})).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.disabled).toBe('0');
  expect(seen).toHaveLength(3);
});

test('a session without admin rights reads inputs but may not write or read secrets', async () => {
  splunkd = await startSplunkd();
  splunkd.setConf('inputs', 'illumio_pce_events://prod', { org_id: '1' });
  const analyst = splunkd.addSession('analyst', ['list_inputs']);
  expect((await call('GET', '/servicesNS/-/-/data/inputs/illumio_pce_events', undefined, analyst)).status).toBe(200);
  const write = await call('POST', '/servicesNS/nobody/TA-zerotrust-events/data/inputs/illumio_pce_events/prod', { org_id: '2' }, analyst);
  expect(write.status).toBe(403);
  expect(write.json.messages![0].text).toBe('You (user=analyst) do not have permission to perform this operation (requires capability: admin_all_objects).');
  const secrets = await call('GET', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords', undefined, analyst);
  expect(secrets.json.messages![0].text).toContain('requires capability: list_storage_passwords');
  const reader = splunkd.addSession('auditor', ['list_storage_passwords']);
  expect((await call('GET', '/servicesNS/nobody/TA-zerotrust-events/storage/passwords', undefined, reader)).status).toBe(200);
  expect(splunkd.conf('inputs', 'illumio_pce_events://prod')!.org_id).toBe('1');
});

test("roles get the capabilities Splunk's authorize.conf gives them, imported roles included", () => {
  const power = roleCapabilities(['power']);
  expect(power.has('schedule_search')).toBe(true);
  expect(power.has('search')).toBe(true); // imported from user
  expect(power.has('admin_all_objects')).toBe(false);
  expect(power.has('list_storage_passwords')).toBe(false);
  const admin = roleCapabilities(['admin']);
  for (const c of ['admin_all_objects', 'list_storage_passwords', 'edit_storage_passwords']) expect(admin.has(c)).toBe(true);
  expect(() => roleCapabilities(['no_such_role'])).toThrow('Splunk ships no role "no_such_role"');
});

test('secrets: capabilities for the endpoint, then the [passwords] ACL of metadata/default.meta', async () => {
  splunkd = await startSplunkd({ meta: META });
  splunkd.setPassword('illumio_pce_events://prod', 'api_secret', 's3cret');
  const cred = `${NS}/storage/passwords/${encodeURIComponent(passwordEntityName('illumio_pce_events://prod', 'api_secret'))}`;
  const power = splunkd.addUser('pat', ['power']);
  expect((await call('GET', `${NS}/storage/passwords`, undefined, power)).json.messages![0].text)
    .toBe('You (user=pat) do not have permission to perform this operation (requires capability: list_storage_passwords or edit_storage_passwords).');
  // A power user given the capabilities is still outside the [passwords] ACL (admin, sc_admin).
  const powerPlus = splunkd.addSession('pia', [...roleCapabilities(['power']), 'list_storage_passwords', 'edit_storage_passwords'], ['power']);
  const listed = await call('GET', `${NS}/storage/passwords`, undefined, powerPlus);
  expect(listed.status).toBe(200);
  expect(JSON.stringify(listed.json)).not.toContain('s3cret');
  expect((await call('GET', cred, undefined, powerPlus)).status).toBe(404);
  const write = await call('POST', `${NS}/storage/passwords`, { name: 'api_secret', realm: 'illumio_pce_events://x', password: 'p' }, powerPlus);
  expect(write.status).toBe(403);
  expect(write.json.messages![0].text).toContain('its ACL allows write to: admin, sc_admin');

  const admin = splunkd.addUser('ada', ['admin']);
  const got = await call('GET', cred, undefined, admin);
  expect(got.status).toBe(200);
  expect(JSON.stringify(got.json)).toContain('"perms":{"read":["admin","sc_admin"],"write":["admin","sc_admin"]}');
  expect((await call('POST', `${NS}/storage/passwords`, { name: 'api_secret', realm: 'illumio_pce_events://prod', password: 'again' }, admin)).status).toBe(409);
  expect(splunkd.getPassword('illumio_pce_events://prod', 'api_secret')).toBe('s3cret');
});

test('inputs: admin_all_objects for every write, 409 for a name taken; settings: the ACL of their conf', async () => {
  splunkd = await startSplunkd({ meta: META });
  const base = `${NS}/data/inputs/illumio_pce_events`;
  const power = splunkd.addUser('pat', ['power']);
  expect((await call('GET', '/servicesNS/-/-/data/inputs/illumio_pce_events', undefined, power)).status).toBe(200);
  for (const [m, p] of [['POST', base], ['POST', `${base}/prod`], ['POST', `${base}/prod/enable`], ['DELETE', `${base}/prod`]] as const) {
    const r = await call(m, p, m === 'POST' ? { name: 'prod', org_id: '1' } : undefined, power);
    expect([m, p, r.status, r.json.messages![0].text]).toEqual([m, p, 403, expect.stringContaining('requires capability: admin_all_objects')]);
  }
  const admin = splunkd.addUser('ada', ['admin']);
  expect((await call('POST', base, { name: 'prod', org_id: '1' }, admin)).status).toBe(200);
  const again = await call('POST', base, { name: 'prod', org_id: '2' }, admin);
  expect([again.status, again.json.messages![0].text]).toEqual([409, 'An object with name=prod already exists']);

  splunkd.setConf('ta_zerotrust_events_settings', 'logging', { loglevel: 'INFO' });
  const settings = `${NS}/configs/conf-ta_zerotrust_events_settings/logging`;
  expect((await call('GET', settings, undefined, power)).status).toBe(200);
  const denied = await call('POST', settings, { loglevel: 'DEBUG' }, power);
  expect([denied.status, denied.json.messages![0].text]).toEqual([403, expect.stringContaining('its ACL allows write to: admin, sc_admin')]);
  expect((await call('POST', settings, { loglevel: 'DEBUG' }, admin)).status).toBe(200);
  expect(splunkd.conf('ta_zerotrust_events_settings', 'logging')!.loglevel).toBe('DEBUG');
});

/** What `bin/<scheme>.sh --scheme` prints, as splunkd reads it when it introspects the input. */
function launcherScheme(scheme: string): string {
  const r = spawnSync(path.join(REPO, 'bin', `${scheme}.sh`), ['--scheme'], { env: { ...process.env, TA_ZEROTRUST_NODE: process.execPath }, encoding: 'utf8' });
  expect([r.status, r.stderr]).toEqual([0, '']);
  return r.stdout;
}

describe('data/inputs/<scheme> holds a create to required_on_create and an edit to required_on_edit of the scheme', () => {
  beforeAll(() => ensureBundle());

  test('the requirements are read from the scheme the launchers print; none is an argument a connection supplies', () => {
    for (const d of descriptionsOf(SOURCE_MODULES)) {
      const req = schemeRequirements(schemeXml(d));
      // Only settings the input itself must have, and never one its account may hold instead.
      const own = d.args.filter((a) => a.required && !d.account?.args.some((x) => x.name === a.name));
      expect([d.scheme, req.onCreate]).toEqual([d.scheme, own.map((a) => a.name)]);
      expect([d.scheme, req.onEdit]).toEqual([d.scheme, own.filter((a) => !a.secret).map((a) => a.name)]);
    }
    expect(schemeRequirements(launcherScheme('prisma_saas_log_events'))).toEqual({ onCreate: ['client_id', 'client_secret'], onEdit: ['client_id'] });
    expect(schemeRequirements(launcherScheme('illumio_pce_events'))).toEqual({ onCreate: [], onEdit: [] });
  });

  test('a create without a required argument is refused naming it, before validation; an edit need not repeat it', async () => {
    const validated: Record<string, string>[] = [];
    splunkd = await startSplunkd({
      schemes: { prisma_saas_log_events: launcherScheme('prisma_saas_log_events') },
      validate: async (_scheme, _name, params) => { validated.push(params); return undefined; },
    });
    const base = `${NS}/data/inputs/prisma_saas_log_events`;
    const lacking = await call('POST', base, { name: 'prod', client_id: 'abc', interval: '300' });
    expect([lacking.status, lacking.json.messages![0].text]).toEqual([400, 'Missing argument: client_secret']);
    const empty = await call('POST', base, { name: 'prod', client_id: ' ', client_secret: '********from:ta_zerotrust_events_pending://1_a' });
    expect([empty.status, empty.json.messages![0].text]).toEqual([400, 'Missing argument: client_id']);
    expect(splunkd.conf('inputs', 'prisma_saas_log_events://prod')).toBeUndefined();
    expect(validated).toEqual([]);

    const ok = { name: 'prod', client_id: 'abc', client_secret: '********from:ta_zerotrust_events_pending://1_a' };
    expect((await call('POST', base, ok)).status).toBe(200);
    // The secret is masked in inputs.conf after the first run: an edit does not send it again.
    expect((await call('POST', `${base}/prod`, { client_id: 'abc', interval: '600' })).status).toBe(200);
    expect(splunkd.conf('inputs', 'prisma_saas_log_events://prod')).toMatchObject({ client_id: 'abc', interval: '600' });
    // required_on_edit: the client id is sent on every edit.
    const edit = await call('POST', `${base}/prod`, { interval: '900' });
    expect([edit.status, edit.json.messages![0].text]).toEqual([400, 'Missing argument: client_id']);
    expect(splunkd.conf('inputs', 'prisma_saas_log_events://prod')!.interval).toBe('600');
    // enable and disable are not edits of the arguments.
    expect((await call('POST', `${base}/prod/disable`, {})).status).toBe(200);
    expect(validated).toHaveLength(2);
  });

  test("by default the add-on's schemes: an input naming a PCE connection is created without the settings the connection holds", async () => {
    splunkd = await startSplunkd();
    const illumio = await call('POST', `${NS}/data/inputs/illumio_pce_events`, { name: 'prod', pce_connection: 'pce' });
    expect(illumio.status).toBe(200);
    const lacework = await call('POST', `${NS}/data/inputs/lacework_edge_audit`, { name: 'prod', api_token: '********' });
    expect([lacework.status, lacework.json.messages![0].text]).toEqual([400, 'Missing argument: base_url']);
    // A scheme splunkd was not told about is held to nothing (tests of core use made-up ones).
    expect((await call('POST', `${NS}/data/inputs/example_events`, { name: 'prod' })).status).toBe(200);
  });
});

test('a mirrored conf file is replaced whole: a process reading it while edits land never sees it truncated or without its stanza', async () => {
  const appDir = fs.mkdtempSync(path.join(os.tmpdir(), 'ta-mirror-'));
  splunkd = await startSplunkd({ mirror: { appDir, files: ['ta_zerotrust_events_settings'] } });
  splunkd.setConf('ta_zerotrust_events_settings', 'logging', { loglevel: 'INFO' });
  const settings = `${NS}/configs/conf-ta_zerotrust_events_settings/logging`;
  expect((await call('POST', settings, { loglevel: 'DEBUG' })).status).toBe(200);
  const file = path.join(appDir, 'local', 'ta_zerotrust_events_settings.conf');
  expect(fs.readFileSync(file, 'utf8')).toContain('[logging]');
  // Another process reads the file in a loop (as an input reads the app's confs at start).
  const reader = spawn(process.execPath, ['-e', `
    const fs = require('fs'); let reads = 0, bad = 0; const end = Date.now() + 60000;
    process.stdin.on('data', () => { console.log(JSON.stringify({ reads, bad })); process.exit(0); });
    (function loop() { for (let i = 0; i < 200; i++) { reads++; if (!fs.readFileSync(${JSON.stringify(file)}, 'utf8').includes('[logging]')) bad++; } if (Date.now() < end) setImmediate(loop); })();
  `], { stdio: ['pipe', 'pipe', 'inherit'] });
  let out = '';
  reader.stdout!.on('data', (d: Buffer) => { out += d.toString(); });
  for (let i = 0; i < 300; i++) expect((await call('POST', settings, { loglevel: i % 2 ? 'INFO' : 'DEBUG', note: 'x'.repeat(20_000) })).status).toBe(200);
  const done = new Promise((r) => reader.on('close', r));
  reader.stdin!.end('stop\n');
  await done;
  const { reads, bad } = JSON.parse(out) as { reads: number; bad: number };
  expect(reads).toBeGreaterThan(300);
  expect(bad).toBe(0);
  expect(fs.readdirSync(path.join(appDir, 'local'))).toEqual(['ta_zerotrust_events_settings.conf']);
  fs.rmSync(appDir, { recursive: true, force: true });
}, 60_000);
