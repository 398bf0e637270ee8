/**
 * Turns low-level network errors into the few error kinds the runtime acts on, with messages a
 * Splunk admin can act on: which host, which setting.
 */
import { ConfigError, TransientError, type TaError } from '../errors';

export const TLS_CODES = new Set([
  'UNABLE_TO_VERIFY_LEAF_SIGNATURE', 'UNABLE_TO_GET_ISSUER_CERT', 'UNABLE_TO_GET_ISSUER_CERT_LOCALLY',
  'SELF_SIGNED_CERT_IN_CHAIN', 'DEPTH_ZERO_SELF_SIGNED_CERT', 'CERT_HAS_EXPIRED', 'CERT_NOT_YET_VALID',
  'ERR_TLS_CERT_ALTNAME_INVALID', 'CERT_UNTRUSTED', 'CERT_REJECTED', 'CERT_SIGNATURE_FAILURE',
  'UNABLE_TO_DECRYPT_CERT_SIGNATURE', 'INVALID_CA', 'HOSTNAME_MISMATCH', 'CERT_CHAIN_TOO_LONG',
  'ERR_SSL_WRONG_VERSION_NUMBER', 'EPROTO',
]);

/** Failures worth another attempt. */
export const RETRYABLE_CODES = new Set([
  'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'ECONNABORTED', 'ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH',
  'EAI_AGAIN', 'UND_ERR_SOCKET', 'UND_ERR_CONNECT_TIMEOUT', 'UND_ERR_HEADERS_TIMEOUT',
  'UND_ERR_BODY_TIMEOUT', 'UND_ERR_CLOSED',
]);

const CONNECT_CODES = new Set(['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH']);

/**
 * The most specific `code` along the `cause` chain: undici wraps the socket error that says what
 * actually happened (a TLS verdict, a refused connection) in errors of its own.
 */
export function errorCode(e: unknown): string | undefined {
  const codes: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const code = (cur as { code?: unknown }).code;
    if (typeof code === 'string') codes.push(code);
    cur = (cur as { cause?: unknown }).cause;
  }
  return codes.find((c) => TLS_CODES.has(c) || CONNECT_CODES.has(c) || c === 'ENOTFOUND' || c === 'EAI_AGAIN')
    ?? codes.find((c) => RETRYABLE_CODES.has(c)) ?? codes[0];
}

function rawMessage(e: unknown): string {
  const parts: string[] = [];
  let cur: unknown = e;
  for (let depth = 0; cur && depth < 5; depth++) {
    const m = (cur as { message?: unknown }).message;
    if (typeof m === 'string' && m && !parts.includes(m)) parts.push(m);
    cur = (cur as { cause?: unknown }).cause;
  }
  return parts.join(': ');
}

export interface FailureContext {
  method: string;
  /** Display form of the URL (no credentials, no query). */
  url: string;
  host: string;
  port: string;
  /** Display form `host:port` of the proxy, when one is used. */
  proxy?: string;
  caSettingName: string;
  proxySettingName: string;
  redact: (s: string) => string;
}

export function isRetryableError(e: unknown): boolean {
  const code = errorCode(e);
  if (code && RETRYABLE_CODES.has(code)) return true;
  return /socket hang up|other side closed/i.test(rawMessage(e));
}

/** The proxy's answer to CONNECT, when undici reports one. */
function proxyStatus(e: unknown): number | undefined {
  const m = /Proxy response \((\d{3})\)/.exec(rawMessage(e));
  return m ? Number(m[1]) : undefined;
}

/**
 * Classifies a failure that is final (not retryable, or retries exhausted). `summary` is the
 * `after N attempts over T s` tail, empty for a first-attempt failure.
 */
export function classifyFailure(e: unknown, ctx: FailureContext, summary: string): TaError {
  const err = classify(e, ctx, summary);
  // The code alone (never the raw message, which may quote a URL) travels on, so callers such
  // as the HEC sink can tell a refused certificate from a refused connection.
  const code = errorCode(e);
  if (code) Object.defineProperty(err, 'code', { value: code, enumerable: false });
  return err;
}

function classify(e: unknown, ctx: FailureContext, summary: string): TaError {
  const code = errorCode(e);
  const what = `${ctx.method} ${ctx.url}`;
  const detail = ctx.redact(rawMessage(e) || String(e));
  const tail = summary ? ` ${summary}` : '';
  const pStatus = proxyStatus(e);
  if (ctx.proxy && pStatus !== undefined) {
    if (pStatus === 407) {
      return new ConfigError(
        `${what}: the proxy ${ctx.proxy} refused the credentials (407 Proxy Authentication Required). ` +
        `Check the proxy username and password in ${ctx.proxySettingName}.`, ctx.proxySettingName);
    }
    return new TransientError(
      `${what}: the proxy ${ctx.proxy} answered ${pStatus} to CONNECT ${ctx.host}:${ctx.port}${tail}. ` +
      `Check that the proxy allows this host, or check ${ctx.proxySettingName}.`, pStatus);
  }
  if (code && TLS_CODES.has(code)) {
    const why = code === 'CERT_HAS_EXPIRED' ? 'has expired'
      : code === 'ERR_TLS_CERT_ALTNAME_INVALID' || code === 'HOSTNAME_MISMATCH' ? `does not name ${ctx.host}`
      : code === 'ERR_SSL_WRONG_VERSION_NUMBER' || code === 'EPROTO' ? 'could not be negotiated (is this port plain HTTP?)'
      : 'is not trusted';
    return new ConfigError(
      `${what}: the TLS certificate of ${ctx.host} ${why} (${code}). ` +
      `If the server uses a private CA or a TLS-inspecting proxy, put that CA's PEM file in ${ctx.caSettingName}; ` +
      `otherwise fix the server certificate.`, ctx.caSettingName);
  }
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN' || code === 'EAI_NONAME') {
    if (ctx.proxy) {
      return new ConfigError(`${what}: cannot resolve the proxy host ${ctx.proxy.replace(/:\d+$/, '')}: check ${ctx.proxySettingName}.`, ctx.proxySettingName);
    }
    return new ConfigError(`${what}: cannot resolve host ${ctx.host}: check the URL.`);
  }
  if (code && CONNECT_CODES.has(code)) {
    const reason = code === 'ECONNREFUSED' ? 'connection refused' : 'host unreachable';
    if (ctx.proxy) {
      return new ConfigError(`${what}: cannot connect to the proxy ${ctx.proxy} (${reason})${tail}. Check ${ctx.proxySettingName} and that the proxy is running.`, ctx.proxySettingName);
    }
    return new ConfigError(`${what}: cannot connect to ${ctx.host}:${ctx.port} (${reason})${tail}. Check the URL and that the server is reachable from this host.`);
  }
  if (code === 'UND_ERR_HEADERS_TIMEOUT' || code === 'UND_ERR_CONNECT_TIMEOUT' || code === 'UND_ERR_BODY_TIMEOUT' || code === 'ETIMEDOUT') {
    const phase = code === 'UND_ERR_CONNECT_TIMEOUT' ? 'connecting' : code === 'UND_ERR_BODY_TIMEOUT' ? 'reading the response' : 'waiting for the response';
    return new TransientError(`${what}: timed out ${phase}${tail}.`);
  }
  if (code === 'ECONNRESET' || code === 'EPIPE' || code === 'UND_ERR_SOCKET' || /socket hang up|other side closed/i.test(detail)) {
    return new TransientError(`${what}: the connection was closed by ${ctx.proxy ? `the proxy ${ctx.proxy} or ` : ''}${ctx.host}${tail} (${code ?? 'reset'}).`);
  }
  return new TransientError(`${what}: ${detail}${tail}${code ? ` (${code})` : ''}.`);
}
