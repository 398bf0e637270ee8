/**
 * Compile: parsed knowledge files into what evaluate.ts runs — transforms (REGEX/FORMAT/DELIMS,
 * lookup definitions), lookup tables, eventtype searches with an index on the field values they
 * require, tags, and per sourcetype a Pipeline (props.conf settings in evaluation order). Every
 * mistake becomes a problem naming the file and stanza, so it surfaces at load, not as a
 * silently missing field.
 */
import * as path from 'node:path';
import { AppFiles, confBool, settingsOf } from './conf-load';
import { EvalExpr, parseEval } from './eval';
import { DEFAULT_REGEX_LIMITS, RegexLimits } from './limits';
import { compileLookup, Lookup, LookupDefinition, LookupTable } from './lookups';
import { PropsStanza, readPropsStanzas } from './props';
import { CompiledRegex, compilePcre, withLimitModel } from './regex';
import { parseSearch, requiredValues, SearchNode } from './search';
import { TimestampSettings, unsupportedTimeVariables } from './time';

/** A transforms.conf stanza: a REPORT- extraction, a lookup definition, or both. */
export interface Transform extends LookupDefinition {
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
  /** transforms.conf MATCH_LIMIT / DEPTH_LIMIT (defaults from Splunk's shipped transforms.conf). */
  limits: RegexLimits;
}

export interface Eventtype {
  name: string;
  search: SearchNode;
  /** Field values the search requires (lower-cased), so most events skip it without matching. */
  prefilter: [string, Set<string>][];
}

export interface Eventtypes {
  all: Eventtype[];
  /** By one required field value (lower-cased), so an event only tries its few candidates. */
  index: Map<string, Map<string, Eventtype[]>>;
  /** Those that require no field value: every event tries them. */
  unindexed: Eventtype[];
}

/** The search-time work for one resolved set of props.conf settings, in evaluation order. */
export interface Pipeline {
  sourcetype: string;
  timestamp: TimestampSettings;
  /** TIME_PREFIX compiled once for this pipeline; undefined when unset or not compilable. */
  timePrefix?: CompiledRegex;
  truncate: number;
  extracts: { cls: string; re: CompiledRegex; inField?: string }[];
  reports: Transform[];
  kvMode: string;
  autoKvJson: boolean;
  aliases: { from: string; to: string; asNew: boolean }[];
  evals: { field: string; expr: EvalExpr }[];
  lookups: Lookup[];
}

/** Everything of an app that does not depend on the event's sourcetype, source or host. */
export interface CompiledApp {
  props: PropsStanza[];
  transforms: Map<string, Transform>;
  tables: Map<string, LookupTable>;
  /** KV store lookups by transform name: the collection's records through its fields_list (absent without data). */
  kvTables: Map<string, LookupTable>;
  /** collections.conf stanzas: collection → settings. */
  collections: Map<string, Map<string, string>>;
  eventtypes: Eventtypes;
  /** field → value → tags enabled for that field=value. */
  tags: Map<string, Map<string, string[]>>;
  problems: string[];
}

export function compileApp(files: AppFiles): CompiledApp {
  const problems: string[] = [];
  const tables = new Map<string, LookupTable>();
  for (const [name, text] of files.lookups ?? []) {
    const table = LookupTable.fromCsv(text);
    if (table) tables.set(name, table);
  }
  const collections = new Map((files.collections?.stanzas ?? []).map((s) => [s.name, settingsOf(s)] as const));
  const transforms = new Map<string, Transform>();
  for (const s of files.transforms?.stanzas ?? []) transforms.set(s.name, compileTransform(s.name, settingsOf(s), tables, collections, problems));
  const kvTables = new Map<string, LookupTable>();
  for (const t of transforms.values()) {
    const records = t.kvCollection && t.kvFields ? files.kv?.get(t.kvCollection) : undefined;
    if (records) kvTables.set(t.name, LookupTable.fromKv(t.kvFields!, records));
  }
  const eventtypes = compileEventtypes(files, problems);
  return { props: readPropsStanzas(...(files.props ? [files.props] : [])), transforms, tables, kvTables, collections, eventtypes, tags: compileTags(files), problems };
}

/** Lookup settings the evaluator does not model: refused at load rather than silently ignored. */
const UNMODELLED_LOOKUP_SETTINGS = ['time_field', 'filter', 'external_cmd', 'min_matches', 'default_match'];

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

function compileTransform(name: string, m: Map<string, string>, tables: Map<string, LookupTable>, collections: CompiledApp['collections'], problems: string[]): Transform {
  const where = `transforms.conf [${name}]`;
  const t: Transform = {
    name,
    format: [],
    dynamicKeys: false,
    sourceKey: (m.get('SOURCE_KEY') ?? '_raw').replace(/^fields?:/, ''),
    mvAdd: confBool(m.get('MV_ADD'), false),
    cleanKeys: confBool(m.get('CLEAN_KEYS'), true),
    keepEmpty: confBool(m.get('KEEP_EMPTY_VALS'), false),
    caseSensitive: confBool(m.get('case_sensitive_match'), true),
    maxMatches: 100,
    limits: {
      matchLimit: Number(m.get('MATCH_LIMIT') ?? DEFAULT_REGEX_LIMITS.matchLimit) || DEFAULT_REGEX_LIMITS.matchLimit,
      depthLimit: Number(m.get('DEPTH_LIMIT') ?? DEFAULT_REGEX_LIMITS.depthLimit) || DEFAULT_REGEX_LIMITS.depthLimit,
    },
  };
  try {
    const regex = m.get('REGEX');
    if (regex !== undefined) {
      t.regex = withLimitModel(compilePcre(regex));
      if (t.regex.groupCount === 0) problems.push(`${where} REGEX has no capturing group`);
      if (t.regex.groupNames.some((n) => n?.startsWith('_KEY_'))) t.dynamicKeys = true;
    }
    const format = m.get('FORMAT');
    if (format) {
      for (const pair of format.trim().split(/\s+/)) {
        const i = pair.indexOf('::');
        if (i < 0) {
          problems.push(`${where} FORMAT item ${JSON.stringify(pair)} is not name::value`);
          continue;
        }
        const fieldName = pair.slice(0, i);
        const value = pair.slice(i + 2);
        for (const ref of `${fieldName} ${value}`.match(/\$\d+/g) ?? []) {
          if (Number(ref.slice(1)) > (t.regex?.groupCount ?? 0)) problems.push(`${where} FORMAT refers to ${ref} but REGEX has ${t.regex?.groupCount ?? 0} groups`);
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
      if (!tables.has(t.lookupFile)) problems.push(`${where} filename ${filename} is not in lookups/`);
    }
    const external = m.get('external_type')?.trim();
    if (external === 'kvstore') {
      // transforms.conf.spec: collection defaults to the stanza name and must be a collections.conf stanza.
      t.kvCollection = m.get('collection')?.trim() || name;
      if (!collections.has(t.kvCollection)) problems.push(`${where} collection ${t.kvCollection} is not declared in collections.conf`);
      const list = m.get('fields_list')?.split(/[\s,]+/).filter(Boolean);
      if (!list?.length) problems.push(`${where} external_type = kvstore needs fields_list, the collection's fields the lookup reads`);
      else t.kvFields = list;
      if (filename !== undefined) problems.push(`${where} has both filename and external_type = kvstore`);
    } else if (external !== undefined) {
      problems.push(`${where} external_type = ${external} is not supported by the evaluator`);
    }
    if (t.lookupFile || t.kvCollection) {
      const mm = m.get('max_matches');
      // transforms.conf.spec: range 1 - 1000, default 100 for lookups without time_field.
      if (mm !== undefined) {
        const n = Number(mm.trim());
        if (!Number.isInteger(n) || n < 1 || n > 1000) problems.push(`${where} max_matches = ${mm} is not an integer from 1 to 1000`);
        else t.maxMatches = n;
      }
      for (const k of UNMODELLED_LOOKUP_SETTINGS) if (m.has(k)) problems.push(`${where} ${k} is not supported by the evaluator`);
      const matchType = m.get('match_type');
      if (matchType !== undefined && /\b(?:WILDCARD|CIDR)\s*\(/i.test(matchType)) problems.push(`${where} match_type ${matchType} is not supported by the evaluator (exact matches only)`);
    }
  } catch (e) {
    problems.push(`${where}: ${(e as Error).message}`);
  }
  return t;
}

function compileEventtypes(files: AppFiles, problems: string[]): Eventtypes {
  const all: Eventtype[] = [];
  for (const s of files.eventtypes?.stanzas ?? []) {
    const m = settingsOf(s);
    const search = m.get('search');
    if (s.name === 'default' || search === undefined || confBool(m.get('disabled'), false)) continue;
    try {
      const node = parseSearch(search);
      all.push({ name: s.name, search: node, prefilter: [...requiredValues(node)] });
    } catch (e) {
      problems.push(`eventtypes.conf [${s.name}] search: ${(e as Error).message}`);
    }
  }
  const index: Eventtypes['index'] = new Map();
  const unindexed: Eventtype[] = [];
  for (const e of all) {
    const usable = e.prefilter.filter(([f]) => f !== 'eventtype' && f !== 'tag');
    if (!usable.length) {
      unindexed.push(e);
      continue;
    }
    // Index on the required field with the fewest values: the most selective.
    const [field, values] = usable.reduce((a, b) => (b[1].size < a[1].size ? b : a));
    let byValue = index.get(field);
    if (!byValue) index.set(field, (byValue = new Map()));
    for (const v of values) byValue.set(v, [...(byValue.get(v) ?? []), e]);
  }
  return { all, index, unindexed };
}

function compileTags(files: AppFiles): CompiledApp['tags'] {
  const tags: CompiledApp['tags'] = new Map();
  for (const s of files.tags?.stanzas ?? []) {
    const eq = s.name.indexOf('=');
    if (eq < 0) continue;
    const field = s.name.slice(0, eq);
    const value = decodeURIComponent(s.name.slice(eq + 1).replace(/^"|"$/g, ''));
    let byValue = tags.get(field);
    if (!byValue) tags.set(field, (byValue = new Map()));
    const enabled = s.entries.filter((e) => /^enabled$/i.test(e.value.trim())).map((e) => e.key);
    byValue.set(value, [...(byValue.get(value) ?? []), ...enabled]);
  }
  return tags;
}

/** `EXTRACT-x = <regex> in <field>`: the trailing ` in <field>` names the source field. */
export function splitExtract(v: string): { regex: string; inField?: string } {
  const m = /^([\s\S]*\S)\s+in\s+([A-Za-z0-9_]+)$/.exec(v.trim());
  return m ? { regex: m[1], inField: m[2] } : { regex: v.trim() };
}

/**
 * Compiles the merged props.conf `settings` that apply to an event (props.ts resolveSettings) into
 * a Pipeline; `where` names them in problems.
 */
export function compilePipeline(app: CompiledApp, sourcetype: string, settings: Map<string, string>, where: string): Pipeline {
  const p: Pipeline = {
    sourcetype,
    timestamp: { TIME_PREFIX: settings.get('TIME_PREFIX'), TIME_FORMAT: settings.get('TIME_FORMAT'), MAX_TIMESTAMP_LOOKAHEAD: settings.get('MAX_TIMESTAMP_LOOKAHEAD'), TZ: settings.get('TZ') },
    truncate: Number(settings.get('TRUNCATE') ?? 10000),
    extracts: [],
    reports: [],
    kvMode: (settings.get('KV_MODE') ?? 'auto').trim().toLowerCase(),
    autoKvJson: confBool(settings.get('AUTO_KV_JSON'), true),
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
    if (!app.problems.includes(full)) app.problems.push(full);
  };
  try {
    if (p.timestamp.TIME_PREFIX) p.timePrefix = compilePcre(p.timestamp.TIME_PREFIX);
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
      const re = withLimitModel(compilePcre(regex, { m: true, s: true }));
      if (!re.groupNames.some((n) => n)) problem(`${k} has no named capturing group`);
      p.extracts.push({ cls: k, re, inField });
    } catch (e) {
      problem(`${k}: ${(e as Error).message}`);
    }
  }
  for (const [k, v] of byClass('REPORT-')) {
    for (const name of v.split(',').map((x) => x.trim()).filter(Boolean)) {
      const t = app.transforms.get(name);
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
    const tableOf = (name: string, d: LookupDefinition) => (d.kvCollection ? app.kvTables.get(name) : d.lookupFile ? app.tables.get(d.lookupFile) : undefined);
    const lk = compileLookup(k, v, (name) => app.transforms.get(name), tableOf, problem);
    const c = lk?.definition.kvCollection;
    // collections.conf.spec replicate: a collection not replicated is not available on indexers,
    // where a distributed search applies automatic lookups.
    if (c && app.collections.has(c) && !confBool(app.collections.get(c)!.get('replicate'), false)) {
      problem(`${k} reads KV store collection ${c}, which collections.conf does not replicate (replicate = true): on the indexers of a distributed search the lookup is not available`);
    }
    if (lk) p.lookups.push(lk);
  }
  return p;
}
