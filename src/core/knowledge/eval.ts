/**
 * The eval language of `EVAL-<field>` (calculated fields) and of the SPL engine's eval/where:
 * literals, field references (bare or 'single-quoted'), arithmetic, `.` concatenation,
 * comparisons, AND/OR/XOR/NOT, LIKE, and calls of the functions in functions.ts (one table: arity
 * and implementation). An unknown function or malformed expression is refused when the conf is
 * loaded, not at search time, so `npm run lint` catches it.
 */
import { EvalFunction, evalFunction, FUNCTIONS, FUNCTIONS_TABLE } from './functions';
import { compilePcre, CompiledRegex } from './regex';
import { EvalContext, EvalValue, mv, num, str, truthy } from './values';

export { FUNCTIONS } from './functions';
export { newCost, numText, toFieldValues } from './values';
export type { EvalContext, EvalValue, FieldGetter, SearchCost } from './values';

export class EvalError extends Error {
  constructor(expr: string, why: string) {
    super(`eval ${JSON.stringify(expr)}: ${why}`);
    this.name = 'EvalError';
  }
}

type Node =
  | { k: 'lit'; v: EvalValue }
  | { k: 'field'; name: string }
  | { k: 'call'; fn: string; def: EvalFunction; args: Node[]; re?: CompiledRegex }
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
        a = { k: 'call', fn: 'like', def: FUNCTIONS_TABLE.like, args: [a, addExpr()] };
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
        const def = evalFunction(fn);
        if (!def) {
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
        const [lo, hi] = def!.arity;
        if (args.length < lo || args.length > hi) fail(`${fn}() takes ${lo}..${hi} arguments, got ${args.length}`);
        const node: Node = { k: 'call', fn, def: def!, args };
        const ri = def!.regexArg;
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
  return (n.k === 'lit' && typeof n.v === 'string') || (n.k === 'call' && n.def.textual === true);
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

function call(node: Extract<Node, { k: 'call' }>, ctx: EvalContext): EvalValue {
  const args = node.args;
  return node.def.run({ n: args.length, arg: (i) => evaluate(args[i], ctx), re: node.re, ctx });
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
