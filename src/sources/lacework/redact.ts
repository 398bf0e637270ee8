/**
 * Masks what users typed into request bodies before it reaches an index. Audit events carry
 * `request_body` verbatim, so a "create API key" or "set password" call would otherwise put the
 * secret in Splunk for everyone who can search the index.
 *
 * JSON bodies are rewritten in place (only the masked values change, so the rest of the text,
 * number precision and key order stay as the service sent them). Anything else - form bodies,
 * truncated JSON, free text - goes through key=value / "key": "value" patterns, bearer tokens and
 * PEM private keys. Free text is best effort: a secret that is not introduced by a key cannot be
 * recognised.
 */
import { MASK } from '../../core/description';

/** Last words that make a key describe a secret rather than hold one (token_type, password_policy). */
const NOT_A_VALUE = new Set([
  'required', 'enabled', 'type', 'ttl', 'sec', 'secs', 'seconds', 'time', 'count', 'expiry', 'expires',
  'length', 'policy', 'name', 'id', 'uuid', 'url', 'uri', 'hint', 'version', 'label', 'at', 'set',
  'changed', 'exists', 'present', 'rotation', 'strength', 'status', 'source', 'mode', 'method',
]);
const SECRET_WORDS = new Set([
  'pass', 'pwd', 'passwd', 'password', 'passphrase', 'passcode', 'secret', 'secrets', 'token', 'tokens',
  'credential', 'credentials', 'creds', 'cookie', 'cookies', 'otp', 'totp', 'pin', 'jwt', 'bearer',
  'authorization', 'apikey', 'privatekey', 'secretkey', 'accesskey', 'signingkey', 'sessionkey',
]);
const SECRET_JOINED = /password|passwd|passphrase|secret|apikey|privatekey|accesskey|signingkey|encryptionkey|sessionkey|masterkey|licensekey|sharedkey|sshkey|clientkey|credential|(access|refresh|id|auth|session|client|bearer|api)token/;

// Keys repeat across records; the answer for a key never changes.
const keyCache = new Map<string, boolean>();

/** True when a key's value should never be indexed. */
export function isSensitiveKey(key: string): boolean {
  let hit = keyCache.get(key);
  if (hit === undefined) {
    hit = classifyKey(key);
    if (keyCache.size > 10_000) keyCache.clear();
    keyCache.set(key, hit);
  }
  return hit;
}

function classifyKey(key: string): boolean {
  let k = key;
  if (k.includes('%')) {
    try {
      k = decodeURIComponent(k);
    } catch {
      /* keep the raw key */
    }
  }
  const words = k.replace(/([a-z0-9])([A-Z])/g, '$1_$2').toLowerCase().split(/[^a-z0-9]+/).filter(Boolean);
  if (!words.length) return false;
  const last = words[words.length - 1];
  if (NOT_A_VALUE.has(last)) return false;
  if (last === 'auth') return true;
  if (words.some((w) => SECRET_WORDS.has(w))) return true;
  return SECRET_JOINED.test(words.join(''));
}

// A key, an optional closing quote, then ':' or '='. Values are only consumed after a sensitive
// key, so a non-sensitive value (a URL) never hides the key=value that follows inside it.
const KEY_SEP = /(\\?["']?)([A-Za-z0-9_.%\-]{1,80})\1(\s*[:=]\s*)/g;
const VALUE = /\\"(?:(?!\\").)*(?:\\")?|"(?:[^"\\]|\\.)*"?|'(?:[^'\\]|\\.)*'?|[^\s&,;"'{}[\]()<>\\]+/y;
const SCHEME_TOKEN = /\b(Bearer|Basic|Token|Digest|Negotiate)(\s+)[A-Za-z0-9._~+\/=-]{6,}/g;
const PEM_PRIVATE = /-----BEGIN ([A-Z0-9 ]*)PRIVATE KEY-----[\s\S]*?(?:-----END \1PRIVATE KEY-----|$)/g;

function maskBare(value: string): string {
  if (value.startsWith('\\"')) return `\\"${MASK}\\"`;
  if (value.startsWith('"')) return `"${MASK}"`;
  if (value.startsWith("'")) return `'${MASK}'`;
  return MASK;
}

/** Form bodies, query strings, header dumps, truncated JSON and prose. */
export function redactText(text: string): string {
  // Most values (names, hosts, ids) have nothing a rule could match.
  if (!/[:=]|Bearer|Basic|Token|Digest|Negotiate|PRIVATE KEY/.test(text)) return text;
  const t = text
    .replace(PEM_PRIVATE, MASK)
    .replace(SCHEME_TOKEN, (_m, scheme: string, sp: string) => `${scheme}${sp}${MASK}`);
  let out = '';
  let from = 0;
  KEY_SEP.lastIndex = 0;
  for (let m = KEY_SEP.exec(t); m; m = KEY_SEP.exec(t)) {
    if (!isSensitiveKey(m[2])) continue;
    VALUE.lastIndex = KEY_SEP.lastIndex;
    const v = VALUE.exec(t);
    if (!v) continue;
    const value = v[0];
    KEY_SEP.lastIndex = VALUE.lastIndex;
    if (isMasked(value) || value === '""' || value === "''") continue;
    out += t.slice(from, v.index) + maskBare(value);
    from = VALUE.lastIndex;
  }
  return out + t.slice(from);
}

function isMasked(value: string): boolean {
  return value.replace(/\\?["']/g, '') === MASK;
}

/** Masks a parsed value in place of its sensitive keys (investigation history and such). */
export function redactValue<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => redactValue(v)) as unknown as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      out[k] = isSensitiveKey(k) && maskable(v) ? MASK : redactValue(v);
    }
    return out as T;
  }
  if (typeof value === 'string') return redactText(value) as unknown as T;
  return value;
}

function maskable(v: unknown): boolean {
  if (v === null || v === undefined || typeof v === 'boolean') return false;
  if (typeof v === 'string') return v.length > 0 && v !== MASK;
  return true;
}

/** request_body as the service sent it: JSON when it parses, text otherwise. */
export function redactBody(body: string): string {
  const trimmed = body.trimStart();
  if (trimmed.startsWith('{') || trimmed.startsWith('[')) {
    const json = redactJsonText(body);
    if (json !== undefined) return json;
  }
  return redactText(body);
}

/** The query string of a URL path (tokens in links). */
export function redactPath(path: string): string {
  const q = path.indexOf('?');
  return q < 0 ? path : path.slice(0, q) + redactText(path.slice(q));
}

// ---- JSON, edited in place ----

class JsonEnd extends Error {}
const LITERAL = /-?\d+(?:\.\d+)?(?:[eE][+-]?\d+)?|true|false|null/y;

/**
 * Walks the JSON text, collecting replacements; returns undefined when it is not valid JSON
 * (the caller then treats it as text).
 */
export function redactJsonText(text: string): string | undefined {
  const edits: Array<[number, number, string]> = [];
  // Inside a container that is masked whole, nested edits would overlap its own.
  let masked = 0;
  const edit = (s: number, e: number, r: string) => {
    if (masked === 0) edits.push([s, e, r]);
  };
  let i = 0;
  // Next backslash at or after i (2^32-1 when none): one scan instead of one per string.
  let backslash = -1;
  const ws = () => {
    while (i < text.length && (text[i] === ' ' || text[i] === '\n' || text[i] === '\r' || text[i] === '\t')) i++;
  };
  const expect = (c: string) => {
    if (text[i] !== c) throw new JsonEnd();
    i++;
  };
  const str = (): string => {
    const start = i;
    expect('"');
    let escaped = false;
    for (;;) {
      const quote = text.indexOf('"', i);
      if (quote < 0) throw new JsonEnd();
      if (backslash < i) backslash = text.indexOf('\\', i) >>> 0;
      if (backslash < quote) {
        escaped = true;
        i = backslash + 2;
        continue;
      }
      i = quote + 1;
      break;
    }
    // Only strings with escapes need decoding; JSON.parse also rejects bad escapes.
    return escaped ? (JSON.parse(text.slice(start, i)) as string) : text.slice(start + 1, i - 1);
  };
  /** An object or array; masked whole under a sensitive key. */
  const container = (secret: boolean, close: string, member: () => void): void => {
    const start = i;
    i++;
    if (secret) masked++;
    ws();
    if (text[i] === close) {
      i++;
    } else {
      for (;;) {
        member();
        ws();
        if (text[i] !== ',') break;
        i++;
      }
      expect(close);
    }
    if (secret) {
      masked--;
      edit(start, i, `"${MASK}"`);
    }
  };
  const value = (secret: boolean): void => {
    ws();
    const start = i;
    const c = text[i];
    if (c === '{') {
      return container(secret, '}', () => {
        ws();
        const key = str();
        ws();
        expect(':');
        value(!secret && isSensitiveKey(key));
      });
    }
    if (c === '[') return container(secret, ']', () => value(false));
    if (c === '"') {
      const s = str();
      if (secret) {
        if (s.length > 0 && s !== MASK) edit(start, i, `"${MASK}"`);
      } else {
        // Strings often hold serialized JSON or URLs with tokens in them.
        const inner = /^\s*[[{]/.test(s) ? redactBody(s) : redactText(s);
        if (inner !== s) edit(start, i, JSON.stringify(inner));
      }
      return;
    }
    LITERAL.lastIndex = i;
    const m = LITERAL.exec(text);
    if (!m) throw new JsonEnd();
    i += m[0].length;
    if (secret && /^[-\d]/.test(m[0])) edit(start, i, `"${MASK}"`);
  };
  try {
    value(false);
    ws();
    if (i !== text.length) return undefined;
  } catch (e) {
    if (e instanceof JsonEnd || e instanceof SyntaxError) return undefined;
    throw e;
  }
  let out = text;
  for (const [s, e, r] of edits.sort((a, b) => b[0] - a[0])) out = out.slice(0, s) + r + out.slice(e);
  return out;
}
