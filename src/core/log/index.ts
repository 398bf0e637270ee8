/**
 * Logging for the inputs, in the shape Splunk admins know from other add-ons.
 *
 * File: `<logDir>/ta_zerotrust_events_<input>.log` (logDir defaults to
 * `$SPLUNK_HOME/var/log/splunk`, which Splunk's own `[monitor://$SPLUNK_HOME/var/log/splunk]`
 * indexes into `_internal`), rotated at 25 MB keeping 5 files (the live file plus
 * `ta_zerotrust_events_<input>.log.1` … `.log.4`, newest first, as splunkd rotates its own logs;
 * a source pattern `ta_zerotrust_events_*.log` matches only live files). One record per line:
 *
 *   2026-11-21 23:59:59.123 +0000 INFO pid=123 input=acme_events stanza="acme_events://prod" Collected a page count=500 next="2026-11-21T23:00:00Z"
 *
 *   - time: `YYYY-MM-DD HH:MM:SS.mmm +0000`, always UTC (TIME_FORMAT = %Y-%m-%d %H:%M:%S.%3N %z)
 *   - level: DEBUG | INFO | WARN | ERROR
 *   - `pid=<n> input=<scheme>`; `stanza="<scheme>://<name>"` when the record concerns a stanza
 *   - the message (never contains ` key=` pairs of its own; newlines are written as `\n`)
 *   - then ` key=value` pairs: value bare when it is only [A-Za-z0-9_.:/@+-], otherwise in
 *     double quotes with `\` and `"` escaped as `\\` and `\"`. Keys match [A-Za-z0-9_]+.
 *
 * So a search-time regex `^\S+ \S+ \S+ (?<log_level>[A-Z]+) pid=(?<pid>\d+) input=(?<input>\S+)`
 * plus KV_MODE = auto extracts everything.
 *
 * stderr (which splunkd copies into splunkd.log, taking the first word as the level): WARN and
 * ERROR only, as `LEVEL message key=value … stanza="…"`, always one line.
 *
 * Every message and value passes through the redactor built from `secrets`, plus the generic
 * credential patterns of ./redact.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { Writable } from 'node:stream';
import type { Logger } from '../types';
import { makeRedactor, type Redactor } from './redact';

export { makeRedactor, displayUrl, REDACTED } from './redact';
export type { Redactor } from './redact';

export type LogLevel = 'DEBUG' | 'INFO' | 'WARN' | 'ERROR';

const LEVELS: Record<LogLevel, number> = { ERROR: 0, WARN: 1, INFO: 2, DEBUG: 3 };

export const DEFAULT_MAX_BYTES = 25 * 1024 * 1024;
export const DEFAULT_MAX_FILES = 5;

/** Accepts the spellings admins type (`warning`, `debug`); anything else is undefined. */
export function parseLogLevel(raw: string | undefined): LogLevel | undefined {
  const v = (raw ?? '').trim().toUpperCase();
  if (v === 'WARNING') return 'WARN';
  if (v === 'CRITICAL' || v === 'FATAL') return 'ERROR';
  return v in LEVELS ? (v as LogLevel) : undefined;
}

export interface LoggerOptions {
  /** The input (scheme) name; part of the file name. */
  input: string;
  stanza?: string;
  /** DEBUG | INFO | WARN | ERROR (default INFO; unknown values fall back to INFO). */
  level?: string;
  /** Directory for the log file; default `$SPLUNK_HOME/var/log/splunk`. */
  logDir?: string;
  secrets?: string[];
  /** Where WARN+ lines go; default process.stderr. */
  stderr?: NodeJS.WritableStream;
  /** Rotation, for tests; defaults 25 MB × 5. */
  maxBytes?: number;
  maxFiles?: number;
}

/** Where the file of an input goes, or undefined when there is no Splunk to log for. */
export function logFilePath(input: string, logDir?: string): string | undefined {
  const dir = logDir ?? (process.env.SPLUNK_HOME ? path.join(process.env.SPLUNK_HOME, 'var', 'log', 'splunk') : undefined);
  if (!dir) return undefined;
  const safe = input.replace(/[^A-Za-z0-9_.-]/g, '_');
  return path.join(dir, `ta_zerotrust_events_${safe}.log`);
}

function pad(n: number, w = 2): string {
  return String(n).padStart(w, '0');
}

export function formatTime(d: Date): string {
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ` +
    `${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}.${pad(d.getUTCMilliseconds(), 3)} +0000`;
}

function oneLine(s: string): string {
  return s.replace(/\r\n|\r|\n/g, '\\n').replace(/[\u0000-\u0008\u000b-\u001f\u007f]/g, '?');
}

function valueText(v: unknown): string {
  if (v instanceof Error) return `${v.name}: ${v.message}`;
  if (typeof v === 'string') return v;
  if (v === undefined) return '';
  if (typeof v === 'number' || typeof v === 'boolean' || typeof v === 'bigint') return String(v);
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
}

function quote(v: string): string {
  if (/^[A-Za-z0-9_.:/@+-]+$/.test(v)) return v;
  return `"${v.replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
}

export function formatPairs(meta: Record<string, unknown>, redact: Redactor): string {
  let out = '';
  for (const [k, v] of Object.entries(meta)) {
    if (v === undefined) continue;
    const key = k.replace(/[^A-Za-z0-9_]/g, '_');
    out += ` ${key}=${quote(oneLine(redact(valueText(v))))}`;
  }
  return out;
}

/**
 * Appends each record synchronously and rotates by size, Splunk style (`x.log` → `x.log.1` …).
 * An input that exits right after an error must still leave that error in its log, so nothing is
 * buffered. The file is opened per record, so several processes of one input (one per stanza)
 * always append to the current file after another one rotated it.
 */
class SyncFile {
  constructor(private readonly file: string, private readonly maxBytes: number, private readonly maxFiles: number) {}

  private rotate(): void {
    for (let i = this.maxFiles - 1; i >= 1; i--) {
      const from = i === 1 ? this.file : `${this.file}.${i - 1}`;
      try {
        fs.renameSync(from, `${this.file}.${i}`);
      } catch {
        // A missing older file is normal; another process may have rotated first.
      }
    }
  }

  append(record: string): void {
    const line = `${record}\n`;
    try {
      let size = 0;
      try {
        size = fs.statSync(this.file).size;
      } catch {
        size = 0;
      }
      if (size > 0 && size + Buffer.byteLength(line) > this.maxBytes) this.rotate();
      fs.appendFileSync(this.file, line);
    } catch {
      // A full disk or a permission problem must not stop collection; stderr still has WARN+.
    }
  }
}

/**
 * Where the records of one destination go. The lines are formatted here, so a logging library
 * would only dispatch them; writing directly keeps its load time (winston and its dependencies
 * were ~60 ms of every input's start, issue 16) out of every run splunkd starts.
 */
interface Shared {
  file: SyncFile | undefined;
  stderr: NodeJS.WritableStream;
}

const registry = new Map<string, Shared>();
const streamIds = new WeakMap<object, number>();
let nextStreamId = 0;

// One destination per file and stderr stream; several stanzas of one process share it.
function shared(file: string | undefined, stderr: NodeJS.WritableStream, maxBytes: number, maxFiles: number): Shared {
  let sid = streamIds.get(stderr);
  if (sid === undefined) streamIds.set(stderr, (sid = nextStreamId++));
  const key = `${file ?? ''}\u0000${maxBytes}\u0000${maxFiles}\u0000${sid}`;
  const existing = registry.get(key);
  if (existing) return existing;
  if (file) fs.mkdirSync(path.dirname(file), { recursive: true });
  const entry: Shared = { file: file ? new SyncFile(file, maxBytes, maxFiles) : undefined, stderr };
  registry.set(key, entry);
  return entry;
}

class FileLogger implements Logger {
  constructor(
    private readonly out: Shared,
    private readonly input: string,
    private readonly threshold: number,
    private readonly redact: Redactor,
    private readonly meta: Record<string, unknown>,
  ) {}

  private write(level: LogLevel, message: string, meta?: Record<string, unknown>): void {
    if (LEVELS[level] > this.threshold) return;
    try {
      const { stanza, ...rest } = { ...this.meta, ...(meta ?? {}) };
      const msg = oneLine(this.redact(message));
      const pairs = formatPairs(rest, this.redact);
      const stanzaText = stanza === undefined ? '' : ` stanza="${oneLine(this.redact(valueText(stanza))).replace(/\\/g, '\\\\').replace(/"/g, '\\"')}"`;
      this.out.file?.append(`${formatTime(new Date())} ${level} pid=${process.pid} input=${this.input}${stanzaText} ${msg}${pairs}`);
      if (LEVELS[level] <= LEVELS.WARN) this.out.stderr.write(`${level} ${msg}${pairs}${stanzaText}\n`);
    } catch {
      // A logger that throws would turn a log call into a failed collection run.
    }
  }

  debug(message: string, meta?: Record<string, unknown>): void {
    this.write('DEBUG', message, meta);
  }
  info(message: string, meta?: Record<string, unknown>): void {
    this.write('INFO', message, meta);
  }
  warn(message: string, meta?: Record<string, unknown>): void {
    this.write('WARN', message, meta);
  }
  error(message: string, meta?: Record<string, unknown>): void {
    this.write('ERROR', message, meta);
  }
  child(meta: Record<string, unknown>): Logger {
    return new FileLogger(this.out, this.input, this.threshold, this.redact, { ...this.meta, ...meta });
  }
}

export function createLogger(opts: LoggerOptions): Logger {
  const level = parseLogLevel(opts.level) ?? 'INFO';
  const file = logFilePath(opts.input, opts.logDir);
  const out = shared(file, opts.stderr ?? process.stderr, opts.maxBytes ?? DEFAULT_MAX_BYTES, opts.maxFiles ?? DEFAULT_MAX_FILES);
  const logger = new FileLogger(out, opts.input, LEVELS[level], makeRedactor(opts.secrets ?? []),
    opts.stanza === undefined ? {} : { stanza: opts.stanza });
  if (opts.level !== undefined && parseLogLevel(opts.level) === undefined) {
    logger.warn(`Unknown log level "${oneLine(opts.level).slice(0, 40)}"; using INFO. Use DEBUG, INFO, WARN or ERROR.`);
  }
  return logger;
}

/**
 * Forgets every logger. File records are written synchronously, so this only waits until the
 * stderr streams took what was written to them; call it before the process exits.
 */
export async function closeLoggers(): Promise<void> {
  const streams = new Set([...registry.values()].map((s) => s.stderr));
  registry.clear();
  await Promise.all([...streams].map((stream) => new Promise<void>((resolve) => {
    // Never hang an exiting input on a stream that cannot be flushed.
    const timer = setTimeout(resolve, 2000);
    timer.unref();
    const done = () => { clearTimeout(timer); setImmediate(resolve); };
    if ((stream as Partial<Writable>).writableNeedDrain) stream.once('drain', done);
    else done();
  })));
}
