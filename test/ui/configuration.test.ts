/**
 * The configuration page in a real browser (system Chromium, headless) against the Splunk Web and
 * splunkd stand-ins, with splunkd's validation running bin/<scheme>.sh --validate-arguments
 * against the vendor simulators. The screenshots in docs/screenshots/ come from these tests.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { BrowserContext, Page } from 'playwright-core';
import { MASK } from '../../src/core/description';
import { parseSecretRef, PENDING_PREFIX, REF_PREFIX, TOMBSTONE } from '../../src/core/secret-ref';
import { startIllumioSimulator, type IllumioSimulator } from '../../src/sources/illumio/simulator';
import { startLaceworkSimulator } from '../../src/sources/lacework/simulator';
import { DESCRIPTIONS } from '../../src/ui/configuration';
import { credentialName } from '../../src/ui/model';
import { exposeRules, launchChromium, SCREENSHOTS, startHarness, type Harness } from './harness';

const STANZA = 'illumio_pce_events://prod';
const SETTINGS = 'ta_zerotrust_events_settings';

let chromium: Awaited<ReturnType<typeof launchChromium>>;
let sim: IllumioSimulator;
let h: Harness;
let context: BrowserContext;
let page: Page;

beforeAll(async () => {
  chromium = await launchChromium();
  sim = await startIllumioSimulator({});
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
});

afterAll(async () => {
  await chromium?.close();
  await sim?.stop();
});

async function open(sessionKey?: string): Promise<void> {
  context = await chromium.browser.newContext({ viewport: { width: 1200, height: 900 } });
  await context.addCookies(h.web.login(sessionKey ?? h.splunkd.sessionKey));
  page = await context.newPage();
  await page.goto(`${h.web.url}/en-US/app/TA-zerotrust-events/configuration`);
  await page.locator('.tazt-tabs').waitFor();
}

beforeEach(async () => {
  h = await startHarness();
});

afterEach(async () => {
  await context?.close();
  await h?.close();
  // Every call the page made was one a real Splunk Web passes on (web.conf [expose:]).
  if (!expectRefused) expect(h.web.refused).toEqual([]);
  expectRefused = false;
  // The browser never received a stored secret: it never reads or deletes in storage/passwords
  // (both answer with clear_password), and no answer it got carries one.
  expect(h.web.proxied.filter((p) => p.method !== 'POST' && p.path.includes('/storage/passwords')).map((p) => `${p.method} ${p.path}`)).toEqual([]);
  for (const p of h.web.proxied) {
    for (const m of p.responseBody.matchAll(/"clear_password":"((?:[^"\\]|\\.)*)"/g)) expect({ path: p.path, clear: m[1] }).toEqual({ path: p.path, clear: '********' });
  }
});
let expectRefused = false;

const banner = () => page.locator('.tazt-msg');
/** Waits for the page's message, then requires exactly this text. */
async function says(text: string): Promise<void> {
  await banner().filter({ hasText: text }).waitFor();
  expect(await banner().textContent()).toBe(text);
}
const shot = (name: string) => page.screenshot({ path: path.join(SCREENSHOTS, name), fullPage: true });

/** An input saved earlier: its secret in storage/passwords, ******** in inputs.conf. */
function seedInput(name = 'prod', extra: Record<string, string> = {}): void {
  const stanza = `illumio_pce_events://${name}`;
  h.splunkd.setConf('inputs', stanza, {
    pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: MASK, interval: '300', index: 'main', ...extra,
  });
  h.splunkd.setPassword(stanza, 'api_secret', sim.secret);
}

/** Every answer splunkd gave to an inputs or conf request, as text. */
const confBodies = () => h.splunkd.responses.filter((r) => /\/(data\/inputs|configs\/conf-)/.test(r.path)).map((r) => r.body);
/** Every inputs or conf request the page sent, as text. */
const confRequests = () => h.splunkd.requests.filter((r) => /\/(data\/inputs|configs\/conf-)/.test(r.path)).map((r) => `${r.path}?${JSON.stringify(r.query)} ${r.body}`);

const row = (stanza: string) => page.locator(`tr[data-input="${stanza}"]`);

/** Credentials that count: the page tombstones what it removes (the inputs delete those). */
const live = () => h.splunkd.passwords().filter((p) => p.password !== TOMBSTONE);

/** The staged realm a saved secret argument refers to (src/core/secret-ref.ts). */
function stagedRealm(stanza: string, arg: string): string {
  const realm = parseSecretRef(h.splunkd.conf('inputs', stanza)?.[arg]);
  expect(realm?.startsWith(PENDING_PREFIX)).toBe(true);
  return realm!;
}

/** The input's first run takes the referenced secret over: own realm, ******** in inputs.conf, staged copy gone. */
async function firstRunTakesOver(stanza: string, arg: string, secret: string): Promise<void> {
  const run = await h.runInput(stanza);
  expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
  expect(h.splunkd.conf('inputs', stanza)![arg]).toBe(MASK);
  expect(h.splunkd.getPassword(stanza, arg)).toBe(secret);
  expect(h.splunkd.passwords().filter((p) => p.realm.startsWith(PENDING_PREFIX))).toEqual([]);
}

test('add an input with a secret: ******** in inputs.conf, the secret in storage/passwords, never in a conf answer', async () => {
  await open();
  await page.getByText('No inputs yet').waitFor();
  await page.selectOption('select[name=new_input_type]', 'illumio_pce_events');
  await page.getByRole('button', { name: 'Add input' }).click();
  await page.fill('input[name=name]', 'prod');
  await page.fill('input[name=pce_url]', sim.url);
  await page.fill('input[name=org_id]', String(sim.org));
  await page.fill('input[name=api_key_id]', sim.keyId);
  await page.fill('input[name=api_secret]', sim.secret);
  expect(await page.getAttribute('input[name=api_secret]', 'type')).toBe('password');
  await shot('configuration-add-input.png');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${STANZA} saved.`);

  const saved = h.splunkd.conf('inputs', STANZA)!;
  expect(saved).toMatchObject({ pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, interval: '300' });
  // The typed secret was staged in storage/passwords; the stanza refers to it.
  const staged = stagedRealm(STANZA, 'api_secret');
  expect(saved.api_secret).toBe(`${REF_PREFIX}${staged}`);
  expect(h.splunkd.getPassword(staged, 'api_secret', 'TA-zerotrust-events')).toBe(sim.secret);
  // splunkd validated the stanza as saved, the validator reading the secret from storage/passwords.
  expect(h.validations.filter((v) => v.name === 'prod')).toEqual([expect.objectContaining({ params: expect.objectContaining({ api_secret: saved.api_secret }) })]);
  expect(h.validations.every((v) => v.message === undefined)).toBe(true);
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain(sim.secret);

  await row(STANZA).waitFor();
  expect(await row(STANZA).locator('td').allTextContents()).toEqual(['prod', 'Illumio PCE events', '300', 'default', 'Enabled', expect.stringContaining('Edit')]);
  await shot('configuration-inputs.png');
  await firstRunTakesOver(STANZA, 'api_secret', sim.secret);
});

test('a save the live check refuses keeps nothing: no stanza, no secret left in storage/passwords', async () => {
  await open();
  await page.getByRole('button', { name: 'Add input' }).click();
  await page.fill('input[name=name]', 'prod');
  await page.fill('input[name=pce_url]', sim.url);
  await page.fill('input[name=org_id]', String(sim.org));
  await page.fill('input[name=api_key_id]', sim.keyId);
  await page.fill('input[name=api_secret]', 'wrong-secret-typed');
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: 'Creating illumio_pce_events://prod' }).waitFor();
  const text = await banner().textContent();
  expect(text).toContain(sim.keyId);
  expect(text).not.toContain('wrong-secret-typed');
  expect(h.splunkd.conf('inputs', STANZA)).toBeUndefined();
  expect(live()).toEqual([]);
  // The form stays, with what was typed, for a correction.
  expect(await page.inputValue('input[name=api_key_id]')).toBe(sim.keyId);
});

test('a field the input would refuse is named before anything is sent', async () => {
  await open();
  await page.getByRole('button', { name: 'Add input' }).click();
  await page.fill('input[name=name]', 'prod');
  await page.fill('input[name=pce_url]', 'ftp://pce.example.com');
  await page.fill('input[name=org_id]', '1');
  await page.fill('input[name=api_key_id]', 'api_x');
  await page.fill('input[name=api_secret]', 'x');
  const before = h.splunkd.requests.length;
  await page.getByRole('button', { name: 'Save' }).click();
  const fieldError = page.locator('[data-field=pce_url] .tazt-field-error');
  await fieldError.waitFor();
  expect(await fieldError.textContent()).toMatch(/"pce_url" must start with https:\/\//);
  expect(h.splunkd.requests.length).toBe(before);
});

test('edit without retyping the secret keeps the stored one; the field never shows it', async () => {
  seedInput();
  await open();
  await row(STANZA).getByRole('button', { name: 'Edit' }).click();
  const secret = page.locator('input[name=api_secret]');
  expect(await secret.inputValue()).toBe('');
  expect(await secret.getAttribute('placeholder')).toBe('Stored. Leave empty to keep it.');
  expect(await page.content()).not.toContain(sim.secret);
  await page.fill('input[name=index]', 'zerotrust');
  await page.fill('input[name=start_date]', '-7d');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${STANZA} saved.`);
  expect(h.splunkd.conf('inputs', STANZA)).toMatchObject({ index: 'zerotrust', start_date: '-7d', api_secret: MASK });
  expect(h.splunkd.getPassword(STANZA, 'api_secret')).toBe(sim.secret);
  expect(h.splunkd.requests.filter((r) => r.path.includes('storage/passwords') && r.method === 'POST')).toEqual([]);
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain(sim.secret);
});

/**
 * Test connection with the form as it is passes; with a wrong secret typed it fails, naming what
 * is tested and the key id, never the temporary input or the secret.
 */
async function testPassesThenFails(shown: string, screenshot: string): Promise<void> {
  const result = page.locator('.tazt-test');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.filter({ hasText: 'Connection test passed' }).waitFor();
  await page.fill('input[name=api_secret]', 'wrong-secret-typed');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.filter({ hasText: 'Connection test failed' }).waitFor();
  const text = (await result.textContent())!;
  expect(text).toContain(sim.keyId);
  expect(text).toContain(shown);
  expect(text).not.toContain('_ta_connection_test_');
  expect(text).not.toContain('wrong-secret-typed');
  await shot(screenshot);
}

test('test connection: passes with the stored secret, fails naming the key id with a wrong one, leaves nothing behind', async () => {
  seedInput();
  await open();
  await row(STANZA).getByRole('button', { name: 'Edit' }).click();
  await testPassesThenFails(STANZA, 'configuration-test-connection.png');

  // Both checks ran through splunkd's validation of a temporary input, then everything went.
  expect(h.validations.map((v) => v.message === undefined)).toEqual([true, false]);
  expect(live().map((p) => p.realm)).toEqual([STANZA]);
  expect(h.splunkd.getPassword(STANZA, 'api_secret')).toBe(sim.secret);
  expect(Object.keys(h.splunkd.conf('inputs', STANZA)!)).not.toContain('disabled');
  const tmpLeft = h.splunkd.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/data/inputs/illumio_pce_events')).map((r) => r.form.name);
  expect(tmpLeft).toHaveLength(2);
  for (const t of tmpLeft) expect(h.splunkd.conf('inputs', `illumio_pce_events://${t}`)).toBeUndefined();
  // The staged wrong secret was tombstoned; the input's next run deletes it.
  expect(h.splunkd.passwords().filter((p) => p.password === TOMBSTONE).map((p) => p.realm)).toEqual([expect.stringContaining(PENDING_PREFIX)]);
  expect((await h.runInput(STANZA)).code).toBe(0);
  expect(h.splunkd.passwords().map((p) => p.realm)).toEqual([STANZA]);
});

test('a wrong secret typed on edit is refused and the stored secret stays as it was', async () => {
  seedInput();
  await open();
  await row(STANZA).getByRole('button', { name: 'Edit' }).click();
  await page.fill('input[name=api_secret]', 'wrong-secret-typed');
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: `Saving ${STANZA}` }).waitFor();
  expect(await banner().textContent()).toContain(sim.keyId);
  expect(h.splunkd.getPassword(STANZA, 'api_secret')).toBe(sim.secret);
  expect(h.splunkd.conf('inputs', STANZA)!.api_secret).toBe(MASK);
  // Nothing to put back: the stored secret was never overwritten, and what was staged is gone.
  expect(h.splunkd.requests.filter((r) => r.path.endsWith(`/storage/passwords/${encodeURIComponent(credentialName(STANZA, 'api_secret'))}`))).toEqual([]);
  expect(live().map((p) => p.realm)).toEqual([STANZA]);
});

test('a new secret typed on edit: the stored one untouched until the input runs, then replaced', async () => {
  seedInput();
  const sim2Secret = sim.secret;
  await open();
  await row(STANZA).getByRole('button', { name: 'Edit' }).click();
  await page.fill('input[name=api_secret]', sim2Secret);
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${STANZA} saved.`);
  expect(stagedRealm(STANZA, 'api_secret')).toBeDefined();
  await firstRunTakesOver(STANZA, 'api_secret', sim2Secret);
});

test('every input type gets its form from its description: secrets as password fields, advanced settings folded', async () => {
  await open();
  for (const desc of DESCRIPTIONS) {
    await page.selectOption('select[name=new_input_type]', desc.scheme);
    await page.getByRole('button', { name: 'Add input' }).click();
    await page.getByRole('heading', { name: `Add ${desc.title} input` }).waitFor();
    const names = await page.locator('.tazt-form [data-field]').evaluateAll((els) => els.map((e) => e.getAttribute('data-field')));
    expect(names).toEqual(['name', 'interval', 'index', ...desc.args.filter((a) => !a.advanced).map((a) => a.name), ...desc.args.filter((a) => a.advanced).map((a) => a.name)]);
    for (const a of desc.args) {
      const control = page.locator(`.tazt-form [name="${a.name}"]`);
      const type = await control.evaluate((e) => (e instanceof HTMLInputElement ? e.type : e.tagName.toLowerCase()));
      // The argument naming an account is a choice among the accounts of its kind.
      expect([a.name, type]).toEqual([a.name, a.secret ? 'password' : a.type === 'boolean' ? 'checkbox' : a.choices || a.name === desc.account?.param ? 'select' : 'text']);
      expect(await control.isVisible()).toBe(!a.advanced);
    }
    await page.getByRole('button', { name: 'Cancel' }).click();
  }
});

test('a Lacework Edge audit input: test connection before saving, then save; the token goes to storage/passwords', async () => {
  const lw = await startLaceworkSimulator({});
  try {
    await open();
    await page.selectOption('select[name=new_input_type]', 'lacework_edge_audit');
    await page.getByRole('button', { name: 'Add input' }).click();
    await page.fill('input[name=name]', 'tenant1');
    await page.fill('input[name=base_url]', lw.url);
    await page.fill('input[name=api_token]', lw.token);
    await page.getByRole('button', { name: 'Test connection' }).click();
    await page.locator('.tazt-test').filter({ hasText: 'Connection test passed' }).waitFor();
    expect(live()).toEqual([]);
    await page.getByRole('button', { name: 'Save' }).click();
    await says('lacework_edge_audit://tenant1 saved.');
    expect(h.splunkd.conf('inputs', 'lacework_edge_audit://tenant1')).toMatchObject({ base_url: lw.url });
    expect(h.splunkd.getPassword(stagedRealm('lacework_edge_audit://tenant1', 'api_token'), 'api_token')).toBe(lw.token);
    for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain(lw.token);
  } finally {
    await lw.stop();
  }
});

test('a test input left behind by a closed page is removed with its secret and never listed', async () => {
  const old = `_ta_connection_test_${Date.now() - 3600_000}_abc123`;
  h.splunkd.setConf('inputs', `illumio_pce_events://${old}`, { disabled: '1', api_secret: MASK });
  h.splunkd.setPassword(`illumio_pce_events://${old}`, 'api_secret', 'left-behind');
  seedInput();
  await open();
  await row(STANZA).waitFor();
  expect(await page.locator('tbody tr').count()).toBe(1);
  expect(h.splunkd.conf('inputs', `illumio_pce_events://${old}`)).toBeUndefined();
  expect(live().map((p) => p.realm)).toEqual([STANZA]);
});

test('clone copies the settings and, left empty, the stored secret to the new input', async () => {
  seedInput('prod', { start_date: '-2d' });
  await open();
  await row(STANZA).getByRole('button', { name: 'Clone' }).click();
  expect(await page.inputValue('input[name=name]')).toBe('');
  expect(await page.inputValue('input[name=start_date]')).toBe('-2d');
  await page.fill('input[name=name]', 'dr-site');
  await page.getByRole('button', { name: 'Save' }).click();
  await says('illumio_pce_events://dr-site saved.');
  // The clone refers to its source's realm; the browser never held the secret.
  expect(h.splunkd.conf('inputs', 'illumio_pce_events://dr-site')).toMatchObject({ start_date: '-2d', api_secret: `${REF_PREFIX}${STANZA}`, pce_url: sim.url });
  expect(h.validations.filter((v) => v.name === 'dr-site').map((v) => v.message)).toEqual([undefined]);
  await firstRunTakesOver('illumio_pce_events://dr-site', 'api_secret', sim.secret);
  expect(h.splunkd.getPassword(STANZA, 'api_secret')).toBe(sim.secret);
});

test('disable, enable and delete (with its secret)', async () => {
  seedInput();
  await open();
  await row(STANZA).getByRole('button', { name: 'Disable' }).click();
  await says(`${STANZA} disabled.`);
  expect(h.splunkd.conf('inputs', STANZA)!.disabled).toBe('1');
  expect(await row(STANZA).locator('td').nth(4).textContent()).toBe('Disabled');
  await row(STANZA).getByRole('button', { name: 'Enable' }).click();
  await says(`${STANZA} enabled.`);
  expect(h.splunkd.conf('inputs', STANZA)!.disabled).toBe('0');
  await row(STANZA).getByRole('button', { name: 'Delete' }).click();
  await row(STANZA).getByRole('button', { name: 'Confirm delete' }).click();
  await says(`${STANZA} deleted.`);
  expect(h.splunkd.conf('inputs', STANZA)).toBeUndefined();
  expect(live()).toEqual([]);
  await page.getByText('No inputs yet').waitFor();
});

test('log level: the conf changes, and the page shows it after a reload', async () => {
  await open();
  await page.getByRole('tab', { name: 'Logging' }).click();
  const level = page.locator('select[name=loglevel]');
  await level.waitFor();
  expect(await level.inputValue()).toBe('INFO');
  await level.selectOption('DEBUG');
  await page.getByRole('button', { name: 'Save' }).click();
  await says('Log level set to DEBUG. Inputs use it from their next run.');
  expect(h.splunkd.conf(SETTINGS, 'logging')).toMatchObject({ loglevel: 'DEBUG' });
  await shot('configuration-logging.png');
  await page.reload();
  await page.getByRole('tab', { name: 'Logging' }).click();
  await page.locator('select[name=loglevel]').waitFor();
  expect(await page.inputValue('select[name=loglevel]')).toBe('DEBUG');
});

test('proxy: settings to the conf, the password to storage/passwords; kept when not retyped; used by test connection', async () => {
  seedInput();
  await open();
  await page.getByRole('tab', { name: 'Proxy' }).click();
  await page.locator('input[name=proxy_url]').waitFor();
  await page.check('input[name=proxy_enabled]');
  await page.fill('input[name=proxy_url]', '127.0.0.1');
  await page.fill('input[name=proxy_port]', '9');
  await page.fill('input[name=proxy_username]', 'svc-splunk');
  await page.fill('input[name=proxy_password]', 'proxy-pass-typed');
  await shot('configuration-proxy.png');
  await page.getByRole('button', { name: 'Save' }).click();
  await says('Proxy settings saved. Inputs use them from their next run.');
  expect(h.splunkd.conf(SETTINGS, 'proxy')).toMatchObject({ proxy_enabled: 'true', proxy_url: '127.0.0.1', proxy_port: '9', proxy_username: 'svc-splunk', proxy_password: MASK });
  expect(h.splunkd.getPassword('ta_zerotrust_events_settings://proxy', 'proxy_password')).toBe('proxy-pass-typed');
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain('proxy-pass-typed');

  // Saved again without retyping: the password stays.
  expect(await page.getAttribute('input[name=proxy_password]', 'placeholder')).toBe('Stored. Leave empty to keep it.');
  await page.fill('input[name=proxy_port]', '10');
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: 'Proxy settings saved' }).waitFor();
  expect(h.splunkd.conf(SETTINGS, 'proxy')!.proxy_port).toBe('10');
  expect(h.splunkd.getPassword('ta_zerotrust_events_settings://proxy', 'proxy_password')).toBe('proxy-pass-typed');

  // The inputs go through the proxy (nothing listens on 127.0.0.1:10), so the check now fails.
  await page.getByRole('tab', { name: 'Inputs' }).click();
  await row(STANZA).getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('button', { name: 'Test connection' }).click();
  const result = page.locator('.tazt-test');
  await result.filter({ hasText: 'Connection test failed' }).waitFor();
  expect(await result.textContent()).toContain('cannot connect to the proxy 127.0.0.1:10');
});

test('a bad proxy port is named before anything is saved', async () => {
  await open();
  await page.getByRole('tab', { name: 'Proxy' }).click();
  await page.locator('input[name=proxy_port]').waitFor();
  await page.fill('input[name=proxy_port]', '70000');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-field=proxy_port] .tazt-field-error').filter({ hasText: '1 to 65535' }).waitFor();
  expect(h.splunkd.requests.filter((r) => r.method === 'POST')).toEqual([]);
});

test('a user without the capability gets a permission message naming it', async () => {
  seedInput();
  await open(h.splunkd.addUser('pat', ['power']));
  await row(STANZA).getByRole('button', { name: 'Disable' }).click();
  await banner().filter({ hasText: '403' }).waitFor();
  const text = (await banner().textContent())!;
  expect(text).toContain(`Disabling ${STANZA}: permission denied (403).`);
  expect(text).not.toContain('Splunk Web does not pass');
  expect(text).toContain('requires capability: admin_all_objects');
  expect(text).toContain('ask a Splunk administrator');
  expect(h.splunkd.conf('inputs', STANZA)!.disabled).toBeUndefined();
});

test('splunkd not answering behind Splunk Web is reported as such', async () => {
  await open();
  await page.getByText('No inputs yet').waitFor();
  await h.splunkd.close();
  await page.getByRole('tab', { name: 'Logging' }).click();
  await banner().filter({ hasText: 'not reachable' }).waitFor();
  expect(await banner().textContent()).toBe(
    'Reading [logging] of ta_zerotrust_events_settings.conf: splunkd is not reachable through Splunk Web (HTTP 503). Check that splunkd is running (splunk status) and try again in a moment.');
});

test('Splunk Web itself gone: a network failure says so', async () => {
  await open();
  await page.getByText('No inputs yet').waitFor();
  await h.web.close();
  await page.getByRole('tab', { name: 'Proxy' }).click();
  await banner().filter({ hasText: 'Splunk Web did not answer' }).waitFor();
  expect(await banner().textContent()).toMatch(/^Reading \[proxy\] of ta_zerotrust_events_settings\.conf: Splunk Web did not answer \(.+\)\. Check that Splunk is running, then reload this page\.$|^Reading the stored proxy_password/);
});

test("without the app's web.conf, Splunk Web refuses the inputs calls (404) and the page names the cause", async () => {
  await h.close();
  h = await startHarness({ expose: exposeRules().filter((r) => !r.name.startsWith('expose:ta_zerotrust_events_')) });
  expectRefused = true;
  seedInput();
  await open();
  await banner().filter({ hasText: 'Splunk Web does not pass' }).waitFor();
  expect(await banner().textContent()).toMatch(/^Listing the .+ inputs: Splunk Web does not pass GET \/servicesNS\/-\/-\/data\/inputs\/\w+ on to splunkd \(404: no web\.conf \[expose:\] stanza allows it\)\./);
  expect(h.web.refused.map((r) => r.path).sort()).toEqual(DESCRIPTIONS.map((d) => `/servicesNS/-/-/data/inputs/${d.scheme}`).sort());
  expect(h.splunkd.requests.filter((r) => r.path.includes('/data/inputs/'))).toEqual([]);
  // What Splunk exposes itself still works: the settings tab loads.
  await page.getByRole('tab', { name: 'Logging' }).click();
  await page.locator('select[name=loglevel]').waitFor();
});

// ---- Accounts: a PCE connection defined once and named by inputs (src/core/account.ts) ----

const ACCOUNTS = 'ta_zerotrust_events_accounts';
const ACCOUNT = 'illumio_pce://prod';
const accountRow = (stanza: string) => page.locator(`tr[data-account="${stanza}"]`);

/** An account saved earlier: its settings in the conf with ******** for the secret, the secret under its realm. */
function seedAccount(name = 'prod', extra: Record<string, string> = {}): void {
  h.splunkd.setConf(ACCOUNTS, `illumio_pce://${name}`, { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: MASK, ...extra });
  h.splunkd.setPassword(`illumio_pce://${name}`, 'api_secret', sim.secret);
}

async function accountsTab(): Promise<void> {
  await page.getByRole('tab', { name: 'Accounts' }).click();
  await page.getByRole('button', { name: 'Add account' }).waitFor();
}

async function fillAccount(name: string, secret: string): Promise<void> {
  await page.getByRole('button', { name: 'Add account' }).click();
  await page.fill('input[name=name]', name);
  await page.fill('input[name=pce_url]', sim.url);
  await page.fill('input[name=org_id]', String(sim.org));
  await page.fill('input[name=api_key_id]', sim.keyId);
  await page.fill('input[name=api_secret]', secret);
}

/** Every request to storage/passwords the page sent (through Splunk Web; splunkd's validation runs read with their own key). */
const passwordRequests = () => h.web.proxied.filter((r) => r.path.includes('/storage/passwords')).map((r) => `${r.method} ${decodeURIComponent(r.path)}`);

test('add an account: its settings in ta_zerotrust_events_accounts.conf, the secret once under realm illumio_pce://prod, never in a conf request or answer', async () => {
  await open();
  await accountsTab();
  await page.getByText('No accounts yet').waitFor();
  await fillAccount('prod', sim.secret);
  expect(await page.getAttribute('input[name=api_secret]', 'type')).toBe('password');
  await shot('configuration-add-account.png');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${ACCOUNT} saved.`);

  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT, 'TA-zerotrust-events')).toMatchObject({ pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: MASK });
  expect(live()).toEqual([{ app: 'TA-zerotrust-events', realm: ACCOUNT, username: 'api_secret', password: sim.secret }]);
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain(sim.secret);
  // The save ran the connection test first (a temporary account, removed again), then wrote the
  // conf through configs/conf-<file> in the app's namespace.
  expect(h.validations.map((v) => v.message)).toEqual([undefined]);
  expect(h.splunkd.requests.filter((r) => r.method === 'POST' && r.path.includes('/configs/')).map((r) => `${r.path} ${r.form.name}`)).toEqual([
    expect.stringMatching(/^\/servicesNS\/nobody\/TA-zerotrust-events\/configs\/conf-ta_zerotrust_events_accounts illumio_pce:\/\/ta-connection-test-/),
    `/servicesNS/nobody/TA-zerotrust-events/configs/conf-ta_zerotrust_events_accounts ${ACCOUNT}`,
  ]);
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT]);

  await accountRow(ACCOUNT).waitFor();
  const cells = await accountRow(ACCOUNT).locator('td').allTextContents();
  expect(cells.slice(0, 2)).toEqual(['prod', 'Illumio PCE connection']);
  expect(cells[2]).toContain(`PCE URL: ${sim.url}`);
  expect(cells[2]).toContain(`API key ID: ${sim.keyId}`);
  expect(cells[2]).toContain('API key secret: stored');
  expect(cells[3]).toBe('Not used');

  // The name is taken now: a second account of that name is refused before any secret is written.
  const before = passwordRequests().length;
  await fillAccount('prod', 'another-secret-typed');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-field=name] .tazt-field-error').filter({ hasText: 'already exists' }).waitFor();
  expect(passwordRequests()).toHaveLength(before);
  expect(h.splunkd.getPassword(ACCOUNT, 'api_secret')).toBe(sim.secret);
});

test('account fields are checked as the inputs check them, before anything is sent', async () => {
  await open();
  await accountsTab();
  await fillAccount('bad name', sim.secret);
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-field=name] .tazt-field-error').filter({ hasText: 'cannot name an account' }).waitFor();
  await page.fill('input[name=name]', 'prod');
  await page.fill('input[name=pce_url]', 'https://pce.example.com/api/v2/orgs/1/events');
  await page.getByRole('button', { name: 'Save' }).click();
  await page.locator('[data-field=pce_url] .tazt-field-error').filter({ hasText: 'PCE address only' }).waitFor();
  expect(h.splunkd.requests.filter((r) => r.method === 'POST')).toEqual([]);
});

test('edit an account: the kept secret is not rewritten, the settings change; the form explains why it cannot be renamed', async () => {
  seedAccount();
  await open();
  await accountsTab();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Edit' }).click();
  await page.getByRole('heading', { name: `Edit ${ACCOUNT}` }).waitFor();
  expect(await page.locator('input[name=name]').count()).toBe(0);
  expect(await page.locator('.tazt-rename').textContent()).toContain('cannot be renamed, because inputs refer to it by name');
  expect(await page.getAttribute('input[name=api_secret]', 'placeholder')).toBe('Stored. Leave empty to keep it.');
  expect(await page.inputValue('input[name=api_key_id]')).toBe(sim.keyId);
  await page.locator('summary').click();
  await page.fill('input[name=timeout]', '90');
  await shot('configuration-edit-account.png');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${ACCOUNT} saved. The inputs that use it take the change from their next run.`);
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)).toMatchObject({ timeout: '90', api_secret: MASK, api_key_id: sim.keyId });
  expect(passwordRequests()).toEqual([]);
  expect(h.splunkd.getPassword(ACCOUNT, 'api_secret')).toBe(sim.secret);

  // A wrong secret typed on edit fails the save's connection test: nothing is kept.
  await accountRow(ACCOUNT).getByRole('button', { name: 'Edit' }).click();
  await page.fill('input[name=api_secret]', 'wrong-secret-typed');
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: 'Not saved.' }).waitFor();
  expect(await banner().textContent()).toMatch(new RegExp(`^Not saved\\. ${ACCOUNT}: the PCE .* refused API key "${sim.keyId}"`));
  expect(h.splunkd.getPassword(ACCOUNT, 'api_secret')).toBe(sim.secret);
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT]);
  // The right one typed again is written in place, under the account's realm.
  await page.fill('input[name=api_secret]', sim.secret);
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${ACCOUNT} saved. The inputs that use it take the change from their next run.`);
  expect(passwordRequests()).toContain(`POST /servicesNS/nobody/TA-zerotrust-events/storage/passwords/${credentialName(ACCOUNT, 'api_secret')}`);
  expect(live()).toEqual([expect.objectContaining({ realm: ACCOUNT, username: 'api_secret', password: sim.secret })]);
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain('wrong-secret-typed');
});

test('an account that inputs name is not deleted, and the message names them; unused, it goes with its secret', async () => {
  seedAccount();
  seedInput('other');
  h.splunkd.setConf('inputs', 'illumio_pce_events://a', { pce_connection: 'prod', interval: '300' });
  h.splunkd.setConf('inputs', 'illumio_pce_health://b', { pce_connection: 'prod', interval: '300' });
  await open();
  await accountsTab();
  expect(await accountRow(ACCOUNT).locator('.tazt-users').textContent()).toBe('illumio_pce_events://aillumio_pce_health://b');
  await accountRow(ACCOUNT).getByRole('button', { name: 'Delete' }).click();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Confirm delete' }).click();
  await says(`${ACCOUNT} is not deleted: the inputs illumio_pce_events://a, illumio_pce_health://b still use it. ` +
    'Choose another Illumio PCE connection or their own settings in those inputs (or delete them) first.');
  await shot('configuration-account-in-use.png');
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)).toBeDefined();
  expect(h.splunkd.getPassword(ACCOUNT, 'api_secret')).toBe(sim.secret);
  expect(h.splunkd.requests.filter((r) => r.method !== 'GET')).toEqual([]);

  // The inputs move to their own settings (here: deleted by hand); then the account can go.
  h.splunkd.setConf('inputs', 'illumio_pce_events://a', { pce_connection: '' });
  h.splunkd.setConf('inputs', 'illumio_pce_health://b', { pce_connection: '' });
  await page.getByRole('tab', { name: 'Inputs' }).click();
  await accountsTab();
  expect(await accountRow(ACCOUNT).locator('.tazt-users').textContent()).toBe('Not used');
  await accountRow(ACCOUNT).getByRole('button', { name: 'Delete' }).click();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Confirm delete' }).click();
  await says(`${ACCOUNT} deleted.`);
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)).toBeUndefined();
  expect(live().map((p) => p.realm)).toEqual(['illumio_pce_events://other']);
  await page.getByText('No accounts yet').waitFor();
});

test('test connection of a new account: passes with the right secret, fails naming the account and key id with a wrong one, leaves nothing behind', async () => {
  await open();
  await accountsTab();
  await fillAccount('prod', sim.secret);
  await testPassesThenFails(ACCOUNT, 'configuration-test-account.png');

  // Both went through splunkd's validation of a temporary input of a scheme taking this kind.
  expect(h.validations.map((v) => [v.scheme, v.message === undefined])).toEqual([['illumio_pce_events', true], ['illumio_pce_events', false]]);
  const tmp = h.splunkd.requests.filter((r) => r.method === 'POST' && r.path.endsWith('/data/inputs/illumio_pce_events')).map((r) => r.form.name);
  expect(tmp).toHaveLength(2);
  for (const t of tmp) expect(h.splunkd.conf('inputs', `illumio_pce_events://${t}`)).toBeUndefined();
  // Nothing of the account was written; what was staged is tombstoned.
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([]);
  expect(live()).toEqual([]);
  for (const text2 of [...confBodies(), ...confRequests()]) expect(text2).not.toContain('wrong-secret-typed');
});

test('changed settings with the kept secret are tested through a temporary account referring to it; the account is untouched until saved', async () => {
  seedAccount();
  await open();
  await accountsTab();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Edit' }).click();
  await page.locator('summary').click();
  await page.fill('input[name=timeout]', '90');
  const result = page.locator('.tazt-test');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.filter({ hasText: 'Connection test passed' }).waitFor();
  // The temporary account held the changed settings and a reference to the stored secret, never the secret.
  const [probe] = h.validations;
  const tmpAccount = h.splunkd.requests.find((r) => r.method === 'POST' && r.path.endsWith(`/configs/conf-${ACCOUNTS}`))!.form;
  expect(tmpAccount).toMatchObject({ name: `illumio_pce://${probe.params.pce_connection}`, timeout: '90', api_secret: `${REF_PREFIX}${ACCOUNT}` });
  expect(probe.params.pce_connection).toMatch(/^ta-connection-test-\d+-[a-z0-9]+$/);

  await page.fill('input[name=api_key_id]', 'api_other');
  await page.getByRole('button', { name: 'Test connection' }).click();
  await result.filter({ hasText: 'Connection test failed' }).waitFor();
  const text = (await result.textContent())!;
  expect(text).toContain('api_other');
  expect(text).toContain(ACCOUNT);
  expect(text).not.toContain('ta-connection-test-');
  expect(text).not.toContain('_ta_connection_test_');
  // Nothing of either test stayed, and the account is as it was.
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT]);
  expect(h.splunkd.stanzas('inputs')).toEqual([]);
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)!.timeout).toBeUndefined();
  expect(live()).toEqual([expect.objectContaining({ realm: ACCOUNT, password: sim.secret })]);
  expect(passwordRequests()).toEqual([]);
});

test('a test account left behind by a closed page is removed and never listed', async () => {
  seedAccount();
  const old = `illumio_pce://ta-connection-test-${Date.now() - 3600_000}-abc123`;
  h.splunkd.setConf(ACCOUNTS, old, { pce_url: sim.url });
  await open();
  await accountsTab();
  await accountRow(ACCOUNT).waitFor();
  expect(await page.locator('tr[data-account]').count()).toBe(1);
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT]);
});

test('input forms: the PCE connection choice hides the settings an account supplies; an input with its own settings opens and saves unchanged', async () => {
  seedAccount();
  seedInput('own', { start_date: '-2d' });
  const own = 'illumio_pce_events://own';
  const before = h.splunkd.conf('inputs', own);
  await open();
  await row(own).getByRole('button', { name: 'Edit' }).click();
  const choice = page.locator('select[name=pce_connection]');
  expect(await choice.inputValue()).toBe('');
  expect(await choice.locator('option').allTextContents()).toEqual(["Use this input's own settings", 'prod']);
  for (const f of ['pce_url', 'org_id', 'api_key_id', 'api_secret']) expect(await page.locator(`[data-field=${f}]`).isVisible()).toBe(true);
  // verify_tls is not set in the stanza: the checkbox shows what the input runs with (on), and saving leaves it unset.
  expect(await page.isChecked('input[name=verify_tls]')).toBe(true);
  await choice.selectOption('prod');
  for (const f of ['pce_url', 'org_id', 'api_key_id', 'api_secret']) expect(await page.locator(`[data-field=${f}]`).isVisible()).toBe(false);
  expect(await page.locator('.tazt-connection-note').textContent()).toContain('come from illumio_pce://prod');
  await shot('configuration-input-connection.png');
  await choice.selectOption('');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${own} saved.`);
  expect(h.splunkd.conf('inputs', own)).toEqual(before);
  expect(passwordRequests()).toEqual([]);
  expect(h.splunkd.getPassword(own, 'api_secret')).toBe(sim.secret);
});

test('a user without admin rights sees the accounts but cannot add or change one', async () => {
  seedAccount();
  await open(h.splunkd.addUser('pat', ['power']));
  await accountsTab();
  await accountRow(ACCOUNT).waitFor();
  await fillAccount('dr', sim.secret);
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: '403' }).waitFor();
  expect(await banner().textContent()).toContain('permission denied (403)');
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT]);
  expect(live().map((p) => p.realm)).toEqual([ACCOUNT]);
  // No secret typed: only the conf is written, and its ACL (metadata/default.meta) lets admins only.
  await page.getByRole('button', { name: 'Cancel' }).click();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Edit' }).click();
  await page.locator('summary').click();
  await page.fill('input[name=timeout]', '90');
  await page.getByRole('button', { name: 'Save' }).click();
  await banner().filter({ hasText: '403' }).waitFor();
  expect(await banner().textContent()).toContain(`permission denied (403). splunkd says: You (user=pat) do not have permission to modify ${ACCOUNTS}.conf of TA-zerotrust-events (its ACL allows write to: admin, sc_admin).`);
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)!.timeout).toBeUndefined();
});

test('two inputs name one account: their stanzas hold pce_connection and no PCE settings, the secret is stored once, under the account', async () => {
  seedAccount();
  await open();
  for (const [scheme, name] of [['illumio_pce_events', 'ev'], ['illumio_pce_health', 'hl']]) {
    await page.selectOption('select[name=new_input_type]', scheme);
    await page.getByRole('button', { name: 'Add input' }).click();
    await page.fill('input[name=name]', name);
    await page.selectOption('select[name=pce_connection]', 'prod');
    await page.getByRole('button', { name: 'Save' }).click();
    await says(`${scheme}://${name} saved.`);
  }
  for (const stanza of ['illumio_pce_events://ev', 'illumio_pce_health://hl']) {
    expect(await row(stanza).locator('td').nth(1).textContent()).toMatch(/Connection: prod$/);
    const saved = h.splunkd.conf('inputs', stanza)!;
    expect(saved.pce_connection).toBe('prod');
    for (const a of ['pce_url', 'org_id', 'api_key_id', 'api_secret', 'verify_tls', 'timeout']) expect([a, saved[a] ?? '']).toEqual([a, '']);
  }
  // splunkd's validation resolved the account, its secret included, for both.
  expect(h.validations.map((v) => [v.name, v.message])).toEqual([['ev', undefined], ['hl', undefined]]);
  expect(live()).toEqual([expect.objectContaining({ realm: ACCOUNT, username: 'api_secret', password: sim.secret })]);
  for (const text of [...confBodies(), ...confRequests()]) expect(text).not.toContain(sim.secret);

  await accountsTab();
  expect(await accountRow(ACCOUNT).locator('.tazt-users').textContent()).toBe('illumio_pce_events://evillumio_pce_health://hl');
  await shot('configuration-accounts.png');
  // An input using the account tests through it.
  await page.getByRole('tab', { name: 'Inputs' }).click();
  await row('illumio_pce_events://ev').getByRole('button', { name: 'Edit' }).click();
  expect(await page.inputValue('select[name=pce_connection]')).toBe('prod');
  expect(await page.locator('[data-field=pce_url]').isVisible()).toBe(false);
  await page.getByRole('button', { name: 'Test connection' }).click();
  await page.locator('.tazt-test').filter({ hasText: 'Connection test passed' }).waitFor();
});

test('an input switched from its own settings to an account keeps none of them, and its own secret is retired', async () => {
  seedAccount();
  seedInput('own');
  const own = 'illumio_pce_events://own';
  await open();
  await row(own).getByRole('button', { name: 'Edit' }).click();
  await page.selectOption('select[name=pce_connection]', 'prod');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${own} saved.`);
  expect(h.splunkd.conf('inputs', own)).toMatchObject({ pce_connection: 'prod', pce_url: '', org_id: '', api_key_id: '', api_secret: '', index: 'main' });
  expect(h.validations.filter((v) => v.name === 'own').map((v) => v.message)).toEqual([undefined]);
  expect(h.splunkd.getPassword(own, 'api_secret')).toBe(TOMBSTONE);
  expect(live().map((p) => p.realm)).toEqual([ACCOUNT]);
});

test("test connection of a saved account from its row: the inputs' validation through the account; a broken one fails naming it", async () => {
  seedAccount();
  seedAccount('stale', { api_key_id: 'api_revoked' });
  await open();
  await accountsTab();
  await accountRow(ACCOUNT).getByRole('button', { name: 'Test connection' }).click();
  await says(`Connection test of ${ACCOUNT} passed: the settings are valid and the service accepted the credentials.`);
  await accountRow('illumio_pce://stale').getByRole('button', { name: 'Test connection' }).click();
  await banner().filter({ hasText: 'Connection test failed' }).waitFor();
  const text = (await banner().textContent())!;
  expect(text).toContain('illumio_pce://stale');
  expect(text).toContain('api_revoked');
  expect(text).not.toContain('_ta_connection_test_');
  // Each test was a temporary input naming the account, removed again.
  expect(h.validations.map((v) => [v.params.pce_connection, v.message === undefined])).toEqual([['prod', true], ['stale', false]]);
  expect(h.splunkd.stanzas('inputs')).toEqual([]);
  expect(h.splunkd.stanzas(ACCOUNTS)).toEqual([ACCOUNT, 'illumio_pce://stale']);
});

test("an account's optional stored secret (the proxy password) can be removed; the required one stays", async () => {
  seedAccount('prod', { proxy_url: 'http://127.0.0.1:9', proxy_username: 'svc', proxy_password: MASK });
  h.splunkd.setPassword(ACCOUNT, 'proxy_password', 'proxy-pass-stored');
  await open();
  await accountsTab();
  expect(await accountRow(ACCOUNT).locator('.tazt-settings').textContent()).toContain('Proxy password: stored');
  await accountRow(ACCOUNT).getByRole('button', { name: 'Edit' }).click();
  expect(await page.locator('input[name=remove_api_secret]').count()).toBe(0);
  await page.locator('summary').click();
  await page.check('input[name=remove_proxy_password]');
  await page.fill('input[name=proxy_url]', '');
  await page.fill('input[name=proxy_username]', '');
  await page.getByRole('button', { name: 'Save' }).click();
  await says(`${ACCOUNT} saved. The inputs that use it take the change from their next run.`);
  expect(h.splunkd.conf(ACCOUNTS, ACCOUNT)).toMatchObject({ proxy_url: '', proxy_username: '', proxy_password: '', api_secret: MASK });
  expect(live()).toEqual([expect.objectContaining({ realm: ACCOUNT, username: 'api_secret', password: sim.secret })]);
  expect(h.splunkd.getPassword(ACCOUNT, 'proxy_password')).toBe(TOMBSTONE);
});
