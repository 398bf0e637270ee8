/**
 * Secrets in splunkd's storage/passwords, and the move of a secret an admin typed into the input
 * form (where splunkd's auto-built form has no password widget, so it lands in inputs.conf in
 * clear) into storage/passwords, leaving `********` in inputs.conf.
 *
 * Realm = the stanza name `<scheme>://<name>`, username = the argument name (DEVELOPERS.md).
 *
 * About splunk-sdk (npm, 2.x):
 *  - Its index.js calls `require('dotenv').config()`, which reads a `.env` file from the current
 *    directory into process.env. splunkd starts inputs with a cwd we do not control, and a stray
 *    `.env` could set NODE_TLS_REJECT_UNAUTHORIZED, HTTPS_PROXY, SPLUNK_HOME or LOG_LEVEL for the
 *    whole process. So we never load index.js: we require `splunk-sdk/lib/service` directly,
 *    which builds the same Service without dotenv (a test checks a `.env` is ignored).
 *  - Its Logger prints splunkd messages with console.log/console.info — stdout, which is the
 *    event stream splunkd reads — when process.env.LOG_LEVEL is INFO or ALL. We set its level to
 *    NONE (it stores this in process.env.LOG_LEVEL = "0"; nothing else of ours reads that).
 *  - Its node transport (needle) does not verify TLS certificates. It only ever talks to the
 *    server_uri splunkd gave us on stdin (its management port, normally 127.0.0.1 with splunkd's
 *    default self-signed certificate), never to a vendor.
 *  - It rejects with plain response objects (or `[err, entity]` from update); every failure is
 *    turned into one of our errors here, with the session key redacted.
 */
import { AuthError, ConfigError, TransientError, isTaError } from '../errors';
import { MASK, type InputDescription } from '../description';
import { isPendingRealm, parseSecretRef, refRefusal, TOMBSTONE } from '../secret-ref';
import { splunkdHttpClient } from '../http';
import { makeRedactor } from '../log/redact';
import type { HttpClient, Logger, SecretStore } from '../types';

/**
 * The SDK is loaded on first use: a run whose secrets are all in clear and the --scheme path need
 * none of its ~600 KB (needle, iconv-lite), and the bundle keeps it in a file of its own.
 */
// eslint-disable-next-line @typescript-eslint/no-explicit-any
let sdkService: any;
// eslint-disable-next-line @typescript-eslint/no-explicit-any
function SdkServiceClass(): any {
  if (!sdkService) {
    /* eslint-disable @typescript-eslint/no-require-imports */
    const sdkLog: { Logger: { setLevel(level: string): void } } = require('splunk-sdk/lib/log');
    sdkLog.Logger.setLevel('NONE');
    sdkService = require('splunk-sdk/lib/service');
    /* eslint-enable @typescript-eslint/no-require-imports */
  }
  return sdkService;
}

export interface SplunkdConnection {
  /** splunkd's management URI from the input's stdin, e.g. https://127.0.0.1:8089. */
  serverUri: string;
  sessionKey: string;
  app: string;
}

interface SdkEntity {
  properties(): Record<string, unknown>;
  acl(): Record<string, unknown>;
  update(props: Record<string, string>): Promise<unknown>;
  remove(): Promise<unknown>;
}

interface SdkResponseError {
  status?: number | string;
  data?: { messages?: { type?: string; text?: string }[] } | string;
  error?: unknown;
}

function sdkFailure(e: unknown, what: string, conn: SplunkdConnection): Error {
  if (isTaError(e)) return e;
  const redact = makeRedactor([conn.sessionKey]);
  // update() rejects with [err, entity].
  const err = (Array.isArray(e) ? e[0] : e) as SdkResponseError | Error;
  if (err instanceof Error) return new TransientError(`${what}: ${redact(err.message)}`);
  const status = typeof err?.status === 'number' ? err.status : undefined;
  const data = err?.data;
  const msg = typeof data === 'object' && data?.messages?.length
    ? data.messages.map((m) => m.text).filter(Boolean).join('; ')
    : '';
  if (status === 401 || status === 403) {
    return new AuthError(`${what}: splunkd refused the session key (${status}${msg ? `: ${redact(msg)}` : ''}). ` +
      'The input must run under splunkd, which passes a session key with access to storage/passwords.');
  }
  if (status === undefined || status === 600) {
    const inner = err?.error as { code?: string; message?: string } | undefined;
    return new TransientError(`${what}: cannot reach splunkd at ${conn.serverUri} (${redact(inner?.code ?? inner?.message ?? 'no answer')}).`);
  }
  return new TransientError(`${what}: splunkd answered ${status}${msg ? ` (${redact(msg)})` : ''}.`, status);
}

/** storage/passwords through splunk-sdk, in the app's namespace as nobody. */
export function splunkdSecretStore(conn: SplunkdConnection): SecretStore {
  const u = new URL(conn.serverUri);
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  let svc: any;
  // Built on first use: a run whose secrets are all in clear never loads the SDK.
  const service = () => {
    const Service = SdkServiceClass();
    svc ??= new Service({
      scheme: u.protocol.replace(':', ''),
      host: u.hostname,
      port: u.port || (u.protocol === 'https:' ? '443' : '80'),
      sessionKey: conn.sessionKey,
      owner: 'nobody',
      app: conn.app,
      autologin: false,
    });
    return svc;
  };

  let swept = false;
  /** Credentials the configuration page tombstoned (it cannot delete them itself): removed once per process. */
  async function sweep(all: SdkEntity[]): Promise<void> {
    if (swept) return;
    swept = true;
    for (const ent of all) {
      if (ent.properties().clear_password === TOMBSTONE && ent.acl().app === conn.app) await ent.remove().catch(() => undefined);
    }
  }

  async function find(realm: string, username: string): Promise<SdkEntity | undefined> {
    const coll = service().storagePasswords();
    await coll.fetch({ count: 0 });
    await sweep(coll.list() as SdkEntity[]);
    const matches = (coll.list() as SdkEntity[]).filter((ent) => {
      const p = ent.properties();
      return p.realm === realm && p.username === username;
    });
    // A credential of our own app first; an app may see global ones of other apps too.
    return matches.find((ent) => ent.acl().app === conn.app) ?? matches[0];
  }

  return {
    async get(realm, username) {
      const what = `Reading the secret "${username}" of ${realm} from storage/passwords`;
      try {
        const ent = await find(realm, username);
        const clear = ent?.properties().clear_password;
        return typeof clear === 'string' && clear !== TOMBSTONE ? clear : undefined;
      } catch (e) {
        throw sdkFailure(e, what, conn);
      }
    },
    async set(realm, username, value) {
      const what = `Saving the secret "${username}" of ${realm} to storage/passwords`;
      try {
        const ent = await find(realm, username);
        if (ent && ent.acl().app === conn.app) await ent.update({ password: value });
        else {
          await service().storagePasswords().create({ name: username, realm, password: value }).catch(async (e: unknown) => {
            // Another process created it meanwhile (two inputs sharing an account on their first
            // run): update that one instead.
            const again = (Array.isArray(e) ? e[0] : e) as SdkResponseError;
            const raced = again?.status === 409 ? await find(realm, username) : undefined;
            if (!raced || raced.acl().app !== conn.app) throw e;
            await raced.update({ password: value });
          });
        }
      } catch (e) {
        throw sdkFailure(e, what, conn);
      }
    },
    async delete(realm, username) {
      const what = `Deleting the secret "${username}" of ${realm} from storage/passwords`;
      try {
        const ent = await find(realm, username);
        if (ent && ent.acl().app === conn.app) await ent.remove();
      } catch (e) {
        throw sdkFailure(e, what, conn);
      }
    },
  };
}

/** Replaces secret fields of a stanza in inputs.conf by MASK. */
export type ConfMasker = (stanza: string, fields: string[]) => Promise<void>;

/**
 * Masks through `configs/conf-inputs/<stanza>`, not `data/inputs/<scheme>/<name>`:
 *  - data/inputs/<scheme>/<name> is the modular-input handler; with use_external_validation it
 *    runs `<scheme> --validate-arguments` on the edited stanza, which would now be validated
 *    with `********` as the secret (a failed live check against the vendor, and the edit
 *    refused), and an edit there restarts the input, killing the run that is masking.
 *  - configs/conf-inputs/<stanza> just writes the given keys to `local/inputs.conf` of the
 *    namespace's app, which is all we want.
 * The stanza is written in the app that defines it (looked up first), so the mask is not
 * shadowed by a higher-precedence copy elsewhere; our own app when the lookup fails.
 * splunkd keeps serving the clear value from memory until it reloads inputs; the next runs then
 * store the same secret again (idempotent) and mask again.
 */
export function splunkdConfMasker(conn: SplunkdConnection & { http?: HttpClient; /** The conf file, default `inputs` (accounts: ta_zerotrust_events_accounts). */ file?: string }): ConfMasker {
  const file = conn.file ?? 'inputs';
  const http = conn.http ?? splunkdHttpClient(conn.serverUri, conn.sessionKey);
  const headers = { Authorization: `Splunk ${conn.sessionKey}` };
  return async (stanza, fields) => {
    const enc = encodeURIComponent(stanza);
    let app = conn.app;
    const found = await http.request({ url: `/servicesNS/-/-/configs/conf-${file}/${enc}`, query: { output_mode: 'json' }, headers });
    if (found.status === 200) {
      const doc = await found.json<{ entry?: { acl?: { app?: string } }[] }>().catch(() => undefined);
      app = doc?.entry?.[0]?.acl?.app || app;
    } else await found.dump();
    const body = new URLSearchParams(fields.map((f): [string, string] => [f, MASK])).toString();
    const res = await http.request({
      method: 'POST', url: `/servicesNS/nobody/${encodeURIComponent(app)}/configs/conf-${file}/${enc}`,
      query: { output_mode: 'json' }, headers: { ...headers, 'Content-Type': 'application/x-www-form-urlencoded' }, body,
    });
    // The answer echoes the stanza (and so the secret it replaced) — read nothing but the status.
    await res.dump();
    if (res.status === 401 || res.status === 403) {
      throw new AuthError(`${stanza}: splunkd refused to update ${file}.conf (${res.status}); the session key lacks the capability to edit it.`);
    }
    if (res.status !== 200 && res.status !== 201) {
      throw new TransientError(`${stanza}: masking ${fields.join(', ')} in ${file}.conf of app ${app} failed: splunkd answered ${res.status}.`, res.status);
    }
  };
}

export interface ResolveSecretsDeps {
  store?: SecretStore;
  masker?: ConfMasker;
  log: Logger;
  /** Validation: resolve `********` and references, write nothing (the stanza is not saved yet). */
  readOnly?: boolean;
  /** The conf file the stanza lives in, for messages (default inputs.conf). */
  conf?: string;
  /** Where a lost secret is typed again, for messages (default "in the input's settings"). */
  reenter?: string;
}

/**
 * Returns the stanza's params with every `secret: true` argument in clear, for parseConfig:
 *  - a clear value is saved to storage/passwords, then masked in inputs.conf;
 *  - `********` is read back from storage/passwords;
 *  - a reference `********from:<realm>` (src/core/secret-ref.ts) is read from <realm>, copied to
 *    the stanza's own realm and masked; a staged realm is deleted once the mask is written.
 * Without a store (standalone mode) values pass through; a mask then cannot be resolved.
 */
export async function resolveSecrets(
  desc: InputDescription,
  stanza: string,
  params: Record<string, string | string[] | undefined>,
  deps: ResolveSecretsDeps,
): Promise<Record<string, string | string[] | undefined>> {
  const out = { ...params };
  const conf = deps.conf ?? 'inputs.conf';
  const reenter = deps.reenter ?? "in the input's settings";
  const moved: string[] = [];
  const staged: [string, string][] = [];
  for (const arg of desc.args) {
    if (!arg.secret) continue;
    const raw = params[arg.name];
    const value = Array.isArray(raw) ? raw.join(',') : raw;
    if (value === undefined || value.trim() === '') continue;
    if (value === MASK) {
      if (!deps.store) {
        throw new ConfigError(`${stanza}: "${arg.name}" (${arg.title}) is masked but there is no splunkd to read it from. Give the secret directly.`, arg.name);
      }
      const stored = await deps.store.get(stanza, arg.name);
      if (stored === undefined || stored === '') {
        throw new ConfigError(
          `${stanza}: "${arg.name}" (${arg.title}) is masked in ${conf} but storage/passwords has no secret for ` +
          `realm "${stanza}", user "${arg.name}" (it may have been deleted, or the input copied from another host). ` +
          `Re-enter the ${arg.title} ${reenter}.`, arg.name);
      }
      out[arg.name] = stored;
      continue;
    }
    const ref = parseSecretRef(value);
    if (ref !== undefined) {
      const refused = refRefusal(desc.scheme, stanza, ref);
      if (refused) throw new ConfigError(`${stanza}: "${arg.name}" (${arg.title}) refers to a stored secret, but ${refused}. Re-enter the ${arg.title} ${reenter}.`, arg.name);
      if (!deps.store) {
        throw new ConfigError(`${stanza}: "${arg.name}" (${arg.title}) refers to a stored secret but there is no splunkd to read it from. Give the secret directly.`, arg.name);
      }
      let found = await deps.store.get(ref, arg.name);
      // An earlier run took the staged secret over and deleted it, but could not write the mask.
      if ((found === undefined || found === '') && isPendingRealm(ref) && !deps.readOnly) found = await deps.store.get(stanza, arg.name);
      if (found === undefined || found === '') {
        throw new ConfigError(
          `${stanza}: "${arg.name}" (${arg.title}) is to be taken from realm "${ref}" of storage/passwords, which has no secret for ` +
          `user "${arg.name}" (the input it was copied from may have been deleted, or a save did not finish). Re-enter the ${arg.title} ${reenter}.`, arg.name);
      }
      out[arg.name] = found;
      if (deps.readOnly) continue;
      await deps.store.set(stanza, arg.name, found);
      moved.push(arg.name);
      if (isPendingRealm(ref)) staged.push([ref, arg.name]);
      continue;
    }
    if (!deps.store || deps.readOnly) continue;
    await deps.store.set(stanza, arg.name, value);
    moved.push(arg.name);
  }
  if (moved.length) {
    deps.log.info(`Moved secrets from ${conf} to storage/passwords`, { stanza, fields: moved.join(',') });
    if (deps.masker) {
      try {
        await deps.masker(stanza, moved);
        deps.log.info(`Masked secrets in ${conf}`, { stanza, fields: moved.join(',') });
        // Only now nothing refers to the staged copy any more.
        for (const [realm, user] of staged) {
          await deps.store?.delete?.(realm, user).catch((e: Error) => deps.log.warn(`Could not delete the staged secret of ${realm}: ${e.message}`, { stanza }));
        }
      } catch (e) {
        // The secret is safe in storage/passwords and collection can go on; the admin must
        // know the clear copy is still in inputs.conf.
        deps.log.error(`Could not replace ${moved.join(', ')} by ${MASK} in ${conf}; the secret is still there in clear. ` +
          `It will be retried on the next run. Cause: ${(e as Error).message}`, { stanza });
      }
    }
  }
  return out;
}
