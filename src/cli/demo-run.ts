/**
 * What both demos share (`npm start` through the launchers, src/cli/demo.ts, and the standalone
 * collector's, src/cli/demo-standalone.ts): the profiles, the simulators' history, starting each
 * vendor's simulator (SourceModule.demo), counting what arrived, the summary and the preview.
 */
import { HEALTH_SOURCETYPE } from '../core/app';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type { DemoInput, DemoProfileName, RunningDemo } from '../core/source-hooks';
import type { SourceModule } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import { textTable } from './table';

const ROOT = path.resolve(__dirname, '..', '..');
/** How much the simulators hold: the first run's history is each vendor's (DemoPart.firstRun). */
export interface Profile {
  name: DemoProfileName;
  /** Later runs: new events per second elapsed since the previous run (bounded). */
  perSecond: number;
  maxNew: number;
  previewPerSourcetype: number;
}

export const PROFILES: Record<string, Profile> = {
  full: { name: 'full', perSecond: 2, maxNew: 2000, previewPerSourcetype: 3 },
  short: { name: 'short', perSecond: 2, maxNew: 200, previewPerSourcetype: 2 },
};

/** What the simulators "lived through": replayed on every start so ids stay the same. */
export interface DemoState {
  version: 1;
  /** Start of the first run. */
  epoch: number;
  /** Start of each run, the first included. */
  runs: number[];
}

export interface InputRun {
  scheme: string;
  label: string;
  events: number;
  bySourcetype: Map<string, number>;
  errors: number;
  warnings: number;
  ms: number;
  code: number | null;
  signal: NodeJS.Signals | null;
  samples: Map<string, string[]>;
  stderr: string;
  /** Events by their `change_kind` field (new or updated), where a vendor's events carry one. */
  changes: Map<string, number>;
}

export function newInputRun(scheme: string, label: string): InputRun {
  return {
    scheme, label, events: 0, bySourcetype: new Map(), errors: 0, warnings: 0, ms: 0, code: null, signal: null, samples: new Map(), stderr: '', changes: new Map(),
  };
}

/** Counts one delivered event of a run: per sourcetype, per change kind, and keeps a few samples. */
export function countEvent(r: InputRun, sourcetype: string, data: string, samplesPer: number): void {
  r.events += 1;
  r.bySourcetype.set(sourcetype, (r.bySourcetype.get(sourcetype) ?? 0) + 1);
  const s = r.samples.get(sourcetype) ?? [];
  // The preview shows vendor data; the run's own health event is counted, not previewed.
  if (sourcetype !== HEALTH_SOURCETYPE && s.length < samplesPer && !data.includes('\n')) s.push(data);
  r.samples.set(sourcetype, s);
  if (data.includes('"change_kind"')) {
    try {
      const kind = (JSON.parse(data) as { change_kind?: unknown }).change_kind;
      if (typeof kind === 'string') r.changes.set(kind, (r.changes.get(kind) ?? 0) + 1);
    } catch {
      // Not JSON: no change kind to count.
    }
  }
}

export interface Options {
  dir: string;
  profile: Profile;
  preview: boolean;
  /** The standalone collector into a loopback HEC instead of the launchers (./demo-standalone). */
  standalone: boolean;
}

export function readState(file: string, now: number): DemoState {
  try {
    const s = JSON.parse(fs.readFileSync(file, 'utf8')) as DemoState;
    if (s.version === 1 && Array.isArray(s.runs) && s.runs.every((r) => typeof r === 'number') && s.runs.length) return s;
  } catch {
    // First run, or state from something else: start a new history.
  }
  return { version: 1, epoch: now, runs: [] };
}

/** New events for run i: proportional to the time since run i-1, bounded. */
function newCount(p: Profile, from: number, to: number): number {
  return Math.max(0, Math.min(p.maxNew, Math.round(((to - from) / 1000) * p.perSecond)));
}

export function summaryTable(runs: InputRun[]): string {
  const rows = [['input', 'sourcetype', 'events', 'errors', 'time (s)', 'exit']];
  for (const r of runs) {
    const sts = [...r.bySourcetype.entries()];
    const exit = r.signal ?? String(r.code);
    if (!sts.length) rows.push([r.label, '-', '0', String(r.errors), (r.ms / 1000).toFixed(1), exit]);
    sts.forEach(([st, n], i) => rows.push([i ? '' : r.label, st, String(n), i ? '' : String(r.errors), i ? '' : (r.ms / 1000).toFixed(1), i ? '' : exit]));
  }
  const total = runs.reduce((s, r) => s + r.events, 0);
  rows.push(['total', '', String(total), String(runs.reduce((s, r) => s + r.errors, 0)), (Math.max(0, ...runs.map((r) => r.ms)) / 1000).toFixed(1), '']);
  return textTable(rows, new Set([2, 3, 4]));
}

/** Runs the real `preview` command on the samples of one sourcetype (with the KV data in `kvDir`, if any). */
export function preview(sourcetype: string, raws: string[], kvDir?: string): Promise<Record<string, unknown>[]> {
  const tsx = require.resolve('tsx/cli', { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, path.join(ROOT, 'src', 'cli', 'preview.ts'), '--sourcetype', sourcetype, ...(kvDir ? ['--kv', kvDir] : [])], { stdio: ['pipe', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (out += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('close', (code) => (code === 0
      ? resolve(out.trim().split('\n').filter(Boolean).map((l) => JSON.parse(l) as Record<string, unknown>))
      : reject(new Error(`preview --sourcetype ${sourcetype} exited ${code}: ${err.trim()}`))));
    child.stdin.end(`${raws.join('\n')}\n`);
  });
}

/** The fields an analyst looks at first; the rest are in var/demo/preview.ndjson. */
const SHOWN = ['eventtype', 'tag', 'action', 'app', 'user', 'src', 'dest', 'severity', 'signature', 'object', 'status', 'vendor_product'];

export function previewLine(fields: Record<string, unknown>): string {
  const show = (v: unknown) => (Array.isArray(v) ? v.join(',') : String(v));
  const parts = [`_time=${show(fields._time)}`];
  for (const k of SHOWN) {
    const v = fields[k];
    if (v !== undefined && v !== '' && !(Array.isArray(v) && !v.length)) parts.push(`${k}=${show(v)}`);
  }
  const line = parts.join('  ');
  return line.length > 220 ? `${line.slice(0, 219)}…` : line;
}

/** Where a demo keeps its things, as the user should read it. */
export function shownDir(dir: string): string {
  const rel = path.relative(process.cwd(), dir);
  return !rel ? '.' : rel.startsWith('..') ? dir : rel;
}

/** This run's place in the simulators' history: state.json gets this run appended. */
export function nextRun(dir: string, out: NodeJS.WritableStream, what: string): { state: DemoState; stateFile: string; run: number; now: number } {
  fs.mkdirSync(dir, { recursive: true });
  const stateFile = path.join(dir, 'state.json');
  const now = Date.now();
  const state = readState(stateFile, now);
  state.runs.push(now);
  const run = state.runs.length;
  out.write(`TA-zerotrust-events ${what}, run ${run}${run > 1 ? ` (previous ${Math.round((now - state.runs[run - 2]) / 1000)} s ago: only new events are collected)` : ''}; everything under ${shownDir(dir)}\n`);
  return { state, stateFile, run, now };
}

/** One vendor's simulator and inputs for this run. */
export interface DemoVendor {
  module: SourceModule;
  running: RunningDemo;
}

/** The simulators of this run's history, one per vendor, closed by the returned closers (in reverse). */
export async function startSimulators(state: DemoState, p: Profile, closers: (() => Promise<void>)[]) {
  const vendors: DemoVendor[] = [];
  const ctx = { profile: p.name, runs: state.runs, newCount: (from: number, to: number) => newCount(p, from, to) };
  for (const m of SOURCE_MODULES) {
    if (!m.demo) throw new Error(`the ${m.title} module (src/sources/${m.name}) has no demo part (SourceModule.demo)`);
    const running = await (await m.demo()).start(ctx);
    closers.push(() => running.stop());
    vendors.push({ module: m, running });
  }
  const inputs: DemoInput[] = vendors.flatMap((v) => v.running.inputs);
  const accounts = vendors.flatMap((v) => v.running.accounts ?? []);
  const line = vendors.map((v) => `${v.module.title} ${v.running.line}`).join(', ');
  /** The vendors' lines under the summary table. */
  const summary = (runs: readonly InputRun[]) => vendors.flatMap((v) => v.running.summary?.(runs) ?? []);
  return { vendors, inputs, accounts, line, summary };
}

/**
 * Runs the real `preview` on each sourcetype's samples, prints a line per event, keeps all in
 * preview.ndjson; `kvDir`: the KV store this run's objects input filled (enrichment lookups).
 */
export async function printPreview(out: NodeJS.WritableStream, results: InputRun[], dir: string, kvDir?: string): Promise<void> {
  out.write(`\npreview (search-time fields from default/ and lookups/${kvDir ? ', and the KV store the objects input filled' : ''}, as Splunk would show them):\n`);
  const all: string[] = [];
  for (const r of results) {
    for (const [st, raws] of r.samples) {
      if (!raws.length) continue;
      const fields = await preview(st, raws, kvDir);
      out.write(`  ${st}\n`);
      for (const f of fields) {
        out.write(`    ${previewLine(f)}\n`);
        all.push(JSON.stringify({ sourcetype: st, ...f }));
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'preview.ndjson'), `${all.join('\n')}\n`);
}
