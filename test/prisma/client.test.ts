import { AuthError, TransientError } from '../../src/core/errors';
import { parseRetryAfter as retryAfterMs } from '../../src/core/http';
import { BULK_PATH, pollOnce, PollOptions, prismaBaseUrl, SINGLE_PATH, TokenManager } from '../../src/sources/prisma/client';
import { PRISMA_REGIONS } from '../../src/sources/prisma/description';
import { PrismaSimulator, startPrismaSimulator } from '../../src/sources/prisma/simulator';
import { http, testLogger } from './support';

describe('prismaBaseUrl', () => {
  it('maps every region to its documented host', () => {
    expect(Object.keys(PRISMA_REGIONS).sort()).toEqual(['apac', 'au', 'eu', 'in', 'jp', 'uk', 'uk2', 'us']);
    const want: Record<string, string> = {
      us: 'api.aperture.paloaltonetworks.com', eu: 'api.aperture-eu.paloaltonetworks.com',
      apac: 'api.aperture-apac.paloaltonetworks.com', uk: 'api.aperture-uk.paloaltonetworks.com',
      in: 'api.in1.prisma-saas.paloaltonetworks.com', au: 'api.au1.prisma-saas.paloaltonetworks.com',
      uk2: 'api.uk2.prisma-saas.paloaltonetworks.com', jp: 'api.jp1.prisma-saas.paloaltonetworks.com',
    };
    for (const [region, host] of Object.entries(want)) expect(prismaBaseUrl({ region })).toBe(`https://${host}/`);
  });

  it('prefers base_url, without trailing slashes, and refuses an unknown region', () => {
    expect(prismaBaseUrl({ region: 'eu', base_url: 'http://127.0.0.1:9//' })).toBe('http://127.0.0.1:9/');
    expect(prismaBaseUrl({ base_url: 'https://gw.example.com/prisma' })).toBe('https://gw.example.com/prisma/');
    expect(() => prismaBaseUrl({ region: 'mars' })).toThrow(/"region" must be one of us, eu, .*got "mars"/);
  });
});

describe('Retry-After (the core parser Prisma uses)', () => {
  it('reads seconds and HTTP dates', () => {
    expect(retryAfterMs('3', 0)).toBe(3000);
    expect(retryAfterMs('Thu, 01 Jan 1970 00:00:10 GMT', 4000)).toBe(6000);
    expect(retryAfterMs('soon', 0)).toBeUndefined();
    expect(retryAfterMs(undefined, 0)).toBeUndefined();
  });
});

describe('TokenManager and pollOnce against the simulator', () => {
  let sim: PrismaSimulator;
  let clock: number;
  const sleeps: number[] = [];
  const { log, text } = testLogger();

  beforeEach(async () => {
    sim = await startPrismaSimulator({ longPollMs: 50, tokenTtlSeconds: 100 });
    clock = Date.now();
    sleeps.length = 0;
  });
  afterEach(() => sim.stop());

  function tokens(secret = sim.clientSecret, client = http(sim.url)) {
    return new TokenManager({ http: client, clientId: sim.clientId, clientSecret: secret, now: () => clock, log, stanza: 'prisma_saas_log_events://t', timeoutMs: 5000 });
  }
  function poll(t: TokenManager, extra: Partial<PollOptions> = {}) {
    return pollOnce({
      http: http(sim.url), tokens: t, path: BULK_PATH, stanza: 'prisma_saas_log_events://t', log,
      now: () => clock, sleep: async (ms) => { sleeps.push(ms); }, timeoutMs: 5000, deadline: () => clock + 600_000, ...extra,
    });
  }

  it('gets a token once and renews it ahead of expires_in', async () => {
    const t = tokens();
    const first = await t.get();
    expect(await t.get()).toBe(first);
    clock += 89_000; // 100 s lifetime, renewed 10 s early
    expect(await t.get()).toBe(first);
    clock += 2_000;
    expect(await t.get()).not.toBe(first);
    expect(sim.stats().tokenRequests).toBe(2);
  });

  it('reports refused credentials once, naming the client id, never the secret', async () => {
    const t = tokens('wrong-secret-value');
    const err = await t.get().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/refused client_id "sim-client".*Invalid credentials/);
    expect((err as Error).message).not.toContain('wrong-secret-value');
    expect(sim.stats().tokenRequests).toBe(1);
  });

  it('retries the token request on 503 like any idempotent call', async () => {
    sim.faults.push({ kind: 'status', status: 503, retryAfter: 0, endpoint: 'token' });
    await tokens().get();
    expect(sim.requests.filter((r) => r.path === '/oauth/token').map((r) => r.status)).toEqual([503, 200]);
  });

  it('reads a bulk body, then 204 when the long poll finds nothing', async () => {
    sim.enqueue(3);
    const t = tokens();
    const got = await poll(t);
    expect(got.kind).toBe('body');
    expect(JSON.parse((got as { body: Buffer }).body.toString()).events).toEqual(sim.served.map((s) => s.event));
    expect(await poll(t)).toEqual({ kind: 'empty' });
  });

  it('reads one event per call in single mode', async () => {
    sim.enqueue(2);
    const got = await poll(tokens(), { path: SINGLE_PATH });
    expect(JSON.parse((got as { body: Buffer }).body.toString())).toEqual(sim.served[0].event);
    expect(sim.stats().queued).toBe(1);
  });

  it('renews the token once on 401 and goes on', async () => {
    sim.enqueue(1);
    const t = tokens();
    await t.get();
    sim.expireTokens();
    expect((await poll(t)).kind).toBe('body');
    expect(sim.stats().tokensIssued).toBe(2);
  });

  it('stops with an AuthError when a fresh token is refused too', async () => {
    sim.enqueue(1);
    sim.faults.push({ kind: 'expire-tokens' }, { kind: 'expire-tokens' });
    const err = await poll(tokens()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect(sim.stats().dequeued).toBe(0);
  });

  it('retries 429 after Retry-After, 5xx and resets with backoff, without dequeuing', async () => {
    sim.enqueue(2);
    sim.faults.push({ kind: 'status', status: 429, retryAfter: 7 }, { kind: 'status', status: 502 }, { kind: 'reset' }, { kind: 'status', status: 503 });
    const got = await poll(tokens());
    expect(got.kind).toBe('body');
    expect(sleeps[0]).toBe(7000);
    expect(sleeps).toHaveLength(4);
    expect(sim.served).toHaveLength(2);
    expect(text()).toMatch(/retrying log events read.*HTTP 429/);
  });

  it('gives up with a TransientError when failures persist, having dequeued nothing', async () => {
    sim.enqueue(1);
    for (let i = 0; i < 8; i++) sim.faults.push({ kind: 'status', status: 500 });
    const err = await poll(tokens()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/HTTP 500\) after 8 attempt/);
    expect(sim.stats().dequeued).toBe(0);
    expect(sim.stats().queued).toBe(1);
  });

  it('gives up early rather than sleep past the deadline', async () => {
    sim.enqueue(1);
    sim.faults.push({ kind: 'status', status: 429, retryAfter: 120 });
    const err = await poll(tokens(), { deadline: () => clock + 60_000 }).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect(sleeps).toEqual([]);
  });

  it('returns the bytes of a body whose connection broke', async () => {
    sim.enqueue(5);
    sim.faults.push({ kind: 'truncate' });
    const got = await poll(tokens());
    expect(got.kind).toBe('partial');
    const body = (got as { body: Buffer }).body.toString();
    expect(body.length).toBeGreaterThan(10);
    expect(JSON.stringify({ events: sim.served.map((s) => s.event) }).startsWith(body)).toBe(true);
  });
});

describe('pollOnce when the run is stopped', () => {
  it('does not retry after the signal, and dequeues nothing', async () => {
    const sim = await startPrismaSimulator({ events: 1, longPollMs: 50 });
    const ctrl = new AbortController();
    const { log } = testLogger();
    try {
      sim.faults.push({ kind: 'status', status: 503 });
      const tokens = new TokenManager({ http: http(sim.url), clientId: sim.clientId, clientSecret: sim.clientSecret, now: Date.now, log, stanza: 's', timeoutMs: 5000 });
      const got = await pollOnce({
        http: http(sim.url), tokens, path: BULK_PATH, stanza: 's', log, now: Date.now, timeoutMs: 5000,
        deadline: () => Date.now() + 60_000, signal: ctrl.signal, sleep: async () => { ctrl.abort(); },
      });
      expect(got).toEqual({ kind: 'stopped' });
      expect(sim.stats()).toMatchObject({ dequeued: 0, dataRequests: 1 });
    } finally {
      await sim.stop();
    }
  });
});
