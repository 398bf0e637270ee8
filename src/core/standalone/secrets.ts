/**
 * Secrets of the standalone collector: from a file named in collector.json (`<param>_file`,
 * `sink.token_file`, e.g. a mounted container secret) or else from the environment
 * (`TA_ZEROTRUST_SECRET_<NAME>_<PARAM>`, `TA_ZEROTRUST_SECRET_HEC_TOKEN`). Never from argv, where
 * any user of the host can read them, and never from the config file itself.
 */
import * as fs from 'node:fs';
import { MASK, type InputDescription } from '../description';
import { ConfigError } from '../errors';
import type { Logger, SecretStore } from '../types';
import { accountNamed, accountStanza, withoutAccountArgs, type AccountDescription } from '../account';
import type { AccountSource } from '../accounts';
import {
  accountSecretEnvName, HEC_PROXY_PASSWORD_ENV, HEC_TOKEN_ENV, secretEnvName, type AccountConfig, type CollectorConfig, type InputConfig, type ParamValue,
} from './config';

export function readSecretFile(file: string, field: string, log?: Logger): string {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
    const mode = fs.statSync(file).mode;
    if (mode & 0o077 && process.platform !== 'win32') {
      log?.warn(`${field}: the secret file ${file} can be read by other users (mode ${(mode & 0o777).toString(8)}); chmod 600 it.`);
    }
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`${field}: cannot read the secret file ${file} (${code}). Check the path and that this user may read it.`, field);
  }
  // Files written with echo or by editors end with a newline that is not part of the secret.
  const value = text.replace(/\r?\n$/, '');
  if (!value) throw new ConfigError(`${field}: the secret file ${file} is empty.`, field);
  return value;
}

export interface StandaloneSecrets extends SecretStore {
  has(realm: string, username: string): boolean;
}

/**
 * Where each secret of an input, and of each account an enabled input names, comes from,
 * resolved now so a missing one fails before any run. An account's secrets are kept under its
 * realm (`<kind>://<name>`), as splunkd keeps them.
 */
export function inputSecretStore(
  inputs: InputConfig[],
  descOf: (scheme: string) => InputDescription,
  env: NodeJS.ProcessEnv = process.env,
  log?: Logger,
  accounts: readonly AccountConfig[] = [],
): StandaloneSecrets {
  const values = new Map<string, string>();
  const problems: string[] = [];
  const take = (
    where: string, who: string, realm: string, params: Record<string, ParamValue>, args: readonly { name: string; title: string; secret?: boolean; required?: boolean }[], envName: (p: string) => string,
  ) => {
    for (const arg of args.filter((a) => a.secret)) {
      const fileKey = `${arg.name}_file`;
      const file = params[fileKey];
      let value: string | undefined;
      if (typeof file === 'string') {
        try {
          value = readSecretFile(file, `${where}.params.${fileKey}`, log);
        } catch (e) {
          problems.push((e as Error).message);
          continue;
        }
      } else if (env[envName(arg.name)]) {
        value = env[envName(arg.name)];
      }
      if (value === undefined) {
        if (arg.required) problems.push(`${where} (${who}): ${arg.title} is missing; set the environment variable ${envName(arg.name)} or params.${fileKey}.`);
        continue;
      }
      values.set(`${realm}\u0000${arg.name}`, value);
    }
  };
  const used = new Map<string, AccountDescription>();
  inputs.forEach((input, i) => {
    if (input.disabled) return;
    const desc = descOf(input.scheme);
    const account = accountNamed(desc, input.params);
    // The account named supplies its own settings' secrets; the input keeps the others.
    const own = account ? withoutAccountArgs(desc).args : desc.args;
    if (account && desc.account) used.set(accountStanza(desc.account.kind, account), desc.account);
    take(`inputs[${i}]`, input.name, `${input.scheme}://${input.name}`, input.params, own, (p) => secretEnvName(input.name, p));
  });
  accounts.forEach((a, i) => {
    const kind = used.get(accountStanza(a.kind, a.name));
    // An account no enabled input names needs no secret yet.
    if (kind) take(`accounts[${i}]`, `${a.kind} ${a.name}`, accountStanza(a.kind, a.name), a.params, kind.args, (p) => accountSecretEnvName(a.kind, a.name, p));
  });
  if (problems.length) throw new ConfigError(problems.join('\n'), 'secrets');
  return {
    has: (realm, username) => values.has(`${realm}\u0000${username}`),
    get: async (realm, username) => values.get(`${realm}\u0000${username}`),
    set: async () => {
      throw new Error('the standalone collector does not store secrets');
    },
  };
}

/**
 * The stanza parameters runStanza gets: strings as in inputs.conf, secrets masked so the runtime
 * reads them from the store above (and so they are in no params object that might be logged).
 */
export function stanzaParams(input: InputConfig, desc: InputDescription, secrets: StandaloneSecrets): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(input.params)) {
    if (k.endsWith('_file') && desc.args.some((a) => a.secret && `${a.name}_file` === k)) continue;
    out[k] = Array.isArray(v) ? v.join(',') : String(v);
  }
  const stanza = `${input.scheme}://${input.name}`;
  for (const arg of desc.args) if (arg.secret && secrets.has(stanza, arg.name)) out[arg.name] = MASK;
  if (input.index) out.index = input.index;
  if (input.host) out.host = input.host;
  return out;
}

export function hecToken(cfg: CollectorConfig, env: NodeJS.ProcessEnv = process.env, log?: Logger): string {
  if (cfg.sink.type !== 'hec') return '';
  if (cfg.sink.token_file) return readSecretFile(cfg.sink.token_file, 'sink.token_file', log);
  const token = env[HEC_TOKEN_ENV];
  if (!token) throw new ConfigError(`sink: the HEC token is missing; set the environment variable ${HEC_TOKEN_ENV} or sink.token_file.`, 'sink.token_file');
  return token;
}

/** The password of the HEC sink's proxy, when it has a proxy_username (file, else environment). */
export function hecProxyPassword(cfg: CollectorConfig, env: NodeJS.ProcessEnv = process.env, log?: Logger): string | undefined {
  if (cfg.sink.type !== 'hec' || !cfg.sink.proxy_url) return undefined;
  if (cfg.sink.proxy_password_file) return readSecretFile(cfg.sink.proxy_password_file, 'sink.proxy_password_file', log);
  const password = env[HEC_PROXY_PASSWORD_ENV];
  if (!password && cfg.sink.proxy_username) {
    throw new ConfigError(`sink: proxy_username is set but the proxy password is missing; set the environment variable ${HEC_PROXY_PASSWORD_ENV} or sink.proxy_password_file.`, 'sink.proxy_password_file');
  }
  return password || undefined;
}

/**
 * collector.json's accounts as the runtime reads them (src/core/accounts.ts): strings as in the
 * accounts conf, each secret the store above holds masked, so it is read from there.
 */
export function standaloneAccountSource(
  accounts: readonly AccountConfig[], secrets: StandaloneSecrets, kinds: readonly AccountDescription[],
  inputsNaming?: (kind: string, name: string) => number,
): AccountSource {
  return {
    where: 'the accounts of collector.json',
    fix: 'add it to accounts in collector.json',
    edit: 'edit it in accounts of collector.json',
    ...(inputsNaming ? { inputsNaming } : {}),
    read(kind, name) {
      const a = accounts.find((x) => x.kind === kind && x.name === name);
      if (!a) return undefined;
      const out: Record<string, string> = {};
      const desc = kinds.find((k) => k.kind === kind);
      for (const [k, v] of Object.entries(a.params)) {
        if (k.endsWith('_file') && desc?.args.some((x) => x.secret && `${x.name}_file` === k)) continue;
        out[k] = Array.isArray(v) ? v.join(',') : String(v);
      }
      for (const arg of desc?.args ?? []) if (arg.secret && secrets.has(accountStanza(kind, name), arg.name)) out[arg.name] = MASK;
      return out;
    },
  };
}
