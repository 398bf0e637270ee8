/**
 * What the configuration page does, over splunkd REST and without any DOM: inputs through
 * `data/inputs/<scheme>`, their secrets in `storage/passwords` (realm `<scheme>://<name>`,
 * username = argument name, as src/core/secrets reads them, with `********` in inputs.conf),
 * add-on settings through `configs/conf-ta_zerotrust_events_settings/<stanza>`.
 *
 * A secret never travels in an inputs or conf request, and the page never reads a stored secret
 * (every read of storage/passwords answers with clear_password, which would then sit in page
 * memory, DevTools and HAR files). A secret typed on the page is staged under a realm of its own
 * and the input is saved with a reference to it (`********from:<realm>`, src/core/secret-ref.ts);
 * clone and a kept secret refer to the source input's realm. splunkd runs `<scheme>
 * --validate-arguments` on every create and edit of `data/inputs/<scheme>`
 * (use_external_validation); our validator resolves the reference read-only, so a save is refused
 * with the live check's message and the input's stored secret was never touched; the page then
 * deletes what it staged. The input's next run takes the secret over into its own realm, writes
 * `********` and deletes the staged copy, with splunkd's session key (which holds the
 * capabilities), not the user's.
 *
 * "Test connection" has no endpoint of its own in splunkd (this add-on ships no REST handler):
 * it creates a disabled input under a temporary name with the form's values (secrets as
 * references), which makes splunkd run the same validation, and deletes it and what it staged
 * right after.
 *
 * An input whose description takes an account (InputDescription.account) may name one instead of
 * holding its own connection settings: the form's account argument; the account's arguments are
 * then saved empty (an edit retires the input's own secrets), and checked with the account's
 * values (accounts.ts lists them), as the input will run.
 */
import { accountNamed, fromAccount } from '../core/account';
import { MASK, parseBoolean, parseConfig, type ArgumentDescription, type InputDescription } from '../core/description';
import { isPendingRealm, isStoredMarker, parseSecretRef, pendingRealm, secretRef, TOMBSTONE } from '../core/secret-ref';
import type { AccountRecord } from './accounts';
import { SplunkError, type Params, type SplunkRest } from './rest';

import { APP_ID as APP } from '../core/app';

export { APP };
const NS = `/servicesNS/nobody/${APP}`;
export const SETTINGS = 'ta_zerotrust_events_settings';
export const PROXY_REALM = `${SETTINGS}://proxy`;
export const PROXY_USER = 'proxy_password';
/** Names of the temporary inputs of "Test connection"; hidden from the list. */
export const TEST_PREFIX = '_ta_connection_test_';
export const NAMESPACE = NS;
/** A test input older than this was left behind by a closed page and is removed. */
export const STALE_TEST_MS = 10 * 60_000;

export interface InputRecord {
  scheme: string;
  name: string;
  /** App whose inputs.conf holds the stanza. */
  app: string;
  disabled: boolean;
  values: Record<string, string>;
}

export interface InputForm {
  name: string;
  interval: string;
  index: string;
  /** Non-secret arguments as typed ('' = not set). Booleans are '1' or '0'. */
  args: Record<string, string>;
  /** Secrets typed now; '' keeps the stored secret (edit) or copies the source's (clone). */
  secrets: Record<string, string>;
}

export type FormMode =
  | { kind: 'create' }
  | { kind: 'edit'; input: InputRecord }
  | { kind: 'clone'; input: InputRecord };

const enc = encodeURIComponent;
const stanzaOf = (scheme: string, name: string) => `${scheme}://${name}`;

/** splunkd's entity name of a credential: `realm:username:`, `:` escaped as `\:`. */
export function credentialName(realm: string, username: string): string {
  const esc = (s: string) => s.replace(/\\/g, '\\\\').replace(/:/g, '\\:');
  return `${esc(realm)}:${esc(username)}:`;
}

const credentialPath = (realm: string, username: string) => `${NS}/storage/passwords/${enc(credentialName(realm, username))}`;

/** Writes (creates or replaces) a credential. The answer echoes only what was just sent. */
export async function writeSecret(rest: SplunkRest, realm: string, username: string, value: string): Promise<void> {
  const what = `Saving the ${username} of ${realm} to storage/passwords`;
  const updated = await rest.post(credentialPath(realm, username), { password: value }, what, { missingOk: true });
  if (updated === undefined) await rest.post(`${NS}/storage/passwords`, { name: username, realm, password: value }, what);
}

/**
 * Overwrites the credential with a tombstone (src/core/secret-ref.ts), which the inputs read as
 * "none" and delete: a DELETE would be answered with every other credential in clear.
 */
export async function deleteSecret(rest: SplunkRest, realm: string, username: string): Promise<void> {
  await rest.post(credentialPath(realm, username), { password: TOMBSTONE }, `Deleting the ${username} of ${realm} from storage/passwords`, { missingOk: true });
}

export const str = (v: unknown): string => (v === undefined || v === null ? '' : typeof v === 'boolean' ? (v ? '1' : '0') : String(v));

/**
 * A non-secret setting as the form starts with it: the stanza's value (none: the default). A
 * checkbox cannot show "not set", so an unset boolean shows its default, which is what the input
 * runs with (unchecked would turn verify_tls off on the next save).
 */
export function formValue(a: ArgumentDescription, stanza: Record<string, string> | undefined): string {
  if (!stanza) return str(a.default);
  const v = stanza[a.name] ?? '';
  return v === '' && a.type === 'boolean' ? str(a.default) : v;
}

/**
 * Whether a non-secret setting goes into the save (`before` undefined: a new stanza): a value
 * typed, or one the stanza had now cleared; an unset checkbox left at its default stays unset,
 * so a form saved without a change leaves the stanza as it was.
 */
export function sendSetting(a: ArgumentDescription, value: string, before: string | undefined): boolean {
  if (before === undefined) return value !== '';
  if (before === '' && a.type === 'boolean') return value !== str(a.default);
  return value !== '' || before !== '';
}

export async function listInputs(rest: SplunkRest, descs: readonly InputDescription[], now = Date.now()): Promise<InputRecord[]> {
  const lists = await Promise.all(descs.map(async (d) => {
    const entries = await rest.get(`/servicesNS/-/-/data/inputs/${d.scheme}`, `Listing the ${d.title} inputs`) ?? [];
    return entries.map((e): InputRecord => ({
      scheme: d.scheme,
      name: e.name,
      app: e.acl?.app || APP,
      disabled: parseBoolean(str(e.content.disabled)) ?? false,
      values: Object.fromEntries(Object.entries(e.content).filter(([k]) => !k.startsWith('eai:')).map(([k, v]) => [k, str(v)])),
    }));
  }));
  const all = lists.flat();
  for (const t of all.filter((i) => i.name.startsWith(TEST_PREFIX))) {
    const born = Number(t.name.slice(TEST_PREFIX.length).split('_')[0]);
    const desc = descs.find((d) => d.scheme === t.scheme)!;
    if (Number.isFinite(born) && now - born > STALE_TEST_MS) await removeInput(rest, desc, t).catch(() => undefined);
  }
  return all.filter((i) => !i.name.startsWith(TEST_PREFIX)).sort((a, b) => a.scheme.localeCompare(b.scheme) || a.name.localeCompare(b.name));
}

/** The form's starting values: the input's (edit, clone) or the description's defaults. */
export function initialForm(desc: InputDescription, mode: FormMode): InputForm {
  const src = mode.kind === 'create' ? undefined : mode.input.values;
  const args: Record<string, string> = {};
  const secrets: Record<string, string> = {};
  for (const a of desc.args) {
    if (a.secret) secrets[a.name] = '';
    else args[a.name] = formValue(a, src);
  }
  return {
    name: mode.kind === 'edit' ? mode.input.name : '',
    interval: src?.interval ?? String(desc.defaultInterval),
    index: src?.index ?? '',
    args,
    secrets,
  };
}

/**
 * What a secret field holds for this save: typed now, kept (the stanza's value, `********` or a
 * reference, stays), taken from another input's realm (clone), emptied (the input now names an
 * account that holds it), or nothing.
 */
export type SecretPlan = { kind: 'typed'; value: string } | { kind: 'keep'; value: string } | { kind: 'copy'; from: string } | { kind: 'clear' } | { kind: 'none' };

/** The account the form names (the value of the input's account argument), or ''. */
export function chosenAccount(desc: InputDescription, form: InputForm): string {
  return accountNamed(desc, form.args) ?? '';
}

function secretPlans(desc: InputDescription, mode: FormMode, form: InputForm): Record<string, SecretPlan> {
  const plans: Record<string, SecretPlan> = {};
  const named = chosenAccount(desc, form) !== '';
  for (const a of desc.args.filter((x) => x.secret)) {
    const typed = form.secrets[a.name] ?? '';
    const existing = mode.kind === 'create' ? '' : mode.input.values[a.name] ?? '';
    if (named && fromAccount(desc, a.name)) plans[a.name] = mode.kind === 'edit' && existing !== '' ? { kind: 'clear' } : { kind: 'none' };
    else if (typed !== '') plans[a.name] = { kind: 'typed', value: typed };
    else if (isStoredMarker(existing) && mode.kind === 'edit') plans[a.name] = { kind: 'keep', value: existing };
    else if (isStoredMarker(existing) && mode.kind === 'clone') {
      // A source that has not run since its own clone still refers to another input: follow it.
      const ref = parseSecretRef(existing);
      plans[a.name] = { kind: 'copy', from: ref !== undefined && !isPendingRealm(ref) ? ref : stanzaOf(mode.input.scheme, mode.input.name) };
    }
    // Typed into Settings > Data inputs and not yet moved by a run: move it now.
    else if (existing !== '') plans[a.name] = { kind: 'typed', value: existing };
    else plans[a.name] = { kind: 'none' };
  }
  return plans;
}

const NAME_RE = /^[A-Za-z0-9][A-Za-z0-9_.@-]{0,99}$/;
const INDEX_RE = /^[a-z0-9_][a-z0-9_-]*$/;
const INTERVAL_RE = /^(\d{1,9}|(\S+\s+){4}\S+)$/;

/**
 * The checks of the input's own description (required fields, types, ranges, cross-field
 * checks), as the input runs them, plus the stanza's name, interval and index; secrets that will
 * come from storage/passwords stand in as a placeholder. Throws a SplunkError naming the field.
 */
export function checkForm(desc: InputDescription, mode: FormMode, form: InputForm, accounts: readonly AccountRecord[] = []): void {
  const bad = (field: string, message: string) => new SplunkError(message, 'invalid', undefined, field);
  const name = form.name.trim();
  if (mode.kind !== 'edit') {
    if (!name) throw bad('name', 'Name is required: a short name for this input, e.g. prod.');
    if (!NAME_RE.test(name) || name.startsWith(TEST_PREFIX)) {
      throw bad('name', `Name "${name.slice(0, 40)}" is not allowed: use letters, digits, _ . @ - (starting with a letter or digit), at most 100 characters.`);
    }
  }
  if (!INTERVAL_RE.test(form.interval.trim())) throw bad('interval', 'Interval must be a number of seconds (e.g. 300) or a cron expression (e.g. */5 * * * *).');
  if (form.index.trim() && !INDEX_RE.test(form.index.trim())) throw bad('index', `Index "${form.index.trim().slice(0, 40)}" is not a valid index name: lowercase letters, digits, _ and -.`);
  const plans = secretPlans(desc, mode, form);
  const params: Record<string, string> = { ...form.args };
  for (const [k, p] of Object.entries(plans)) {
    if (p.kind === 'typed') params[k] = p.value;
    else if (p.kind !== 'none' && p.kind !== 'clear') params[k] = 'stored-secret';
  }
  const named = chosenAccount(desc, form);
  if (named) {
    // The input runs with the account's settings: check those as the input will see them.
    const { kind, param } = desc.account!;
    const account = accounts.find((x) => x.kind === kind && x.name === named);
    if (!account) throw bad(param, `${desc.account!.title} "${named.slice(0, 64)}" does not exist: choose another one, or add it on the Accounts tab.`);
    for (const a of desc.account!.args) params[a.name] = a.secret ? (account.values[a.name] === MASK ? 'stored-secret' : '') : account.values[a.name] ?? '';
  }
  try {
    parseConfig(desc, params, stanzaOf(desc.scheme, name || '<name>'));
  } catch (e) {
    throw bad((e as { field?: string }).field ?? '', (e as Error).message);
  }
}

/**
 * inputs.conf values of the form: each secret as a reference (typed: to where it was staged;
 * clone: to the source input) or kept as it is; empty values cleared on edit only.
 */
function inputParams(desc: InputDescription, mode: FormMode, form: InputForm, plans: Record<string, SecretPlan>, staged: Record<string, string>): Params {
  const p: Params = { interval: form.interval.trim() };
  if (form.index.trim() || mode.kind === 'edit') p.index = form.index.trim();
  for (const a of desc.args) {
    if (a.secret) {
      const plan = plans[a.name];
      if (plan.kind === 'typed') p[a.name] = secretRef(staged[a.name]);
      else if (plan.kind === 'keep') p[a.name] = plan.value;
      else if (plan.kind === 'copy') p[a.name] = secretRef(plan.from);
      else if (plan.kind === 'clear' && mode.kind === 'edit') p[a.name] = '';
      continue;
    }
    const v = (form.args[a.name] ?? '').trim();
    if (sendSetting(a, v, mode.kind === 'edit' ? mode.input.values[a.name] ?? '' : undefined)) p[a.name] = v;
  }
  // An index cleared on edit goes back to the default index (an empty index= is not valid).
  if (mode.kind === 'edit' && !p.index) {
    if ((mode.input.values.index ?? '') !== '') p.index = 'default';
    else delete p.index;
  }
  return p;
}

/**
 * Stages the secrets typed now, each under a new realm of its own (src/core/secret-ref.ts).
 * Returns the realms by argument and how to delete them again. Nothing is read, and no input's
 * stored secret is touched.
 */
export async function stageSecrets(rest: SplunkRest, plans: Record<string, SecretPlan>, now: number): Promise<{ realms: Record<string, string>; discard: () => Promise<void> }> {
  const realms: Record<string, string> = {};
  const discard = async () => {
    for (const [user, realm] of Object.entries(realms)) await deleteSecret(rest, realm, user).catch(() => undefined);
  };
  try {
    for (const [user, plan] of Object.entries(plans)) {
      if (plan.kind !== 'typed') continue;
      const realm = pendingRealm(now);
      await rest.post(`${NS}/storage/passwords`, { name: user, realm, password: plan.value }, `Saving the ${user} to storage/passwords`);
      realms[user] = realm;
    }
  } catch (e) {
    await discard();
    throw e;
  }
  return { realms, discard };
}

/** Create, edit or clone. Resolves with the stanza saved; throws a SplunkError otherwise. */
export async function saveInput(rest: SplunkRest, desc: InputDescription, mode: FormMode, form: InputForm, accounts: readonly AccountRecord[] = []): Promise<string> {
  checkForm(desc, mode, form, accounts);
  const name = mode.kind === 'edit' ? mode.input.name : form.name.trim();
  const stanza = stanzaOf(desc.scheme, name);
  const plans = secretPlans(desc, mode, form);
  const staged = await stageSecrets(rest, plans, Date.now());
  const params = inputParams(desc, mode, form, plans, staged.realms);
  try {
    if (mode.kind === 'edit') {
      await rest.post(`/servicesNS/nobody/${enc(mode.input.app)}/data/inputs/${desc.scheme}/${enc(name)}`, params, `Saving ${stanza}`);
    } else {
      await rest.post(`${NS}/data/inputs/${desc.scheme}`, { name, ...params }, `Creating ${stanza}`);
    }
  } catch (e) {
    await staged.discard();
    throw e;
  }
  // A reference the edit replaced pointed at a staged secret nobody refers to any more.
  if (mode.kind === 'edit') await discardReplaced(rest, desc, mode.input, params);
  // Now named by an account that holds them: the input's own secrets are used by nothing.
  for (const [user, p] of Object.entries(plans)) if (p.kind === 'clear') await deleteSecret(rest, stanza, user).catch(() => undefined);
  return stanza;
}

/**
 * splunkd's validation of the form's values without saving them (see the file comment).
 * Resolves when the check passed; throws a SplunkError with the validator's message, the
 * temporary name replaced by the input's.
 */
export async function testConnection(rest: SplunkRest, desc: InputDescription, mode: FormMode, form: InputForm,
  opts: { now?: number; accounts?: readonly AccountRecord[] } = {}): Promise<void> {
  const now = opts.now ?? Date.now();
  checkForm(desc, mode, form, opts.accounts);
  const shown = stanzaOf(desc.scheme, mode.kind === 'edit' ? mode.input.name : form.name.trim() || '<new input>');
  const plans = secretPlans(desc, mode, form);
  for (const [user, p] of Object.entries(plans)) {
    // The edited input's secret: the staged one it still refers to, else its own realm.
    if (p.kind === 'keep') plans[user] = { kind: 'copy', from: parseSecretRef(p.value) ?? stanzaOf(desc.scheme, (mode as { input: InputRecord }).input.name) };
  }
  const staged = await stageSecrets(rest, plans, now);
  try {
    await probe(rest, desc.scheme, inputParams(desc, { kind: 'create' }, form, plans, staged.realms), shown, now);
  } finally {
    await staged.discard();
  }
}

/**
 * Creates a disabled input `_ta_connection_test_<now>_<random>` of `scheme` with `params`, which
 * makes splunkd run its validation, and deletes it again. Throws the validator's words with the
 * temporary stanza replaced by `shown` (what the admin is testing).
 */
export async function probe(rest: SplunkRest, scheme: string, params: Params, shown: string, now = Date.now()): Promise<void> {
  const tmp = `${TEST_PREFIX}${now}_${Math.random().toString(36).slice(2, 8)}`;
  const tmpStanza = stanzaOf(scheme, tmp);
  let created = false;
  try {
    await rest.post(`${NS}/data/inputs/${scheme}`, { name: tmp, disabled: '1', ...params }, `Testing the connection of ${shown}`);
    created = true;
  } catch (e) {
    if (e instanceof SplunkError) {
      // A refusal is the validator's answer about the settings: its words alone, under the tested name.
      const base = e.kind === 'refused' && e.said ? e.said : e.message;
      throw new SplunkError(base.split(tmpStanza).join(shown).split(tmp).join(shown), e.kind, e.status, e.field);
    }
    throw e;
  } finally {
    if (created) await rest.remove(`${NS}/data/inputs/${scheme}/${enc(tmp)}`, `Removing the temporary test input ${tmp}`).catch(() => undefined);
  }
}

export async function setInputDisabled(rest: SplunkRest, input: InputRecord, disabled: boolean): Promise<void> {
  const action = disabled ? 'disable' : 'enable';
  await rest.post(`/servicesNS/nobody/${enc(input.app)}/data/inputs/${input.scheme}/${enc(input.name)}/${action}`, {},
    `${disabled ? 'Disabling' : 'Enabling'} ${stanzaOf(input.scheme, input.name)}`);
}

/** Deletes the stanza, then its secrets and any staged one it refers to (an input without a stanza has no use for them). */
export async function removeInput(rest: SplunkRest, desc: InputDescription, input: InputRecord): Promise<void> {
  const stanza = stanzaOf(input.scheme, input.name);
  await rest.remove(`/servicesNS/nobody/${enc(input.app)}/data/inputs/${input.scheme}/${enc(input.name)}`, `Deleting ${stanza}`);
  for (const a of desc.args.filter((x) => x.secret)) {
    await deleteSecret(rest, stanza, a.name);
    const ref = parseSecretRef(input.values[a.name]);
    if (ref !== undefined && isPendingRealm(ref)) await deleteSecret(rest, ref, a.name);
  }
}

/** After an edit: staged secrets the stanza referred to before and no longer does. */
async function discardReplaced(rest: SplunkRest, desc: InputDescription, input: InputRecord, params: Params): Promise<void> {
  for (const a of desc.args.filter((x) => x.secret)) {
    const before = parseSecretRef(input.values[a.name]);
    if (before !== undefined && isPendingRealm(before) && params[a.name] !== input.values[a.name]) await deleteSecret(rest, before, a.name).catch(() => undefined);
  }
}

// ---- add-on settings ----

export const LOG_LEVELS = ['DEBUG', 'INFO', 'WARN', 'ERROR'] as const;

export interface ProxyForm {
  proxy_enabled: boolean;
  proxy_type: string;
  proxy_url: string;
  proxy_port: string;
  proxy_username: string;
  /** Typed now; '' keeps the stored password. */
  password: string;
  /** Delete the stored password. */
  clearPassword: boolean;
}

const settingsPath = (stanza: string) => `${NS}/configs/conf-${SETTINGS}/${stanza}`;

async function readStanza(rest: SplunkRest, stanza: string): Promise<Record<string, string>> {
  const found = await rest.get(settingsPath(stanza), `Reading [${stanza}] of ${SETTINGS}.conf`, { missingOk: true });
  return Object.fromEntries(Object.entries(found?.[0]?.content ?? {}).map(([k, v]) => [k, str(v)]));
}

async function writeStanza(rest: SplunkRest, stanza: string, values: Params): Promise<void> {
  const what = `Saving [${stanza}] of ${SETTINGS}.conf`;
  const done = await rest.post(settingsPath(stanza), values, what, { missingOk: true });
  if (done === undefined) await rest.post(`${NS}/configs/conf-${SETTINGS}`, { name: stanza, ...values }, what);
}

/**
 * The page never reads storage/passwords (its answers carry clear_password): whether a proxy
 * password is stored is the `proxy_password = ********` marker the page writes next to it.
 */
export async function loadProxy(rest: SplunkRest): Promise<{ form: ProxyForm; passwordStored: boolean }> {
  const c = await readStanza(rest, 'proxy');
  const stored = c.proxy_password === MASK;
  return {
    form: {
      proxy_enabled: parseBoolean(c.proxy_enabled ?? '') ?? false,
      proxy_type: c.proxy_type || 'http',
      proxy_url: c.proxy_url ?? '',
      proxy_port: c.proxy_port ?? '',
      proxy_username: c.proxy_username ?? '',
      password: '',
      clearPassword: false,
    },
    passwordStored: stored,
  };
}

/** The rules of the settings reader (src/core/settings.ts), checked before anything is saved. */
export function checkProxy(f: ProxyForm): void {
  const bad = (field: string, message: string) => new SplunkError(message, 'invalid', undefined, field);
  const url = f.proxy_url.trim();
  const port = f.proxy_port.trim();
  if (port && (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65535)) throw bad('proxy_port', `Port must be a number from 1 to 65535, got "${port.slice(0, 20)}".`);
  if (url.includes('://')) {
    let u: URL;
    try {
      u = new URL(url);
    } catch {
      throw bad('proxy_url', `Proxy host "${url.slice(0, 60)}" is not a host name or URL.`);
    }
    if (!/^https?:$/.test(u.protocol)) throw bad('proxy_url', `Proxy URL must start with http:// or https://, got ${u.protocol}//.`);
    if (u.username || u.password) throw bad('proxy_url', 'Proxy URL must not contain credentials: use the username and password fields.');
  } else if (url && !/^[A-Za-z0-9.-]+$|^\[[0-9A-Fa-f:.]+\]$/.test(url)) {
    throw bad('proxy_url', `Proxy host must be a host name like proxy.example.com, got "${url.slice(0, 60)}".`);
  }
  if (f.proxy_enabled && !url) throw bad('proxy_url', 'Proxy host is required when the proxy is enabled.');
  if (f.proxy_type !== 'http' && f.proxy_type !== 'https') throw bad('proxy_type', 'Proxy type must be http or https.');
}

export async function saveProxy(rest: SplunkRest, f: ProxyForm): Promise<void> {
  checkProxy(f);
  // The password first, so the marker never claims one that is not there.
  if (f.password) await writeSecret(rest, PROXY_REALM, PROXY_USER, f.password);
  else if (f.clearPassword) await deleteSecret(rest, PROXY_REALM, PROXY_USER);
  await writeStanza(rest, 'proxy', {
    proxy_enabled: f.proxy_enabled ? 'true' : 'false',
    proxy_type: f.proxy_type,
    proxy_url: f.proxy_url.trim(),
    proxy_port: f.proxy_port.trim(),
    proxy_username: f.proxy_username.trim(),
    ...(f.password ? { proxy_password: MASK } : f.clearPassword ? { proxy_password: '' } : {}),
  });
}

export async function loadLogLevel(rest: SplunkRest): Promise<string> {
  return (await readStanza(rest, 'logging')).loglevel || 'INFO';
}

export async function saveLogLevel(rest: SplunkRest, level: string): Promise<void> {
  if (!(LOG_LEVELS as readonly string[]).includes(level)) throw new SplunkError(`Log level must be one of ${LOG_LEVELS.join(', ')}.`, 'invalid', undefined, 'loglevel');
  await writeStanza(rest, 'logging', { loglevel: level });
}
