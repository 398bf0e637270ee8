/**
 * In-process runs of the Lacework Edge inputs through the real runtime, HTTP client and file
 * checkpoint store, against the simulator. Stood in for: the Lacework Edge API (simulator) and
 * splunkd's end of the event stream (a sink that keeps what it was given).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { createHttpClient } from '../../src/core/http';
import { runStanza, validateStanza, type RunSummary } from '../../src/core/runtime';
import type { Logger, OutEvent, Sink, Source } from '../../src/core/types';
import type { LaceworkSimulator } from '../../src/sources/lacework/simulator';

export interface LogLine { level: string; message: string }

export function recordingLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string) => void lines.push({ level, message });
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** splunkd's side of the stream: keeps every event it was handed. */
export class KeepingSink implements Sink {
  events: OutEvent[] = [];
  async write(_stanza: string, events: OutEvent[]): Promise<void> {
    this.events.push(...events);
  }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export function tempDir(prefix = 'lacework-'): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

/** Stanza params for a simulator, as splunkd would pass them. */
export function simParams(sim: LaceworkSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    base_url: sim.url,
    api_token: sim.token,
    auth_header: sim.options.authHeader,
    auth_scheme: sim.options.authScheme || 'none',
    time_unit: sim.options.timeUnit,
    start_date: '-6h',
    ...extra,
  };
}

export interface RunResult {
  summary: RunSummary;
  events: OutEvent[];
  logs: LogLine[];
  /** Parsed event bodies. */
  records: Array<Record<string, unknown>>;
}

export async function runOnce(
  source: Source, stanza: string, dir: string, params: Record<string, string>, opts: { now?: () => number } = {},
): Promise<RunResult> {
  const sink = new KeepingSink();
  const logs: LogLine[] = [];
  const summary = await runStanza(source, stanza, params, {
    sink,
    checkpoint: fileCheckpointStore(dir, stanza),
    log: recordingLogger(logs),
    // Short waits: the simulator's faults are about what happens, not how long.
    makeHttp: (o) => createHttpClient({ ...o, retry: { retries: 2, baseDelayMs: 10, maxDelayMs: 50 } }),
    signal: new AbortController().signal,
    stateDir: path.join(dir, 'state'),
    ...(opts.now ? { now: opts.now } : {}),
  });
  return { summary, events: sink.events, logs, records: sink.events.map((e) => JSON.parse(e.data) as Record<string, unknown>) };
}

export async function validateOnce(source: Source, stanza: string, params: Record<string, string>): Promise<string | undefined> {
  try {
    await validateStanza(source, stanza, params, {
      checkpoint: fileCheckpointStore(tempDir('lacework-validate-'), stanza),
      log: recordingLogger([]),
      makeHttp: (o) => createHttpClient(o),
      signal: new AbortController().signal,
      stateDir: tempDir('lacework-validate-'),
    });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function logText(logs: LogLine[], level?: string): string {
  return logs.filter((l) => !level || l.level === level).map((l) => l.message).join('\n');
}

/** Counts of each value; values seen more than once are the duplicates. */
export function duplicatesOf(values: string[]): string[] {
  const seen = new Map<string, number>();
  for (const v of values) seen.set(v, (seen.get(v) ?? 0) + 1);
  return [...seen].filter(([, n]) => n > 1).map(([v]) => v);
}
