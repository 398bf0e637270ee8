/**
 * The typed description of an input. Scheme XML, README/inputs.conf.spec, default/inputs.conf,
 * the configuration page and config parsing are all derived from it, so it is written once.
 */
import type { AccountDescription } from './account';
import { ConfigError } from './errors';

export type ArgType = 'string' | 'number' | 'boolean';
export type ArgValue = string | number | boolean | string[];
export type TypedConfig = Record<string, ArgValue | undefined>;

export interface ArgumentDescription {
  name: string;
  title: string;
  /** Help text shown in Splunk's form and in inputs.conf.spec. */
  description: string;
  type: ArgType;
  required?: boolean;
  /** Kept in storage/passwords; masked in inputs.conf. */
  secret?: boolean;
  default?: string | number | boolean;
  /** Numbers: inclusive bounds. */
  min?: number;
  max?: number;
  /** Allowed values for a string. */
  choices?: readonly string[];
  /** A comma-separated list (returned as string[]). */
  list?: boolean;
  /** Extra check on the typed value: returns a message for the admin, or undefined. */
  check?: (value: ArgValue, config: TypedConfig) => string | undefined;
  /** Shown in the configuration page only when advanced settings are open. */
  advanced?: boolean;
}

export interface InputDescription {
  scheme: string;
  title: string;
  description: string;
  sourcetype: string;
  /** Seconds between runs in default/inputs.conf. */
  defaultInterval: number;
  args: readonly ArgumentDescription[];
  /** Cross-field checks after each argument passed: returns a message, or undefined. */
  check?: (config: TypedConfig) => { message: string; field?: string } | undefined;
  /**
   * The account kind this input can take its connection from (src/core/account.ts): when the
   * stanza sets `account.param`, the account supplies `account.args`.
   */
  account?: AccountDescription;
}

/**
 * The typed config parseConfig returns for `D`: one key per argument, `number`, `boolean`,
 * `string[]` (lists), a union of the choices or `string`; optional unless required or defaulted.
 * Needs the literal types defineInput/defineArgs keep (names, `required: true`, choices).
 */
export type ConfigOf<D extends { args: readonly ArgumentDescription[] }> = Flat<
  { [A in D['args'][number] as Present<A> extends true ? A['name'] : never]: ValueOf<A> } &
  { [A in D['args'][number] as Present<A> extends true ? never : A['name']]?: ValueOf<A> }
>;

type Flat<T> = { [K in keyof T]: T[K] };
type Present<A> = A extends { required: true } ? true : A extends { default: string | number | boolean } ? true : false;
type Choice<A> = A extends { choices: readonly (infer U extends string)[] } ? U : string;
type ValueOf<A> = A extends { list: true } ? Choice<A>[]
  : A extends { type: 'number' } ? number
  : A extends { type: 'boolean' } ? boolean
  : Choice<A>;

/**
 * An input description whose literal types are kept (`as const` without writing it), so that
 * `Source<ConfigOf<typeof description>>` types the collector's config with no cast.
 */
export function defineInput<const D extends InputDescription>(description: D): D {
  return description;
}

/** A list of arguments with its literal types kept (see ConfigOf), for arguments shared by inputs. */
export function defineArgs<const A extends readonly ArgumentDescription[]>(args: A): A {
  return args;
}

/** The value splunkd shows in place of a secret after it was moved to storage/passwords. */
export const MASK = '********';

/** Parameters splunkd adds to every stanza; never our arguments. */
export const SPLUNK_PARAMS = new Set([
  'index', 'interval', 'host', 'source', 'sourcetype', 'disabled', 'start_by_shell',
  'python.version', 'run_introspection', 'queueSize', 'persistentQueueSize', 'outputgroup',
  'python.required',
]);

const TRUE = new Set(['1', 'true', 't', 'yes', 'y', 'on']);
const FALSE = new Set(['0', 'false', 'f', 'no', 'n', 'off']);

export function parseBoolean(raw: string): boolean | undefined {
  const v = raw.trim().toLowerCase();
  if (TRUE.has(v)) return true;
  if (FALSE.has(v)) return false;
  return undefined;
}

/**
 * Turns the string params of a stanza into a typed config, applying defaults and checks.
 * Throws ConfigError naming the first bad field. Secrets may be absent here (they are resolved
 * from storage/passwords by the runtime before this is called).
 */
export function parseConfig(
  desc: InputDescription,
  params: Record<string, string | string[] | undefined>,
  stanza = desc.scheme,
): TypedConfig {
  const config: TypedConfig = {};
  for (const arg of desc.args) {
    const raw = params[arg.name];
    const text = Array.isArray(raw) ? raw.join(',') : raw;
    if (text === undefined || text.trim() === '') {
      if (arg.default !== undefined) config[arg.name] = arg.default;
      else if (arg.required) {
        // An input that can take its connection from an account says so: either way works.
        const viaAccount = desc.account?.args.some((a) => a.name === arg.name)
          ? `, or name an ${desc.account.title} in ${desc.account.param}`
          : '';
        throw new ConfigError(
          `${stanza}: "${arg.name}" (${arg.title}) is required. Set it in the input's settings${viaAccount}.`,
          arg.name,
        );
      }
      continue;
    }
    config[arg.name] = convert(arg, text, stanza);
  }
  for (const arg of desc.args) {
    const value = config[arg.name];
    if (value === undefined || !arg.check) continue;
    const msg = arg.check(value, config);
    if (msg) throw new ConfigError(`${stanza}: "${arg.name}" ${msg}`, arg.name);
  }
  const cross = desc.check?.(config);
  if (cross) throw new ConfigError(`${stanza}: ${cross.message}`, cross.field);
  return config;
}

function convert(arg: ArgumentDescription, text: string, stanza: string): ArgValue {
  const bad = (why: string) =>
    new ConfigError(`${stanza}: "${arg.name}" (${arg.title}) ${why}`, arg.name);
  const v = arg.secret ? text : text.trim();
  switch (arg.type) {
    case 'boolean': {
      const b = parseBoolean(v);
      if (b === undefined) throw bad(`must be true or false (1/0), got "${clip(v)}".`);
      return b;
    }
    case 'number': {
      if (!/^-?\d+(\.\d+)?$/.test(v)) throw bad(`must be a number, got "${clip(v)}".`);
      const n = Number(v);
      if (arg.min !== undefined && n < arg.min) throw bad(`must be at least ${arg.min}, got ${n}.`);
      if (arg.max !== undefined && n > arg.max) throw bad(`must be at most ${arg.max}, got ${n}.`);
      return n;
    }
    case 'string': {
      if (arg.list) {
        const items = v.split(',').map((s) => s.trim()).filter(Boolean);
        if (arg.choices) {
          const unknown = items.filter((i) => !arg.choices!.includes(i));
          if (unknown.length) {
            throw bad(`has unknown value(s) ${unknown.map((u) => `"${clip(u)}"`).join(', ')}; allowed: ${arg.choices.join(', ')}.`);
          }
        }
        return items;
      }
      if (arg.choices && !arg.choices.includes(v)) {
        throw bad(`must be one of ${arg.choices.join(', ')}, got "${clip(v)}".`);
      }
      return v;
    }
  }
}

/** Keeps hostile or huge values out of messages. */
export function clip(s: string, max = 80): string {
  // eslint-disable-next-line no-control-regex
  const clean = s.replace(/[\u0000-\u001f\u007f]/g, '?');
  return clean.length > max ? `${clean.slice(0, max)}…` : clean;
}

// ---- arguments shared by every input ----

export function httpsUrlCheck(value: ArgValue): string | undefined {
  let u: URL;
  try {
    u = new URL(String(value));
  } catch {
    return `must be a URL like https://host:port, got "${clip(String(value))}".`;
  }
  if (u.protocol !== 'https:' && u.protocol !== 'http:') return `must start with https://, got "${clip(String(value))}".`;
  if (u.username || u.password) return 'must not contain credentials; use the dedicated settings.';
  // Credentials travel with every request, so plain http is only for a server on this host
  // (a loopback simulator or an SSH tunnel).
  if (u.protocol === 'http:' && !['127.0.0.1', 'localhost', '[::1]'].includes(u.hostname)) {
    return `must start with https:// (credentials would travel in clear over http), got "${clip(String(value))}".`;
  }
  return undefined;
}

/**
 * How an input reaches its server: TLS, proxy and the wait per request. These belong to a
 * connection (an account supplies them), unlike the bounds below, which each input keeps.
 */
export const commonTransportArgs = () => defineArgs([
  {
    name: 'verify_tls', title: 'Verify TLS certificates', type: 'boolean', default: true, advanced: true,
    description: 'Verify the server certificate (default). Turn off only for testing; a warning is logged on every run.',
  },
  {
    name: 'ca_cert_path', title: 'CA certificate file', type: 'string', advanced: true,
    description: 'PEM file with the CA that signed the server certificate, for private CAs or TLS-inspecting proxies.',
  },
  {
    name: 'proxy_url', title: 'Proxy URL', type: 'string', advanced: true,
    description: 'HTTP(S) proxy for this input, e.g. http://proxy.example.com:3128. Overrides the add-on proxy setting.',
    check: (v) => {
      try {
        const u = new URL(String(v));
        if (!/^https?:$/.test(u.protocol)) return 'must be an http:// or https:// URL.';
        // In the URL the password would stay in clear in inputs.conf; as proxy_password it is
        // moved to storage/passwords like every secret (the add-on proxy refuses it the same way).
        if (u.username || u.password) return 'must not contain credentials (user:password@); set proxy_username and proxy_password instead.';
        return undefined;
      } catch {
        return `must be a URL like http://proxy.example.com:3128, got "${clip(String(v))}".`;
      }
    },
  },
  {
    name: 'proxy_username', title: 'Proxy username', type: 'string', advanced: true,
    description: 'Username for the proxy in proxy_url, when it asks for one.',
  },
  {
    name: 'proxy_password', title: 'Proxy password', type: 'string', secret: true, advanced: true,
    description: 'Password for the proxy in proxy_url; kept in storage/passwords like the other secrets.',
  },
  {
    name: 'timeout', title: 'Request timeout (seconds)', type: 'number', default: 60, min: 1, max: 600, advanced: true,
    description: 'Seconds to wait for an answer to one HTTP request.',
  },
]);

export const commonConnectionArgs = () => defineArgs([...commonTransportArgs(), ...commonBoundArgs()]);

/** Bounds on what a server can make the input hold or wait for (issue 15); each names itself in its error. */
export const commonBoundArgs = () => defineArgs([
  {
    name: 'max_response_mb', title: 'Largest response (MB)', type: 'number', default: 256, min: 1, max: 4096, advanced: true,
    description: 'Most megabytes read from one HTTP response (a page, a job answer, a datafile). A larger answer ends the run with an error naming this setting; nothing of it is indexed and the checkpoint stays.',
  },
  {
    name: 'request_deadline', title: 'Request deadline (seconds)', type: 'number', default: 600, min: 5, max: 86400, advanced: true,
    description: 'Most seconds one HTTP request may take in all: every attempt, the waits between them and reading the whole body. timeout bounds each wait for data; this bounds a server that sends one byte at a time.',
  },
  {
    name: 'max_depth', title: 'Deepest nesting', type: 'number', default: 100, min: 10, max: 1000, advanced: true,
    description: 'Most levels of nested objects and arrays kept in one record. Deeper parts are replaced by a marker naming this setting; the record is still indexed and the run goes on.',
  },
]);
