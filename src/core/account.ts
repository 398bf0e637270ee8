/**
 * Accounts: a vendor connection defined once (the configuration page's Accounts tab) and named by
 * inputs, so that one PCE's URL, org, API key and secret are typed and stored once for its events,
 * traffic, health and objects inputs. Core knows no vendor: a module declares its account kinds
 * (SourceModule.accounts) and each input that can use one names it (InputDescription.account).
 *
 * The contract the runtime, the generators and the page share:
 *  - conf file `ta_zerotrust_events_accounts.conf` in the app (default/ then local/, key by key),
 *    one stanza per account: `[<kind>://<name>]`, e.g. `[acme_api://prod]`; its keys are the
 *    account's `args` (README/ta_zerotrust_events_accounts.conf.spec is generated from them);
 *  - secrets in storage/passwords: realm = the stanza name (`acme_api://prod`), username = the
 *    parameter name (`api_secret`, `proxy_password`); the conf keeps `********` at most;
 *  - an input names its account with the argument `account.param` (e.g. `pce_connection = prod`);
 *    the account then supplies every one of `account.args`, and the input's stanza leaves those
 *    empty (a stanza with its own settings and no account keeps working as before);
 *  - the names of accounts follow ACCOUNT_NAME (they become part of a realm and a conf stanza).
 *
 * Resolution (src/core/accounts.ts, before secrets and parseConfig): the input's checkpoint stays
 * keyed on its own stanza, not on the connection, so moving an input from its own settings to a
 * connection of the same PCE goes on from where it was (pointing it at another PCE is an edit of
 * the input, as changing its own pce_url always was).
 */
import type { ArgumentDescription, InputDescription } from './description';

/** The conf file (without `.conf`) that holds every account, as the configs/conf-* endpoint names it. */
export const ACCOUNTS_CONF = 'ta_zerotrust_events_accounts';

/** Letters, digits, `_`, `-`, `.`; starts with a letter or digit; at most 64 characters. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface AccountDescription {
  /** Stanza prefix and realm prefix, lower case [a-z0-9_], e.g. `acme_api`. */
  kind: string;
  /** As admins know it, e.g. "Acme API connection" (the Accounts tab, messages). */
  title: string;
  description: string;
  /** The input argument that names an account of this kind, e.g. `pce_connection`. */
  param: string;
  /** The settings an account holds; an input using the account takes these from it. */
  args: readonly ArgumentDescription[];
}

/** `[acme_api://prod]`'s name, which is also the realm of the account's secrets. */
export function accountStanza(kind: string, name: string): string {
  return `${kind}://${name}`;
}

/** Why `name` cannot name an account, or undefined when it can. */
export function accountNameProblem(name: string): string | undefined {
  return ACCOUNT_NAME.test(name)
    ? undefined
    : `"${name.slice(0, 80)}" cannot name an account: use letters, digits, "_", "-" and "." (at most 64, starting with a letter or digit).`;
}

/** The conf file as it is named on disk and in messages. */
export const ACCOUNTS_CONF_FILE = `${ACCOUNTS_CONF}.conf`;

/** Whether `arg` of `desc` may come from the input's account (so it is not required on create). */
export function fromAccount(desc: Pick<InputDescription, 'account'>, arg: string): boolean {
  return !!desc.account?.args.some((a) => a.name === arg);
}

/**
 * The input argument that names an account of `account`'s kind (its `param`), with its literal
 * name kept so that ConfigOf types it. Optional: an input with its own settings leaves it empty.
 */
export function accountArgument<const P extends string>(account: { param: P; title: string; kind: string }) {
  return {
    name: account.param,
    title: account.title,
    type: 'string' as const,
    description: `Name of an ${account.title} defined on the Configuration page's Accounts tab ` +
      `(${ACCOUNTS_CONF_FILE}, stanza [${account.kind}://<name>]). When set, the connection supplies the ` +
      'connection settings and secrets and this input leaves them empty. Empty: the input uses its own settings.',
    check: (value: unknown) => {
      const problem = accountNameProblem(String(value));
      return problem ? `must name an ${account.title}: ${problem}` : undefined;
    },
  };
}

/** The account `params` names for `desc` (trimmed), or undefined when the input uses its own settings. */
export function accountNamed(desc: Pick<InputDescription, 'account'>, params: Record<string, unknown>): string | undefined {
  const v = desc.account ? params[desc.account.param] : undefined;
  const s = Array.isArray(v) ? v.join(',') : typeof v === 'string' ? v : undefined;
  return s !== undefined && s.trim() !== '' ? s.trim() : undefined;
}

/**
 * `desc` without the arguments its account supplies: what an input that names an account still
 * checks and stores itself (the runtime's own secrets; a form checking what it will save).
 */
export function withoutAccountArgs<D extends Pick<InputDescription, 'account' | 'args'>>(desc: D): D {
  return desc.account ? { ...desc, args: desc.args.filter((a) => !fromAccount(desc, a.name)) } : desc;
}

/**
 * The account an input runs with, as its source's messages name it: a 401 or a missing secret is
 * fixed where the credential lives, which for an input on an account is the account, not the input.
 */
export interface AccountInUse {
  /** `acme_api://prod`: the account's stanza and the realm of its secrets. */
  stanza: string;
  name: string;
  /** e.g. "Acme API connection". */
  title: string;
  /** Where accounts are defined, e.g. `ta_zerotrust_events_accounts.conf`. */
  where: string;
  /** What an admin does to change one, e.g. "edit it on the Configuration page's Accounts tab". */
  edit: string;
  /** How many inputs name it, when the runtime can know (the standalone collector's file). */
  inputs?: number;
}

/**
 * Where an input's connection settings are changed, for messages ("… and update <this>."): the
 * input itself, or its account by name and place (and, when known, how many inputs share it).
 */
export function settingsHome(account: AccountInUse | undefined): string {
  if (!account) return 'the input';
  const shared = account.inputs !== undefined && account.inputs > 1 ? `; the ${account.inputs} inputs that name it all use it` : '';
  return `the ${account.title} "${account.name}" (stanza [${account.stanza}] of ${account.where}; ${account.edit}${shared}), not the input`;
}
