/**
 * collector.json of the standalone collector (`ta-zerotrust run --config collector.json`): the
 * inputs with their schedules and parameters, the sink, and where checkpoints and logs go. It is
 * checked with ajv against a schema built from the same input descriptions splunkd's scheme XML
 * comes from, so a parameter is spelled and typed the same in both worlds; every error names its
 * field (`inputs[1].params.org_id`).
 *
 * Secrets are never in this file: each comes from the environment or from a file it names
 * (see ./secrets), so the file can be versioned and shown around.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import Ajv, { type ErrorObject } from 'ajv';
import addFormats from 'ajv-formats';
import { validate as validCron } from 'node-cron';
import { ACCOUNT_NAME, accountStanza, type AccountDescription } from '../account';
import type { ArgumentDescription, InputDescription } from '../description';
import { ConfigError } from '../errors';
import { isLoopbackHost } from '../http';

export interface HecSinkConfig {
  type: 'hec';
  endpoints: string[];
  /** File holding the token; else the environment variable TA_ZEROTRUST_SECRET_HEC_TOKEN. */
  token_file?: string;
  ack?: boolean;
  gzip?: boolean;
  verify_tls?: boolean;
  ca_cert_path?: string;
  batch_events?: number;
  batch_bytes?: number;
  max_in_flight?: number;
  /** Attempts per batch after the first failure (default 8). */
  retries?: number;
  /** Seconds. */
  timeout?: number;
  ack_timeout?: number;
  channel?: string;
  /** Allows http:// endpoints on another host (the HEC token and events travel in clear). */
  allow_cleartext?: boolean;
  /** A proxy between the collector and HEC: http[s]://host:port, no credentials. */
  proxy_url?: string;
  proxy_username?: string;
  /** File holding the proxy password; else the environment variable TA_ZEROTRUST_SECRET_HEC_PROXY_PASSWORD. */
  proxy_password_file?: string;
}

export interface NdjsonSinkConfig {
  type: 'ndjson';
  path: string;
}

export type SinkConfig = HecSinkConfig | NdjsonSinkConfig;

export type ParamValue = string | number | boolean | string[];

export interface InputConfig {
  name: string;
  scheme: string;
  /** A cron expression (5 fields, or 6 with seconds first). */
  schedule?: string;
  /** Seconds between run starts (a run never overlaps itself). */
  interval?: number;
  disabled?: boolean;
  index?: string;
  host?: string;
  params: Record<string, ParamValue>;
}

/** A connection inputs name (src/core/account.ts), e.g. `{ name: 'prod', kind: 'acme_api', params: {…} }`. */
export interface AccountConfig {
  name: string;
  kind: string;
  /** The account's settings; each secret as `<param>_file` or in the environment (see ./secrets). */
  params: Record<string, ParamValue>;
}

export interface CollectorConfig {
  /** Checkpoints (`checkpoints/`), per-input state (`state/`) and logs (`log/`) go here. */
  state_dir: string;
  log_level?: 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';
  log_dir?: string;
  defaults?: { index?: string; host?: string };
  sink: SinkConfig;
  /** Connections named by the inputs' account argument (e.g. pce_connection). */
  accounts?: AccountConfig[];
  inputs: InputConfig[];
}

export const SECRET_ENV_PREFIX = 'TA_ZEROTRUST_SECRET_';
export const HEC_TOKEN_ENV = `${SECRET_ENV_PREFIX}HEC_TOKEN`;
export const HEC_PROXY_PASSWORD_ENV = `${SECRET_ENV_PREFIX}HEC_PROXY_PASSWORD`;

/** The environment variable of an input's secret: TA_ZEROTRUST_SECRET_<NAME>_<PARAM>. */
export function secretEnvName(input: string, param: string): string {
  return `${SECRET_ENV_PREFIX}${`${input}_${param}`.toUpperCase().replace(/[^A-Z0-9]/g, '_')}`;
}

type Schema = Record<string, unknown>;

function argSchema(arg: ArgumentDescription): Schema {
  const s: Schema = { description: arg.title };
  if (arg.type === 'boolean') s.type = 'boolean';
  else if (arg.type === 'number') {
    s.type = 'number';
    if (arg.min !== undefined) s.minimum = arg.min;
    if (arg.max !== undefined) s.maximum = arg.max;
  } else if (arg.list) {
    const item: Schema = { type: 'string', ...(arg.choices ? { enum: [...arg.choices] } : {}) };
    // A list reads naturally as an array; the comma form of inputs.conf is accepted too.
    return { description: arg.title, anyOf: [{ type: 'array', items: item }, { type: 'string' }] };
  } else {
    s.type = 'string';
    if (arg.choices) s.enum = [...arg.choices];
  }
  return s;
}

/** The environment variable of an account's secret: TA_ZEROTRUST_SECRET_<KIND>_<NAME>_<PARAM>. */
export function accountSecretEnvName(kind: string, name: string, param: string): string {
  return secretEnvName(`${kind}_${name}`, param);
}

/** Every account kind the inputs can name, once. */
export function accountKinds(descriptions: readonly InputDescription[]): AccountDescription[] {
  const kinds = new Map<string, AccountDescription>();
  for (const d of descriptions) if (d.account && !kinds.has(d.account.kind)) kinds.set(d.account.kind, d.account);
  return [...kinds.values()];
}

/**
 * The `params` of one scheme (or account kind): its arguments, `<secret>_file` in place of each
 * secret. What an input's account can supply is not required of the input.
 */
export function paramsSchema(desc: Pick<InputDescription, 'args' | 'account'>): Schema {
  const properties: Record<string, Schema> = {};
  const required: string[] = [];
  for (const arg of desc.args) {
    if (arg.secret) {
      properties[`${arg.name}_file`] = { type: 'string', minLength: 1, description: `File holding ${arg.title}` };
      // Present only to be refused with a message saying where the secret goes instead.
      properties[arg.name] = { not: {}, description: 'secret' };
      continue;
    }
    properties[arg.name] = argSchema(arg);
    if (arg.required && arg.default === undefined && !desc.account?.args.some((a) => a.name === arg.name)) required.push(arg.name);
  }
  const schema: Schema = { type: 'object', additionalProperties: false, properties, required };
  const viaAccount = desc.account ? desc.args.filter((a) => a.required && a.default === undefined && !a.secret && desc.account!.args.some((x) => x.name === a.name)) : [];
  // Without a connection the input needs its own (secrets are checked with the environment).
  if (desc.account && viaAccount.length) {
    schema.if = { not: { required: [desc.account.param] } };
    schema.then = { required: viaAccount.map((a) => a.name) };
  }
  return schema;
}

export function collectorSchema(descriptions: readonly InputDescription[]): Schema {
  const str = { type: 'string', minLength: 1 };
  const seconds = (min: number, max: number) => ({ type: 'number', minimum: min, maximum: max });
  return {
    $id: 'https://ta-zerotrust-events/collector.schema.json',
    type: 'object',
    additionalProperties: false,
    required: ['sink', 'inputs'],
    properties: {
      $schema: { type: 'string' },
      state_dir: str,
      log_level: { enum: ['DEBUG', 'INFO', 'WARN', 'ERROR'] },
      log_dir: str,
      defaults: {
        type: 'object', additionalProperties: false,
        properties: { index: str, host: str },
      },
      sink: {
        type: 'object',
        required: ['type'],
        properties: { type: { enum: ['hec', 'ndjson'] } },
        allOf: [
          {
            if: { properties: { type: { const: 'hec' } } },
            then: {
              additionalProperties: false,
              required: ['endpoints'],
              properties: {
                type: {},
                endpoints: { type: 'array', minItems: 1, items: { type: 'string', format: 'uri', pattern: '^https?://' } },
                token_file: str,
                token: { not: {} },
                ack: { type: 'boolean' },
                gzip: { type: 'boolean' },
                verify_tls: { type: 'boolean' },
                ca_cert_path: str,
                batch_events: { type: 'integer', minimum: 1, maximum: 100_000 },
                batch_bytes: { type: 'integer', minimum: 1024, maximum: 100 * 1024 * 1024 },
                max_in_flight: { type: 'integer', minimum: 1, maximum: 64 },
                retries: { type: 'integer', minimum: 0, maximum: 100 },
                timeout: seconds(1, 600),
                ack_timeout: seconds(1, 3600),
                channel: { type: 'string', format: 'uuid' },
                allow_cleartext: { type: 'boolean' },
                proxy_url: { type: 'string', pattern: '^https?://' },
                proxy_username: str,
                proxy_password_file: str,
                proxy_password: { not: {} },
              },
            },
          },
          {
            if: { properties: { type: { const: 'ndjson' } } },
            then: { additionalProperties: false, required: ['path'], properties: { type: {}, path: str } },
          },
        ],
      },
      accounts: {
        type: 'array',
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'kind', 'params'],
          properties: {
            name: { type: 'string', pattern: ACCOUNT_NAME.source },
            kind: { enum: accountKinds(descriptions).map((a) => a.kind) },
            params: { type: 'object' },
          },
          allOf: accountKinds(descriptions).map((a) => ({
            if: { properties: { kind: { const: a.kind } }, required: ['kind'] },
            then: { properties: { params: paramsSchema({ args: a.args }) } },
          })),
        },
      },
      inputs: {
        type: 'array',
        minItems: 1,
        items: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'scheme', 'params'],
          properties: {
            name: { type: 'string', pattern: '^[A-Za-z0-9][A-Za-z0-9_.-]*$', maxLength: 100 },
            scheme: { enum: descriptions.map((d) => d.scheme) },
            schedule: { type: 'string', minLength: 1 },
            interval: { type: 'integer', minimum: 1, maximum: 7 * 86400 },
            disabled: { type: 'boolean' },
            index: str,
            host: str,
            params: { type: 'object' },
          },
          allOf: descriptions.map((d) => ({
            if: { properties: { scheme: { const: d.scheme } }, required: ['scheme'] },
            then: { properties: { params: paramsSchema(d) } },
          })),
        },
      },
    },
  };
}

/** `/inputs/1/params/org_id` → `inputs[1].params.org_id` */
function fieldOf(e: ErrorObject): string {
  let field = e.instancePath.split('/').slice(1).map((p) => p.replace(/~1/g, '/').replace(/~0/g, '~'))
    .reduce((acc, seg) => (/^\d+$/.test(seg) ? `${acc}[${seg}]` : acc ? `${acc}.${seg}` : seg), '');
  const extra = (e.params as { additionalProperty?: string; missingProperty?: string }).additionalProperty
    ?? (e.params as { missingProperty?: string }).missingProperty;
  if (extra) field = field ? `${field}.${extra}` : extra;
  return field || '(top level)';
}

function explain(e: ErrorObject, doc: unknown): string {
  const field = fieldOf(e);
  const segs = e.instancePath.split('/').slice(1);
  if (e.keyword === 'not') {
    const last = segs[segs.length - 1];
    if (last === 'token') {
      return `${field}: the HEC token is not read from the config file; put it in the environment variable ${HEC_TOKEN_ENV} or in a file named by sink.token_file.`;
    }
    if (segs[0] === 'sink' && last === 'proxy_password') {
      return `${field}: the proxy password is not read from the config file; put it in the environment variable ${HEC_PROXY_PASSWORD_ENV} or in a file named by sink.proxy_password_file.`;
    }
    if (segs[0] === 'accounts') {
      const acct = (doc as { accounts?: { name?: string; kind?: string }[] }).accounts?.[Number(segs[1])];
      return `${field}: secrets are not read from the config file; put it in the environment variable ${accountSecretEnvName(acct?.kind ?? '<kind>', acct?.name ?? '<name>', last)} or in a file named by params.${last}_file.`;
    }
    const input = (doc as { inputs?: { name?: string }[] }).inputs?.[Number(segs[1])]?.name ?? '<name>';
    return `${field}: secrets are not read from the config file; put it in the environment variable ${secretEnvName(input, last)} or in a file named by params.${last}_file.`;
  }
  if (e.keyword === 'additionalProperties') return `${field}: unknown setting; check the spelling (see collector.example.json).`;
  if (e.keyword === 'required') return `${field}: is required.`;
  if (e.keyword === 'enum') return `${field}: must be one of ${(e.params as { allowedValues: unknown[] }).allowedValues.map((v) => JSON.stringify(v)).join(', ')}.`;
  return `${field}: ${e.message ?? 'is invalid'}.`;
}

let validator: ReturnType<Ajv['compile']> | undefined;

/**
 * Checks a parsed collector.json. Throws ConfigError listing every problem, one per line, each
 * starting with its field. Relative paths are resolved against `baseDir` (the file's folder).
 */
export function checkCollectorConfig(doc: unknown, descriptions: readonly InputDescription[], baseDir: string, source = 'collector.json'): CollectorConfig {
  if (!validator) {
    const ajv = new Ajv({ allErrors: true, strict: false });
    addFormats(ajv);
    validator = ajv.compile(collectorSchema(descriptions));
  }
  const problems: string[] = [];
  if (!validator(doc)) {
    for (const e of validator.errors ?? []) {
      // `if` only reports that its `then` failed; the errors of the `then` say what.
      if (e.keyword === 'if') continue;
      const line = explain(e, doc);
      if (!problems.includes(line)) problems.push(line);
    }
  }
  if (!problems.length) {
    const cfg = doc as CollectorConfig;
    if (cfg.sink.type === 'hec') problems.push(...hecEndpointProblems(cfg.sink));
    const accounts = new Set<string>();
    cfg.accounts?.forEach((a, i) => {
      const stanza = accountStanza(a.kind, a.name);
      if (accounts.has(stanza)) problems.push(`accounts[${i}]: ${a.kind} "${a.name}" is defined twice; names must be unique per kind.`);
      accounts.add(stanza);
    });
    const seen = new Set<string>();
    cfg.inputs.forEach((input, i) => {
      const account = descriptions.find((d) => d.scheme === input.scheme)?.account;
      const named = account ? input.params[account.param] : undefined;
      if (account && typeof named === 'string' && named.trim() && !accounts.has(accountStanza(account.kind, named.trim()))) {
        problems.push(`inputs[${i}].params.${account.param}: no ${account.title} named "${named.slice(0, 64)}" in accounts; add it there (kind ${account.kind}) or correct the name.`);
      }
      // One name per input: the secrets' environment variables are keyed on it.
      if (seen.has(input.name)) problems.push(`inputs[${i}].name: "${input.name}" is used by another input; names must be unique.`);
      seen.add(input.name);
      if (input.schedule !== undefined && input.interval !== undefined) {
        problems.push(`inputs[${i}]: give either schedule or interval, not both.`);
      }
      if (input.schedule !== undefined && !validCron(input.schedule)) {
        problems.push(`inputs[${i}].schedule: "${input.schedule}" is not a cron expression like "*/5 * * * *" (minute hour day month weekday, optionally seconds first).`);
      }
    });
  }
  if (problems.length) {
    throw new ConfigError(`${source} has ${problems.length} problem${problems.length === 1 ? '' : 's'}:\n  ${problems.join('\n  ')}`, fieldOf(validator.errors?.[0] ?? ({ instancePath: '', params: {} } as ErrorObject)));
  }
  const cfg = structuredClone(doc) as CollectorConfig;
  const abs = (p: string) => path.resolve(baseDir, p);
  cfg.state_dir = abs(cfg.state_dir ?? 'var/collector');
  if (cfg.log_dir) cfg.log_dir = abs(cfg.log_dir);
  if (cfg.sink.type === 'ndjson') cfg.sink.path = abs(cfg.sink.path);
  else {
    if (cfg.sink.token_file) cfg.sink.token_file = abs(cfg.sink.token_file);
    if (cfg.sink.ca_cert_path) cfg.sink.ca_cert_path = abs(cfg.sink.ca_cert_path);
    if (cfg.sink.proxy_password_file) cfg.sink.proxy_password_file = abs(cfg.sink.proxy_password_file);
  }
  for (const input of [...cfg.inputs, ...(cfg.accounts ?? [])]) {
    for (const [k, v] of Object.entries(input.params)) {
      if (k.endsWith('_file') || k === 'ca_cert_path') input.params[k] = abs(String(v));
    }
  }
  return cfg;
}

/**
 * HEC endpoints carry the token on every request: no credentials in the URL (use token_file),
 * and plain http only to this host unless allow_cleartext says the admin means it.
 */
function hecEndpointProblems(sink: HecSinkConfig): string[] {
  const out: string[] = [];
  sink.endpoints.forEach((e, i) => {
    let u: URL;
    try {
      u = new URL(e);
    } catch {
      return;
    }
    const where = `sink.endpoints[${i}]`;
    if (u.username || u.password) out.push(`${where}: must not contain credentials (user:password@); give the HEC token in token_file or TA_ZEROTRUST_SECRET_HEC_TOKEN.`);
    if (u.protocol === 'http:' && !isLoopbackHost(u.hostname) && sink.allow_cleartext !== true) {
      out.push(`${where}: http:// to ${u.hostname} would send the HEC token and the events in clear; use https://, or set sink.allow_cleartext = true if this network is trusted.`);
    }
  });
  if (sink.proxy_url) {
    try {
      const u = new URL(sink.proxy_url);
      if (u.username || u.password) out.push('sink.proxy_url: must not contain credentials (user:password@); set sink.proxy_username and the password in sink.proxy_password_file or ' + `${HEC_PROXY_PASSWORD_ENV}.`);
    } catch {
      out.push(`sink.proxy_url: "${sink.proxy_url.slice(0, 80)}" is not a URL like http://proxy.example.com:3128.`);
    }
  }
  return out;
}

export function loadCollectorConfig(file: string, descriptions: readonly InputDescription[]): CollectorConfig {
  let text: string;
  try {
    text = fs.readFileSync(file, 'utf8');
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    throw new ConfigError(`Cannot read the config file ${file} (${code}). Give its path with --config.`, 'config');
  }
  let doc: unknown;
  try {
    doc = JSON.parse(text);
  } catch (e) {
    throw new ConfigError(`${file} is not valid JSON: ${(e as Error).message}.`, 'config');
  }
  return checkCollectorConfig(doc, descriptions, path.dirname(path.resolve(file)), file);
}
