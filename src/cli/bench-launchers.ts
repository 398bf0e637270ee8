/**
 * `npm run bench -- launchers`: every input through its launcher as splunkd runs it, against the
 * floor process on the same bytes (see bench-launcher.ts for how each figure is taken).
 *
 * Targets (issue 16), all from this one run:
 *  - Illumio, 100 000 events via the async collection: wall <= 1.5x the floor's, CPU <= 1.5x
 *    the floor's CPU; GC <= 20 % of CPU; peak RSS <= 150 MB at 200 000 events;
 *  - every launcher: module load <= 50 ms, GC <= 20 % of CPU;
 *  - Prisma bulk and Lacework audit: reported the same way, with their throughput floors.
 * BENCH_SCALE (default 1) scales the event counts; the functional test runs it tiny.
 */
import { bundle } from '../build/bundle';
import { atLeast, atMost, type Bench, type BenchResult } from './bench';
import { bestOf, runLauncher, startSim, workspace, type Best, type Input, type SimKind, type SimProcess, type Workspace } from './bench-launcher';

const LOAD_MS = 50;
const GC_SHARE = 20;
const RATIO = 1.5;
const ILLUMIO_RSS_MB = 150;

export interface Sizes {
  illumio: number;
  illumioRss: number;
  prisma: number;
  lacework: number;
  rounds: number;
}

export function sizes(scale = Number(process.env.BENCH_SCALE ?? 1)): Sizes {
  const n = (v: number) => Math.max(20, Math.round(v * scale));
  return { illumio: n(100_000), illumioRss: n(200_000), prisma: n(50_000), lacework: n(50_000), rounds: scale < 1 ? 1 : 3 };
}

const r2 = (v: number) => Math.round(v * 100) / 100;

/** The figures every input reports, and the targets every launcher has. */
function report(label: string, b: Best, events: number): BenchResult[] {
  const l = b.launcher;
  const gcShare = (l.gcMs / l.cpuMs) * 100;
  return [
    { name: `${label}: events/s (best wall)`, value: events / (b.launcherWallMs / 1000), unit: 'events/s' },
    { name: `${label}: wall`, value: b.launcherWallMs, unit: 'ms' },
    { name: `${label}: CPU user+sys`, value: b.launcherCpuMs, unit: 'ms' },
    { name: `${label}: floor wall`, value: b.floorWallMs, unit: 'ms' },
    { name: `${label}: floor CPU`, value: b.floorCpuMs, unit: 'ms' },
    { name: `${label}: GC share of CPU`, value: gcShare, unit: '%', ...atMost(r2(gcShare), GC_SHARE) },
    { name: `${label}: floor GC share of CPU`, value: (b.floor.gcMs / b.floor.cpuMs) * 100, unit: '%' },
    { name: `${label}: module load`, value: l.loadMs, unit: 'ms', ...atMost(r2(l.loadMs), LOAD_MS) },
    { name: `${label}: peak RSS (VmHWM)`, value: l.rssMB, unit: 'MB' },
    { name: `${label}: floor peak RSS`, value: b.floor.rssMB, unit: 'MB' },
  ];
}

function ratios(label: string, b: Best, withTargets: boolean): BenchResult[] {
  const wall = b.launcherWallMs / b.floorWallMs;
  const cpu = b.launcherCpuMs / b.floorCpuMs;
  return [
    { name: `${label}: wall / floor wall`, value: r2(wall), unit: 'x', ...(withTargets ? atMost(r2(wall), RATIO) : {}) },
    { name: `${label}: CPU / floor CPU`, value: r2(cpu), unit: 'x', ...(withTargets ? atMost(r2(cpu), RATIO) : {}) },
  ];
}

async function withSim<T>(ws: Workspace, kind: SimKind, events: number, fn: (sim: SimProcess) => Promise<T>): Promise<T> {
  const sim = await startSim(ws, kind, events);
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

/** `build: false` when bin/lib is known to be current (the test's globalSetup built it). */
export async function launcherBenches(s: Sizes = sizes(), opts: { build?: boolean } = {}): Promise<BenchResult[]> {
  if (opts.build !== false) await bundle();
  const ws = await workspace();
  const out: BenchResult[] = [];
  try {
    await withSim(ws, 'illumio', s.illumio, async (sim) => {
      const input: Input = { scheme: 'illumio_pce_events', sourcetype: 'illumio:pce:event', timeField: 'timestamp', sim };
      // One run first so the page cache holds node, the bundle and the simulator its bodies.
      await runLauncher(ws, input);
      const b = await bestOf(ws, input, s.rounds, s.illumio);
      const label = `illumio ${s.illumio} async`;
      out.push(...report(label, b, s.illumio), ...ratios(label, b, true));
    });
    await withSim(ws, 'illumio', s.illumioRss, async (sim) => {
      const input: Input = { scheme: 'illumio_pce_events', sourcetype: 'illumio:pce:event', timeField: 'timestamp', sim };
      const r = await runLauncher(ws, input);
      if (r.events !== s.illumioRss) throw new Error(`illumio rss run: ${r.events} of ${s.illumioRss} events`);
      out.push({ name: `illumio ${s.illumioRss} async: peak RSS (VmHWM)`, value: r.rssMB, unit: 'MB', ...atMost(r2(r.rssMB), ILLUMIO_RSS_MB) });
    });
    await withSim(ws, 'prisma', s.prisma, async (sim) => {
      const input: Input = { scheme: 'prisma_saas_log_events', sourcetype: 'pan:prisma_saas', timeField: 'timestamp', sim };
      await runLauncher(ws, input);
      const b = await bestOf(ws, input, s.rounds, s.prisma);
      const label = `prisma ${s.prisma} bulk`;
      const rate = s.prisma / (b.launcherWallMs / 1000);
      out.push(...report(label, b, s.prisma), ...ratios(label, b, false));
      out.push({ name: `${label}: throughput target`, value: rate, unit: 'events/s', ...atLeast(Math.round(rate), 5_000) });
    });
    await withSim(ws, 'lacework', s.lacework, async (sim) => {
      const input: Input = { scheme: 'lacework_edge_audit', sourcetype: 'lacework:edge:audit', timeField: 'create_time', sim, params: { window: '3600' } };
      await runLauncher(ws, input);
      const b = await bestOf(ws, input, s.rounds, s.lacework);
      const label = `lacework ${s.lacework} audit`;
      const rate = s.lacework / (b.launcherWallMs / 1000);
      out.push(...report(label, b, s.lacework), ...ratios(label, b, false));
      out.push({ name: `${label}: throughput target`, value: rate, unit: 'events/s', ...atLeast(Math.round(rate), 2_000) });
      // The alerts launcher against the same tenant (no alerts): what it costs to start.
      const alerts = await runLauncher(ws, { scheme: 'lacework_edge_alerts', sourcetype: 'lacework:edge:alert', timeField: 'create_time', sim, params: { start_date: '-1h' } });
      out.push({ name: 'lacework alerts (empty run): module load', value: alerts.loadMs, unit: 'ms', ...atMost(r2(alerts.loadMs), LOAD_MS) });
      out.push({ name: 'lacework alerts (empty run): CPU user+sys', value: alerts.cpuMs, unit: 'ms' });
    });
  } finally {
    await ws.close();
  }
  return out;
}

export const benches: Bench[] = [() => launcherBenches()];
