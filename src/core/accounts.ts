/**
 * Resolution of an input's account (the contract is src/core/account.ts): when the stanza names
 * one in `account.param`, the account's settings and secrets become the input's, before the
 * input's own secrets and parseConfig see the params. Vendor-free: what an account holds comes
 * from InputDescription.account.
 *
 * Where accounts come from is an AccountSource: under splunkd, the app's
 * default/ + local/ ta_zerotrust_events_accounts.conf (local wins key by key, as splunkd layers
 * them), its secrets in storage/passwords (realm = the account's stanza); in the standalone
 * collector, collector.json's `accounts` with secrets from the environment or files.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { accountNamed, ACCOUNTS_CONF_FILE, accountNameProblem, accountStanza, type AccountDescription, type AccountInUse } from './account';
import { parseConf, toMap, type ConfFile } from './conf/parse';
import { MASK, parseConfig, type InputDescription } from './description';
import { ConfigError } from './errors';
import { parseSecretRef } from './secret-ref';
import { resolveSecrets, type ConfMasker } from './secrets';
import type { Logger, SecretStore } from './types';

type Params = Record<string, string | string[] | undefined>;

export interface AccountSource {
  /** The account's settings as stored (secrets as typed, `********`, a reference, or absent); undefined when there is none. */
  read(kind: string, name: string): Record<string, string> | undefined;
  /** Where accounts are defined, for messages, e.g. `ta_zerotrust_events_accounts.conf`. */
  where: string;
  /** What an admin does to define or fix one, e.g. "define it on the Configuration page's Accounts tab". */
  fix: string;
  /** What an admin does to change one that exists, e.g. "edit it on the Configuration page's Accounts tab". */
  edit: string;
  /** How many inputs name the account, when this source can know it (undefined: it cannot). */
  inputsNaming?(kind: string, name: string): number | undefined;
  /** Replaces secrets typed in clear in the account's stanza by `********` (splunkd run mode only). */
  masker?: ConfMasker;
}

/** The app's accounts conf, default/ then local/, read on every call (an admin may have just edited it). */
export function confAccountSource(appDir: string, masker?: ConfMasker): AccountSource {
  return {
    where: ACCOUNTS_CONF_FILE,
    fix: "define it on the Configuration page's Accounts tab",
    // Inputs naming it may live in any app's inputs.conf, which this add-on does not read: no count.
    edit: "edit it on the Configuration page's Accounts tab, or in local/" + ACCOUNTS_CONF_FILE,
    ...(masker ? { masker } : {}),
    read(kind, name) {
      const layers = ['default', 'local'].map((d) => readLayer(path.join(appDir, d, ACCOUNTS_CONF_FILE))).filter((l): l is ConfFile => !!l);
      const map = toMap(...layers);
      const values = map.get(accountStanza(kind, name));
      if (!values) return undefined;
      // splunkd's [default] stanza applies to every stanza of the file.
      return { ...Object.fromEntries(map.get('default') ?? []), ...Object.fromEntries(values) };
    },
  };
}

function readLayer(file: string): ConfFile | undefined {
  try {
    return parseConf(fs.readFileSync(file, 'utf8'), file);
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new ConfigError(`Cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}). Make it readable by the user Splunk runs as.`);
  }
}

export interface ResolveAccountDeps {
  accounts?: AccountSource;
  store?: SecretStore;
  log: Logger;
  /** Validation: read secrets, write and mask nothing. */
  readOnly?: boolean;
  /** Moves secrets a conflicting stanza typed in clear before the conflict is reported (run mode). */
  moveOwnSecrets?: (fields: string[]) => Promise<void>;
}

export interface ResolvedAccount {
  params: Params;
  /** The account the stanza named (its stanza `acme_api://prod` and how messages name it). */
  inUse?: AccountInUse;
}

const text = (v: string | string[] | undefined): string | undefined => {
  const s = Array.isArray(v) ? v.join(',') : v;
  return s === undefined || s.trim() === '' ? undefined : s;
};

/**
 * The stanza's params with the named account's settings and secrets merged in, or the params as
 * they are when the stanza names none (an input with its own settings). Throws ConfigError for an
 * unknown account, a stanza that also sets the account's settings, an account missing a required
 * setting or whose secret storage/passwords lacks.
 */
export async function resolveAccount(desc: InputDescription, stanza: string, params: Params, deps: ResolveAccountDeps): Promise<ResolvedAccount> {
  const account = desc.account;
  const name = accountNamed(desc, params);
  if (!account || name === undefined) return { params };
  const problem = accountNameProblem(name);
  if (problem) throw new ConfigError(`${stanza}: "${account.param}" ${problem}`, account.param);

  const own = account.args.filter((a) => text(params[a.name]) !== undefined).map((a) => a.name);
  if (own.length) {
    const clear = account.args.filter((a) => a.secret && own.includes(a.name) && !isStored(text(params[a.name]))).map((a) => a.name);
    if (clear.length && !deps.readOnly) await deps.moveOwnSecrets?.(clear).catch((e: Error) => deps.log.warn(`${stanza}: could not move ${clear.join(', ')} to storage/passwords: ${e.message}`));
    throw new ConfigError(
      `${stanza}: names the ${account.title} "${name}" (${account.param}) and also sets its own ${own.join(', ')}. ` +
      `Remove ${own.length === 1 ? 'it' : 'them'} from the input (the connection supplies ${own.length === 1 ? 'it' : 'them'}), or clear ${account.param} to use the input's own settings.`,
      own[0],
    );
  }
  if (!deps.accounts) {
    throw new ConfigError(`${stanza}: names the ${account.title} "${name}" (${account.param}), but accounts cannot be read here. Give the input its own settings.`, account.param);
  }
  const where = deps.accounts.where;
  const found = deps.accounts.read(account.kind, name);
  if (!found) {
    throw new ConfigError(`${stanza}: no ${account.title} named "${name}" in ${where}; ${deps.accounts.fix}, or correct ${account.param}.`, account.param);
  }
  const realm = accountStanza(account.kind, name);
  const label = `[${realm}] of ${where}`;
  const values = await accountSecrets(account, name, label, pick(account, found), deps);
  for (const arg of account.args) {
    if (arg.required && text(values[arg.name]) === undefined) {
      throw new ConfigError(`${stanza}: the ${account.title} "${name}" has no ${arg.name} (${arg.title}) in ${where}; ${deps.accounts.fix}.`, account.param);
    }
  }
  // Typed and checked as the account (its errors name the account's stanza, not the input's).
  parseConfig({ ...accountAsInput(account), args: account.args }, values, label);
  const inputs = deps.accounts.inputsNaming?.(account.kind, name);
  const inUse: AccountInUse = {
    stanza: realm, name, title: account.title, where, edit: deps.accounts.edit, ...(inputs !== undefined ? { inputs } : {}),
  };
  return { params: { ...params, ...values }, inUse };
}

const isStored = (v: string | undefined): boolean => v === MASK || parseSecretRef(v) !== undefined;

function pick(account: AccountDescription, found: Record<string, string>): Params {
  const out: Params = {};
  for (const arg of account.args) if (text(found[arg.name]) !== undefined) out[arg.name] = found[arg.name];
  return out;
}

/** An account seen as an input description, for the secrets and config code written for inputs. */
function accountAsInput(account: AccountDescription): InputDescription {
  return { scheme: account.kind, title: account.title, description: account.description, sourcetype: '', defaultInterval: 0, args: account.args };
}

/**
 * The account's secrets in clear: `********` or a secret absent from the conf (the page keeps it
 * in storage/passwords only) is read under the account's realm; a secret typed in clear is moved
 * there and masked in the accounts conf (run mode), and a reference is taken over, as for inputs.
 */
async function accountSecrets(account: AccountDescription, name: string, label: string, values: Params, deps: ResolveAccountDeps): Promise<Params> {
  const realm = accountStanza(account.kind, name);
  const out = { ...values };
  const stored = account.args.filter((a) => a.secret && (text(values[a.name]) === undefined || values[a.name] === MASK));
  for (const arg of stored) {
    const masked = values[arg.name] === MASK;
    if (!deps.store) {
      if (masked || arg.required) throw new ConfigError(`${label}: "${arg.name}" (${arg.title}) is kept in storage/passwords, which cannot be read here; ${deps.accounts!.fix}.`, arg.name);
      continue;
    }
    const secret = await deps.store.get(realm, arg.name);
    if (secret === undefined || secret === '') {
      if (!masked && !arg.required) continue;
      throw new ConfigError(
        `${label}: storage/passwords has no secret for realm "${realm}", user "${arg.name}" (${arg.title}); it may have been deleted, ` +
        `or the connection copied from another host. Re-enter the ${arg.title} of the ${account.title} "${name}": ${deps.accounts!.edit}.`, arg.name);
    }
    out[arg.name] = secret;
  }
  const rest = account.args.filter((a) => a.secret && !stored.includes(a));
  if (!rest.length) return out;
  const resolved = await resolveSecrets({ ...accountAsInput(account), args: rest }, realm, out, {
    ...(deps.store ? { store: deps.store } : {}),
    ...(deps.accounts?.masker && !deps.readOnly ? { masker: deps.accounts.masker } : {}),
    log: deps.log,
    readOnly: !!deps.readOnly,
    conf: deps.accounts!.where,
    reenter: `of the ${account.title} "${name}": ${deps.accounts!.edit}`,
  });
  return resolved;
}
