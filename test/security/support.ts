/** Runs one stanza of a real source through the real runtime, capturing events and log lines. */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { createHttpClient } from '../../src/core/http';
import { runStanza, validateStanza, type RunSummary } from '../../src/core/runtime';
import type { CheckpointStore, HttpClientOptions, Logger, OutEvent, Sink, Source } from '../../src/core/types';

export interface Line { level: string; message: string; meta?: Record<string, unknown> }

export function capture(lines: Line[]): Logger {
  const at = (level: string) => (message: string, meta?: Record<string, unknown>) => { lines.push({ level, message, ...(meta ? { meta } : {}) }); };
  const log: Logger = { debug: at('debug'), info: at('info'), warn: at('warn'), error: at('error'), child: () => log };
  return log;
}

/** Everything a run wrote, as one text to search for secrets. */
export function written(lines: Line[]): string {
  return lines.map((l) => `${l.level} ${l.message} ${l.meta ? JSON.stringify(l.meta) : ''}`).join('\n');
}

export class MemorySink implements Sink {
  events: OutEvent[] = [];
  async write(_stanza: string, events: OutEvent[]): Promise<void> { this.events.push(...events); }
  async flush(): Promise<void> {}
  async close(): Promise<void> {}
}

export function tmp(prefix: string): string {
  return fs.mkdtempSync(path.join(os.tmpdir(), prefix));
}

export interface Ran { summary: RunSummary; events: OutEvent[]; lines: Line[]; dir: string }

export async function run(source: Source, stanza: string, params: Record<string, string>, o: {
  dir?: string; checkpoint?: CheckpointStore; http?: Partial<HttpClientOptions>; signal?: AbortSignal;
} = {}): Promise<Ran> {
  const dir = o.dir ?? tmp('ta-sec-');
  const sink = new MemorySink();
  const lines: Line[] = [];
  const summary = await runStanza(source, stanza, params, {
    sink,
    checkpoint: o.checkpoint ?? fileCheckpointStore(dir, stanza),
    log: capture(lines),
    makeHttp: (h) => createHttpClient({ ...h, retry: { retries: 1, baseDelayMs: 10, maxDelayMs: 20 }, ...(o.http ?? {}) }),
    signal: o.signal ?? new AbortController().signal,
    stateDir: path.join(dir, 'state'),
  });
  return { summary, events: sink.events, lines, dir };
}

export async function validate(source: Source, stanza: string, params: Record<string, string>): Promise<{ message?: string; lines: Line[] }> {
  const lines: Line[] = [];
  try {
    await validateStanza(source, stanza, params, {
      checkpoint: { load: async () => undefined, save: async () => undefined },
      log: capture(lines),
      makeHttp: (h) => createHttpClient(h),
      signal: new AbortController().signal,
      stateDir: tmp('ta-sec-validate-'),
    });
    return { lines };
  } catch (e) {
    return { message: (e as Error).message, lines };
  }
}
