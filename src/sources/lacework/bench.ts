/**
 * Lacework Edge on loopback: a day of audit events drained by the real collector through the
 * runtime into the XML stream sink (redaction, dedup and checkpoint saves included), the
 * redactor alone, and an alerts run that follows a few thousand open alerts and reports changes.
 * Targets: a busy tenant's day of audit events (about a million) in under ten minutes; redaction
 * far from being the limit; a follow-up run well inside the default 300 s interval.
 */
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { benchRun } from '../../cli/bench-run';
import { atLeast, atMost, type Bench, type BenchResult } from '../../cli/bench';
import type { Source } from '../../core/types';
import { alertsSource, auditSource } from './index';
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

function auditDrain(events: number): Promise<number> {
  return withSim(async (sim, dir) => {
    sim.addAuditEvents(events, Date.now() - DAY, Date.now() - 1000);
    const r = await timedRun(auditSource, 'lacework_edge_audit://bench', sim, dir, { start_date: '-25h', window: '3600' });
    if (r.events !== events) throw new Error(`lacework bench: ${r.events} of ${events} audit events`);
    return events / r.seconds;
  });
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
  await auditDrain(2_000);
  const audit = await auditDrain(50_000);
  const redact = redactRate();
  const follow = await alertsFollowUp(3_000, 300);
  return [
    { name: 'lacework audit drain, redaction on (loopback → XML sink)', value: audit, unit: 'events/s', ...atLeast(audit, 2_000) },
    { name: 'lacework request_body redaction', value: redact, unit: 'bodies/s', ...atLeast(redact, 20_000) },
    { name: 'lacework alerts run: 3000 followed, 300 changed', value: follow, unit: 's', ...atMost(follow, 30) },
  ];
}

export const benches: Bench[] = [bench];
