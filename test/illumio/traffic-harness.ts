/**
 * Runs the traffic engine through the real runtime (runStanza: sink flush before checkpoint),
 * HTTP client and file checkpoint store against the simulated PCE. The input is not wired into
 * the registry yet (issue 17 first), so the description here is the smallest one runStanza
 * needs to parse the settings; the shipped description comes with the wiring.
 */
import * as path from 'node:path';
import { fileCheckpointStore } from '../../src/core/checkpoint';
import { commonConnectionArgs, type InputDescription, type TypedConfig } from '../../src/core/description';
import { createHttpClient } from '../../src/core/http';
import { runStanza } from '../../src/core/runtime';
import type { Batch, Sink, Source, SourceContext } from '../../src/core/types';
import { ILLUMIO_TRAFFIC_CHECKPOINT } from '../../src/sources/illumio/checkpoint';
import { pceUrlCheck } from '../../src/sources/illumio/description';
import type { IllumioSimulator } from '../../src/sources/illumio/simulator';
import { FLOW_SOURCETYPE, TrafficCollector, type TrafficCheckpoint, type TrafficConfig, type TrafficTuning } from '../../src/sources/illumio/traffic';
import { captureLogger, MemorySink, type RunResult } from './harness';

const list = (name: string) => ({ name, title: name, type: 'string' as const, list: true, description: name });
const num = (name: string) => ({ name, title: name, type: 'number' as const, description: name });

export const testTrafficDescription: InputDescription = {
  scheme: 'illumio_pce_traffic',
  title: 'Illumio PCE traffic flows (test)',
  description: 'test',
  sourcetype: FLOW_SOURCETYPE,
  defaultInterval: 600,
  args: [
    { name: 'pce_url', title: 'pce_url', type: 'string', required: true, description: 'pce', check: pceUrlCheck },
    { name: 'org_id', title: 'org_id', type: 'number', required: true, min: 1, description: 'org' },
    { name: 'api_key_id', title: 'api_key_id', type: 'string', required: true, description: 'key' },
    { name: 'api_secret', title: 'api_secret', type: 'string', required: true, secret: true, description: 'secret' },
    { name: 'start_date', title: 'start_date', type: 'string', description: 'start' },
    list('policy_decisions'), list('src_include'), list('src_exclude'), list('dst_include'), list('dst_exclude'), list('exclude_services'),
    num('max_results'), num('overlap'), num('lag'), num('window'),
    ...commonConnectionArgs(),
  ],
};

export interface TrafficRun extends RunResult { collector?: TrafficCollector }

export function trafficSource(tuning: Partial<TrafficTuning>, seen: { collector?: TrafficCollector }): Source<TypedConfig, TrafficCheckpoint> {
  return {
    description: testTrafficDescription,
    checkpoint: ILLUMIO_TRAFFIC_CHECKPOINT,
    validate: async () => undefined,
    collect(config: TypedConfig, ctx: SourceContext): AsyncIterable<Batch<TrafficCheckpoint>> {
      const c = new TrafficCollector(config as unknown as TrafficConfig, ctx, tuning);
      seen.collector = c;
      return c.run();
    },
  };
}

export function trafficParams(sim: IllumioSimulator, extra: Record<string, string> = {}): Record<string, string> {
  return { pce_url: sim.url, org_id: String(sim.org), api_key_id: sim.keyId, api_secret: sim.secret, start_date: '-3h', ...extra };
}

export const STANZA = 'illumio_pce_traffic://test';

export async function runTraffic(dir: string, p: Record<string, string>, now: () => number, tuning: Partial<TrafficTuning> = {},
  http: { sleeps?: number[]; sink?: Sink; signal?: AbortSignal } = {}): Promise<TrafficRun> {
  const memory = new MemorySink();
  const sink = http.sink ?? memory;
  const logs: RunResult['logs'] = [];
  const seen: { collector?: TrafficCollector } = {};
  const summary = await runStanza(trafficSource({ sleep: async () => undefined, ...tuning }, seen), STANZA, p, {
    sink,
    checkpoint: fileCheckpointStore(dir, STANZA),
    log: captureLogger(logs),
    // The HTTP client's own waits (429 Retry-After) are recorded, not slept.
    makeHttp: (o) => createHttpClient({ ...o, retry: { retries: 6, baseDelayMs: 20, maxDelayMs: 200 }, sleep: async (ms) => { http.sleeps?.push(ms); } }),
    signal: http.signal ?? new AbortController().signal,
    stateDir: path.join(dir, 'state'),
    now,
  });
  return { summary, events: memory.events, logs, collector: seen.collector };
}
