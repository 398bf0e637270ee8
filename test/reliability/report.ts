/**
 * The published figures: var/reliability/report.json (every case) and report.md (the table the
 * README carries: fault kinds × inputs, cases passed, events lost, duplicates after dedup,
 * at-least-once repeats, and one example of what the admin sees in the log).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { NOT_APPLICABLE, type CaseResult } from './matrix';
import { SOURCE_MODULES } from '../support/modules';

export const REPORT_DIR = path.resolve(__dirname, '..', '..', 'var', 'reliability');

export interface Report {
  profile: string;
  seeds: number[];
  generatedAt: string;
  host: { node: string; cpus: number; platform: string };
  cases: CaseResult[];
}

/** Column titles: each input's title from its module, in the vendor list's order. */
const SHORT: Record<string, string> = Object.fromEntries(SOURCE_MODULES.flatMap((m) => m.inputs.map((i) => [i.description.scheme, i.description.title])));

function cell(cs: CaseResult[]): string {
  if (!cs.length || cs.every((c) => c.faultedStatus === NOT_APPLICABLE)) return 'n/a';
  const run = cs.filter((c) => c.faultedStatus !== 'not run' && c.faultedStatus !== NOT_APPLICABLE);
  if (!run.length) return 'not run';
  const passed = run.filter((c) => c.passed).length;
  const lost = run.reduce((a, c) => a + c.lost, 0);
  const repeats = run.reduce((a, c) => a + c.repeats, 0);
  const svc = run.reduce((a, c) => a + c.serviceLost, 0);
  const parts = [`${passed}/${run.length}${passed === run.length ? ' ✓' : ' ✗'}`, `lost ${lost}`];
  if (repeats) parts.push(`repeats ${repeats}`);
  if (svc) parts.push(`service-side loss ${svc}`);
  return parts.join(', ');
}

const clip = (s: string, n: number) => (s.length > n ? `${s.slice(0, n - 1)}…` : s);
const mdEscape = (s: string) => s.replace(/\|/g, '\\|').replace(/\r?\n/g, ' ');
const noPorts = (s: string) => s.replace(/127\.0\.0\.1:\d+/g, '127.0.0.1:PORT').replace(/\/tmp\/[^ )"]+/g, '<checkpoint dir>/…');

export function markdown(r: Report): string {
  const order = Object.keys(SHORT);
  const inputs = [...new Set(r.cases.map((c) => c.input))].sort((a, b) => order.indexOf(a) - order.indexOf(b));
  const kinds = [...new Set(r.cases.map((c) => c.kind))];
  const lines: string[] = [];
  const total = r.cases.filter((c) => c.faultedStatus !== 'not run' && c.faultedStatus !== NOT_APPLICABLE);
  lines.push(`Reliability profile **${r.profile}** (seeds ${r.seeds.join(', ')}), ${total.length} faults, `
    + `${total.filter((c) => c.passed).length} survived; ${total.reduce((a, c) => a + c.lost, 0)} events lost, `
    + `${total.reduce((a, c) => a + c.duplicatesAfterDedup, 0)} duplicated after dedup by event id. Node ${r.host.node}, ${r.host.cpus} CPUs, ${r.generatedAt}.`);
  lines.push('');
  lines.push(`| Fault | ${inputs.map((i) => SHORT[i] ?? i).join(' | ')} |`);
  lines.push(`|---|${inputs.map(() => '---').join('|')}|`);
  for (const k of kinds) {
    lines.push(`| ${k} | ${inputs.map((i) => cell(r.cases.filter((c) => c.kind === k && c.input === i))).join(' | ')} |`);
  }
  lines.push('');
  lines.push('"repeats": deliveries of an event already delivered, only where a batch was written but its checkpoint could not be saved '
    + '(at-least-once; splunkd receives them again, a search deduplicates by event id). "service-side loss": events the vendor dequeued '
    + 'into an answer that never fully left it, or that a killed process held only in memory between the read and the spool fsync '
    + '(Prisma SaaS reads are destructive): no client can recover them. kill -9 figures are per session of kills and reruns.');
  lines.push('');
  lines.push('| Fault | How it was produced | What the admin sees (first ERROR, else WARN) |');
  lines.push('|---|---|---|');
  for (const k of kinds) {
    const all = r.cases.filter((c) => c.kind === k);
    const na = all.filter((c) => c.faultedStatus === NOT_APPLICABLE);
    const cs = all.filter((c) => c.faultedStatus !== NOT_APPLICABLE);
    const notHere = na.map((c) => `${SHORT[c.input] ?? c.input}: n/a, ${c.detail}`).join('; ');
    if (!cs.length) {
      lines.push(`| ${k} | | ${mdEscape(notHere)} |`);
      continue;
    }
    const how = cs.find((c) => c.mechanism)?.mechanism ?? cs[0].detail;
    const seen = cs.find((c) => c.logged && c.logged.startsWith('ERROR'))?.logged ?? cs.find((c) => c.logged)?.logged;
    const routine = cs.find((c) => c.routine);
    const said = seen ? `\`${mdEscape(clip(noPorts(seen), 220))}\`` : routine ? '' : 'nothing: not an error, the events pass';
    const why = routine ? `${seen ? ' — ' : ''}${routine.kind === 'kill -9' ? '' : `${SHORT[routine.input] ?? routine.input}: `}${routine.routine}` : '';
    lines.push(`| ${k} | ${mdEscape(how)} | ${said}${mdEscape(why)}${notHere ? mdEscape(` — ${notHere}`) : ''} |`);
  }
  const failed = total.filter((c) => !c.passed);
  if (failed.length) {
    lines.push('');
    lines.push('Failed cases:');
    for (const c of failed) lines.push(`- ${c.input} / ${c.kind} (${c.detail}): ${c.problems.join('; ')}`);
  }
  return `${lines.join('\n')}\n`;
}

/** Each suite writes its cases here; the report is made of every part present. */
export function writePart(profile: string, name: string, cases: CaseResult[], seeds: number[]): void {
  const dir = path.join(REPORT_DIR, 'parts', profile);
  fs.mkdirSync(dir, { recursive: true });
  fs.writeFileSync(path.join(dir, `${name}.json`), JSON.stringify({ seeds, cases }));
}

/** Writes this suite's part and the report of every part present (each suite's last act). */
export function publish(profile: string, name: string, cases: CaseResult[], seeds: number[]): { json: string; md: string } {
  writePart(profile, name, cases, seeds);
  return writeReport(mergeParts(profile));
}

export function mergeParts(profile: string): Report {
  const dir = path.join(REPORT_DIR, 'parts', profile);
  const parts = fs.existsSync(dir) ? fs.readdirSync(dir).filter((f) => f.endsWith('.json')).sort() : [];
  const docs = parts.map((f) => JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { seeds: number[]; cases: CaseResult[] });
  return {
    profile,
    seeds: [...new Set(docs.flatMap((d) => d.seeds))],
    generatedAt: new Date().toISOString(),
    host: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.release()}` },
    cases: docs.flatMap((d) => d.cases),
  };
}

export function writeReport(r: Report): { json: string; md: string } {
  fs.mkdirSync(REPORT_DIR, { recursive: true });
  const json = path.join(REPORT_DIR, `report${r.profile === 'soak' ? '' : `-${r.profile}`}.json`);
  const md = path.join(REPORT_DIR, `report${r.profile === 'soak' ? '' : `-${r.profile}`}.md`);
  fs.writeFileSync(json, `${JSON.stringify(r, null, 2)}\n`);
  fs.writeFileSync(md, markdown(r));
  return { json, md };
}
