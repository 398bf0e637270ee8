/**
 * The traffic-flow engine behind the coming `illumio_pce_traffic` input (sourcetype
 * `illumio:pce:flow`): Explorer asynchronous traffic queries, one per time window.
 *
 * Windows: from the checkpoint minus OVERLAP (VENs report flow summaries minutes late, and a
 * flow's aggregate is written when its summary arrives) to now minus LAG, cut into WINDOW-long
 * slices, each half-open [a, b). A flow belongs to the slice holding its `last_detected`; flows
 * the PCE returns outside it (the guide does not say whether a window matches flows by overlap
 * or by last sighting) are left to the slice they belong to, so each is read exactly once however
 * the PCE matches.
 *
 * Completeness: a completed query whose `matches_count` exceeds its `flows_count` was cut at
 * max_results. Its results are not read; it is deleted and the slice is split into pieces sized
 * from the ratio, recursively, down to MIN_WINDOW_MS, where the run stops with an error naming
 * the scopes to narrow. Nothing is ever dropped silently.
 *
 * Memory: results are read from the response stream chunk by chunk (JSON array through
 * JsonArraySplitter, or NDJSON lines) and handed to the runtime in batches of BATCH_SIZE, so a
 * 200 000-flow download holds one batch and one chunk's elements, never the whole result.
 *
 * Delivery: the checkpoint (the events collector's shape and Recent set, with flow keys in place
 * of hrefs) moves after each slice's last batch; flows already delivered in the overlap are
 * skipped by their key. A run killed mid-slice sends that slice again (at-least-once, deduped).
 *
 * Query lifecycle: POST → poll the href (Retry-After honoured, each wait capped, the whole wait
 * bounded; past it the query is cancelled with PUT and the run stops) → completed: download then
 * DELETE; failed or killed: DELETE, and the run stops with an error; the checkpoint stays before
 * that slice, so the next run asks again. A download that breaks off is deleted too (the next
 * run asks anew). Every query created is noted in the stanza's state dir until it is deleted, so
 * one a run could not delete (the PCE refusing, the process killed) is deleted by the next run.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { AuthError, ConfigError, ProtocolError, TransientError } from '../../core/errors';
import { abortableSleep, pollWait } from '../../core/http/retry';
import { boundDepth, DEFAULT_MAX_DEPTH, jsonDepth } from '../../core/bounds';
import { vendorText } from '../../core/log/redact';
import { parseStartDate } from '../../core/time';
import type { Batch, HttpRequest, HttpResponse, OutEvent, SourceContext } from '../../core/types';
import { apiBase, keyHome, PceClient, pceSettings } from './client';
import { ILLUMIO_TRAFFIC_CHECKPOINT } from './checkpoint';
import { clipUtf8, DEFAULT_TUNING, RAW_MAX, Recent, type IllumioCheckpoint } from './collector';
import { JsonArraySplitter } from './jsonarray';
import { FLOW_SOURCETYPE, TRAFFIC_MAX_RESULTS, trafficQueryTemplate, type TrafficConfig } from './traffic-query';

export { FLOW_SOURCETYPE, parseService, POLICY_DECISIONS, TRAFFIC_MAX_RESULTS, trafficQueryTemplate, type PolicyDecision, type TrafficConfig } from './traffic-query';

/** Same shape as the events checkpoint; `recent_hrefs` holds flow keys. */
export type TrafficCheckpoint = IllumioCheckpoint;

export interface TrafficTuning {
  overlapMs: number;
  lagMs: number;
  windowMs: number;
  minWindowMs: number;
  batchSize: number;
  recentMax: number;
  /** First wait when the PCE sends no Retry-After; doubles up to maxPollMs. */
  firstPollMs: number;
  /** Longest single wait between polls, whatever Retry-After says. */
  maxPollMs: number;
  /** Total waiting for one query before it is cancelled. */
  maxJobMs: number;
  sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
}

export const DEFAULT_TRAFFIC_TUNING: TrafficTuning = {
  overlapMs: 15 * 60_000,
  lagMs: 10 * 60_000,
  windowMs: 3600_000,
  minWindowMs: 1000,
  batchSize: 1000,
  recentMax: 20_000,
  firstPollMs: 2000,
  maxPollMs: 30_000,
  maxJobMs: 30 * 60_000,
  sleep: abortableSleep,
};

const MAX_SPLIT = 64;
const MAX_LINE_BYTES = 4 << 20;

export interface TrafficStats {
  queries: number;
  truncated: number;
  emitted: number;
  duplicates: number;
  outside: number;
  invalid: number;
  /** Elements that were not JSON, indexed raw under `source=<stanza>:unparsed`. */
  unparsed: number;
  /** Flows nested deeper than DEFAULT_MAX_DEPTH (cut there). */
  deepCut: number;
  deleted: number;
  /** Largest number of flows held at once (current batch plus a chunk's parsed elements). */
  peakBuffered: number;
  /** The waits between polls, as slept (ms). */
  waits: number[];
}

interface QueryView {
  status?: string;
  href?: string;
  result?: string;
  matches_count?: number;
  flows_count?: number;
}

/** A stable identity for a flow aggregate: the same record read twice gives the same key. */
export function flowKey(f: Record<string, unknown>): string {
  const ep = (x: unknown) => {
    const o = (x ?? {}) as { ip?: unknown; workload?: { href?: unknown } };
    return [o.ip ?? null, o.workload?.href ?? null];
  };
  const s = (f.service ?? {}) as Record<string, unknown>;
  const t = (f.timestamp_range ?? {}) as Record<string, unknown>;
  // num_connections and last_detected are in the key: a flow seen again later is a new record.
  const parts = [ep(f.src), ep(f.dst), s.port ?? null, s.to_port ?? null, s.proto ?? null, s.process_name ?? null, s.windows_service_name ?? null,
    f.policy_decision ?? null, t.first_detected ?? null, t.last_detected ?? null, f.num_connections ?? null];
  return createHash('sha1').update(JSON.stringify(parts)).digest('base64').slice(0, 20);
}

/** Splits NDJSON into lines (bounded), for a download that is not one JSON array. */
class LineSplitter {
  private rest: Buffer[] = [];
  private restBytes = 0;
  push(chunk: Buffer): string[] {
    const out: string[] = [];
    let start = 0;
    for (let nl = chunk.indexOf(0x0a); nl !== -1; nl = chunk.indexOf(0x0a, start)) {
      const piece = chunk.subarray(start, nl);
      const line = this.rest.length ? Buffer.concat([...this.rest, piece]).toString('utf8') : piece.toString('utf8');
      this.rest = []; this.restBytes = 0;
      if (line.trim()) out.push(line.trim());
      start = nl + 1;
    }
    if (start < chunk.length) {
      this.restBytes += chunk.length - start;
      if (this.restBytes > MAX_LINE_BYTES) throw new ProtocolError(`Malformed NDJSON: a line is longer than ${MAX_LINE_BYTES} bytes.`);
      this.rest.push(chunk.subarray(start));
    }
    return out;
  }
  end(): string[] {
    const line = Buffer.concat(this.rest).toString('utf8').trim();
    this.rest = [];
    return line ? [line] : [];
  }
}

export class TrafficCollector {
  readonly stats: TrafficStats = { queries: 0, truncated: 0, emitted: 0, duplicates: 0, outside: 0, invalid: 0, unparsed: 0, deepCut: 0, deleted: 0, peakBuffered: 0, waits: [] };
  private readonly client: PceClient;
  private readonly t: TrafficTuning;
  private readonly template: Record<string, unknown>;
  private readonly api: string;
  /**
   * Window length that last fitted under max_results after a split; later windows of the run
   * start from it (growing back by half per clean query) instead of being truncated again first.
   */
  private fitMs = Infinity;

  constructor(private readonly config: TrafficConfig, private readonly ctx: SourceContext, tuning: Partial<TrafficTuning> = {}) {
    this.t = {
      ...DEFAULT_TRAFFIC_TUNING,
      ...(config.overlap !== undefined ? { overlapMs: config.overlap * 1000 } : {}),
      ...(config.lag !== undefined ? { lagMs: config.lag * 1000 } : {}),
      ...(config.window !== undefined ? { windowMs: config.window * 1000 } : {}),
      ...tuning,
    };
    this.template = trafficQueryTemplate(config);
    this.client = new PceClient(ctx.http, pceSettings(config, ctx));
    this.api = `${apiBase(config.pce_url)}/api/v2`;
  }

  async *run(): AsyncGenerator<Batch<TrafficCheckpoint>> {
    const { ctx } = this;
    await this.sweep();
    const now = ctx.now();
    const cp = await ctx.checkpoint.load(ILLUMIO_TRAFFIC_CHECKPOINT, now);
    const firstStart = parseStartDate(this.config.start_date ?? '-1h', now) ?? now - 3600_000;
    const recent = new Recent(cp, firstStart, { ...DEFAULT_TUNING, overlapMs: this.t.overlapMs, recentMax: this.t.recentMax });
    const start = cp ? recent.windowStart() : firstStart;
    const end = now - this.t.lagMs;
    if (end <= start) return;
    ctx.log.info(`${ctx.stanza}: collecting traffic flows (${(this.template.policy_decisions as string[]).join(', ')}) last detected from ${iso(start)} to ${iso(end)}${cp ? '' : ' (first run)'}`);
    try {
      for (let a = start; a < end && !ctx.signal.aborted;) {
        const b = Math.min(end, a + this.t.windowMs);
        yield* this.slice(a, b, recent);
        a = b;
      }
    } catch (e) {
      if (e instanceof TransientError) {
        throw new TransientError(`${e.message} ${this.stats.emitted} flows were delivered in this run; the checkpoint stays at ${iso(recent.lastMs)} and the next run asks again from there.`, e.status, { cause: e });
      }
      throw e;
    } finally {
      const s = this.stats;
      ctx.log.info(`${ctx.stanza}: ${s.emitted} flows delivered, ${s.duplicates} overlap duplicates skipped, ${s.queries} traffic queries, ${s.truncated} truncated and split`);
      if (s.invalid) ctx.log.warn(`${ctx.stanza}: ${s.invalid} flows were not objects or had no usable timestamp_range.last_detected; they were indexed as received, at ingest time.`);
      if (s.deepCut) ctx.log.warn(`${ctx.stanza}: ${s.deepCut} flows were nested deeper than ${DEFAULT_MAX_DEPTH} levels; the deeper parts were replaced by a marker (max_depth) and the flows indexed.`);
      if (s.unparsed) ctx.log.warn(`${ctx.stanza}: ${s.unparsed} flows were not JSON and were set aside: indexed as received (secrets redacted, at most ${RAW_MAX} bytes each) with source=${ctx.stanza}:unparsed; the checkpoint moved past them.`);
    }
  }

  /** One slice [a, b): query, split while truncated, stream each piece in time order. */
  private async *slice(a: number, b: number, recent: Recent): AsyncGenerator<Batch<TrafficCheckpoint>> {
    const todo: [number, number][] = [];
    const step0 = Math.max(this.t.minWindowMs, Math.min(b - a, Math.floor(this.fitMs)));
    for (let p = a; p < b; p += step0) todo.push([p, Math.min(b, p + step0)]);
    todo.reverse();
    while (todo.length) {
      const [x, y] = todo.pop()!;
      const q = await this.runQuery(x, y);
      const matches = Number(q.matches_count);
      const flows = Number(q.flows_count);
      if (Number.isFinite(matches) && Number.isFinite(flows) && matches > flows) {
        this.stats.truncated++;
        await this.remove(q.href!);
        if (y - x <= this.t.minWindowMs) {
          throw new TransientError(`${this.ctx.stanza}: ${matches} flows match the ${y - x} ms from ${iso(x)}, more than max_results (${flows} returned), and the window cannot be split further. Narrow the query (src_include, dst_include, exclude_services, policy_decisions) or raise max_results (up to ${TRAFFIC_MAX_RESULTS}).`);
        }
        // Pieces sized so each should fit, with a margin; halves when the PCE gave no counts to go by.
        const n = Math.min(MAX_SPLIT, Math.max(2, Math.ceil((matches / Math.max(1, flows)) * 1.25)));
        const step = Math.max(this.t.minWindowMs, Math.ceil((y - x) / n));
        this.fitMs = Math.min(this.fitMs, step);
        const pieces: [number, number][] = [];
        for (let p = x; p < y; p += step) pieces.push([p, Math.min(y, p + step)]);
        this.ctx.log.info(`${this.ctx.stanza}: ${matches} flows match ${iso(x)}..${iso(y)} but the query returned ${flows}; asking again in ${pieces.length} smaller windows.`);
        todo.push(...pieces.reverse());
        continue;
      }
      if (Number.isFinite(this.fitMs)) this.fitMs = Math.min(this.t.windowMs, this.fitMs * 1.5);
      yield* this.download(q, x, y, recent);
    }
  }

  private async *download(q: QueryView, x: number, y: number, recent: Recent): AsyncGenerator<Batch<TrafficCheckpoint>> {
    const { ctx } = this;
    const res = await this.call({ url: this.url(q.result, 'result'), signal: ctx.signal }, 'traffic query results', true);
    let splitter: JsonArraySplitter | LineSplitter | undefined;
    let events: OutEvent[] = [];
    const take = (texts: string[], compact: boolean[] | undefined, depths: number[] | undefined): void => {
      for (let i = 0; i < texts.length; i++) {
        const ev = this.flowEvent(texts[i], compact?.[i] ?? false, depths?.[i] ?? jsonDepth(texts[i], DEFAULT_MAX_DEPTH), x, y, recent);
        if (ev) events.push(ev);
        this.stats.peakBuffered = Math.max(this.stats.peakBuffered, events.length + texts.length - i - 1);
      }
    };
    let received = 0;
    try {
      for await (const chunk of res.body as AsyncIterable<Buffer>) {
        if (!splitter) {
          const first = chunk.find((c) => c > 0x20);
          if (first === undefined) continue;
          // ASSUMPTION: the guide shows the elements, not the framing; a JSON array and NDJSON both work.
          splitter = first === 0x5b ? new JsonArraySplitter() : new LineSplitter();
        }
        const texts = splitter.push(chunk);
        received += texts.length;
        // A server that keeps streaming past what it announced is not read to the end.
        if (q.flows_count !== undefined && received > Number(q.flows_count)) throw new ProtocolError(`more flows than the ${q.flows_count} the query reported`);
        if (splitter instanceof JsonArraySplitter) take(texts, splitter.compact, splitter.depths);
        else take(texts, undefined, undefined);
        if (events.length >= this.t.batchSize) {
          this.stats.emitted += events.length;
          const out = events;
          events = [];
          yield { events: out };
        }
      }
      if (splitter instanceof JsonArraySplitter) splitter.end();
      else if (splitter) take(splitter.end(), undefined, undefined);
    } catch (e) {
      // The results are of no further use: the slice is asked anew next run.
      if (!ctx.signal.aborted) await this.remove(q.href!);
      if (e instanceof ConfigError || e instanceof AuthError) throw e;
      // Already-sent batches stay delivered; the slice is asked again next run and deduped.
      throw new TransientError(`${ctx.stanza}: the results of traffic query ${q.href} broke off after ${received} flows (${(e as Error).message}).`);
    }
    if (q.flows_count !== undefined && splitter && received !== Number(q.flows_count)) {
      await this.remove(q.href!);
      throw new TransientError(`${ctx.stanza}: traffic query ${q.href} reported ${q.flows_count} flows but its results held ${received}.`);
    }
    ctx.log.info(`${ctx.stanza}: traffic query ${iso(x)}..${iso(y)}: ${received} flows`);
    await this.remove(q.href!);
    this.stats.emitted += events.length;
    yield { events, checkpoint: recent.checkpoint(y - 1) };
  }

  /** One flow as an event, or undefined when it belongs to another slice or was delivered. */
  private flowEvent(text: string, compact: boolean, depth: number, x: number, y: number, recent: Recent): OutEvent | undefined {
    let f: Record<string, unknown>;
    try {
      f = JSON.parse(text) as Record<string, unknown>;
    } catch {
      return this.rawFlow(text, x, y, recent);
    }
    if (depth > DEFAULT_MAX_DEPTH) {
      // Re-encoding a record nested thousands deep overflows the stack and would fail every run
      // at this flow; its deep part is cut, the flow still indexed.
      f = boundDepth(f, DEFAULT_MAX_DEPTH).value;
      compact = false;
      this.stats.deepCut++;
    }
    if (!f || typeof f !== 'object' || Array.isArray(f)) {
      this.stats.invalid++;
      return { data: text, sourcetype: FLOW_SOURCETYPE };
    }
    const last = Date.parse(String((f?.timestamp_range as { last_detected?: unknown } | undefined)?.last_detected));
    if (!Number.isNaN(last) && (last < x || last >= y)) { this.stats.outside++; return undefined; }
    const key = flowKey(f);
    if (recent.has(key)) { this.stats.duplicates++; return undefined; }
    recent.add(key, Number.isNaN(last) ? y - 1 : last);
    if (Number.isNaN(last)) this.stats.invalid++;
    const ev: OutEvent = { data: compact ? text : JSON.stringify(f), sourcetype: FLOW_SOURCETYPE };
    if (!Number.isNaN(last)) ev.time = last / 1000;
    return ev;
  }

  /**
   * An element JSON.parse refuses: reading it again would fail the same way every run, so it is
   * indexed as received (redacted, then clipped to what Splunk indexes) under `:unparsed`, placed
   * and deduplicated by the last_detected a human would read in it, and the run goes on.
   */
  private rawFlow(text: string, x: number, y: number, recent: Recent): OutEvent | undefined {
    const { ctx } = this;
    const redacted = ctx.http.redact(text.length > RAW_MAX ? text.slice(0, RAW_MAX + 4096) : text);
    const data = clipUtf8(redacted, RAW_MAX);
    const m = /"last_detected"\s*:\s*"([^"]{1,64})"/.exec(data.slice(0, 64 * 1024));
    const last = m ? Date.parse(m[1]) : NaN;
    if (!Number.isNaN(last) && (last < x || last >= y)) { this.stats.outside++; return undefined; }
    const key = `sha1:${createHash('sha1').update(data).digest('base64').slice(0, 20)}`;
    if (recent.has(key)) { this.stats.duplicates++; return undefined; }
    recent.add(key, Number.isNaN(last) ? y - 1 : last);
    this.stats.unparsed++;
    if (this.stats.unparsed <= 5) {
      ctx.log.warn(`${ctx.stanza}: the PCE sent a flow that is not JSON (${text.length} characters starting ${vendorText(text.slice(0, 64 * 1024), (t) => ctx.http.redact(t), 60)}); indexed as received.`);
    }
    const ev: OutEvent = { data, sourcetype: FLOW_SOURCETYPE, source: `${ctx.stanza}:unparsed` };
    if (!Number.isNaN(last)) ev.time = last / 1000;
    return ev;
  }

  /** POSTs the query for [x, y) and polls it to completion. */
  private async runQuery(x: number, y: number): Promise<QueryView> {
    const { ctx, t } = this;
    const body = {
      ...this.template,
      start_date: iso(x),
      end_date: iso(y),
      query_name: `TA-zerotrust-events ${ctx.stanza} ${iso(x)}..${iso(y)}`.slice(0, 255),
    };
    const res = await this.call({
      method: 'POST', url: `${this.api}/orgs/${this.config.org_id}/traffic_flows/async_queries`, body: JSON.stringify(body),
      headers: { 'content-type': 'application/json' }, signal: ctx.signal,
    }, 'traffic query');
    let view = await this.view(res);
    if (!view.href) {
      const loc = res.headers['content-location'];
      if (loc && /^[0-9a-f-]{36}$/i.test(loc)) view.href = `/orgs/${this.config.org_id}/traffic_flows/async_queries/${loc}`;
    }
    this.url(view.href, 'href');
    const href = view.href!;
    this.note(href, true);
    this.stats.queries++;
    const pace = { firstMs: t.firstPollMs, maxMs: t.maxPollMs };
    let wait = pollWait(res.headers['retry-after'], undefined, pace);
    let waited = 0;
    for (;;) {
      const status = String(view.status ?? '');
      if (status === 'completed') {
        if (!view.result) throw new TransientError(`${ctx.stanza}: traffic query ${href} completed without a result href.`);
        return { ...view, href };
      }
      if (status === 'failed' || status === 'killed') {
        await this.remove(href);
        throw new TransientError(`${ctx.stanza}: the PCE ${this.client.where} ${status === 'killed' ? 'killed' : 'failed'} the traffic query for ${iso(x)}..${iso(y)} (${href}). This happens when the PCE's traffic database is busy or restarting; the next run asks again. If it keeps happening, narrow the query or shorten window.`);
      }
      if (status !== 'queued' && status !== 'working') {
        throw new ProtocolError(`${ctx.stanza}: traffic query ${href} has the unknown status "${status.slice(0, 40)}".`);
      }
      if (waited >= t.maxJobMs) {
        await this.cancel(href);
        throw new TransientError(`${ctx.stanza}: traffic query ${href} for ${iso(x)}..${iso(y)} was still ${status} after ${Math.round(waited / 1000)} s and was cancelled; the next run asks again.`);
      }
      const ms = Math.min(wait, t.maxPollMs, t.maxJobMs - waited);
      this.stats.waits.push(ms);
      try {
        await t.sleep(ms, ctx.signal);
      } catch (e) {
        // Splunk is stopping the input: leave no query running on the PCE for nobody.
        if (ctx.signal.aborted) await this.cancel(href, false);
        throw e;
      }
      waited += ms;
      const poll = await this.call({ url: this.url(href, 'href'), signal: ctx.signal }, 'traffic query status', true);
      view = { ...(await this.view(poll)), href };
      wait = pollWait(poll.headers['retry-after'], wait, pace);
    }
  }

  private async view(res: HttpResponse): Promise<QueryView> {
    const v = await res.json<unknown>();
    if (!v || typeof v !== 'object' || Array.isArray(v)) throw new ProtocolError(`${this.ctx.stanza}: the PCE ${this.client.where} answered a traffic query request with something other than a JSON object.`);
    return v as QueryView;
  }

  private get pendingFile(): string {
    return path.join(this.ctx.stateDir, 'traffic-queries.json');
  }

  private pending(): string[] {
    try {
      const v = JSON.parse(fs.readFileSync(this.pendingFile, 'utf8')) as unknown;
      return Array.isArray(v) ? v.filter((h): h is string => typeof h === 'string') : [];
    } catch {
      return [];
    }
  }

  private notedWarned = false;

  /** Notes (or forgets) a query this input created and has not deleted yet. */
  private note(href: string, add: boolean): void {
    const was = this.pending();
    const now = add ? [...new Set([...was, href])] : was.filter((h) => h !== href);
    if (!add && now.length === was.length) return;
    const tmp = `${this.pendingFile}.tmp`;
    try {
      fs.writeFileSync(tmp, JSON.stringify(now));
      fs.renameSync(tmp, this.pendingFile);
    } catch (e) {
      if (this.notedWarned) return;
      this.notedWarned = true;
      this.ctx.log.warn(`${this.ctx.stanza}: cannot note traffic query ${href} in ${this.pendingFile} (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); a query this run fails to delete stays in the PCE's query list until removed there.`);
    }
  }

  /** Deletes the queries an earlier run created and could not delete (cancelling a running one first). */
  private async sweep(): Promise<void> {
    for (const href of this.pending()) {
      if (this.ctx.signal.aborted) return;
      let status: string | undefined;
      try {
        const res = await this.client.request({ url: this.url(href, 'href'), signal: this.ctx.signal }, 'traffic query status');
        status = String((await this.view(res)).status ?? '');
      } catch (e) {
        if (this.ctx.signal.aborted) throw e;
        if (e instanceof ConfigError && /HTTP 404/.test(e.message)) { this.note(href, false); continue; }
        this.ctx.log.warn(`${this.ctx.stanza}: could not look up traffic query ${href} left by an earlier run (${(e as Error).message}); the next run tries again.`);
        continue;
      }
      this.ctx.log.info(`${this.ctx.stanza}: deleting traffic query ${href} (${status}) left by an earlier run.`);
      if (status === 'queued' || status === 'working') await this.cancel(href);
      else await this.remove(href);
    }
  }

  /** Deletes a finished query; a failure is only logged (its flows are already delivered). */
  private async remove(href: string): Promise<void> {
    try {
      const res = await this.call({ method: 'DELETE', url: this.url(href, 'href'), signal: this.ctx.signal }, 'traffic query deletion');
      await res.dump();
      this.stats.deleted++;
      this.note(href, false);
    } catch (e) {
      if (this.ctx.signal.aborted) throw e;
      this.ctx.log.warn(`${this.ctx.stanza}: could not delete traffic query ${href} on the PCE (${(e as Error).message}); it stays in the PCE's query list until removed there.`);
    }
  }

  /** `running` false: the run is being stopped; one quick attempt, not tied to the run's signal. */
  private async cancel(href: string, running = true): Promise<void> {
    const bound: Partial<HttpRequest> = running ? { signal: this.ctx.signal } : { timeoutMs: 5000, bodyTimeoutMs: 5000, retry: false };
    try {
      const res = await this.call({ method: 'PUT', url: this.url(href, 'href'), body: JSON.stringify({ status: 'cancel_requested' }), headers: { 'content-type': 'application/json' }, ...bound }, 'traffic query cancellation');
      await res.dump();
    } catch (e) {
      this.ctx.log.warn(`${this.ctx.stanza}: could not cancel traffic query ${href} (${(e as Error).message}).`);
      return;
    }
    if (running) await this.remove(href);
  }

  /**
   * Through the events input's client (auth, status messages). A 403 is reworded for traffic;
   * `vanish` turns a 404 of a query that existed a moment ago into a retry next run.
   */
  private async call(req: HttpRequest, what: string, vanish = false): Promise<HttpResponse> {
    try {
      return await this.client.request(req, what);
    } catch (e) {
      if (e instanceof AuthError && /HTTP 403/.test(e.message)) {
        throw new AuthError(`${this.ctx.stanza}: API key "${this.config.api_key_id}" may not run Explorer traffic queries in org ${this.config.org_id} on the PCE ${this.client.where} (HTTP 403). Give the key's user a role that can see traffic (e.g. Global Read Only) and check the org_id of ${keyHome(this.ctx)}.`);
      }
      const rejected = e instanceof ConfigError ? /HTTP (400|406|422)(: [^)]*)?\)/.exec(e.message) : null;
      if (rejected) {
        throw new ConfigError(`${this.ctx.stanza}: the PCE ${this.client.where} rejected the ${what} (HTTP ${rejected[1]}${rejected[2] ?? ''}). Check policy_decisions, the src_/dst_ include and exclude hrefs (they must exist in org ${this.config.org_id}) and exclude_services.`, undefined, { cause: e });
      }
      if (vanish && e instanceof ConfigError) throw new TransientError(`${this.ctx.stanza}: the ${what} is gone from the PCE ${this.client.where} (${e.message}); the next run asks again.`);
      throw e;
    }
  }

  /** Query hrefs come from the PCE; only org-relative paths are followed (credentials stay at pce_url). */
  private url(href: string | undefined, field: string): string {
    if (typeof href !== 'string' || !/^\/orgs\/\d+\/traffic_flows\/[\w/-]+$/.test(href)) {
      throw new ProtocolError(`${this.ctx.stanza}: the PCE ${this.client.where} gave a traffic query ${field} that is not an org-relative path (${JSON.stringify(String(href).slice(0, 80))}).`);
    }
    return `${this.api}${href}`;
  }
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}
