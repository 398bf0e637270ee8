/**
 * The one HTTP retry policy (src/core/http/retry.ts): the Retry-After parser every caller uses,
 * the wait it leads to, the loop's stopping rules, and each vendor's retries meeting that same
 * policy against its simulator (the HEC sink's are in test/standalone/hec.test.ts).
 */
import { TransientError } from '../../src/core/errors';
import { createHttpClient, RETRY_STATUSES } from '../../src/core/http';
import { connectionOptions } from '../../src/core/http/options';
import { parseRetryAfter, pollWait, retryDelay, retryLoop, type Attempt, type GiveUp } from '../../src/core/http/retry';
import type { HttpClient, RetryPolicy } from '../../src/core/types';
import { PceClient } from '../../src/sources/illumio/client';
import { startIllumioSimulator } from '../../src/sources/illumio/simulator';
import { LaceworkClient, type AuditConfig } from '../../src/sources/lacework/client';
import { startLaceworkSimulator } from '../../src/sources/lacework/simulator';
import { BULK_PATH, pollOnce, READ_RETRY, TokenManager } from '../../src/sources/prisma/client';
import { startPrismaSimulator } from '../../src/sources/prisma/simulator';
import { testLogger } from '../prisma/support';

const NOW = Date.UTC(2026, 10, 21, 12, 0, 0);

describe('parseRetryAfter: the one parser', () => {
  test.each([
    ['7', 7000],
    [' 120 ', 120_000],
    ['0', 0],
    [['3', '9'], 3000],
    ['Sat, 21 Nov 2026 12:00:30 GMT', 30_000],
    ['Saturday, 21-Nov-26 12:01:00 GMT', 60_000],
    ['Sat Nov 21 12:00:10 2026', 10_000],
  ])('%p is %p ms', (value, ms) => {
    expect(parseRetryAfter(value as string | string[], NOW)).toBe(ms);
  });

  test.each([
    ['-5'], ['12.5'], ['1e3'], ['soon'], [''], ['9999999999'],
    ['Sat, 21 Nov 2026 11:59:00 GMT'], ['2026-11-21T12:00:30Z'],
  ])('%p is no usable Retry-After (the caller backs off instead)', (value) => {
    expect(parseRetryAfter(value, NOW)).toBeUndefined();
  });

  test('absent is undefined; the statuses worth a retry are named once', () => {
    expect(parseRetryAfter(undefined, NOW)).toBeUndefined();
    expect([...RETRY_STATUSES].sort()).toEqual([429, 500, 502, 503, 504]);
  });
});

describe('retryDelay and retryLoop', () => {
  const policy: RetryPolicy = { retries: 3, baseDelayMs: 100, maxDelayMs: 400, maxRetryAfterMs: 5000 };

  test('Retry-After is waited as sent up to the cap; above it there is no wait; without it, full jitter within the ceiling', () => {
    expect(retryDelay(1, policy, 4000)).toBe(4000);
    expect(retryDelay(1, policy, 5001)).toBeUndefined();
    expect(retryDelay(1, policy, undefined, () => 0.999)).toBe(99);
    expect(retryDelay(3, policy, undefined, () => 0.999)).toBe(399);
    expect(retryDelay(9, policy, undefined, () => 0.999)).toBe(399);
  });

  function run(outcomes: Attempt<string>[], extra: Partial<Parameters<typeof retryLoop>[1]> = {}) {
    const waits: number[] = [];
    let given: GiveUp | undefined;
    let n = 0;
    const p = retryLoop<string>(async () => outcomes[Math.min(n++, outcomes.length - 1)], {
      policy, random: () => 0.5, sleep: async (ms) => { waits.push(ms); },
      giveUp: (g) => { given = g; return new TransientError(`gave up: ${g.reason}`); },
      ...extra,
    });
    return { p, waits, given: () => given, attempts: () => n };
  }

  test('done after retries; Retry-After used as the wait, backoff otherwise', async () => {
    const r = run([{ retry: 'HTTP 429', status: 429, retryAfterMs: 2000 }, { retry: 'reset' }, { done: 'ok' }]);
    await expect(r.p).resolves.toBe('ok');
    expect(r.waits).toEqual([2000, 100]);
  });

  test('attempts run out after retries + 1', async () => {
    const r = run([{ retry: 'HTTP 503', status: 503 }]);
    await expect(r.p).rejects.toThrow('gave up: attempts');
    expect(r.attempts()).toBe(4);
    expect(r.waits).toHaveLength(3);
    expect(r.given()).toMatchObject({ attempts: 4, why: 'HTTP 503', status: 503 });
  });

  test('a Retry-After above the cap, a wait past the deadline, a stop request: each ends the loop at once', async () => {
    const cap = run([{ retry: 'HTTP 429', status: 429, retryAfterMs: 60_000 }]);
    await expect(cap.p).rejects.toThrow('gave up: retry-after');
    expect(cap.given()).toMatchObject({ attempts: 1, delayMs: 60_000 });
    const late = run([{ retry: 'HTTP 429', status: 429, retryAfterMs: 3000 }], { now: () => 0, deadline: () => 1000 });
    await expect(late.p).rejects.toThrow('gave up: deadline');
    expect(late.waits).toEqual([]);
    const ctrl = new AbortController();
    ctrl.abort();
    const stopped = run([{ retry: 'reset' }], { signal: ctrl.signal });
    await expect(stopped.p).rejects.toThrow('gave up: stopped');
    expect(stopped.waits).toEqual([]);
  });

  test('`again` (a renewed credential) asks at once and counts as an attempt', async () => {
    const r = run([{ again: '401' }, { done: 'ok' }]);
    await expect(r.p).resolves.toBe('ok');
    expect(r.waits).toEqual([]);
    expect(r.attempts()).toBe(2);
  });
});

describe('pollWait: the pace of a job the server runs (Illumio async collections and traffic queries)', () => {
  const pace = { firstMs: 1000, maxMs: 30_000 };
  test('Retry-After is honoured but capped, never a reason to give up; without it the wait doubles from firstMs', () => {
    expect(pollWait('5', undefined, pace, NOW)).toBe(5000);
    expect(pollWait('3600', 5000, pace, NOW)).toBe(30_000);
    expect(pollWait(undefined, undefined, pace, NOW)).toBe(1000);
    expect(pollWait(undefined, 4000, pace, NOW)).toBe(8000);
    expect(pollWait('soon', 20_000, pace, NOW)).toBe(30_000);
    expect(pollWait('Sat, 21 Nov 2026 12:00:02 GMT', 8000, pace, NOW)).toBe(2000);
  });
});

/** A client from the one options builder, whose waits are recorded instead of slept. */
function recordingClient(waits: number[], retry?: Partial<RetryPolicy>, baseUrl?: string): HttpClient {
  return createHttpClient({
    ...connectionOptions({ timeout: 10 }),
    ...(baseUrl ? { baseUrl } : {}),
    ...(retry ? { retry } : {}),
    sleep: async (ms) => { waits.push(ms); },
  });
}

describe('each vendor retries through the core policy', () => {
  test('Lacework: a 429 waits its Retry-After, a 503 backs off, then the answer; a 404 still means a wrong path', async () => {
    const sim = await startLaceworkSimulator({
      seed: 3,
      faults: [{ op: 'audit', kind: 'status', status: 429, retryAfter: 4 }, { op: 'audit', kind: 'status', status: 503, after: 1 }],
    });
    const waits: number[] = [];
    const http = recordingClient(waits);
    try {
      const t = Date.now() - 60_000;
      sim.addAuditEvents(3, t, t);
      const config = {
        base_url: sim.url, api_token: sim.token, auth_header: 'Authorization', auth_scheme: 'Bearer', path: '/api/v1/audit_events',
        time_unit: 'ms', start_date: '-1h', window: 3600, overlap: 0, redact_request_body: false,
      } as AuditConfig;
      const client = new LaceworkClient(http, config, 'lacework_edge_audit://t');
      const body = await client.get('path', config.path, { start_time: t - 1000, end_time: t + 1000 }) as { audit_events: unknown[] };
      expect(body.audit_events).toHaveLength(3);
      expect(waits).toHaveLength(2);
      expect(waits[0]).toBe(4000);
      expect(waits[1]).toBeLessThan(4000);
      await expect(client.get('path', '/api/v1/nope', { start_time: 0, end_time: 1 })).rejects.toThrow(/404 Not Found.*Set path/);
    } finally {
      await http.close();
      await sim.stop();
    }
  });

  test('Illumio: a 503 with Retry-After on the events page is waited out by the core loop; a Retry-After above the cap stops the request', async () => {
    const sim = await startIllumioSimulator({});
    const waits: number[] = [];
    const http = recordingClient(waits, { maxRetryAfterMs: 60_000 });
    try {
      const now = Date.now();
      sim.addEvents(5, now - 3_600_000, now - 60_000);
      sim.faults.push({ on: 'events', kind: 'status', status: 503, retryAfter: 2 });
      const client = new PceClient(http, { pceUrl: sim.url, org: sim.org, keyId: sim.keyId, secret: sim.secret, stanza: 'illumio_pce_events://t' });
      let seen = 0;
      const page = await client.page({ gte: now - 7_200_000, lte: now }, 100, () => { seen++; });
      expect(page.count).toBe(5);
      expect(seen).toBe(5);
      expect(waits).toEqual([2000]);
      sim.faults.push({ on: 'events', kind: 'status', status: 429, retryAfter: 3600 });
      const err = await client.page({ gte: now - 7_200_000, lte: now }, 100, () => undefined).catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).message).toMatch(/429, the server asked to retry after 3600\.0 s \(more than the 60\.0 s this run waits\)/);
      expect(waits).toEqual([2000]);
    } finally {
      await http.close();
      await sim.stop();
    }
  });

  test('Prisma: destructive reads honour Retry-After up to READ_RETRY\'s cap; above it the read gives up at once, nothing dequeued', async () => {
    const sim = await startPrismaSimulator({ longPollMs: 50, events: 2 });
    const { log } = testLogger();
    const waits: number[] = [];
    const http = recordingClient([], undefined, `${sim.url}/`);
    try {
      const tokens = new TokenManager({ http, clientId: sim.clientId, clientSecret: sim.clientSecret, now: Date.now, log, stanza: 's', timeoutMs: 5000 });
      const read = () => pollOnce({
        http, tokens, path: BULK_PATH, stanza: 's', log, now: Date.now, timeoutMs: 5000,
        deadline: () => Date.now() + 3_600_000, sleep: async (ms) => { waits.push(ms); },
      });
      sim.faults.push({ kind: 'status', status: 429, retryAfter: READ_RETRY.maxRetryAfterMs / 1000 + 1 });
      const err = await read().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(TransientError);
      expect((err as Error).message).toMatch(/kept failing \(HTTP 429\) after 1 attempt/);
      expect(waits).toEqual([]);
      expect(sim.stats().dequeued).toBe(0);
      sim.faults.push({ kind: 'status', status: 503, retryAfter: 2 });
      expect((await read()).kind).toBe('body');
      expect(waits).toEqual([2000]);
    } finally {
      await http.close();
      await sim.stop();
    }
  });
});
