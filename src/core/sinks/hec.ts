/**
 * The sink for Splunk's indexer tier: HTTP Event Collector `/services/collector/event`.
 *
 * `write` serialises events into HEC JSON and sends full batches (gzip) in the background;
 * `flush` resolves only when every batch so far was taken: with indexer acknowledgement, when
 * `/services/collector/ack` reported its ackId true on our channel; without, on the 200 of the
 * event endpoint. So the runtime moves a checkpoint only past events Splunk confirmed.
 *
 * Delivery is at-least-once: a batch whose answer or ack was not seen (503, reset connection,
 * an ack that stays false past `ackTimeoutMs`) is sent again, to the next endpoint when the
 * current one keeps failing. Duplicates are thus bounded to batches without a seen ack.
 */
import { randomUUID } from 'node:crypto';
import { promisify } from 'node:util';
import { constants as zlibConstants, gzip } from 'node:zlib';
import { AuthError, ConfigError, ProtocolError, TransientError } from '../errors';
import { createHttpClient, errorCode, isRetryableError, TLS_CODES } from '../http';
import { connectionOptions } from '../http/options';
import { abortableSleep, parseRetryAfter, RETRY_STATUSES, retryLoop } from '../http/retry';
import { displayUrl, vendorText } from '../log/redact';
import type { HttpClient, Logger, OutEvent, RetryPolicy, Sink } from '../types';

export interface HecSinkOptions {
  /** Base URLs of HEC (e.g. https://idx1.example.com:8088), tried in order, failing over. */
  endpoints: string[];
  token: string;
  /** Indexer acknowledgement (the token's useACK); default true. */
  ack?: boolean;
  /** Channel GUID; default a random one per sink. */
  channel?: string;
  /** gzip request bodies; default true. */
  gzip?: boolean;
  /** A batch is sent once it holds this many bytes of JSON (default 512 KiB) or events (default 1000). */
  batchBytes?: number;
  batchEvents?: number;
  /** POSTs of batches in flight at once (default 4). */
  maxInFlight?: number;
  /**
   * Batches sent but not yet acknowledged, kept for a resend (default 64): acks arrive a poll
   * period after the POST, so this, not maxInFlight, bounds throughput with acks on.
   */
  maxUnacked?: number;
  verifyTls?: boolean;
  /** PEM file of the CA of HEC's certificate, and of an https:// proxy's (sink.ca_cert_path). */
  caCertPath?: string;
  /** A proxy between the collector and HEC (sink.proxy_url), and its credentials. */
  proxyUrl?: string;
  proxyUsername?: string;
  proxyPassword?: string;
  /** Request timeout (default 30 s). */
  timeoutMs?: number;
  /** Attempts per batch after the first failure, across endpoints (default 8), and their backoff. */
  retry?: Partial<RetryPolicy>;
  /** Ack poll period (default 1 s) and how long an ack may stay unknown before the batch is resent (default 60 s). */
  ackPollMs?: number;
  ackTimeoutMs?: number;
  /** Consecutive failures of one endpoint before the next one is used (default 2). */
  failoverAfter?: number;
  log?: Logger;
  sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  random?: () => number;
  /** Stops retries and ack waits (the collector is shutting down). */
  signal?: AbortSignal;
}

/** What the sink did, for summaries and tests. */
export interface HecStats {
  batches: number;
  events: number;
  /** Sends of a batch after the first (each may duplicate that batch at the receiver). */
  resends: number;
  failovers: number;
  acked: number;
}

/** One event in HEC's JSON event format; `event` is the exact text to index. */
export function hecEventJson(ev: OutEvent): string {
  const o: Record<string, unknown> = {};
  if (ev.time !== undefined) o.time = ev.time;
  if (ev.host !== undefined) o.host = ev.host;
  if (ev.source !== undefined) o.source = ev.source;
  if (ev.sourcetype !== undefined) o.sourcetype = ev.sourcetype;
  if (ev.index !== undefined) o.index = ev.index;
  o.event = ev.data;
  return JSON.stringify(o);
}

interface HecBatch {
  id: number;
  body: Buffer;
  events: number;
  sends: number;
}

interface Pending {
  ackId: number;
  deadline: number;
  resolve: (acked: boolean) => void;
}

/** A failure worth another attempt (maybe on another endpoint). */
class RetryableHecError extends Error {
  constructor(message: string, readonly status?: number, readonly retryAfterMs?: number) {
    super(message);
  }
}

/** HEC's answers are a few hundred bytes; anything near this is not HEC. */
const MAX_HEC_ANSWER_BYTES = 1024 * 1024;

// In libuv's thread pool, so compression overlaps collection; the fastest level, because at
// level 6 compressing took as long as everything else the collector does per event.
const gzipAsync = promisify(gzip);
const GZIP_OPTIONS = { level: zlibConstants.Z_BEST_SPEED };

/** An early ack poll (someone waits, or the window is full) comes no sooner than this after the last. */
const ACK_POLL_MIN_MS = 50;

const DEFAULT_HEC_RETRY: RetryPolicy = { retries: 8, baseDelayMs: 500, maxDelayMs: 15_000, maxRetryAfterMs: 60_000 };

export class HecSink implements Sink {
  readonly channel: string;
  readonly stats: HecStats = { batches: 0, events: 0, resends: 0, failovers: 0, acked: 0 };
  private readonly endpoints: URL[];
  private readonly ack: boolean;
  private readonly gzip: boolean;
  private readonly batchBytes: number;
  private readonly batchEvents: number;
  private readonly maxInFlight: number;
  private readonly maxUnacked: number;
  private posting = 0;
  private readonly postWaiters: (() => void)[] = [];
  /** Per endpoint: cuts the poller's sleep short (the unacked window is full). */
  private readonly wakers = new Map<number, () => void>();
  private readonly timeoutMs: number;
  private readonly policy: RetryPolicy;
  private readonly ackPollMs: number;
  private readonly ackTimeoutMs: number;
  private readonly failoverAfter: number;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  /** One client per endpoint: credentials only ever go to the endpoint's own origin. */
  private readonly clients: HttpClient[];
  private current = 0;
  private consecutiveFailures = 0;
  private buffer: string[] = [];
  private bufferBytes = 0;
  private nextBatchId = 1;
  private readonly inFlight = new Set<Promise<void>>();
  private failure: Error | undefined;
  private closed = false;
  /** Per endpoint index: acks waited for, polled together. */
  private readonly pending = new Map<number, Map<number, Pending>>();
  private readonly pollers = new Map<number, Promise<void>>();

  constructor(private readonly opts: HecSinkOptions) {
    if (!opts.endpoints.length) throw new ConfigError('HEC sink: no endpoints; give at least one URL like https://splunk.example.com:8088.', 'sink.endpoints');
    if (!opts.token) throw new ConfigError('HEC sink: no token. Give the HEC token in the environment or a token file.', 'sink.token');
    this.endpoints = opts.endpoints.map((e, i) => {
      let u: URL;
      try {
        u = new URL(e);
      } catch {
        throw new ConfigError(`HEC sink: endpoint ${i + 1} "${displayUrl(e)}" is not a URL like https://splunk.example.com:8088.`, `sink.endpoints[${i}]`);
      }
      if (u.protocol !== 'https:' && u.protocol !== 'http:') {
        throw new ConfigError(`HEC sink: endpoint ${i + 1} must start with https:// (or http://), got ${u.protocol}//.`, `sink.endpoints[${i}]`);
      }
      return u;
    });
    this.channel = opts.channel ?? randomUUID();
    this.ack = opts.ack !== false;
    this.gzip = opts.gzip !== false;
    this.batchBytes = opts.batchBytes ?? 512 * 1024;
    this.batchEvents = opts.batchEvents ?? 1000;
    this.maxInFlight = Math.max(1, opts.maxInFlight ?? 4);
    this.maxUnacked = Math.max(this.maxInFlight, opts.maxUnacked ?? 64);
    this.timeoutMs = opts.timeoutMs ?? 30_000;
    this.policy = { ...DEFAULT_HEC_RETRY, ...(opts.retry ?? {}) };
    this.ackPollMs = opts.ackPollMs ?? 1000;
    this.ackTimeoutMs = opts.ackTimeoutMs ?? 60_000;
    this.failoverAfter = Math.max(1, opts.failoverAfter ?? 2);
    this.sleep = opts.sleep ?? abortableSleep;
    this.random = opts.random ?? Math.random;
    // The same options builder as every input's, with the settings named as in collector.json.
    const http = connectionOptions({
      verify_tls: opts.verifyTls, ca_cert_path: opts.caCertPath, timeout: this.timeoutMs / 1000,
      proxy_url: opts.proxyUrl, proxy_username: opts.proxyUsername, proxy_password: opts.proxyPassword,
    }, { prefix: 'sink.', secrets: [opts.token] });
    this.clients = this.endpoints.map((u) => createHttpClient({
      ...http,
      baseUrl: u.origin,
      maxResponseBytes: MAX_HEC_ANSWER_BYTES,
      // Retries are this sink's (failover, resend after a lost ack), through the core retryLoop.
      retry: { retries: 0 },
    }));
  }

  async write(_stanza: string, events: OutEvent[]): Promise<void> {
    if (this.closed) throw new Error('HecSink: write after close');
    if (this.failure) throw this.failure;
    for (const ev of events) {
      const line = hecEventJson(ev);
      this.buffer.push(line);
      this.bufferBytes += Buffer.byteLength(line) + 1;
      if (this.bufferBytes >= this.batchBytes || this.buffer.length >= this.batchEvents) await this.seal();
    }
  }

  /** Everything written so far confirmed, without holding later writes (see Sink.taken). */
  async taken(): Promise<void> {
    await this.seal();
    await Promise.allSettled([...this.inFlight]);
    // A failure of any batch so far (or since) keeps this checkpoint back; flush() reports it.
    if (this.failure) throw this.failure;
  }

  async flush(): Promise<void> {
    await this.seal();
    // Someone waits for every ack: ask for them now rather than at the next period.
    while (this.inFlight.size) {
      this.wakePollers();
      await Promise.race([...this.inFlight]).catch(() => undefined);
    }
    if (this.failure) {
      const e = this.failure;
      // Batches after a failure are still sent; the runtime decides whether to go on.
      this.failure = undefined;
      throw e;
    }
  }

  async close(): Promise<void> {
    if (this.closed) return;
    try {
      await this.flush();
    } finally {
      this.closed = true;
      await Promise.allSettled(this.clients.map((c) => c.close()));
    }
  }

  /** Turns the buffer into a batch and starts sending it, holding the caller while too many are in flight. */
  private async seal(): Promise<void> {
    if (!this.buffer.length) return;
    const text = `${this.buffer.join('\n')}\n`;
    const id = this.nextBatchId++;
    const events = this.buffer.length;
    this.buffer = [];
    this.bufferBytes = 0;
    const batch: HecBatch = { id, body: this.gzip ? await gzipAsync(text, GZIP_OPTIONS) : Buffer.from(text), events, sends: 0 };
    while (this.inFlight.size >= this.maxUnacked) {
      // The window is full of batches waiting for acks: ask now rather than at the next period.
      this.wakePollers();
      await Promise.race([...this.inFlight]).catch(() => undefined);
    }
    const p: Promise<void> = this.deliver(batch)
      .then(() => {
        this.stats.batches += 1;
        this.stats.events += batch.events;
      })
      .catch((e: unknown) => {
        this.failure ??= e instanceof Error ? e : new Error(String(e));
      })
      .finally(() => this.inFlight.delete(p));
    this.inFlight.add(p);
  }

  private endpointName(i: number): string {
    // origin carries no credentials or path; URLs with user:pass are refused by HEC anyway.
    return this.endpoints[i].origin;
  }

  private noteFailure(i: number, why: string): void {
    if (i !== this.current) return;
    this.consecutiveFailures += 1;
    if (this.endpoints.length > 1 && this.consecutiveFailures >= this.failoverAfter) {
      this.current = (this.current + 1) % this.endpoints.length;
      this.consecutiveFailures = 0;
      this.stats.failovers += 1;
      this.opts.log?.warn(`HEC: ${this.endpointName(i)} failed ${this.failoverAfter} times in a row (${why}); sending to ${this.endpointName(this.current)} from now on.`);
    }
  }

  /** Sends one batch until it is confirmed; throws when every attempt failed or on a final error. */
  private async deliver(batch: HecBatch): Promise<void> {
    const targets = () => this.endpoints.map((_, i) => this.endpointName(i)).join(', ');
    await retryLoop<void>(async () => {
      const ep = this.current;
      if (batch.sends > 0) this.stats.resends += 1;
      batch.sends += 1;
      try {
        const ackId = await this.postSlot(() => this.post(ep, batch));
        if (ackId === undefined) return { done: undefined };
        if (await this.waitAck(ep, ackId)) {
          if (ep === this.current) this.consecutiveFailures = 0;
          this.stats.acked += 1;
          return { done: undefined };
        }
        const why = `no acknowledgement for ackId ${ackId} within ${Math.round(this.ackTimeoutMs / 1000)} s`;
        this.opts.log?.warn(`HEC: ${this.endpointName(ep)} gave ${why}; sending the batch of ${batch.events} events again (it may be indexed twice).`);
        this.noteFailure(ep, why);
        return { retry: why };
      } catch (e) {
        if (!(e instanceof RetryableHecError)) throw e;
        this.noteFailure(ep, e.message);
        return { retry: e.message, ...(e.status !== undefined ? { status: e.status } : {}), ...(e.retryAfterMs !== undefined ? { retryAfterMs: e.retryAfterMs } : {}) };
      }
    }, {
      policy: this.policy,
      random: this.random,
      // A stop request ends the waits: the batch is then reported undelivered.
      signal: this.opts.signal,
      sleep: (ms, signal) => this.sleep(ms, signal).catch(() => undefined),
      giveUp: (g) => new TransientError(
        `HEC: a batch of ${batch.events} events could not be delivered after ${batch.sends} attempts to ${targets()} (last: ${g.why}` +
        `${g.reason === 'retry-after' ? `; HEC asked to retry after ${Math.round((g.delayMs ?? 0) / 1000)} s, longer than this run waits` : ''}). ` +
        'The checkpoint stays before these events; the next run sends them again.', g.status),
    });
  }

  /** At most maxInFlight POSTs at once; batches waiting for acks do not hold a slot. */
  private async postSlot<T>(fn: () => Promise<T>): Promise<T> {
    while (this.posting >= this.maxInFlight) await new Promise<void>((r) => this.postWaiters.push(r));
    this.posting += 1;
    try {
      return await fn();
    } finally {
      this.posting -= 1;
      this.postWaiters.shift()?.();
    }
  }

  private wakePollers(): void {
    for (const wake of [...this.wakers.values()]) wake();
  }

  /** The poll period, cut short by a wake-up (but never to less than ACK_POLL_MIN_MS). */
  private pollPause(ep: number): Promise<void> {
    if (this.opts.signal?.aborted) return Promise.resolve();
    return new Promise<void>((resolve) => {
      const ctrl = new AbortController();
      const since = Date.now();
      const stop = () => {
        if (this.wakers.get(ep) === stop) this.wakers.delete(ep);
        ctrl.abort();
        resolve();
      };
      this.wakers.set(ep, () => {
        const left = since + Math.min(ACK_POLL_MIN_MS, this.ackPollMs) - Date.now();
        if (left <= 0) stop();
        else setTimeout(stop, left).unref();
      });
      const onAbort = () => stop();
      this.opts.signal?.addEventListener('abort', onAbort, { once: true });
      this.sleep(this.ackPollMs, ctrl.signal).catch(() => undefined).then(() => {
        this.opts.signal?.removeEventListener('abort', onAbort);
        stop();
      });
    });
  }

  private headers(): Record<string, string> {
    return {
      authorization: `Splunk ${this.opts.token}`,
      'x-splunk-request-channel': this.channel,
      'content-type': 'application/json',
    };
  }

  /** POST to the event endpoint; returns the ackId when acks are on. */
  private async post(ep: number, batch: HecBatch): Promise<number | undefined> {
    const url = new URL('/services/collector/event', this.endpoints[ep]);
    const res = await this.send(ep, url, {
      method: 'POST',
      headers: { ...this.headers(), ...(this.gzip ? { 'content-encoding': 'gzip' } : {}) },
      body: batch.body,
    });
    const { status, text } = res;
    if (status === 200) {
      if (!this.ack) return undefined;
      const ackId = (parseJson(text) as { ackId?: unknown } | undefined)?.ackId;
      if (typeof ackId !== 'number') {
        throw new ConfigError(`HEC: ${this.endpointName(ep)} accepted the batch but returned no ackId: indexer acknowledgement is off for this token. Turn on "Enable indexer acknowledgement" for the token, or set "ack": false in the sink.`, 'sink.ack');
      }
      return ackId;
    }
    throw this.statusError(ep, res, 'event');
  }

  private statusError(ep: number, res: HecAnswer, what: 'event' | 'ack'): Error {
    const { status, text } = res;
    const body = parseJson(text) as { text?: string; code?: number } | undefined;
    // Redacted before it is clipped, so no part of the token can survive at the cut.
    const redact = (t: string) => this.clients[ep].redact(t);
    const detail = typeof body?.text === 'string'
      ? `${vendorText(body.text, redact, 200)}${typeof body.code === 'number' ? ` (code ${body.code})` : ''}`
      : vendorText(text, redact, 200);
    const where = `HEC ${what} endpoint ${this.endpointName(ep)}`;
    if (RETRY_STATUSES.has(status)) return new RetryableHecError(`${where} answered ${status} ${detail}`, status, parseRetryAfter(res.retryAfter));
    if (status === 401 || status === 403) {
      return new AuthError(`${where} refused the token (${status} ${detail}). Check the HEC token given to the collector and that it is enabled.`);
    }
    if (status === 404) {
      return new ConfigError(`${where} answered 404: HEC is disabled there or the URL is not the HEC port (default 8088). Check sink.endpoints.`, 'sink.endpoints');
    }
    if (status === 400 && (body?.code === 10 || body?.code === 11)) {
      return new ConfigError(`${where} rejected the data channel (${detail}). Indexer acknowledgement needs a channel GUID; check sink.channel.`, 'sink.channel');
    }
    return new ProtocolError(`${where} rejected the batch: ${status} ${detail}.`);
  }

  private async send(ep: number, url: URL, req: { method: 'POST'; headers: Record<string, string>; body: Buffer | string }): Promise<HecAnswer> {
    try {
      const res = await this.clients[ep].request({ url: url.toString(), ...req, retry: false, passStatuses: true });
      return { status: res.status, text: await res.text(), retryAfter: res.headers['retry-after'] };
    } catch (e) {
      const code = errorCode(e);
      if (code && TLS_CODES.has(code)) {
        throw new ConfigError(`HEC: the TLS certificate of ${this.endpointName(ep)} is not accepted (${code}). Put the CA that signed it in sink.ca_cert_path.`, 'sink.ca_cert_path');
      }
      if (e instanceof ConfigError && e.field === 'sink.proxy_url' && /\(407 /.test(e.message)) {
        // The proxy refused the credentials (407): no endpoint can be reached through it.
        throw new ConfigError(`HEC: ${e.message}`, 'sink.proxy_url');
      }
      // Through a proxy the client's (redacted) message says whether the proxy or HEC failed.
      if (this.opts.proxyUrl) throw new RetryableHecError(`connection failed (${(e as Error).message})`);
      if (isRetryableError(e) || code === 'ENOTFOUND') {
        throw new RetryableHecError(`connection failed (${code ?? 'reset'})`);
      }
      throw new RetryableHecError(`request failed (${code ?? (e as Error)?.message ?? String(e)})`);
    }
  }

  /** true once the ackId was reported indexed; false when it stayed unknown past the deadline. */
  private waitAck(ep: number, ackId: number): Promise<boolean> {
    let map = this.pending.get(ep);
    if (!map) {
      map = new Map();
      this.pending.set(ep, map);
    }
    const waiting = map;
    const done = new Promise<boolean>((resolve) => {
      waiting.set(ackId, { ackId, deadline: Date.now() + this.ackTimeoutMs, resolve });
    });
    if (!this.pollers.has(ep)) this.pollers.set(ep, this.pollAcks(ep, waiting));
    return done;
  }

  /** One loop per endpoint asks for all its outstanding ackIds at once. */
  private async pollAcks(ep: number, waiting: Map<number, Pending>): Promise<void> {
    for (;;) {
      // Deregistered in the same tick the map is seen empty, so a wait added right after
      // starts a new poller instead of joining one that is ending.
      if (!waiting.size) {
        this.pollers.delete(ep);
        return;
      }
      await this.pollPause(ep);
      const ids = [...waiting.keys()];
      let acks: Record<string, unknown> | undefined;
      try {
        const url = new URL('/services/collector/ack', this.endpoints[ep]);
        url.searchParams.set('channel', this.channel);
        const res = await this.send(ep, url, { method: 'POST', headers: this.headers(), body: JSON.stringify({ acks: ids }) });
        if (res.status === 200) {
          acks = (parseJson(res.text) as { acks?: Record<string, unknown> } | undefined)?.acks;
        } else {
          const err = this.statusError(ep, res, 'ack');
          // A refused token or a missing endpoint will not heal by polling: give the batches back.
          if (!(err instanceof RetryableHecError)) {
            this.opts.log?.error(err.message);
            for (const p of waiting.values()) p.resolve(false);
            waiting.clear();
            continue;
          }
        }
      } catch (e) {
        this.opts.log?.debug(`HEC: ack poll of ${this.endpointName(ep)} failed: ${(e as Error).message}`);
      }
      const now = Date.now();
      for (const id of ids) {
        const p = waiting.get(id);
        if (!p) continue;
        if (acks?.[String(id)] === true) {
          waiting.delete(id);
          p.resolve(true);
        } else if (now >= p.deadline || this.opts.signal?.aborted) {
          waiting.delete(id);
          p.resolve(false);
        }
      }
    }
  }
}

interface HecAnswer {
  status: number;
  text: string;
  retryAfter?: string;
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}
