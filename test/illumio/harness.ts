/**
 * In-process runs of the illumio input through the real runtime (runStanza), HTTP client and
 * file checkpoint store, against the simulated PCE. Only the outside world is stood in for:
 * the PCE (simulator) and Splunk's receiving end (a sink that keeps what it was given).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import type { AccountSource } from '../../src/core/accounts';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { createHttpClient } from '../../src/core/http';
import { runStanza, validateStanza, type RunSummary } from '../../src/core/runtime';
import type { Logger, OutEvent, Sink, Source } from '../../src/core/types';
import type { IllumioSimulator } from '../../src/sources/illumio/simulator';
import { illumioReferenceEventTypes } from '../../src/sources/illumio/reference-facts';

/**
 * Event types of Illumio's reference list (src/sources/illumio/facts/event-types.json) in the
 * `<resource>.<verb>` form the simulator emits; the two bare names (logout_from_jwt, support_reports)
 * are left out, as eventTypesFromTsv does for the simulator's --event-types file.
 */
export const TSV_TYPES = Object.keys(illumioReferenceEventTypes()).filter((t) => /^[a-z0-9_]+\.[a-z0-9_.]+$/.test(t));

export interface LogLine { level: string; message: string }

export function captureLogger(lines: LogLine[]): Logger {
  const at = (level: string) => (message: string) => { lines.push({ level, message }); };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

export class MemorySink implements Sink {
  events: OutEvent[] = [];
  async write(_stanza: string, events: OutEvent[]): Promise<void> { this.events.push(...events); }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export function tmpDir(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export function params(sim: IllumioSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h', ...extra };
}

export interface RunResult { summary: RunSummary; events: OutEvent[]; logs: LogLine[] }

export async function runOnce(
  source: Source, _sim: IllumioSimulator, dir: string, p: Record<string, string>,
  opts: { now?: () => number; stanza?: string; signal?: AbortSignal; accounts?: AccountSource } = {},
): Promise<RunResult> {
  const sink = new MemorySink();
  const logs: LogLine[] = [];
  const stanza = opts.stanza ?? 'illumio_pce_events://test';
  const summary = await runStanza(source, stanza, p, {
    sink,
    checkpoint: fileCheckpointStore(dir, stanza),
    log: captureLogger(logs),
    // Retry quickly: the waits are the simulator's Retry-After, not the backoff base.
    makeHttp: (o) => createHttpClient({ ...o, retry: { retries: 6, baseDelayMs: 20, maxDelayMs: 200 } }),
    signal: opts.signal ?? new AbortController().signal,
    stateDir: path.join(dir, 'state'),
    ...(opts.now ? { now: opts.now } : {}),
    ...(opts.accounts ? { accounts: opts.accounts } : {}),
  });
  return { summary, events: sink.events, logs };
}

export async function validateOnce(source: Source, p: Record<string, string>): Promise<string | undefined> {
  const logs: LogLine[] = [];
  try {
    await validateStanza(source, 'illumio_pce_events://test', p, {
      checkpoint: { load: async () => undefined, save: async () => undefined },
      log: captureLogger(logs),
      makeHttp: (o) => createHttpClient(o),
      signal: new AbortController().signal,
      stateDir: tmpDir('illumio-validate-'),
    });
    return undefined;
  } catch (e) {
    return (e as Error).message;
  }
}

export function hrefsOf(events: OutEvent[]): string[] {
  return events.map((e) => String((JSON.parse(e.data) as { href: string }).href));
}
