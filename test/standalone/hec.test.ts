/**
 * The HEC sink against the loopback HEC stand-in: batching and gzip, acks polled on the channel,
 * 503s, dropped connections before and after the indexer stored a batch, slow and lost acks, an
 * endpoint that is down (failover), TLS with a private CA, and the final errors an admin sees.
 *
 * The delivery promise checked everywhere: every event arrives, and every event has exactly one
 * copy the client saw confirmed; other copies exist only in requests whose confirmation the
 * client never saw (at-least-once, duplicates bounded by the acks).
 */
import * as net from 'node:net';
import fc from 'fast-check';
import { AuthError, ConfigError, TransientError } from '../../src/core/errors';
import { HecSink, type HecSinkOptions } from '../../src/core/sinks/hec';
import type { OutEvent } from '../../src/core/types';
import { startHecStandIn, type HecFault, type HecStandIn } from '../support/hec';
import { startProxy } from '../support/proxy';
import { makeTestPki, type TestPki } from '../support/tls';

const noSleep = async () => undefined;

function events(n: number, prefix = 'e'): OutEvent[] {
  return Array.from({ length: n }, (_, i) => ({
    data: JSON.stringify({ id: `${prefix}${i}`, msg: `event ${i} "quoted" <x>` }),
    time: 1_700_000_000 + i / 1000,
    sourcetype: 'illumio:pce:event',
    source: 'illumio_pce_events://prod',
    host: 'pce.example.com',
    index: 'zerotrust',
  }));
}

/** Each sent event: copies stored, and copies the client saw confirmed. */
function deliveryOf(hecs: HecStandIn[], sent: OutEvent[]): { missing: string[]; wrongConfirmed: string[]; duplicates: number } {
  const copies = new Map<string, { all: number; confirmed: number }>();
  for (const hec of hecs) {
    for (const r of hec.stored) {
      for (const e of r.events) {
        const k = String(e.event);
        const c = copies.get(k) ?? { all: 0, confirmed: 0 };
        c.all += 1;
        if (r.confirmed) c.confirmed += 1;
        copies.set(k, c);
      }
    }
  }
  const missing = sent.filter((e) => !copies.has(e.data)).map((e) => e.data);
  const wrongConfirmed = sent.filter((e) => copies.get(e.data)?.confirmed !== 1).map((e) => e.data);
  const duplicates = [...copies.values()].reduce((s, c) => s + c.all - 1, 0);
  return { missing, wrongConfirmed, duplicates };
}

function sink(hecs: HecStandIn[] | string[], extra: Partial<HecSinkOptions> = {}): HecSink {
  return new HecSink({
    endpoints: hecs.map((h) => (typeof h === 'string' ? h : h.url)),
    token: typeof hecs[0] === 'string' ? '11111111-2222-3333-4444-555555555555' : (hecs[0] as HecStandIn).token,
    ackPollMs: 5,
    // Well above the slow acks of the fault plans, so only lost acks run into it.
    ackTimeoutMs: 1500,
    batchEvents: 25,
    ...extra,
    // Short real waits between attempts: the faults are about what happens, not how long.
    retry: { baseDelayMs: 5, maxDelayMs: 20, ...extra.retry },
  });
}

const open: HecStandIn[] = [];
async function hec(opts: Parameters<typeof startHecStandIn>[0] = {}): Promise<HecStandIn> {
  const h = await startHecStandIn(opts);
  open.push(h);
  return h;
}

afterEach(async () => {
  await Promise.all(open.splice(0).map((h) => h.close()));
});

describe('HEC sink', () => {
  test('sends gzip batches with the HEC event fields, and flush waits for every ack', async () => {
    const h = await hec();
    const s = sink([h]);
    const sent = events(120);
    await s.write('illumio_pce_events://prod', sent);
    await s.flush();
    expect(h.stored.length).toBe(Math.ceil(120 / 25));
    expect(h.stored.every((r) => r.gzip && r.channel === s.channel && r.confirmed)).toBe(true);
    const first = h.stored[0].events[0];
    expect(first).toEqual({
      time: sent[0].time, host: 'pce.example.com', source: 'illumio_pce_events://prod',
      sourcetype: 'illumio:pce:event', index: 'zerotrust', event: sent[0].data,
    });
    expect(deliveryOf([h], sent)).toEqual({ missing: [], wrongConfirmed: [], duplicates: 0 });
    expect(s.stats).toMatchObject({ batches: 5, events: 120, resends: 0, acked: 5 });
    await s.close();
  });

  test('flush does not resolve before the indexer acknowledged (an indexer that is behind)', async () => {
    const h = await hec({ faults: [{ kind: 'held-ack' }] });
    const s = sink([h], { ackTimeoutMs: 60_000 });
    await s.write('x://a', events(10));
    let flushed = false;
    const f = s.flush().then(() => { flushed = true; });
    // Stored and polled for, but not yet indexed: the checkpoint must not move yet.
    while (h.ackPolls < 3) await new Promise((r) => setTimeout(r, 5));
    expect(h.stored.length).toBe(1);
    expect(h.stored[0].confirmed).toBe(false);
    expect(flushed).toBe(false);
    h.releaseAcks();
    await f;
    expect(h.stored[0].confirmed).toBe(true);
    expect(s.stats.resends).toBe(0);
    await s.close();
  });

  test('batches waiting for acks do not hold POST slots: the unacked window, not maxInFlight, bounds what is sent', async () => {
    const h = await hec({ faults: Array.from({ length: 6 }, () => ({ kind: 'held-ack' as const })) });
    const s = sink([h], { maxInFlight: 1, maxUnacked: 6, ackTimeoutMs: 60_000 });
    await s.write('x://a', events(150)); // 6 batches of 25
    let taken = false;
    const t = s.taken().then(() => { taken = true; });
    // All six stored through one POST slot while none is acknowledged yet.
    while (h.stored.length < 6) await new Promise((r) => setTimeout(r, 5));
    while (h.ackPolls < 2) await new Promise((r) => setTimeout(r, 5));
    expect(h.stored.every((r) => !r.confirmed)).toBe(true);
    expect(taken).toBe(false);
    // taken() does not hold later writes: a seventh batch is sealed and waits for the window.
    const w = s.write('x://a', events(25, 'late'));
    h.releaseAcks();
    await t;
    await w;
    await s.flush();
    expect(deliveryOf([h], [...events(150), ...events(25, 'late')])).toEqual({ missing: [], wrongConfirmed: [], duplicates: 0 });
    await s.close();
  });

  test('taken() rejects once a batch could not be delivered, so no later checkpoint moves', async () => {
    const h = await hec({ faults: [{ kind: 'status', status: 403 }] });
    const s = sink([h]);
    await s.write('x://a', events(10));
    await expect(s.taken()).rejects.toThrow(/refused the token/);
    await expect(s.write('x://a', events(10, 'b'))).rejects.toThrow(/refused the token/);
    await expect(s.taken()).rejects.toThrow(/refused the token/);
    await s.close().catch(() => undefined);
  });

  test('503, dropped connections and a lost ack: nothing lost, duplicates only where no ack was seen', async () => {
    const h = await hec({
      faults: [
        { kind: 'status', status: 503 },
        { kind: 'reset-before' },
        { kind: 'reset-after' },
        { kind: 'lose-ack' },
        { kind: 'slow-ack', ms: 60 },
        { kind: 'status', status: 503 },
      ],
    });
    const s = sink([h], { maxInFlight: 1 });
    const sent = events(200);
    await s.write('x://a', sent);
    await s.flush();
    const d = deliveryOf([h], sent);
    expect(d.missing).toEqual([]);
    expect(d.wrongConfirmed).toEqual([]);
    // reset-after and lose-ack each stored one batch the client could not see confirmed.
    expect(d.duplicates).toBe(50);
    expect(h.stored.filter((r) => !r.confirmed).length).toBe(2);
    expect(h.counts.get('event 503')).toBe(2);
    expect(h.counts.get('event reset')).toBe(2);
    expect(s.stats.resends).toBe(5);
    await s.close();
  });

  test('any sequence of faults over two endpoints: everything arrives, exactly one confirmed copy each', async () => {
    const fault: fc.Arbitrary<HecFault | undefined> = fc.oneof(
      fc.constant(undefined),
      fc.constant({ kind: 'status', status: 503 } as const),
      fc.constant({ kind: 'reset-before' } as const),
      fc.constant({ kind: 'reset-after' } as const),
      fc.constant({ kind: 'lose-ack' } as const),
      fc.integer({ min: 1, max: 30 }).map((ms) => ({ kind: 'slow-ack', ms }) as const),
    );
    const plan = fc.record({
      a: fc.array(fault, { maxLength: 8 }),
      b: fc.array(fault, { maxLength: 8 }),
      events: fc.integer({ min: 1, max: 180 }),
      batch: fc.integer({ min: 1, max: 40 }),
      inFlight: fc.integer({ min: 1, max: 4 }),
    });
    await fc.assert(fc.asyncProperty(plan, async (p) => {
      const a = await startHecStandIn({ faults: p.a.filter((f): f is HecFault => !!f) });
      const b = await startHecStandIn({ token: a.token, faults: p.b.filter((f): f is HecFault => !!f) });
      try {
        // Enough attempts that the planned faults (at most 16) cannot exhaust them.
        const s = sink([a, b], { batchEvents: p.batch, maxInFlight: p.inFlight, ackTimeoutMs: 400, retry: { retries: 40 } });
        const sent = events(p.events);
        await s.write('x://a', sent);
        await s.flush();
        await s.close();
        const d = deliveryOf([a, b], sent);
        expect(d.missing).toEqual([]);
        expect(d.wrongConfirmed).toEqual([]);
        const unconfirmed = [a, b].flatMap((h) => h.stored.filter((r) => !r.confirmed)).reduce((n, r) => n + r.events.length, 0);
        expect(d.duplicates).toBe(unconfirmed);
      } finally {
        await a.close();
        await b.close();
      }
    }), { numRuns: 25 });
  }, 120_000);

  test('without acks, the 200 of the event endpoint confirms; a reset after storing is resent', async () => {
    const h = await hec({ ack: false, faults: [{ kind: 'reset-after' }] });
    const s = sink([h], { ack: false, gzip: false, maxInFlight: 1 });
    const sent = events(60);
    await s.write('x://a', sent);
    await s.flush();
    expect(h.ackPolls).toBe(0);
    expect(h.stored.every((r) => !r.gzip)).toBe(true);
    expect(deliveryOf([h], sent)).toEqual({ missing: [], wrongConfirmed: [], duplicates: 25 });
    await s.close();
  });

  test('an endpoint that is down: the sink fails over to the next one and delivers everything', async () => {
    const down = await new Promise<number>((resolve) => {
      const srv = net.createServer();
      srv.listen(0, '127.0.0.1', () => {
        const { port } = srv.address() as net.AddressInfo;
        srv.close(() => resolve(port));
      });
    });
    const h = await hec();
    const warnings: string[] = [];
    const log = { debug() {}, info() {}, warn: (m: string) => warnings.push(m), error() {}, child() { return log; } };
    const s = sink([`http://127.0.0.1:${down}`, h.url] as string[], { token: h.token, log, maxInFlight: 1 });
    const sent = events(100);
    await s.write('x://a', sent);
    await s.flush();
    expect(deliveryOf([h], sent)).toEqual({ missing: [], wrongConfirmed: [], duplicates: 0 });
    expect(s.stats.failovers).toBe(1);
    expect(warnings.join('\n')).toMatch(new RegExp(`127\\.0\\.0\\.1:${down} failed 2 times in a row .*ECONNREFUSED.*sending to ${h.url.replace(/[.:/]/g, '\\$&')}`));
    await s.close();
  });

  test('an endpoint that keeps answering 503 fails over; the copies land where they were confirmed', async () => {
    const busy = await hec({ faults: Array.from({ length: 50 }, () => ({ kind: 'status' as const, status: 503 })) });
    const h = await hec({ token: busy.token });
    const s = sink([busy, h], { maxInFlight: 2 });
    const sent = events(150);
    await s.write('x://a', sent);
    await s.flush();
    expect(busy.stored).toEqual([]);
    expect(deliveryOf([busy, h], sent)).toEqual({ missing: [], wrongConfirmed: [], duplicates: 0 });
    await s.close();
  });

  test('acks lost on an indexer that then goes down: resent to the other one, never lost', async () => {
    const a = await hec({ faults: [{ kind: 'lose-ack' }, { kind: 'lose-ack' }, { kind: 'lose-ack' }] });
    const b = await hec({ token: a.token });
    const s = sink([a, b], { maxInFlight: 1, failoverAfter: 1 });
    const sent = events(75);
    await s.write('x://a', sent.slice(0, 25));
    const first = s.flush();
    while (a.stored.length < 1) await new Promise((r) => setTimeout(r, 5));
    await a.close();
    await first;
    await s.write('x://a', sent.slice(25));
    await s.flush();
    const d = deliveryOf([a, b], sent);
    expect(d.missing).toEqual([]);
    expect(d.wrongConfirmed).toEqual([]);
    expect(d.duplicates).toBe(25);
    expect(b.stored.length).toBe(3);
    await s.close();
  });

  test('retries exhausted: flush fails with a transient error naming the endpoints, so the checkpoint stays', async () => {
    const h = await hec({ faults: Array.from({ length: 10 }, () => ({ kind: 'status' as const, status: 503 })) });
    const s = sink([h], { retry: { retries: 3 } });
    await s.write('x://a', events(5));
    const err = await s.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/batch of 5 events could not be delivered after 4 attempts to http:\/\/127\.0\.0\.1:\d+ \(last: HEC event endpoint .* answered 503 "Server is busy" \(code 9\)\)/);
    expect(h.stored).toEqual([]);
    // The sink stays usable: the next batch goes out once HEC recovers.
    h.faults.splice(0);
    await s.write('x://a', events(5, 'later'));
    await s.flush();
    expect(h.stored.length).toBe(1);
    await s.close();
  });

  test('a wrong token is an authentication error that does not leak the token', async () => {
    const h = await hec();
    const s = new HecSink({ endpoints: [h.url], token: 'wrong-token-abcdef', sleep: noSleep });
    await s.write('x://a', events(3));
    const err = await s.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(AuthError);
    expect((err as Error).message).toMatch(/refused the token \(403 "Invalid token" \(code 4\)\)/);
    expect((err as Error).message).not.toContain('wrong-token-abcdef');
    await s.close();
  });

  test('acks off at the token while the sink expects them: a configuration error saying what to change', async () => {
    const h = await hec({ ack: false });
    const s = sink([h]);
    await s.write('x://a', events(3));
    const err = await s.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(ConfigError);
    expect((err as Error).message).toMatch(/returned no ackId.*Enable indexer acknowledgement.*"ack": false/);
    await s.close();
  });

  test('bad endpoint URLs are refused up front', () => {
    expect(() => new HecSink({ endpoints: ['idx1:8088'], token: 't' })).toThrow(/endpoint 1 must start with https:\/\//);
    expect(() => new HecSink({ endpoints: [], token: 't' })).toThrow(/no endpoints/);
    expect(() => new HecSink({ endpoints: ['https://x:8088'], token: '' })).toThrow(/no token/);
  });

  describe('TLS', () => {
    let pki: TestPki;
    beforeAll(() => { pki = makeTestPki(); });
    afterAll(() => pki.cleanup());

    test('verifies the server with the configured CA', async () => {
      const h = await hec({ tls: pki.server });
      const s = sink([h], { caCertPath: pki.caCert });
      const sent = events(30);
      await s.write('x://a', sent);
      await s.flush();
      expect(deliveryOf([h], sent).missing).toEqual([]);
      await s.close();
    });

    test('an untrusted certificate is a configuration error pointing at sink.ca_cert_path', async () => {
      const h = await hec({ tls: pki.selfSigned });
      const s = sink([h], { caCertPath: pki.caCert });
      await s.write('x://a', events(3));
      const err = await s.flush().catch((e: unknown) => e);
      expect(err).toBeInstanceOf(ConfigError);
      expect((err as Error).message).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not accepted .*sink\.ca_cert_path/);
      expect(h.stored).toEqual([]);
      await s.close();
    });
  });
});

describe('HEC sink: the core HTTP policy', () => {
  test('a 503 with Retry-After is waited exactly that long (the core retryLoop), then the batch goes out', async () => {
    const h = await hec({ faults: [{ kind: 'status', status: 503, retryAfter: 3 }] });
    const waits: number[] = [];
    const s = sink([h], { sleep: async (ms) => { waits.push(ms); } });
    const sent = events(5);
    await s.write('x://a', sent);
    await s.flush();
    expect(waits[0]).toBe(3000);
    expect(deliveryOf([h], sent).missing).toEqual([]);
    await s.close();
  });

  test('a Retry-After longer than the policy honours ends the batch at once, without waiting hours', async () => {
    const h = await hec({ faults: [{ kind: 'status', status: 503, retryAfter: 7200 }] });
    const waits: number[] = [];
    const s = sink([h], { sleep: async (ms) => { waits.push(ms); } });
    await s.write('x://a', events(5));
    const err = await s.flush().catch((e: unknown) => e);
    expect(err).toBeInstanceOf(TransientError);
    expect((err as Error).message).toMatch(/after 1 attempts .*answered 503 .*HEC asked to retry after 7200 s, longer than this run waits/);
    expect(waits).toEqual([]);
    await s.close();
  });

  describe('through a proxy', () => {
    let pki: TestPki;
    beforeAll(() => { pki = makeTestPki(); });
    afterAll(() => pki.cleanup());

    test('TLS to HEC with the private CA, tunnelled through an authenticating proxy; events and ack polls alike', async () => {
      const h = await hec({ tls: pki.server });
      const proxy = await startProxy({ auth: { username: 'svc', password: 'Pr0xy-Pass-77' } });
      try {
        const s = sink([h], { caCertPath: pki.caCert, proxyUrl: proxy.url, proxyUsername: 'svc', proxyPassword: 'Pr0xy-Pass-77' });
        const sent = events(60);
        await s.write('x://a', sent);
        await s.flush();
        await s.close();
        const d = deliveryOf([h], sent);
        expect(d.missing).toEqual([]);
        expect(d.wrongConfirmed).toEqual([]);
        expect(s.stats.acked).toBeGreaterThan(0);
        expect(proxy.seen.length).toBeGreaterThan(0);
        const auth = `Basic ${Buffer.from('svc:Pr0xy-Pass-77').toString('base64')}`;
        for (const seen of proxy.seen) expect(seen).toEqual({ method: 'CONNECT', target: `127.0.0.1:${h.port}`, proxyAuthorization: auth });
      } finally {
        await proxy.close();
      }
    });

    test('HEC\'s certificate is still verified through the proxy (sink.ca_cert_path)', async () => {
      const h = await hec({ tls: pki.selfSigned });
      const proxy = await startProxy();
      try {
        const s = sink([h], { caCertPath: pki.caCert, proxyUrl: proxy.url });
        await s.write('x://a', events(3));
        const err = await s.flush().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as Error).message).toMatch(/TLS certificate of https:\/\/127\.0\.0\.1:\d+ is not accepted .*sink\.ca_cert_path/);
        expect(h.stored).toEqual([]);
        await s.close();
      } finally {
        await proxy.close();
      }
    });

    test('a proxy that refuses the credentials is a configuration error naming sink.proxy_url, never the password', async () => {
      const h = await hec();
      const proxy = await startProxy({ auth: { username: 'svc', password: 'right' } });
      try {
        const s = sink([h], { proxyUrl: proxy.url, proxyUsername: 'svc', proxyPassword: 'Wr0ng-Pa55-x' });
        await s.write('x://a', events(3));
        const err = await s.flush().catch((e: unknown) => e);
        expect(err).toBeInstanceOf(ConfigError);
        expect((err as ConfigError).field).toBe('sink.proxy_url');
        expect((err as Error).message).toMatch(/refused the credentials \(407/);
        expect((err as Error).message).not.toContain('Wr0ng-Pa55-x');
        expect(h.stored).toEqual([]);
        await s.close();
      } finally {
        await proxy.close();
      }
    });
  });
});
