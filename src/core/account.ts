/**
 * Accounts: a vendor connection defined once (the configuration page's Accounts tab) and named by
 * inputs, so that one PCE's URL, org, API key and secret are typed and stored once for its events,
 * traffic, health and objects inputs. Core knows no vendor: a module declares its account kinds
 * (SourceModule.accounts) and each input that can use one names it (InputDescription.account).
 *
 * The contract the runtime, the generators and the page share:
 *  - conf file `ta_zerotrust_events_accounts.conf` in the app (default/ then local/, key by key),
 *    one stanza per account: `[<kind>://<name>]`, e.g. `[illumio_pce://prod]`; its keys are the
 *    account's `args` (README/ta_zerotrust_events_accounts.conf.spec is generated from them);
 *  - secrets in storage/passwords: realm = the stanza name (`illumio_pce://prod`), username = the
 *    parameter name (`api_secret`, `proxy_password`); the conf keeps `********` at most;
 *  - an input names its account with the argument `account.param` (e.g. `pce_connection = prod`);
 *    the account then supplies every one of `account.args`, and the input's stanza leaves those
 *    empty (a stanza with its own settings and no account keeps working as before);
 *  - the names of accounts follow ACCOUNT_NAME (they become part of a realm and a conf stanza).
 */
import type { ArgumentDescription } from './description';

/** The conf file (without `.conf`) that holds every account, as the configs/conf-* endpoint names it. */
export const ACCOUNTS_CONF = 'ta_zerotrust_events_accounts';

/** Letters, digits, `_`, `-`, `.`; starts with a letter or digit; at most 64 characters. */
export const ACCOUNT_NAME = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;

export interface AccountDescription {
  /** Stanza prefix and realm prefix, lower case [a-z0-9_], e.g. `illumio_pce`. */
  kind: string;
  /** As admins know it, e.g. "Illumio PCE connection" (the Accounts tab, messages). */
  title: string;
  description: string;
  /** The input argument that names an account of this kind, e.g. `pce_connection`. */
  param: string;
  /** The settings an account holds; an input using the account takes these from it. */
  args: readonly ArgumentDescription[];
}

/** `[illumio_pce://prod]`'s name, which is also the realm of the account's secrets. */
export function accountStanza(kind: string, name: string): string {
  return `${kind}://${name}`;
}

/** Why `name` cannot name an account, or undefined when it can. */
export function accountNameProblem(name: string): string | undefined {
  return ACCOUNT_NAME.test(name)
    ? undefined
    : `"${name.slice(0, 80)}" cannot name an account: use letters, digits, "_", "-" and "." (at most 64, starting with a letter or digit).`;
}
