/**
 * Collects PCE events window by window and yields them in timestamp order.
 *
 * Window: from the checkpoint minus OVERLAP (late arrivals: the PCE can index an event after a
 * run already read past its timestamp) to now minus LAG (events still being written), cut into
 * CHUNK-long slices so a long first run checkpoints as it goes.
 *
 * Completeness: a page that comes back with max_results events is never trusted (which events a
 * capped page holds is undocumented). The slice is then fetched with the asynchronous GET
 * collection, whose datafile holds every match; when the PCE cannot run the job (older PCE,
 * job failed or cancelled, datafile broken twice) the slice is halved and each half fetched
 * again, down to single milliseconds.
 *
 * Order: the PCE documents no order, so a slice is gathered whole into a WindowBuffer (memory,
 * spilling to a spool file past 5 000 events) and read back sorted by timestamp. That keeps
 * memory flat for a 200 000-event datafile without re-querying sub-windows.
 *
 * Exactly-once as far as the API allows: the checkpoint keeps the newest hrefs (with their
 * timestamps) of the last OVERLAP, at most RECENT_MAX; the next run skips those. If more than
 * RECENT_MAX events fall in the overlap, the next window starts just after the newest timestamp that had
 * to be dropped (`dedup_from`), so the overlap never re-reads events the set cannot filter.
 * Inside a slice a checkpoint rides on every `checkpointEvery` events: a run killed between two
 * of them has written up to that many events that the next run sends again (at-least-once).
 *
 * event_types: the API takes one event_type per request, so the collector asks once per type
 * and merges the answers in the slice's buffer: the PCE does the filtering and nothing unwanted
 * crosses the network. Severity is one server-side parameter.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { boundDepth, DEFAULT_MAX_DEPTH } from '../../core/bounds';
import { bytesEvent } from '../../core/event-bytes';
import { JSON_EVENT_TRUNCATE } from '../../core/knowledge/limits';
import { vendorText } from '../../core/log/redact';
import { ProtocolError, TransientError } from '../../core/errors';
import { rereads, retryLoop } from '../../core/http/retry';
import { parseStartDate } from '../../core/time';
import type { Batch, OutEvent, SourceContext } from '../../core/types';
import { WindowBuffer, type Held } from './buffer';
import { ILLUMIO_EVENTS_CHECKPOINT, type IllumioCheckpoint } from './checkpoint';
import { AsyncUnavailable, PceClient, pceSettings, type EventQuery } from './client';
import { createEventValidator, type EventValidator } from './schema';

export interface IllumioConfig {
  pce_url: string;
  org_id: number;
  api_key_id: string;
  api_secret: string;
  start_date?: string;
  max_results?: number;
  max_depth?: number;
  event_types?: string[];
  severity?: string;
  /** Seconds re-read before the checkpoint (late arrivals, PCE clock behind). */
  overlap?: number;
}

export type { IllumioCheckpoint } from './checkpoint';

export interface CollectorTuning {
  overlapMs: number;
  lagMs: number;
  chunkMs: number;
  batchSize: number;
  /** Events between checkpoints inside a window (a multiple of batchSize makes sense). */
  checkpointEvery: number;
  recentMax: number;
  memoryLimit: number;
  pollSleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  maxJobMs?: number;
}

export const DEFAULT_TUNING: CollectorTuning = {
  overlapMs: 5 * 60_000,
  lagMs: 30_000,
  chunkMs: 6 * 3600_000,
  batchSize: 1000,
  checkpointEvery: 5000,
  recentMax: 10_000,
  memoryLimit: 5000,
};

const DOWNLOAD_ATTEMPTS = 2;
const PAGE_ATTEMPTS = 3;
const SHOWN_REASONS = 5;
/**
 * Most UTF-8 bytes kept of a record that is not JSON: TRUNCATE of illumio:pce:event (props.conf
 * counts bytes), so Splunk indexes all that is kept. Redaction reads a little more than is kept,
 * so a secret that straddles the cut is still found before it is cut in half.
 */
export const RAW_MAX = JSON_EVENT_TRUNCATE;
const RAW_REDACT_MARGIN = 4096;

/** `text` cut to at most `max` UTF-8 bytes, never inside a character. */
export function clipUtf8(text: string, max: number): string {
  // A UTF-16 unit is at most 3 bytes, so a string of max/3 units always fits.
  if (text.length * 3 <= max || Buffer.byteLength(text) <= max) return text;
  const b = Buffer.from(text.slice(0, max), 'utf8').subarray(0, max);
  let end = b.length;
  // Back off a partial sequence: continuation bytes, then the lead byte they belong to.
  let k = end;
  while (k > 0 && (b[k - 1] & 0xc0) === 0x80) k--;
  if (k > 0 && b[k - 1] >= 0xc0) {
    const lead = b[k - 1];
    const need = lead >= 0xf0 ? 4 : lead >= 0xe0 ? 3 : 2;
    if (end - (k - 1) < need) end = k - 1;
  }
  return b.subarray(0, end).toString('utf8');
}

/** Stats of one run, logged at its end. */
export interface RunStats {
  pages: number;
  asyncJobs: number;
  /** Records whose nesting went past max_depth (cut there). */
  deepCut: number;
  splits: number;
  emitted: number;
  duplicates: number;
  invalid: number;
  /** Elements that were not JSON, indexed raw under `source=<stanza>:unparsed`. */
  unparsed: number;
  reasons: Map<string, number>;
}

/**
 * Tracks what was delivered near the checkpoint and produces the checkpoint state. Pruned in
 * place: rebuilding a 10 000-entry map per checkpoint promoted megabytes of garbage per save.
 */
export class Recent {
  private map = new Map<string, number>();
  lastMs: number;
  dedupFromMs: number;

  constructor(cp: IllumioCheckpoint | undefined, startMs: number, private readonly t: CollectorTuning) {
    this.lastMs = cp ? Date.parse(cp.last_timestamp) : startMs - 1;
    this.dedupFromMs = cp ? Date.parse(cp.dedup_from) : startMs;
    cp?.recent_hrefs.forEach((k, i) => this.map.set(k, cp.recent_ts[i]));
  }

  /** Where the next window starts. */
  windowStart(): number {
    return Math.min(Math.max(this.lastMs - this.t.overlapMs, this.dedupFromMs), this.lastMs + 1);
  }

  has(key: string): boolean {
    return this.map.has(key);
  }

  add(key: string, ts: number): void {
    this.map.set(key, Number.isNaN(ts) ? this.lastMs : ts);
  }

  /** Moves the checkpoint to `lastMs` (never backwards) and prunes the set. */
  checkpoint(lastMs: number): IllumioCheckpoint {
    this.lastMs = Math.max(this.lastMs, lastMs);
    let floor = this.lastMs - this.t.overlapMs;
    const map = this.map;
    if (map.size > this.t.recentMax) {
      // Keep the newest recentMax (ties at the cut are kept too); the window may then start no
      // earlier than just after the newest timestamp that had to go.
      const all = new Float64Array(map.size);
      let i = 0;
      map.forEach((ts) => { all[i++] = ts; });
      all.sort();
      const cut = all[all.length - this.t.recentMax];
      if (cut > floor) {
        let dropped = -Infinity;
        for (let j = all.length - this.t.recentMax - 1; j >= 0; j--) if (all[j] < cut) { dropped = all[j]; break; }
        if (dropped >= floor) this.dedupFromMs = Math.max(this.dedupFromMs, dropped + 1);
        floor = cut;
      }
    }
    map.forEach((ts, k) => { if (ts < floor) map.delete(k); });
    this.dedupFromMs = Math.max(this.dedupFromMs, this.lastMs - this.t.overlapMs);
    const hrefs: string[] = new Array<string>(map.size);
    const tss: number[] = new Array<number>(map.size);
    let i = 0;
    map.forEach((ts, k) => { hrefs[i] = k; tss[i] = ts; i++; });
    return {
      version: 1,
      last_timestamp: new Date(this.lastMs).toISOString(),
      dedup_from: new Date(this.dedupFromMs).toISOString(),
      recent_hrefs: hrefs,
      recent_ts: tss,
    };
  }
}

/** Spools of a run that was killed; splunkd never runs two instances of one stanza at once. */
function removeStaleSpools(ctx: SourceContext): void {
  let names: string[] = [];
  try {
    names = fs.readdirSync(ctx.stateDir);
  } catch {
    return;
  }
  for (const f of names) {
    if (/^window-.*\.spool$/.test(f)) fs.rmSync(path.join(ctx.stateDir, f), { force: true });
  }
}

export function eventTime(e: unknown): number {
  if (!e || typeof e !== 'object') return NaN;
  const o = e as { timestamp?: unknown; time?: unknown };
  // Some PCE versions call the field `time` (seen in syslog and older API answers).
  const t = typeof o.timestamp === 'string' ? o.timestamp : typeof o.time === 'string' ? o.time : undefined;
  return t === undefined ? NaN : Date.parse(t);
}

export class Collector {
  readonly stats: RunStats = { deepCut: 0, pages: 0, asyncJobs: 0, splits: 0, emitted: 0, duplicates: 0, invalid: 0, unparsed: 0, reasons: new Map() };
  private readonly validate: EventValidator = createEventValidator();
  private readonly client: PceClient;
  private readonly maxResults: number;
  private readonly t: CollectorTuning;
  private asyncRefusals = 0;

  constructor(private readonly config: IllumioConfig, private readonly ctx: SourceContext, tuning: Partial<CollectorTuning> = {}) {
    this.t = { ...DEFAULT_TUNING, ...(config.overlap !== undefined ? { overlapMs: config.overlap * 1000 } : {}), ...tuning };
    this.maxResults = config.max_results ?? 10_000;
    this.client = new PceClient(ctx.http, pceSettings(config, ctx));
  }

  async *run(): AsyncGenerator<Batch<IllumioCheckpoint>> {
    const { ctx } = this;
    removeStaleSpools(ctx);
    const now = ctx.now();
    const cp = await ctx.checkpoint.load(ILLUMIO_EVENTS_CHECKPOINT, now);
    const firstStart = parseStartDate(this.config.start_date ?? '-24h', now) ?? now - 86_400_000;
    const recent = new Recent(cp, firstStart, this.t);
    const start = cp ? recent.windowStart() : firstStart;
    const end = now - this.t.lagMs;
    if (end < start) return;
    ctx.log.info(`${ctx.stanza}: collecting events from ${new Date(start).toISOString()} to ${new Date(end).toISOString()}${cp ? '' : ' (first run)'}`);
    try {
      for (let a = start; a <= end; a += this.t.chunkMs) {
        const b = Math.min(end, a + this.t.chunkMs - 1);
        const buf = new WindowBuffer(ctx.stateDir, this.t.memoryLimit);
        try {
          for (const type of this.config.event_types?.length ? this.config.event_types : [undefined]) {
            await this.gather({ gte: a, lte: b, eventType: type, severity: this.config.severity }, buf);
          }
          yield* this.emit(buf, b, recent);
        } finally {
          buf.close();
        }
        if (ctx.signal.aborted) return;
      }
    } catch (e) {
      if (e instanceof TransientError) {
        throw new TransientError(`${e.message} ${this.stats.emitted} events were delivered in this run; the checkpoint stays at ${new Date(recent.lastMs).toISOString()}.`, e.status, { cause: e });
      }
      throw e;
    } finally {
      this.logSummary();
    }
  }

  /**
   * Sorted events of a slice in batches; a checkpoint rides on every batch that completes
   * `checkpointEvery` events (saving ~10 000 hrefs is not free), and on the last one of the slice.
   */
  private *emit(buf: WindowBuffer, sliceEnd: number, recent: Recent): Generator<Batch<IllumioCheckpoint>> {
    let events: OutEvent[] = [];
    let lastTs = -Infinity;
    let sinceCheckpoint = 0;
    for (const h of buf.sorted()) {
      if (recent.has(h.key)) { this.stats.duplicates++; continue; }
      // A record without a usable time is remembered at the slice's end, so the next run's
      // overlap (which reads it again) finds it in the set.
      recent.add(h.key, Number.isNaN(h.ts) ? sliceEnd : h.ts);
      // A spooled record's text is never decoded on the way to the XML stream.
      const ev: OutEvent = h.bytes ? bytesEvent(h.bytes, h.printable) : { data: h.data };
      if (h.raw) ev.source = `${this.ctx.stanza}:unparsed`;
      if (!Number.isNaN(h.ts)) { ev.time = h.ts / 1000; lastTs = h.ts; }
      events.push(ev);
      if (events.length >= this.t.batchSize) {
        this.stats.emitted += events.length;
        sinceCheckpoint += events.length;
        if (sinceCheckpoint >= this.t.checkpointEvery) {
          sinceCheckpoint = 0;
          // Events sharing lastTs may still follow; the next window re-reads them and the set filters.
          yield { events, checkpoint: recent.checkpoint(lastTs) };
        } else {
          yield { events };
        }
        events = [];
      }
    }
    this.stats.emitted += events.length;
    yield { events, checkpoint: recent.checkpoint(sliceEnd) };
  }

  /** Everything matching q into buf: page, else async, else halves. */
  private async gather(q: EventQuery, buf: WindowBuffer): Promise<void> {
    const mark = buf.size;
    const count = await this.pageWithRetry(q, buf);
    // A full page proves nothing about completeness; the whole slice is fetched again below.
    if (count < this.maxResults) return;
    try {
      // After two refusals in a run the PCE is taken not to do async collections; halving is enough.
      if (this.asyncRefusals >= 2) throw new AsyncUnavailable('it failed twice already in this run');
      await this.viaAsync(q, buf);
      return;
    } catch (e) {
      if (!(e instanceof AsyncUnavailable)) throw e;
      this.asyncRefusals++;
      buf.truncate(mark);
      if (q.lte <= q.gte) {
        throw new TransientError(`${this.ctx.stanza}: more than ${this.maxResults} events share the millisecond ${new Date(q.gte).toISOString()} and the asynchronous collection is not available (${e.message}).`);
      }
      this.ctx.log.warn(`${this.ctx.stanza}: asynchronous collection unavailable (${e.message}); splitting ${new Date(q.gte).toISOString()}..${new Date(q.lte).toISOString()} in two.`);
    }
    this.stats.splits++;
    const mid = Math.floor((q.gte + q.lte) / 2);
    await this.gather({ ...q, lte: mid }, buf);
    await this.gather({ ...q, gte: mid + 1 }, buf);
  }

  /**
   * Reads a page. Its elements are kept as text until the page is known not to be capped, so a
   * full page (fetched again through the async collection) costs a byte scan, not a parse. (Values
   * parsed here were tried for issue 16: a full page of them on the heap raised the old
   * generation's next collection point and the run's peak RSS by 30 MB.)
   */
  private async pageWithRetry(q: EventQuery, buf: WindowBuffer): Promise<number> {
    let last: Error | undefined;
    return retryLoop<number>(async () => {
      const texts: string[] = [];
      const compact: boolean[] = [];
      const depths: number[] = [];
      try {
        const { count } = await this.client.page(q, this.maxResults, (text, c, d) => { texts.push(text); compact.push(c); depths.push(d); }, this.ctx.signal);
        this.stats.pages++;
        if (count < this.maxResults) texts.forEach((t, i) => buf.add(this.hold(t, compact[i], depths[i])));
        return { done: count };
      } catch (e) {
        // A body cut off or garbled in transit is worth another read; the HTTP client already
        // retried statuses and connection failures.
        if (!(e instanceof ProtocolError || (e instanceof TransientError && e.status === undefined))) throw e;
        last = e;
        return { again: e.message };
      }
    }, {
      policy: rereads(PAGE_ATTEMPTS),
      onRetry: (r) => this.ctx.log.warn(`${r.why} Reading the page again (attempt ${r.attempt + 1} of ${PAGE_ATTEMPTS}).`),
      giveUp: () => (last instanceof ProtocolError ? new TransientError(last.message) : last!),
    });
  }

  /**
   * An element the splitter delimited but JSON.parse refuses: reading it again would fail the
   * same way every run, so it is indexed as received (redacted, then clipped) and the run goes on.
   * Its time is read the way a human would, so it dedups like any event in the next overlap.
   */
  private rawRecord(text: string): Held {
    this.stats.unparsed++;
    if (this.stats.unparsed <= SHOWN_REASONS) {
      this.ctx.log.warn(`${this.ctx.stanza}: the PCE sent an array element that is not JSON (${text.length} characters starting ${vendorText(text.slice(0, 64 * 1024), (t) => this.ctx.http.redact(t), 60)}); indexed as received.`);
    }
    const redacted = this.ctx.http.redact(text.length > RAW_MAX ? text.slice(0, RAW_MAX + RAW_REDACT_MARGIN) : text);
    const data = clipUtf8(redacted, RAW_MAX);
    const m = /"(?:timestamp|time)"\s*:\s*"([^"]{1,64})"/.exec(data.slice(0, 64 * 1024));
    return { ts: m ? Date.parse(m[1]) : NaN, key: `sha1:${createHash('sha1').update(data).digest('hex')}`, data, raw: true };
  }

  private async viaAsync(q: EventQuery, buf: WindowBuffer): Promise<void> {
    const { ctx } = this;
    const { job, retryAfterMs } = await this.client.startAsync(q, ctx.signal);
    this.stats.asyncJobs++;
    const datafile = await this.client.waitForJob(job, retryAfterMs, { signal: ctx.signal, sleep: this.t.pollSleep, maxJobMs: this.t.maxJobMs });
    const mark = buf.size;
    await retryLoop<void>(async () => {
      try {
        const n = await this.client.download(datafile, (text, compact, depth, value, bytes, printable) => buf.add(this.hold(text, compact, depth, value, bytes, printable)), ctx.signal);
        ctx.log.info(`${ctx.stanza}: async collection ${new Date(q.gte).toISOString()}..${new Date(q.lte).toISOString()}${q.eventType ? ` (${q.eventType})` : ''}: ${n} events`);
        return { done: undefined };
      } catch (e) {
        buf.truncate(mark);
        if (!(e instanceof ProtocolError || e instanceof TransientError)) throw e;
        return { again: e.message };
      }
    }, {
      policy: rereads(DOWNLOAD_ATTEMPTS),
      onRetry: (r) => ctx.log.warn(`${r.why} Downloading the datafile again.`),
      giveUp: (g) => new AsyncUnavailable(`the datafile could not be read: ${g.why}`),
    });
  }

  /**
   * Parses, checks and keys one element. Compact text is indexed as received (no re-encoding).
   * `depth` is the element's nesting as the splitter counted it (no second scan of the text);
   * `parsed`, its value when the splitter parsed it already; `bytes`, the element as received.
   */
  private hold(text: string, compact: boolean, depth: number, parsed?: unknown, bytes?: Buffer, printable = false): Held {
    let e = parsed;
    if (e === undefined) {
      try {
        e = JSON.parse(text);
      } catch {
        return this.rawRecord(text);
      }
    }
    const maxDepth = this.config.max_depth ?? DEFAULT_MAX_DEPTH;
    if (depth > maxDepth) {
      // Re-encoding (or validating) a record nested thousands deep overflows the stack and
      // would fail every run at this record; its deep part is cut, the record still indexed.
      e = boundDepth(e, maxDepth).value;
      compact = false;
      this.stats.deepCut++;
    }
    if (!this.validate(e)) {
      this.stats.invalid++;
      const why = this.validate.lastError();
      this.stats.reasons.set(why, (this.stats.reasons.get(why) ?? 0) + 1);
    }
    const data = compact ? text : JSON.stringify(e);
    const href = e && typeof e === 'object' ? (e as { href?: unknown }).href : undefined;
    const key = typeof href === 'string' && href ? href : `sha1:${createHash('sha1').update(data).digest('hex')}`;
    const h: Held = { ts: eventTime(e), key, data };
    // Indexed as received: its bytes go to the spool and the XML stream without a re-encoding.
    if (compact && bytes) {
      h.bytes = bytes;
      if (printable) h.printable = true;
    }
    return h;
  }

  private logSummary(): void {
    const s = this.stats;
    const { ctx } = this;
    ctx.log.info(`${ctx.stanza}: ${s.emitted} events delivered, ${s.duplicates} overlap duplicates skipped, ${s.pages} pages, ${s.asyncJobs} async jobs, ${s.splits} window splits`);
    if (s.deepCut) {
      ctx.log.warn(`${ctx.stanza}: ${s.deepCut} events were nested deeper than max_depth (${this.config.max_depth ?? DEFAULT_MAX_DEPTH}); the deeper parts were replaced by a marker and the events indexed. Raise max_depth if such nesting is expected.`);
    }
    if (s.unparsed) {
      ctx.log.warn(`${ctx.stanza}: ${s.unparsed} records were not JSON and were set aside: indexed as received (secrets redacted, at most ${RAW_MAX} bytes each, the sourcetype's TRUNCATE) with source=${ctx.stanza}:unparsed; the checkpoint moved past them.`);
    }
    if (s.invalid) {
      const reasons = [...s.reasons].sort((a, b) => b[1] - a[1]).slice(0, SHOWN_REASONS).map(([r, n]) => `${r} (${n})`).join('; ');
      ctx.log.warn(`${ctx.stanza}: ${s.invalid} events did not match the PCE event schema (version 2) and were indexed as received. Most frequent: ${reasons}.`);
    }
  }
}
