/**
 * `npm start` end to end with the short profile: every vendor's simulator (SourceModule.demo), the
 * splunkd stand-in and every input's launcher spawned as splunkd does. Run twice on the same directory: the second run
 * collects only what the simulators produced since, never an event of the first run. Ctrl-C
 * (SIGINT) stops the launchers and the simulators and says so.
 */
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { SCHEME_SOURCETYPE, SCHEMES, SOURCE_MODULES } from '../support/modules';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCETYPES = [...new Set(SCHEMES.map((s) => SCHEME_SOURCETYPE.get(s)!))];

/** Per scheme, the events a first run of the short profile delivers where the vendor knows it in advance. */
async function firstRunCounts(): Promise<Map<string, number>> {
  const out = new Map<string, number>();
  for (const m of SOURCE_MODULES) for (const [s, n] of Object.entries((await m.demo!()).firstRun.short.events)) out.set(s, n);
  return out;
}

/** `change_kind` of a run's events that carry one (new or updated: alerts followed across runs). */
function changeKinds(dir: string, run: number): string[] {
  return SCHEMES.flatMap((s) => events(dir, s, run)).filter((e) => e.includes('"change_kind"'))
    .map((e) => (JSON.parse(e) as { change_kind?: string }).change_kind).filter((k): k is string => typeof k === 'string');
}

interface DemoRun { code: number | null; out: string; err: string }

function runDemo(dir: string, onOut?: (text: string, kill: (sig: NodeJS.Signals) => void) => void): Promise<DemoRun> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'demo.ts'), '--dir', dir, '--profile', 'short'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let out = '';
    let err = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => {
      out += c;
      onOut?.(out, (sig) => child.kill(sig));
    });
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, out, err }));
  });
}

function events(dir: string, scheme: string, run: number): string[] {
  const f = path.join(dir, 'out', `${scheme}.run${run}.events.ndjson`);
  // Each run also delivers its health event (sourcetype ta_zerotrust:health, tested in test/soc).
  return fs.readFileSync(f, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { event: string; sourcetype: string })
    .filter((e) => e.sourcetype !== 'ta_zerotrust:health').map((e) => e.event);
}

/** The summary table's events column for a sourcetype. */
function tableCount(out: string, sourcetype: string): number {
  const m = new RegExp(`${sourcetype.replace(/[.:]/g, '\\$&')}\\s+(\\d+)\\s+(\\d+)`).exec(out);
  if (!m) throw new Error(`no row for ${sourcetype} in:\n${out}`);
  return Number(m[1]);
}

function refused(url: string): Promise<boolean> {
  const u = new URL(url);
  return new Promise((resolve) => {
    const s = net.connect(Number(u.port), u.hostname);
    s.on('connect', () => { s.destroy(); resolve(false); });
    s.on('error', () => resolve(true));
  });
}

test('two runs: everything the first time, only new events the second, with summary and preview', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-demo-'));
  const first = await runDemo(dir);
  expect(first.err).not.toMatch(/ERROR|demo:/);
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/^input\s+sourcetype\s+events\s+errors\s+time \(s\)\s+exit$/m);
  // The short profile: each vendor's first-run count where it is known in advance; every input delivers.
  const counts = await firstRunCounts();
  expect(counts.size).toBeGreaterThan(0);
  for (const s of SCHEMES) {
    const n = tableCount(first.out, SCHEME_SOURCETYPE.get(s)!);
    expect([s, counts.has(s) ? n === counts.get(s) : n > 0]).toEqual([s, true]);
  }
  expect(first.out).toContain('secrets: moved to storage/passwords and masked in inputs.conf by each input');
  // Every vendor is on the simulators line with its own URL.
  for (const m of SOURCE_MODULES) expect(first.out).toMatch(new RegExp(`^simulators: .*${m.title} http://127\\.0\\.0\\.1:\\d+ `, 'm'));
  // Followed alerts: on a first run every alert event is a new alert, one per open alert of the
  // tenant; the line says which and why the tenant's alert count can differ (closed before first collection).
  const k1 = changeKinds(dir, 1);
  expect(k1.every((k) => k === 'new')).toBe(true);
  const tenant = /\(\d+ audit events; (\d+) alerts, (\d+) open\)/.exec(first.out)!;
  expect(first.out).toContain(`alerts: ${k1.length} alert events = ${k1.length} new alerts + 0 updates of alerts collected before (status, owner or incident status changed). The tenant has ${tenant[1]} alerts, ${tenant[2]} open`);
  expect(k1.length).toBe(Number(tenant[2]));
  for (const st of SOURCETYPES) expect(first.out).toMatch(new RegExp(`^  ${st}\\n    _time=\\S+  eventtype=`, 'm'));
  for (const s of SCHEMES) expect(events(dir, s, 1).length).toBe(tableCount(first.out, SCHEME_SOURCETYPE.get(s)!));
  const preview = fs.readFileSync(path.join(dir, 'preview.ndjson'), 'utf8').trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
  expect(new Set(preview.map((p) => p.sourcetype))).toEqual(new Set(SOURCETYPES));
  // The objects input filled the stand-in's KV store; the demo leaves it in kv/ and its preview enriches flows with it.
  const workloads = JSON.parse(fs.readFileSync(path.join(dir, 'kv', 'illumio_workloads.json'), 'utf8')) as { hostname: string; ven_state: string }[];
  expect(workloads.some((w) => w.ven_state === 'offline')).toBe(true);
  expect(first.out).toContain('KV store: ');
  const flows = preview.filter((p) => p.sourcetype === 'illumio:pce:flow' && (p.src_workload || p.dest_workload));
  expect(flows.length).toBeGreaterThan(0);
  for (const f of flows) expect(['online', 'offline', 'suspended', 'unmanaged', 'unknown']).toContain(f.dest_workload ? f.dest_ven_state : f.src_ven_state);
  expect(fs.readdirSync(path.join(dir, 'splunk', 'var', 'log', 'splunk')).sort()).toEqual(SCHEMES.map((s) => `ta_zerotrust_events_${s}.log`).sort());

  const second = await runDemo(dir);
  expect(second.code).toBe(0);
  expect(second.out).toMatch(/run 2 \(previous \d+ s ago: only new events are collected\)/);
  for (const s of SCHEMES) {
    const before = new Set(events(dir, s, 1));
    const now = events(dir, s, 2);
    expect(now.filter((e) => before.has(e))).toEqual([]);
  }
  // A destructive queue holds new events for every new run; the others deliver as time passed.
  expect(SCHEMES.some((s) => events(dir, s, 2).length > 0)).toBe(true);
  const k2 = changeKinds(dir, 2);
  const n2 = k2.filter((k) => k === 'new').length;
  expect(second.out).toMatch(new RegExp(`^alerts: ${k2.length} alert events? = ${n2} new alerts? \\+ ${k2.length - n2} updates? of alerts collected before`, 'm'));
  // The summary's total counts every event delivered, the runs' health events included.
  const total = SCHEMES.reduce((n, s) => n + fs.readFileSync(path.join(dir, 'out', `${s}.run2.events.ndjson`), 'utf8').split('\n').filter(Boolean).length, 0);
  expect(second.out).toMatch(new RegExp(`^total\\s+${total}\\s+0\\s`, 'm'));
}, 240_000);

test('Ctrl-C stops the launchers and the simulators cleanly', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-demo-int-'));
  let sent = false;
  const r = await runDemo(dir, (out, kill) => {
    if (!sent && /^simulators: /m.test(out)) {
      sent = true;
      // The signal should land while events stream in (the launchers have their handlers then).
      const poll = setInterval(() => {
        const outDir = path.join(dir, 'out');
        const flowing = fs.existsSync(outDir) && fs.readdirSync(outDir).some((f) => fs.statSync(path.join(outDir, f)).size > 0);
        if (flowing) {
          clearInterval(poll);
          kill('SIGINT');
        }
      }, 20);
    }
  });
  expect(sent).toBe(true);
  expect(r.code).toBe(130);
  expect(r.out).toMatch(/stopping: the inputs finish the batch in hand/);
  expect(r.out).toMatch(/stopped by Ctrl-C; the checkpoints hold what was delivered/);
  // The launchers ended on their own after the batch in hand (exit 0), not killed by a signal.
  expect(r.out).toMatch(/^input\s+sourcetype\s+events/m);
  expect(r.out).not.toMatch(/\(exit SIG/);
  // Every simulator and the splunkd stand-in are closed.
  const urls = [...r.out.matchAll(/(http:\/\/127\.0\.0\.1:\d+)/g)].map((m) => m[1]);
  // One per vendor, and the splunkd stand-in.
  expect(urls.length).toBe(SOURCE_MODULES.length + 1);
  for (const u of urls) expect(await refused(u)).toBe(true);
}, 240_000);
