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
import { compilePcre, pcreGroups as pcreGroupsOf, RegexSubsetError } from '../../src/core/knowledge/regex';
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

  it.each([
    ['(?:ab|a)*+b', ['xabab', 'aab', 'ab'.repeat(3000) + 'c', 'a'.repeat(5000)]],
    ['k=((?:[^=\\\\]*\\\\.)*+[^=\\\\]*)(?= \\w+=|$)', ['k=a\\=b c d=1', 'k=' + 'x\\='.repeat(4000) + ' y=2', 'k=' + 'x\\= '.repeat(3000)]],
    ['(a|(b)c?)++d', ['abcabd', 'ab'.repeat(2000) + 'd', 'ab'.repeat(2000)]],
    ['(?:x?)*+y', ['xxy', 'x'.repeat(3000)]],
  ] as const)('possessive group %s: code, find_limits figures and captures are pcre2test\'s', (source, subjects) => {
    const prog = compileModel(source);
    const out = pcre2(pcre2test, `#subject find_limits\n${patternLine(source, '', false)},bincode\n${subjects.map(subjectLine).join('\n')}\n`);
    const lines = out.split('\n');
    const a = lines.indexOf(RULE);
    expect(listing(prog).map((l) => l.trim())).toEqual(lines.slice(a + 1, lines.indexOf(RULE, a + 1)).map((l) => l.trim()));
    const model = subjects.map((s) => runModel(prog, s));
    const fig = (n: number) => (n <= 10 ? 'few' : n);
    // The cheap bound never calls a reachable limit safe (tight limits, so they are reachable).
    const tight = { matchLimit: 3000, depthLimit: 50 };
    model.forEach((m, i) => {
      if (!limitReachable(prog, subjects[i].length, tight)) expect({ i, calls: m.calls < tight.matchLimit, depth: m.depth < tight.depthLimit }).toEqual({ i, calls: true, depth: true });
    });
    expect({ calls: model.map((m) => fig(m.calls)), depth: model.map((m) => fig(m.depth)), found: model.map((m) => m.kind) }).toEqual({
      calls: [...out.matchAll(/^Minimum match limit = (\d+)$/gm)].map((m) => fig(Number(m[1]))),
      depth: [...out.matchAll(/^Minimum depth limit = (\d+)$/gm)].map((m) => fig(Number(m[1]))),
      found: verdicts(out),
    });
    // The JavaScript translation (what preview runs below the bound) captures what PCRE2 does.
    const re = compilePcre(source);
    const caps = (s: string) => {
      const m = re.re.exec(s);
      return m ? pcreGroupsOf(re, m).map((g) => g ?? '<unset>').join('|') : 'No match';
    };
    const theirs = lines.filter((l) => /^ ?\d+: |^No match$/.test(l)).map((l) => l.replace(/^ ?\d+: /, ''));
    const mine = subjects.flatMap((s) => caps(s).split('|')).map((g) => (g === '<unset>' ? '<unset>' : g));
    expect(mine).toEqual(theirs);
  });

  it.each([
    ['a=([^ ]*(?: (?!b=)[^ ]*){0,200}) b=(?=\\s|$)', (n: number) => `a=${'x '.repeat(n)}`],
    ['a=([^ ]*(?: (?!b=)[^ ]*){0,200}) b=(?=\\s|$)', (n: number) => `a=${'x '.repeat(n)}b=1`],
    ['(?:k|kk|z)=((?:[^=\\\\]*\\\\.)*+[^=\\\\]*)(?= \\w+=|$)', (n: number) => `kk=${'v\\= '.repeat(n)}`],
    ['x(?:ab|a)*+(?:c|cd){0,5}e', (n: number) => `x${'ab'.repeat(n)}cdcd`],
  ] as const)('the cheap bound of %s calls no reached limit safe, at any subject length', (source, make) => {
    const prog = compileModel(source);
    const subjects = [0, 1, 2, 3, 5, 8, 13, 21, 34, 55, 89, 144, 233].map(make);
    const out = pcre2(pcre2test, `#subject find_limits\n${patternLine(source, '', false)}\n${subjects.map(subjectLine).join('\n')}\n`);
    const calls = [...out.matchAll(/^Minimum match limit = (\d+)$/gm)].map((m) => Number(m[1]));
    const depth = [...out.matchAll(/^Minimum depth limit = (\d+)$/gm)].map((m) => Number(m[1]));
    expect(calls).toHaveLength(subjects.length);
    // A limit set at the figure PCRE2 needed is reached; the bound must say so.
    subjects.forEach((s, i) => {
      expect({ i, calls: limitReachable(prog, s.length, { matchLimit: calls[i], depthLimit: 1e9 }) }).toEqual({ i, calls: true });
      expect({ i, depth: limitReachable(prog, s.length, { matchLimit: 1e12, depthLimit: depth[i] }) }).toEqual({ i, depth: true });
    });
    // And the bound is not vacuous: short subjects are called safe under Splunk's limits.
    expect(limitReachable(prog, subjects[1].length, LIMITS)).toBe(false);
  });

  it('a CEF value with thousands of escapes stays under DEPTH_LIMIT: its fields come out in PCRE2 and preview', () => {
    // A request URL with 700 escaped `=` (3.5 KB), then 100,000 (500 KB): the extension regex takes
    // escapes in a possessive repeat, which keeps no PCRE2 frame per escape.
    const line = goldenLines('illumio:pce:cef')[0];
    const at = line.indexOf('rt=');
    const withRequest = (n: number) => `${line.slice(0, at)}request=/api/v2/orgs/1/sec_policy?${'q\\=1&'.repeat(n)} ${line.slice(at)}`;
    const given = kb.evaluate(withRequest(3), { sourcetype: 'illumio:pce:cef' });
    for (const n of [700, 19_000]) {
      const raw = withRequest(n);
      const out = kb.evaluate(raw, { sourcetype: 'illumio:pce:cef' });
      const report = kb.regexes().filter((x) => x.kind === 'REPORT' && !x.inField && /illumio_cef_/.test(x.where));
      const ext = report.find((x) => /illumio_cef_extension/.test(x.where))!;
      // What real PCRE2 says for each REPORT regex of the sourcetype on this line.
      const gaveUp: string[] = [];
      for (const r of report) {
        const v = verdicts(pcre2(pcre2test, `#subject match_limit=${LIMITS.matchLimit},depth_limit=${LIMITS.depthLimit}\n${patternLine(r.source, r.flags, r.repeat)}\n${subjectLine(raw)}\n`));
        if (v.includes('matchlimit') || v.includes('depthlimit')) gaveUp.push(r.where);
      }
      expect(gaveUp).toEqual([]);
      // Depth stays what a short value needs; match() calls grow by one per escape.
      const lim = pcre2(pcre2test, `#subject find_limits\n${patternLine(ext.source, ext.flags, false)}\n${subjectLine(raw)}\n`);
      const depth = Number(/^Minimum depth limit = (\d+)$/m.exec(lim)![1]);
      const calls = Number(/^Minimum match limit = (\d+)$/m.exec(lim)![1]);
      expect({ depth: depth < 20, calls: calls > n && calls < n + 200 }).toEqual({ depth: true, calls: true });
      expect(out.cost.regexLimitHits).toBe(0);
      for (const f of ['request', 'rt', 'dvchost', 'user']) expect({ f, v: out.fields.get(f) }).toEqual({ f, v: given.fields.get(f) === undefined ? undefined : expect.any(Array) });
      expect(out.fields.get('request')?.[0]).toBe(`/api/v2/orgs/1/sec_policy?${'q=1&'.repeat(n)}`);
      expect({ rt: out.fields.get('rt'), dvchost: out.fields.get('dvchost'), user: out.fields.get('user'), time: out.time }).toEqual({ rt: given.fields.get('rt'), dvchost: given.fields.get('dvchost'), user: given.fields.get('user'), time: given.time });
    }
  });

  it('the evaluator extracts nothing from a transform PCRE2 gives up on, and --cost counts it', () => {
    // Past MATCH_LIMIT (one match() call per escape): 120,000 escapes, 600 KB.
    const line = goldenLines('illumio:pce:cef')[0];
    const at = line.indexOf('rt=');
    const raw = `${line.slice(0, at)}request=/x?${'q\\=1&'.repeat(120_000)} ${line.slice(at)}`;
    const ext = kb.regexes().find((x) => x.kind === 'REPORT' && /illumio_cef_extension/.test(x.where))!;
    const v = verdicts(pcre2(pcre2test, `#subject match_limit=${LIMITS.matchLimit},depth_limit=${LIMITS.depthLimit}\n${patternLine(ext.source, ext.flags, ext.repeat)}\n${subjectLine(raw)}\n`));
    expect(v[0]).toBe('matchlimit');
    const out = kb.evaluate(raw, { sourcetype: 'illumio:pce:cef' });
    expect(out.cost.regexLimitHits).toBe(1);
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
