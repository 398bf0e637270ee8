/**
 * The Accounts tab over splunkd REST, without any DOM: connections defined once and named by
 * inputs (src/core/account.ts). An account is the stanza `[<kind>://<name>]` of
 * ta_zerotrust_events_accounts.conf, written through `configs/conf-ta_zerotrust_events_accounts`
 * in the app's namespace (splunkd keeps it in the app's local/); its secrets go to
 * storage/passwords under realm `<kind>://<name>`, username = argument, and the conf holds
 * `********` next to a stored one, which is how the page knows it is there (the page never reads
 * storage/passwords: every answer to a read carries clear_password).
 *
 * Unlike an input's, an account's secret is written where it stays, once the save's connection
 * test passed: a conf save itself runs no validation that could refuse it. "Test connection" is splunkd's
 * validation of a temporary disabled input of a scheme that takes this kind of account
 * (model.ts, probe), naming the account as saved or a temporary account with the form's values
 * (testAccount). A deleted account's secrets are overwritten with a tombstone (model.ts,
 * deleteSecret), and an account that inputs still name is not deleted.
 */
import { ACCOUNTS_CONF, accountNameProblem, accountStanza, ACCOUNT_NAME, type AccountDescription } from '../core/account';
import { MASK, parseConfig, type InputDescription } from '../core/description';
import { secretRef } from '../core/secret-ref';
import {
  deleteSecret, formValue, listInputs, NAMESPACE, probe, sendSetting, STALE_TEST_MS, stageSecrets, str, writeSecret, type InputRecord, type SecretPlan,
} from './model';
import { SplunkError, type Params, type SplunkRest } from './rest';

export interface AccountRecord {
  kind: string;
  name: string;
  /** The stanza's keys as splunkd lists them; a secret's is `********` when one is stored. */
  values: Record<string, string>;
}

export interface AccountForm {
  name: string;
  /** Non-secret settings as typed ('' = not set). Booleans are '1' or '0'. */
  args: Record<string, string>;
  /** Secrets typed now; '' keeps the stored one. */
  secrets: Record<string, string>;
  /** Stored secrets to remove (optional ones only). */
  remove: Record<string, boolean>;
}

export type AccountMode = { kind: 'create' } | { kind: 'edit'; account: AccountRecord };

/** Names of the temporary accounts of "Test connection"; hidden from the list, and not allowed for an account. */
export const ACCOUNT_TEST_PREFIX = 'ta-connection-test-';

const enc = encodeURIComponent;
const CONF = `${NAMESPACE}/configs/conf-${ACCOUNTS_CONF}`;
const stanzaPath = (stanza: string) => `${CONF}/${enc(stanza)}`;

/** Every account of these kinds, by kind then name. Stanzas of other kinds or with names ACCOUNT_NAME refuses are not ours. */
export async function listAccounts(rest: SplunkRest, kinds: readonly AccountDescription[], now = Date.now()): Promise<AccountRecord[]> {
  if (!kinds.length) return [];
  const entries = await rest.get(CONF, `Listing the accounts of ${ACCOUNTS_CONF}.conf`) ?? [];
  const out: AccountRecord[] = [];
  for (const e of entries) {
    const kind = kinds.find((k) => e.name.startsWith(`${k.kind}://`));
    const name = kind ? e.name.slice(kind.kind.length + 3) : '';
    if (!kind || !ACCOUNT_NAME.test(name)) continue;
    if (name.startsWith(ACCOUNT_TEST_PREFIX)) {
      // Left behind by a page closed mid-test: removed once surely finished (only admins can).
      const born = Number(name.slice(ACCOUNT_TEST_PREFIX.length).split('-')[0]);
      if (Number.isFinite(born) && now - born > STALE_TEST_MS) await rest.remove(stanzaPath(e.name), `Removing the temporary test account ${e.name}`).catch(() => undefined);
      continue;
    }
    out.push({
      kind: kind.kind,
      name,
      values: Object.fromEntries(Object.entries(e.content).filter(([k]) => !k.startsWith('eai:')).map(([k, v]) => [k, str(v)])),
    });
  }
  return out.sort((a, b) => a.kind.localeCompare(b.kind) || a.name.localeCompare(b.name));
}

/** The inputs whose stanza names this account. */
export function inputsUsing(account: { kind: string; name: string }, inputs: readonly InputRecord[], descs: readonly InputDescription[]): InputRecord[] {
  return inputs.filter((i) => {
    const a = descs.find((d) => d.scheme === i.scheme)?.account;
    return a?.kind === account.kind && (i.values[a.param] ?? '').trim() === account.name;
  });
}

/** The form's starting values: the account's, or the kind's defaults. */
export function initialAccountForm(kind: AccountDescription, mode: AccountMode): AccountForm {
  const src = mode.kind === 'edit' ? mode.account.values : undefined;
  const form: AccountForm = { name: mode.kind === 'edit' ? mode.account.name : '', args: {}, secrets: {}, remove: {} };
  for (const a of kind.args) {
    if (a.secret) form.secrets[a.name] = '';
    else form.args[a.name] = formValue(a, src);
  }
  return form;
}

/** What each secret of the account does on this save. */
function plansOf(kind: AccountDescription, mode: AccountMode, form: AccountForm): Record<string, SecretPlan> {
  const plans: Record<string, SecretPlan> = {};
  for (const a of kind.args.filter((x) => x.secret)) {
    const typed = form.secrets[a.name] ?? '';
    const stored = mode.kind === 'edit' && mode.account.values[a.name] === MASK;
    plans[a.name] = typed !== '' ? { kind: 'typed', value: typed } : stored && form.remove[a.name] ? { kind: 'clear' } : stored ? { kind: 'keep', value: MASK } : { kind: 'none' };
  }
  return plans;
}

/**
 * The account's settings as the inputs will check them (required, types, ranges, URL checks),
 * and its name. Throws a SplunkError naming the field.
 */
export function checkAccountForm(kind: AccountDescription, mode: AccountMode, form: AccountForm): void {
  const bad = (field: string, message: string) => new SplunkError(message, 'invalid', undefined, field);
  const name = mode.kind === 'edit' ? mode.account.name : form.name.trim();
  if (mode.kind === 'create') {
    if (!name) throw bad('name', `Name is required: a short name the inputs refer to, e.g. prod (the stanza is ${kind.kind}://<name>).`);
    const problem = accountNameProblem(name);
    if (problem) throw bad('name', problem);
    if (name.startsWith(ACCOUNT_TEST_PREFIX)) throw bad('name', `Names starting with ${ACCOUNT_TEST_PREFIX} are kept for the page's connection tests.`);
  }
  const params: Record<string, string> = { ...form.args };
  for (const [k, p] of Object.entries(plansOf(kind, mode, form))) {
    if (p.kind === 'typed') params[k] = p.value;
    else if (p.kind === 'keep') params[k] = 'stored-secret';
  }
  try {
    parseConfig({ scheme: kind.kind, title: kind.title, description: kind.description, sourcetype: '', defaultInterval: 0, args: kind.args }, params, accountStanza(kind.kind, name || '<name>'));
  } catch (e) {
    throw bad((e as { field?: string }).field ?? '', (e as Error).message);
  }
}

/**
 * Create or edit. Resolves with the stanza saved; throws a SplunkError otherwise. As an input's
 * save runs its live check, an account's runs testAccount first (with `descs`, the inputs that
 * can name it): a connection that fails would fail every input naming it, so it is not kept.
 */
export async function saveAccount(rest: SplunkRest, kind: AccountDescription, mode: AccountMode, form: AccountForm,
  descs: readonly InputDescription[] = []): Promise<string> {
  checkAccountForm(kind, mode, form);
  const name = mode.kind === 'edit' ? mode.account.name : form.name.trim();
  const stanza = accountStanza(kind.kind, name);
  // A create must not overwrite the secrets of an account that exists.
  if (mode.kind === 'create' && await rest.get(stanzaPath(stanza), `Looking for ${stanza}`, { missingOk: true }) !== undefined) {
    throw new SplunkError(`An account named ${name} already exists (${stanza}): choose another name, or edit that account.`, 'invalid', undefined, 'name');
  }
  if (descs.some((d) => d.account?.kind === kind.kind)) {
    try {
      await testAccount(rest, kind, mode, form, descs);
    } catch (e) {
      if (e instanceof SplunkError) throw new SplunkError(`Not saved. ${e.message}`, e.kind, e.status, e.field, e.said);
      throw e;
    }
  }
  const plans = plansOf(kind, mode, form);
  const values: Params = {};
  for (const a of kind.args) {
    if (a.secret) {
      const p = plans[a.name];
      if (p.kind === 'typed') values[a.name] = MASK;
      else if (p.kind === 'clear') values[a.name] = '';
      continue;
    }
    const v = (form.args[a.name] ?? '').trim();
    if (sendSetting(a, v, mode.kind === 'edit' ? mode.account.values[a.name] ?? '' : undefined)) values[a.name] = v;
  }
  // Secrets first, so that `********` in the conf never claims one that is not stored.
  const written: string[] = [];
  for (const [user, p] of Object.entries(plans)) {
    if (p.kind === 'typed') {
      await writeSecret(rest, stanza, user, p.value);
      written.push(user);
    } else if (p.kind === 'clear') await deleteSecret(rest, stanza, user);
  }
  try {
    if (mode.kind === 'edit') await rest.post(stanzaPath(stanza), values, `Saving ${stanza}`);
    else await rest.post(CONF, { name: stanza, ...values }, `Creating ${stanza}`);
  } catch (e) {
    // A new account that was not created has no use for the secrets just written.
    if (mode.kind === 'create') for (const user of written) await deleteSecret(rest, stanza, user).catch(() => undefined);
    throw e;
  }
  return stanza;
}

/**
 * Deletes the account and its secrets, unless an input still names it: then nothing changes and
 * the error names those inputs. The inputs are listed now, not taken from the page's list.
 */
export async function deleteAccount(rest: SplunkRest, kind: AccountDescription, account: AccountRecord, descs: readonly InputDescription[]): Promise<void> {
  const stanza = accountStanza(kind.kind, account.name);
  const users = inputsUsing(account, await listInputs(rest, descs.filter((d) => d.account?.kind === kind.kind)), descs);
  if (users.length) {
    const list = users.map((i) => `${i.scheme}://${i.name}`).join(', ');
    throw new SplunkError(`${stanza} is not deleted: ${users.length === 1 ? 'the input' : 'the inputs'} ${list} still ${users.length === 1 ? 'uses' : 'use'} it. ` +
      `Choose another ${kind.title} or their own settings in ${users.length === 1 ? 'that input' : 'those inputs'} (or delete ${users.length === 1 ? 'it' : 'them'}) first.`, 'refused');
  }
  await rest.remove(stanzaPath(stanza), `Deleting ${stanza}`);
  for (const a of kind.args.filter((x) => x.secret)) await deleteSecret(rest, stanza, a.name);
}

/**
 * splunkd's validation of the account's settings, through a temporary disabled input of the first
 * scheme that takes this kind, named by the account:
 *  - a saved account tested as it is (no setting changed, no secret typed): the account itself;
 *  - otherwise a temporary account `[<kind>://ta-connection-test-<ms>-<random>]` with the form's
 *    settings, each typed secret staged (src/core/secret-ref.ts) and each kept one a reference to
 *    the saved account's realm, which validation reads without taking it over. The account's own
 *    stanza and secrets are not touched before Save; the temporary account, its input and the
 *    staged secrets are removed again.
 */
export async function testAccount(rest: SplunkRest, kind: AccountDescription, mode: AccountMode, form: AccountForm,
  descs: readonly InputDescription[], now = Date.now()): Promise<void> {
  checkAccountForm(kind, mode, form);
  const scheme = descs.find((d) => d.account?.kind === kind.kind);
  if (!scheme) throw new SplunkError(`No input of this add-on takes a ${kind.title}, so it cannot be tested.`, 'invalid');
  const shown = accountStanza(kind.kind, mode.kind === 'edit' ? mode.account.name : form.name.trim() || '<new account>');
  const input = (name: string): Params => ({ interval: String(scheme.defaultInterval), [kind.param]: name });
  const plans = plansOf(kind, mode, form);
  if (mode.kind === 'edit' && Object.values(plans).every((p) => p.kind === 'keep' || p.kind === 'none')
    && kind.args.every((a) => a.secret || (form.args[a.name] ?? '').trim() === formValue(a, mode.account.values).trim())) {
    await probe(rest, scheme.scheme, input(mode.account.name), shown, now);
    return;
  }
  const tmp = `${ACCOUNT_TEST_PREFIX}${now}-${Math.random().toString(36).slice(2, 8)}`;
  const tmpStanza = accountStanza(kind.kind, tmp);
  const staged = await stageSecrets(rest, plans, now);
  let created = false;
  try {
    const values: Params = {};
    for (const a of kind.args) {
      const p = plans[a.name];
      const v = !a.secret ? (form.args[a.name] ?? '').trim()
        : p?.kind === 'typed' ? secretRef(staged.realms[a.name])
          : p?.kind === 'keep' ? secretRef(accountStanza(kind.kind, (mode as { account: AccountRecord }).account.name)) : '';
      if (v !== '') values[a.name] = v;
    }
    await rest.post(CONF, { name: tmpStanza, ...values }, `Testing the connection of ${shown}`);
    created = true;
    await probe(rest, scheme.scheme, input(tmp), shown, now);
  } catch (e) {
    if (!(e instanceof SplunkError)) throw e;
    // The validator names the temporary account; the admin is testing `shown`.
    const named = (t: string) => t.split(tmpStanza).join(shown).split(`"${tmp}"`).join(`"${shown}"`).split(tmp).join(shown);
    throw new SplunkError(named(e.message), e.kind, e.status, e.field, e.said === undefined ? undefined : named(e.said));
  } finally {
    if (created) await rest.remove(stanzaPath(tmpStanza), `Removing the temporary test account ${tmpStanza}`).catch(() => undefined);
    await staged.discard();
  }
}
