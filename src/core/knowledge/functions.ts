/**
 * The eval functions the evaluator supports: ONE table, name → arity, properties and
 * implementation (semantics per Splunk's eval function reference). The parser (eval.ts) refuses
 * any name not here and checks the arity at load; test/build/facts.test.ts checks that every
 * name is a function of Splunk's SPL reference (src/facts/spl-functions.json).
 */
import type { CompiledRegex } from './regex';
import { JsonNode, nodeText, parseJson, spathNodes } from './json';
import { formatTime, parseTime, relativeTime } from './time';
import { EvalContext, EvalValue, first, mv, num, str, truthy, values } from './values';

/** One call being evaluated. Arguments are evaluated on demand, so if/case/coalesce short-circuit. */
export interface Call {
  /** How many arguments are written. */
  readonly n: number;
  /** Evaluates argument i (again on every use: Splunk keeps nothing between uses). */
  arg(i: number): EvalValue;
  /** The compiled regex of a function with `regexArg`. */
  readonly re?: CompiledRegex;
  readonly ctx: EvalContext;
}

export interface EvalFunction {
  /** [min, max] arguments. */
  arity: [number, number];
  /** The argument that must be a literal regex in the PCRE2 subset (compiled when parsed). */
  regexArg?: number;
  /** The result stays text even when it looks like a number (so `+` concatenates it). */
  textual?: boolean;
  run(c: Call): EvalValue;
}

const MANY = 200;

function likeToRegex(pattern: string): RegExp {
  let re = '';
  for (const c of pattern) re += c === '%' ? '[\\s\\S]*' : c === '_' ? '[\\s\\S]' : c.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
  return new RegExp(`^${re}$`);
}

function cidrContains(cidr: string, ip: string): boolean {
  const [net, bitsText] = cidr.split('/');
  const toInt = (a: string) => {
    const parts = a.split('.');
    if (parts.length !== 4 || parts.some((x) => !/^\d{1,3}$/.test(x) || Number(x) > 255)) return null;
    return parts.reduce((acc, x) => acc * 256 + Number(x), 0);
  };
  const n = toInt(net);
  const i = toInt(ip);
  const bits = bitsText === undefined ? 32 : Number(bitsText);
  if (n === null || i === null || !(bits >= 0 && bits <= 32)) return false;
  const size = 2 ** (32 - bits);
  return Math.floor(n / size) === Math.floor(i / size);
}

/** Replacement text in Splunk's replace(): \1..\9 are groups. */
function expandReplacement(rep: string, m: RegExpExecArray): string {
  return rep.replace(/\\(\d)/g, (_, d: string) => m[Number(d)] ?? '');
}

/** Every call parses: Splunk keeps no parsed document between spath() calls. */
function jsonOf(text: string, ctx: EvalContext): JsonNode | undefined {
  if (ctx.cost) ctx.cost.jsonParses++;
  return parseJson(text);
}

function regexRun(ctx: EvalContext, n = 1): void {
  if (ctx.cost) ctx.cost.regexEvaluations += n;
}

const constant = (v: EvalValue): EvalFunction => ({ arity: [0, 0], run: () => v });

/** lower()/upper(): every value of a multivalue field. */
const caseMap = (f: (s: string) => string): EvalFunction => ({
  arity: [1, 1],
  textual: true,
  run: (c) => {
    const v = c.arg(0);
    return v === null ? null : mv(values(v).map(f));
  },
});

/** trim()/ltrim()/rtrim(): the characters of the second argument, by default space and tab. */
const trimmer = (left: boolean, right: boolean): EvalFunction => ({
  arity: [1, 2],
  run: (c) => {
    const s = str(c.arg(0));
    if (s === null) return null;
    const chars = c.n > 1 ? (str(c.arg(1)) ?? '') : ' \t';
    let a = 0;
    let b = s.length;
    if (left) while (a < b && chars.includes(s[a])) a++;
    if (right) while (b > a && chars.includes(s[b - 1])) b--;
    return s.slice(a, b);
  },
});

const numeric = (f: (n: number) => number): EvalFunction => ({
  arity: [1, 1],
  run: (c) => {
    const n = num(c.arg(0));
    return n === null ? null : f(n);
  },
});

/** max()/min(): numerically when every value is a number, else by text. */
const extreme = (max: boolean): EvalFunction => ({
  arity: [1, MANY],
  run: (c) => {
    const all: EvalValue[] = [];
    for (let i = 0; i < c.n; i++) all.push(...values(c.arg(i)));
    const nums = all.map(num);
    if (all.length === 0) return null;
    if (nums.every((x) => x !== null)) return (max ? Math.max : Math.min)(...(nums as number[]));
    const ss = all.map((x) => str(x)!).sort();
    return max ? ss[ss.length - 1] : ss[0];
  },
});

/** case()/validate(): the value paired with the first condition that is (case) or is not (validate) true. */
const pairs = (when: boolean): EvalFunction => ({
  arity: [2, MANY],
  run: (c) => {
    for (let i = 0; i + 1 < c.n; i += 2) if (truthy(c.arg(i)) === when) return c.arg(i + 1);
    return null;
  },
});

// Insertion order is the order `unsupported function` errors list the names in.
export const FUNCTIONS_TABLE: Readonly<Record<string, EvalFunction>> = {
  abs: numeric(Math.abs),
  case: pairs(true),
  ceil: numeric(Math.ceil),
  ceiling: numeric(Math.ceil),
  cidrmatch: {
    arity: [2, 2],
    run: (c) => {
      const cidr = str(c.arg(0));
      const ip = str(c.arg(1));
      return cidr === null || ip === null ? null : cidrContains(cidr, ip);
    },
  },
  coalesce: {
    arity: [1, MANY],
    run: (c) => {
      for (let i = 0; i < c.n; i++) {
        const v = c.arg(i);
        if (v !== null) return v;
      }
      return null;
    },
  },
  false: constant(false),
  floor: numeric(Math.floor),
  if: { arity: [3, 3], run: (c) => (truthy(c.arg(0)) ? c.arg(1) : c.arg(2)) },
  in: {
    arity: [2, MANY],
    run: (c) => {
      const v = c.arg(0);
      if (v === null) return null;
      const have = values(v);
      for (let i = 1; i < c.n; i++) if (values(c.arg(i)).some((x) => have.includes(x))) return true;
      return false;
    },
  },
  isnotnull: { arity: [1, 1], run: (c) => c.arg(0) !== null },
  isnull: { arity: [1, 1], run: (c) => c.arg(0) === null },
  isnum: { arity: [1, 1], run: (c) => typeof first(c.arg(0)) === 'number' },
  isstr: { arity: [1, 1], run: (c) => typeof first(c.arg(0)) === 'string' },
  json_valid: {
    arity: [1, 1],
    run: (c) => {
      const s = str(c.arg(0));
      return s === null ? null : jsonOf(s, c.ctx) !== undefined;
    },
  },
  len: {
    arity: [1, 1],
    run: (c) => {
      const s = str(c.arg(0));
      return s === null ? null : [...s].length;
    },
  },
  like: {
    arity: [2, 2],
    run: (c) => {
      const s = str(c.arg(0));
      const p = str(c.arg(1));
      return s === null || p === null ? null : likeToRegex(p).test(s);
    },
  },
  lower: caseMap((s) => s.toLowerCase()),
  ltrim: trimmer(true, false),
  match: {
    arity: [2, 2],
    regexArg: 1,
    run: (c) => {
      const s = str(c.arg(0));
      if (s !== null) regexRun(c.ctx);
      return s === null ? null : c.re!.re.test(s);
    },
  },
  max: extreme(true),
  min: extreme(false),
  mvappend: {
    arity: [1, MANY],
    run: (c) => {
      const out: string[] = [];
      for (let i = 0; i < c.n; i++) out.push(...values(c.arg(i)));
      return mv(out);
    },
  },
  mvcount: {
    arity: [1, 1],
    run: (c) => {
      const v = c.arg(0);
      return v === null ? null : values(v).length;
    },
  },
  mvdedup: {
    arity: [1, 1],
    run: (c) => {
      const v = c.arg(0);
      return v === null ? null : mv([...new Set(values(v))]);
    },
  },
  mvfind: {
    arity: [2, 2],
    regexArg: 1,
    run: (c) => {
      const i = values(c.arg(0)).findIndex((x) => (regexRun(c.ctx), c.re!.re.test(x)));
      return i < 0 ? null : i;
    },
  },
  mvindex: {
    arity: [2, 3],
    run: (c) => {
      const xs = values(c.arg(0));
      let s = num(c.arg(1));
      if (s === null || xs.length === 0) return null;
      if (s < 0) s += xs.length;
      if (c.n === 2) return xs[s] ?? null;
      let e = num(c.arg(2));
      if (e === null) return null;
      if (e < 0) e += xs.length;
      return mv(xs.slice(s, e + 1));
    },
  },
  mvjoin: {
    arity: [2, 2],
    run: (c) => {
      const v = c.arg(0);
      const d = str(c.arg(1));
      return v === null || d === null ? null : values(v).join(d);
    },
  },
  now: { arity: [0, 0], run: (c) => c.ctx.now ?? Math.floor(Date.now() / 1000) },
  null: constant(null),
  relative_time: {
    arity: [2, 2],
    run: (c) => {
      const t = num(c.arg(0));
      const spec = str(c.arg(1));
      if (t === null || spec === null) return null;
      const r = relativeTime(spec, t * 1000);
      return r === undefined ? null : r / 1000;
    },
  },
  nullif: {
    arity: [2, 2],
    run: (c) => {
      const a = c.arg(0);
      const b = c.arg(1);
      return a !== null && b !== null && str(a) === str(b) ? null : a;
    },
  },
  replace: {
    arity: [3, 3],
    regexArg: 1,
    textual: true,
    run: (c) => {
      const v = c.arg(0);
      const rep = str(c.arg(2));
      if (v === null || rep === null) return null;
      const re = c.re!.reGlobal;
      regexRun(c.ctx, values(v).length);
      return mv(values(v).map((s) => s.replace(re, (...m) => expandReplacement(rep, m.slice(0, -2) as unknown as RegExpExecArray))));
    },
  },
  round: {
    arity: [1, 2],
    run: (c) => {
      const n = num(c.arg(0));
      const d = c.n > 1 ? (num(c.arg(1)) ?? 0) : 0;
      if (n === null) return null;
      const f = 10 ** d;
      return Math.round(n * f) / f;
    },
  },
  rtrim: trimmer(false, true),
  split: {
    arity: [2, 2],
    run: (c) => {
      const s = str(c.arg(0));
      const d = str(c.arg(1));
      if (s === null || d === null) return null;
      return mv(d === '' ? [...s] : s.split(d));
    },
  },
  spath: {
    arity: [2, 2],
    run: (c) => {
      const s = str(c.arg(0));
      const path = str(c.arg(1));
      if (s === null || path === null) return null;
      const root = jsonOf(s, c.ctx);
      if (!root) return null;
      return mv(spathNodes(root, path).map(nodeText));
    },
  },
  strftime: {
    arity: [2, 2],
    run: (c) => {
      const t = num(c.arg(0));
      const f = str(c.arg(1));
      return t === null || f === null ? null : formatTime(t * 1000, f);
    },
  },
  strptime: {
    arity: [2, 2],
    run: (c) => {
      const s = str(c.arg(0));
      const f = str(c.arg(1));
      if (s === null || f === null) return null;
      const r = parseTime(s, f, 'UTC');
      return r ? r.epochMs / 1000 : null;
    },
  },
  substr: {
    arity: [2, 3],
    textual: true,
    run: (c) => {
      const s = str(c.arg(0));
      const start = num(c.arg(1));
      if (s === null || start === null) return null;
      const cps = [...s];
      // Splunk counts from 1; a negative start counts from the end.
      const from = start > 0 ? start - 1 : start < 0 ? Math.max(cps.length + start, 0) : 0;
      const len = c.n > 2 ? num(c.arg(2)) : null;
      return cps.slice(from, len === null ? undefined : from + Math.max(len, 0)).join('');
    },
  },
  tonumber: {
    arity: [1, 2],
    run: (c) => {
      const s = str(c.arg(0));
      if (s === null) return null;
      const base = c.n > 1 ? num(c.arg(1)) : 10;
      if (base === 10 || base === null) return num(s);
      const n = parseInt(s, base);
      return Number.isNaN(n) ? null : n;
    },
  },
  tostring: {
    arity: [1, 2],
    textual: true,
    run: (c) => {
      const v = c.arg(0);
      return v === null ? null : str(v);
    },
  },
  trim: trimmer(true, true),
  true: constant(true),
  typeof: {
    arity: [1, 1],
    run: (c) => {
      const v = first(c.arg(0));
      return v === null ? 'Invalid' : typeof v === 'number' ? 'Number' : typeof v === 'boolean' ? 'Boolean' : 'String';
    },
  },
  upper: caseMap((s) => s.toUpperCase()),
  urldecode: {
    arity: [1, 1],
    run: (c) => {
      const s = str(c.arg(0));
      if (s === null) return null;
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    },
  },
  validate: pairs(false),
};

/** The supported function names. */
export const FUNCTIONS = Object.keys(FUNCTIONS_TABLE);

export function evalFunction(name: string): EvalFunction | undefined {
  return Object.prototype.hasOwnProperty.call(FUNCTIONS_TABLE, name) ? FUNCTIONS_TABLE[name] : undefined;
}
