/**
 * Evaluate: one raw event through a compiled Pipeline in Splunk's documented order
 * (props.conf.spec): TRUNCATE and timestamp (index time), then EXTRACT- → REPORT- → KV_MODE →
 * FIELDALIAS- → EVAL- (in parallel) → LOOKUP- → eventtypes → tags, counting what Splunk pays
 * (JSON parses, regex executions) on the way.
 */
import { CompiledApp, Eventtype, Pipeline, Transform } from './compile';
import { evaluate as evalExpr, newCost, SearchCost, toFieldValues } from './eval';
import { flattenJson, parseJson, SPLUNK_KV_LIMITS } from './json';
import { DEFAULT_REGEX_LIMITS } from './limits';
import { applyLookup, Fields } from './lookups';
import type { EventMeta } from './props';
import { compilePcre, execAll, execOnce, LimitHits } from './regex';
import { matchSearch } from './search';
import { extractTimestamp } from './time';

export type { Fields } from './lookups';

export interface EvaluatedEvent {
  /** Epoch milliseconds from timestamp recognition; undefined when no timestamp was found. */
  time?: number;
  sourcetype: string;
  fields: Fields;
  eventtype: string[];
  tag: string[];
  /** What Splunk pays for this event at search time (JSON parses, regex executions). */
  cost: SearchCost;
}

type Getter = (name: string) => string[] | undefined;
type Adder = (name: string, value: string, mvAdd: boolean, keepEmpty: boolean) => void;

/** TRUNCATE (0 = unlimited), applied by UTF-8 byte length without leaving half a character. */
export function truncateRaw(raw: string, limit: number): string {
  if (!limit || Buffer.byteLength(raw) <= limit) return raw;
  let out = Buffer.from(raw).subarray(0, limit).toString('utf8');
  if (out.endsWith('\uFFFD')) out = out.slice(0, -1);
  return out;
}

export function evaluateEvent(app: CompiledApp, p: Pipeline, rawIn: string, meta: EventMeta): EvaluatedEvent {
  const raw = truncateRaw(rawIn, p.truncate);
  const cost = newCost();
  if (p.timestamp.TIME_PREFIX) cost.regexEvaluations++;
  const time = extractTimestamp(raw, p.timestamp, p.timePrefix?.re);
  const fields: Fields = new Map();
  fields.set('sourcetype', [p.sourcetype]);
  if (meta.source !== undefined) fields.set('source', [meta.source]);
  if (meta.host !== undefined) fields.set('host', [meta.host]);
  const get: Getter = (name) => (name === '_raw' ? [raw] : fields.get(name));
  // A first value wins unless MV_ADD: an extraction never overwrites an earlier one.
  const add: Adder = (name, value, mvAdd, keepEmpty) => {
    if (!name || (value === '' && !keepEmpty)) return;
    const have = fields.get(name);
    if (!have) fields.set(name, [value]);
    else if (mvAdd) have.push(value);
  };

  // 1. EXTRACT-, by class in ASCII order.
  for (const x of p.extracts) {
    const subjects = x.inField ? (get(x.inField) ?? []) : [raw];
    for (const subject of subjects) {
      cost.regexEvaluations++;
      const m = execOnce(x.re, subject, DEFAULT_REGEX_LIMITS, cost);
      if (!m) continue;
      x.re.groupNames.forEach((n, i) => {
        if (n && m.groups[i] !== undefined) add(n, m.groups[i]!, false, false);
      });
      break;
    }
  }
  // 2. REPORT-.
  for (const t of p.reports) cost.regexEvaluations += applyReport(t, get, add, cost);
  // 3. KV_MODE.
  kvExtract(p, raw, fields, add, cost);
  // 4. FIELDALIAS-.
  for (const a of p.aliases) {
    const v = fields.get(a.from);
    if (a.asNew) {
      if (v && !fields.has(a.to)) fields.set(a.to, [...v]);
    } else if (v) fields.set(a.to, [...v]);
    else fields.delete(a.to);
  }
  // 5. EVAL-: every expression sees the fields as they were before any EVAL.
  if (p.evals.length) {
    const ctx = { get, cost };
    const results = p.evals.map((e) => [e.field, toFieldValues(evalExpr(e.expr, ctx))] as const);
    for (const [f, v] of results) {
      if (v === undefined) fields.delete(f);
      else fields.set(f, v);
    }
  }
  // 6. LOOKUP-.
  for (const lk of p.lookups) applyLookup(lk, fields, cost);
  // 7. eventtypes, then tags.
  const eventtype = matchEventtypes(app, raw, fields);
  return { time, sourcetype: p.sourcetype, fields, eventtype, tag: tagsOf(app, fields, eventtype), cost };
}

function kvExtract(p: Pipeline, raw: string, fields: Fields, add: Adder, cost: SearchCost): void {
  if (p.kvMode === 'json' || ((p.kvMode === 'auto' || p.kvMode === 'auto_escaped') && p.autoKvJson)) {
    const trimmed = raw.trimStart();
    if (trimmed.startsWith('{')) {
      cost.jsonParses++;
      const root = parseJson(raw);
      if (root) {
        const created = new Set<string>();
        let count = 0;
        flattenJson(
          root,
          (name, value) => {
            // Auto KV drops empty values (transforms.conf.spec, KEEP_EMPTY_VALS).
            if (value === '' || (fields.has(name) && !created.has(name))) return true;
            if (!created.has(name)) {
              if (count >= SPLUNK_KV_LIMITS.maxFields) return false;
              count++;
              created.add(name);
              fields.set(name, [value]);
            } else fields.get(name)!.push(value);
            return true;
          },
          SPLUNK_KV_LIMITS,
        );
      }
    }
  }
  if (p.kvMode === 'auto' || p.kvMode === 'auto_escaped') {
    for (const m of raw.matchAll(/(?:^|[\s,;])([A-Za-z_][A-Za-z0-9_]*)=(?:"((?:[^"\\]|\\.)*)"|([^\s,;"]*))/g)) {
      const v = m[2] !== undefined ? (p.kvMode === 'auto_escaped' ? m[2].replace(/\\(["\\])/g, '$1') : m[2]) : m[3];
      add(m[1], v.trim(), false, false);
    }
  }
}

/** Splunk's key cleaning: non-alphanumerics become `_`, leading `_` and digits go. */
export function cleanKey(k: string): string {
  return k.replace(/[^A-Za-z0-9]/g, '_').replace(/^[_0-9]+/, '');
}

/** Applies one REPORT transform; returns how many regex executions it took (each match attempt). */
function applyReport(t: Transform, get: Getter, add: Adder, hits: LimitHits): number {
  const subjects = get(t.sourceKey) ?? [];
  let runs = 0;
  for (const subject of subjects) {
    if (t.regex) {
      const matches = t.dynamicKeys ? execAll(t.regex, subject, t.limits, hits) : [execOnce(t.regex, subject, t.limits, hits)].filter((m) => m !== undefined);
      runs += t.dynamicKeys ? matches.length + 1 : 1;
      for (const m of matches) {
        const g = m!.groups;
        const subst = (s: string) => {
          const only = /^\$(\d+)$/.exec(s);
          if (only && Number(only[1]) <= t.regex!.groupCount) return g[Number(only[1])] ?? '';
          return s.includes('$') ? s.replace(/\$(\d+)/g, (all, d: string) => (Number(d) <= t.regex!.groupCount ? (g[Number(d)] ?? '') : all)) : s;
        };
        if (t.format.length) {
          for (const f of t.format) {
            const dyn = /^\$\d+$/.test(f.name);
            let name = subst(f.name);
            if (dyn && t.cleanKeys) name = cleanKey(name);
            add(name, subst(f.value), t.mvAdd, t.keepEmpty);
          }
        } else {
          const names = t.regex.groupNames;
          names.forEach((n, i) => {
            if (!n || g[i] === undefined) return;
            if (n.startsWith('_KEY_')) {
              const vi = names.indexOf(`_VAL_${n.slice(5)}`);
              if (vi < 0 || g[vi] === undefined) return;
              add(t.cleanKeys ? cleanKey(g[i]!) : g[i]!, g[vi]!, t.mvAdd, t.keepEmpty);
            } else if (!n.startsWith('_VAL_')) add(n, g[i]!, t.mvAdd, t.keepEmpty);
          });
        }
      }
    } else if (t.delims) {
      const split = (s: string, chars: string) => s.split(new RegExp(`[${chars.replace(/[\]\\^-]/g, '\\$&')}]${t.fieldsList ? '' : '+'}`));
      if (t.fieldsList) {
        split(subject, t.delims.pair).forEach((v, i) => {
          if (t.fieldsList![i]) add(t.fieldsList![i], v, t.mvAdd, t.keepEmpty);
        });
      } else {
        for (const pair of split(subject, t.delims.pair)) {
          if (!pair) continue;
          const kvChars = t.delims.kv ?? '=';
          const idx = [...pair].findIndex((c) => kvChars.includes(c));
          if (idx <= 0) continue;
          const k = pair.slice(0, idx);
          add(t.cleanKeys ? cleanKey(k) : k, pair.slice(idx + 1), t.mvAdd, t.keepEmpty);
        }
      }
    }
  }
  return runs;
}

/** The eventtypes an event belongs to (an eventtype may refer to another, so iterate until stable). */
function matchEventtypes(app: CompiledApp, raw: string, fields: Fields): string[] {
  const { index, unindexed } = app.eventtypes;
  let eventtype: string[] = [];
  const lower = new Map<string, string[]>();
  const lowered = (f: string) => {
    let v = lower.get(f);
    if (!v) lower.set(f, (v = (fields.get(f) ?? []).map((x) => x.toLowerCase())));
    return v;
  };
  const found = new Set<Eventtype>(unindexed);
  for (const [field, byValue] of index) for (const v of lowered(field)) for (const e of byValue.get(v) ?? []) found.add(e);
  const candidates = [...found].filter((e) => e.prefilter.every(([f, set]) => f === 'eventtype' || f === 'tag' || lowered(f).some((v) => set.has(v))));
  for (let round = 0; round < 3; round++) {
    const target = { raw, get: (n: string) => (n === 'eventtype' ? eventtype : n === '_raw' ? [raw] : fields.get(n)) };
    const next = candidates.filter((e) => matchSearch(e.search, target)).map((e) => e.name).sort();
    if (next.join('\n') === eventtype.join('\n')) break;
    eventtype = next;
  }
  return eventtype;
}

function tagsOf(app: CompiledApp, fields: Fields, eventtype: string[]): string[] {
  const tag = new Set<string>();
  for (const [field, byValue] of app.tags) {
    const vals = field === 'eventtype' ? eventtype : fields.get(field);
    for (const v of vals ?? []) for (const t of byValue.get(v) ?? []) tag.add(t);
  }
  return [...tag].sort();
}

/** Splits a stream chunk into events with LINE_BREAKER (the first group is the discarded break). */
export function breakLines(text: string, lineBreaker = '([\\r\\n]+)'): string[] {
  const re = compilePcre(lineBreaker);
  const out: string[] = [];
  let start = 0;
  for (const m of execAll(re, text)) {
    const g = m.groups[1];
    if (g === undefined) continue;
    const breakStart = m.index + m.groups[0]!.indexOf(g);
    if (breakStart > start) out.push(text.slice(start, breakStart));
    start = breakStart + g.length;
  }
  if (start < text.length) out.push(text.slice(start));
  return out.filter((e) => e.trim() !== '');
}

/** The event as the `preview` command prints it: `_time`, fields by name, eventtype, tag. */
export function toJsonObject(e: EvaluatedEvent): Record<string, unknown> {
  const o: Record<string, unknown> = { _time: e.time === undefined ? null : new Date(e.time).toISOString() };
  for (const k of [...e.fields.keys()].sort()) {
    const v = e.fields.get(k)!;
    o[k] = v.length === 1 ? v[0] : v;
  }
  o.eventtype = e.eventtype;
  o.tag = e.tag;
  return o;
}
