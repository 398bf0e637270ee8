/**
 * The evaluator's PCRE2 match-limit model (src/core/knowledge/pcre-model.ts) against real PCRE2
 * (pcre2test from Debian's pcre2-utils), for every REPORT and EXTRACT regex of the app:
 * - it compiles each one to the code pcre2test prints with /B (auto-possessification, group
 *   copies), with the same first and last code units (/I);
 * - on crafted worst-case lines (a captured value blown up with its own text, with backslash
 *   escapes, with and without what follows it; the matched region repeated), the match() calls
 *   and depth it counts are pcre2test's find_limits figures (60 KB lines), and under Splunk's
 *   MATCH_LIMIT/DEPTH_LIMIT it gives the verdict PCRE2 gives (match, no match, which limit) on
 *   lines of 1 MB;
 * - the evaluator then extracts nothing from a transform PCRE2 gives up on, and counts it.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { KnowledgeBase } from '../../src/core/knowledge';
import { DEFAULT_REGEX_LIMITS } from '../../src/core/knowledge/limits';
import { compileModel, limitReachable, listing, ModelOutcome, runModel } from '../../src/core/knowledge/pcre-model';
import { compilePcre, RegexSubsetError } from '../../src/core/knowledge/regex';
import { requireTool } from '../support/require-tool';
import { patternLine, subjectLine } from './pcre2test';
import { appKnowledge, goldenLines, metaFor, SOURCETYPES } from './support';

const LIMITS = DEFAULT_REGEX_LIMITS;
const RULE = '------------------------------------------------------------------';

/** Lines built to make a regex backtrack: its longest capture blown up to `n` characters. */
function crafted(source: string, flags: string, subject: string, n: number): string[] {
  const re = compilePcre(source, { m: flags.includes('m'), s: flags.includes('s') });
  const m = new RegExp(re.re.source, `${re.re.flags}d`).exec(subject);
  if (!m) return [];
  const fill = (chunk: string) => chunk.repeat(Math.ceil(n / chunk.length)).slice(0, n);
  const out: string[] = [];
  let g = 0;
  m.indices!.forEach((r, i) => {
    if (i > 0 && r && (!g || r[1] - r[0] >= m.indices![g][1] - m.indices![g][0])) g = i;
  });
  if (g > 0) {
    const [a] = m.indices![g];
    const own = subject.slice(a, m.indices![g][1]).slice(0, 40) || 'a b';
    for (const chunk of [own, 'x\\"y\\\\ ', 'a b=c ']) {
      out.push(subject.slice(0, a) + fill(chunk) + subject.slice(a));
      out.push(subject.slice(0, a) + fill(chunk));
    }
  }
  const region = subject.slice(m.index, Math.max(m.index + m[0].length, m.index + 1));
  out.push(fill(region));
  return out;
}

function pcre2(pcre2test: string, input: string): string {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcre-model-'));
  const file = path.join(dir, 'in.txt');
  fs.writeFileSync(file, input);
  try {
    return execFileSync(pcre2test, ['-q', file], { encoding: 'utf8', maxBuffer: 1 << 30 });
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
}

/** pcre2test's verdict per subject: 'match', 'nomatch', 'matchlimit' or 'depthlimit'. */
function verdicts(out: string): string[] {
  return out
    .split('\n')
    .filter((l) => /^(?: 0: |No match$|Failed: error -)/.test(l))
    .map((l) => (l.startsWith(' 0: ') ? 'match' : l === 'No match' ? 'nomatch' : /error -47/.test(l) ? 'matchlimit' : /error -53/.test(l) ? 'depthlimit' : l));
}

describe('PCRE2 match-limit model', () => {
  const pcre2test = requireTool('pcre2test', 'apt-get update && apt-get install -y pcre2-utils');
  const kb = appKnowledge();
  const seen = new Set<string>();
  const regexes = kb.regexes().filter((r) => (r.kind === 'REPORT' || r.kind === 'EXTRACT') && !seen.has(r.flags + r.source) && seen.add(r.flags + r.source));
  const events = SOURCETYPES.flatMap((st) => goldenLines(st).map((raw) => ({ raw, fields: kb.evaluate(raw, metaFor(st)).fields })));
  const subjectsOf = (r: (typeof regexes)[number]) => [...new Set(events.flatMap((e) => (r.inField ? (e.fields.get(r.inField) ?? []) : [e.raw])))].filter((s) => s.trim() !== '');
  const hit = { matchlimit: 0, depthlimit: 0, maxCalls: 0 };

  it('covers every REPORT and EXTRACT regex of the app', () => {
    expect(regexes.length).toBeGreaterThanOrEqual(40);
  });

  it.each(regexes.map((r) => [r.where, r] as const))('%s compiles as pcre2_compile does', (_w, r) => {
    const prog = compileModel(r.source, { m: r.flags.includes('m'), s: r.flags.includes('s') });
    const out = pcre2(pcre2test, `${patternLine(r.source, r.flags, false)},bincode,info\n`);
    const lines = out.split('\n');
    const a = lines.indexOf(RULE);
    const code = lines.slice(a + 1, lines.indexOf(RULE, a + 1)).map((l) => l.trim());
    const cu = (label: string) => new RegExp(`^${label} code unit = '(.)'`, 'm').exec(out)?.[1] ?? '';
    const mine = (c: number) => (c >= 0 ? String.fromCodePoint(c & 0xffffff) : '');
    expect({ code: listing(prog).map((l) => l.trim()), first: mine(prog.firstCu), last: mine(prog.reqCu) }).toEqual({ code, first: cu('First'), last: cu('Last') });
  });

  it.each(regexes.map((r) => [r.where, r] as const))('%s: match() calls and depth are find_limits figures on crafted 60 KB lines', (_w, r) => {
    const prog = compileModel(r.source, { m: r.flags.includes('m'), s: r.flags.includes('s') });
    const base = subjectsOf(r);
    const subjects = [...base.slice(0, 4), ...base.slice(0, 2).flatMap((s) => crafted(r.source, r.flags, s, 60_000))];
    expect(subjects.length).toBeGreaterThan(0);
    const out = pcre2(pcre2test, `#subject find_limits\n${patternLine(r.source, r.flags, false)}\n${subjects.map(subjectLine).join('\n')}\n`);
    const calls = [...out.matchAll(/^Minimum match limit = (\d+)$/gm)].map((m) => Number(m[1]));
    const depth = [...out.matchAll(/^Minimum depth limit = (\d+)$/gm)].map((m) => Number(m[1]));
    const model = subjects.map((s) => runModel(prog, s));
    hit.maxCalls = Math.max(hit.maxCalls, ...calls);
    // The cheap bound the evaluator uses to skip the model must never call a reachable limit safe.
    subjects.forEach((s, i) => {
      if (!limitReachable(prog, s.length, LIMITS)) expect({ s: i, calls: calls[i] < LIMITS.matchLimit, depth: depth[i] < LIMITS.depthLimit }).toEqual({ s: i, calls: true, depth: true });
    });
    // Exact where it matters. The model skips start positions no match can begin at, and PCRE2
    // skips those its start bitmap excludes; such attempts cost a few calls, so figures of 10 or
    // less may differ (pcre2test reports 1 where no attempt ran).
    const fig = (n: number) => (n <= 10 ? 'few' : n);
    expect({ calls: model.map((m) => fig(m.calls)), depth: model.map((m) => fig(m.depth)), found: model.map((m) => m.kind) })
      .toEqual({ calls: calls.map(fig), depth: depth.map(fig), found: verdicts(out) });
  });

  it.each(regexes.map((r) => [r.where, r] as const))('%s: PCRE2 verdict under MATCH_LIMIT/DEPTH_LIMIT on crafted 1 MB lines', (_w, r) => {
    const prog = compileModel(r.source, { m: r.flags.includes('m'), s: r.flags.includes('s') });
    const all = crafted(r.source, r.flags, subjectsOf(r)[0], 1_000_000);
    // The cut variants (no suffix: every backtrack fails) and the repeated region.
    const subjects = all.filter((_s, i) => i % 2 === 1 || i === all.length - 1);
    if (!subjects.length) return;
    const out = pcre2(pcre2test, `#subject match_limit=${LIMITS.matchLimit},depth_limit=${LIMITS.depthLimit}\n${patternLine(r.source, r.flags, false)}\n${subjects.map(subjectLine).join('\n')}\n`);
    const model: ModelOutcome[] = subjects.map((s) => runModel(prog, s, 0, LIMITS));
    for (const m of model) if (m.kind === 'matchlimit' || m.kind === 'depthlimit') hit[m.kind]++;
    expect(model.map((m) => m.kind)).toEqual(verdicts(out));
  });

  it('the crafted lines reach both limits somewhere (the comparison is not only of easy cases)', () => {
    expect(hit.matchlimit).toBeGreaterThan(0);
    expect(hit.depthlimit).toBeGreaterThan(0);
    expect(hit.maxCalls).toBeGreaterThan(10_000);
  });

  it('the evaluator extracts nothing from a transform PCRE2 gives up on, and --cost counts it', () => {
    // A request URL with 700 escaped `=` (3.5 KB): each escape is one more iteration of the
    // extension regex's (?:\\.[^=\\]*)* group, two more PCRE2 frames deep.
    const line = goldenLines('illumio:pce:cef')[0];
    const at = line.indexOf('rt=');
    const withRequest = (n: number) => `${line.slice(0, at)}request=/api/v2/orgs/1/sec_policy?${'q\\=1&'.repeat(n)} ${line.slice(at)}`;
    const raw = withRequest(700);
    const out = kb.evaluate(raw, { sourcetype: 'illumio:pce:cef' });
    const given = kb.evaluate(withRequest(3), { sourcetype: 'illumio:pce:cef' });
    // What real PCRE2 says for each REPORT regex of the sourcetype on this line.
    const gaveUp: string[] = [];
    for (const r of kb.regexes().filter((x) => x.kind === 'REPORT' && !x.inField && /illumio_cef_/.test(x.where))) {
      const v = verdicts(pcre2(pcre2test, `#subject match_limit=${LIMITS.matchLimit},depth_limit=${LIMITS.depthLimit}\n${patternLine(r.source, r.flags, r.repeat)}\n${subjectLine(raw)}\n`));
      if (v.includes('matchlimit') || v.includes('depthlimit')) gaveUp.push(r.where);
    }
    expect(gaveUp).toEqual(['transforms.conf [illumio_cef_extension] REGEX']);
    expect(out.cost.regexLimitHits).toBe(1);
    // Splunk loses the extension fields from the failed match on; preview shows the same.
    expect({ request: given.fields.get('request')?.[0], dvchost: given.fields.get('dvchost')?.[0] }).toEqual({ request: expect.stringContaining('q=1&'), dvchost: expect.any(String) });
    expect({ request: out.fields.get('request'), dvchost: out.fields.get('dvchost') }).toEqual({ request: undefined, dvchost: undefined });
  });

  it('a REPORT regex outside the model subset fails at load, naming the construct', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'pcre-model-app-'));
    fs.mkdirSync(path.join(dir, 'default'));
    fs.writeFileSync(path.join(dir, 'default', 'transforms.conf'), '[t]\nREGEX = (?>a+)(?<x>b)\n');
    fs.writeFileSync(path.join(dir, 'default', 'props.conf'), '[st]\nREPORT-x = t\n');
    const problems = KnowledgeBase.loadApp(dir).problems.join('\n');
    fs.rmSync(dir, { recursive: true, force: true });
    expect(problems).toMatch(/atomic group|group form/);
    expect(() => compileModel('a\\bb')).toThrow(RegexSubsetError);
  });
});
