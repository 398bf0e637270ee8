/**
 * One redactor for error messages and log lines. Secrets reach messages in more shapes than
 * their plain form (URL-encoded in a query string, JSON-escaped in an echoed body, inside a
 * Basic credential), so each known secret is removed in all of those shapes, and credentials
 * recognisable by their place (Authorization values, `user:pass@` in URLs) are removed even
 * when nobody registered them.
 */
export const REDACTED = '<redacted>';

export type Redactor = (text: string) => string;

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}

/**
 * The base64 characters that depend on `secret` alone, for each of the three byte alignments it
 * can have inside a longer encoded string (`id:secret` in a Basic header, a token in a JSON blob
 * that was base64-encoded). Whatever precedes or follows it, one of these three appears.
 */
export function base64Cores(secret: string): string[] {
  const bytes = Buffer.from(secret, 'utf8');
  const out: string[] = [];
  for (let k = 0; k < 3; k++) {
    const enc = Buffer.concat([Buffer.alloc(k), bytes]).toString('base64').replace(/=+$/, '');
    const first = Math.ceil((8 * k) / 6);
    const last = Math.floor((8 * (k + bytes.length)) / 6);
    out.push(enc.slice(first, last));
  }
  return out;
}

// A core shorter than this would match innocent text; such short secrets keep the whole-form match.
const MIN_CORE = 8;

function variants(secret: string): string[] {
  const out = new Set<string>([secret]);
  out.add(encodeURIComponent(secret));
  out.add(encodeURIComponent(secret).replace(/%20/g, '+'));
  out.add(JSON.stringify(secret).slice(1, -1));
  // JSON-escaped twice: an error body that quotes a JSON document.
  out.add(JSON.stringify(JSON.stringify(secret).slice(1, -1)).slice(1, -1));
  out.add(Buffer.from(secret, 'utf8').toString('base64'));
  out.add(Buffer.from(secret, 'utf8').toString('base64url'));
  for (const core of base64Cores(secret)) if (core.length >= MIN_CORE) out.add(core);
  return [...out].filter((v) => v.length > 0);
}

/**
 * The derived forms of credentials that pair an identity with a secret (HTTP Basic:
 * `base64(id:secret)`), for every identity-like value of a stanza.
 */
export function pairedForms(ids: Iterable<string>, secrets: Iterable<string>): string[] {
  const out: string[] = [];
  const list = [...secrets].filter((s) => s.length >= 3);
  for (const id of ids) {
    if (!id) continue;
    for (const s of list) {
      const pair = `${id}:${s}`;
      out.push(pair, Buffer.from(pair, 'utf8').toString('base64'));
    }
  }
  return out;
}

// `Authorization: Bearer x`, `"authorization":"x"`, `Proxy-Authorization=Basic x`: the value runs
// to the end of the quoted string, the line, or the next comma/semicolon.
const HEADER_VALUE =
  /((?:proxy-)?authorization|x-api-key|api[-_]?key|api[-_]?secret|client[-_]?secret|api[-_]?token|password|passwd|session[-_]?key|cookie)(["']?\s*[:=]\s*["']?)(?:(?:Basic|Bearer|Splunk|Token)\s+)?[^\s"',;&]+/gi;
// scheme://user:password@host → scheme://user:<redacted>@host
const URL_USERINFO = /([a-z][a-z0-9+.-]*:\/\/[^\s/:@]*:)[^\s/@]*@/gi;
// Bare `Basic xxx` / `Bearer xxx` / `Splunk xxx` tokens wherever they appear. A token has a digit
// somewhere, which keeps prose like "Splunk Enterprise" or "Basic authentication" intact.
const AUTH_SCHEME = /\b(Basic|Bearer|Splunk)\s+(?=[A-Za-z._~+/=-]*\d)[A-Za-z0-9._~+/=-]{8,}/g;

/**
 * Builds a redactor for the given secrets. Secrets shorter than 3 characters are ignored:
 * removing every "a" from a message helps nobody and such a secret is not worth the name.
 */
export function makeRedactor(secrets: Iterable<string | undefined> = []): Redactor {
  const list = [...new Set([...secrets].filter((s): s is string => typeof s === 'string' && s.length >= 3))]
    .flatMap(variants)
    // Longest first so a secret containing another one is removed whole.
    .sort((a, b) => b.length - a.length);
  const known = list.length ? new RegExp(list.map(escapeRegExp).join('|'), 'g') : undefined;
  return (text: string) => {
    let out = known ? text.replace(known, REDACTED) : text;
    out = out.replace(URL_USERINFO, `$1${REDACTED}@`);
    out = out.replace(HEADER_VALUE, `$1$2${REDACTED}`);
    out = out.replace(AUTH_SCHEME, `$1 ${REDACTED}`);
    return out;
  };
}

/** A URL without credentials or query string, for messages (queries carry tokens and noise). */
export function displayUrl(url: string | URL): string {
  try {
    const u = new URL(String(url));
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return makeRedactor()(String(url)).replace(/\?.*$/, '');
  }
}

/**
 * Text a vendor sent (an error body, an error_description), made fit for one of our messages:
 * redacted first (a secret cut in half by clipping would escape the redactor), whitespace
 * folded, clipped, then quoted as a JSON string with every `=` escaped, so that it can neither
 * forge `key=value` fields in our log lines (a body saying `run_summary … status=ok` would
 * otherwise count as a good run on the health dashboard) nor end our quotes.
 */
export function vendorText(text: string, redact: Redactor, max = 200): string {
  const folded = redact(text).replace(/\s+/g, ' ').trim();
  const clipped = folded.length > max ? `${folded.slice(0, max)}…` : folded;
  return JSON.stringify(clipped).replace(/=/g, '\\u003d');
}
