/**
 * Benches of the artefact: an input measured the way splunkd runs it. `bin/<scheme>.sh` starts
 * cold, finds node, execs the shipped bundle with the shipped flags; the `<input>` XML arrives
 * on stdin and the `<stream>` leaves on stdout through pipes that this process reads (and counts)
 * as splunkd would. The vendor simulator runs in a third process (src/cli/bench-sim.ts).
 *
 * The floor (src/cli/bench-floor.ts) is another cold process with node's default flags doing
 * parse + per-event serialise + XML escape + write of the same vendor bytes. Launcher and floor
 * alternate, round by round, and the best round of each counts, so the host's other load hits
 * both alike.
 *
 * What is measured inside each process comes from a probe preloaded through NODE_OPTIONS
 * (`--require`), which the launcher passes on to node unchanged; the bundle, the flags and the
 * launcher are exactly what ships. The probe only observes:
 *  - CPU: process.resourceUsage() at exit (user + sys), plus the CPU of the children the launcher
 *    shell waited for before its exec (its `node --version` check: /proc/self/stat cutime+cstime,
 *    which survive the exec);
 *  - GC: the durations of perf_hooks 'gc' entries (a PerformanceObserver: one entry per GC;
 *    --trace-gc-nvp would print into the event stream);
 *  - module load: wall time inside the outermost Module._load calls (the bundle entry, the run
 *    bundle and anything loaded lazily later), i.e. reading, compiling and evaluating them; and
 *    the process's CPU time over the same spans, which other load on the host disturbs less;
 *  - peak RSS: VmHWM from /proc/self/status at exit.
 * Wall time is this process's: from spawn to the close of the launcher's pipes.
 */
import { HEALTH_SOURCETYPE } from '../core/app';
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import { promises as fsp } from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import * as readline from 'node:readline';

export const ROOT = path.resolve(__dirname, '..', '..');

/** Figures of one process, from the probe and from the pipes. */
export interface ProcessFigures {
  exitCode: number | null;
  wallMs: number;
  /** user + sys of the node process, plus the launcher shell's waited-for children. */
  cpuMs: number;
  gcMs: number;
  gcCount: number;
  /** GC ms by perf_hooks kind (1 minor, 2 major, 4 incremental, 8 weak callbacks). */
  gcKinds: Record<string, number>;
  /** Time spent loading modules (read + compile + evaluate), outermost loads summed. */
  loadMs: number;
  /** Process CPU (user + sys, all threads) during those loads. */
  loadCpuMs: number;
  /** The outermost loads that took 1 ms or more: [request, ms]. */
  loads: [string, number][];
  /** VmHWM. */
  rssMB: number;
  events: number;
  bytes: number;
  stderr: string;
}

const PROBE = `'use strict';
const fs = require('fs');
const Module = require('module');
const { performance, PerformanceObserver } = require('perf_hooks');
const out = process.env.TA_BENCH_PROBE;
delete process.env.TA_BENCH_PROBE;
let gcMs = 0, gcCount = 0;
const gcKinds = {};
const gcEntry = (e) => { gcMs += e.duration; gcCount++; const k = (e.detail && e.detail.kind) || e.kind; gcKinds[k] = (gcKinds[k] || 0) + e.duration; };
const obs = new PerformanceObserver((list) => { for (const e of list.getEntries()) gcEntry(e); });
obs.observe({ entryTypes: ['gc'] });
let loadMs = 0, loadCpuMs = 0, depth = 0;
const loads = [];
const load = Module._load;
Module._load = function (request) {
  if (depth) return load.apply(this, arguments);
  depth++;
  const t = performance.now();
  const c = process.cpuUsage();
  try { return load.apply(this, arguments); } finally {
    depth--;
    const d = performance.now() - t;
    const cu = process.cpuUsage(c);
    loadMs += d;
    loadCpuMs += (cu.user + cu.system) / 1000;
    if (d >= 1) loads.push([String(request).split('/').pop(), Math.round(d * 10) / 10]);
  }
};
process.on('exit', (code) => {
  for (const e of obs.takeRecords()) gcEntry(e);
  const stat = fs.readFileSync('/proc/self/stat', 'utf8');
  const f = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  const hwm = /VmHWM:\\s+(\\d+) kB/.exec(fs.readFileSync('/proc/self/status', 'utf8'));
  const ru = process.resourceUsage();
  fs.writeFileSync(out, JSON.stringify({
    code, cpuMs: (ru.userCPUTime + ru.systemCPUTime) / 1000, childCpuMs: (Number(f[13]) + Number(f[14])) * 10,
    gcMs, gcCount, gcKinds, loadMs, loadCpuMs, loads, rssKB: hwm ? Number(hwm[1]) : ru.maxRSS,
  }));
});
`;

/** A scratch directory holding the probe and the bundled floor; `close()` removes it. */
export interface Workspace {
  dir: string;
  probe: string;
  floor: string;
  close(): Promise<void>;
}

export async function workspace(): Promise<Workspace> {
  const dir = await fsp.mkdtemp(path.join(os.tmpdir(), 'ta-bench-'));
  const probe = path.join(dir, 'probe.cjs');
  await fsp.writeFile(probe, PROBE);
  const floor = path.join(dir, 'floor.js');
  const { build } = await import('esbuild');
  await build({ entryPoints: [path.join(__dirname, 'bench-floor.ts')], bundle: true, platform: 'node', target: 'node18', outfile: floor, logLevel: 'error' });
  return { dir, probe, floor, close: () => fsp.rm(dir, { recursive: true, force: true }) };
}

const END = '</event>';
const HEALTH = `<sourcetype>${HEALTH_SOURCETYPE}</sourcetype>`;

/** Runs a command with `input` on stdin; counts the events and bytes it writes on stdout. */
export async function measure(ws: Workspace, cmd: string, args: string[], input: string, env: NodeJS.ProcessEnv = {}): Promise<ProcessFigures> {
  const probeOut = path.join(ws.dir, `probe-${process.hrtime.bigint()}.json`);
  const started = process.hrtime.bigint();
  const child = spawn(cmd, args, {
    stdio: ['pipe', 'pipe', 'pipe'],
    env: { ...process.env, ...env, NODE_OPTIONS: `--require ${ws.probe}`, TA_BENCH_PROBE: probeOut },
  });
  let bytes = 0;
  let events = 0;
  let carry = '';
  // Matches that end inside the carried tail were counted with the previous chunk.
  const count = (text: string, needle: string, carried: number): number => {
    let n = 0;
    for (let i = text.indexOf(needle); i >= 0; i = text.indexOf(needle, i + needle.length)) if (i + needle.length > carried) n++;
    return n;
  };
  child.stdout.setEncoding('latin1');
  child.stdout.on('data', (s: string) => {
    bytes += s.length;
    const text = carry + s;
    // The run's own health event (src/core/runtime.ts) is not one of the input's events.
    events += count(text, END, carry.length) - count(text, HEALTH, carry.length);
    carry = text.slice(-(HEALTH.length - 1));
  });
  let stderr = '';
  child.stderr.on('data', (d: Buffer) => { if (stderr.length < 20_000) stderr += d.toString(); });
  child.stdin.on('error', () => undefined);
  child.stdin.end(input);
  const exitCode = await new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', resolve);
  });
  const wallMs = Number(process.hrtime.bigint() - started) / 1e6;
  let p: { cpuMs: number; childCpuMs: number; gcMs: number; gcCount: number; gcKinds: Record<string, number>; loadMs: number; loadCpuMs: number; loads: [string, number][]; rssKB: number };
  try {
    p = JSON.parse(await fsp.readFile(probeOut, 'utf8'));
  } catch {
    throw new Error(`${path.basename(cmd)} ${args.join(' ')} left no probe figures (exit ${exitCode}): ${stderr.slice(0, 2000)}`);
  }
  await fsp.rm(probeOut, { force: true });
  return {
    exitCode, wallMs, cpuMs: p.cpuMs + p.childCpuMs, gcMs: p.gcMs, gcCount: p.gcCount, gcKinds: p.gcKinds, loadMs: p.loadMs, loadCpuMs: p.loadCpuMs, loads: p.loads,
    rssMB: p.rssKB / 1024, events, bytes, stderr,
  };
}

function xmlAttr(s: string): string {
  return s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/"/g, '&quot;');
}

/** The `<input>` document splunkd writes on an input's stdin (modinput-fixtures/conf_with_2_inputs.xml). */
export function inputXml(stanza: string, params: Record<string, string>, checkpointDir: string): string {
  const p = Object.entries(params).map(([k, v]) => `      <param name="${xmlAttr(k)}">${xmlAttr(v)}</param>\n`).join('');
  return `<?xml version="1.0" encoding="utf-8"?>\n<input>\n  <server_host>bench</server_host>\n  <checkpoint_dir>${xmlAttr(checkpointDir)}</checkpoint_dir>\n`
    + `  <configuration>\n    <stanza name="${xmlAttr(stanza)}" app="TA-zerotrust-events">\n${p}      <param name="index">main</param>\n    </stanza>\n  </configuration>\n</input>\n`;
}

/** A simulator process (src/cli/bench-sim.ts). */
export interface SimProcess {
  params: Record<string, string>;
  /** The vendor's events as one JSON array: the floor's input. */
  floorFile: string;
  /** Puts the same events back in a queue a drain emptied (a destructive vendor API); a no-op elsewhere. */
  fill(): Promise<void>;
  stop(): Promise<void>;
}

/** `kind`: the name of a SourceModule with a simulator (src/cli/bench-sim.ts); `variant`: which of its data sets. */
export async function startSim(ws: Workspace, kind: string, events: number, variant?: string): Promise<SimProcess> {
  const floorFile = path.join(ws.dir, `${kind}${variant ? `-${variant}` : ''}-${events}.json`);
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(__dirname, 'bench-sim.ts'), kind, String(events), floorFile, ...(variant ? [variant] : [])], {
    cwd: ROOT, stdio: ['pipe', 'pipe', 'inherit'],
  });
  const lines = readline.createInterface({ input: child.stdout! });
  const waiting: ((l: string) => void)[] = [];
  const exited = new Promise<never>((_, reject) => child.on('exit', (code) => reject(new Error(`${kind} simulator exited (${code})`))));
  exited.catch(() => undefined);
  lines.on('line', (l) => waiting.shift()?.(l));
  const next = () => Promise.race([new Promise<string>((r) => waiting.push(r)), exited]);
  const params = JSON.parse(await next()) as Record<string, string>;
  return {
    params,
    floorFile,
    async fill() {
      child.stdin!.write('fill\n');
      await next();
    },
    async stop() {
      const gone = new Promise((r) => child.once('exit', r));
      child.stdin!.end();
      await Promise.race([gone, new Promise((r) => setTimeout(r, 5000).unref())]);
      if (child.exitCode === null) child.kill('SIGKILL');
    },
  };
}

export interface Input {
  scheme: string;
  sourcetype: string;
  /** The vendor field holding the event time (the floor writes it as <time>). */
  timeField: string;
  sim: SimProcess;
  /** Extra stanza parameters on top of the simulator's. */
  params?: Record<string, string>;
}

/** One cold run of bin/<scheme>.sh, a fresh checkpoint directory each time (a full collection). */
export async function runLauncher(ws: Workspace, input: Input): Promise<ProcessFigures> {
  const cpDir = await fsp.mkdtemp(path.join(ws.dir, 'cp-'));
  const splunkHome = path.join(ws.dir, 'splunk');
  fs.mkdirSync(path.join(splunkHome, 'var', 'log', 'splunk'), { recursive: true });
  try {
    await input.sim.fill();
    const stanza = `${input.scheme}://bench`;
    const xml = inputXml(stanza, { ...input.sim.params, ...input.params }, cpDir);
    // splunkd's environment: SPLUNK_HOME set, no NODE_EXTRA_CA_CERTS (node would parse every
    // listed certificate at start-up, a cost of the build host, not of the input).
    const r = await measure(ws, path.join(ROOT, 'bin', `${input.scheme}.sh`), [], xml, { SPLUNK_HOME: splunkHome, NODE_EXTRA_CA_CERTS: '' });
    if (r.exitCode !== 0) throw new Error(`bin/${input.scheme}.sh exited ${r.exitCode}: ${r.stderr.slice(0, 2000)}`);
    return r;
  } finally {
    await fsp.rm(cpDir, { recursive: true, force: true });
  }
}

export async function runFloor(ws: Workspace, input: Input): Promise<ProcessFigures> {
  const r = await measure(ws, process.execPath, [ws.floor, input.sim.floorFile, `${input.scheme}://bench`, input.sourcetype, input.timeField], '', { NODE_EXTRA_CA_CERTS: '' });
  if (r.exitCode !== 0) throw new Error(`bench floor exited ${r.exitCode}: ${r.stderr.slice(0, 2000)}`);
  return r;
}

export interface Best {
  launcher: ProcessFigures;
  floor: ProcessFigures;
  /** Best (lowest) wall and CPU over the rounds, each on its own. */
  launcherWallMs: number;
  launcherCpuMs: number;
  floorWallMs: number;
  floorCpuMs: number;
}

/**
 * `rounds` alternating rounds of floor then launcher. Per process the round with the least
 * CPU is kept whole (its GC share, module load and RSS belong together); wall is the best wall.
 */
export async function bestOf(ws: Workspace, input: Input, rounds: number, expectEvents: number): Promise<Best> {
  const fl: ProcessFigures[] = [];
  const la: ProcessFigures[] = [];
  for (let i = 0; i < rounds; i++) {
    fl.push(await runFloor(ws, input));
    la.push(await runLauncher(ws, input));
  }
  for (const r of la) {
    if (r.events !== expectEvents) throw new Error(`bin/${input.scheme}.sh wrote ${r.events} events, expected ${expectEvents}`);
  }
  const byCpu = (a: ProcessFigures, b: ProcessFigures) => a.cpuMs - b.cpuMs;
  return {
    launcher: [...la].sort(byCpu)[0],
    floor: [...fl].sort(byCpu)[0],
    launcherWallMs: Math.min(...la.map((r) => r.wallMs)),
    launcherCpuMs: Math.min(...la.map((r) => r.cpuMs)),
    floorWallMs: Math.min(...fl.map((r) => r.wallMs)),
    floorCpuMs: Math.min(...fl.map((r) => r.cpuMs)),
  };
}
