/**
 * `npm run bench -- launchers`: every input through its launcher as splunkd runs it, against the
 * floor process on the same bytes (see bench-launcher.ts for how each figure is taken). What each
 * vendor measures, and its own targets, come from its module (SourceModule.benches().launchers):
 *  - every launcher: module load <= 50 ms (steady state: the run bundle's V8 code cache, which
 *    the first run writes, is in place; the first run's figure is reported beside it), GC <= 20 % of CPU;
 *  - where a vendor asks: wall and CPU <= 1.5x the floor's, a throughput floor, a peak RSS;
 * all from this one run. BENCH_SCALE (default 1) scales the event counts; the functional test
 * runs it tiny. BENCH_ONLY=<scheme>[,<scheme>…] measures only those inputs' rows.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { bundle } from '../build/bundle';
import { atLeast, atMost, type Bench, type BenchResult } from '../core/bench';
import type { LauncherBench, LauncherBenchInput } from '../core/source-hooks';
import { findDescription, type SourceModule } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import { CACHE_SUBDIR } from './code-cache';
import { bestOf, runLauncher, startSim, workspace, type Best, type Input, type ProcessFigures, type SimProcess, type Workspace } from './bench-launcher';

const LOAD_MS = 50;
const GC_SHARE = 20;
const RATIO = 1.5;

export interface Sizes {
  /** Multiplies every vendor's event counts (at least 20 events a run). */
  scale: number;
  rounds: number;
}

export function sizes(scale = Number(process.env.BENCH_SCALE ?? 1)): Sizes {
  return { scale, rounds: scale < 1 ? 1 : 3 };
}

export function scaled(events: number, s: Sizes): number {
  return Math.max(20, Math.round(events * s.scale));
}

/** The label of a vendor's measured run, e.g. "<module> 100000 async". */
export function launcherLabel(m: SourceModule, b: LauncherBench, s: Sizes): string {
  return `${m.name} ${scaled(b.events, s)} ${b.mode}`;
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
    { name: `${label}: module load, CPU`, value: l.loadCpuMs, unit: 'ms' },
    { name: `${label}: peak RSS (VmHWM)`, value: l.rssMB, unit: 'MB' },
    { name: `${label}: floor peak RSS`, value: b.floor.rssMB, unit: 'MB' },
  ];
}

/** The steady-state figures that follow are warm only if the first run wrote its cache. */
function expectCodeCache(ws: Workspace, scheme: string): void {
  const dir = path.join(ws.dir, 'splunk', CACHE_SUBDIR);
  const files = fs.existsSync(dir) ? fs.readdirSync(dir) : [];
  if (!files.some((f) => f.startsWith(`run-${scheme}.`) && f.endsWith('.v8'))) throw new Error(`the first run of bin/${scheme}.sh wrote no code cache in ${dir}; later figures would not be a steady-state input's`);
}

/** The input's first run after an install or upgrade: no code cache yet (src/cli/code-cache.ts). */
function firstLoad(label: string, first: ProcessFigures): BenchResult[] {
  return [
    { name: `${label}: module load, first run (no code cache yet)`, value: first.loadMs, unit: 'ms' },
    { name: `${label}: module load, first run, CPU`, value: first.loadCpuMs, unit: 'ms' },
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

async function withSim<T>(ws: Workspace, kind: string, events: number, fn: (sim: SimProcess) => Promise<T>, variant?: string): Promise<T> {
  const sim = await startSim(ws, kind, events, variant);
  try {
    return await fn(sim);
  } finally {
    await sim.stop();
  }
}

function inputOf(m: SourceModule, i: LauncherBenchInput, sim: SimProcess): Input {
  const desc = findDescription([m], i.scheme);
  if (!desc) throw new Error(`${m.name} benches name ${i.scheme}, which is not one of its inputs`);
  return { scheme: i.scheme, sourcetype: desc.sourcetype, timeField: i.timeField, sim, ...(i.params ? { params: i.params } : {}) };
}

async function vendorBench(ws: Workspace, m: SourceModule, b: LauncherBench, s: Sizes): Promise<BenchResult[]> {
  const out: BenchResult[] = [];
  const events = scaled(b.events, s);
  await withSim(ws, m.name, events, async (sim) => {
    const input = inputOf(m, b.input, sim);
    // One run first so the page cache holds node, the bundle and the simulator its bodies. It is
    // also the input's first run: it compiles the bundle without a code cache and writes one.
    const first = await runLauncher(ws, input);
    expectCodeCache(ws, input.scheme);
    const best = await bestOf(ws, input, s.rounds, events);
    const label = launcherLabel(m, b, s);
    out.push(...report(label, best, events), ...firstLoad(label, first), ...ratios(label, best, !!b.ratioTargets));
    if (b.minRate !== undefined) {
      const rate = events / (best.launcherWallMs / 1000);
      out.push({ name: `${label}: throughput target`, value: rate, unit: 'events/s', ...atLeast(Math.round(rate), b.minRate) });
    }
    for (const also of b.alsoRun ?? []) {
      const cold = await runLauncher(ws, inputOf(m, also.input, sim));
      const r = await runLauncher(ws, inputOf(m, also.input, sim));
      out.push({ name: `${m.name} ${also.label}: module load`, value: r.loadMs, unit: 'ms', ...atMost(r2(r.loadMs), LOAD_MS) });
      out.push({ name: `${m.name} ${also.label}: module load, CPU`, value: r.loadCpuMs, unit: 'ms' });
      out.push(...firstLoad(`${m.name} ${also.label}`, cold));
      out.push({ name: `${m.name} ${also.label}: CPU user+sys`, value: r.cpuMs, unit: 'ms' });
    }
  }, b.simulator);
  // A memory bound at the measured size is the measured run's own peak RSS.
  const own = b.rss && scaled(b.rss.events, s) === events ? out.find((r) => r.name === `${launcherLabel(m, b, s)}: peak RSS (VmHWM)`) : undefined;
  if (own) Object.assign(own, atMost(r2(own.value), b.rss!.maxMB));
  if (b.rss && !own) {
    const n = scaled(b.rss.events, s);
    await withSim(ws, m.name, n, async (sim) => {
      const r = await runLauncher(ws, inputOf(m, b.input, sim));
      if (r.events !== n) throw new Error(`${m.name} rss run: ${r.events} of ${n} events`);
      out.push({ name: `${m.name} ${n} ${b.mode}: peak RSS (VmHWM)`, value: r.rssMB, unit: 'MB', ...atMost(r2(r.rssMB), b.rss!.maxMB) });
    }, b.simulator);
  }
  return out;
}

/** `build: false` when bin/lib is known to be current (the test's globalSetup built it). */
export async function launcherBenches(s: Sizes = sizes(), opts: { build?: boolean } = {}): Promise<BenchResult[]> {
  if (opts.build !== false) await bundle();
  const ws = await workspace();
  const out: BenchResult[] = [];
  try {
    const only = process.env.BENCH_ONLY?.split(',').filter(Boolean);
    for (const m of SOURCE_MODULES) {
      for (const b of (await m.benches?.())?.launchers ?? []) {
        if (!only || only.includes(b.input.scheme)) out.push(...(await vendorBench(ws, m, b, s)));
      }
    }
  } finally {
    await ws.close();
  }
  return out;
}

export const benches: Bench[] = [() => launcherBenches()];
