/**
 * Every REGEX, EXTRACT, TIME_PREFIX and LINE_BREAKER of our props/transforms runs under real
 * PCRE2 (pcre2test from Debian's pcre2-utils) against every golden raw line (or, for
 * `EXTRACT … in <field>` and SOURCE_KEY transforms, against that field's value), and must give
 * the same match and captures as our evaluator's translation. EXTRACT runs with (?ms), as Splunk
 * adds it; REPORT with a dynamic FORMAT/_KEY_ runs repeatedly (pcre2test /g). The regexes of
 * eval match()/replace() run repeatedly against every distinct field value of the corpus.
 */
import { execFileSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { compilePcre, execAll, execOnce } from '../../src/core/knowledge/regex';
import { requireTool } from '../support/require-tool';
import { patternLine, subjectLine } from './pcre2test';
import { appKnowledge, goldenLines, metaFor, SOURCETYPES } from './support';

/** pcre2test prints printable ASCII as is and everything else as \x{hex}. */
function printable(s: string): string {
  let out = '';
  for (const ch of s) {
    const cp = ch.codePointAt(0)!;
    out += cp >= 0x20 && cp <= 0x7e ? ch : `\\x{${cp.toString(16).padStart(2, '0')}}`;
  }
  return out;
}

type Outcome = string[][]; // per match: captures printed, up to the highest set group

function parseOutput(text: string, subjects: number): Outcome[] {
  const lines = text.split('\n');
  const results: Outcome[] = [];
  let i = 1; // line 0 echoes the pattern
  for (let s = 0; s < subjects; s++) {
    i++; // the echoed subject
    const res: Outcome = [];
    if (lines[i] === 'No match') {
      i++;
    } else {
      while (i < lines.length && /^ *\d+: /.test(lines[i])) {
        const m = /^ *(\d+): (.*)$/.exec(lines[i])!;
        if (m[1] === '0') res.push([]);
        res[res.length - 1][Number(m[1])] = m[2];
        i++;
      }
    }
    results.push(res);
  }
  return results;
}

function jsOutcome(source: string, flags: string, global: boolean, subject: string): Outcome {
  const re = compilePcre(source, { m: flags.includes('m'), s: flags.includes('s') });
  const ms = global ? execAll(re, subject) : [execOnce(re, subject)].filter((m) => m !== undefined);
  return ms.map((m) => {
    let last = 0;
    m!.groups.forEach((g, gi) => {
      if (g !== undefined) last = gi;
    });
    return m!.groups.slice(0, last + 1).map((g) => (g === undefined ? '<unset>' : printable(g)));
  });
}

describe('PCRE2 agreement', () => {
  const pcre2test = requireTool('pcre2test', 'apt-get update && apt-get install -y pcre2-utils');
  const kb = appKnowledge();
  const events = SOURCETYPES.flatMap((st) => goldenLines(st).map((raw) => ({ raw, fields: kb.evaluate(raw, metaFor(st)).fields })));

  it.each(kb.regexes().map((r) => [r.where, r] as const))('%s', (_w, r) => {
    // A LINE_BREAKER sees the stream, so its subjects are golden lines joined as they arrive.
    const streams = SOURCETYPES.map((st) => goldenLines(st).slice(0, 3)).flatMap((ls) => [ls.join('\n'), `${ls.join('\r\n')}\r\n`]);
    // An eval regex may be applied to any field: try it on every distinct field value of the corpus.
    const allValues = () => [...new Set(events.flatMap((e) => [...e.fields.values()].flat()))];
    const subjects = (
      r.kind === 'LINE_BREAKER' ? streams : r.kind === 'EVAL' ? allValues() : [...new Set(events.flatMap((e) => (r.inField ? (e.fields.get(r.inField) ?? []) : [e.raw])))]
    ).filter((s) => s.trim() !== '');
    expect(subjects.length).toBeGreaterThan(0);
    const input = `${patternLine(r.source, r.flags, r.repeat)}\n${subjects.map(subjectLine).join('\n')}\n`;
    const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'pcre2-')), 'in.txt');
    fs.writeFileSync(file, input);
    const out = execFileSync(pcre2test, ['-q', file], { encoding: 'utf8', maxBuffer: 256 * 1024 * 1024 });
    // pcre2test reports a pattern it cannot compile or a bad modifier on lines starting `**` or `Failed:`.
    expect(out).not.toMatch(/^(?:Failed: |\*\* )/m);
    const pcre = parseOutput(out, subjects.length);
    let matched = 0;
    subjects.forEach((s, i) => {
      const js = jsOutcome(r.source, r.flags, r.repeat, s);
      if (js.length) matched++;
      expect({ subject: s.slice(0, 120), result: js }).toEqual({ subject: s.slice(0, 120), result: pcre[i] });
    });
    expect(matched).toBeGreaterThan(0);
  });
});
