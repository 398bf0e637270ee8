/**
 * The HTTP client every source gets: undici with verified TLS by default, an optional private CA,
 * an optional proxy with credentials, bounded timeouts, and retries with exponential backoff and
 * full jitter on 429/5xx/resets/timeouts that honour Retry-After. Every message it produces has
 * been through the redactor: configured secrets, Authorization values, URL and proxy credentials
 * never leave it.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { Transform, type Readable } from 'node:stream';
import { Agent, ProxyAgent, request as undiciRequest, type Dispatcher } from 'undici';
import { APP_ID } from '../app';
import { parseConf, toMap } from '../conf/parse';
import { ConfigError, ProtocolError, TransientError, isTaError } from '../errors';
import type { HttpClient, HttpClientOptions, HttpRequest, HttpResponse, RetryPolicy } from '../types';
import { displayUrl, makeRedactor, vendorText, type Redactor } from '../log/redact';
import { classifyFailure, isRetryableError, type FailureContext } from './errors';

import { abortableSleep, DEFAULT_RETRY, RETRY_STATUSES, parseRetryAfter, retryLoop, type GiveUp } from './retry';

export { classifyFailure, errorCode, isRetryableError, TLS_CODES } from './errors';
export { abortableSleep, backoffDelay, DEFAULT_RETRY, parseRetryAfter, pollWait, RETRY_STATUSES, retryDelay, retryLoop } from './retry';
export type { Attempt, GiveUp, GiveUpReason, RetryLoopOptions } from './retry';
export { connectionOptions, proxyOptions, VALIDATE_TIMEOUT_MS, VALIDATION_RETRY, withDefaultProxy } from './options';
export type { ConnectionContext, ConnectionSettings } from './options';

/** Compatible additions to HttpClientOptions. */
export interface HttpClientExtraOptions {
  /** Waits between attempts; injectable so tests can see the delays instead of sleeping them. */
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Source of jitter in [0, 1). */
  random?: () => number;
  /** Body read timeout default (ms); default timeoutMs. */
  bodyTimeoutMs?: number;
}

export type CreateHttpClientOptions = HttpClientOptions & HttpClientExtraOptions;

export const DEFAULT_MAX_RESPONSE_BYTES = 256 * 1024 * 1024;
export const DEFAULT_REQUEST_DEADLINE_MS = 15 * 60_000;

/** scheme://host:port with the default port spelled out, so https://h and https://h:443 match. */
export function originOf(u: URL): string {
  return `${u.protocol}//${u.hostname}:${u.port || (u.protocol === 'https:' ? '443' : '80')}`;
}

const MAX_CA_FILE_BYTES = 16 * 1024 * 1024;

/** Reads and checks a PEM CA file; a wrong path is a configuration error naming the path. */
export function readCaFile(file: string, settingName = 'ca_cert_path'): string {
  let pem: string;
  try {
    // A device (/dev/zero) or a huge file would be read until memory runs out, killing the
    // process with no message; CA bundles are a few hundred KB.
    const st = fs.statSync(file);
    if (!st.isFile() && !st.isDirectory()) {
      throw new ConfigError(`The CA certificate file ${file} (${settingName}) is not a regular file. Set ${settingName} to a readable PEM file.`, settingName);
    }
    if (st.size > MAX_CA_FILE_BYTES) {
      throw new ConfigError(`The CA certificate file ${file} (${settingName}) is ${st.size} bytes, more than a CA bundle can be (${MAX_CA_FILE_BYTES}). Set ${settingName} to a PEM file.`, settingName);
    }
    pem = fs.readFileSync(file, 'utf8');
  } catch (e) {
    if (e instanceof ConfigError) throw e;
    const code = (e as NodeJS.ErrnoException).code ?? 'error';
    const why = code === 'ENOENT' ? 'does not exist' : code === 'EACCES' ? 'is not readable by the Splunk user' : code === 'EISDIR' ? 'is a directory' : `cannot be read (${code})`;
    throw new ConfigError(`The CA certificate file ${file} (${settingName}) ${why}. Set ${settingName} to a readable PEM file.`, settingName);
  }
  if (!pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new ConfigError(`The CA certificate file ${file} (${settingName}) contains no PEM certificate ("-----BEGIN CERTIFICATE-----"). Convert it to PEM.`, settingName);
  }
  return pem;
}

interface ProxyParts {
  uri: string;
  display: string;
  username?: string;
  password?: string;
}

function parseProxy(opts: CreateHttpClientOptions, settingName: string): ProxyParts | undefined {
  if (!opts.proxyUrl) return undefined;
  let u: URL;
  try {
    u = new URL(opts.proxyUrl.includes('://') ? opts.proxyUrl : `http://${opts.proxyUrl}`);
  } catch {
    throw new ConfigError(`The proxy URL in ${settingName} is not a URL like http://proxy.example.com:3128.`, settingName);
  }
  if (u.protocol !== 'http:' && u.protocol !== 'https:') {
    throw new ConfigError(`The proxy URL in ${settingName} must start with http:// or https://, got ${u.protocol}//.`, settingName);
  }
  const username = u.username ? decodeURIComponent(u.username) : opts.proxyUsername;
  const password = u.password ? decodeURIComponent(u.password) : opts.proxyPassword;
  const port = u.port || (u.protocol === 'https:' ? '443' : '80');
  return { uri: `${u.protocol}//${u.hostname}:${port}`, display: `${u.hostname}:${port}`, username, password };
}

function flattenHeaders(h: Record<string, string | string[] | undefined>): Record<string, string | undefined> {
  const out: Record<string, string | undefined> = {};
  for (const [k, v] of Object.entries(h)) out[k.toLowerCase()] = Array.isArray(v) ? v.join(', ') : v;
  return out;
}

const SENSITIVE_HEADER = /authorization|token|secret|key|password|cookie|signature/i;

function seconds(ms: number): string {
  return (ms / 1000).toFixed(1);
}

export function createHttpClient(opts: CreateHttpClientOptions): HttpClient {
  const caSettingName = opts.caSettingName ?? 'ca_cert_path';
  const proxySettingName = opts.proxySettingName ?? 'proxy_url';
  const proxy = parseProxy(opts, proxySettingName);
  const baseSecrets = [...(opts.secrets ?? []), proxy?.password, proxy?.username && proxy.password ? `${proxy.username}:${proxy.password}` : undefined]
    .filter((s): s is string => !!s);
  const own: Redactor = makeRedactor(baseSecrets);
  const redact: Redactor = opts.redact ? (t) => own(opts.redact!(t)) : own;
  const maxBytes = opts.maxResponseBytes ?? DEFAULT_MAX_RESPONSE_BYTES;
  const maxBytesSetting = opts.maxResponseSetting ?? 'max_response_mb';
  const deadlineMs = opts.requestDeadlineMs ?? DEFAULT_REQUEST_DEADLINE_MS;
  const deadlineSetting = opts.requestDeadlineSetting ?? 'request_deadline';
  // Credentials go only to the configured origin: the base URL's, else the first one asked for.
  let origin: string | undefined;
  if (opts.baseUrl) {
    try {
      origin = originOf(new URL(opts.baseUrl));
    } catch {
      // buildUrl reports the bad base URL on the first request.
    }
  }
  const policy: RetryPolicy = { ...DEFAULT_RETRY, ...(opts.retry ?? {}) };
  const sleep = opts.sleep ?? abortableSleep;
  const random = opts.random ?? Math.random;
  const ca = opts.caCertPath ? readCaFile(opts.caCertPath, caSettingName) : undefined;
  const tls = { rejectUnauthorized: opts.verifyTls !== false, ...(ca ? { ca } : {}) };
  const timeouts = {
    headersTimeout: opts.timeoutMs,
    bodyTimeout: opts.bodyTimeoutMs ?? opts.timeoutMs,
    connectTimeout: Math.min(opts.timeoutMs, 30_000),
    keepAliveTimeout: opts.keepAliveTimeoutMs ?? 4_000,
  };
  let dispatcher: Dispatcher;
  if (proxy) {
    const token = proxy.username !== undefined
      ? `Basic ${Buffer.from(`${proxy.username}:${proxy.password ?? ''}`).toString('base64')}`
      : undefined;
    dispatcher = new ProxyAgent({
      uri: proxy.uri,
      ...(token ? { token } : {}),
      requestTls: tls,
      // A TLS proxy (https://) is verified like the target, with the same CA file.
      proxyTls: tls,
      ...timeouts,
    });
  } else {
    dispatcher = new Agent({ connect: { ...tls, timeout: timeouts.connectTimeout }, ...timeouts });
  }

  function buildUrl(req: HttpRequest): URL {
    let u: URL;
    try {
      u = opts.baseUrl ? new URL(req.url, opts.baseUrl.endsWith('/') || req.url.startsWith('/') ? opts.baseUrl : `${opts.baseUrl}/`) : new URL(req.url);
    } catch {
      throw new ConfigError(`Not a valid URL: ${redact(displayUrl(req.url))}${opts.baseUrl ? ` (base ${redact(displayUrl(opts.baseUrl))})` : ''}.`);
    }
    for (const [k, v] of Object.entries(req.query ?? {})) {
      if (v !== undefined) u.searchParams.append(k, String(v));
    }
    const o = originOf(u);
    origin ??= o;
    if (o !== origin) {
      // A job Location or datafile href written by a load balancer (http://) or by an attacker:
      // following it would send the Authorization header there.
      throw new ProtocolError(
        `Refused to follow the link ${redact(displayUrl(u))}: it leaves the configured server ${origin} ` +
        '(scheme, host and port must match), and credentials are only sent there. ' +
        'If the server is reached under another name, set the URL setting to the name it uses in its links.');
    }
    return u;
  }

  async function request(req: HttpRequest): Promise<HttpResponse> {
    const url = buildUrl(req);
    const method = (req.method ?? 'GET').toUpperCase();
    const headers: Record<string, string> = { 'user-agent': opts.userAgent ?? APP_ID, ...(req.headers ?? {}) };
    // Per-request secrets: credential headers and credentials in the URL.
    const extra = Object.entries(req.headers ?? {}).filter(([k]) => SENSITIVE_HEADER.test(k)).flatMap(([, v]) => [v, v.replace(/^\S+\s+/, '')]);
    if (url.password) extra.push(decodeURIComponent(url.password));
    const red = extra.length ? ((s: string) => makeRedactor(extra)(redact(s))) : redact;
    const shown = red(displayUrl(url));
    const retryPolicy: RetryPolicy | undefined = req.retry === false ? undefined : { ...policy, ...(req.retry ?? {}) };
    const ctx: FailureContext = {
      method, url: shown, host: url.hostname,
      port: url.port || (url.protocol === 'https:' ? '443' : '80'),
      proxy: proxy?.display, caSettingName, proxySettingName, redact: red,
    };
    const started = Date.now();
    const summary = (attempts: number) => `after ${attempts} attempt${attempts === 1 ? '' : 's'} over ${seconds(Date.now() - started)} s`;
    // One deadline for the whole request: every attempt, the waits between them and the body.
    // undici's timeouts are per phase and per chunk, so 1 byte every few seconds never ends.
    const deadline = new AbortController();
    const deadlineError = new TransientError(
      `${method} ${shown}: no complete answer within ${seconds(deadlineMs)} s (${deadlineSetting}); the server is too slow or sends data too slowly. ` +
      `Raise ${deadlineSetting} if large answers legitimately take longer.`);
    const timer = setTimeout(() => deadline.abort(deadlineError), deadlineMs);
    timer.unref?.();
    const onCallerAbort = () => deadline.abort(req.signal?.reason);
    if (req.signal?.aborted) onCallerAbort();
    else req.signal?.addEventListener('abort', onCallerAbort, { once: true });
    const done = () => {
      clearTimeout(timer);
      req.signal?.removeEventListener('abort', onCallerAbort);
    };
    const signal = deadline.signal;
    const timedOut = () => signal.aborted && signal.reason === deadlineError;
    try {
      const res = await attempts();
      return wrapResponse(res, url.toString(), `${method} ${shown}`, red, {
        maxBytes, maxBytesSetting, timedOut, deadlineError, done,
      });
    } catch (e) {
      done();
      if (timedOut()) throw deadlineError;
      throw e;
    }

    async function attempts(): Promise<Dispatcher.ResponseData> {
      // The error of the last attempt that failed without an answer, for the final message.
      let failure: unknown;
      const give = (g: GiveUp): Error => {
        if (g.status === undefined) return classifyFailure(failure, ctx, g.attempts > 1 ? summary(g.attempts) : '');
        if (g.reason === 'retry-after') {
          return new TransientError(
            `${method} ${shown}: ${g.status}, the server asked to retry after ${seconds(g.delayMs ?? 0)} s ` +
            `(more than the ${seconds(loopPolicy.maxRetryAfterMs)} s this run waits) ${summary(g.attempts)}.`, g.status);
        }
        if (retryPolicy) return new TransientError(`${method} ${shown}: ${g.status} ${summary(g.attempts)}.`, g.status);
        const err = new TransientError(`${method} ${shown}: ${g.status} ${summary(g.attempts)} (not retried).`, g.status);
        // Callers that retry themselves (destructive reads) still honour the server's pace.
        err.retryAfterMs = lastRetryAfter;
        return err;
      };
      let lastRetryAfter: number | undefined;
      // Without retries a Retry-After is handed to the caller, never refused here.
      const loopPolicy: RetryPolicy = retryPolicy ?? { ...policy, retries: 0, maxRetryAfterMs: Infinity };
      return retryLoop<Dispatcher.ResponseData>(async () => {
        let res: Dispatcher.ResponseData;
        try {
          res = await undiciRequest(url, {
            method: method as Dispatcher.HttpMethod,
            headers,
            body: req.body,
            dispatcher,
            headersTimeout: req.timeoutMs ?? opts.timeoutMs,
            bodyTimeout: req.bodyTimeoutMs ?? timeouts.bodyTimeout,
            signal,
          });
        } catch (e) {
          if (timedOut()) throw deadlineError;
          if (req.signal?.aborted) throw req.signal.reason ?? e;
          if (isTaError(e)) throw e;
          if (!isRetryableError(e)) throw classifyFailure(e, ctx, '');
          failure = e;
          return { retry: red(classifyFailure(e, ctx, '').message) };
        }
        if (!RETRY_STATUSES.has(res.statusCode) || req.passStatuses) return { done: res };
        lastRetryAfter = parseRetryAfter(res.headers['retry-after']);
        await res.body.dump().catch(() => undefined);
        return { retry: `HTTP ${res.statusCode}`, status: res.statusCode, ...(lastRetryAfter !== undefined ? { retryAfterMs: lastRetryAfter } : {}) };
      }, {
        policy: loopPolicy,
        giveUp: give,
        random,
        sleep: (ms) => sleep(ms, signal),
        onRetry: (r) => {
          if (r.status === undefined) {
            opts.logger?.warn('HTTP request failed; retrying', { method, url: shown, error: r.why, attempt: r.attempt, delay_ms: r.delayMs });
          } else {
            opts.logger?.warn('HTTP server asked to retry', { method, url: shown, status: r.status, attempt: r.attempt, delay_ms: r.delayMs });
          }
        },
      });
    }
  }

  return {
    request,
    redact,
    async close() {
      await dispatcher.close().catch(() => undefined);
    },
  };
}

/** True for a host name or address that never leaves this machine. */
export function isLoopbackHost(host: string): boolean {
  const h = host.replace(/^\[|\]$/g, '').toLowerCase();
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h);
}

/**
 * The CA splunkd's certificate is checked against: server.conf `[sslConfig] sslRootCAPath` when
 * set, else Splunk's own `$SPLUNK_HOME/etc/auth/cacert.pem`.
 */
export function splunkdCaPath(splunkHome = process.env.SPLUNK_HOME): string | undefined {
  if (!splunkHome) return undefined;
  const layers = [['etc', 'system', 'default', 'server.conf'], ['etc', 'system', 'local', 'server.conf']].flatMap((rel) => {
    try {
      return [parseConf(fs.readFileSync(path.join(splunkHome, ...rel), 'utf8'))];
    } catch {
      return [];
    }
  });
  const configured = toMap(...layers).get('sslConfig')?.get('sslRootCAPath');
  if (configured) return configured.replace(/^\$SPLUNK_HOME/, splunkHome);
  const def = path.join(splunkHome, 'etc', 'auth', 'cacert.pem');
  return fs.existsSync(def) ? def : undefined;
}

/**
 * A client for splunkd's management port (server_uri from the input's stdin), which receives
 * the session key. On loopback the key never leaves the host and splunkd's default certificate
 * (issued for no name we connect to) is accepted, as Splunk's own SDKs do. Any other host is
 * verified against splunkd's CA (splunkdCaPath), since a session key sent to an impostor is an
 * admin's session.
 */
export function splunkdTls(serverUri: string, caPath: string | undefined): { verifyTls: boolean; caCertPath?: string } {
  let host = '';
  try {
    host = new URL(serverUri).hostname;
  } catch {
    // createHttpClient reports the bad URI on first use.
  }
  if (isLoopbackHost(host)) return { verifyTls: false };
  return { verifyTls: true, ...(caPath ? { caCertPath: caPath } : {}) };
}

export function splunkdHttpClient(serverUri: string, sessionKey: string, caPath = splunkdCaPath()): HttpClient {
  return createHttpClient({
    baseUrl: serverUri,
    ...splunkdTls(serverUri, caPath),
    caSettingName: 'sslRootCAPath in server.conf [sslConfig] (default $SPLUNK_HOME/etc/auth/cacert.pem)',
    timeoutMs: 30_000,
    secrets: [sessionKey],
    retry: { retries: 3, baseDelayMs: 500, maxDelayMs: 5_000, maxRetryAfterMs: 30_000 },
  });
}

interface BodyBounds {
  maxBytes: number;
  maxBytesSetting: string;
  timedOut: () => boolean;
  deadlineError: TransientError;
  /** Stops the request's deadline timer. */
  done: () => void;
}

function wrapResponse(res: Dispatcher.ResponseData, url: string, what: string, redact: Redactor, b: BodyBounds): HttpResponse {
  const readFailure = (e: unknown) => {
    if (b.timedOut()) return b.deadlineError;
    if (isTaError(e)) return e;
    const code = (e as { code?: string }).code;
    const timeout = code === 'UND_ERR_BODY_TIMEOUT';
    return new TransientError(`${what}: ${timeout ? 'timed out reading the response body' : `the response body was cut off (${redact((e as Error).message ?? String(e))})`}.`);
  };
  // Every consumer reads through this counter, so no caller can be made to hold more than
  // maxBytes of one answer (a page that never ends, a datafile filling the disk).
  let seen = 0;
  const tooLarge = (n: number): ProtocolError | undefined => {
    seen += n;
    if (seen <= b.maxBytes) return undefined;
    return new ProtocolError(
      `${what}: the answer is larger than ${b.maxBytes} bytes (${b.maxBytesSetting}); reading stopped there. ` +
      `If answers this large are expected, raise ${b.maxBytesSetting}.`);
  };
  const source = res.body as unknown as Readable;
  let dumping = false;
  // The stream is made when someone reads `body` (eachChunk reads the source without one).
  let limited: Transform | undefined;
  const body = (): Transform => {
    if (limited) return limited;
    const t = new Transform({
      transform(chunk: Buffer, _enc, cb) {
        cb(tooLarge(chunk.length) ?? null, chunk);
      },
    });
    limited = t;
    source.on('error', (e) => t.destroy(readFailure(e)));
    t.on('error', () => source.destroy());
    t.on('close', () => {
      b.done();
      // A consumer that stopped reading must not leave the socket streaming into nothing.
      if (!dumping && !source.readableEnded) source.destroy();
    });
    source.pipe(t);
    return t;
  };
  const text = async () => {
    const chunks: Buffer[] = [];
    try {
      for await (const c of body() as AsyncIterable<Buffer>) chunks.push(c);
    } catch (e) {
      throw readFailure(e);
    }
    return Buffer.concat(chunks).toString('utf8');
  };
  return {
    status: res.statusCode,
    headers: flattenHeaders(res.headers as Record<string, string | string[] | undefined>),
    url,
    get body() {
      return body();
    },
    text,
    eachChunk(onChunk) {
      return new Promise<void>((resolve, reject) => {
        let settled = false;
        const settle = (e?: unknown) => {
          if (settled) return;
          settled = true;
          b.done();
          if (e !== undefined) reject(e);
          else resolve();
        };
        // Stopped early (enough read, too large, the consumer threw): the rest is not wanted.
        const stop = (e?: unknown) => {
          settle(e);
          source.destroy();
        };
        source.on('data', (chunk: Buffer) => {
          if (settled) return;
          const big = tooLarge(chunk.length);
          if (big) return stop(big);
          let more: boolean | void;
          try {
            more = onChunk(chunk);
          } catch (e) {
            return stop(e);
          }
          if (more === false) stop();
        });
        source.on('end', () => settle());
        source.on('error', (e) => settle(readFailure(e)));
        source.on('close', () => settle(source.readableEnded ? undefined : readFailure(new Error('the connection closed'))));
      });
    },
    async json<T = unknown>(): Promise<T> {
      const raw = await text();
      try {
        return JSON.parse(raw) as T;
      } catch {
        // JSON.parse's own message quotes the input, so only our redacted excerpt is shown.
        throw new ProtocolError(`${what}: the response (${res.statusCode}, ${raw.length} bytes) is not valid JSON; it starts with ${vendorText(raw.slice(0, 64 * 1024), redact, 120)}.`);
      }
    },
    async dump() {
      dumping = true;
      if (limited) {
        source.unpipe(limited);
        limited.destroy();
      }
      await res.body.dump().catch(() => undefined);
      b.done();
    },
  };
}
