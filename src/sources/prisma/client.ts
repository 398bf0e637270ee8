/**
 * The Prisma SaaS API as this input uses it: OAuth client credentials and the destructive
 * log-events reads. Token requests may be retried like any idempotent call; log-event reads are
 * sent with `retry: false` because a retry after the service dequeued a body would silently
 * skip it. This module retries them itself only where no body can have been handed over
 * (429, 5xx, a refused or reset connection before an answer).
 */
import { AuthError, ConfigError, ProtocolError, TransientError, errorMessage, isTaError } from '../../core/errors';
import { parseRetryAfter, retryLoop } from '../../core/http/retry';
import { vendorText } from '../../core/log/redact';
import type { HttpClient, HttpResponse, Logger, RetryPolicy } from '../../core/types';
import { PRISMA_REGIONS } from './description';

// Relative to the base URL (which ends in /), so a base_url with a path prefix keeps it.
export const TOKEN_PATH = 'oauth/token';
export const BULK_PATH = 'api/v1/log_events_bulk';
export const SINGLE_PATH = 'api/v1/log_events';
/** The service answers 204 after holding a poll this long. */
export const LONG_POLL_MS = 20_000;

export function prismaBaseUrl(config: { region?: unknown; base_url?: unknown }): string {
  const custom = typeof config.base_url === 'string' ? config.base_url.trim() : '';
  if (custom) return `${custom.replace(/\/+$/, '')}/`;
  const region = String(config.region ?? 'us');
  const host = PRISMA_REGIONS[region];
  if (!host) {
    throw new ConfigError(
      `"region" must be one of ${Object.keys(PRISMA_REGIONS).join(', ')}, got "${region.slice(0, 40)}". Pick the region of your SaaS Security tenant, or set base_url.`,
      'region',
    );
  }
  return `https://${host}/`;
}

interface TokenAnswer {
  access_token?: unknown;
  expires_in?: unknown;
  error?: unknown;
  error_description?: unknown;
}

export interface TokenOptions {
  http: HttpClient;
  clientId: string;
  clientSecret: string;
  now: () => number;
  log: Logger;
  stanza: string;
  timeoutMs: number;
  /** Retry policy of the token request (idempotent); the live check keeps it short. */
  retry?: false | Partial<RetryPolicy>;
}

/**
 * Holds the bearer token for one run. It is renewed ahead of `expires_in` (a tenth of the
 * lifetime, at most a minute early) so a long drain never sends an expired token on purpose,
 * and once more when a data call gets 401 anyway (clock skew, revoked token).
 */
export class TokenManager {
  private token?: string;
  private expiresAt = 0;
  /** Tokens fetched in this run, for the log and tests. */
  fetched = 0;

  constructor(private readonly o: TokenOptions) {}

  async get(): Promise<string> {
    if (this.token && this.o.now() < this.expiresAt) return this.token;
    return this.refresh();
  }

  invalidate(): void {
    this.token = undefined;
  }

  async refresh(): Promise<string> {
    const { http, clientId, clientSecret, stanza } = this.o;
    const basic = Buffer.from(`${clientId}:${clientSecret}`, 'utf8').toString('base64');
    let res: HttpResponse;
    try {
      res = await http.request({
        method: 'POST',
        url: TOKEN_PATH,
        headers: {
          authorization: `Basic ${basic}`,
          'content-type': 'application/x-www-form-urlencoded; charset=ISO-8859-1',
          accept: 'application/json',
        },
        body: 'grant_type=client_credentials&scope=api_access',
        timeoutMs: this.o.timeoutMs,
        bodyTimeoutMs: this.o.timeoutMs,
        ...(this.o.retry !== undefined ? { retry: this.o.retry } : {}),
      });
    } catch (e) {
      throw isTaError(e) ? e : new TransientError(`${stanza}: token request failed: ${errorMessage(e)}`, undefined, { cause: e });
    }
    const text = await res.text().catch(() => '');
    let answer: TokenAnswer = {};
    try {
      answer = JSON.parse(text) as TokenAnswer;
    } catch {
      // Described below by status; the text itself may be an HTML error page.
    }
    // Redacted, clipped and quoted so the service's text can neither leak a secret nor forge fields.
    const why = typeof answer.error_description === 'string' ? ` (${vendorText(answer.error_description, (t) => http.redact(t), 120)})` : '';
    if (res.status === 401 || (res.status === 400 && answer.error === 'invalid_client')) {
      // No retry: a refused secret stays refused, and repeated attempts can lock the API client.
      throw new AuthError(
        `${stanza}: Prisma SaaS refused client_id "${clientId.slice(0, 60)}" and its client_secret${why}. ` +
          'Check both in the input settings (Settings > External Service in SaaS Security shows the client; a new secret is shown only once).',
      );
    }
    if (res.status === 403 || answer.error === 'invalid_scope') {
      throw new AuthError(
        `${stanza}: the API client "${clientId.slice(0, 60)}" may not read log events${why}. Give it the log access scope (api_access) in SaaS Security.`,
      );
    }
    if (res.status === 404) {
      throw new ConfigError(
        `${stanza}: ${res.url} answered 404: this is not a Prisma SaaS API host. Check region or base_url.`,
        'base_url',
      );
    }
    if (res.status !== 200) {
      throw new TransientError(`${stanza}: token request answered HTTP ${res.status}${why}.`, res.status);
    }
    if (typeof answer.access_token !== 'string' || answer.access_token === '') {
      throw new ProtocolError(`${stanza}: token answer has no access_token; is base_url a Prisma SaaS API host?`);
    }
    const lifetimeS = Number(answer.expires_in);
    const lifeMs = Number.isFinite(lifetimeS) && lifetimeS > 0 ? lifetimeS * 1000 : 3600_000;
    this.token = answer.access_token;
    this.expiresAt = this.o.now() + lifeMs - Math.min(60_000, lifeMs / 10);
    this.fetched++;
    this.o.log.debug('prisma: new access token', { expires_in_s: Math.round(lifeMs / 1000), tokens: this.fetched });
    return this.token;
  }
}

export type Poll =
  | { kind: 'body'; body: Buffer; receivedMs: number }
  /** The connection broke while the body was arriving: these bytes are all that is left of it. */
  | { kind: 'partial'; body: Buffer; receivedMs: number; error: string }
  | { kind: 'empty' }
  /** The run was asked to stop while waiting to retry. */
  | { kind: 'stopped' };

export interface PollOptions {
  http: HttpClient;
  tokens: TokenManager;
  path: string;
  stanza: string;
  log: Logger;
  now: () => number;
  sleep: (ms: number) => Promise<void>;
  /** Read timeout; above the long poll so a quiet queue is not taken for a dead server. */
  timeoutMs: number;
  /** Give up (TransientError) when a retryable failure persists past this instant. */
  deadline: () => number;
  /** Attempts at most for one poll before giving up. */
  maxAttempts?: number;
  /** Checked before each attempt; an in-flight read is never aborted (it may carry a body). */
  signal?: AbortSignal;
}

/**
 * The core retry policy for destructive reads: Retry-After honoured up to five minutes, else
 * backoff from 0.5 s to 30 s; the run's deadline ends the waits earlier.
 */
export const READ_RETRY: RetryPolicy = { retries: 7, baseDelayMs: 500, maxDelayMs: 30_000, maxRetryAfterMs: 5 * 60_000 };

/**
 * One destructive read, retried (through the core's retryLoop) only while nothing can have
 * been dequeued: returns a body, the bytes of a body cut short, or `empty` (204: nothing
 * arrived during the long poll). A 401 renews the token once and asks again at once.
 */
export async function pollOnce(o: PollOptions): Promise<Poll> {
  let refreshedFor401 = false;
  return retryLoop<Poll>(async (attempt) => {
    if (attempt > 1 && o.signal?.aborted) return { done: { kind: 'stopped' } };
    const token = await o.tokens.get();
    let res: HttpResponse;
    try {
      res = await o.http.request({
        method: 'GET',
        url: o.path,
        headers: { authorization: `Bearer ${token}`, accept: 'application/json' },
        retry: false,
        timeoutMs: o.timeoutMs,
        bodyTimeoutMs: o.timeoutMs,
        // The run's signal: SIGTERM or max_runtime ends a read in flight, not only the next poll.
        ...(o.signal ? { signal: o.signal } : {}),
      });
    } catch (e) {
      if (!(e instanceof TransientError)) throw e;
      // 429/5xx (the client reports them as errors when not retrying): nothing was dequeued.
      // Reset or timed out before an answer: if the service had dequeued a body it is gone
      // with the connection; nothing on this side can get it back.
      if (e.status !== undefined) return { retry: `HTTP ${e.status}`, status: e.status, ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
      return { retry: errorMessage(e) };
    }
    if (res.status === 200) {
      const receivedMs = o.now();
      const { body, error } = await readAll(res);
      if (error) return { done: { kind: 'partial', body, receivedMs, error } };
      return { done: { kind: 'body', body, receivedMs } };
    }
    await res.dump().catch(() => undefined);
    if (res.status === 204) return { done: { kind: 'empty' } };
    // 5xx outside RETRY_STATUSES (501, 505…) come back as answers; nothing was dequeued either.
    if (res.status >= 500) return { retry: `HTTP ${res.status}`, status: res.status, retryAfterMs: parseRetryAfter(res.headers['retry-after'], o.now()) };
    if (res.status === 401) {
      if (refreshedFor401) {
        throw new AuthError(
          `${o.stanza}: Prisma SaaS refused a freshly issued access token (401 on ${o.path}). Check that the API client has log access (api_access) and was not revoked.`,
        );
      }
      refreshedFor401 = true;
      o.tokens.invalidate();
      return { again: 'HTTP 401, token renewed' };
    }
    if (res.status === 403) {
      throw new AuthError(`${o.stanza}: 403 on ${o.path}: the API client may not read log events. Give it log access (api_access) in SaaS Security.`);
    }
    if (res.status === 404) {
      throw new ConfigError(`${o.stanza}: ${res.url} answered 404. Check region or base_url, and api_mode (bulk needs /${BULK_PATH}).`, 'base_url');
    }
    throw new ProtocolError(`${o.stanza}: unexpected HTTP ${res.status} from ${o.path}.`);
  }, {
    policy: o.maxAttempts !== undefined ? { ...READ_RETRY, retries: o.maxAttempts - 1 } : READ_RETRY,
    now: o.now,
    deadline: o.deadline,
    sleep: (ms) => o.sleep(ms),
    giveUp: (g) => new TransientError(
      `${o.stanza}: Prisma SaaS kept failing (${g.why}) after ${g.attempts} attempt(s); nothing was dequeued by the failed calls. The next run goes on.`, g.status),
    onRetry: (r) => o.log.warn('prisma: retrying log events read', { reason: r.why, attempt: r.attempt, delay_ms: Math.round(r.delayMs) }),
  });
}

async function readAll(res: HttpResponse): Promise<{ body: Buffer; error?: string }> {
  const chunks: Buffer[] = [];
  try {
    for await (const chunk of res.body as AsyncIterable<Buffer | string>) {
      chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    }
    return { body: Buffer.concat(chunks) };
  } catch (e) {
    return { body: Buffer.concat(chunks), error: errorMessage(e) };
  }
}
