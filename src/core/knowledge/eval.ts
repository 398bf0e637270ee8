/**
 * The eval language of `EVAL-<field>` (calculated fields): literals, field references (bare or
 * 'single-quoted'), arithmetic, `.` concatenation, comparisons, AND/OR/XOR/NOT, LIKE, and the
 * functions listed in FUNCTIONS (semantics per ../shared/splunk/10.2.3/spl/eval-*.md). An
 * unknown function or malformed expression is refused when the conf is loaded, not at search
 * time, so `npm run lint` catches it.
 */
import { compilePcre, CompiledRegex } from './regex';
import { JsonNode, nodeText, parseJson, spathNodes } from './json';
import { formatTime, parseTime, relativeTime } from './time';

export type EvalValue = null | string | number | boolean | string[];
export type FieldGetter = (name: string) => string[] | undefined;

export class EvalError extends Error {
  constructor(expr: string, why: string) {
    super(`eval ${JSON.stringify(expr)}: ${why}`);
    this.name = 'EvalError';
  }
}

type Node =
  | { k: 'lit'; v: EvalValue }
  | { k: 'field'; name: string }
  | { k: 'call'; fn: string; args: Node[]; re?: CompiledRegex }
  | { k: 'bin'; op: string; a: Node; b: Node }
  | { k: 'not'; a: Node }
  | { k: 'neg'; a: Node };

interface Tok {
  t: 'num' | 'str' | 'field' | 'id' | 'op' | 'end';
  v: string;
  pos: number;
}

function tokenize(src: string): Tok[] {
  const toks: Tok[] = [];
  let i = 0;
  const fail = (why: string) => {
    throw new EvalError(src, `${why} at offset ${i}`);
  };
  while (i < src.length) {
    const c = src[i];
    if (/\s/.test(c)) {
      i++;
      continue;
    }
    const pos = i;
    if (c === '"') {
      let s = '';
      i++;
      for (;;) {
        if (i >= src.length) fail('unterminated string');
        const d = src[i];
        if (d === '"') {
          i++;
          break;
        }
        // Splunk eval strings: \" and \\ are escapes; any other backslash stays (regexes need it).
        if (d === '\\' && (src[i + 1] === '"' || src[i + 1] === '\\')) {
          s += src[i + 1];
          i += 2;
          continue;
        }
        s += d;
        i++;
      }
      toks.push({ t: 'str', v: s, pos });
      continue;
    }
    if (c === "'") {
      const j = src.indexOf("'", i + 1);
      if (j < 0) fail('unterminated field name');
      toks.push({ t: 'field', v: src.slice(i + 1, j), pos });
      i = j + 1;
      continue;
    }
    const num = /^(?:\d+\.?\d*|\.\d+)(?:[eE][+-]?\d+)?/.exec(src.slice(i));
    if (num) {
      toks.push({ t: 'num', v: num[0], pos });
      i += num[0].length;
      continue;
    }
    const id = /^[A-Za-z_][A-Za-z0-9_]*/.exec(src.slice(i));
    if (id) {
      toks.push({ t: 'id', v: id[0], pos });
      i += id[0].length;
      continue;
    }
    const op = /^(?:==|!=|<=|>=|[-+*/%.<>=(),!])/.exec(src.slice(i));
    if (!op) fail(`unexpected ${JSON.stringify(c)}`);
    toks.push({ t: 'op', v: op![0], pos });
    i += op![0].length;
  }
  toks.push({ t: 'end', v: '', pos: src.length });
  return toks;
}

/** Arity [min, max] of every supported function. */
const ARITY: Record<string, [number, number]> = {
  abs: [1, 1],
  case: [2, 200],
  ceil: [1, 1],
  ceiling: [1, 1],
  cidrmatch: [2, 2],
  coalesce: [1, 200],
  false: [0, 0],
  floor: [1, 1],
  if: [3, 3],
  in: [2, 200],
  isnotnull: [1, 1],
  isnull: [1, 1],
  isnum: [1, 1],
  isstr: [1, 1],
  json_valid: [1, 1],
  len: [1, 1],
  like: [2, 2],
  lower: [1, 1],
  ltrim: [1, 2],
  match: [2, 2],
  max: [1, 200],
  min: [1, 200],
  mvappend: [1, 200],
  mvcount: [1, 1],
  mvdedup: [1, 1],
  mvfind: [2, 2],
  mvindex: [2, 3],
  mvjoin: [2, 2],
  now: [0, 0],
  null: [0, 0],
  relative_time: [2, 2],
  nullif: [2, 2],
  replace: [3, 3],
  round: [1, 2],
  rtrim: [1, 2],
  split: [2, 2],
  spath: [2, 2],
  strftime: [2, 2],
  strptime: [2, 2],
  substr: [2, 3],
  tonumber: [1, 2],
  tostring: [1, 2],
  trim: [1, 2],
  true: [0, 0],
  typeof: [1, 1],
  upper: [1, 1],
  urldecode: [1, 1],
  validate: [2, 200],
};
export const FUNCTIONS = Object.keys(ARITY);

/** Functions whose second argument is a regex that must be in the PCRE2 subset. */
const REGEX_ARG: Record<string, number> = { match: 1, replace: 1, mvfind: 1 };

export function parseEval(src: string): Node {
  const toks = tokenize(src);
  let p = 0;
  const peek = () => toks[p];
  const fail = (why: string): never => {
    throw new EvalError(src, `${why} at offset ${peek().pos}`);
  };
  const isKw = (w: string) => peek().t === 'id' && peek().v.toUpperCase() === w && peek().v === w.toUpperCase();
  const expect = (v: string) => {
    if (peek().t !== 'op' || peek().v !== v) fail(`expected ${v}`);
    p++;
  };
  const orExpr = (): Node => {
    let a = andExpr();
    while (isKw('OR') || isKw('XOR')) {
      const op = toks[p++].v;
      a = { k: 'bin', op, a, b: andExpr() };
    }
    return a;
  };
  const andExpr = (): Node => {
    let a = notExpr();
    while (isKw('AND')) {
      p++;
      a = { k: 'bin', op: 'AND', a, b: notExpr() };
    }
    return a;
  };
  const notExpr = (): Node => {
    if (isKw('NOT') || (peek().t === 'op' && peek().v === '!')) {
      p++;
      return { k: 'not', a: notExpr() };
    }
    return cmpExpr();
  };
  const cmpExpr = (): Node => {
    let a = addExpr();
    for (;;) {
      const t = peek();
      if (t.t === 'op' && ['=', '==', '!=', '<', '>', '<=', '>='].includes(t.v)) {
        p++;
        a = { k: 'bin', op: t.v === '=' ? '==' : t.v, a, b: addExpr() };
      } else if (isKw('LIKE')) {
        p++;
        a = { k: 'call', fn: 'like', args: [a, addExpr()] };
      } else return a;
    }
  };
  const addExpr = (): Node => {
    let a = mulExpr();
    while (peek().t === 'op' && ['+', '-', '.'].includes(peek().v)) {
      const op = toks[p++].v;
      a = { k: 'bin', op, a, b: mulExpr() };
    }
    return a;
  };
  const mulExpr = (): Node => {
    let a = unary();
    while (peek().t === 'op' && ['*', '/', '%'].includes(peek().v)) {
      const op = toks[p++].v;
      a = { k: 'bin', op, a, b: unary() };
    }
    return a;
  };
  const unary = (): Node => {
    if (peek().t === 'op' && peek().v === '-') {
      p++;
      return { k: 'neg', a: unary() };
    }
    return primary();
  };
  const primary = (): Node => {
    const t = toks[p++];
    if (t.t === 'num') return { k: 'lit', v: Number(t.v) };
    if (t.t === 'str') return { k: 'lit', v: t.v };
    if (t.t === 'field') return { k: 'field', name: t.v };
    if (t.t === 'op' && t.v === '(') {
      const e = orExpr();
      expect(')');
      return e;
    }
    if (t.t === 'id') {
      if (peek().t === 'op' && peek().v === '(') {
        const fn = t.v.toLowerCase();
        if (!ARITY[fn]) {
          p--;
          fail(`unsupported function ${t.v}() (supported: ${FUNCTIONS.join(', ')})`);
        }
        p++;
        const args: Node[] = [];
        if (!(peek().t === 'op' && peek().v === ')')) {
          for (;;) {
            args.push(orExpr());
            if (peek().t === 'op' && peek().v === ',') {
              p++;
              continue;
            }
            break;
          }
        }
        expect(')');
        const [lo, hi] = ARITY[fn];
        if (args.length < lo || args.length > hi) fail(`${fn}() takes ${lo}..${hi} arguments, got ${args.length}`);
        const node: Node = { k: 'call', fn, args };
        const ri = REGEX_ARG[fn];
        if (ri !== undefined) {
          const arg = args[ri];
          if (arg.k !== 'lit' || typeof arg.v !== 'string') fail(`${fn}() needs a literal regex`);
          node.re = compilePcre((arg as { v: string }).v);
        }
        return node;
      }
      return { k: 'field', name: t.v };
    }
    p--;
    return fail('unexpected token');
  };
  const e = orExpr();
  if (peek().t !== 'end') fail('trailing input');
  return e;
  // Nodes are not shared or memoised: Splunk evaluates every call where it is written, so a
  // repeated spath() parses its document again (counted in SearchCost).
}

const first = (v: EvalValue): string | number | boolean | null => (Array.isArray(v) ? (v[0] ?? null) : v);
const str = (v: EvalValue): string | null => {
  const f = first(v);
  if (f === null) return null;
  if (typeof f === 'number') return numText(f);
  if (typeof f === 'boolean') return f ? 'True' : 'False';
  return f;
};
const num = (v: EvalValue): number | null => {
  const f = first(v);
  if (f === null || typeof f === 'boolean') return null;
  if (typeof f === 'number') return f;
  const t = f.trim();
  if (!/^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(t) && !/^0x[0-9a-f]+$/i.test(t)) return null;
  return Number(t);
};
const truthy = (v: EvalValue): boolean => {
  const f = first(v);
  return f === true;
};
const values = (v: EvalValue): string[] => (v === null ? [] : Array.isArray(v) ? v : [str(v)!]);
const mv = (xs: string[]): EvalValue => (xs.length === 0 ? null : xs.length === 1 ? xs[0] : xs);

export function numText(n: number): string {
  if (Number.isInteger(n)) return String(n);
  return String(Number(n.toPrecision(15)));
}

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

/** What one event costs at search time, counted as Splunk pays it. */
export interface SearchCost {
  /** JSON documents parsed: KV_MODE=json once, every spath()/json_valid() call again. */
  jsonParses: number;
  /** Regex executions: TIME_PREFIX, EXTRACT, REPORT (each match attempt), eval match/replace/mvfind per value. */
  regexEvaluations: number;
}

export function newCost(): SearchCost {
  return { jsonParses: 0, regexEvaluations: 0 };
}

export interface EvalContext {
  get: FieldGetter;
  cost?: SearchCost;
  /** The search's start time in epoch seconds (now(), relative_time); the clock when unset. */
  now?: number;
}

export function evaluate(node: Node, ctx: EvalContext): EvalValue {
  return evaluateNode(node, ctx);
}

function evaluateNode(node: Node, ctx: EvalContext): EvalValue {
  switch (node.k) {
    case 'lit':
      return node.v;
    case 'field': {
      const v = ctx.get(node.name);
      return v === undefined || v.length === 0 ? null : mv(v);
    }
    case 'neg': {
      const n = num(evaluate(node.a, ctx));
      return n === null ? null : -n;
    }
    case 'not': {
      const v = evaluate(node.a, ctx);
      return v === null ? null : !truthy(v);
    }
    case 'bin':
      return binary(node.op, node.a, node.b, ctx);
    case 'call':
      return call(node, ctx);
  }
}

function isTextual(n: Node): boolean {
  return (n.k === 'lit' && typeof n.v === 'string') || (n.k === 'call' && (n.fn === 'tostring' || n.fn === 'substr' || n.fn === 'replace' || n.fn === 'lower' || n.fn === 'upper'));
}

function binary(op: string, an: Node, bn: Node, ctx: EvalContext): EvalValue {
  if (op === 'AND') {
    const a = evaluate(an, ctx);
    if (a !== null && !truthy(a)) return false;
    const b = evaluate(bn, ctx);
    if (b !== null && !truthy(b)) return false;
    return a === null || b === null ? null : true;
  }
  if (op === 'OR') {
    const a = evaluate(an, ctx);
    if (truthy(a)) return true;
    const b = evaluate(bn, ctx);
    if (truthy(b)) return true;
    return a === null || b === null ? null : false;
  }
  const a = evaluate(an, ctx);
  const b = evaluate(bn, ctx);
  if (op === 'XOR') return a === null || b === null ? null : truthy(a) !== truthy(b);
  if (a === null || b === null) return null;
  if (op === '.') return `${str(a)}${str(b)}`;
  if (['+', '-', '*', '/', '%'].includes(op)) {
    const x = num(a);
    const y = num(b);
    // Splunk's +: strings concatenate. A string literal or tostring() result stays a string even
    // when it looks like a number; field values that look like numbers are numbers.
    if (op === '+' && (x === null || y === null || (isTextual(an) && isTextual(bn)))) return `${str(a)}${str(b)}`;
    if (x === null || y === null) return null;
    switch (op) {
      case '+':
        return x + y;
      case '-':
        return x - y;
      case '*':
        return x * y;
      case '/':
        return y === 0 ? null : x / y;
      default:
        return y === 0 ? null : x % y;
    }
  }
  // Comparisons: numeric when both sides are numbers, else by string.
  const x = num(a);
  const y = num(b);
  let c: number;
  if (x !== null && y !== null) c = x === y ? 0 : x < y ? -1 : 1;
  else {
    const s = str(a)!;
    const t = str(b)!;
    c = s === t ? 0 : s < t ? -1 : 1;
  }
  switch (op) {
    case '==':
      return c === 0;
    case '!=':
      return c !== 0;
    case '<':
      return c < 0;
    case '>':
      return c > 0;
    case '<=':
      return c <= 0;
    default:
      return c >= 0;
  }
}

/** Every call parses: Splunk keeps no parsed document between spath() calls. */
function jsonOf(text: string, ctx: EvalContext): JsonNode | undefined {
  if (ctx.cost) ctx.cost.jsonParses++;
  return parseJson(text);
}

function regexRun(ctx: EvalContext, n = 1): void {
  if (ctx.cost) ctx.cost.regexEvaluations += n;
}

function call(node: Extract<Node, { k: 'call' }>, ctx: EvalContext): EvalValue {
  const args = node.args;
  const arg = (i: number) => evaluate(args[i], ctx);
  switch (node.fn) {
    case 'if':
      return truthy(arg(0)) ? arg(1) : arg(2);
    case 'case':
      for (let i = 0; i + 1 < args.length; i += 2) if (truthy(arg(i))) return arg(i + 1);
      return null;
    case 'validate':
      for (let i = 0; i + 1 < args.length; i += 2) if (!truthy(arg(i))) return arg(i + 1);
      return null;
    case 'coalesce':
      for (let i = 0; i < args.length; i++) {
        const v = arg(i);
        if (v !== null) return v;
      }
      return null;
    case 'null':
      return null;
    case 'now':
      return ctx.now ?? Math.floor(Date.now() / 1000);
    case 'relative_time': {
      const t = num(arg(0));
      const spec = str(arg(1));
      if (t === null || spec === null) return null;
      const r = relativeTime(spec, t * 1000);
      return r === undefined ? null : r / 1000;
    }
    case 'true':
      return true;
    case 'false':
      return false;
    case 'isnull':
      return arg(0) === null;
    case 'isnotnull':
      return arg(0) !== null;
    case 'isnum': {
      const v = first(arg(0));
      return typeof v === 'number';
    }
    case 'isstr': {
      const v = first(arg(0));
      return typeof v === 'string';
    }
    case 'typeof': {
      const v = first(arg(0));
      return v === null ? 'Invalid' : typeof v === 'number' ? 'Number' : typeof v === 'boolean' ? 'Boolean' : 'String';
    }
    case 'nullif': {
      const a = arg(0);
      const b = arg(1);
      return a !== null && b !== null && str(a) === str(b) ? null : a;
    }
    case 'in': {
      const v = arg(0);
      if (v === null) return null;
      const have = values(v);
      for (let i = 1; i < args.length; i++) if (values(arg(i)).some((x) => have.includes(x))) return true;
      return false;
    }
    case 'like': {
      const s = str(arg(0));
      const p = str(arg(1));
      return s === null || p === null ? null : likeToRegex(p).test(s);
    }
    case 'match': {
      const s = str(arg(0));
      if (s !== null) regexRun(ctx);
      return s === null ? null : node.re!.re.test(s);
    }
    case 'cidrmatch': {
      const c = str(arg(0));
      const ip = str(arg(1));
      return c === null || ip === null ? null : cidrContains(c, ip);
    }
    case 'replace': {
      const v = arg(0);
      const rep = str(arg(2));
      if (v === null || rep === null) return null;
      const re = node.re!.reGlobal;
      regexRun(ctx, values(v).length);
      return mv(values(v).map((s) => s.replace(re, (...m) => expandReplacement(rep, m.slice(0, -2) as unknown as RegExpExecArray))));
    }
    case 'lower':
    case 'upper': {
      const v = arg(0);
      if (v === null) return null;
      return mv(values(v).map((s) => (node.fn === 'lower' ? s.toLowerCase() : s.toUpperCase())));
    }
    case 'trim':
    case 'ltrim':
    case 'rtrim': {
      const s = str(arg(0));
      if (s === null) return null;
      const chars = args.length > 1 ? (str(arg(1)) ?? '') : ' \t';
      let a = 0;
      let b = s.length;
      if (node.fn !== 'rtrim') while (a < b && chars.includes(s[a])) a++;
      if (node.fn !== 'ltrim') while (b > a && chars.includes(s[b - 1])) b--;
      return s.slice(a, b);
    }
    case 'len': {
      const s = str(arg(0));
      return s === null ? null : [...s].length;
    }
    case 'substr': {
      const s = str(arg(0));
      const start = num(arg(1));
      if (s === null || start === null) return null;
      const cps = [...s];
      // Splunk counts from 1; a negative start counts from the end.
      const from = start > 0 ? start - 1 : start < 0 ? Math.max(cps.length + start, 0) : 0;
      const len = args.length > 2 ? num(arg(2)) : null;
      return cps.slice(from, len === null ? undefined : from + Math.max(len, 0)).join('');
    }
    case 'urldecode': {
      const s = str(arg(0));
      if (s === null) return null;
      try {
        return decodeURIComponent(s.replace(/\+/g, ' '));
      } catch {
        return s;
      }
    }
    case 'split': {
      const s = str(arg(0));
      const d = str(arg(1));
      if (s === null || d === null) return null;
      return mv(d === '' ? [...s] : s.split(d));
    }
    case 'mvappend': {
      const out: string[] = [];
      for (let i = 0; i < args.length; i++) out.push(...values(arg(i)));
      return mv(out);
    }
    case 'mvcount': {
      const v = arg(0);
      return v === null ? null : values(v).length;
    }
    case 'mvdedup': {
      const v = arg(0);
      return v === null ? null : mv([...new Set(values(v))]);
    }
    case 'mvfind': {
      const xs = values(arg(0));
      const i = xs.findIndex((x) => (regexRun(ctx), node.re!.re.test(x)));
      return i < 0 ? null : i;
    }
    case 'mvindex': {
      const xs = values(arg(0));
      let s = num(arg(1));
      if (s === null || xs.length === 0) return null;
      if (s < 0) s += xs.length;
      if (args.length === 2) return xs[s] ?? null;
      let e = num(arg(2));
      if (e === null) return null;
      if (e < 0) e += xs.length;
      return mv(xs.slice(s, e + 1));
    }
    case 'mvjoin': {
      const v = arg(0);
      const d = str(arg(1));
      return v === null || d === null ? null : values(v).join(d);
    }
    case 'tonumber': {
      const s = str(arg(0));
      if (s === null) return null;
      const base = args.length > 1 ? num(arg(1)) : 10;
      if (base === 10 || base === null) return num(s);
      const n = parseInt(s, base);
      return Number.isNaN(n) ? null : n;
    }
    case 'tostring': {
      const v = arg(0);
      if (v === null) return null;
      return str(v);
    }
    case 'abs':
    case 'floor':
    case 'ceil':
    case 'ceiling': {
      const n = num(arg(0));
      if (n === null) return null;
      return node.fn === 'abs' ? Math.abs(n) : node.fn === 'floor' ? Math.floor(n) : Math.ceil(n);
    }
    case 'round': {
      const n = num(arg(0));
      const d = args.length > 1 ? (num(arg(1)) ?? 0) : 0;
      if (n === null) return null;
      const f = 10 ** d;
      return Math.round(n * f) / f;
    }
    case 'max':
    case 'min': {
      const all: EvalValue[] = [];
      for (let i = 0; i < args.length; i++) all.push(...values(arg(i)));
      const nums = all.map(num);
      if (all.length === 0) return null;
      if (nums.every((x) => x !== null)) return (node.fn === 'max' ? Math.max : Math.min)(...(nums as number[]));
      const ss = all.map((x) => str(x)!).sort();
      return node.fn === 'max' ? ss[ss.length - 1] : ss[0];
    }
    case 'json_valid': {
      const s = str(arg(0));
      return s === null ? null : jsonOf(s, ctx) !== undefined;
    }
    case 'spath': {
      const s = str(arg(0));
      const path = str(arg(1));
      if (s === null || path === null) return null;
      const root = jsonOf(s, ctx);
      if (!root) return null;
      return mv(spathNodes(root, path).map(nodeText));
    }
    case 'strptime': {
      const s = str(arg(0));
      const f = str(arg(1));
      if (s === null || f === null) return null;
      const r = parseTime(s, f, 'UTC');
      return r ? r.epochMs / 1000 : null;
    }
    case 'strftime': {
      const t = num(arg(0));
      const f = str(arg(1));
      return t === null || f === null ? null : formatTime(t * 1000, f);
    }
  }
  throw new Error(`unreachable: ${node.fn}`);
}

/** Renders an eval result as field values (Splunk stores booleans of calculated fields as text). */
export function toFieldValues(v: EvalValue): string[] | undefined {
  if (v === null) return undefined;
  if (Array.isArray(v)) return v;
  return [str(v)!];
}

export type EvalExpr = Node;

/** The regexes (PCRE2 sources) used by match()/replace()/mvfind() in an expression. */
export function regexesOf(n: Node, out: string[] = []): string[] {
  if (n.k === 'call') {
    if (n.re) out.push(n.re.source);
    for (const a of n.args) regexesOf(a, out);
  } else if (n.k === 'bin') {
    regexesOf(n.a, out);
    regexesOf(n.b, out);
  } else if (n.k === 'not' || n.k === 'neg') regexesOf(n.a, out);
  return out;
}
