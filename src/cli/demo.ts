/**
 * `npm start`: the add-on working end to end on one machine, in one command.
 *
 * Starts the three vendor simulators and a splunkd stand-in on loopback, then runs all four
 * inputs through their real launchers (bin/<scheme>.sh) exactly as splunkd does: `<input>` XML
 * on stdin with server_uri/session_key and a checkpoint_dir, the `<stream>` of events read from
 * stdout. Shows progress, a summary (events per input and sourcetype, errors, time) and a
 * `preview` of a few events of each sourcetype: the search-time fields Splunk would show.
 *
 * Everything stays under ./var/demo: checkpoints, the launchers' log files, the event streams,
 * and the simulators' history (state.json). The simulators replay that history on the next start
 * and add what "happened" since, so a second run collects only the new events, as a scheduled
 * input would. Ctrl-C stops the launchers (they finish the batch in hand) and the simulators.
 *
 *   npm start [-- --dir ./var/demo] [--profile full|short] [--no-preview]
 */
import { HEALTH_SOURCETYPE } from '../core/app';
import { spawn, type ChildProcess } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { SaxesParser } from 'saxes';
import { bundle } from '../build/bundle';
import { escapeXmlAttr, escapeXmlText } from '../core/protocol';
import { startIllumioSimulator, type IllumioSimulator } from '../sources/illumio/simulator';
import { startLaceworkSimulator, type LaceworkSimulator } from '../sources/lacework/simulator';
import { startPrismaSimulator, type PrismaSimulator } from '../sources/prisma/simulator';
import { startSplunkd, type SplunkdStandIn } from './splunkd-standin';
import { textTable } from './table';

const ROOT = path.resolve(__dirname, '..', '..');
import { APP_ID as APP } from '../core/app';
const DAY = 86_400_000;

export interface Profile {
  /** First run: history per vendor. */
  illumio: number;
  prisma: number;
  laceworkAudit: number;
  laceworkAlerts: number;
  /** Later runs: new events per second elapsed since the previous run (bounded). */
  perSecond: number;
  maxNew: number;
  previewPerSourcetype: number;
}

export const PROFILES: Record<string, Profile> = {
  full: { illumio: 5000, prisma: 3000, laceworkAudit: 1500, laceworkAlerts: 80, perSecond: 2, maxNew: 2000, previewPerSourcetype: 3 },
  short: { illumio: 300, prisma: 200, laceworkAudit: 150, laceworkAlerts: 12, perSecond: 2, maxNew: 200, previewPerSourcetype: 2 },
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
  /** Events by `change_kind` (Lacework alerts: new or updated). */
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

/**
 * What the alert events were: an alert event is written when an alert is first seen and again
 * whenever its status, owner or incident status changes, so events and alerts differ.
 */
export function alertsLine(runs: InputRun[], tenant: { alerts: number; open: number }): string {
  const n = (k: string) => runs.reduce((sum, r) => sum + (r.changes.get(k) ?? 0), 0);
  const events = n('new') + n('updated');
  const closed = tenant.alerts - tenant.open;
  return `alerts: ${events} alert event${events === 1 ? '' : 's'} = ${n('new')} new alert${n('new') === 1 ? '' : 's'} + ${n('updated')} update${n('updated') === 1 ? '' : 's'} of alerts collected before (status, owner or incident status changed).`
    + ` The tenant has ${tenant.alerts} alerts, ${tenant.open} open${closed ? ` (its alerts API lists open alerts: an alert closed before its first collection is never seen; a later closure is reported as an update)` : ''}.`;
}

export interface Options {
  dir: string;
  profile: Profile;
  preview: boolean;
  /** The standalone collector into a loopback HEC instead of the launchers (./demo-standalone). */
  standalone: boolean;
}

const USAGE = 'usage: npm start [-- --standalone] [--dir DIR] [--profile full|short] [--no-preview]';

const HELP = `${USAGE}
The add-on end to end on this machine: three vendor simulators (Illumio PCE, Prisma SaaS,
Lacework Edge) on 127.0.0.1, the four inputs, a summary table and a preview of the search-time
fields of a few events. Run it again to collect only what is new since.
  (default)        the inputs run through their launchers (bin/<scheme>.sh) as splunkd runs them,
                   against a splunkd stand-in; state under ./var/demo
  --standalone     the standalone collector (the bundle of dist/ta-zerotrust-collector-*.tgz,
                   run with node) delivers into a loopback HEC receiver with indexer
                   acknowledgement; state under ./var/demo-standalone
  --dir DIR        where state, events, checkpoints and logs go
  --profile P      full (default: 5000 PCE, 3000 Prisma, 1500 audit events, 80 alerts) or short
  --no-preview     skip the preview of search-time fields
`;

function parseArgs(argv: string[]): Options | undefined {
  let dir: string | undefined;
  let profile = PROFILES[process.env.TA_ZEROTRUST_DEMO_PROFILE ?? 'full'] ?? PROFILES.full;
  let preview = true;
  let standalone = false;
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    if (a === '--help' || a === '-h') return undefined;
    if (a === '--dir') dir = path.resolve(argv[++i] ?? '.');
    else if (a === '--profile') {
      const p = PROFILES[argv[++i] ?? ''];
      if (!p) throw new Error(`--profile must be one of ${Object.keys(PROFILES).join(', ')}`);
      profile = p;
    } else if (a === '--no-preview') preview = false;
    else if (a === '--standalone') standalone = true;
    else throw new Error(`unknown argument "${a}"; ${USAGE}`);
  }
  return { dir: dir ?? path.join(ROOT, 'var', standalone ? 'demo-standalone' : 'demo'), profile, preview, standalone };
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

/**
 * The Illumio PCE of every run so far: the first run's day of history, then per later run the
 * events between the previous run's collection end (the input stays 30 s behind "now") and this
 * one's, each segment with its own seed so hrefs are the same on every replay.
 */
export async function startIllumio(state: DemoState, p: Profile): Promise<IllumioSimulator> {
  const LAG = 31_000;
  const events = state.runs.map((t, i) => (i === 0
    ? { count: p.illumio, fromMs: t - DAY, toMs: t - LAG, seed: 1000 }
    : { count: newCount(p, state.runs[i - 1], t), fromMs: state.runs[i - 1] - LAG + 2000, toMs: t - LAG, seed: 1000 + i }))
    .filter((s) => s.count > 0 && s.toMs > s.fromMs);
  return startIllumioSimulator({ events, jobRetryAfterSec: 0, rateLimit: { requests: 100_000, windowMs: 60_000 } });
}

/** The Lacework tenant replayed with its own clock, so alert changes keep their times. */
export async function startLacework(state: DemoState, p: Profile): Promise<LaceworkSimulator> {
  let clock: number | undefined;
  const sim = await startLaceworkSimulator({ seed: 4242, now: () => clock ?? Date.now() });
  state.runs.forEach((t, i) => {
    clock = t;
    if (i === 0) {
      sim.addAuditEvents(p.laceworkAudit, t - DAY, t - 1000);
      sim.addAlerts(p.laceworkAlerts, t - DAY, t - 1000);
      sim.randomChanges(Math.ceil(p.laceworkAlerts / 4));
    } else {
      const prev = state.runs[i - 1];
      const n = newCount(p, prev, t);
      if (n) sim.addAuditEvents(n, prev, t - 1000);
      sim.addAlerts(Math.max(1, Math.round(n / 50)), prev, t - 1000);
      sim.randomChanges(3);
    }
  });
  clock = undefined;
  return sim;
}

/** Prisma's queue is destructive: what earlier runs read is gone; only this run's events are queued. */
export async function startPrisma(state: DemoState, p: Profile): Promise<PrismaSimulator> {
  const i = state.runs.length - 1;
  const count = i === 0 ? p.prisma : Math.max(20, newCount(p, state.runs[i - 1], state.runs[i]));
  return startPrismaSimulator({ events: count, longPollMs: 300, generator: { seed: 7000 + i } });
}

function inputXml(splunkd: SplunkdStandIn, checkpointDir: string, stanza: string, params: Record<string, string>): string {
  const ps = Object.entries(params).map(([k, v]) => `<param name="${escapeXmlAttr(k)}">${escapeXmlText(v)}</param>`).join('');
  return `<input><server_host>demo</server_host><server_uri>${escapeXmlText(splunkd.url)}</server_uri>`
    + `<session_key>${escapeXmlText(splunkd.sessionKey)}</session_key><checkpoint_dir>${escapeXmlText(checkpointDir)}</checkpoint_dir>`
    + `<configuration><stanza name="${escapeXmlAttr(stanza)}">${ps}</stanza></configuration></input>`;
}

/** Event metadata splunkd reads from `<event>` besides `<data>`. */
export interface StreamMeta {
  sourcetype: string;
  time?: string;
  source?: string;
  index?: string;
  host?: string;
}

/** Reads splunkd's `<stream>` as it arrives and reports each complete `<event>`. */
export class StreamReader {
  private readonly parser = new SaxesParser();
  private field: string | undefined;
  private meta: StreamMeta = { sourcetype: '' };
  private data = '';
  /** Set when the stream is not well-formed XML; splunkd would reject it too. */
  error: string | undefined;

  constructor(onEvent: (meta: StreamMeta, data: string) => void) {
    this.parser.on('opentag', (t) => {
      if (t.name === 'event') {
        this.meta = { sourcetype: '' };
        this.data = '';
      }
      this.field = t.name;
    });
    this.parser.on('text', (t) => {
      const f = this.field;
      if (f === 'data') this.data += t;
      else if (f === 'sourcetype' || f === 'time' || f === 'source' || f === 'index' || f === 'host') this.meta[f] = (this.meta[f] ?? '') + t;
    });
    this.parser.on('closetag', (t) => {
      this.field = undefined;
      if (t.name === 'event') onEvent(this.meta, this.data);
    });
    this.parser.on('error', (e) => {
      this.error ??= e.message;
    });
  }

  push(chunk: string): void {
    if (!this.error) this.parser.write(chunk);
  }
}

function launch(
  scheme: string, label: string, xml: string, dir: string, run: number, children: Set<ChildProcess>, samplesPer: number,
): Promise<InputRun> {
  const result = newInputRun(scheme, label);
  const started = Date.now();
  const outDir = path.join(dir, 'out');
  fs.mkdirSync(outDir, { recursive: true });
  const events = fs.createWriteStream(path.join(outDir, `${scheme}.run${run}.events.ndjson`));
  const env: NodeJS.ProcessEnv = { ...process.env, SPLUNK_HOME: path.join(dir, 'splunk'), TA_ZEROTRUST_NODE: process.execPath };
  delete env.TA_ZEROTRUST_APP_DIR;
  // Each launcher is a process group leader so Ctrl-C handling reaches the node it execs.
  const child = spawn(path.join(ROOT, 'bin', `${scheme}.sh`), [], { env, stdio: ['pipe', 'pipe', 'pipe'] });
  children.add(child);
  const reader = new StreamReader((meta, data) => {
    countEvent(result, meta.sourcetype, data, samplesPer);
    events.write(`${JSON.stringify({ ...meta, event: data })}\n`);
  });
  child.stdout.setEncoding('utf8').on('data', (c: string) => reader.push(c));
  child.stderr.setEncoding('utf8').on('data', (c: string) => {
    result.stderr += c;
  });
  child.stdin.end(xml);
  return new Promise((resolve) => {
    child.on('close', (code, signal) => {
      children.delete(child);
      result.code = code;
      result.signal = signal;
      result.ms = Date.now() - started;
      result.errors = (result.stderr.match(/^ERROR /gm) ?? []).length + (reader.error ? 1 : 0);
      if (reader.error) result.stderr += `ERROR the event stream is not well-formed XML: ${reader.error}\n`;
      result.warnings = (result.stderr.match(/^WARN /gm) ?? []).length;
      events.end(() => resolve(result));
    });
  });
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

/** Runs the real `preview` command on the samples of one sourcetype. */
export function preview(sourcetype: string, raws: string[]): Promise<Record<string, unknown>[]> {
  const tsx = require.resolve('tsx/cli', { paths: [ROOT] });
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [tsx, path.join(ROOT, 'src', 'cli', 'preview.ts'), '--sourcetype', sourcetype], { stdio: ['pipe', 'pipe', 'pipe'] });
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

/** The simulators of this run's history, closed by the returned closers (in reverse). */
export async function startSimulators(state: DemoState, p: Profile, closers: (() => Promise<void>)[]) {
  const illumio = await startIllumio(state, p);
  closers.push(() => illumio.stop());
  const prisma = await startPrisma(state, p);
  closers.push(() => prisma.stop());
  const lacework = await startLacework(state, p);
  closers.push(() => lacework.stop());
  const alerts = lacework.alerts();
  const tenant = { alerts: alerts.length, open: alerts.filter((a) => !a.closed_time).length };
  const line = `Illumio PCE ${illumio.url} (${illumio.size()} events), Prisma SaaS ${prisma.url} (${prisma.stats().queued} queued), Lacework Edge ${lacework.url} (${lacework.auditEvents().length} audit events; ${tenant.alerts} alerts, ${tenant.open} open)`;
  return { illumio, prisma, lacework, tenant, line };
}

/** Runs the real `preview` on each sourcetype's samples, prints a line per event, keeps all in preview.ndjson. */
export async function printPreview(out: NodeJS.WritableStream, results: InputRun[], dir: string): Promise<void> {
  out.write('\npreview (search-time fields from default/ and lookups/, as Splunk would show them):\n');
  const all: string[] = [];
  for (const r of results) {
    for (const [st, raws] of r.samples) {
      if (!raws.length) continue;
      const fields = await preview(st, raws);
      out.write(`  ${st}\n`);
      for (const f of fields) {
        out.write(`    ${previewLine(f)}\n`);
        all.push(JSON.stringify({ sourcetype: st, ...f }));
      }
    }
  }
  fs.writeFileSync(path.join(dir, 'preview.ndjson'), `${all.join('\n')}\n`);
}

async function main(): Promise<number> {
  const parsed = parseArgs(process.argv.slice(2));
  const out = process.stdout;
  if (!parsed) {
    out.write(HELP);
    return 0;
  }
  const opts = parsed;
  if (opts.standalone) return (await import('./demo-standalone')).runStandalone(opts, out);
  const where = shownDir(opts.dir);
  const tty = !!out.isTTY;
  const { state, stateFile, run } = nextRun(opts.dir, out, 'demo');
  out.write('building bin/lib (the bundle the launchers run)…\n');
  await bundle();

  const children = new Set<ChildProcess>();
  const closers: (() => Promise<void>)[] = [];
  let interrupted = false;
  const onSigint = () => {
    if (interrupted) process.exit(130);
    interrupted = true;
    out.write('\nstopping: the inputs finish the batch in hand (Ctrl-C again to quit at once)…\n');
    for (const c of children) c.kill('SIGTERM');
  };
  process.on('SIGINT', onSigint);
  process.on('SIGTERM', onSigint);

  try {
    const splunkd = await startSplunkd({ app: APP });
    closers.push(() => splunkd.close());
    const { illumio, prisma, lacework, tenant, line } = await startSimulators(state, opts.profile, closers);
    if (interrupted) return 130;
    // Saved before collecting: the checkpoints of this run refer to this history.
    fs.writeFileSync(stateFile, `${JSON.stringify(state)}\n`);
    out.write(`simulators: ${line}; splunkd stand-in ${splunkd.url}\n`);

    const cp = (scheme: string) => path.join(opts.dir, 'checkpoints', scheme);
    const lw = { base_url: lacework.url, api_token: lacework.token, start_date: '-25h' };
    const inputs: { scheme: string; label: string; name: string; params: Record<string, string> }[] = [
      {
        scheme: 'illumio_pce_events', label: 'Illumio PCE events', name: 'demo',
        params: { pce_url: illumio.url, org_id: String(illumio.org), api_key_id: illumio.keyId, api_secret: illumio.secret, start_date: '-25h' },
      },
      {
        scheme: 'prisma_saas_log_events', label: 'Prisma SaaS log events', name: 'demo',
        params: { base_url: prisma.url, client_id: prisma.clientId, client_secret: prisma.clientSecret, max_runtime: '60' },
      },
      { scheme: 'lacework_edge_audit', label: 'Lacework Edge audit', name: 'demo', params: { ...lw } },
      { scheme: 'lacework_edge_alerts', label: 'Lacework Edge alerts', name: 'demo', params: { ...lw } },
    ];
    for (const i of inputs) {
      fs.mkdirSync(cp(i.scheme), { recursive: true });
      // As in inputs.conf right after the admin created the input: secrets typed in clear, which
      // the input moves to storage/passwords and masks on its first run.
      splunkd.setConf('inputs', `${i.scheme}://${i.name}`, i.params);
    }
    fs.mkdirSync(path.join(opts.dir, 'splunk', 'var', 'log', 'splunk'), { recursive: true });

    const started = Date.now();
    const pending = inputs.map((i) => launch(i.scheme, i.label, inputXml(splunkd, cp(i.scheme), `${i.scheme}://${i.name}`, i.params), opts.dir, run, children, opts.profile.previewPerSourcetype));
    const live: InputRun[] = [];
    // Progress: the launchers' events as they stream in.
    const progress = setInterval(() => {
      const counts = [...children].length;
      const line = `  running ${counts} input${counts === 1 ? '' : 's'}, ${((Date.now() - started) / 1000).toFixed(1)} s, ${live.length} done`;
      if (tty) out.write(`\r${line}   `);
    }, 250);
    const results = await Promise.all(pending.map((p) => p.then((r) => {
      live.push(r);
      if (tty) out.write('\r\x1b[K');
      out.write(`  ${r.label}: ${r.events} events in ${(r.ms / 1000).toFixed(1)} s${r.code === 0 ? '' : ` (exit ${r.signal ?? r.code})`}\n`);
      return r;
    })));
    clearInterval(progress);
    if (tty) out.write('\r\x1b[K');

    out.write(`\n${summaryTable(results)}\n${alertsLine(results, tenant)}\n`);
    const secretsMoved = inputs.every((i) => splunkd.conf('inputs', `${i.scheme}://${i.name}`)?.[Object.keys(i.params).find((k) => /secret|token/.test(k))!] === '********');
    if (!interrupted) out.write(`secrets: ${secretsMoved ? 'moved to storage/passwords and masked in inputs.conf by each input' : 'NOT all masked (see the log files)'}\n`);
    for (const r of results) {
      if ((r.errors || r.code !== 0) && r.stderr.trim()) out.write(`\n${r.label} said on stderr:\n${r.stderr.trim().split('\n').slice(0, 5).map((l) => `  ${l.slice(0, 300)}`).join('\n')}\n`);
    }

    if (opts.preview && !interrupted) await printPreview(out, results, opts.dir);
    out.write(`\nevents: ${where}/out/*.run${run}.events.ndjson  logs: ${where}/splunk/var/log/splunk/  checkpoints: ${where}/checkpoints/\n`);
    if (interrupted) {
      out.write('stopped by Ctrl-C; the checkpoints hold what was delivered, the next run goes on from there.\n');
      return 130;
    }
    out.write('run `npm start` again to collect only what is new.\n');
    return results.every((r) => r.code === 0) ? 0 : 1;
  } finally {
    for (const c of children) c.kill('SIGKILL');
    for (const close of closers.reverse()) await close().catch(() => undefined);
    process.off('SIGINT', onSigint);
    process.off('SIGTERM', onSigint);
  }
}

if (require.main === module) {
  main().then((code) => process.exit(code)).catch((e: unknown) => {
    process.stderr.write(`demo: ${e instanceof Error ? e.message : String(e)}\n`);
    process.exit(1);
  });
}
