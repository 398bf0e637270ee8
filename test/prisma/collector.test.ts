import { promises as fsp } from 'node:fs';
import * as path from 'node:path';
import type { OutEvent } from '../../src/core/types';
import { CheckpointCorruptError } from '../../src/core/checkpoint';
import { PRISMA_CHECKPOINT } from '../../src/sources/prisma/checkpoint';
import { collectPrisma, RECENT_HASHES_MAX, RecentHashes } from '../../src/sources/prisma/collector';
import { PrismaSimulator, seedStyleInvalid, startPrismaSimulator } from '../../src/sources/prisma/simulator';
import { writeRawCheckpoint } from '../support/checkpoint';
import { CrashPoint, deliver, makeCtx, simConfig, STANZA, tempDir } from './support';

const canonical = (e: object) => JSON.stringify(e);
const texts = (events: OutEvent[]) => events.map((e) => e.data);
const servedTexts = (sim: PrismaSimulator) => sim.served.map((s) => canonical(s.event));
const spoolFiles = async (dir: string) => (await fsp.readdir(path.join(dir, 'state', 'spool')).catch(() => [] as string[])).length;

describe('collectPrisma', () => {
  let sim: PrismaSimulator;
  let dir: string;
  beforeEach(async () => {
    dir = await tempDir();
  });
  afterEach(async () => {
    await sim?.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  });

  it('drains the queue in order until 204, one batch per body, stamped with the event time', async () => {
    sim = await startPrismaSimulator({ events: 250, longPollMs: 30 });
    const { ctx, logText } = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim), ctx), ctx);
    expect(texts(out)).toEqual(servedTexts(sim));
    expect(sim.stats()).toMatchObject({ queued: 0, dequeued: 250, lost: 0, tokensIssued: 1 });
    // Keep-alive: the four long polls share a connection (undici does not reuse the token POST's).
    expect(sim.stats().connections).toBeLessThanOrEqual(2);
    expect(sim.requests.filter((r) => r.path === '/api/v1/log_events_bulk').map((r) => r.events)).toEqual([100, 100, 50, 0]);
    for (const e of out) {
      expect(e.time).toBeCloseTo(Date.parse(JSON.parse(e.data).timestamp) / 1000, 3);
      expect(e.sourcetype).toBe('pan:prisma_saas');
      expect(e.source).toBeUndefined();
    }
    expect(await spoolFiles(dir)).toBe(0);
    expect(logText()).toMatch(/run finished.*reason="?queue empty \(204\)"?.*events=250/);
    expect(logText()).not.toContain(sim.clientSecret);
  });

  it('reads one event per call in single mode', async () => {
    sim = await startPrismaSimulator({ events: 7, longPollMs: 30 });
    const { ctx } = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim, { api_mode: 'single' }), ctx), ctx);
    expect(texts(out)).toEqual(servedTexts(sim));
    expect(sim.requests.filter((r) => r.path === '/api/v1/log_events')).toHaveLength(8);
  });

  it('delivers single-mode events in groups, each body spooled as it arrives', async () => {
    sim = await startPrismaSimulator({ events: 250, longPollMs: 30 });
    const { ctx } = makeCtx(dir);
    const sizes: number[] = [];
    const out: OutEvent[] = [];
    for await (const batch of collectPrisma(simConfig(sim, { api_mode: 'single' }), ctx)) {
      sizes.push(batch.events.length);
      out.push(...batch.events);
      expect(await spoolFiles(dir)).toBe(batch.events.length);
      if (batch.checkpoint) await ctx.checkpoint.save(PRISMA_CHECKPOINT, batch.checkpoint);
      await batch.committed?.();
    }
    // Group sizes depend on timing (a group closes after 100 events or a second); bounds do not.
    expect(sizes.every((n) => n >= 1 && n <= 100)).toBe(true);
    expect(sizes.reduce((a, b) => a + b, 0)).toBe(250);
    expect(texts(out)).toEqual(servedTexts(sim));
    expect(await spoolFiles(dir)).toBe(0);
  });

  it('single mode: a crash after the checkpoint of a group, then a new run, repeats nothing', async () => {
    sim = await startPrismaSimulator({ events: 230, longPollMs: 30 });
    const first = makeCtx(dir);
    const before = await deliver(collectPrisma(simConfig(sim, { api_mode: 'single' }), first.ctx), first.ctx, { batch: 2, at: 'after-checkpoint' });
    expect(await spoolFiles(dir)).toBeGreaterThan(0);
    const second = makeCtx(dir);
    const after = await deliver(collectPrisma(simConfig(sim, { api_mode: 'single' }), second.ctx), second.ctx);
    expect(texts([...before, ...after])).toEqual(servedTexts(sim));
  });

  it('delivers the bodies in hand before a failing run stops', async () => {
    sim = await startPrismaSimulator({ events: 5, longPollMs: 30 });
    for (let i = 0; i < 5; i++) sim.faults.push({ kind: 'delay', ms: 0 });
    for (let i = 0; i < 8; i++) sim.faults.push({ kind: 'status', status: 500, retryAfter: 0 });
    const { ctx } = makeCtx(dir);
    const out: OutEvent[] = [];
    const run = (async () => {
      for await (const batch of collectPrisma(simConfig(sim, { api_mode: 'single' }), ctx)) {
        out.push(...batch.events);
        if (batch.checkpoint) await ctx.checkpoint.save(PRISMA_CHECKPOINT, batch.checkpoint);
        await batch.committed?.();
      }
    })();
    await expect(run).rejects.toThrow(/kept failing \(HTTP 500\)/);
    expect(texts(out)).toEqual(servedTexts(sim));
    expect(await spoolFiles(dir)).toBe(0);
  });

  it('goes on after the token expires mid-drain, and renews it ahead of expires_in', async () => {
    sim = await startPrismaSimulator({ events: 500, longPollMs: 30, tokenTtlSeconds: 600 });
    let clock = Date.now();
    sim.faults.push({ kind: 'delay', ms: 0 }, { kind: 'expire-tokens' });
    const { ctx } = makeCtx(dir, { now: () => (clock += 50_000) });
    const out = await deliver(collectPrisma(simConfig(sim, { max_runtime: 3600 }), ctx), ctx);
    expect(texts(out)).toEqual(servedTexts(sim));
    // One token for the start, one after the forced expiry, then renewals as the clock runs.
    expect(sim.stats().tokensIssued).toBeGreaterThanOrEqual(3);
    expect(sim.requests.filter((r) => r.status === 401)).toHaveLength(1);
  });

  it('recovers from 429, 5xx and resets without losing or repeating an event', async () => {
    sim = await startPrismaSimulator({ events: 300, longPollMs: 30 });
    sim.faults.push(
      { kind: 'status', status: 429, retryAfter: 0 }, { kind: 'delay', ms: 0 }, { kind: 'status', status: 503 },
      { kind: 'reset' }, { kind: 'status', status: 500 },
    );
    const { ctx, logText } = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim), ctx), ctx);
    expect(texts(out)).toEqual(servedTexts(sim));
    expect(new Set(texts(out)).size).toBe(300);
    expect(logText()).toMatch(/retrying log events read/);
  });

  it('indexes an invalid body as it came, marked unparsed, and keeps the events around it', async () => {
    sim = await startPrismaSimulator({ events: 250, longPollMs: 30 });
    sim.faults.push({ kind: 'delay', ms: 0 }, { kind: 'invalid-json' });
    const { ctx, logText } = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim), ctx), ctx);
    const bad = sim.served.slice(100, 200).map((s) => s.event);
    expect(texts(out.slice(100, 200))).toEqual(bad.map(seedStyleInvalid));
    expect(out.slice(100, 200).every((e) => e.source === `${STANZA}:unparsed`)).toBe(true);
    expect(out.slice(100, 200).map((e) => e.time)).toEqual(bad.map((e) => Date.parse(String(e.timestamp)) / 1000));
    expect(texts([...out.slice(0, 100), ...out.slice(200)])).toEqual([...servedTexts(sim).slice(0, 100), ...servedTexts(sim).slice(200)]);
    expect(logText()).toMatch(/body not fully parsed.*unparsed_events=100/);
    expect(logText()).toMatch(/run finished.*unparsed=100/);
  });

  it('indexes the bytes of a body cut off mid-transfer and goes on', async () => {
    sim = await startPrismaSimulator({ events: 150, longPollMs: 30 });
    sim.faults.push({ kind: 'truncate' });
    const { ctx, logText } = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim), ctx), ctx);
    const first = sim.served.slice(0, 100).map((s) => canonical(s.event));
    const parsed = out.filter((e) => !e.source);
    const raw = out.filter((e) => e.source);
    expect(raw).toHaveLength(1);
    expect(first.some((t) => t.startsWith(raw[0].data))).toBe(true);
    expect(texts(parsed)).toEqual([...first.slice(0, parsed.length - 50), ...servedTexts(sim).slice(100)]);
    expect(logText()).toMatch(/connection broke while a body was arriving/);
  });

  it('uses ingest time for an event without a usable timestamp', async () => {
    sim = await startPrismaSimulator({ events: [{ log_type: 'admin_audit', admin_id: 'a@example.com', timestamp: 'n/a' }], longPollMs: 30 });
    const now = Date.UTC(2026, 10, 21, 12, 0, 0);
    const { ctx } = makeCtx(dir, { now: () => now });
    const [ev] = await deliver(collectPrisma(simConfig(sim), ctx), ctx);
    expect(ev.time).toBe(now / 1000);
  });

  it('stops at max_runtime and leaves the rest queued for the next run', async () => {
    sim = await startPrismaSimulator({ events: 500, longPollMs: 30 });
    let clock = 0;
    const { ctx } = makeCtx(dir, { now: () => (clock += 3_000) });
    const out = await deliver(collectPrisma(simConfig(sim, { max_runtime: 10 }), ctx), ctx);
    expect(out.length).toBeGreaterThan(0);
    expect(out.length).toBeLessThan(500);
    expect(sim.stats().queued).toBe(500 - out.length);
  });

  describe.each<CrashPoint>(['before-emit', 'after-flush', 'after-checkpoint'])('crash %s, then a new run', (at) => {
    it('loses nothing; repeats events only when the crash fell between emit and checkpoint', async () => {
      sim = await startPrismaSimulator({ events: 350, longPollMs: 30 });
      const first = makeCtx(dir);
      const before = await deliver(collectPrisma(simConfig(sim), first.ctx), first.ctx, { batch: 2, at });
      expect(await spoolFiles(dir)).toBe(1);
      const second = makeCtx(dir);
      const after = await deliver(collectPrisma(simConfig(sim), second.ctx), second.ctx);
      const all = texts([...before, ...after]);
      expect(new Set(all)).toEqual(new Set(servedTexts(sim)));
      expect(sim.stats()).toMatchObject({ dequeued: 350, queued: 0 });
      const repeated = all.length - new Set(all).size;
      // Only the batch emitted but not yet checkpointed can come twice: that is at-least-once.
      expect(repeated).toBe(at === 'after-flush' ? 100 : 0);
      expect(second.logText()).toMatch(/replaying spooled body/);
      expect(await spoolFiles(dir)).toBe(0);
    });
  });

  it('replays before reading anything new, and keeps replay order', async () => {
    sim = await startPrismaSimulator({ events: 300, longPollMs: 30 });
    const first = makeCtx(dir);
    // Two bodies spooled, neither emitted: a crash during a slow flush with one read ahead.
    const it1 = collectPrisma(simConfig(sim), first.ctx);
    await it1.next();
    const spoolDir = path.join(dir, 'state', 'spool');
    expect(await fsp.readdir(spoolDir)).toHaveLength(1);
    const second = makeCtx(dir);
    const out = await deliver(collectPrisma(simConfig(sim), second.ctx), second.ctx);
    expect(texts(out)).toEqual(servedTexts(sim));
  });
});

describe('RecentHashes and the checkpoint', () => {
  it('keeps the newest entries up to the bound', () => {
    const r = new RecentHashes([], 3);
    for (const h of ['a', 'b', 'c', 'd', 'b']) r.add(h);
    expect(r.list()).toEqual(['c', 'd', 'b']);
    expect(r.has('a')).toBe(false);
    expect(RECENT_HASHES_MAX).toBeGreaterThanOrEqual(200);
  });

  it('reads back what a run saved, and nothing when none was saved', async () => {
    const dir = await tempDir();
    const { ctx } = makeCtx(dir);
    expect(await ctx.checkpoint.load(PRISMA_CHECKPOINT)).toBeUndefined();
    await ctx.checkpoint.save(PRISMA_CHECKPOINT, { version: 1, recent_hashes: ['a', 'b'] });
    expect(await ctx.checkpoint.load(PRISMA_CHECKPOINT)).toEqual({ version: 1, recent_hashes: ['a', 'b'] });
    await fsp.rm(dir, { recursive: true, force: true });
  });
});

describe('a checkpoint the input cannot use', () => {
  let sim: PrismaSimulator | undefined;
  afterEach(async () => { await sim?.stop(); sim = undefined; });

  // Reads dequeue: a state taken as empty would let a replayed spool record through twice, and a
  // run that started anyway would take events off the queue. Refused before the first request.
  it.each([
    ['of another format', { cursor: 5 }, /without a version number in "version"/],
    ['of a newer release', { version: 2, recent_hashes: [], seen: {} }, /version 2, written by a newer release/],
    ['with a hash that is not text', { version: 1, recent_hashes: ['x', 3] }, /\/recent_hashes\/1 must be string/],
    ['with a field this release does not know', { version: 1, recent_hashes: [], cursor: 1 }, /must NOT have additional properties \("cursor"\)/],
  ])('refuses one %s, dequeues nothing and keeps the spool', async (_what, state, why) => {
    sim = await startPrismaSimulator({ events: 40, longPollMs: 30 });
    const dir = await tempDir();
    const first = makeCtx(dir);
    // A crash after the events were emitted, before the checkpoint: a spool record stays behind.
    await deliver(collectPrisma(simConfig(sim), first.ctx), first.ctx, { batch: 1, at: 'after-flush' });
    const spooled = await spoolFiles(dir);
    expect(spooled).toBe(1);
    const queued = sim.stats().queued;
    const file = writeRawCheckpoint(path.join(dir, 'checkpoints'), STANZA, state);
    const second = makeCtx(dir);
    const e = await collectPrisma(simConfig(sim), second.ctx).next().then(() => undefined, (err: unknown) => err);
    expect(e).toBeInstanceOf(CheckpointCorruptError);
    const message = (e as Error).message;
    expect(message).toContain(STANZA);
    expect(message).toContain(file);
    expect(message).toMatch(why);
    expect(message).toMatch(/To start over as on its first run, move .* aside/);
    expect(sim.stats().queued).toBe(queued);
    expect(await spoolFiles(dir)).toBe(spooled);
    await fsp.rm(dir, { recursive: true, force: true });
  });
});
