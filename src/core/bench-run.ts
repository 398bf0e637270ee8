/**
 * One stanza through the real runtime, file checkpoint, logger and HTTP client into an XML
 * stream that is counted and dropped: what every in-process collector bench measures (the
 * vendors' benches). Apart from src/core/bench.ts, which stays free of imports.
 */
import * as path from 'node:path';
import { Writable } from 'node:stream';
import { fileCheckpointStore } from './checkpoint';
import { createHttpClient } from './http';
import { createLogger } from './log';
import { runStanza, type RunSummary, type StanzaParams } from './runtime';
import { XmlStreamSink } from './sinks';
import type { Source } from './types';

export interface BenchRun {
  summary: RunSummary;
  seconds: number;
  /** Bytes of XML stream the run wrote. */
  bytes: number;
}

/** `dir` holds the checkpoints, state and log; reuse it for a second run of the same stanza. */
export async function benchRun(source: Source, stanza: string, params: StanzaParams, dir: string, level = 'WARN'): Promise<BenchRun> {
  let bytes = 0;
  const out = new Writable({ write(chunk: Buffer, _enc, cb) { bytes += chunk.length; cb(); } });
  const started = process.hrtime.bigint();
  const summary = await runStanza(source, stanza, params, {
    sink: new XmlStreamSink(out),
    checkpoint: fileCheckpointStore(path.join(dir, 'checkpoints'), stanza),
    log: createLogger({ input: source.description.scheme, stanza, level, logDir: dir }),
    makeHttp: (o) => createHttpClient(o),
    signal: new AbortController().signal,
    stateDir: path.join(dir, 'state'),
  });
  return { summary, seconds: Number(process.hrtime.bigint() - started) / 1e9, bytes };
}
