/**
 * PCRE2 → JavaScript regex translation for the subset documented in README.md.
 *
 * Splunk runs every REGEX/EXTRACT/TIME_PREFIX/LINE_BREAKER through PCRE2. JavaScript's engine
 * agrees on most syntax but differs on `.`/`$`/`^`/`\s` and lacks several constructs. Rather
 * than hope, we translate each construct into the JS form with PCRE2's exact meaning, and refuse
 * everything else with an error naming the construct, so a regex that passes here behaves the
 * same under real PCRE2 (checked against `pcre2test` by test/knowledge/pcre2.test.ts).
 */
import type { RegexLimits } from './limits';
import { compileModel, PcreProgram, runModel, safeLength } from './pcre-model';

import { RegexSubsetError } from './regex-error';

export { RegexSubsetError };

export interface PcreFlags {
  /** PCRE2_CASELESS */
  i?: boolean;
  /** PCRE2_MULTILINE: ^ and $ at internal newlines. */
  m?: boolean;
  /** PCRE2_DOTALL: `.` matches newline. */
  s?: boolean;
}

export interface CompiledRegex {
  /** The PCRE2 source as written in the conf. */
  source: string;
  /** Flags in force (leading inline flags merged with the caller's). */
  flags: PcreFlags;
  re: RegExp;
  /** Global variant for repeated matching. */
  reGlobal: RegExp;
  /** Name of each capturing group by number (index 0 unused); undefined for unnamed groups. */
  groupNames: (string | undefined)[];
  groupCount: number;
  /**
   * JavaScript groups that are not PCRE2's (the capture a possessive group repeat is emulated
   * with), by JavaScript group number; left out of every match's groups.
   */
  synthetic?: number[];
  /** The PCRE2 match-limit model, for REPORT/EXTRACT regexes (withLimitModel). */
  model?: PcreProgram;
}

const SPACE_CLASS = '\\t\\n\\v\\f\\r ';
const ESCAPE_SINGLE: Record<string, string> = {
  t: '\\t',
  n: '\\n',
  r: '\\r',
  f: '\\f',
  v: '\\v',
  e: '\\x1b',
  a: '\\x07',
  d: '\\d',
  D: '\\D',
  w: '\\w',
  W: '\\W',
};

/** Translates a PCRE2 pattern; `base` flags model what Splunk adds (EXTRACT runs as `(?ms)`). */
export function compilePcre(source: string, base: PcreFlags = {}): CompiledRegex {
  const flags: PcreFlags = { ...base };
  let p = 0;
  const fail = (construct: string, at = p): never => {
    throw new RegexSubsetError(source, at, construct);
  };
  // Leading option settings such as (?i) or (?ms) or (?-i) apply to the whole pattern.
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(source.slice(p));
    if (!m) break;
    for (const [set, on] of [
      [m[1], true],
      [m[2] ?? '', false],
    ] as const) {
      for (const c of set) {
        if (c !== 'i' && c !== 'm' && c !== 's') fail(`inline option (?${c})`);
        flags[c as 'i' | 'm' | 's'] = on;
      }
    }
    p += m[0].length;
  }
  const out: string[] = [];
  const groupNames: (string | undefined)[] = [undefined];
  const seenNames = new Set<string>();
  // Stack of open groups: whether each is a lookbehind (PCRE2 10.42 needs fixed length there).
  const groups: boolean[] = [];
  const inLookbehind = () => groups.includes(true);
  let lastAtomEnd = -1;
  // Where each open group starts in `out` and how many JavaScript groups were opened before it.
  const opens: { at: number; jsBefore: number }[] = [];
  let lastGroup: { at: number; jsBefore: number } | undefined;
  const synthetic: number[] = [];
  let numberedRef = false;
  const jsGroups = () => groupNames.length - 1 + synthetic.length;

  const translateEscape = (inClass: boolean): string => {
    const start = p;
    const c = source[p + 1];
    if (c === undefined) fail('trailing backslash');
    p += 2;
    if (ESCAPE_SINGLE[c]) return ESCAPE_SINGLE[c];
    if (c === 's') return inClass ? SPACE_CLASS : `[${SPACE_CLASS}]`;
    if (c === 'S') {
      if (inClass) fail('\\S inside a character class', start);
      return `[^${SPACE_CLASS}]`;
    }
    if (c === 'b' || c === 'B') return inClass ? (c === 'b' ? '\\x08' : fail('\\B in class', start)) : `\\${c}`;
    if (!inClass && c === 'A') return '(?<![\\s\\S])';
    if (!inClass && c === 'z') return '(?![\\s\\S])';
    if (!inClass && c === 'Z') return '(?=\\n?(?![\\s\\S]))';
    if (c === 'x') {
      const m = /^[0-9a-fA-F]{2}/.exec(source.slice(p));
      if (!m) fail('\\x without two hex digits (\\x{...} is not supported)', start);
      p += 2;
      return `\\x${m![0]}`;
    }
    if (/[1-9]/.test(c)) {
      if (inClass) fail('octal escape in class', start);
      const m = /^\d*/.exec(source.slice(p))![0];
      const n = Number(c + m);
      p += m.length;
      // PCRE2 reads \N as a back reference only when that many groups exist; otherwise octal.
      if (n >= 10 || n > groupNames.length - 1) fail(`ambiguous back reference \\${n}`, start);
      numberedRef = true;
      return `\\${n}`;
    }
    if (c === 'k' && !inClass) {
      const m = /^(?:<([A-Za-z_]\w*)>|\{([A-Za-z_]\w*)\}|'([A-Za-z_]\w*)')/.exec(source.slice(p));
      if (!m) fail('malformed \\k', start);
      p += m![0].length;
      return `\\k<${m![1] ?? m![2] ?? m![3]}>`;
    }
    if (c === 'g' && !inClass) {
      const m = /^(?:\{(\d+)\}|(\d)(?!\d)|\{([A-Za-z_]\w*)\})/.exec(source.slice(p));
      if (!m) fail('\\g form (relative references and subroutine calls are not supported)', start);
      p += m![0].length;
      if (!m![3]) numberedRef = true;
      return m![3] ? `\\k<${m![3]}>` : `\\${m![1] ?? m![2]}`;
    }
    if (/[A-Za-z0]/.test(c)) fail(`escape \\${c}`, start);
    // Escaped punctuation is literal in both engines.
    return `\\${c}`;
  };

  while (p < source.length) {
    const ch = source[p];
    if (ch === '\\') {
      out.push(translateEscape(false));
      lastAtomEnd = out.length;
      continue;
    }
    if (ch === '[') {
      // PCRE2: a `]` right after `[` or `[^` is literal; JS would read `[]` as an empty class.
      let cls = '[';
      p++;
      if (source[p] === '^') {
        cls += '^';
        p++;
      }
      if (source[p] === ']') {
        cls += '\\]';
        p++;
      }
      for (;;) {
        if (p >= source.length) fail('unterminated character class');
        const c = source[p];
        if (c === ']') {
          cls += ']';
          p++;
          break;
        }
        if (c === '\\') {
          cls += translateEscape(true);
          continue;
        }
        if (c === '[' && source[p + 1] === ':') fail('POSIX class [:name:]');
        if (c === '[' || c === '/') {
          cls += `\\${c}`;
          p++;
          continue;
        }
        cls += c;
        p++;
      }
      out.push(cls);
      lastAtomEnd = out.length;
      continue;
    }
    if (ch === '(') {
      opens.push({ at: out.length, jsBefore: jsGroups() });
      const rest = source.slice(p);
      if (rest.startsWith('(*')) fail('backtracking verb (*...)');
      if (rest.startsWith('(?')) {
        let m: RegExpExecArray | null;
        if (rest.startsWith('(?:') || rest.startsWith('(?=') || rest.startsWith('(?!')) {
          out.push(rest.slice(0, 3));
          groups.push(false);
          p += 3;
        } else if (rest.startsWith('(?<=') || rest.startsWith('(?<!')) {
          out.push(rest.slice(0, 4));
          groups.push(true);
          p += 4;
        } else if ((m = /^\(\?(?:P?<([A-Za-z_]\w{0,31})>|'([A-Za-z_]\w{0,31})')/.exec(rest))) {
          const name = m[1] ?? m[2];
          if (seenNames.has(name)) fail(`duplicate group name ${name}`);
          seenNames.add(name);
          groupNames.push(name);
          out.push(`(?<${name}>`);
          groups.push(false);
          p += m[0].length;
        } else if ((m = /^\(\?P=([A-Za-z_]\w*)\)/.exec(rest))) {
          opens.pop();
          out.push(`\\k<${m[1]}>`);
          p += m[0].length;
          lastAtomEnd = out.length;
          continue;
        } else {
          const what = rest.startsWith('(?>')
            ? 'atomic group (?>...)'
            : rest.startsWith('(?|')
              ? 'branch reset (?|...)'
              : rest.startsWith('(?#')
                ? 'comment (?#...)'
                : rest.startsWith('(?(')
                  ? 'conditional (?(...)'
                  : /^\(\?[-+]?\d|^\(\?R|^\(\?&|^\(\?P>/.test(rest)
                    ? 'recursion or subroutine call'
                    : 'inline option or group form not at the start of the pattern';
          fail(what);
        }
      } else {
        groupNames.push(undefined);
        out.push('(');
        groups.push(false);
        p++;
      }
      continue;
    }
    if (ch === ')') {
      if (!groups.length) fail('unbalanced )');
      groups.pop();
      lastGroup = opens.pop();
      out.push(')');
      p++;
      lastAtomEnd = out.length;
      continue;
    }
    if (ch === '*' || ch === '+' || ch === '?' || ch === '{') {
      let q = ch;
      if (ch === '{') {
        const m = /^\{(\d+)(,(\d*))?\}/.exec(source.slice(p));
        if (!m) {
          if (/^\{,\d*\}/.test(source.slice(p))) fail('{,n} quantifier (its meaning changed between PCRE2 versions)');
          // A `{` that is not a quantifier is a literal in PCRE2.
          out.push('\\{');
          p++;
          lastAtomEnd = out.length;
          continue;
        }
        q = m[0];
        if (inLookbehind() && m[2] !== undefined) fail('variable-length quantifier inside lookbehind');
      } else if (inLookbehind()) fail('variable-length quantifier inside lookbehind');
      if (lastAtomEnd !== out.length) fail(`quantifier ${q} without anything to repeat`);
      p += q.length;
      if (source[p] === '+') {
        // PCRE2's possessive group repeat (BraPos): JavaScript has none, so the classic emulation,
        // a lookahead that captures the greedy repeat and a back reference that takes it whole.
        const g = lastGroup;
        if ((q !== '*' && q !== '+') || !g || out[out.length - 1] !== ')' || source[p - 2] !== ')') fail('possessive quantifier other than *+ or ++ on a group');
        p++;
        const n = g!.jsBefore + 1;
        const body = out.splice(g!.at).join('');
        synthetic.push(n);
        out.push(`(?=(${body}${q}))\\${n}`);
        lastAtomEnd = -1;
        continue;
      }
      if (source[p] === '?') {
        q += '?';
        p++;
      }
      out.push(q);
      lastAtomEnd = -1;
      continue;
    }
    if (ch === '.') {
      out.push(flags.s ? '[\\s\\S]' : '[^\\n]');
      p++;
      lastAtomEnd = out.length;
      continue;
    }
    if (ch === '^') {
      // PCRE2 multiline ^ matches after an internal newline but not after a final one.
      out.push(flags.m ? '(?:(?<![\\s\\S])|(?<=\\n)(?=[\\s\\S]))' : '^');
      p++;
      continue;
    }
    if (ch === '$') {
      out.push(flags.m ? '(?=\\n|$)' : '(?=\\n?$)');
      p++;
      continue;
    }
    if (ch === '|') {
      out.push('|');
      p++;
      continue;
    }
    if (ch === '/') {
      out.push('\\/');
      p++;
      lastAtomEnd = out.length;
      continue;
    }
    out.push(ch);
    p++;
    lastAtomEnd = out.length;
  }
  if (groups.length) fail('unbalanced (', source.length);
  const js = out.join('');
  // A numbered back reference would count the synthetic groups; none of ours combines the two.
  if (synthetic.length && numberedRef) fail('numbered back reference with a possessive group');
  const jsFlags = flags.i ? 'i' : '';
  let re: RegExp;
  try {
    re = new RegExp(js, jsFlags);
  } catch (e) {
    throw new RegexSubsetError(source, 0, `construct JavaScript cannot compile (${(e as Error).message})`);
  }
  return {
    source,
    flags,
    re,
    reGlobal: new RegExp(js, `${jsFlags}g`),
    groupNames,
    groupCount: groupNames.length - 1,
    ...(synthetic.length ? { synthetic } : {}),
  };
}

/** A JavaScript match's groups in PCRE2's numbering. */
export function pcreGroups(c: CompiledRegex, m: RegExpExecArray): (string | undefined)[] {
  const all = Array.from(m);
  return c.synthetic ? all.filter((_g, i) => !c.synthetic!.includes(i)) : all;
}

export interface RegexMatch {
  /** Captures by group number; index 0 is the whole match; undefined = group did not take part. */
  groups: (string | undefined)[];
  index: number;
  end: number;
}

/** Where a limit hit is counted (the evaluator's SearchCost). */
export interface LimitHits {
  regexLimitHits: number;
}

/**
 * Gives a REPORT/EXTRACT regex the PCRE2 match-limit model (pcre-model.ts), so execOnce/execAll
 * apply MATCH_LIMIT/DEPTH_LIMIT as Splunk's PCRE2 does. Throws RegexSubsetError for a construct
 * outside the model's subset: a regex whose limit behaviour we cannot predict does not load.
 */
export function withLimitModel(c: CompiledRegex): CompiledRegex {
  c.model = compileModel(c.source, c.flags);
  return c;
}

function fromOvector(ov: number[], subject: string, groupCount: number): RegexMatch {
  const groups: (string | undefined)[] = [];
  for (let i = 0; i <= groupCount; i++) {
    const a = ov[2 * i];
    const b = ov[2 * i + 1];
    groups.push(a === undefined || a < 0 || b === undefined ? undefined : subject.slice(a, b));
  }
  return { groups, index: ov[0], end: ov[1] };
}

/**
 * One pcre2_match() under the limits: the match, undefined for no match, or 'limit' where PCRE2
 * gives up with MATCHLIMIT/DEPTHLIMIT (Splunk then extracts nothing from that regex).
 */
function modelExec(c: CompiledRegex, subject: string, from: number, limits: RegexLimits): RegexMatch | 'limit' | undefined {
  if (subject.length - from <= safeLength(c.model!, limits)) {
    // No attempt can reach a limit here: the JavaScript translation gives PCRE2's match.
    const re = c.reGlobal;
    re.lastIndex = from;
    const m = re.exec(subject);
    return m ? { groups: pcreGroups(c, m), index: m.index, end: m.index + m[0].length } : undefined;
  }
  const r = runModel(c.model!, subject, from, limits);
  if (r.kind === 'match') return fromOvector(r.ovector, subject, c.groupCount);
  return r.kind === 'nomatch' ? undefined : 'limit';
}

/** One match (EXTRACT and fixed-name REPORT semantics), or none where PCRE2 would hit a limit. */
export function execOnce(c: CompiledRegex, subject: string, limits?: RegexLimits, hits?: LimitHits): RegexMatch | undefined {
  if (c.model && limits) {
    const r = modelExec(c, subject, 0, limits);
    if (r !== 'limit') return r;
    if (hits) hits.regexLimitHits++;
    return undefined;
  }
  const m = c.re.exec(subject);
  if (!m) return undefined;
  return { groups: pcreGroups(c, m), index: m.index, end: m.index + m[0].length };
}

/**
 * All matches, continuing where the previous one ended; after an empty match the next attempt
 * starts one character later, as pcre2test's /g and Splunk's repeated extraction do. Under the
 * limits, a pcre2_match() that gives up ends the extraction with the matches found before it.
 */
export function execAll(c: CompiledRegex, subject: string, limits?: RegexLimits, hits?: LimitHits): RegexMatch[] {
  const res: RegexMatch[] = [];
  if (c.model && limits) {
    for (let from = 0; from <= subject.length; ) {
      const r = modelExec(c, subject, from, limits);
      if (r === 'limit' && hits) hits.regexLimitHits++;
      if (r === undefined || r === 'limit') break;
      res.push(r);
      from = r.end === r.index ? r.end + 1 : r.end;
    }
    return res;
  }
  const re = c.reGlobal;
  re.lastIndex = 0;
  let m: RegExpExecArray | null;
  while ((m = re.exec(subject))) {
    res.push({ groups: pcreGroups(c, m), index: m.index, end: m.index + m[0].length });
    if (m[0] === '') re.lastIndex++;
  }
  return res;
}
