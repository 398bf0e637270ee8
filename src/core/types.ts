/**
 * Contracts between the vendor-free core and the sources. A source sees only a SourceContext;
 * it never touches stdout, splunkd or files outside its checkpoint scope.
 */
import type { AccountInUse } from './account';
import type { CheckpointFormat } from './checkpoint/format';
import type { InputDescription, TypedConfig } from './description';

/** One event to index. `data` is the exact text Splunk will index. */
export interface OutEvent {
  /** Epoch seconds, fraction allowed. Absent: Splunk stamps the ingest time. */
  time?: number;
  data: string;
  /**
   * `data` as UTF-8 bytes when the source holds them already (as received, or read back from a
   * spool): they decode to exactly `data`, and a sink that writes bytes copies them instead of
   * encoding the text again (see bytesEvent in src/core/event-bytes.ts).
   */
  bytes?: Buffer;
  /**
   * Every byte of `bytes` is printable ASCII (0x20-0x7E), as the source established when it
   * delimited them: a sink escaping the bytes looks only for its own specials.
   */
  printable?: boolean;
  sourcetype?: string;
  source?: string;
  host?: string;
  index?: string;
}

/**
 * What a collector yields. The runtime writes `events`, flushes the sink, and only then saves
 * `checkpoint` (when present) and calls `committed`. A batch may carry no events (a checkpoint
 * that only moves time forward) or no checkpoint (more of the same window follows).
 */
export interface Batch<S = unknown> {
  events: OutEvent[];
  checkpoint?: S;
  /** Called after the events were taken by the sink and the checkpoint saved (spool cleanup). */
  committed?: () => Promise<void>;
}

export interface Logger {
  debug(message: string, meta?: Record<string, unknown>): void;
  info(message: string, meta?: Record<string, unknown>): void;
  warn(message: string, meta?: Record<string, unknown>): void;
  error(message: string, meta?: Record<string, unknown>): void;
  child(meta: Record<string, unknown>): Logger;
}

/**
 * A per-stanza checkpoint. State is small, versioned JSON, read and written only through the
 * source's CheckpointFormat (src/core/checkpoint/format.ts).
 */
export interface CheckpointStore {
  /**
   * The saved state, brought to the format's current version and checked against its schema;
   * undefined only when nothing was ever saved. Anything unusable (foreign, newer, invalid, a
   * position more than an hour after `now`) throws CheckpointCorruptError: never a fresh start.
   */
  load<S>(format: CheckpointFormat<S>, now?: number): Promise<S | undefined>;
  /** Checks the state against the format (a defect throws, nothing is written), then saves it atomically. */
  save<S>(format: CheckpointFormat<S>, state: S): Promise<void>;
  /**
   * One run per stanza: takes the stanza's lock (file store) or lease (KV store, shared by
   * forwarders) for `ttlMs`. Undefined when another run holds it; `holder` says who.
   */
  acquire?(ttlMs: number): Promise<RunLease | { held: false; holder: string }>;
}

export interface RunLease {
  held: true;
  /** Extends the lease; false when it was lost (expired and taken by another run). */
  renew(): Promise<boolean>;
  release(): Promise<void>;
}

export interface RetryPolicy {
  /** Attempts after the first one. */
  retries: number;
  baseDelayMs: number;
  maxDelayMs: number;
  /** Longest Retry-After we honour before giving up as transient. */
  maxRetryAfterMs: number;
}

export interface HttpRequest {
  method?: string;
  /** Absolute URL, or a path resolved against the client's base URL. */
  url: string;
  query?: Record<string, string | number | boolean | undefined>;
  headers?: Record<string, string>;
  body?: string | Buffer;
  /** Overall timeout for headers; body reads are bounded by bodyTimeoutMs. */
  timeoutMs?: number;
  bodyTimeoutMs?: number;
  /** false: no retries for this call (destructive reads, token requests). */
  retry?: false | Partial<RetryPolicy>;
  /**
   * With `retry: false`: every status, 429 and 5xx included, is returned to the caller, which
   * retries through the core's retryLoop itself (the HEC sink, to fail over and read HEC's code).
   */
  passStatuses?: boolean;
  signal?: AbortSignal;
}

export interface HttpResponse {
  status: number;
  headers: Record<string, string | undefined>;
  url: string;
  /** The body as a stream; read it once, by one of the methods below or directly. */
  body: NodeJS.ReadableStream;
  text(): Promise<string>;
  json<T = unknown>(): Promise<T>;
  /**
   * Reads the body by calling `onChunk` with each chunk as it arrives, with the same bounds and
   * errors as `body`, but no stream or promise per chunk in between (a 67 MB datafile is ~1 100
   * chunks; the stream layers and their compilation cost a launcher a few per cent of
   * its CPU, issue 16). `onChunk` returns false to stop reading (the rest is discarded); what it
   * throws rejects the promise. Resolves at the end of the body.
   */
  eachChunk(onChunk: (chunk: Buffer) => boolean | void): Promise<void>;
  /** Discard the body so the connection can be reused. */
  dump(): Promise<void>;
}

export interface HttpClient {
  /**
   * Sends a request. Retries 429/5xx/resets/timeouts per policy, honouring Retry-After, then
   * throws TransientError. TLS, DNS and connect failures throw ConfigError naming the host and
   * the setting to change. Any other status is returned to the caller. Messages never carry
   * secrets.
   */
  request(req: HttpRequest): Promise<HttpResponse>;
  /** Removes the client's secrets (and their derived forms) from text; apply before clipping. */
  redact(text: string): string;
  close(): Promise<void>;
}

export interface HttpClientOptions {
  baseUrl?: string;
  verifyTls: boolean;
  caCertPath?: string;
  proxyUrl?: string;
  /** Proxy credentials when not in proxyUrl. */
  proxyUsername?: string;
  proxyPassword?: string;
  timeoutMs: number;
  retry?: Partial<RetryPolicy>;
  /** Strings that must never appear in errors or logs. */
  secrets?: string[];
  userAgent?: string;
  /** Name of the setting admins use for a CA file, for error messages. */
  caSettingName?: string;
  /** Name of the proxy setting, for messages (default `proxy_url`). */
  proxySettingName?: string;
  logger?: Logger;
  /** Keep-alive sockets; long-polling sources need their read timeout above the poll. */
  keepAliveTimeoutMs?: number;
  /** Most bytes read from one response body; more ends the read with an error naming the setting. */
  maxResponseBytes?: number;
  /** Setting name for maxResponseBytes in messages (default `max_response_mb`). */
  maxResponseSetting?: string;
  /** Overall time for one request (all attempts, waits and the body); default 15 min. */
  requestDeadlineMs?: number;
  /** Setting name for requestDeadlineMs in messages (default `request_deadline`). */
  requestDeadlineSetting?: string;
  /**
   * The stanza's redactor: every message the client writes passes through it, so the secrets'
   * derived forms known to the runtime are covered here too.
   */
  redact?: (text: string) => string;
}

export interface SourceContext {
  /** `<scheme>://<name>` */
  stanza: string;
  /** `<name>` */
  name: string;
  http: HttpClient;
  /** Builds another client (e.g. a second host), configured like `http`. */
  makeHttp(options: Partial<HttpClientOptions>): HttpClient;
  checkpoint: CheckpointStore;
  /** A directory private to this stanza for spools and scratch files; exists. */
  stateDir: string;
  log: Logger;
  signal: AbortSignal;
  /** Milliseconds since the epoch; injectable for tests. */
  now(): number;
  /** The app's KV store on the splunkd that runs the input; absent outside splunkd. */
  kvstore?: KvStore;
  /** The account the stanza names (its connection settings and secrets come from there); absent: its own. */
  account?: AccountInUse;
}

/** The app's KV store collections (splunkd storage/collections; src/core/kvstore.ts). */
export interface KvStore {
  /** `KV store collection <c> of app … on splunkd …`, for messages. */
  where(collection: string): string;
  /** Throws an error saying what to do when the collection is missing or the KV store is unavailable. */
  check(collection: string): Promise<void>;
  /** Inserts or replaces records by _key, in batches splunkd accepts. */
  batchSave(collection: string, records: Record<string, unknown>[]): Promise<void>;
  /** Deletes the records matching a KV store query, e.g. {"snapshot": {"$ne": "…"}}. */
  deleteWhere(collection: string, query: Record<string, unknown>): Promise<void>;
}

export interface Source<C extends TypedConfig = TypedConfig, S = unknown> {
  description: InputDescription;
  /**
   * The format of the states this source yields as `Batch.checkpoint` and reads back with
   * `ctx.checkpoint.load(format, ctx.now())`. The runtime saves with it; a source that yields a
   * checkpoint without declaring one stops at its first save.
   */
  checkpoint?: CheckpointFormat<S>;
  /**
   * Live check used by --validate-arguments and the configuration page: throws ConfigError or
   * AuthError with the message to show. Bounded by ~10 s.
   */
  validate(config: C, ctx: SourceContext): Promise<void>;
  /** Reads the checkpoint with ctx.checkpoint.load(this.checkpoint, …) and yields batches in delivery order. */
  collect(config: C, ctx: SourceContext): AsyncIterable<Batch<S>>;
}

/** Where events go: the XML stream to splunkd, HEC, or NDJSON files. */
export interface Sink {
  write(stanza: string, events: OutEvent[]): Promise<void>;
  /** Resolves when everything written so far is durably taken by the receiver. */
  flush(): Promise<void>;
  /**
   * Like flush() for everything written so far, but without holding later writes: a sink whose
   * receiver confirms late (HEC indexer acknowledgement) lets the runtime go on collecting while
   * confirmations are outstanding. Rejects when any of those events was not taken.
   */
  taken?(): Promise<void>;
  close(): Promise<void>;
}

/** storage/passwords, or env/files in standalone mode. */
export interface SecretStore {
  get(realm: string, username: string): Promise<string | undefined>;
  set(realm: string, username: string, value: string): Promise<void>;
  /** Removes a credential if it exists (a staged one, once taken over; see src/core/secret-ref.ts). */
  delete?(realm: string, username: string): Promise<void>;
}
