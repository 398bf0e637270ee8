/**
 * `npm start -- --standalone` end to end with the short profile: the collector's bundle run with
 * node against the three simulators, delivering into the loopback HEC receiver with acks. Run
 * twice on one folder: the second run sends only events the first did not; the summary table,
 * the alert line and the events file agree; no secret is in the config file or the output.
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { runProcess, type ProcessResult } from '../support/process';
import { SOURCE_MODULES } from '../../src/sources';

const ROOT = path.resolve(__dirname, '..', '..');
const SOURCETYPES = ['illumio:pce:event', 'pan:prisma_saas', 'lacework:edge:audit', 'lacework:edge:alert'];

function runDemo(dir: string, extra: string[] = []): Promise<ProcessResult> {
  return runProcess(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'demo.ts'), '--standalone', '--dir', dir, '--profile', 'short', ...extra], { cwd: ROOT });
}

interface Delivered { sourcetype: string; source: string; index: string; event: string }

function delivered(dir: string, run: number): Delivered[] {
  return fs.readFileSync(path.join(dir, 'out', `hec.run${run}.events.ndjson`), 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as Delivered);
}

function tableCount(out: string, sourcetype: string): number {
  const m = new RegExp(`${sourcetype.replace(/[.:]/g, '\\$&')}\\s+(\\d+)\\s+(\\d+)\\s+[\\d.]+\\s+0$`, 'm').exec(out);
  if (!m) throw new Error(`no row for ${sourcetype} in:\n${out}`);
  return Number(m[1]);
}

function alertKinds(events: Delivered[]): { new: number; updated: number } {
  const kinds = events.filter((e) => e.sourcetype === 'lacework:edge:alert').map((e) => (JSON.parse(e.event) as { change_kind: string }).change_kind);
  return { new: kinds.filter((k) => k === 'new').length, updated: kinds.filter((k) => k === 'updated').length };
}

test('two standalone runs into the local HEC: all events, then only new ones', async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-demo-standalone-'));
  const first = await runDemo(dir);
  expect(first.err).toBe('');
  expect(first.code).toBe(0);
  expect(first.out).toMatch(/^HEC receiver: http:\/\/127\.0\.0\.1:\d+ \(indexer acknowledgement on/m);
  expect(first.out).toMatch(/^input\s+sourcetype\s+events\s+errors\s+time \(s\)\s+exit$/m);
  expect(tableCount(first.out, 'illumio:pce:event')).toBe(300);
  expect(tableCount(first.out, 'pan:prisma_saas')).toBe(200);
  expect(tableCount(first.out, 'lacework:edge:audit')).toBe(150);
  const ev1 = delivered(dir, 1);
  for (const st of SOURCETYPES) expect(ev1.filter((e) => e.sourcetype === st).length).toBe(tableCount(first.out, st));
  expect(ev1.every((e) => e.index === 'zerotrust')).toBe(true);
  const k1 = alertKinds(ev1);
  expect(k1.updated).toBe(0);
  expect(first.out).toContain(`alerts: ${k1.new} alert events = ${k1.new} new alerts + 0 updates of alerts collected before`);
  expect(first.out).toMatch(new RegExp(`^HEC: ${ev1.length} events received, ${ev1.length} acknowledged, \\d+ ack polls; the collector exited 0$`, 'm'));
  for (const st of SOURCETYPES) expect(first.out).toMatch(new RegExp(`^  ${st}\\n    _time=\\S+  eventtype=`, 'm'));
  // The config names no secret; the secrets were in the collector's environment only.
  const config = fs.readFileSync(path.join(dir, 'collector.json'), 'utf8');
  expect(config).not.toMatch(/secret"|token"|api_token|client_secret"/);
  expect(JSON.parse(config).sink).toMatchObject({ type: 'hec', ack: true });
  // One checkpoint per input that keeps one (its source declares a checkpoint format).
  const keeping = (await Promise.all(SOURCE_MODULES.flatMap((m) => m.inputs.map(async (i) => ((await i.load()).checkpoint ? i.description.scheme : undefined))))).filter(Boolean);
  const files = fs.readdirSync(path.join(dir, 'state', 'checkpoints')).filter((f) => f.endsWith('.json'));
  expect(files.map((f) => f.split('__')[0]).sort()).toEqual([...keeping].sort());

  const second = await runDemo(dir, ['--no-preview']);
  expect(second.err).toBe('');
  expect(second.code).toBe(0);
  expect(second.out).toMatch(/run 2 \(previous \d+ s ago: only new events are collected\)/);
  const ev2 = delivered(dir, 2);
  const seen = new Set(ev1.map((e) => e.event));
  expect(ev2.filter((e) => seen.has(e.event))).toEqual([]);
  // Prisma's queue holds new events for every run.
  expect(ev2.filter((e) => e.sourcetype === 'pan:prisma_saas').length).toBeGreaterThan(0);
  // An alert event of run 2 is a new alert or an update of one from run 1, never a repeat.
  const k2 = alertKinds(ev2);
  expect(second.out).toContain(`alerts: ${k2.new + k2.updated} alert event${k2.new + k2.updated === 1 ? '' : 's'} = ${k2.new} new alert${k2.new === 1 ? '' : 's'} + ${k2.updated} update`);
  expect(second.out).toMatch(new RegExp(`^total\\s+${ev2.length}\\s+0\\s`, 'm'));
}, 240_000);
