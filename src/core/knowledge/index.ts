/**
 * A faithful evaluator of Splunk's search-time pipeline for the settings this app uses.
 * Load an app's `default/` + `lookups/` once; `evaluate(raw, meta)` returns `_time` (index-time
 * timestamp recognition) and the fields in Splunk's documented order (props.conf.spec):
 * EXTRACT- → REPORT- → KV_MODE → FIELDALIAS- → EVAL- (in parallel) → LOOKUP- → eventtypes → tags.
 * Everything is compiled at load, so a bad regex, eval or search is an error there (with the
 * file and stanza), not a silently missing field.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfFile, parseConf } from '../conf/parse';
import { EvalExpr, evaluate as evalExpr, newCost, parseEval, regexesOf, SearchCost, toFieldValues } from './eval';
import { flattenJson, parseJson, SPLUNK_KV_LIMITS } from './json';
import { DEFAULT_REGEX_LIMITS } from './limits';
import { EventMeta, PropsStanza, readPropsStanzas, resolveSettings } from './props';
import { CompiledRegex, compilePcre, execAll, execOnce } from './regex';
import { matchSearch, parseSearch, requiredValues, SearchNode } from './search';
import { extractTimestamp, parseTime, TimestampSettings, unsupportedTimeVariables } from './time';

export type { EventMeta } from './props';
export type { SearchCost } from './eval';
export type Fields = Map<string, string[]>;

export class KnowledgeError extends Error {
  constructor(readonly problems: string[]) {
    super(`knowledge configuration has ${problems.length} problem(s):\n  ${problems.join('\n  ')}`);
    this.name = 'KnowledgeError';
  }
}

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

interface Transform {
  name: string;
  regex?: CompiledRegex;
  format: { name: string; value: string }[];
  dynamicKeys: boolean;
  delims?: { pair: string; kv?: string };
  fieldsList?: string[];
  sourceKey: string;
  mvAdd: boolean;
  cleanKeys: boolean;
  keepEmpty: boolean;
  lookupFile?: string;
  caseSensitive: boolean;
  maxMatches: number;
  /** transforms.conf MATCH_LIMIT (default from Splunk's shipped transforms.conf). */
  matchLimit: number;
}

interface Lookup {
  cls: string;
  table: string;
  match: { lookupField: string; eventField: string }[];
  mode: 'OUTPUT' | 'OUTPUTNEW';
  outputs?: { lookupField: string; eventField: string }[];
}

interface Pipeline {
  sourcetype: string;
  timestamp: TimestampSettings;
  truncate: number;
  extracts: { cls: string; re: CompiledRegex; inField?: string }[];
  reports: Transform[];
  kvMode: string;
  autoKvJson: boolean;
  aliases: { from: string; to: string; asNew: boolean }[];
  evals: { field: string; expr: EvalExpr }[];
  lookups: Lookup[];
}

export interface AppFiles {
  props?: ConfFile;
  transforms?: ConfFile;
  eventtypes?: ConfFile;
  tags?: ConfFile;
  /** CSV file name → text. */
  lookups?: Map<string, string>;
}

/** Parses RFC 4180 CSV (quoted fields, doubled quotes, CRLF). */
export function parseCsv(text: string): string[][] {
  const rows: string[][] = [];
  let row: string[] = [];
  let cell = '';
  let q = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (q) {
      if (c === '"') {
        if (text[i + 1] === '"') {
          cell += '"';
          i++;
        } else q = false;
      } else cell += c;
      continue;
    }
    if (c === '"') q = true;
    else if (c === ',') {
      row.push(cell);
      cell = '';
    } else if (c === '\n' || c === '\r') {
      if (c === '\r' && text[i + 1] === '\n') i++;
      row.push(cell);
      rows.push(row);
      row = [];
      cell = '';
    } else cell += c;
  }
  if (cell !== '' || row.length) {
    row.push(cell);
    rows.push(row);
  }
  return rows;
}

/** Splunk's key cleaning: non-alphanumerics become `_`, leading `_` and digits go. */
export function cleanKey(k: string): string {
  return k.replace(/[^A-Za-z0-9]/g, '_').replace(/^[_0-9]+/, '');
}

function unquoteList(v: string): string[] {
  const out: string[] = [];
  const re = /"((?:[^"\\]|\\.)*)"|([^,\s][^,]*)/g;
  let m: RegExpExecArray | null;
  while ((m = re.exec(v))) {
    if (m[1] !== undefined) out.push(m[1].replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', r: '\r' })[c] ?? c));
    else out.push(m[2].trim());
  }
  return out;
}

function bool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return /^(1|true|t|yes|y|on)$/i.test(v.trim());
}

export class KnowledgeBase {
  private readonly props: PropsStanza[];
  private readonly transforms = new Map<string, Transform>();
  private readonly tables = new Map<string, { header: string[]; rows: string[][] }>();
  private readonly eventtypes: { name: string; search: SearchNode; prefilter: [string, Set<string>][] }[] = [];
  /** Eventtypes by one required field value (lower-cased), so an event only tries its few candidates. */
  private readonly eventtypeIndex = new Map<string, Map<string, KnowledgeBase['eventtypes']>>();
  private readonly unindexedEventtypes: KnowledgeBase['eventtypes'] = [];
  private readonly lookupIndex = new Map<string, Map<string, string[][]>>();
  private readonly tags = new Map<string, Map<string, string[]>>();
  private readonly pipelines = new Map<string, Pipeline>();
  readonly problems: string[] = [];

  constructor(files: AppFiles) {
    this.props = readPropsStanzas(...(files.props ? [files.props] : []));
    for (const [name, text] of files.lookups ?? []) {
      const rows = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
      if (rows.length) this.tables.set(name, { header: rows[0], rows: rows.slice(1) });
    }
    for (const s of files.transforms?.stanzas ?? []) this.compileTransform(s.name, new Map(s.entries.map((e) => [e.key, e.value])));
    for (const s of files.eventtypes?.stanzas ?? []) {
      const m = new Map(s.entries.map((e) => [e.key, e.value]));
      const search = m.get('search');
      if (s.name === 'default' || search === undefined || bool(m.get('disabled'), false)) continue;
      try {
        const node = parseSearch(search);
        this.eventtypes.push({ name: s.name, search: node, prefilter: [...requiredValues(node)] });
      } catch (e) {
        this.problems.push(`eventtypes.conf [${s.name}] search: ${(e as Error).message}`);
      }
    }
    for (const s of files.tags?.stanzas ?? []) {
      const eq = s.name.indexOf('=');
      if (eq < 0) continue;
      const field = s.name.slice(0, eq);
      const value = decodeURIComponent(s.name.slice(eq + 1).replace(/^"|"$/g, ''));
      let byValue = this.tags.get(field);
      if (!byValue) this.tags.set(field, (byValue = new Map()));
      const enabled = s.entries.filter((e) => /^enabled$/i.test(e.value.trim())).map((e) => e.key);
      byValue.set(value, [...(byValue.get(value) ?? []), ...enabled]);
    }
    for (const e of this.eventtypes) {
      const usable = e.prefilter.filter(([f]) => f !== 'eventtype' && f !== 'tag');
      if (!usable.length) {
        this.unindexedEventtypes.push(e);
        continue;
      }
      const [field, values] = usable.reduce((a, b) => (b[1].size < a[1].size ? b : a));
      let byValue = this.eventtypeIndex.get(field);
      if (!byValue) this.eventtypeIndex.set(field, (byValue = new Map()));
      for (const v of values) byValue.set(v, [...(byValue.get(v) ?? []), e]);
    }
    // Compile every sourcetype's pipeline now so configuration errors surface at load.
    for (const s of this.props) if (s.kind !== 'rule') this.pipelineFor({ sourcetype: s.kind === 'sourcetype' ? s.name : '__none__', source: s.kind === 'source' ? s.pattern : undefined });
  }

  static loadApp(appDir: string): KnowledgeBase {
    const read = (f: string): ConfFile | undefined => {
      const p = path.join(appDir, 'default', f);
      return fs.existsSync(p) ? parseConf(fs.readFileSync(p, 'utf8'), p) : undefined;
    };
    const lookups = new Map<string, string>();
    const dir = path.join(appDir, 'lookups');
    if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.csv')) lookups.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
    return new KnowledgeBase({ props: read('props.conf'), transforms: read('transforms.conf'), eventtypes: read('eventtypes.conf'), tags: read('tags.conf'), lookups });
  }

  /** Sourcetypes with their own [<sourcetype>] stanza, plus those assigned by [source::] stanzas. */
  sourcetypes(): string[] {
    const out = new Set<string>();
    for (const s of this.props) {
      if (s.kind === 'sourcetype') out.add(s.name);
      const st = s.settings.get('sourcetype');
      if (s.kind === 'source' && st) out.add(st.trim());
    }
    return [...out].sort();
  }

  /** All REGEX/EXTRACT/TIME_PREFIX/LINE_BREAKER patterns with where they come from (for the PCRE2 check). */
  regexes(): { where: string; kind: 'EXTRACT' | 'REPORT' | 'TIME_PREFIX' | 'LINE_BREAKER' | 'EVAL'; source: string; flags: string; inField?: string; repeat: boolean }[] {
    const out: ReturnType<KnowledgeBase['regexes']> = [];
    for (const s of this.props) {
      for (const [k, v] of s.settings) {
        if (k.startsWith('EXTRACT-')) {
          const { regex, inField } = splitExtract(v);
          out.push({ where: `props.conf [${s.name}] ${k}`, kind: 'EXTRACT', source: regex, flags: 'ms', inField, repeat: false });
        } else if (k === 'TIME_PREFIX' || k === 'LINE_BREAKER') out.push({ where: `props.conf [${s.name}] ${k}`, kind: k, source: v, flags: '', repeat: false });
      }
    }
    const evalSources = new Map<string, string>();
    for (const p of this.pipelines.values()) for (const e of p.evals) for (const r of regexesOf(e.expr)) if (!evalSources.has(r)) evalSources.set(r, `props.conf [${p.sourcetype}] EVAL-${e.field}`);
    for (const [source, where] of evalSources) out.push({ where: `${where} regex ${JSON.stringify(source)}`, kind: 'EVAL', source, flags: '', repeat: true });
    for (const t of this.transforms.values()) {
      if (t.regex) out.push({ where: `transforms.conf [${t.name}] REGEX`, kind: 'REPORT', source: t.regex.source, flags: '', inField: t.sourceKey === '_raw' ? undefined : t.sourceKey, repeat: t.dynamicKeys });
    }
    return out;
  }

  private compileTransform(name: string, m: Map<string, string>): void {
    const where = `transforms.conf [${name}]`;
    const t: Transform = {
      name,
      format: [],
      dynamicKeys: false,
      sourceKey: (m.get('SOURCE_KEY') ?? '_raw').replace(/^fields?:/, ''),
      mvAdd: bool(m.get('MV_ADD'), false),
      cleanKeys: bool(m.get('CLEAN_KEYS'), true),
      keepEmpty: bool(m.get('KEEP_EMPTY_VALS'), false),
      caseSensitive: bool(m.get('case_sensitive_match'), true),
      maxMatches: Number(m.get('max_matches') ?? 100) || 100,
      matchLimit: Number(m.get('MATCH_LIMIT') ?? DEFAULT_REGEX_LIMITS.matchLimit) || DEFAULT_REGEX_LIMITS.matchLimit,
    };
    try {
      const regex = m.get('REGEX');
      if (regex !== undefined) {
        t.regex = compilePcre(regex);
        if (t.regex.groupCount === 0) this.problems.push(`${where} REGEX has no capturing group`);
        if (t.regex.groupNames.some((n) => n?.startsWith('_KEY_'))) t.dynamicKeys = true;
      }
      const format = m.get('FORMAT');
      if (format) {
        for (const pair of format.trim().split(/\s+/)) {
          const i = pair.indexOf('::');
          if (i < 0) {
            this.problems.push(`${where} FORMAT item ${JSON.stringify(pair)} is not name::value`);
            continue;
          }
          const fieldName = pair.slice(0, i);
          const value = pair.slice(i + 2);
          for (const ref of `${fieldName} ${value}`.match(/\$\d+/g) ?? []) {
            if (Number(ref.slice(1)) > (t.regex?.groupCount ?? 0)) this.problems.push(`${where} FORMAT refers to ${ref} but REGEX has ${t.regex?.groupCount ?? 0} groups`);
          }
          if (/^\$\d+$/.test(fieldName)) t.dynamicKeys = true;
          t.format.push({ name: fieldName, value });
        }
      }
      const delims = m.get('DELIMS');
      if (delims !== undefined) {
        const list = unquoteList(delims);
        t.delims = { pair: list[0] ?? '', kv: list[1] };
      }
      const fields = m.get('FIELDS');
      if (fields !== undefined) t.fieldsList = unquoteList(fields);
      const filename = m.get('filename');
      if (filename !== undefined) {
        t.lookupFile = path.basename(filename);
        if (!this.tables.has(t.lookupFile)) this.problems.push(`${where} filename ${filename} is not in lookups/`);
      }
    } catch (e) {
      this.problems.push(`${where}: ${(e as Error).message}`);
    }
    this.transforms.set(name, t);
  }

  private pipelineFor(meta: EventMeta): Pipeline {
    const key = `${meta.sourcetype}\u0000${meta.source ?? ''}\u0000${meta.host ?? ''}`;
    const cached = this.pipelines.get(key);
    if (cached) return cached;
    const { sourcetype, settings } = resolveSettings(this.props, meta);
    const where = `props.conf for sourcetype=${sourcetype}${meta.source ? ` source=${meta.source}` : ''}`;
    const p: Pipeline = {
      sourcetype,
      timestamp: { TIME_PREFIX: settings.get('TIME_PREFIX'), TIME_FORMAT: settings.get('TIME_FORMAT'), MAX_TIMESTAMP_LOOKAHEAD: settings.get('MAX_TIMESTAMP_LOOKAHEAD'), TZ: settings.get('TZ') },
      truncate: Number(settings.get('TRUNCATE') ?? 10000),
      extracts: [],
      reports: [],
      kvMode: (settings.get('KV_MODE') ?? 'auto').trim().toLowerCase(),
      autoKvJson: bool(settings.get('AUTO_KV_JSON'), true),
      aliases: [],
      evals: [],
      lookups: [],
    };
    const byClass = (prefix: string) =>
      [...settings.entries()]
        .filter(([k]) => k.toUpperCase().startsWith(prefix))
        .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    const problem = (msg: string) => {
      const full = `${where}: ${msg}`;
      if (!this.problems.includes(full)) this.problems.push(full);
    };
    try {
      if (p.timestamp.TIME_PREFIX) compilePcre(p.timestamp.TIME_PREFIX);
      if (p.timestamp.TIME_FORMAT) {
        const bad = unsupportedTimeVariables(p.timestamp.TIME_FORMAT);
        if (bad.length) problem(`TIME_FORMAT uses unsupported variables ${bad.join(' ')}`);
      }
      const lb = settings.get('LINE_BREAKER');
      if (lb !== undefined && compilePcre(lb).groupCount < 1) problem('LINE_BREAKER needs a capturing group');
    } catch (e) {
      problem((e as Error).message);
    }
    for (const [k, v] of byClass('EXTRACT-')) {
      try {
        const { regex, inField } = splitExtract(v);
        const re = compilePcre(regex, { m: true, s: true });
        if (!re.groupNames.some((n) => n)) problem(`${k} has no named capturing group`);
        p.extracts.push({ cls: k, re, inField });
      } catch (e) {
        problem(`${k}: ${(e as Error).message}`);
      }
    }
    for (const [k, v] of byClass('REPORT-')) {
      for (const name of v.split(',').map((x) => x.trim()).filter(Boolean)) {
        const t = this.transforms.get(name);
        if (!t) problem(`${k} refers to missing transforms.conf stanza [${name}]`);
        else p.reports.push(t);
      }
    }
    if (!['none', 'auto', 'auto_escaped', 'json'].includes(p.kvMode)) problem(`KV_MODE=${p.kvMode} is not supported by the evaluator`);
    for (const [k, v] of byClass('FIELDALIAS-')) {
      const toks = v.trim().split(/\s+/);
      if (toks.length % 3 !== 0) problem(`${k} is not a list of "<field> AS|ASNEW <alias>"`);
      for (let i = 0; i + 2 < toks.length; i += 3) {
        const op = toks[i + 1].toUpperCase();
        if (op !== 'AS' && op !== 'ASNEW') problem(`${k}: expected AS or ASNEW, got ${toks[i + 1]}`);
        p.aliases.push({ from: toks[i].replace(/^"|"$/g, ''), to: toks[i + 2].replace(/^"|"$/g, ''), asNew: op === 'ASNEW' });
      }
    }
    for (const [k, v] of byClass('EVAL-')) {
      try {
        p.evals.push({ field: k.slice(5), expr: parseEval(v) });
      } catch (e) {
        problem(`${k}: ${(e as Error).message}`);
      }
    }
    for (const [k, v] of byClass('LOOKUP')) {
      const toks = v.trim().split(/\s+/);
      const table = toks.shift() ?? '';
      const t = this.transforms.get(table);
      if (!t || !t.lookupFile) {
        problem(`${k} refers to ${table}, which is not a lookup stanza with filename in transforms.conf`);
        continue;
      }
      const lk: Lookup = { cls: k, table, match: [], mode: 'OUTPUT' };
      let target = lk.match;
      for (let i = 0; i < toks.length; i++) {
        const w = toks[i];
        if (w.toUpperCase() === 'OUTPUT' || w.toUpperCase() === 'OUTPUTNEW') {
          lk.mode = w.toUpperCase() as Lookup['mode'];
          lk.outputs = [];
          target = lk.outputs;
          continue;
        }
        if (toks[i + 1]?.toUpperCase() === 'AS') {
          target.push({ lookupField: w, eventField: toks[i + 2] });
          i += 2;
        } else target.push({ lookupField: w, eventField: w });
      }
      const header = this.tables.get(t.lookupFile)?.header ?? [];
      for (const f of [...lk.match, ...(lk.outputs ?? [])]) if (!header.includes(f.lookupField)) problem(`${k}: ${t.lookupFile} has no column ${f.lookupField}`);
      p.lookups.push(lk);
    }
    this.pipelines.set(key, p);
    return p;
  }

  /** Throws KnowledgeError when anything failed to compile. */
  assertValid(): this {
    if (this.problems.length) throw new KnowledgeError(this.problems);
    return this;
  }

  hasSourcetype(st: string): boolean {
    return this.sourcetypes().includes(st);
  }

  /** TRUNCATE for the event's settings (0 = unlimited), applied by UTF-8 byte length. */
  truncate(raw: string, meta: EventMeta): string {
    const limit = this.pipelineFor(meta).truncate;
    if (!limit || Buffer.byteLength(raw) <= limit) return raw;
    let out = Buffer.from(raw).subarray(0, limit).toString('utf8');
    if (out.endsWith('\uFFFD')) out = out.slice(0, -1);
    return out;
  }

  evaluate(rawIn: string, meta: EventMeta): EvaluatedEvent {
    const p = this.pipelineFor(meta);
    const raw = this.truncate(rawIn, meta);
    const cost = newCost();
    if (p.timestamp.TIME_PREFIX) cost.regexEvaluations++;
    const time = extractTimestamp(raw, p.timestamp);
    const fields: Fields = new Map();
    fields.set('sourcetype', [p.sourcetype]);
    if (meta.source !== undefined) fields.set('source', [meta.source]);
    if (meta.host !== undefined) fields.set('host', [meta.host]);
    const get = (name: string): string[] | undefined => (name === '_raw' ? [raw] : fields.get(name));

    const add = (name: string, value: string, mvAdd: boolean, keepEmpty: boolean) => {
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
        const m = execOnce(x.re, subject, DEFAULT_REGEX_LIMITS.matchLimit);
        if (!m) continue;
        x.re.groupNames.forEach((n, i) => {
          if (n && m.groups[i] !== undefined) add(n, m.groups[i]!, false, false);
        });
        break;
      }
    }
    // 2. REPORT-.
    for (const t of p.reports) cost.regexEvaluations += this.applyReport(t, get, add);
    // 3. KV_MODE.
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
    for (const lk of p.lookups) this.applyLookup(lk, fields);
    // 7. eventtypes (an eventtype may refer to another, so iterate until stable), then tags.
    let eventtype: string[] = [];
    const lower = new Map<string, string[]>();
    const lowered = (f: string) => {
      let v = lower.get(f);
      if (!v) lower.set(f, (v = (fields.get(f) ?? []).map((x) => x.toLowerCase())));
      return v;
    };
    const found = new Set(this.unindexedEventtypes);
    for (const [field, byValue] of this.eventtypeIndex) for (const v of lowered(field)) for (const e of byValue.get(v) ?? []) found.add(e);
    const candidates = [...found].filter((e) => e.prefilter.every(([f, set]) => f === 'eventtype' || f === 'tag' || lowered(f).some((v) => set.has(v))));
    for (let round = 0; round < 3; round++) {
      const target = { raw, get: (n: string) => (n === 'eventtype' ? eventtype : n === '_raw' ? [raw] : fields.get(n)) };
      const next = candidates.filter((e) => matchSearch(e.search, target)).map((e) => e.name).sort();
      if (next.join('\n') === eventtype.join('\n')) break;
      eventtype = next;
    }
    const tag = new Set<string>();
    for (const [field, byValue] of this.tags) {
      const vals = field === 'eventtype' ? eventtype : fields.get(field);
      for (const v of vals ?? []) for (const t of byValue.get(v) ?? []) tag.add(t);
    }
    return { time, sourcetype: p.sourcetype, fields, eventtype, tag: [...tag].sort(), cost };
  }

  /** Applies one REPORT transform; returns how many regex executions it took (each match attempt). */
  private applyReport(t: Transform, get: (n: string) => string[] | undefined, add: (n: string, v: string, mv: boolean, keep: boolean) => void): number {
    const subjects = get(t.sourceKey) ?? [];
    let runs = 0;
    for (const subject of subjects) {
      if (t.regex) {
        const matches = t.dynamicKeys ? execAll(t.regex, subject, t.matchLimit) : [execOnce(t.regex, subject, t.matchLimit)].filter((m) => m !== undefined);
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

  private applyLookup(lk: Lookup, fields: Fields): void {
    const t = this.transforms.get(lk.table)!;
    const table = this.tables.get(t.lookupFile!);
    if (!table) return;
    const col = (name: string) => table.header.indexOf(name);
    const inputs = lk.match.map((m) => fields.get(m.eventField));
    if (inputs.some((v) => !v || v.length === 0)) return;
    const eq = (a: string, b: string) => (t.caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase());
    const norm = (v: string) => (t.caseSensitive ? v : v.toLowerCase());
    // Index the table on the first match field once; the rest are checked row by row.
    const first = lk.match[0].lookupField;
    const key = `${t.lookupFile}\u0000${first}\u0000${t.caseSensitive}`;
    let index = this.lookupIndex.get(key);
    if (!index) {
      index = new Map();
      const c = col(first);
      for (const r of table.rows) {
        const k = norm(r[c] ?? '');
        index.set(k, [...(index.get(k) ?? []), r]);
      }
      this.lookupIndex.set(key, index);
    }
    const rows = [...new Set(inputs[0]!.flatMap((v) => index!.get(norm(v)) ?? []))];
    const hits = rows
      .filter((r) => lk.match.every((m, i) => inputs[i]!.some((v) => eq(r[col(m.lookupField)] ?? '', v))))
      .slice(0, t.maxMatches);
    const outputs =
      lk.outputs ??
      table.header.filter((h) => !lk.match.some((m) => m.lookupField === h)).map((h) => ({ lookupField: h, eventField: h }));
    for (const o of outputs) {
      if (lk.mode === 'OUTPUTNEW' && fields.has(o.eventField)) continue;
      const vals = [...new Set(hits.map((r) => r[col(o.lookupField)] ?? '').filter((v) => v !== ''))];
      if (vals.length) fields.set(o.eventField, vals);
      else if (lk.mode === 'OUTPUT') fields.delete(o.eventField);
    }
  }
}

/** `EXTRACT-x = <regex> in <field>`: the trailing ` in <field>` names the source field. */
export function splitExtract(v: string): { regex: string; inField?: string } {
  const m = /^([\s\S]*\S)\s+in\s+([A-Za-z0-9_]+)$/.exec(v.trim());
  return m ? { regex: m[1], inField: m[2] } : { regex: v.trim() };
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

export { parseTime };
