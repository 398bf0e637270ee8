/**
 * A model of PCRE2 10.42's interpreter (pcre2_match.c) for the regex subset our REPORT and EXTRACT
 * regexes use, so the evaluator knows when Splunk's MATCH_LIMIT / DEPTH_LIMIT (transforms.conf,
 * defaults 100000 / 1000) make PCRE2 give up and the extraction yield nothing.
 *
 * JavaScript's engine cannot tell: it has no limits and backtracks differently. PCRE2 counts one
 * "match() call" per backtracking frame it creates (RMATCH) plus one per match attempt, resetting
 * the count at each start position, and fails with DEPTHLIMIT when a frame's index reaches the
 * depth limit. Which items create frames depends on what pcre2_compile made of the pattern:
 * auto-possessification (`[^"]*"` never backtracks), group repeats copied out (`{0,200}` nests 200
 * optional groups), the start-of-match optimisations (first and required code unit). So this file
 * compiles the pattern the way pcre2_compile does, prints the code in pcre2test's `/B` form (the
 * test compares it with real pcre2test), and runs it with frames that mirror pcre2_match's. The
 * numbers it reports are pcre2test's `find_limits` numbers (test/knowledge/pcre-model.test.ts).
 *
 * Subset (anything else fails at load, naming the construct): literals and escaped punctuation,
 * \t \n \r \f \v \e \a \xhh, \d \D \s \S \w \W, `.`, character classes (ranges, \d \s \w inside),
 * `^` `$` \A \z \Z, groups (capturing, named, non-capturing) with `|`, lookahead and fixed-length
 * lookbehind (positive and negative), greedy and lazy quantifiers on single items, greedy `?` `*`
 * `+` `{n}` `{n,m}` on groups, possessive `*+` `++` on groups (PCRE2's BraPos: an iteration keeps
 * no backtracking frame, so a long run of them adds no depth), leading (?m) (?s). Case-insensitive
 * matching, back references, atomic groups, other possessive quantifiers, \b and verbs are outside it.
 */
import { RegexSubsetError } from './regex-error';

type TypeKind = 'd' | 'D' | 's' | 'S' | 'w' | 'W' | 'any' | 'allany';
type Item = { k: 'char'; c: number; /** PCRE2 OP_CHARI: also its other case (from a class like [Ee]) */ ci?: number } | { k: 'not'; c: number } | { k: 'type'; t: TypeKind } | { k: 'class'; bits: Uint8Array; neg: boolean };
type AnchorKind = 'circ' | 'circm' | 'doll' | 'dollm' | 'sod' | 'eod' | 'eodn';
type GroupKind = 'bra' | 'cbra' | 'assert' | 'assert_not' | 'assertback' | 'assertback_not';
type Node = Item | { k: 'anchor'; a: AnchorKind } | { k: 'group'; g: GroupKind; num: number; alts: Node[][] } | { k: 'rep'; node: Node; min: number; max: number; lazy: boolean; pos?: boolean };

type OpName =
  | 'BRA' | 'CBRA' | 'SBRA' | 'SCBRA' | 'ASSERT' | 'ASSERT_NOT' | 'ASSERTBACK' | 'ASSERTBACK_NOT'
  | 'BRAPOS' | 'SBRAPOS' | 'CBRAPOS' | 'SCBRAPOS' | 'BRAPOSZERO' | 'KETRPOS'
  | 'ALT' | 'KET' | 'KETRMAX' | 'REVERSE' | 'BRAZERO' | 'ITEM' | 'REP' | AnchorOp | 'END';
type AnchorOp = 'CIRC' | 'CIRCM' | 'DOLL' | 'DOLLM' | 'SOD' | 'EOD' | 'EODN';
type RepForm = 'star' | 'plus' | 'query' | 'upto' | 'exact' | 'range';

interface Op {
  op: OpName;
  /** Bracket and ALT: index of the next ALT or the KET. KET: index of its bracket. */
  link: number;
  num: number;
  item?: Item;
  min: number;
  max: number;
  mode: 'max' | 'min' | 'pos';
  form?: RepForm;
}

/** A pattern compiled as pcre2_compile would (for the subset), with its start-of-match data. */
export interface PcreProgram {
  source: string;
  ops: Op[];
  groupCount: number;
  firstCu: number;
  reqCu: number;
  anchored: boolean;
  /** Every branch starts with a multiline ^: attempts only at the start and after a newline. */
  startline: boolean;
  /**
   * The characters a match can start with (codes < 256, and `high` for any above), or undefined
   * when a match may consume nothing. Not PCRE2's start bitmap: an attempt elsewhere fails at the
   * first consuming item within a handful of match() calls, so skipping it cannot change whether
   * a limit is hit; it only keeps the model fast.
   */
  startSet?: { bits: Uint8Array; high: boolean };
}

const INF = Number.POSITIVE_INFINITY;
const isDigit = (c: number) => c >= 48 && c <= 57;
const isSpace = (c: number) => c === 32 || (c >= 9 && c <= 13);
const isWord = (c: number) => isDigit(c) || (c >= 65 && c <= 90) || (c >= 97 && c <= 122) || c === 95;
const TYPE_TEST: Record<Exclude<TypeKind, 'any' | 'allany'>, (c: number) => boolean> = {
  d: isDigit,
  D: (c) => !isDigit(c),
  s: isSpace,
  S: (c) => !isSpace(c),
  w: isWord,
  W: (c) => !isWord(c),
};
const SIMPLE_ESCAPES: Record<string, number> = { t: 9, n: 10, r: 13, f: 12, v: 11, e: 27, a: 7 };

// ---------------------------------------------------------------------------------------------
// Parsing

function parse(source: string, base: { m?: boolean; s?: boolean }): { alts: Node[][]; groupCount: number } {
  const flags = { m: !!base.m, s: !!base.s };
  let p = 0;
  const fail = (construct: string, at = p): never => {
    throw new RegexSubsetError(source, at, `${construct} (outside the PCRE2 match-limit model's subset)`);
  };
  for (;;) {
    const m = /^\(\?([a-zA-Z]*)(?:-([a-zA-Z]*))?\)/.exec(source.slice(p));
    if (!m) break;
    for (const [set, on] of [[m[1], true], [m[2] ?? '', false]] as const) {
      for (const c of set) {
        if (c !== 'm' && c !== 's') fail(`inline option (?${c})`);
        flags[c as 'm' | 's'] = on;
      }
    }
    p += m[0].length;
  }
  let groupCount = 0;

  const escapeItem = (inClass: boolean): { item?: Item; anchor?: AnchorKind; bits?: (c: number) => boolean } => {
    const c = source[p + 1];
    if (c === undefined) fail('trailing backslash');
    p += 2;
    if (SIMPLE_ESCAPES[c] !== undefined) return { item: { k: 'char', c: SIMPLE_ESCAPES[c] } };
    if ('dDsSwW'.includes(c)) {
      if (inClass) {
        if (c === 'D' || c === 'S' || c === 'W') fail(`\\${c} inside a class`, p - 2);
        return { bits: TYPE_TEST[c as 'd'] };
      }
      return { item: { k: 'type', t: c as TypeKind } };
    }
    if (c === 'x') {
      const h = /^[0-9a-fA-F]{2}/.exec(source.slice(p));
      if (!h) fail('\\x without two hex digits', p - 2);
      p += 2;
      return { item: { k: 'char', c: parseInt(h![0], 16) } };
    }
    if (!inClass && (c === 'A' || c === 'z' || c === 'Z')) return { anchor: c === 'A' ? 'sod' : c === 'z' ? 'eod' : 'eodn' };
    if (/[A-Za-z0-9]/.test(c)) fail(`escape \\${c}`, p - 2);
    return { item: { k: 'char', c: c.codePointAt(0)! } };
  };

  const parseClass = (): Item => {
    const start = p;
    p++;
    let neg = false;
    if (source[p] === '^') {
      neg = true;
      p++;
    }
    const bits = new Uint8Array(256);
    let first = true;
    // What was written: pcre2_compile makes a literal of a class of one character, and a caseless
    // literal of a class of a letter and its other case ([Ee]); [99] stays a class.
    const written: number[] = [];
    for (;;) {
      if (p >= source.length) fail('unterminated character class', start);
      let ch = source[p];
      if (ch === ']' && !first) {
        p++;
        break;
      }
      first = false;
      if (ch === '[' && source[p + 1] === ':') fail('POSIX class');
      let lo: number;
      if (ch === '\\') {
        const e = escapeItem(true);
        if (e.bits) {
          for (let i = 0; i < 256; i++) if (e.bits(i)) bits[i] = 1;
          written.push(-1, -1);
          continue;
        }
        if (!e.item || e.item.k !== 'char') fail('escape in class');
        lo = (e.item as { c: number }).c;
      } else {
        lo = ch.codePointAt(0)!;
        p += lo > 0xffff ? 2 : 1;
      }
      if (source[p] === '-' && source[p + 1] !== ']' && source[p + 1] !== undefined) {
        p++;
        ch = source[p];
        let hi: number;
        if (ch === '\\') {
          const e = escapeItem(true);
          if (!e.item || e.item.k !== 'char') fail('range ending in a class escape');
          hi = (e.item as { c: number }).c;
        } else {
          hi = ch.codePointAt(0)!;
          p += hi > 0xffff ? 2 : 1;
        }
        if (hi < lo) fail('range out of order');
        if (hi > 255) fail('class with characters above \\xff');
        for (let i = lo; i <= hi; i++) bits[i] = 1;
        written.push(-1, -1);
      } else {
        if (lo > 255) fail('class with characters above \\xff');
        bits[lo] = 1;
        written.push(lo);
      }
    }
    const other = (c: number) => (c >= 65 && c <= 90 ? c + 32 : c >= 97 && c <= 122 ? c - 32 : c);
    if (written.length === 1 && written[0] < 128) return neg ? { k: 'not', c: written[0] } : { k: 'char', c: written[0] };
    if (!neg && written.length === 2 && written[0] >= 0 && written[1] === other(written[0]) && written[1] !== written[0]) return { k: 'char', c: written[0], ci: written[1] };
    if (neg) for (let i = 0; i < 256; i++) bits[i] ^= 1;
    return { k: 'class', bits, neg };
  };

  const parseAlts = (lookbehind: boolean): Node[][] => {
    const alts: Node[][] = [[]];
    while (p < source.length) {
      const ch = source[p];
      const seq = alts[alts.length - 1];
      if (ch === '|') {
        p++;
        alts.push([]);
        continue;
      }
      if (ch === ')') break;
      let node: Node;
      const at = p;
      if (ch === '\\') {
        const e = escapeItem(false);
        node = e.anchor ? { k: 'anchor', a: e.anchor } : e.item!;
      } else if (ch === '[') node = parseClass();
      else if (ch === '.') {
        node = { k: 'type', t: flags.s ? 'allany' : 'any' };
        p++;
      } else if (ch === '^' || ch === '$') {
        node = { k: 'anchor', a: ch === '^' ? (flags.m ? 'circm' : 'circ') : flags.m ? 'dollm' : 'doll' };
        p++;
      } else if (ch === '(') {
        const rest = source.slice(p);
        let g: GroupKind;
        let num = 0;
        let m: RegExpExecArray | null;
        if (rest.startsWith('(?:')) (g = 'bra'), (p += 3);
        else if (rest.startsWith('(?=')) (g = 'assert'), (p += 3);
        else if (rest.startsWith('(?!')) (g = 'assert_not'), (p += 3);
        else if (rest.startsWith('(?<=')) (g = 'assertback'), (p += 4);
        else if (rest.startsWith('(?<!')) (g = 'assertback_not'), (p += 4);
        else if ((m = /^\(\?(?:P?<[A-Za-z_]\w*>|'[A-Za-z_]\w*')/.exec(rest))) (g = 'cbra'), (num = ++groupCount), (p += m[0].length);
        else if (rest.startsWith('(?')) return fail('group form', at);
        else (g = 'cbra'), (num = ++groupCount), p++;
        const inner = parseAlts(lookbehind || g === 'assertback' || g === 'assertback_not');
        if (source[p] !== ')') fail('unbalanced (', at);
        p++;
        node = { k: 'group', g, num, alts: inner };
      } else if ('*+?'.includes(ch)) return fail(`quantifier ${ch} without anything to repeat`);
      else {
        const c = source.codePointAt(p)!;
        p += c > 0xffff ? 2 : 1;
        node = { k: 'char', c };
      }
      // Quantifier.
      const q = /^(?:\*|\+|\?|\{(\d+)(?:(,)(\d*))?\})/.exec(source.slice(p));
      if (q) {
        let min: number;
        let max: number;
        if (q[0] === '*') (min = 0), (max = INF);
        else if (q[0] === '+') (min = 1), (max = INF);
        else if (q[0] === '?') (min = 0), (max = 1);
        else {
          min = Number(q[1]);
          max = q[2] ? (q[3] ? Number(q[3]) : INF) : min;
          if (max < min) fail('quantifier {n,m} with m < n');
        }
        p += q[0].length;
        let lazy = false;
        let pos = false;
        if (source[p] === '?') (lazy = true), p++;
        else if (source[p] === '+') {
          if (node.k !== 'group' || (node.g !== 'bra' && node.g !== 'cbra') || max !== INF || min > 1) fail('possessive quantifier other than *+ or ++ on a group');
          pos = true;
          p++;
        }
        if (node.k === 'anchor' || (node.k === 'group' && node.g !== 'bra' && node.g !== 'cbra')) fail('quantified assertion', at);
        if (lookbehind) fail('quantifier inside lookbehind');
        if (node.k === 'group' && (lazy || (max === INF && min > 1))) fail('lazy or {n,} (n > 1) group repeat', at);
        node = pos ? { k: 'rep', node, min, max, lazy, pos } : { k: 'rep', node, min, max, lazy };
      } else if (source[p] === '{' && /^\{,/.test(source.slice(p))) fail('{,n} quantifier');
      seq.push(node);
    }
    return alts;
  };
  const alts = parseAlts(false);
  if (p < source.length) fail('unbalanced )');
  return { alts, groupCount };
}

// ---------------------------------------------------------------------------------------------
// Code generation (pcre2_compile's shapes)

function itemLength(n: Node): number | undefined {
  if (n.k === 'char' || n.k === 'not' || n.k === 'type' || n.k === 'class') return 1;
  if (n.k === 'anchor') return 0;
  if (n.k === 'group') {
    if (n.g !== 'bra' && n.g !== 'cbra') return 0;
    const ls = n.alts.map(seqLength);
    return ls.every((l) => l !== undefined && l === ls[0]) ? ls[0] : undefined;
  }
  if (n.min !== n.max) return undefined;
  const l = itemLength(n.node);
  return l === undefined ? undefined : l * n.min;
}
function seqLength(seq: Node[]): number | undefined {
  let t = 0;
  for (const n of seq) {
    const l = itemLength(n);
    if (l === undefined) return undefined;
    t += l;
  }
  return t;
}
function canBeEmpty(n: Node): boolean {
  if (n.k === 'anchor') return true;
  if (n.k === 'group') return n.g !== 'bra' && n.g !== 'cbra' ? true : n.alts.some((s) => s.every(canBeEmpty));
  if (n.k === 'rep') return n.min === 0 || canBeEmpty(n.node);
  return false;
}

function generate(alts: Node[][], source: string): Op[] {
  const ops: Op[] = [];
  const push = (op: OpName, extra: Partial<Op> = {}): number => {
    ops.push({ op, link: -1, num: 0, min: 1, max: 1, mode: 'max', ...extra });
    return ops.length - 1;
  };
  const group = (bra: OpName, num: number, galts: Node[][], ket: OpName, lookbehind: boolean) => {
    const b = push(bra, { num });
    let last = b;
    galts.forEach((seq, i) => {
      if (i > 0) {
        const a = push('ALT');
        ops[last].link = a;
        last = a;
      }
      if (lookbehind) {
        const len = seqLength(seq);
        if (len === undefined) throw new RegexSubsetError(source, 0, 'variable-length lookbehind');
        push('REVERSE', { num: len });
      }
      seq.forEach(emit);
    });
    const k = push(ket, { link: b });
    ops[last].link = k;
  };
  const GROUP_OP: Record<GroupKind, OpName> = { bra: 'BRA', cbra: 'CBRA', assert: 'ASSERT', assert_not: 'ASSERT_NOT', assertback: 'ASSERTBACK', assertback_not: 'ASSERTBACK_NOT' };
  const emitGroup = (n: Extract<Node, { k: 'group' }>, ket: OpName = 'KET') => {
    let bra = GROUP_OP[n.g];
    if (ket === 'KETRMAX' && canBeEmpty(n)) bra = bra === 'CBRA' ? 'SCBRA' : 'SBRA';
    group(bra, n.num, n.alts, ket, n.g === 'assertback' || n.g === 'assertback_not');
  };
  const optional = (n: Extract<Node, { k: 'group' }>, copies: number) => {
    // pcre2_compile nests the optional copies of {n,m}: (?:X(?:X(?:X)?)?)?
    push('BRAZERO');
    if (copies === 1) return emitGroup(n);
    const b = push('BRA');
    emitGroup(n);
    optional(n, copies - 1);
    ops[b].link = push('KET', { link: b });
  };
  const rep = (item: Item, min: number, max: number, mode: Op['mode'], form: RepForm) => push('REP', { item, min, max, mode, form });
  function emit(n: Node): void {
    if (n.k === 'anchor') {
      push(n.a.toUpperCase() as AnchorOp);
      return;
    }
    if (n.k === 'group') return emitGroup(n);
    if (n.k !== 'rep') {
      push('ITEM', { item: n });
      return;
    }
    const { min, max } = n;
    const mode = n.lazy ? 'min' : 'max';
    const inner = n.node;
    if (inner.k === 'group') {
      if (max === 0) return;
      if (n.pos) {
        // pcre2_compile: (?:X)*+ is Braposzero BraPos X KetRpos; (?:X)++ the same without Braposzero.
        if (min === 0) push('BRAPOSZERO');
        const e = canBeEmpty(inner);
        const bra: OpName = inner.g === 'cbra' ? (e ? 'SCBRAPOS' : 'CBRAPOS') : e ? 'SBRAPOS' : 'BRAPOS';
        return group(bra, inner.num, inner.alts, 'KETRPOS', false);
      }
      if (min === 0 && max === INF) {
        push('BRAZERO');
        return emitGroup(inner, 'KETRMAX');
      }
      if (min === 1 && max === INF) return emitGroup(inner, 'KETRMAX');
      for (let i = 0; i < min; i++) emitGroup(inner);
      if (max > min) optional(inner, max - min);
      return;
    }
    const item = inner as Item;
    if (item.k === 'class') {
      if (min === 0 && max === INF) rep(item, 0, INF, mode, 'star');
      else if (min === 1 && max === INF) rep(item, 1, INF, mode, 'plus');
      else if (min === 0 && max === 1) rep(item, 0, 1, mode, 'query');
      else if (max !== 0) rep(item, min, max, mode, 'range');
      return;
    }
    if (max === 0) return;
    if (min === 0 && max === 1) rep(item, 0, 1, mode, 'query');
    else if (min === 0 && max === INF) rep(item, 0, INF, mode, 'star');
    else if (min === 1 && max === INF) rep(item, 1, INF, mode, 'plus');
    else if (min === max) {
      if (min === 1) push('ITEM', { item });
      else rep(item, min, min, 'max', 'exact');
    } else {
      if (min === 1) push('ITEM', { item });
      else if (min > 1) rep(item, min, min, 'max', 'exact');
      if (max === INF) rep(item, 0, INF, mode, 'star');
      else rep(item, 0, max - min, mode, 'upto');
    }
  }
  group('BRA', 0, alts, 'KET', false);
  push('END');
  return ops;
}

// ---------------------------------------------------------------------------------------------
// Auto-possessification (pcre2_auto_possess.c, for the opcodes above)

interface CharList {
  kind: 'char' | 'not' | 'type' | 'class' | 'nclass' | 'doll' | 'dollm' | 'eod' | 'eodn';
  c?: number;
  cs?: number[];
  t?: TypeKind;
  bits?: Uint8Array;
  /** For the base: greedy. For the next item: may match empty. */
  flag: boolean;
}

function listOf(op: Op): CharList | undefined {
  if (op.op === 'ITEM' || op.op === 'REP') {
    const it = op.item!;
    const flag = op.op === 'REP' && op.min === 0;
    if (it.k === 'char') return { kind: 'char', cs: it.ci === undefined ? [it.c] : [it.c, it.ci], flag };
    if (it.k === 'not') return { kind: 'not', c: it.c, flag };
    if (it.k === 'type') return { kind: 'type', t: it.t, flag };
    return { kind: it.neg ? 'nclass' : 'class', bits: it.bits, flag };
  }
  if (op.op === 'DOLL' || op.op === 'DOLLM' || op.op === 'EOD' || op.op === 'EODN') return { kind: op.op.toLowerCase() as CharList['kind'], flag: false };
  return undefined;
}

// autoposstab rows \D \d \S \s \W \w . .+ ; columns those and \Z \z $ $M (the rest never occur here).
const AUTO_COL: Record<string, number> = { D: 0, d: 1, S: 2, s: 3, W: 4, w: 5, any: 6, allany: 7, eodn: 17, eod: 18, doll: 19, dollm: 20 };
const AUTOPOSSTAB: number[][] = [
  [0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  [1, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1],
  [0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1],
  [0, 1, 1, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  [0, 1, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  [0, 0, 0, 1, 1, 0, 0, 0, 0, 0, 0, 1, 0, 1, 0, 1, 0, 1, 1, 1, 1],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0, 0, 0, 0, 0, 1, 0, 0],
  [0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1, 0, 0],
];

function typeBits(t: TypeKind): { test: (c: number) => boolean; invert: boolean } | undefined {
  if (t === 'any' || t === 'allany') return undefined;
  const lower = t.toLowerCase() as 'd' | 's' | 'w';
  return { test: TYPE_TEST[lower], invert: t !== lower };
}

/** compare_opcodes: true when what follows `at` can never match a character `base` matches. */
function compare(ops: Op[], at: number, base: CharList, budget: { n: number }): boolean {
  if (--budget.n <= 0) return false;
  let i = at;
  let entered = false;
  for (;;) {
    let op = ops[i];
    if (op.op === 'ALT') {
      do i = ops[i].link;
      while (ops[i].op === 'ALT');
      op = ops[i];
    }
    switch (op.op) {
      case 'END':
        return base.flag;
      case 'KET':
      case 'KETRPOS': {
        if (!base.flag) return false;
        const b = ops[op.link].op;
        if (b === 'ASSERT' || b === 'ASSERT_NOT' || b === 'ASSERTBACK' || b === 'ASSERTBACK_NOT') return !entered;
        i++;
        continue;
      }
      case 'BRA':
      case 'CBRA': {
        let next = op.link;
        i++;
        while (ops[next].op === 'ALT') {
          if (!compare(ops, i, base, budget)) return false;
          i = next + 1;
          next = ops[next].link;
        }
        entered = true;
        continue;
      }
      case 'BRAZERO': {
        let next = i + 1;
        if (ops[next].op !== 'BRA' && ops[next].op !== 'CBRA') return false;
        do next = ops[next].link;
        while (ops[next].op === 'ALT');
        if (!compare(ops, next + 1, base, budget)) return false;
        i++;
        continue;
      }
    }
    const list = listOf(op);
    if (!list) return false;
    i++;
    let chrs: number[] | undefined;
    let other: CharList;
    if (base.kind === 'char') (chrs = base.cs!), (other = list);
    else if (list.kind === 'char') (chrs = list.cs!), (other = base);
    else if (base.kind === 'class' || list.kind === 'class') {
      const set1 = base.kind === 'class' ? base.bits! : list.bits!;
      other = base.kind === 'class' ? list : base;
      let test: (c: number) => boolean;
      let invert = false;
      if (other.kind === 'class' || other.kind === 'nclass') {
        const b = other.bits!;
        test = (c) => b[c] === 1;
      } else if (other.kind === 'type' && typeBits(other.t!)) {
        const tb = typeBits(other.t!)!;
        test = tb.test;
        invert = tb.invert;
        if (invert) test = TYPE_TEST[other.t!.toLowerCase() as 'd'];
      } else return false;
      for (let c = 0; c < 256; c++) if (set1[c] && (invert ? !test(c) : test(c))) return false;
      if (!list.flag) return true;
      continue;
    } else {
      const left = base.kind === 'type' ? AUTO_COL[base.t!] : undefined;
      const right = list.kind === 'type' ? AUTO_COL[list.t!] : AUTO_COL[list.kind];
      if (left === undefined || left > 7 || right === undefined || !AUTOPOSSTAB[left][right]) return false;
      if (!list.flag) return true;
      continue;
    }
    for (const chr of chrs) {
      switch (other.kind) {
        case 'char':
          if (other.cs!.includes(chr)) return false;
          break;
        case 'not':
          if (chr !== other.c) return false;
          break;
        case 'type': {
          const t = other.t!;
          if (t === 'any' || t === 'allany') return false;
          if (t === 'w' ? chr < 255 && isWord(chr) : chr < 256 && TYPE_TEST[t](chr)) return false;
          break;
        }
        case 'doll':
        case 'eodn':
          if ([10, 11, 12, 13, 0x85, 0x2028, 0x2029].includes(chr)) return false;
          break;
        case 'eod':
          break;
        case 'nclass':
        case 'class':
          if (chr > 255) {
            if (other.kind === 'nclass') return false;
            break;
          }
          if (other.bits![chr]) return false;
          break;
        default:
          return false;
      }
    }
    if (!list.flag) return true;
  }
}

function autoPossessify(ops: Op[]): void {
  const budget = { n: 1000 };
  ops.forEach((op, i) => {
    if (op.op !== 'REP' || op.mode === 'pos') return;
    if (op.item!.k !== 'class' && op.form === 'exact') return;
    const base = listOf(op)!;
    base.flag = op.mode === 'max';
    if (compare(ops, i + 1, base, budget)) op.mode = 'pos';
  });
}

// ---------------------------------------------------------------------------------------------
// First and required code units (pcre2_compile's firstcu/reqcu, for the subset)

interface CuState {
  first: number; // code unit, or -1 unset, -2 none
  req: number; // code unit or -2 none
}
const UNSET = -1;
const NONE = -2;
/** Set on a first/required code unit that matches either case. */
const CASELESS = 0x1000000;

function seqCu(seq: Node[]): CuState {
  const st: CuState = { first: UNSET, req: NONE };
  for (const n of seq) {
    const zero = { first: st.first, req: st.req };
    let node = n;
    let min = 1;
    let max = 1;
    if (n.k === 'rep') ((node = n.node), (min = n.min), (max = n.max));
    if (node.k === 'char') {
      const cu = node.ci === undefined ? node.c : node.c | CASELESS;
      if (st.first === UNSET) {
        zero.first = NONE;
        st.first = cu;
      } else st.req = cu;
      if (min > 1) st.req = cu;
    } else if (node.k === 'anchor') {
      if (node.a === 'circm' && st.first === UNSET) st.first = zero.first = NONE;
    } else if (node.k === 'group') {
      const sub = altsCu(node.alts);
      if (node.g === 'bra' || node.g === 'cbra') {
        let subReq = sub.req;
        if (st.first === UNSET && sub.first !== UNSET) {
          st.first = sub.first >= 0 ? sub.first : NONE;
          zero.first = NONE;
          if (sub.first >= 0 && min > 1 && subReq < 0) subReq = sub.first;
        } else if (sub.first >= 0 && subReq < 0) subReq = sub.first;
        if (subReq >= 0) st.req = subReq;
      } else if (node.g === 'assert' && sub.req >= 0 && sub.first >= 0) st.req = sub.req;
    } else if (st.first === UNSET) st.first = zero.first = NONE;
    void max;
    if (min === 0) ((st.first = zero.first), (st.req = zero.req));
  }
  return st;
}

function altsCu(alts: Node[][]): CuState {
  let first = UNSET;
  let req = NONE;
  alts.forEach((seq, i) => {
    const b = seqCu(seq);
    if (i === 0) ((first = b.first), (req = b.req));
    else {
      if (first !== b.first) {
        if (first >= 0 && req < 0) req = first;
        first = NONE;
      }
      let breq = b.req;
      if (first < 0 && b.first >= 0 && breq < 0) breq = b.first;
      if (req !== breq) req = NONE;
    }
  });
  return { first, req };
}

/** Adds what `alts` can start consuming with to `set`; true when some branch may consume nothing. */
function altsStart(alts: Node[][], set: { bits: Uint8Array; high: boolean }): boolean {
  let nullable = false;
  for (const seq of alts) if (seqStart(seq, set)) nullable = true;
  return nullable;
}
function seqStart(seq: Node[], set: { bits: Uint8Array; high: boolean }): boolean {
  for (const n of seq) if (!nodeStart(n, set)) return false;
  return true;
}
function nodeStart(n: Node, set: { bits: Uint8Array; high: boolean }): boolean {
  switch (n.k) {
    case 'anchor':
      return true;
    case 'group':
      return n.g === 'bra' || n.g === 'cbra' ? altsStart(n.alts, set) : true;
    case 'rep':
      return nodeStart(n.node, set) || n.min === 0;
    case 'char':
      if (n.c < 256) set.bits[n.c] = 1;
      else set.high = true;
      if (n.ci !== undefined) set.bits[n.ci] = 1;
      return false;
    case 'not':
    case 'type':
      set.high = true;
      for (let c = 0; c < 256; c++) if (n.k === 'not' ? c !== n.c : n.t === 'any' || n.t === 'allany' || TYPE_TEST[n.t](c)) set.bits[c] = 1;
      return false;
    case 'class':
      if (n.neg) set.high = true;
      for (let c = 0; c < 256; c++) if (n.bits[c]) set.bits[c] = 1;
      return false;
  }
}

function startsWith(alts: Node[][], kinds: AnchorKind[]): boolean {
  return alts.every((seq) => {
    const n = seq[0];
    if (!n) return false;
    if (n.k === 'anchor') return kinds.includes(n.a);
    if (n.k === 'group' && (n.g === 'bra' || n.g === 'cbra')) return startsWith(n.alts, kinds);
    return false;
  });
}

/** Compiles a REPORT/EXTRACT regex for the model; throws RegexSubsetError outside the subset. */
export function compileModel(source: string, flags: { m?: boolean; s?: boolean } = {}): PcreProgram {
  const { alts, groupCount } = parse(source, flags);
  const ops = generate(alts, source);
  autoPossessify(ops);
  const anchored = startsWith(alts, ['circ', 'sod']);
  const cu = altsCu(alts);
  const firstCu = anchored ? -1 : Math.max(cu.first, -1);
  const set = { bits: new Uint8Array(256), high: false };
  const startSet = altsStart(alts, set) ? undefined : set;
  return { source, ops, groupCount, firstCu, reqCu: anchored ? -1 : Math.max(cu.req, -1), anchored, startline: !anchored && firstCu < 0 && startsWith(alts, ['circm']), startSet };
}

// ---------------------------------------------------------------------------------------------
// The listing pcre2test prints with /B

function printChar(c: number): string {
  if (c >= 32 && c < 127) return String.fromCharCode(c);
  return c < 0x80 ? `\\x${c.toString(16).padStart(2, '0')}` : `\\x{${c.toString(16).padStart(2, '0')}}`;
}
function printClass(bits: Uint8Array): string {
  const pc = (c: number) => (c === 45 || c === 93 ? '\\' : '') + (c >= 32 && c < 127 ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`);
  let s = '';
  for (let i = 0; i < 256; i++) {
    if (!bits[i]) continue;
    let j = i + 1;
    while (j < 256 && bits[j]) j++;
    s += pc(i);
    if (--j > i) s += (j !== i + 1 ? '-' : '') + pc(j);
    i = j;
  }
  return `[${s}]`;
}
const TYPE_NAME: Record<TypeKind, string> = { d: '\\d', D: '\\D', s: '\\s', S: '\\S', w: '\\w', W: '\\W', any: 'Any', allany: 'AllAny' };
const OP_NAME: Partial<Record<OpName, string>> = {
  BRA: 'Bra', SBRA: 'SBra', ASSERT: 'Assert', ASSERT_NOT: 'Assert not', ASSERTBACK: 'Assert back', ASSERTBACK_NOT: 'Assert back not', ALT: 'Alt', KET: 'Ket', KETRMAX: 'KetRmax',
  BRAPOS: 'BraPos', SBRAPOS: 'SBraPos', BRAPOSZERO: 'Braposzero', KETRPOS: 'KetRpos',
  REVERSE: 'Reverse', BRAZERO: 'Brazero', END: 'End', CIRC: '^', CIRCM: '/m ^', DOLL: '$', DOLLM: '/m $', SOD: '\\A', EOD: '\\z', EODN: '\\Z',
};

/** The compiled code as pcre2test's `/B` prints it (lines trimmed). */
export function listing(prog: PcreProgram): string[] {
  const out: string[] = [];
  const ops = prog.ops;
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i];
    if (op.op === 'CBRA' || op.op === 'SCBRA') out.push(`${op.op === 'CBRA' ? 'CBra' : 'SCBra'} ${op.num}`);
    else if (op.op === 'CBRAPOS' || op.op === 'SCBRAPOS') out.push(`${op.op === 'CBRAPOS' ? 'CBraPos' : 'SCBraPos'} ${op.num}`);
    else if (op.op === 'ITEM' || op.op === 'REP') {
      const it = op.item!;
      if (op.op === 'ITEM' && it.k === 'char') {
        const ci = it.ci !== undefined;
        let s = ci ? '/i ' : '';
        for (; i < ops.length && ops[i].op === 'ITEM' && ops[i].item!.k === 'char' && ((ops[i].item as { ci?: number }).ci !== undefined) === ci; i++) s += printChar((ops[i].item as { c: number }).c);
        i--;
        out.push(s);
        continue;
      }
      const head = it.k === 'char' ? printChar(it.c) : it.k === 'not' ? `[^${printChar(it.c)}]` : it.k === 'type' ? TYPE_NAME[it.t] : printClass(it.bits) + (it.neg ? ' (neg)' : '');
      if (op.op === 'ITEM') {
        out.push(head);
        continue;
      }
      const sfx = op.mode === 'min' ? '?' : op.mode === 'pos' ? '+' : '';
      let q: string;
      if (op.form === 'star') q = `*${sfx}`;
      else if (op.form === 'plus') q = `+${sfx}`;
      else if (op.form === 'query') q = `?${sfx}`;
      else if (op.form === 'exact') q = it.k === 'class' ? `{${op.min},${op.max}}${sfx}` : `{${op.min}}`;
      else if (op.form === 'upto') q = `{0,${op.max}}${sfx}`;
      else q = `{${op.min},${op.max === INF ? '' : op.max}}${sfx}`;
      out.push(head + q);
    } else out.push(OP_NAME[op.op]!);
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// The interpreter (pcre2_match.c's match() with heap frames)

export interface ModelLimits {
  matchLimit: number;
  depthLimit: number;
}

export type ModelOutcome =
  | { kind: 'match'; ovector: number[]; calls: number; depth: number }
  | { kind: 'nomatch'; calls: number; depth: number }
  | { kind: 'matchlimit' | 'depthlimit'; calls: number; depth: number };

interface Frame {
  ecode: number;
  eptr: number;
  rdepth: number;
  ov: number[];
  lastGroup: number;
  backFrame: number;
  ret: number;
  t0: number;
  t1: number;
  t2: number;
}

const MATCH = 1;
const NOMATCH = 0;
const MATCHLIMIT = -47;
const DEPTHLIMIT = -52;
/** pcre2_match's MATCH_KETRPOS: an iteration of a possessive group ended; its frame hands back. */
const KETRPOS = -999;

const RM_GROUP = 1;
const RM_BRA = 2;
const RM_ASSERT = 3;
const RM_ASSERT_NOT = 4;
const RM_BRAZERO = 5;
const RM_KETRMAX = 6;
const RM_REP_MIN = 7;
const RM_REP_MAX = 8;
const RM_CLS_MAX = 9;
const RM_BRAPOS = 10;

/**
 * One pcre2_match() call from `startOffset`: the attempts at each start position that PCRE2's
 * start-of-match optimisations leave, each counting match() calls and frame depth from zero.
 * `calls` and `depth` are the largest any attempt needed (pcre2test's find_limits figures:
 * depth is the minimum depth limit, i.e. the deepest frame index + 1).
 */
export function runModel(prog: PcreProgram, subject: string, startOffset = 0, limits: ModelLimits = { matchLimit: Infinity, depthLimit: Infinity }): ModelOutcome {
  const end = subject.length;
  let maxCalls = 0;
  let maxDepth = 0;
  let reqPtr = -1;
  const hasFirst = prog.firstCu >= 0;
  const cases = (cu: number): string[] => {
    const c = cu & ~CASELESS;
    if (!(cu & CASELESS)) return [String.fromCodePoint(c)];
    return [String.fromCodePoint(c).toLowerCase(), String.fromCodePoint(c).toUpperCase()];
  };
  const find = (chars: string[], from: number) => {
    let best = -1;
    for (const ch of chars) {
      const k = subject.indexOf(ch, from);
      if (k >= 0 && (best < 0 || k < best)) best = k;
    }
    return best;
  };
  const firstChars = hasFirst ? cases(prog.firstCu) : [];
  const reqChars = prog.reqCu >= 0 ? cases(prog.reqCu) : [];
  const attempt = matcher(prog, subject, limits);
  const set = limits.matchLimit >= 1000 && limits.depthLimit >= 100 ? prog.startSet : undefined;
  for (let s = startOffset; s <= end; ) {
    if (set) {
      while (s < end) {
        const u = subject.charCodeAt(s);
        if (u < 256 ? set.bits[u] : set.high) break;
        s++;
      }
      if (s >= end) break;
    }
    if (prog.startline && s > startOffset) {
      while (s < end && subject.charCodeAt(s - 1) !== 10) s++;
    }
    if (hasFirst) {
      const f = find(firstChars, s);
      if (f < 0) break;
      s = f;
    }
    if (reqChars.length) {
      const p = s + (hasFirst ? 1 : 0);
      if (p > reqPtr && (!prog.anchored || end - s < 5000) && end - s < 5_000_000) {
        const q = find(reqChars, p);
        if (q < 0) break;
        reqPtr = q;
      }
    }
    const r = attempt(s);
    maxCalls = Math.max(maxCalls, r.calls);
    maxDepth = Math.max(maxDepth, r.depth);
    if (r.rc === MATCH) return { kind: 'match', ovector: r.ov, calls: maxCalls, depth: maxDepth };
    if (r.rc === MATCHLIMIT) return { kind: 'matchlimit', calls: maxCalls, depth: maxDepth };
    if (r.rc === DEPTHLIMIT) return { kind: 'depthlimit', calls: maxCalls, depth: maxDepth };
    if (prog.anchored) break;
    s += s < end && isHigh(subject.charCodeAt(s)) && isLow(subject.charCodeAt(s + 1)) ? 2 : 1;
  }
  return { kind: 'nomatch', calls: maxCalls, depth: maxDepth };
}

const isHigh = (u: number) => u >= 0xd800 && u <= 0xdbff;
const isLow = (u: number) => u >= 0xdc00 && u <= 0xdfff;

/** match() for one subject: returns the function that runs one attempt from a start position. */
function matcher(prog: PcreProgram, subject: string, limits: ModelLimits): (start: number) => { rc: number; calls: number; depth: number; ov: number[] } {
  const ops = prog.ops;
  const end = subject.length;
  const frames: Frame[] = [];
  let calls = 0;
  let depth = 0;
  let fi = 0;
  let F: Frame;
  let target = 0;
  let groupFrame = false;
  let rrc = 0;
  let start = 0;

  /** The code point at `i` and its length in UTF-16 units, or undefined at the end. */
  const cpAt = (i: number): number => {
    const u = subject.charCodeAt(i);
    return isHigh(u) && i + 1 < end && isLow(subject.charCodeAt(i + 1)) ? subject.codePointAt(i)! : u;
  };
  const step = (i: number, cp: number) => i + (cp > 0xffff ? 2 : 1);
  const back = (i: number) => (i >= 2 && isLow(subject.charCodeAt(i - 1)) && isHigh(subject.charCodeAt(i - 2)) ? i - 2 : i - 1);
  /** Matches one item at `i`: the new position, or -1. */
  const one = (it: Item, i: number): number => {
    if (it.k === 'type' && it.t === 'any') {
      if (i < end && subject.charCodeAt(i) === 10) return -1;
    }
    if (i >= end) return -1;
    const c = cpAt(i);
    switch (it.k) {
      case 'char':
        return c === it.c || c === it.ci ? step(i, c) : -1;
      case 'not':
        return c !== it.c ? step(i, c) : -1;
      case 'type':
        if (it.t === 'any' || it.t === 'allany') return step(i, c);
        return (c > 255 ? it.t === 'D' || it.t === 'S' || it.t === 'W' : TYPE_TEST[it.t](c)) ? step(i, c) : -1;
      case 'class':
        return (c > 255 ? it.neg : it.bits[c] === 1) ? step(i, c) : -1;
    }
  };
  const lastBranch = (P: Frame) => {
    while (ops[ops[P.ecode].link].op === 'ALT') P.ecode = ops[P.ecode].link;
  };

  return (from: number) => {
  start = from;
  calls = 0;
  depth = 0;
  fi = 0;
  F = frames[0] ??= { ecode: 0, eptr: 0, rdepth: 0, ov: [], lastGroup: -1, backFrame: 1, ret: 0, t0: 0, t1: 0, t2: 0 };
  F.eptr = from;
  F.rdepth = 0;
  F.ov = [];
  F.lastGroup = -1;
  target = 0;
  groupFrame = false;
  // action: 0 exec F, 1 new frame at `target`, 2 return `rrc` from F
  let action = 1;
  // The first frame is entered like any other (count, depth check) without being pushed.
  let first = true;
  for (;;) {
    if (action === 1) {
      if (!first) {
        const N: Frame = frames[fi + 1] ?? { ecode: 0, eptr: 0, rdepth: 0, ov: [], lastGroup: -1, backFrame: 1, ret: 0, t0: 0, t1: 0, t2: 0 };
        frames[fi + 1] = N;
        N.eptr = F.eptr;
        N.ov = F.ov.slice();
        N.lastGroup = F.lastGroup;
        N.rdepth = F.rdepth + 1;
        fi++;
        F = N;
      }
      first = false;
      F.ecode = target;
      F.backFrame = 1;
      if (groupFrame) {
        F.lastGroup = fi;
        groupFrame = false;
      }
      if (calls++ >= limits.matchLimit) return { rc: MATCHLIMIT, calls, depth, ov: [] };
      if (F.rdepth >= limits.depthLimit) return { rc: DEPTHLIMIT, calls, depth: Math.max(depth, F.rdepth + 1), ov: [] };
      if (F.rdepth + 1 > depth) depth = F.rdepth + 1;
      action = 0;
    } else if (action === 2) {
      if (F.rdepth === 0) return { rc: rrc, calls, depth, ov: [] };
      fi -= F.backFrame;
      F = frames[fi];
      action = resume();
      continue;
    }
    action = exec();
    if (action === 3) return { rc: MATCH, calls, depth, ov: [start, F.eptr, ...F.ov] };
  }
  };

  function rmatch(to: number, ret: number, group = false): number {
    target = to;
    F.ret = ret;
    groupFrame = group;
    return 1;
  }
  function rreturn(code: number): number {
    rrc = code;
    return 2;
  }

  /** Runs opcodes in F until a new frame, a return or the end of the pattern (3). */
  function exec(): number {
    for (;;) {
      const op = ops[F.ecode];
      switch (op.op) {
        case 'END':
          return 3;
        case 'ITEM': {
          const n = one(op.item!, F.eptr);
          if (n < 0) return rreturn(NOMATCH);
          F.eptr = n;
          F.ecode++;
          continue;
        }
        case 'REP': {
          const it = op.item!;
          for (let i = 0; i < op.min; i++) {
            const n = one(it, F.eptr);
            if (n < 0) return rreturn(NOMATCH);
            F.eptr = n;
          }
          if (op.min === op.max) {
            F.ecode++;
            continue;
          }
          if (op.mode === 'min') {
            F.t0 = op.min;
            return rmatch(F.ecode + 1, RM_REP_MIN);
          }
          const startPos = F.eptr;
          for (let i = op.min; i < op.max; i++) {
            const n = one(it, F.eptr);
            if (n < 0) break;
            F.eptr = n;
          }
          if (op.mode === 'pos') {
            F.ecode++;
            continue;
          }
          F.t1 = startPos;
          if (it.k === 'class') return rmatch(F.ecode + 1, RM_CLS_MAX);
          if (F.eptr <= startPos) {
            F.ecode++;
            continue;
          }
          return rmatch(F.ecode + 1, RM_REP_MAX);
        }
        case 'BRA':
          if (F.rdepth === 0) {
            F.t0 = 0;
            return rmatch(F.ecode + 1, RM_GROUP, false);
          }
          if (ops[op.link].op === 'ALT') {
            F.t0 = op.link;
            return rmatch(F.ecode + 1, RM_BRA);
          }
          F.ecode++;
          continue;
        case 'CBRA':
        case 'SCBRA':
        case 'SBRA':
          F.t0 = 1;
          return rmatch(F.ecode + 1, RM_GROUP, true);
        case 'ASSERT':
        case 'ASSERTBACK':
          return rmatch(F.ecode + 1, RM_ASSERT, true);
        case 'ASSERT_NOT':
        case 'ASSERTBACK_NOT':
          return rmatch(F.ecode + 1, RM_ASSERT_NOT, true);
        case 'BRAZERO':
          return rmatch(F.ecode + 1, RM_BRAZERO);
        case 'BRAPOSZERO':
        case 'BRAPOS':
        case 'SBRAPOS':
        case 'CBRAPOS':
        case 'SCBRAPOS':
          // t0: bit 1 matched once, bit 2 zero repeats allowed; t1: where the iteration began;
          // t2: the bracket. Each iteration is one group frame that returns before the next.
          F.t0 = op.op === 'BRAPOSZERO' ? 2 : 0;
          if (op.op === 'BRAPOSZERO') F.ecode++;
          F.t2 = F.ecode;
          F.t1 = F.eptr;
          return rmatch(F.ecode + 1, RM_BRAPOS, true);
        case 'REVERSE': {
          let e = F.eptr;
          for (let k = 0; k < op.num; k++) {
            if (e <= 0) return rreturn(NOMATCH);
            e = back(e);
          }
          F.eptr = e;
          F.ecode++;
          continue;
        }
        case 'ALT':
          do F.ecode = ops[F.ecode].link;
          while (ops[F.ecode].op === 'ALT');
          continue;
        case 'KET':
        case 'KETRMAX':
        case 'KETRPOS': {
          const bracket = ops[op.link];
          let P: Frame | undefined;
          const pIdx = F.lastGroup - 1;
          if (bracket.op !== 'BRA') {
            P = frames[pIdx];
            F.lastGroup = P.lastGroup;
          }
          switch (bracket.op) {
            case 'ASSERT':
            case 'ASSERTBACK':
              F.eptr = P!.eptr;
              F.backFrame = fi - pIdx;
              lastBranch(P!);
              break;
            case 'ASSERT_NOT':
            case 'ASSERTBACK_NOT':
              return rreturn(MATCH);
            case 'CBRA':
            case 'SCBRA':
            case 'CBRAPOS':
            case 'SCBRAPOS': {
              const o = (bracket.num - 1) * 2;
              while (F.ov.length < o) F.ov.push(-1);
              F.ov[o] = P!.eptr;
              F.ov[o + 1] = F.eptr;
              break;
            }
          }
          if (op.op === 'KETRMAX' && (P === undefined || F.eptr !== P.eptr)) return rmatch(op.link, RM_KETRMAX);
          if (op.op === 'KETRPOS') {
            // The frame before the group's takes this one's position and captures.
            P!.eptr = F.eptr;
            P!.ov = F.ov.slice();
            P!.lastGroup = F.lastGroup;
            return rreturn(KETRPOS);
          }
          F.ecode++;
          continue;
        }
        case 'CIRC':
        case 'SOD':
          if (F.eptr !== 0) return rreturn(NOMATCH);
          F.ecode++;
          continue;
        case 'CIRCM':
          if (F.eptr !== 0 && (F.eptr === end || subject.charCodeAt(F.eptr - 1) !== 10)) return rreturn(NOMATCH);
          F.ecode++;
          continue;
        case 'DOLL':
        case 'EODN':
          if (F.eptr < end - 1 || (F.eptr === end - 1 && subject.charCodeAt(F.eptr) !== 10)) return rreturn(NOMATCH);
          F.ecode++;
          continue;
        case 'DOLLM':
          if (F.eptr < end && subject.charCodeAt(F.eptr) !== 10) return rreturn(NOMATCH);
          F.ecode++;
          continue;
        case 'EOD':
          if (F.eptr < end) return rreturn(NOMATCH);
          F.ecode++;
          continue;
      }
    }
  }

  /** Continues F after a frame it created returned `rrc`. */
  function resume(): number {
    const op = ops[F.ecode];
    switch (F.ret) {
      case RM_GROUP:
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.ecode = ops[F.ecode].link;
        if (ops[F.ecode].op !== 'ALT') return rreturn(NOMATCH);
        return rmatch(F.ecode + 1, RM_GROUP, F.t0 === 1);
      case RM_BRA:
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.ecode = F.t0;
        if (ops[ops[F.ecode].link].op === 'ALT') {
          F.t0 = ops[F.ecode].link;
          return rmatch(F.ecode + 1, RM_BRA);
        }
        F.ecode++;
        return 0;
      case RM_ASSERT:
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.ecode = ops[F.ecode].link;
        if (ops[F.ecode].op !== 'ALT') return rreturn(NOMATCH);
        return rmatch(F.ecode + 1, RM_ASSERT, true);
      case RM_ASSERT_NOT:
        if (rrc === MATCH) return rreturn(NOMATCH);
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.ecode = ops[F.ecode].link;
        if (ops[F.ecode].op !== 'ALT') {
          F.ecode++;
          return 0;
        }
        return rmatch(F.ecode + 1, RM_ASSERT_NOT, true);
      case RM_BRAZERO: {
        if (rrc !== NOMATCH) return rreturn(rrc);
        let next = F.ecode + 1;
        do next = ops[next].link;
        while (ops[next].op === 'ALT');
        F.ecode = next + 1;
        return 0;
      }
      case RM_KETRMAX:
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.ecode++;
        return 0;
      case RM_BRAPOS: {
        if (rrc === KETRPOS) {
          F.t0 |= 1;
          if (F.eptr !== F.t1) {
            F.ecode = F.t2;
            F.t1 = F.eptr;
            return rmatch(F.ecode + 1, RM_BRAPOS, true);
          }
          // An empty iteration ends the repeat.
          do F.ecode = ops[F.ecode].link;
          while (ops[F.ecode].op === 'ALT');
        } else {
          if (rrc !== NOMATCH) return rreturn(rrc);
          F.ecode = ops[F.ecode].link;
          if (ops[F.ecode].op === 'ALT') {
            F.eptr = F.t1;
            return rmatch(F.ecode + 1, RM_BRAPOS, true);
          }
        }
        if (!F.t0) return rreturn(NOMATCH);
        F.ecode++;
        return 0;
      }
      case RM_REP_MIN: {
        if (rrc !== NOMATCH) return rreturn(rrc);
        if (F.t0++ >= op.max) return rreturn(NOMATCH);
        const n = one(op.item!, F.eptr);
        if (n < 0) return rreturn(NOMATCH);
        F.eptr = n;
        return rmatch(F.ecode + 1, RM_REP_MIN);
      }
      case RM_REP_MAX:
        if (rrc !== NOMATCH) return rreturn(rrc);
        F.eptr = back(F.eptr);
        if (F.eptr <= F.t1) {
          F.ecode++;
          return 0;
        }
        return rmatch(F.ecode + 1, RM_REP_MAX);
      case RM_CLS_MAX:
        if (rrc !== NOMATCH) return rreturn(rrc);
        if (F.eptr <= F.t1) return rreturn(NOMATCH);
        F.eptr = back(F.eptr);
        return rmatch(F.ecode + 1, RM_CLS_MAX);
    }
    throw new Error(`pcre model: bad return id ${F.ret}`);
  }
}

// ---------------------------------------------------------------------------------------------
// A cheap bound, so the evaluator runs the model only where a limit is within reach

interface Bound {
  /** Backtracking paths (leaves of the search tree). */
  ways: number;
  /** Frames on one path (depth). */
  frames: number;
  /** match() calls spent inside assertions along one path. */
  extra: number;
  /** Shortest subject the sequence consumes. */
  minLen: number;
  next: number;
}

/** The index after the sequence that starts at `i` (its ALT, KET or END). */
function seqEnd(ops: Op[], i: number): number {
  for (;;) {
    const op = ops[i].op;
    if (op === 'ALT' || op === 'KET' || op === 'KETRMAX' || op === 'KETRPOS' || op === 'END') return i;
    if (op === 'BRAZERO' || op === 'BRAPOSZERO') {
      i++;
      continue;
    }
    if (op === 'ITEM' || op === 'REP' || op === 'REVERSE' || !ops[i].op.includes('BRA') && !op.startsWith('ASSERT')) {
      i++;
      continue;
    }
    let k = ops[i].link;
    while (ops[k].op === 'ALT') k = ops[k].link;
    i = k + 1;
  }
}

/**
 * `used`: characters every path to `i` has consumed since the attempt began. A path that needs
 * more than the L characters there are fails at that item, so what follows is never run: this is
 * what keeps a {0,200} chain of optional copies linear in the subject, not in its 200 copies.
 * Inside assertions it is -Infinity (a lookbehind reads characters before the attempt's start).
 */
function seqBound(ops: Op[], i: number, L: number, used = 0): Bound {
  const b: Bound = { ways: 1, frames: 0, extra: 0, minLen: 0, next: i };
  for (;;) {
    if (used + b.minLen > L) {
      b.next = seqEnd(ops, i);
      return b;
    }
    const op = ops[i];
    switch (op.op) {
      case 'ALT':
      case 'KET':
      case 'KETRMAX':
      case 'KETRPOS':
      case 'END':
        b.next = i;
        return b;
      case 'BRAPOSZERO': {
        const g = groupBound(ops, i + 1, L, used + b.minLen);
        b.frames += g.frames;
        b.extra += g.extra;
        i = g.next;
        continue;
      }
      case 'ITEM':
        b.minLen++;
        i++;
        continue;
      case 'REP':
        if (op.mode !== 'pos' && op.min !== op.max) {
          b.ways *= Math.min(op.max - op.min, L) + 1;
          b.frames++;
        }
        b.minLen += op.min;
        i++;
        continue;
      case 'BRAZERO': {
        const g = groupBound(ops, i + 1, L, used + b.minLen);
        b.ways *= g.ways + 1;
        b.frames += g.frames + 1;
        b.extra += g.extra;
        i = g.next;
        continue;
      }
      case 'BRA':
      case 'CBRA':
      case 'SBRA':
      case 'SCBRA':
      case 'BRAPOS':
      case 'SBRAPOS':
      case 'CBRAPOS':
      case 'SCBRAPOS':
      case 'ASSERT':
      case 'ASSERT_NOT':
      case 'ASSERTBACK':
      case 'ASSERTBACK_NOT': {
        const g = groupBound(ops, i, L, op.op.startsWith('ASSERT') ? -INF : used + b.minLen);
        b.ways *= g.ways;
        b.frames += g.frames;
        b.extra += g.extra;
        b.minLen += g.minLen;
        i = g.next;
        continue;
      }
      default:
        i++;
    }
  }
}

function groupBound(ops: Op[], at: number, L: number, used = 0): Bound {
  const kind = ops[at].op;
  let ways = 0;
  let frames = 0;
  let extra = 0;
  let minLen = INF;
  let i = at;
  for (;;) {
    const s = seqBound(ops, i + 1, L, used);
    ways += s.ways;
    frames = Math.max(frames, s.frames);
    extra = Math.max(extra, s.extra);
    minLen = Math.min(minLen, s.minLen);
    i = s.next;
    if (ops[i].op !== 'ALT') break;
  }
  const ket = ops[i];
  frames += 1;
  if (kind.startsWith('ASSERT')) {
    // An assertion keeps no choice for what follows; its own search is paid on each visit.
    return { ways: 1, frames, extra: extra + ways * (frames + 1), minLen: 0, next: i + 1 };
  }
  if (ket.op === 'KETRPOS') {
    // A possessive repeat keeps no choice for what follows and no frame per iteration; each
    // iteration (and the one that fails) pays its own search.
    const iterations = (minLen >= 1 ? Math.floor(L / minLen) : L) + 1;
    return { ways: 1, frames, extra: iterations * ways * (frames + extra + 2), minLen, next: i + 1 };
  }
  if (ket.op === 'KETRMAX') {
    if (ways !== 1) return { ways: INF, frames: INF, extra, minLen, next: i + 1 };
    const iterations = minLen >= 1 ? Math.floor(L / minLen) : L + 1;
    return { ways: iterations + 1, frames: iterations * (frames + 1), extra: extra * iterations, minLen, next: i + 1 };
  }
  return { ways, frames, extra, minLen, next: i + 1 };
}

/**
 * Whether a subject of `length` code units can make one attempt reach a limit: an upper bound
 * on the search tree (paths x (frames on a path + calls in assertions)). When it cannot, the
 * JavaScript regex gives PCRE2's answer (test/knowledge/pcre2.test.ts) and the model need not run.
 */
export function limitReachable(prog: PcreProgram, length: number, limits: ModelLimits): boolean {
  const b = seqBound(prog.ops, 0, length);
  const calls = b.ways * (b.frames + b.extra + 2);
  return !(calls < limits.matchLimit && b.frames + 2 < limits.depthLimit);
}

const safeLengths = new WeakMap<PcreProgram, Map<string, number>>();

/** The longest subject on which no attempt can reach the limits (limitReachable), cached per program. */
export function safeLength(prog: PcreProgram, limits: ModelLimits): number {
  const key = `${limits.matchLimit}/${limits.depthLimit}`;
  let byLimits = safeLengths.get(prog);
  if (!byLimits) safeLengths.set(prog, (byLimits = new Map()));
  let safe = byLimits.get(key);
  if (safe === undefined) {
    let lo = -1;
    let hi = 1 << 30;
    while (hi - lo > 1) {
      const mid = Math.floor((lo + hi) / 2);
      if (limitReachable(prog, mid, limits)) hi = mid;
      else lo = mid;
    }
    byLimits.set(key, (safe = lo));
  }
  return safe;
}
