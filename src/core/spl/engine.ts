/**
 * An SPL interpreter for the subset this app's content uses, strict like the knowledge evaluator:
 * an unsupported command, function or option throws naming it; nothing is skipped. Events are
 * the output of the search-time evaluator (src/core/knowledge), so eventtypes and tags (tags of
 * eventtypes included) are what Splunk would show. Macros are expanded from macros.conf as
 * splunkd does (src/build/spl.ts). Role defaults follow authorize.conf: without an `index` term
 * a search reads the role's default indexes; a wildcard never matches an internal (`_`) index
 * unless the pattern itself starts with `_`, and internal indexes are searchable only when the
 * role allows them.
 *
 * Semantics modelled (Splunk 10.2 docs): results come newest first; `stats` drops events whose
 * BY field is missing and orders groups by their BY values; `values()` sorts lexicographically;
 * `timechart` fills count with 0 and keeps the top `limit` series (default 10) plus OTHER;
 * `dedup` keeps the first (newest) event; `top` adds count and percent; `sort` puts numbers
 * before strings and has a default limit of 10000.
 */
import { EvalExpr, evaluate as evalExpr, numText, parseEval, toFieldValues } from '../knowledge/eval';
import { matchSearch, parseSearch, SearchNode } from '../knowledge/search';
import { formatTime, relativeTime } from '../knowledge/time';
import { expandMacros, Macro } from './macros';
import { cimCommonFields, cimModels, CimDatasetFacts } from '../../facts';

export type Row = Map<string, string[]>;

export class SplUnsupportedError extends Error {
  constructor(what: string) {
    super(`SPL engine: unsupported ${what}`);
    this.name = 'SplUnsupportedError';
  }
}

export class SplSyntaxError extends Error {
  constructor(cmd: string, why: string) {
    super(`SPL ${cmd}: ${why}`);
    this.name = 'SplSyntaxError';
  }
}

export interface Role {
  name: string;
  /** Index patterns the role may search (authorize.conf srchIndexesAllowed). */
  allowed: string[];
  /** Indexes searched when the search names none (srchIndexesDefault). */
  defaults: string[];
}

export interface LookupTable {
  header: string[];
  rows: string[][];
}

export interface EngineOptions {
  events: Row[];
  macros: Map<string, Macro>;
  /** Lookup definition (transforms.conf stanza) or file name → table. */
  lookups: Map<string, LookupTable>;
  role: Role;
  /** Epoch seconds; the search's `now`. */
  now: number;
}

export interface RunOptions {
  earliest?: string;
  latest?: string;
  /** Index-time window (`_index_earliest`/`_index_latest`, savedsearches.conf dispatch.index_*). */
  indexEarliest?: string;
  indexLatest?: string;
}

export interface RunResult {
  rows: Row[];
  /** Commands in order, after macro expansion. */
  commands: string[];
  /** Fields a command read that no row reaching it had (a typo or a field that never exists). */
  missingFields: { command: string; field: string }[];
  expanded: string;
  /** Sourcetypes of the events the generating search read (what the search covers). */
  sourcetypes: string[];
}

const INDEXED = new Set(['index', 'sourcetype', 'source', 'host', '_time', '_indextime', 'splunk_server']);

function wildRe(pattern: string): RegExp {
  return new RegExp(`^${pattern.split('*').map((x) => x.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')).join('.*')}$`, 'i');
}

/** Splunk: `*` never matches an internal index unless the pattern starts with `_`. */
export function indexMatches(pattern: string, index: string): boolean {
  if (index.startsWith('_') && !pattern.startsWith('_')) return pattern.toLowerCase() === index.toLowerCase();
  return wildRe(pattern).test(index);
}

export function roleCanSearch(role: Role, index: string): boolean {
  return role.allowed.some((p) => indexMatches(p, index));
}

// ---------------------------------------------------------------- text helpers

/** Index of the `"` that closes the quoted string opening at `start` (backslash escapes skipped). */
function closingQuote(text: string, start: number): number {
  let j = start + 1;
  while (j < text.length && text[j] !== '"') j += text[j] === '\\' ? 2 : 1;
  return j;
}

/**
 * Cuts `text` where `isSep` holds outside double quotes and outside the brackets in `open`/`close`
 * (nesting counted). `keepEmpty`: pieces between adjacent separators are kept (a pipeline or
 * assignment list), else dropped (runs of blanks between words).
 */
function scanTop(text: string, isSep: (c: string) => boolean, open: string, close: string, keepEmpty: boolean): string[] {
  const out: string[] = [];
  let depth = 0;
  let cur = '';
  const cut = () => {
    if (keepEmpty || cur) out.push(cur);
    cur = '';
  };
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (c === '"') {
      const j = closingQuote(text, i);
      cur += text.slice(i, j + 1);
      i = j;
      continue;
    }
    if (open.includes(c)) depth++;
    else if (close.includes(c)) depth--;
    if (depth === 0 && isSep(c)) cut();
    else cur += c;
  }
  cut();
  return out;
}

/** Splits at `sep` outside double quotes, parentheses and brackets. */
function splitTop(text: string, sep: string): string[] {
  return scanTop(text, (c) => c === sep, '([', ')]', true);
}

/** Whitespace tokens outside quotes and parentheses; `a(b c)` and `"x y"` stay whole. */
function words(text: string): string[] {
  return scanTop(text, (c) => c === ',' || /\s/.test(c), '(', ')', false);
}

const unquote = (v: string) => (v.length >= 2 && v.startsWith('"') && v.endsWith('"') ? v.slice(1, -1).replace(/\\(["\\])/g, '$1') : v);

function isNum(v: string): boolean {
  return /^[-+]?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?$/.test(v.trim());
}

/** Splunk's sort order: numbers numerically before strings, strings lexicographically. */
function compareValues(a: string | undefined, b: string | undefined): number {
  if (a === undefined || b === undefined) return a === b ? 0 : a === undefined ? 1 : -1;
  const an = isNum(a);
  const bn = isNum(b);
  if (an && bn) return Number(a) - Number(b);
  if (an !== bn) return an ? -1 : 1;
  return a < b ? -1 : a > b ? 1 : 0;
}

function parseSpan(span: string): number {
  const m = /^(\d+)?(s|sec|secs|m|min|mins|h|hr|hrs|d|day|days|w|week|weeks)$/.exec(span);
  if (!m) throw new SplUnsupportedError(`span=${span}`);
  const unit = { s: 1, sec: 1, secs: 1, m: 60, min: 60, mins: 60, h: 3600, hr: 3600, hrs: 3600, d: 86400, day: 86400, days: 86400, w: 604800, week: 604800, weeks: 604800 }[m[2]]!;
  return Number(m[1] ?? '1') * unit;
}

/** Splunk's automatic timechart span: the smallest of its steps that gives at most 100 buckets. */
function autoSpan(rangeSec: number): number {
  for (const s of [1, 5, 10, 30, 60, 300, 600, 1800, 3600, 86400, 604800]) if (rangeSec / s <= 100) return s;
  return 2592000;
}

// ---------------------------------------------------------------- aggregations

interface Agg {
  fn: string;
  arg?: string;
  evalExpr?: EvalExpr;
  as: string;
}


function parseAggs(cmd: string, text: string): { aggs: Agg[]; by: string[]; opts: Map<string, string> } {
  const opts = new Map<string, string>();
  const ws = words(text);
  const aggs: Agg[] = [];
  const by: string[] = [];
  let i = 0;
  let inBy = false;
  for (; i < ws.length; i++) {
    const w = ws[i];
    if (/^(by|over)$/i.test(w)) {
      inBy = true;
      continue;
    }
    const opt = /^([a-z_]+)=(.*)$/.exec(w);
    if (opt && !w.includes('(')) {
      opts.set(opt[1], unquote(opt[2]));
      continue;
    }
    if (inBy) {
      by.push(unquote(w));
      continue;
    }
    const m = /^([a-z_][a-z0-9_]*)(?:\(([\s\S]*)\))?$/i.exec(w);
    if (!m) throw new SplSyntaxError(cmd, `cannot read ${JSON.stringify(w)}`);
    const fn = m[1].toLowerCase();
    if (!AGG_FUNCS.has(fn)) throw new SplUnsupportedError(`${cmd} function ${fn}()`);
    const agg: Agg = { fn, as: '' };
    if (m[2] !== undefined && m[2].trim() !== '') {
      const a = m[2].trim();
      const ev = /^eval\(([\s\S]*)\)$/.exec(a);
      if (ev) agg.evalExpr = parseEval(ev[1]);
      else agg.arg = unquote(a);
    } else if (fn !== 'count') throw new SplSyntaxError(cmd, `${fn}() needs a field`);
    agg.as = m[2] !== undefined ? `${fn}(${m[2]})` : fn;
    if (/^as$/i.test(ws[i + 1] ?? '')) {
      agg.as = unquote(ws[i + 2]);
      i += 2;
    }
    aggs.push(agg);
  }
  return { aggs, by, opts };
}

/** One aggregation being computed over a group's rows. */
interface AggInput {
  a: Agg;
  rows: Row[];
  now: number;
  /** The values of the field (or of the eval expression) over the rows. */
  vals(): string[];
  /** Those values that are numbers. */
  nums(): number[];
}

/** The field's values of the newest (or oldest) row by _time that has the field. */
function byTime({ a, rows }: AggInput, newest: boolean): string[] | undefined {
  let best: { t: number; v: string[] } | undefined;
  for (const r of rows) {
    const v = r.get(a.arg!);
    if (!v || !v.length) continue;
    const t = Number(r.get('_time')?.[0] ?? 0);
    if (!best || (newest ? t > best.t : t < best.t)) best = { t, v };
  }
  return best?.v;
}

const distinctCount = (x: AggInput) => [String(new Set(x.vals()).size)];
const mean = (x: AggInput) => {
  const n = x.nums();
  return n.length ? [numText(n.reduce((p, q) => p + q, 0) / n.length)] : undefined;
};
/** min()/max(): numerically when any value is a number, else by text. */
const extreme = (max: boolean) => (x: AggInput) => {
  const v = x.vals();
  if (!v.length) return undefined;
  const n = v.filter(isNum).map(Number);
  if (n.length) return [numText(max ? Math.max(...n) : Math.min(...n))];
  const s = [...v].sort();
  return [max ? s[s.length - 1] : s[0]];
};

/** The stats functions the engine supports: ONE table, name → implementation. */
const AGGREGATIONS: Readonly<Record<string, (x: AggInput) => string[] | undefined>> = {
  count: ({ a, rows, now }) => {
    if (a.evalExpr) {
      // count(eval(x)) counts the events where x is true.
      let n = 0;
      for (const r of rows) if (evalExpr(a.evalExpr, { get: (f) => r.get(f), now }) === true) n++;
      return [String(n)];
    }
    return [String(a.arg ? rows.filter((r) => (r.get(a.arg!) ?? []).length > 0).length : rows.length)];
  },
  dc: distinctCount,
  distinct_count: distinctCount,
  values: (x) => {
    const v = [...new Set(x.vals())].sort();
    return v.length ? v : undefined;
  },
  list: (x) => {
    const v = x.vals().slice(0, 100);
    return v.length ? v : undefined;
  },
  sum: (x) => {
    const n = x.nums();
    return n.length ? [numText(n.reduce((p, q) => p + q, 0))] : undefined;
  },
  avg: mean,
  mean,
  min: extreme(false),
  max: extreme(true),
  latest: (x) => byTime(x, true),
  earliest: (x) => byTime(x, false),
  first: ({ a, rows }) => rows.find((r) => r.get(a.arg!)?.length)?.get(a.arg!),
  last: ({ a, rows }) => [...rows].reverse().find((r) => r.get(a.arg!)?.length)?.get(a.arg!),
  range: (x) => {
    const n = x.nums();
    return n.length ? [numText(Math.max(...n) - Math.min(...n))] : undefined;
  },
  median: (x) => {
    const n = x.nums().sort((p, q) => p - q);
    return n.length ? [numText(n[Math.floor((n.length - 1) / 2)])] : undefined;
  },
};

/** The supported stats function names (test/soc/engine.test.ts checks them against Splunk's reference). */
export const AGG_FUNCS: ReadonlySet<string> = new Set(Object.keys(AGGREGATIONS));

function aggregate(a: Agg, rows: Row[], now: number): string[] | undefined {
  const vals = (): string[] => {
    if (a.evalExpr) {
      const out: string[] = [];
      for (const r of rows) {
        const v = toFieldValues(evalExpr(a.evalExpr, { get: (n) => r.get(n), now }));
        if (v) out.push(...v);
      }
      return out;
    }
    if (!a.arg) return [];
    return rows.flatMap((r) => r.get(a.arg!) ?? []);
  };
  const run = AGGREGATIONS[a.fn];
  if (!run) throw new SplUnsupportedError(`aggregation ${a.fn}`);
  return run({ a, rows, now, vals, nums: () => vals().filter(isNum).map(Number) });
}

/** Groups rows by the BY fields (a multivalue BY field puts the row in each value's group). */
function groupRows(rows: Row[], by: string[]): { key: string[]; rows: Row[] }[] {
  const groups = new Map<string, { key: string[]; rows: Row[] }>();
  for (const r of rows) {
    let keys: string[][] = [[]];
    for (const f of by) {
      const v = r.get(f);
      if (!v || !v.length) {
        keys = [];
        break;
      }
      keys = keys.flatMap((k) => [...new Set(v)].map((x) => [...k, x]));
    }
    for (const k of keys) {
      const id = JSON.stringify(k);
      let g = groups.get(id);
      if (!g) groups.set(id, (g = { key: k, rows: [] }));
      g.rows.push(r);
    }
  }
  return [...groups.values()].sort((a, b) => {
    for (let i = 0; i < by.length; i++) {
      const c = compareValues(a.key[i], b.key[i]);
      if (c) return c;
    }
    return 0;
  });
}

// ---------------------------------------------------------------- the engine

/** Commands the engine runs (generating ones first); anything else throws. */
export const COMMANDS = ['search', 'inputlookup', 'tstats', 'where', 'eval', 'stats', 'eventstats', 'timechart', 'chart', 'top', 'rare', 'dedup', 'table', 'fields', 'rename', 'sort', 'head', 'tail', 'lookup', 'fillnull', 'bin', 'bucket', 'convert'];

export class SplEngine {
  private readonly events: Row[];

  constructor(private readonly opts: EngineOptions) {
    // Searches see events newest first, as Splunk returns them.
    this.events = [...opts.events].sort((a, b) => Number(b.get('_time')?.[0] ?? 0) - Number(a.get('_time')?.[0] ?? 0));
  }

  run(search: string, ro: RunOptions = {}): RunResult {
    const expanded = expandMacros(search, this.opts.macros).trim();
    const nowMs = this.opts.now * 1000;
    const e = relativeTime(ro.earliest ?? '0', nowMs);
    const l = relativeTime(ro.latest ?? 'now', nowMs);
    if (e === undefined) throw new SplUnsupportedError(`time modifier earliest=${ro.earliest}`);
    if (l === undefined) throw new SplUnsupportedError(`time modifier latest=${ro.latest}`);
    const ie = ro.indexEarliest === undefined ? undefined : relativeTime(ro.indexEarliest, nowMs);
    const il = ro.indexLatest === undefined ? undefined : relativeTime(ro.indexLatest, nowMs);
    if (ie === undefined && ro.indexEarliest !== undefined) throw new SplUnsupportedError(`time modifier index_earliest=${ro.indexEarliest}`);
    if (il === undefined && ro.indexLatest !== undefined) throw new SplUnsupportedError(`time modifier index_latest=${ro.indexLatest}`);
    const range: Range = { earliest: e / 1000, latest: l / 1000, indexEarliest: ie === undefined ? undefined : ie / 1000, indexLatest: il === undefined ? undefined : il / 1000 };
    const segments = splitTop(expanded, '|');
    const commands: string[] = [];
    const missing: RunResult['missingFields'] = [];
    let rows: Row[] | undefined;
    const sourcetypes = new Set<string>();
    segments.forEach((segRaw, k) => {
      const seg = segRaw.trim();
      if (k === 0 && seg === '' && segments.length > 1) return;
      const generating = k === 0 && !expanded.startsWith('|');
      const m = /^(\S+)\s*([\s\S]*)$/.exec(generating ? `search ${seg}` : seg);
      if (!m) throw new SplSyntaxError('|', 'empty command between two pipes');
      const cmd = m[1].toLowerCase();
      const body = m[2];
      commands.push(cmd);
      if (/\[/.test(body.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) throw new SplUnsupportedError(`subsearch in ${cmd}`);
      const ctx: Ctx = {
        cmd,
        read: (f: string, over?: Row[]) => {
          const input = over ?? rows;
          if (!input || !input.length || f === '*' || f.includes('*')) return;
          if (!input.some((r) => (r.get(f) ?? []).length > 0) && !missing.some((x) => x.field === f && x.command === cmd)) missing.push({ command: cmd, field: f });
        },
      };
      if (rows === undefined) {
        if (cmd === 'search') rows = this.searchEvents(body, range, ctx);
        else if (cmd === 'inputlookup') rows = this.inputlookup(body);
        else if (cmd === 'tstats') rows = this.tstats(body, range, ctx, sourcetypes);
        else throw new SplUnsupportedError(`generating command ${cmd}`);
        if (cmd === 'search') for (const r of rows) for (const st of r.get('sourcetype') ?? []) sourcetypes.add(st);
        return;
      }
      rows = this.apply(cmd, body, rows, range, ctx);
    });
    return { rows: rows ?? [], commands, missingFields: missing, expanded, sourcetypes: [...sourcetypes].sort() };
  }

  // -------------------------------------------------------------- generating

  private compileSearch(body: string): SearchNode {
    const node = parseSearch(body);
    // Index terms follow Splunk's internal-index rule rather than plain wildcards.
    const fix = (n: SearchNode): void => {
      if (n.k === 'and' || n.k === 'or') n.xs.forEach(fix);
      else if (n.k === 'not') fix(n.x);
      else if (n.k === 'cmp' && n.field.toLowerCase() === 'index') {
        const values = n.values;
        n.test = (v) => values.some((p) => indexMatches(p, v));
      }
    };
    fix(node);
    return node;
  }

  private searchEvents(body: string, range: Range, ctx: Ctx): Row[] {
    const node = this.compileSearch(body);
    const namesIndex = (n: SearchNode): boolean => (n.k === 'and' || n.k === 'or' ? n.xs.some(namesIndex) : n.k === 'not' ? namesIndex(n.x) : n.k === 'cmp' && n.field.toLowerCase() === 'index');
    const role = this.opts.role;
    const explicit = namesIndex(node);
    const inScope = this.events.filter((r) => {
      const t = Number(r.get('_time')?.[0] ?? 0);
      if (t < range.earliest || t >= range.latest) return false;
      const it = Number(r.get('_indextime')?.[0] ?? t);
      if ((range.indexEarliest !== undefined && it < range.indexEarliest) || (range.indexLatest !== undefined && it >= range.indexLatest)) return false;
      const idx = r.get('index')?.[0] ?? 'main';
      if (!roleCanSearch(role, idx)) return false;
      return explicit || role.defaults.some((p) => indexMatches(p, idx));
    });
    this.readSearchFields(node, inScope, ctx);
    return inScope.filter((r) => matchSearch(node, { raw: r.get('_raw')?.[0] ?? '', get: (f) => r.get(f) }));
  }

  private readSearchFields(n: SearchNode, rows: Row[], ctx: Ctx): void {
    if (n.k === 'and' || n.k === 'or') n.xs.forEach((x) => this.readSearchFields(x, rows, ctx));
    else if (n.k === 'not') this.readSearchFields(n.x, rows, ctx);
    else if (n.k === 'cmp' && n.field !== 'index') {
      ctx.read(n.field, rows);
    }
  }

  private table(name: string): LookupTable {
    const t = this.opts.lookups.get(name);
    if (!t) throw new SplSyntaxError('lookup', `no lookup definition or file named ${name}`);
    return t;
  }

  private inputlookup(body: string): Row[] {
    const ws = words(body);
    if (ws.length !== 1) throw new SplUnsupportedError(`inputlookup arguments ${JSON.stringify(body)}`);
    const t = this.table(unquote(ws[0]));
    return t.rows.map((r) => new Map(t.header.map((h, i) => [h, r[i] ?? ''] as const).filter(([, v]) => v !== '').map(([h, v]) => [h, [v]])));
  }

  private tstats(body: string, range: Range, ctx: Ctx, sourcetypes: Set<string>): Row[] {
    if (/\bFROM\b/i.test(body)) return this.tstatsDatamodel(body, range, ctx, sourcetypes);
    const m = /^([\s\S]*?)\bWHERE\b([\s\S]*?)(?:\bBY\b([\s\S]*))?$/i.exec(body);
    if (!m) throw new SplUnsupportedError(`tstats without WHERE: ${body}`);
    const { aggs } = parseAggs('tstats', m[1]);
    const byPart = words(m[3] ?? '');
    const opts = new Map<string, string>();
    const by: string[] = [];
    for (const w of byPart) {
      const o = /^(\w+)=(.*)$/.exec(w);
      if (o) opts.set(o[1], o[2]);
      else by.push(w);
    }
    for (const f of [...by, ...aggs.map((a) => a.arg).filter((x): x is string => !!x)]) {
      if (!INDEXED.has(f)) throw new SplUnsupportedError(`tstats on ${f}: only indexed fields (${[...INDEXED].join(', ')}) without a data model`);
    }
    for (const o of opts.keys()) if (o !== 'span') throw new SplUnsupportedError(`tstats option ${o}`);
    const node = this.compileSearch(m[2]);
    const checkIndexed = (n: SearchNode): void => {
      if (n.k === 'and' || n.k === 'or') n.xs.forEach(checkIndexed);
      else if (n.k === 'not') checkIndexed(n.x);
      else if (n.k === 'term') throw new SplUnsupportedError(`tstats WHERE term ${n.value}`);
      else if (n.k === 'cmp' && !INDEXED.has(n.field)) throw new SplUnsupportedError(`tstats WHERE on ${n.field}: not an indexed field`);
    };
    checkIndexed(node);
    let rows = this.searchEvents(m[2], range, ctx);
    for (const r of rows) for (const st of r.get('sourcetype') ?? []) sourcetypes.add(st);
    if (by.includes('_time')) {
      const span = parseSpan(opts.get('span') ?? '1h');
      rows = rows.map((r) => new Map(r).set('_time', [String(Math.floor(Number(r.get('_time')![0]) / span) * span)]));
    }
    return this.stats(aggs, by, rows);
  }

  /**
   * `tstats … FROM datamodel=Model[.Dataset]` over a data model that is not accelerated, as
   * Splunk runs it with summariesonly=false: the events of the role's default indexes (CIM's
   * `cim_<Model>_indexes` macros are empty by default) that match the constraint of every dataset
   * from the root down to the one named, with each dataset field renamed `<Dataset>.<field>`.
   * Fields, WHERE terms and BY fields must name a field the dataset (or an ancestor) defines.
   */
  private tstatsDatamodel(body: string, range: Range, ctx: Ctx, sourcetypes: Set<string>): Row[] {
    const m = /^([\s\S]*?)\bFROM\s+datamodel\s*=\s*"?([\w.]+)"?([\s\S]*?)(?:\bWHERE\b([\s\S]*?))?(?:\bBY\b([\s\S]*))?$/i.exec(body);
    if (!m) throw new SplSyntaxError('tstats', `expected FROM datamodel=<model>[.<dataset>]: ${body}`);
    if (m[3].trim()) throw new SplUnsupportedError(`tstats after the data model: ${m[3].trim()}`);
    const head = words(m[1]);
    const opts = new Map<string, string>();
    while (head.length && /^\w+=/.test(head[0]) && !/^\w+\(/.test(head[0])) {
      const [k, v] = head.shift()!.split('=', 2);
      opts.set(k.toLowerCase(), v);
    }
    for (const [k, v] of opts) {
      // Our data models are not accelerated: summariesonly=true would return nothing in Splunk.
      if (k === 'summariesonly' && /^(false|f|0)$/i.test(v)) continue;
      throw new SplUnsupportedError(`tstats option ${k}=${v} over a data model that has no acceleration summaries`);
    }
    const [model, ...path] = m[2].split('.');
    const models = cimModels();
    if (!models[model]) throw new SplSyntaxError('tstats', `no data model ${model} (known: ${Object.keys(models).join(', ')})`);
    if (path.length > 1) throw new SplUnsupportedError(`tstats data model path ${m[2]}`);
    const chain: CimDatasetFacts[] = [];
    const walk = (ds: CimDatasetFacts[], trail: CimDatasetFacts[]): boolean => {
      for (const d of ds) {
        if (path.length ? d.name === path[0] : true) {
          chain.push(...trail, d);
          return true;
        }
        if (walk(d.children, [...trail, d])) return true;
      }
      return false;
    };
    const roots = models[model].datasets;
    if (path.length ? !walk(roots, []) : roots.length !== 1 || !walk(roots, [])) {
      throw new SplSyntaxError('tstats', `data model ${model} has no dataset ${path[0] ?? '(root)'}`);
    }
    // Each dataset's fields go by that dataset's name; the root also carries CIM's common fields
    // (`Authentication.tag`). Indexed fields (index, sourcetype, host, source) stay unprefixed.
    const prefixed = new Map<string, string>();
    chain.forEach((d, i) => {
      for (const f of d.fields) prefixed.set(`${d.name}.${f.name}`, f.name);
      if (i === 0) for (const f of cimCommonFields().map((c) => c.name)) prefixed.set(`${d.name}.${f}`, f);
    });
    const known = (f: string): boolean => prefixed.has(f) || INDEXED.has(f);
    const { aggs } = parseAggs('tstats', head.join(' '));
    const byPart = words(m[5] ?? '');
    const by: string[] = [];
    let span: string | undefined;
    for (const w of byPart) {
      const o = /^span=(.*)$/.exec(w);
      if (o) span = o[1];
      else if (/=/.test(w)) throw new SplUnsupportedError(`tstats option ${w}`);
      else by.push(w);
    }
    for (const f of [...by, ...aggs.map((a) => a.arg).filter((x): x is string => !!x)]) {
      if (!known(f)) throw new SplSyntaxError('tstats', `${f} is not a field of ${m[2]} (its fields: ${[...prefixed.keys()].slice(0, 12).join(', ')}, …)`);
    }
    const where = m[4]?.trim() ? this.compileSearch(m[4]) : undefined;
    const checkWhere = (n: SearchNode): void => {
      if (n.k === 'and' || n.k === 'or') n.xs.forEach(checkWhere);
      else if (n.k === 'not') checkWhere(n.x);
      else if (n.k === 'term') throw new SplUnsupportedError(`tstats WHERE term ${n.value}`);
      else if (n.k === 'cmp' && !known(n.field)) throw new SplSyntaxError('tstats', `WHERE on ${n.field}: not a field of ${m[2]}`);
    };
    if (where) checkWhere(where);
    const constraint = chain.map((d) => `(${d.constraints})`).join(' ');
    let rows = this.searchEvents(constraint, range, ctx);
    for (const r of rows) for (const st of r.get('sourcetype') ?? []) sourcetypes.add(st);
    rows = rows.map((r) => {
      const o: Row = new Map([['_time', r.get('_time') ?? []]]);
      for (const f of INDEXED) if (r.has(f)) o.set(f, r.get(f)!);
      for (const [pf, f] of prefixed) if ((r.get(f) ?? []).length) o.set(pf, r.get(f)!);
      return o;
    });
    if (where) {
      this.readSearchFields(where, rows, ctx);
      rows = rows.filter((r) => matchSearch(where, { raw: '', get: (f) => r.get(f) }));
    }
    if (by.includes('_time')) {
      const sp = parseSpan(span ?? '1h');
      rows = rows.map((r) => new Map(r).set('_time', [String(Math.floor(Number(r.get('_time')![0]) / sp) * sp)]));
    }
    for (const f of [...aggs.map((a) => a.arg).filter((x): x is string => !!x), ...by]) ctx.read(f, rows);
    return this.stats(aggs, by, rows);
  }

  // -------------------------------------------------------------- streaming and transforming

  private stats(aggs: Agg[], by: string[], rows: Row[]): Row[] {
    const groups = by.length ? groupRows(rows, by) : [{ key: [], rows }];
    return groups.map((g) => {
      const out: Row = new Map();
      by.forEach((f, i) => out.set(f, [g.key[i]]));
      for (const a of aggs) {
        const v = aggregate(a, g.rows, this.opts.now);
        if (v) out.set(a.as, v);
      }
      return out;
    });
  }

  private apply(cmd: string, body: string, rows: Row[], range: Range, ctx: Ctx): Row[] {
    const now = this.opts.now;
    switch (cmd) {
      case 'search': {
        const node = this.compileSearch(body);
        this.readSearchFields(node, rows, ctx);
        return rows.filter((r) => matchSearch(node, { raw: r.get('_raw')?.[0] ?? '', get: (f) => r.get(f) }));
      }
      case 'where': {
        const expr = parseEval(body);
        return rows.filter((r) => evalExpr(expr, { get: (f) => r.get(f), now }) === true);
      }
      case 'eval': {
        const assigns = splitTop(body, ',').map((a) => {
          const eq = /^\s*("?[^=\s"]+"?)\s*=(?!=)([\s\S]*)$/.exec(a);
          if (!eq) throw new SplSyntaxError('eval', `cannot read ${JSON.stringify(a.trim())}`);
          return { field: unquote(eq[1]), expr: parseEval(eq[2].trim()) };
        });
        return rows.map((r) => {
          const out = new Map(r);
          for (const a of assigns) {
            const v = toFieldValues(evalExpr(a.expr, { get: (f) => out.get(f), now }));
            if (v === undefined) out.delete(a.field);
            else out.set(a.field, v);
          }
          return out;
        });
      }
      case 'stats': {
        const { aggs, by, opts } = parseAggs('stats', body);
        if (opts.size) throw new SplUnsupportedError(`stats option ${[...opts.keys()].join(', ')}`);
        this.readAggs(aggs, by, ctx);
        return this.stats(aggs, by, rows);
      }
      case 'eventstats': {
        const { aggs, by, opts } = parseAggs('eventstats', body);
        if (opts.size) throw new SplUnsupportedError(`eventstats option ${[...opts.keys()].join(', ')}`);
        this.readAggs(aggs, by, ctx);
        const groups = by.length ? groupRows(rows, by) : [{ key: [], rows }];
        const add = new Map<Row, Row>();
        for (const g of groups) {
          const vals = aggs.map((a) => [a.as, aggregate(a, g.rows, now)] as const);
          for (const r of g.rows) {
            const o = new Map(r);
            for (const [k, v] of vals) if (v) o.set(k, v);
            add.set(r, o);
          }
        }
        return rows.map((r) => add.get(r) ?? r);
      }
      case 'timechart':
        return this.timechart(body, rows, range, ctx);
      case 'chart':
        return this.chart(body, rows, ctx);
      case 'top':
      case 'rare': {
        const ws = words(body);
        let limit = 10;
        const fields: string[] = [];
        for (const w of ws) {
          const o = /^(\w+)=(.*)$/.exec(w);
          if (o && o[1] === 'limit') limit = Number(o[2]);
          else if (o) throw new SplUnsupportedError(`${cmd} option ${o[1]}`);
          else if (/^by$/i.test(w)) throw new SplUnsupportedError(`${cmd} BY`);
          else fields.push(w);
        }
        fields.forEach((f) => ctx.read(f));
        const groups = groupRows(rows, fields);
        const total = groups.reduce((s, g) => s + g.rows.length, 0);
        const sorted = groups.sort((a, b) => (cmd === 'top' ? b.rows.length - a.rows.length : a.rows.length - b.rows.length));
        return sorted.slice(0, limit || undefined).map((g) => {
          const o: Row = new Map(fields.map((f, i) => [f, [g.key[i]]]));
          o.set('count', [String(g.rows.length)]);
          o.set('percent', [numText(Math.round((g.rows.length / total) * 100 * 1e6) / 1e6)]);
          return o;
        });
      }
      case 'dedup': {
        const ws = words(body);
        let n = 1;
        if (ws.length && /^\d+$/.test(ws[0])) n = Number(ws.shift());
        if (ws.some((w) => w.includes('=') || /^sortby$/i.test(w))) throw new SplUnsupportedError(`dedup options in ${JSON.stringify(body)}`);
        ws.forEach((f) => ctx.read(f));
        const seen = new Map<string, number>();
        return rows.filter((r) => {
          const vals = ws.map((f) => r.get(f));
          if (vals.some((v) => !v || !v.length)) return false;
          const k = JSON.stringify(vals);
          const c = seen.get(k) ?? 0;
          seen.set(k, c + 1);
          return c < n;
        });
      }
      case 'table': {
        const fs = words(body).map(unquote);
        fs.forEach((f) => ctx.read(f));
        return rows.map((r) => {
          const o: Row = new Map();
          for (const f of fs) {
            if (f.includes('*')) {
              const re = wildRe(f);
              for (const [k, v] of r) if (re.test(k) && !o.has(k)) o.set(k, v);
            } else if (r.has(f)) o.set(f, r.get(f)!);
          }
          return o;
        });
      }
      case 'fields': {
        const ws = words(body).map(unquote);
        const remove = ws[0] === '-';
        const fs = ws.filter((w) => w !== '-' && w !== '+');
        return rows.map((r) => {
          const o: Row = new Map();
          for (const [k, v] of r) {
            const hit = fs.some((f) => wildRe(f).test(k));
            if (remove ? !hit : hit || k.startsWith('_')) o.set(k, v);
          }
          return o;
        });
      }
      case 'rename': {
        const ws = words(body);
        const pairs: [string, string][] = [];
        for (let i = 0; i < ws.length; i += 3) {
          if (!/^as$/i.test(ws[i + 1] ?? '')) throw new SplSyntaxError('rename', `expected AS after ${ws[i]}`);
          pairs.push([unquote(ws[i]), unquote(ws[i + 2])]);
        }
        for (const [f] of pairs) if (f.includes('*')) throw new SplUnsupportedError('rename with wildcards');
        pairs.forEach(([f]) => ctx.read(f));
        return rows.map((r) => {
          const o = new Map(r);
          for (const [a, b] of pairs) {
            const v = o.get(a);
            o.delete(a);
            if (v) o.set(b, v);
            else o.delete(b);
          }
          return o;
        });
      }
      case 'sort': {
        const ws = words(body);
        let limit = 10000;
        if (ws.length && /^\d+$/.test(ws[0])) limit = Number(ws.shift()) || Infinity;
        const keys: { f: string; desc: boolean; mode?: 'num' | 'str' }[] = [];
        let desc = false;
        for (const w of ws) {
          if (w === '-' || w === '+') {
            desc = w === '-';
            continue;
          }
          const m = /^([-+])?(?:(num|str|auto|ip)\(([^)]+)\)|(.+))$/.exec(w)!;
          if (m[2] === 'ip') throw new SplUnsupportedError('sort ip()');
          keys.push({ f: unquote(m[3] ?? m[4]), desc: m[1] ? m[1] === '-' : desc, mode: m[2] === 'num' || m[2] === 'str' ? m[2] : undefined });
          desc = false;
        }
        keys.forEach((k) => ctx.read(k.f));
        const sorted = [...rows].sort((a, b) => {
          for (const k of keys) {
            const x = a.get(k.f)?.[0];
            const y = b.get(k.f)?.[0];
            let c: number;
            if (k.mode === 'str') c = x === undefined || y === undefined ? compareValues(x, y) : x < y ? -1 : x > y ? 1 : 0;
            else c = compareValues(x, y);
            if (x !== undefined && y !== undefined && k.desc) c = -c;
            if (c) return c;
          }
          return 0;
        });
        return sorted.slice(0, limit);
      }
      case 'head':
      case 'tail': {
        const ws = words(body);
        const n = ws.length ? Number(/^(?:limit=)?(\d+)$/.exec(ws[0])?.[1] ?? NaN) : 10;
        if (ws.length > 1 || Number.isNaN(n)) throw new SplUnsupportedError(`${cmd} arguments ${JSON.stringify(body)}`);
        return cmd === 'head' ? rows.slice(0, n) : rows.slice(-n).reverse();
      }
      case 'lookup':
        return this.lookup(body, rows, ctx);
      case 'fillnull': {
        const ws = words(body);
        let value = '0';
        const fs: string[] = [];
        for (const w of ws) {
          const o = /^value=(.*)$/.exec(w);
          if (o) value = unquote(o[1]);
          else if (w.includes('=')) throw new SplUnsupportedError(`fillnull option ${w}`);
          else fs.push(unquote(w));
        }
        const all = fs.length ? fs : [...new Set(rows.flatMap((r) => [...r.keys()]))].filter((k) => !k.startsWith('_'));
        return rows.map((r) => {
          const o = new Map(r);
          for (const f of all) if (!(o.get(f) ?? []).length) o.set(f, [value]);
          return o;
        });
      }
      case 'bin':
      case 'bucket': {
        const ws = words(body);
        let span: number | undefined;
        const fs: string[] = [];
        for (const w of ws) {
          const o = /^(\w+)=(.*)$/.exec(w);
          if (o?.[1] === 'span') span = parseSpan(o[2]);
          else if (o) throw new SplUnsupportedError(`${cmd} option ${o[1]}`);
          else fs.push(w);
        }
        if (fs.length !== 1 || span === undefined) throw new SplUnsupportedError(`${cmd} without one field and span=`);
        ctx.read(fs[0]);
        return rows.map((r) => {
          const v = r.get(fs[0])?.[0];
          if (v === undefined || !isNum(v)) return r;
          return new Map(r).set(fs[0], [numText(Math.floor(Number(v) / span!) * span!)]);
        });
      }
      case 'convert': {
        const ws = words(body);
        const ops: { fn: string; f: string; as: string }[] = [];
        for (let i = 0; i < ws.length; i++) {
          const m = /^(ctime|num)\(([^)]+)\)$/.exec(ws[i]);
          if (!m) throw new SplUnsupportedError(`convert ${ws[i]}`);
          let as = m[2];
          if (/^as$/i.test(ws[i + 1] ?? '')) {
            as = ws[i + 2];
            i += 2;
          }
          ops.push({ fn: m[1], f: m[2], as });
        }
        ops.forEach((o) => ctx.read(o.f));
        return rows.map((r) => {
          const o = new Map(r);
          for (const op of ops) {
            const v = r.get(op.f);
            if (!v) continue;
            const out = v.map((x) => (op.fn === 'ctime' ? (isNum(x) ? formatTime(Number(x) * 1000, '%m/%d/%Y %H:%M:%S') : x) : isNum(x) ? numText(Number(x)) : x));
            o.set(op.as, out);
          }
          return o;
        });
      }
    }
    throw new SplUnsupportedError(`command ${cmd}`);
  }

  private readAggs(aggs: Agg[], by: string[], ctx: Ctx): void {
    for (const a of aggs) if (a.arg) ctx.read(a.arg);
    by.forEach((f) => ctx.read(f));
  }

  private lookup(body: string, rows: Row[], ctx: Ctx): Row[] {
    const ws = words(body);
    const name = unquote(ws.shift() ?? '');
    const t = this.table(name);
    const outAt = ws.findIndex((w) => /^output(new)?$/i.test(w));
    const mode = outAt < 0 ? 'OUTPUT' : ws[outAt].toUpperCase();
    const pairs = (xs: string[]): { lf: string; ef: string }[] => {
      const out: { lf: string; ef: string }[] = [];
      for (let i = 0; i < xs.length; i++) {
        if (/^as$/i.test(xs[i + 1] ?? '')) {
          out.push({ lf: unquote(xs[i]), ef: unquote(xs[i + 2]) });
          i += 2;
        } else out.push({ lf: unquote(xs[i]), ef: unquote(xs[i]) });
      }
      return out;
    };
    const inputs = pairs(outAt < 0 ? ws : ws.slice(0, outAt));
    const outputs = outAt < 0 ? t.header.filter((h) => !inputs.some((i) => i.lf === h)).map((h) => ({ lf: h, ef: h })) : pairs(ws.slice(outAt + 1));
    for (const f of [...inputs.map((i) => i.lf), ...outputs.map((o) => o.lf)]) {
      if (!t.header.includes(f)) throw new SplSyntaxError('lookup', `${name} has no column ${f} (columns: ${t.header.join(', ')})`);
    }
    inputs.forEach((i) => ctx.read(i.ef));
    const col = (h: string) => t.header.indexOf(h);
    return rows.map((r) => {
      const ins = inputs.map((i) => r.get(i.ef));
      if (ins.some((v) => !v || !v.length)) return r;
      const hits = t.rows.filter((row) => inputs.every((inp, k) => ins[k]!.includes(row[col(inp.lf)] ?? '')));
      const o = new Map(r);
      for (const out of outputs) {
        if (mode === 'OUTPUTNEW' && (o.get(out.ef) ?? []).length) continue;
        const vals = [...new Set(hits.map((h) => h[col(out.lf)] ?? '').filter((v) => v !== ''))];
        if (vals.length) o.set(out.ef, vals);
        else o.delete(out.ef);
      }
      return o;
    });
  }

  private timechart(body: string, rows: Row[], range: Range, ctx: Ctx): Row[] {
    const { aggs, by, opts } = parseAggs('timechart', body);
    for (const k of opts.keys()) if (!['span', 'limit', 'useother', 'usenull'].includes(k)) throw new SplUnsupportedError(`timechart option ${k}`);
    if (by.length > 1) throw new SplUnsupportedError('timechart with more than one BY field');
    if (by.length && aggs.length > 1) throw new SplUnsupportedError('timechart with several aggregations and BY');
    this.readAggs(aggs, by, ctx);
    const times = rows.map((r) => Number(r.get('_time')?.[0] ?? NaN)).filter((t) => !Number.isNaN(t));
    const lo = range.earliest > 0 ? range.earliest : Math.min(...times);
    const hi = Math.min(range.latest, this.opts.now + 1);
    const span = opts.has('span') ? parseSpan(opts.get('span')!) : autoSpan(Math.max(1, hi - lo));
    const bucketOf = (t: number) => Math.floor(t / span) * span;
    const buckets: number[] = [];
    if (times.length || range.earliest > 0) for (let b = bucketOf(lo); b < hi; b += span) buckets.push(b);
    const limit = Number(opts.get('limit') ?? 10);
    const useOther = !/^(f|false|0)$/i.test(opts.get('useother') ?? 't');
    const useNull = !/^(f|false|0)$/i.test(opts.get('usenull') ?? 't');
    let series: string[] = [];
    const seriesOf = (r: Row): string | undefined => {
      if (!by.length) return undefined;
      const v = r.get(by[0])?.[0];
      return v === undefined ? (useNull ? 'NULL' : undefined) : v;
    };
    let keep = new Set<string>();
    if (by.length) {
      const totals = new Map<string, number>();
      for (const r of rows) {
        const s = seriesOf(r);
        if (s !== undefined) totals.set(s, (totals.get(s) ?? 0) + 1);
      }
      series = [...totals.entries()].sort((a, b) => b[1] - a[1] || compareValues(a[0], b[0])).map(([s]) => s);
      keep = new Set(limit > 0 ? series.slice(0, limit) : series);
    }
    const byBucket = new Map<number, Row[]>();
    for (const r of rows) {
      const t = Number(r.get('_time')?.[0] ?? NaN);
      if (Number.isNaN(t)) continue;
      const b = bucketOf(t);
      if (!byBucket.has(b)) buckets.includes(b) || buckets.push(b);
      byBucket.set(b, [...(byBucket.get(b) ?? []), r]);
    }
    buckets.sort((a, b) => a - b);
    const columns = by.length ? [...[...keep].sort(compareValues), ...(useOther && series.length > keep.size ? ['OTHER'] : [])] : aggs.map((a) => a.as);
    return buckets.map((b) => {
      const o: Row = new Map([['_time', [String(b)]], ['_span', [String(span)]]]);
      const inBucket = byBucket.get(b) ?? [];
      if (!by.length) {
        for (const a of aggs) {
          const v = aggregate(a, inBucket, this.opts.now);
          if (v) o.set(a.as, v);
          else if (a.fn === 'count' || a.fn === 'dc') o.set(a.as, ['0']);
        }
        return o;
      }
      const a = aggs[0];
      for (const c of columns) {
        const part = inBucket.filter((r) => {
          const s = seriesOf(r);
          return c === 'OTHER' ? s !== undefined && !keep.has(s) : s === c;
        });
        const v = aggregate(a, part, this.opts.now);
        if (v) o.set(c, v);
        else if (a.fn === 'count' || a.fn === 'dc') o.set(c, ['0']);
      }
      return o;
    });
  }

  private chart(body: string, rows: Row[], ctx: Ctx): Row[] {
    const { aggs, by, opts } = parseAggs('chart', body);
    for (const k of opts.keys()) if (!['limit', 'useother', 'usenull'].includes(k)) throw new SplUnsupportedError(`chart option ${k}`);
    this.readAggs(aggs, by, ctx);
    if (by.length <= 1) return this.stats(aggs, by, rows);
    if (by.length > 2 || aggs.length > 1) throw new SplUnsupportedError('chart with more than two split fields or several aggregations and a column split');
    const [rowF, colF] = by;
    const a = aggs[0];
    const totals = new Map<string, number>();
    for (const r of rows) for (const v of r.get(colF) ?? []) totals.set(v, (totals.get(v) ?? 0) + 1);
    const limit = Number(opts.get('limit') ?? 10);
    const ranked = [...totals.entries()].sort((x, y) => y[1] - x[1] || compareValues(x[0], y[0])).map(([s]) => s);
    const keep = new Set(limit > 0 ? ranked.slice(0, limit) : ranked);
    const other = ranked.length > keep.size;
    return groupRows(rows, [rowF]).map((g) => {
      const o: Row = new Map([[rowF, [g.key[0]]]]);
      for (const c of [...[...keep].sort(compareValues), ...(other ? ['OTHER'] : [])]) {
        const part = g.rows.filter((r) => {
          const v = r.get(colF)?.[0];
          return c === 'OTHER' ? v !== undefined && !keep.has(v) : v === c;
        });
        const v = aggregate(a, part, this.opts.now);
        if (v) o.set(c, v);
        else if (a.fn === 'count') o.set(c, ['0']);
      }
      return o;
    });
  }
}

interface Range {
  earliest: number;
  latest: number;
  indexEarliest?: number;
  indexLatest?: number;
}

interface Ctx {
  cmd: string;
  /** Records a field the command reads; missing when no row (of `over`, default the input) has it. */
  read: (field: string, over?: Row[]) => void;
}

/** Rows as plain objects (one value → string, several → array) for assertions and rendering. */
export function rowsToObjects(rows: Row[]): Record<string, string | string[]>[] {
  return rows.map((r) => Object.fromEntries([...r].map(([k, v]) => [k, v.length === 1 ? v[0] : v])));
}

/** A result an analyst would call empty: no rows, or rows whose every value is 0 or blank. */
export function isEmptyResult(rows: Row[]): boolean {
  return rows.every((r) => [...r].every(([k, v]) => k.startsWith('_') || v.every((x) => x === '' || x === '0')));
}
