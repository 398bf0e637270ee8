/**
 * Drains the Prisma SaaS log-events queue. Order of every step, and why:
 *
 *   dequeue (GET) → spool append + fsync → emit → sink flush → checkpoint (hashes) → unspool
 *
 * - killed before the spool write completes: the body is lost with the process, as it would be
 *   with a connection reset during the answer; the window is the time of one write + fsync.
 * - killed after the spool write, before the checkpoint: the next start replays the record; its
 *   hashes are not in the checkpoint, so every event is emitted (none lost). Events that already
 *   reached splunkd in that window are emitted again: that is the at-least-once window, as
 *   narrow as one sink flush.
 * - killed after the checkpoint, before the unspool: the record is replayed, every hash is in
 *   the checkpoint, nothing is emitted twice, the record is removed.
 *
 * The hash set is consulted only for replayed records. Fresh bodies come from a destructive
 * queue and cannot repeat what was delivered, while two genuinely identical events (same user,
 * same file, same second) must both be indexed.
 */
import * as path from 'node:path';
import type { TypedConfig } from '../../core/description';
import { ConfigError } from '../../core/errors';
import type { Batch, HttpClient, OutEvent, RetryPolicy, SourceContext } from '../../core/types';
import { BULK_PATH, LONG_POLL_MS, pollOnce, prismaBaseUrl, SINGLE_PATH, TokenManager } from './client';
import { failpoint } from './failpoint';
import { eventHash, parseBody, ParsedEvent } from './parse';
import { PRISMA_CHECKPOINT, type PrismaCheckpoint } from './checkpoint';
import { Spool, SpoolRecord } from './spool';

export const SOURCETYPE = 'pan:prisma_saas';

export type { PrismaCheckpoint } from './checkpoint';

/**
 * Only the batches whose spool record may survive a crash need to be covered: one in flight,
 * so this bound (20 full bulk bodies) is generous and keeps the checkpoint small (~40 KB).
 */
export const RECENT_HASHES_MAX = 2000;

/** Single mode delivers at most this many events, or this much time's worth, per batch. */
const GROUP_MAX_EVENTS = 100;
const GROUP_MAX_MS = 1000;

export interface PrismaConfig extends TypedConfig {
  region?: string;
  base_url?: string;
  client_id: string;
  client_secret: string;
  api_mode?: string;
  max_runtime?: number;
  max_depth?: number;
  timeout?: number;
}

export interface RunCounters {
  bodies: number;
  events: number;
  unparsed: number;
  replayed_records: number;
  replayed_events: number;
  duplicates_skipped: number;
  partial_bodies: number;
  tokens: number;
}

export class RecentHashes {
  private readonly set = new Set<string>();
  constructor(initial: readonly string[], private readonly max = RECENT_HASHES_MAX) {
    for (const h of initial) this.add(h);
  }
  has(h: string): boolean {
    return this.set.has(h);
  }
  add(h: string): void {
    this.set.delete(h);
    this.set.add(h);
    while (this.set.size > this.max) this.set.delete(this.set.values().next().value as string);
  }
  list(): string[] {
    return [...this.set];
  }
}

export function makeDataHttp(config: PrismaConfig, ctx: SourceContext, timeoutMs: number): HttpClient {
  return ctx.makeHttp({
    baseUrl: prismaBaseUrl(config),
    timeoutMs,
    keepAliveTimeoutMs: LONG_POLL_MS * 3,
  });
}

export function makeTokens(
  config: PrismaConfig, ctx: SourceContext, http: HttpClient, timeoutMs: number, retry?: Partial<RetryPolicy>,
): TokenManager {
  return new TokenManager({
    ...(retry ? { retry } : {}),
    http,
    clientId: config.client_id,
    clientSecret: config.client_secret,
    now: () => ctx.now(),
    log: ctx.log,
    stanza: ctx.stanza,
    timeoutMs,
  });
}

export async function* collectPrisma(config: PrismaConfig, ctx: SourceContext): AsyncGenerator<Batch<PrismaCheckpoint>> {
  const startedMs = ctx.now();
  const deadline = startedMs + (config.max_runtime ?? 240) * 1000;
  // Before anything is dequeued: a checkpoint refused here loses no event.
  const saved = await ctx.checkpoint.load(PRISMA_CHECKPOINT, startedMs);
  const recent = new RecentHashes(saved?.recent_hashes ?? []);
  const spool = new Spool(path.join(ctx.stateDir, 'spool'));
  await spool.open();
  const counters: RunCounters = {
    bodies: 0, events: 0, unparsed: 0, replayed_records: 0, replayed_events: 0,
    duplicates_skipped: 0, partial_bodies: 0, tokens: 0,
  };

  /** One batch for one or more spooled bodies; `committed` removes exactly those records. */
  const toBatch = (group: { record: SpoolRecord; events: ParsedEvent[] }[]): Batch<PrismaCheckpoint> => {
    const out: OutEvent[] = [];
    for (const { record, events } of group) {
      for (const e of events) {
        const ev: OutEvent = { time: e.time ?? record.receivedMs / 1000, data: e.text, sourcetype: SOURCETYPE };
        if (e.unparsed) ev.source = `${ctx.stanza}:unparsed`;
        out.push(ev);
        recent.add(eventHash(e.text));
      }
    }
    return {
      events: out,
      checkpoint: { version: 1, recent_hashes: recent.list() },
      committed: async () => {
        failpoint('prisma-before-unspool');
        for (const { record } of group) await spool.remove(record);
      },
    };
  };

  const parse = (record: SpoolRecord): ParsedEvent[] => {
    const parsed = parseBody(record.body, config.max_depth);
    // Raw text is indexed as the vendor sent it, but never with a secret the vendor echoed.
    for (const e of parsed.events) if (e.unparsed) e.text = ctx.http.redact(e.text);
    const unparsed = parsed.events.filter((e) => e.unparsed).length;
    counters.unparsed += unparsed;
    if (parsed.problem || record.damage) {
      // The raw text is indexed (source ends in ":unparsed"); the log says why, never the body.
      ctx.log.warn('prisma: body not fully parsed; unparsed parts indexed as received', {
        problem: parsed.problem, damage: record.damage, bytes: record.body.length, unparsed_events: unparsed,
        parsed_events: parsed.events.length - unparsed, record: record.id,
      });
    }
    return parsed.events;
  };

  for (const record of await spool.pending()) {
    counters.replayed_records++;
    const events = parse(record);
    const fresh = events.filter((e) => !recent.has(eventHash(e.text)));
    counters.duplicates_skipped += events.length - fresh.length;
    counters.replayed_events += fresh.length;
    ctx.log.info('prisma: replaying spooled body from an interrupted run', {
      record: record.id, events: events.length, already_delivered: events.length - fresh.length,
    });
    if (fresh.length === 0) {
      await spool.remove(record);
      continue;
    }
    counters.events += fresh.length;
    yield toBatch([{ record, events: fresh }]);
  }

  if (ctx.signal.aborted) return;
  const dataTimeoutMs = Math.max((config.timeout ?? 60) * 1000, LONG_POLL_MS + 15_000);
  const tokenTimeoutMs = Math.min((config.timeout ?? 60) * 1000, 30_000);
  const http = makeDataHttp(config, ctx, dataTimeoutMs);
  const tokens = makeTokens(config, ctx, http, tokenTimeoutMs);
  const apiPath = config.api_mode === 'single' ? SINGLE_PATH : BULK_PATH;
  let stopReason = 'max_runtime reached';
  // Single mode returns one event per call. Each body is still spooled (and fsynced) as it
  // arrives, but bodies are delivered in groups, so the sink flush and checkpoint save are paid
  // once per group instead of once per event.
  const grouping = config.api_mode === 'single';
  let group: { record: SpoolRecord; events: ParsedEvent[] }[] = [];
  let groupEvents = 0;
  let groupStarted = 0;
  const takeGroup = () => {
    const g = group;
    group = [];
    groupEvents = 0;
    return toBatch(g);
  };
  try {
    // An in-flight read is never aborted: the service dequeues before it answers, so cutting
    // the connection could throw away a body. Stop requests are honoured between reads.
    while (true) {
      if (ctx.signal.aborted) { stopReason = 'stopped'; break; }
      if (ctx.now() >= deadline) break;
      let poll: Awaited<ReturnType<typeof pollOnce>>;
      try {
        poll = await pollOnce({
          http, tokens, path: apiPath, stanza: ctx.stanza, log: ctx.log,
          now: () => ctx.now(), sleep: (ms) => sleep(ms, ctx.signal),
          timeoutMs: dataTimeoutMs, deadline: () => deadline, signal: ctx.signal,
        });
      } catch (e) {
        // Bodies already in hand go out before the run stops (the spool would replay them anyway).
        if (group.length) yield takeGroup();
        throw e;
      }
      if (poll.kind === 'empty') { stopReason = 'queue empty (204)'; break; }
      if (poll.kind === 'stopped') { stopReason = 'stopped'; break; }
      let record: SpoolRecord;
      try {
        record = await spool.append(poll.body, poll.receivedMs);
      } catch (e) {
        // The service already dequeued this body, so memory holds its only copy: deliver it
        // (and what is in hand) before stopping, rather than lose it to a full or read-only disk.
        const code = (e as NodeJS.ErrnoException).code ?? 'error';
        const unspooled = { id: `unspooled-${poll.receivedMs}`, body: poll.body, receivedMs: poll.receivedMs };
        const events = parse(unspooled);
        counters.events += events.length;
        if (group.length) yield takeGroup();
        if (events.length) yield toBatch([{ record: unspooled, events }]);
        throw new ConfigError(`${ctx.stanza}: cannot write the spool file in ${spool.dir} (${code}); the body in hand was delivered without it and the run stopped. Free disk space or make the directory writable by the user Splunk runs as.`);
      }
      failpoint('prisma-after-spool');
      counters.bodies++;
      if (poll.kind === 'partial') {
        counters.partial_bodies++;
        ctx.log.warn('prisma: connection broke while a body was arriving; indexing the bytes received', {
          bytes: poll.body.length, error: poll.error,
        });
        record.damage = `connection broke after ${poll.body.length} bytes`;
      }
      const events = parse(record);
      counters.events += events.length;
      if (events.length === 0) {
        await spool.remove(record);
        continue;
      }
      if (!grouping) {
        yield toBatch([{ record, events }]);
        continue;
      }
      if (!group.length) groupStarted = ctx.now();
      group.push({ record, events });
      groupEvents += events.length;
      if (groupEvents >= GROUP_MAX_EVENTS || ctx.now() - groupStarted >= GROUP_MAX_MS) yield takeGroup();
    }
    if (group.length) yield takeGroup();
  } finally {
    counters.tokens = tokens.fetched;
    await http.close().catch(() => undefined);
    ctx.log.info('prisma: run finished', { reason: stopReason, seconds: Math.round((ctx.now() - startedMs) / 1000), ...counters });
  }
}

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const t = setTimeout(done, ms);
    function done() {
      clearTimeout(t);
      signal.removeEventListener('abort', done);
      resolve();
    }
    signal.addEventListener('abort', done, { once: true });
  });
}
