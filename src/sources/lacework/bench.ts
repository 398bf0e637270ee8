/**
 * Lacework Edge on loopback, in this process: the redactor alone, and an alerts run that follows
 * a few thousand open alerts and reports changes. Targets: redaction far from being the limit; a
 * follow-up run well inside the default 300 s interval. The audit drain (a busy tenant's day,
 * about a million events, in under ten minutes: >= 2 000 events/s) is measured through its
 * launcher as splunkd runs it: src/cli/bench-launchers.ts.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchRun } from '../../core/bench-run';
import { atLeast, atMost, type Bench, type BenchResult } from '../../core/bench';
import type { SourceBenches } from '../../core/source-hooks';
import type { Source } from '../../core/types';
import { alertsSource } from './index';
import { redactBody } from './redact';
import { SimData, startLaceworkSimulator, type LaceworkSimulator } from './simulator';

const DAY = 86_400_000;

async function timedRun(source: Source, stanza: string, sim: LaceworkSimulator, dir: string, extra: Record<string, string>): Promise<{ seconds: number; events: number }> {
  const { summary, seconds } = await benchRun(source, stanza, { base_url: sim.url, api_token: sim.token, ...extra }, dir, 'ERROR');
  if (summary.status !== 'ok') throw new Error(`lacework bench: ${stanza} run ${summary.status}`);
  return { seconds, events: summary.events };
}

async function withSim<T>(fn: (sim: LaceworkSimulator, dir: string) => Promise<T>): Promise<T> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'lacework-bench-'));
  const sim = await startLaceworkSimulator({ seed: 5 });
  try {
    return await fn(sim, dir);
  } finally {
    await sim.stop();
    await fsp.rm(dir, { recursive: true, force: true });
  }
}

/** Seconds for the run after `changes` of `open` followed alerts changed (closures need GETs). */
function alertsFollowUp(open: number, changes: number): Promise<number> {
  return withSim(async (sim, dir) => {
    sim.addAlerts(open, Date.now() - DAY, Date.now() - 1000);
    const params = { start_date: '-25h', window: '3600', max_tracked_alerts: String(open) };
    await timedRun(alertsSource, 'lacework_edge_alerts://bench', sim, dir, params);
    sim.randomChanges(changes);
    const r = await timedRun(alertsSource, 'lacework_edge_alerts://bench', sim, dir, params);
    return r.seconds;
  });
}

function redactRate(): number {
  const data = new SimData(3);
  const bodies = Array.from({ length: 5000 }, (_, i) => data.auditEvent(i).request_body);
  const started = process.hrtime.bigint();
  let bytes = 0;
  for (let round = 0; round < 4; round++) for (const b of bodies) bytes += redactBody(b).length;
  const seconds = Number(process.hrtime.bigint() - started) / 1e9;
  return bytes > 0 ? (bodies.length * 4) / seconds : 0;
}

export async function bench(): Promise<BenchResult[]> {
  const redact = redactRate();
  const follow = await alertsFollowUp(3_000, 300);
  return [
    { name: 'lacework request_body redaction', value: redact, unit: 'bodies/s', ...atLeast(redact, 20_000) },
    { name: 'lacework alerts run: 3000 followed, 300 changed', value: follow, unit: 's', ...atMost(follow, 30) },
  ];
}

export const benches: Bench[] = [bench];

export const laceworkBenches: SourceBenches = {
  benches,
  launchers: [{
    input: { scheme: 'lacework_edge_audit', timeField: 'create_time', params: { window: '3600' } },
    events: 50_000,
    mode: 'audit',
    minRate: 2_000,
    // The alerts launcher against the same tenant (no alerts): what it costs to start.
    alsoRun: [{ label: 'alerts (empty run)', input: { scheme: 'lacework_edge_alerts', timeField: 'create_time', params: { start_date: '-1h' } } }],
  }],
};
