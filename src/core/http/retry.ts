/**
 * The one retry policy of the add-on: which statuses are worth another attempt, how long to
 * wait (Retry-After when the server sent a usable one, else exponential backoff with full
 * jitter), when to give up (attempts, a Retry-After longer than the run waits, a deadline, a
 * stop request). The HTTP client, the HEC sink and every vendor's own loops (destructive
 * queue reads, asynchronous job polls) run through `retryLoop` and `parseRetryAfter`, so a
 * 429 is treated alike wherever it comes from.
 */
import type { RetryPolicy } from '../types';

/** Statuses that say "not now": nothing was done, the same request may be sent again. */
export const RETRY_STATUSES: ReadonlySet<number> = new Set([429, 500, 502, 503, 504]);

export const DEFAULT_RETRY: RetryPolicy = {
  retries: 4,
  baseDelayMs: 1000,
  maxDelayMs: 30_000,
  maxRetryAfterMs: 120_000,
};

// RFC 9110 HTTP-date: IMF-fixdate, obsolete RFC 850 and asctime forms all start with a day name.
const HTTP_DATE = /^(Mon|Tue|Wed|Thu|Fri|Sat|Sun)[a-z]*,? /;

/**
 * The one Retry-After parser: delta seconds (digits only) or an HTTP date in the future, in ms
 * from `now`. Anything else (-5, 12.5, a past date, prose) is undefined so the caller falls back
 * to its normal backoff; Date.parse alone reads "-5" or "12.5" as dates long past, which made
 * three requests in 90 ms against a 429.
 */
export function parseRetryAfter(value: string | string[] | undefined, now = Date.now()): number | undefined {
  const v = (Array.isArray(value) ? value[0] : value)?.trim();
  if (!v) return undefined;
  if (/^\d{1,9}$/.test(v)) return Number(v) * 1000;
  if (!HTTP_DATE.test(v)) return undefined;
  const at = Date.parse(v);
  if (Number.isNaN(at) || at <= now) return undefined;
  return at - now;
}

/** Full jitter: uniform in [0, min(max, base·2^attempt)]. */
export function backoffDelay(attempt: number, policy: RetryPolicy, random: () => number = Math.random): number {
  const ceiling = Math.min(policy.maxDelayMs, policy.baseDelayMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason ?? new Error('aborted'));
    const onAbort = () => {
      clearTimeout(t);
      reject(signal?.reason ?? new Error('aborted'));
    };
    const t = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}

/** A policy of `attempts` immediate re-reads (a body garbled in transit), no waits. */
export function rereads(attempts: number): RetryPolicy {
  return { retries: attempts - 1, baseDelayMs: 0, maxDelayMs: 0, maxRetryAfterMs: 0 };
}

/** What one attempt came to. */
export type Attempt<T> =
  | { done: T }
  /** Worth another attempt after a wait; `retryAfterMs` is the server's Retry-After, parsed. */
  | { retry: string; status?: number; retryAfterMs?: number }
  /** Worth another attempt at once (a refreshed credential); still counts as an attempt. */
  | { again: string };

export type GiveUpReason = 'attempts' | 'retry-after' | 'deadline' | 'stopped';

export interface GiveUp {
  reason: GiveUpReason;
  /** Attempts made so far. */
  attempts: number;
  /** The last attempt's `retry`/`again` text. */
  why: string;
  status?: number;
  /** The wait that was refused (Retry-After above the cap, or past the deadline). */
  delayMs?: number;
}

export interface RetryLoopOptions {
  policy: RetryPolicy;
  /** The error thrown when the loop stops without an answer. */
  giveUp: (g: GiveUp) => Error;
  /** Called before each further attempt (logging, endpoint failover); delayMs 0 for `again`. */
  onRetry?: (r: { attempt: number; delayMs: number; why: string; status?: number }) => void;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Checked before every wait: a stop request ends the loop with reason `stopped`. */
  signal?: AbortSignal;
  /** No wait may end after this instant (epoch ms); `now` is the clock it is read against. */
  deadline?: () => number;
  now?: () => number;
}

/**
 * How long to wait before attempt `attempt + 1`: the server's Retry-After when it sent a usable
 * one, else backoff. Undefined when the Retry-After is longer than the policy honours: waiting
 * hours inside one run would hold the input, and the next scheduled run tries again anyway.
 */
export function retryDelay(attempt: number, policy: RetryPolicy, retryAfterMs: number | undefined, random: () => number = Math.random): number | undefined {
  if (retryAfterMs === undefined) return backoffDelay(attempt - 1, policy, random);
  return retryAfterMs > policy.maxRetryAfterMs ? undefined : retryAfterMs;
}

/** Runs `attempt` until it is done or the policy says stop (then throws `giveUp`'s error). */
export async function retryLoop<T>(attempt: (n: number) => Promise<Attempt<T>>, o: RetryLoopOptions): Promise<T> {
  const sleep = o.sleep ?? abortableSleep;
  const random = o.random ?? Math.random;
  const now = o.now ?? Date.now;
  const maxAttempts = Math.max(0, o.policy.retries) + 1;
  for (let n = 1; ; n++) {
    const out = await attempt(n);
    if ('done' in out) return out.done;
    const why = 'again' in out ? out.again : out.retry;
    const status = 'retry' in out ? out.status : undefined;
    const fail = (reason: GiveUpReason, delayMs?: number): Error =>
      o.giveUp({ reason, attempts: n, why, ...(status !== undefined ? { status } : {}), ...(delayMs !== undefined ? { delayMs } : {}) });
    if (o.signal?.aborted) throw fail('stopped');
    const delay = 'again' in out ? 0 : retryDelay(n, o.policy, out.retryAfterMs, random);
    if (delay === undefined) throw fail('retry-after', (out as { retryAfterMs: number }).retryAfterMs);
    if (n >= maxAttempts) throw fail('attempts');
    if (o.deadline && now() + delay > o.deadline()) throw fail('deadline', delay);
    o.onRetry?.({ attempt: n, delayMs: delay, why, ...(status !== undefined ? { status } : {}) });
    if (!('again' in out)) await sleep(delay, o.signal);
  }
}

/**
 * The wait before the next poll of a job the server runs for us (asynchronous exports and
 * queries). There a Retry-After is pace, not refusal: it is honoured but capped at
 * `maxMs` instead of ending the wait; without one the last wait doubles, from `firstMs`.
 */
export function pollWait(retryAfter: string | string[] | undefined, lastMs: number | undefined, o: { firstMs: number; maxMs: number }, now = Date.now()): number {
  const next = parseRetryAfter(retryAfter, now) ?? (lastMs === undefined ? o.firstMs : lastMs * 2);
  return Math.min(next, o.maxMs);
}
