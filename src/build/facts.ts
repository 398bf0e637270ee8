/**
 * `npm run facts -- <splunk-folder>`: derives the Splunk facts that lint, tests and stand-ins need
 * (names, patterns, numbers, booleans; never prose) from Splunk's own artefacts into compact JSON
 * tables under src/facts/, so a clone of the repository needs nothing beside it.
 *
 *   npm run facts -- ../shared/splunk/10.2.3            regenerate every table
 *   npm run facts -- --check ../shared/splunk/10.2.3    exit 1 naming each table that drifted
 *
 * The CIM models and SDK modinput fixtures are found beside the spec folder (../cim-models,
 * ../modinput-fixtures) and the reference/seed files two levels up (../../reference, ../../seeds);
 * --cim, --fixtures, --reference and --seeds name them explicitly. The vendors' own tables (their
 * modules' `facts` hooks, read from the reference and seed folders) go to src/sources/<name>/facts/.
 */
import * as fs from 'fs';
import * as path from 'path';
import { SaxesParser } from 'saxes';
import { ConfFile, parseConf } from '../core/conf/parse';
import { decodeXmlBytes } from '../core/protocol';
import type { SourceModule } from '../core/source-module';
import { SOURCE_MODULES } from '../sources';
import { parseSpec } from './lint/spec';

export const FACTS_DIR = path.resolve(__dirname, '..', 'facts');
export const SOURCES_DIR = path.resolve(__dirname, '..', 'sources');

/** Where the tables go: Splunk's in `facts`, a vendor's in `<sources>/<name>/facts/`. */
export interface FactsOut {
  facts: string;
  sources: string;
}
const SCRIPT = 'src/build/facts.ts';

export interface FactsSources {
  splunk: string;
  cim: string;
  fixtures: string;
  reference: string;
  seeds: string;
}

type Json = null | boolean | number | string | Json[] | { [k: string]: Json };

/** Objects with sorted keys, arrays in source order, so a regeneration diffs only on real change. */
function canonical(v: unknown): Json {
  if (Array.isArray(v)) return v.map(canonical);
  if (v && typeof v === 'object') {
    const out: { [k: string]: Json } = {};
    for (const k of Object.keys(v).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = canonical(x);
    }
    return out;
  }
  return v as Json;
}

function readConf(dir: string, file: string, strict = true): ConfFile {
  const c = parseConf(fs.readFileSync(path.join(dir, file), 'utf8'), file);
  // The lint and evaluator trust this parser on Splunk's files; a stray line means it misreads them.
  if (strict && c.errors.length) throw new Error(`${file}: ${c.errors.length} line(s) our conf parser cannot read, first at line ${c.errors[0].line}`);
  return c;
}

/** The last value of each key per stanza, merging repeated stanzas as splunkd does. */
function confValues(c: ConfFile): Record<string, Record<string, string>> {
  const out: Record<string, Record<string, string>> = {};
  for (const s of c.stanzas) {
    const st = (out[s.name] ??= {});
    for (const e of s.entries) st[e.key] = e.value;
  }
  return out;
}

/** A value worth keeping as a fact: a number, a boolean or a short token, never a sentence. */
function scalar(v: string): number | boolean | string | undefined {
  const t = v.trim();
  if (/^-?\d+(\.\d+)?$/.test(t)) return Number(t);
  if (/^(true|false)$/i.test(t)) return t.toLowerCase() === 'true';
  if (/^[\w.:/*+-]{1,64}$/.test(t)) return t;
  return undefined;
}

// ---- conf specs --------------------------------------------------------------------------

function specsTable(dir: string) {
  const confs: Record<string, unknown> = {};
  // Every .spec, not only *.conf.spec: default.meta.spec governs metadata/default.meta.
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.spec')).sort()) {
    const conf = f.slice(0, -'.spec'.length);
    const spec = parseSpec(fs.readFileSync(path.join(dir, f), 'utf8'), f, conf);
    confs[conf] = {
      global: spec.global.map((s) => s.name),
      stanzas: spec.stanzas.map((s) => ({ header: s.header, settings: s.settings.map((x) => x.name) })),
    };
  }
  return { confs };
}

/** Documented defaults (`* Default: <number|boolean>`) of each setting, per stanza header. */
function specDefaults(text: string): Record<string, Record<string, number | boolean>> {
  const out: Record<string, Record<string, number | boolean>> = {};
  let stanza = 'default';
  let setting: string | undefined;
  for (const line of text.split(/\r?\n/)) {
    const h = /^\[(.+)\]/.exec(line);
    if (h) {
      stanza = h[1].trim();
      setting = undefined;
      continue;
    }
    const s = /^([A-Za-z0-9_.<>\-:*]+)\s*=/.exec(line);
    if (s) {
      setting = s[1];
      continue;
    }
    const d = /^\*\s*Defaults?:\s*(-?\d+(?:\.\d+)?|true|false)\s*\.?\s*$/i.exec(line);
    if (d && setting) {
      const v = scalar(d[1]);
      if (typeof v === 'number' || typeof v === 'boolean') (out[stanza] ??= {})[setting] ??= v;
    }
  }
  return out;
}

/** Keys (not values) of every shipped default conf that has a spec, for linting Splunk's own files. */
function shippedConfsTable(dir: string) {
  const confs: Record<string, Record<string, string[]>> = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.conf')).sort()) {
    // searchbnf.conf is grammar with prose continuations; sourcetypes.conf a trained model whose keys are tokens.
    if (f === 'searchbnf.conf' || f === 'sourcetypes.conf' || !fs.existsSync(path.join(dir, `${f}.spec`))) continue;
    const out: Record<string, Set<string>> = {};
    for (const s of readConf(dir, f).stanzas) {
      const keys = (out[s.name] ??= new Set());
      for (const e of s.entries) keys.add(e.key);
    }
    confs[f] = Object.fromEntries(Object.entries(out).map(([k, v]) => [k, [...v].sort()]));
  }
  return { confs };
}

// ---- searchbnf and SPL docs ----------------------------------------------------------------

function searchbnfTable(dir: string) {
  const commands: Record<string, { aliases?: string[]; usage?: string; category?: string }> = {};
  // Not strict: searchbnf's descriptions run on in continuation lines that are not settings.
  for (const s of readConf(dir, 'searchbnf.conf', false).stanzas) {
    const m = /^(.+)-command$/.exec(s.name);
    if (!m) continue;
    const get = (k: string) => s.entries.filter((e) => e.key === k).pop()?.value.trim();
    const aliases = (get('alias') ?? '').split(',').map((a) => a.trim().toLowerCase()).filter(Boolean);
    const usage = get('usage');
    const category = get('category');
    commands[m[1].toLowerCase()] = {
      aliases: aliases.length ? aliases : undefined,
      usage: usage && scalar(usage.replace(/\s+/g, '_')) !== undefined ? usage : undefined,
      category: category && /^[\w:, -]{1,80}$/.test(category) ? category : undefined,
    };
  }
  return { commands };
}

/** Function names (first column of the docs' tables) and where each may be used; no descriptions. */
function splFunctionsTable(dir: string) {
  const spl = path.join(dir, 'spl');
  const evalFns: Record<string, { category: string; usableWith: string[]; aliasOf?: string }> = {};
  const statsFns: Record<string, { category: string; aliasOf?: string }> = {};
  for (const f of fs.readdirSync(spl).filter((n) => /^(eval|stat)-.*\.md$/.test(n)).sort()) {
    const category = f.replace(/\.md$/, '');
    const text = fs.readFileSync(path.join(spl, f), 'utf8');
    const header = text.split('\n').find((l) => l.startsWith('| Function'));
    const cols = header ? header.split('|').map((c) => c.trim()) : [];
    const usableIdx = cols.indexOf('Usable With');
    for (const line of text.split('\n')) {
      const m = /^\|\s*`([A-Za-z_][\w.]*)`\s*\|/.exec(line);
      if (!m) continue;
      const cells = line.split('|').map((c) => c.trim());
      // The syntax column names short forms too: `ceiling(<num>) or ceil(<num>)`, `count(<value>) or c(<value>)`.
      const names = [m[1], ...[...(cells[2] ?? '').matchAll(/(?:^|\bor\s+)`?([A-Za-z_]\w*)\(/g)].map((x) => x[1])];
      for (const name of new Set(names)) {
        const aliasOf = name === m[1] ? undefined : m[1];
        if (f.startsWith('eval-')) {
          const usable = usableIdx > 0 ? (cells[usableIdx] ?? '').split(',').map((x) => x.trim()).filter((x) => /^\w+$/.test(x)) : [];
          evalFns[name] ??= { category, usableWith: usable, aliasOf };
        } else statsFns[name] ??= { category, aliasOf };
      }
    }
  }
  const timeVars: string[] = [];
  for (const line of fs.readFileSync(path.join(spl, 'time-format-variables.md'), 'utf8').split('\n')) {
    // Single variables only; the docs' table of combined formats (%Y-%m-%d) is examples.
    const m = /^\|\s*(%(?:%|[A-Za-z+]|E[A-Za-z]|\d+[A-Za-z]|:z|::z))\s*\|/.exec(line);
    if (m && !timeVars.includes(m[1])) timeVars.push(m[1]);
  }
  return { eval: evalFns, stats: statsFns, timeFormatVariables: timeVars.sort() };
}

// ---- web.conf, limits, authorize -------------------------------------------------------------

function webExposeTable(dir: string) {
  const expose: Record<string, { pattern: string; methods: string[] }> = {};
  for (const [name, kv] of Object.entries(confValues(readConf(dir, 'web.conf')))) {
    const m = /^expose:(.+)$/.exec(name);
    if (!m || kv.pattern === undefined) continue;
    expose[m[1]] = {
      pattern: kv.pattern.trim(),
      methods: (kv.methods ?? 'GET').split(',').map((x) => x.trim().toUpperCase()).filter(Boolean),
    };
  }
  return { expose };
}

function scalars(kv: Record<string, string>): Record<string, number | boolean | string> {
  const out: Record<string, number | boolean | string> = {};
  for (const [k, v] of Object.entries(kv)) {
    const s = scalar(v);
    if (s !== undefined) out[k] = s;
  }
  return out;
}

/**
 * Shipped defaults (limits.conf in full, props.conf and transforms.conf `[default]`) and the
 * defaults the specs document, which apply where no shipped conf sets the key.
 */
function defaultsTable(dir: string) {
  const limits = Object.fromEntries(Object.entries(confValues(readConf(dir, 'limits.conf'))).map(([s, kv]) => [s, scalars(kv)]));
  const props = scalars(confValues(readConf(dir, 'props.conf')).default ?? {});
  const transforms = scalars(confValues(readConf(dir, 'transforms.conf')).default ?? {});
  const specs: Record<string, unknown> = {};
  for (const conf of ['limits.conf', 'props.conf', 'transforms.conf']) {
    specs[conf] = specDefaults(fs.readFileSync(path.join(dir, `${conf}.spec`), 'utf8'));
  }
  return { shipped: { 'limits.conf': limits, 'props.conf': { default: props }, 'transforms.conf': { default: transforms } }, spec: specs };
}

function authorizeTable(dir: string) {
  const roles: Record<string, unknown> = {};
  const capabilities: string[] = [];
  const stanzas = confValues(readConf(dir, 'authorize.conf'));
  for (const [name, kv] of Object.entries(stanzas)) {
    const cap = /^capability::(.+)$/.exec(name);
    if (cap) {
      capabilities.push(cap[1]);
      continue;
    }
    const role = /^role_(.+)$/.exec(name);
    if (!role) continue;
    const list = (k: string) => (kv[k] === undefined ? undefined : kv[k].split(';').map((x) => x.trim()).filter(Boolean));
    const settings: Record<string, number | boolean | string> = {};
    const caps: string[] = [];
    const denied: string[] = [];
    for (const [k, v] of Object.entries(kv)) {
      if (['importRoles', 'srchIndexesAllowed', 'srchIndexesDefault', 'srchIndexesDisallowed', 'deleteIndexesAllowed', 'grantableRoles'].includes(k)) continue;
      if (/^(enabled|disabled)$/.test(v.trim())) (v.trim() === 'enabled' ? caps : denied).push(k);
      else {
        const s = scalar(v);
        if (s !== undefined) settings[k] = s;
      }
    }
    roles[role[1]] = {
      capabilities: caps.sort(),
      disabledCapabilities: denied.length ? denied.sort() : undefined,
      importRoles: list('importRoles'),
      srchIndexesAllowed: list('srchIndexesAllowed'),
      srchIndexesDefault: list('srchIndexesDefault'),
      srchIndexesDisallowed: list('srchIndexesDisallowed'),
      deleteIndexesAllowed: list('deleteIndexesAllowed'),
      grantableRoles: list('grantableRoles'),
      settings,
    };
  }
  // [default] settings (job quotas and the like) apply to every role that does not set its own.
  return { roles, capabilities: capabilities.sort(), roleDefaults: scalars(stanzas.default ?? {}) };
}

// ---- CIM, fixtures, references ---------------------------------------------------------------

interface CimFieldIn { name: string; type?: string; multi_value?: boolean; expected_values?: string[]; condition?: string; validity?: string }
interface CimObjectIn { name: string; tags?: string[][]; search_constraints?: string; fields?: CimFieldIn[]; child_dataset?: CimObjectIn[] }

function cimDataset(o: CimObjectIn): unknown {
  return {
    name: o.name,
    tags: o.tags ?? [],
    constraints: o.search_constraints ?? '',
    fields: (o.fields ?? []).map((f) => ({
      name: f.name,
      type: f.type ?? 'optional',
      multiValue: f.multi_value || undefined,
      expectedValues: f.expected_values,
      condition: f.condition,
      validity: f.validity,
    })),
    children: (o.child_dataset ?? []).map(cimDataset),
  };
}

function cimTable(dir: string) {
  const models: Record<string, unknown> = {};
  let commonFields: unknown[] = [];
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.json')).sort()) {
    const m = JSON.parse(fs.readFileSync(path.join(dir, f), 'utf8')) as { model_name?: string; version?: string; objects?: CimObjectIn[]; fields?: CimFieldIn[] };
    // CommonFields.json is not a model: the fields every model shares, with no dataset around them.
    if (!m.objects) commonFields = (cimDataset({ name: 'CommonFields', fields: m.fields ?? [] }) as { fields: unknown[] }).fields;
    else models[m.model_name ?? f.replace(/\.json$/, '')] = { version: m.version, datasets: m.objects.map(cimDataset) };
  }
  return { models, commonFields };
}

export interface FactXmlNode {
  name: string;
  attributes: Record<string, string>;
  text: string;
  /** Elements in order; a comment is `{ "comment": true }` (kept so readers see one, its words are not). */
  children: (FactXmlNode | { comment: true })[];
}

/** The element tree of an XML document as saxes reads it; comments kept as markers only. */
export function xmlTree(xml: string): FactXmlNode {
  const parser = new SaxesParser();
  const stack: FactXmlNode[] = [];
  let root: FactXmlNode | undefined;
  parser.on('opentag', (tag) => {
    const node: FactXmlNode = { name: tag.name, attributes: Object.fromEntries(Object.entries(tag.attributes).map(([k, v]) => [k, String(v)])), text: '', children: [] };
    if (stack.length) stack[stack.length - 1].children.push(node);
    else root = node;
    stack.push(node);
  });
  const onText = (t: string) => {
    if (stack.length) stack[stack.length - 1].text += t;
  };
  parser.on('text', onText);
  parser.on('cdata', onText);
  parser.on('comment', () => {
    if (stack.length) stack[stack.length - 1].children.push({ comment: true });
  });
  parser.on('closetag', () => stack.pop());
  parser.write(xml).close();
  if (!root) throw new Error('no root element');
  return root;
}

function fixturesTable(dir: string) {
  const fixtures: Record<string, unknown> = {};
  for (const f of fs.readdirSync(dir).filter((n) => n.endsWith('.xml')).sort()) {
    const bytes = fs.readFileSync(path.join(dir, f));
    const encoding = bytes[0] === 0xfe && bytes[1] === 0xff ? 'utf-16be' : bytes[0] === 0xff && bytes[1] === 0xfe ? 'utf-16le' : 'utf-8';
    const bom = encoding !== 'utf-8' || (bytes[0] === 0xef && bytes[1] === 0xbb && bytes[2] === 0xbf);
    const text = decodeXmlBytes(bytes);
    const decl = /^<\?xml[^>]*\?>/.exec(text);
    fixtures[f] = { encoding, bom, declaration: decl ? decl[0] : undefined, root: xmlTree(text.replace(/^<\?xml[^>]*\?>/, '')) };
  }
  return { fixtures };
}

// ---- driver ----------------------------------------------------------------------------------

type Table = { file: string; from: keyof FactsSources; build: (dir: string) => unknown };

export const TABLES: readonly Table[] = [
  { file: 'conf-specs.json', from: 'splunk', build: specsTable },
  { file: 'shipped-confs.json', from: 'splunk', build: shippedConfsTable },
  { file: 'searchbnf.json', from: 'splunk', build: searchbnfTable },
  { file: 'spl-functions.json', from: 'splunk', build: splFunctionsTable },
  { file: 'web-expose.json', from: 'splunk', build: webExposeTable },
  { file: 'defaults.json', from: 'splunk', build: defaultsTable },
  { file: 'authorize.json', from: 'splunk', build: authorizeTable },
  { file: 'cim-models.json', from: 'cim', build: cimTable },
  { file: 'modinput-fixtures.json', from: 'fixtures', build: fixturesTable },
];

/** One line per entry of each top-level object, so a diff of a regeneration shows what changed. */
function render(body: Record<string, Json>): string {
  const top = Object.entries(body).map(([k, v]) => {
    if (!v || typeof v !== 'object' || Array.isArray(v) || Object.keys(v).length === 0) return `${JSON.stringify(k)}:${JSON.stringify(v)}`;
    const lines = Object.entries(v).map(([k2, v2]) => `${JSON.stringify(k2)}:${JSON.stringify(v2)}`);
    return `${JSON.stringify(k)}:{\n${lines.join(',\n')}\n}`;
  });
  return `{\n${top.join(',\n')}\n}\n`;
}

/** Every table as the exact text to commit, by the file it goes to. */
export async function renderFacts(src: FactsSources, out: FactsOut, modules: readonly SourceModule[] = SOURCE_MODULES): Promise<Map<string, string>> {
  const version = path.basename(path.resolve(src.splunk));
  const tables: { path: string; from: keyof FactsSources; build: (dir: string) => unknown }[] = TABLES.map((t) => ({ ...t, path: path.join(out.facts, t.file) }));
  for (const m of modules) {
    for (const t of (await m.facts?.()) ?? []) tables.push({ ...t, path: path.join(out.sources, m.name, 'facts', t.file) });
  }
  const rendered = new Map<string, string>();
  for (const t of tables) {
    const from = path.basename(path.resolve(src[t.from]));
    const body = canonical({ _generated: { by: SCRIPT, splunk: version, from }, ...(t.build(src[t.from]) as object) });
    rendered.set(t.path, render(body as Record<string, Json>));
  }
  return rendered;
}

export function parseArgs(argv: readonly string[]): { check: boolean; sources: FactsSources } {
  let check = false;
  let splunk: string | undefined;
  const named: Partial<FactsSources> = {};
  for (let i = 0; i < argv.length; i++) {
    const a = argv[i];
    const flag = /^--(cim|fixtures|reference|seeds)(?:=(.*))?$/.exec(a);
    if (a === '--check') check = true;
    else if (flag) named[flag[1] as keyof FactsSources] = flag[2] ?? argv[++i];
    else if (a.startsWith('-')) throw new Error(`unknown option ${a}`);
    else if (!splunk) splunk = a;
    else throw new Error(`one Splunk folder expected, got also ${a}`);
  }
  if (!splunk) throw new Error('name the Splunk spec folder, e.g. npm run facts -- ../shared/splunk/10.2.3');
  const root = path.resolve(splunk);
  const sources: FactsSources = {
    splunk: root,
    cim: path.resolve(named.cim ?? path.join(root, '..', 'cim-models')),
    fixtures: path.resolve(named.fixtures ?? path.join(root, '..', 'modinput-fixtures')),
    reference: path.resolve(named.reference ?? path.join(root, '..', '..', 'reference')),
    seeds: path.resolve(named.seeds ?? path.join(root, '..', '..', 'seeds')),
  };
  for (const [k, dir] of Object.entries(sources)) {
    if (!fs.existsSync(dir)) throw new Error(`${k} folder not found: ${dir} (pass --${k === 'splunk' ? '' : k} <folder>)`);
  }
  return { check, sources };
}

/** The CLI; `out` is where the tables live (src/facts/ and src/sources/ unless a test says otherwise). */
export async function main(argv: readonly string[], out: FactsOut = { facts: FACTS_DIR, sources: SOURCES_DIR }, modules: readonly SourceModule[] = SOURCE_MODULES): Promise<number> {
  if (argv.includes('--help') || argv.includes('-h')) {
    console.log('usage: npm run facts -- [--check] <splunk-spec-folder> [--cim DIR] [--fixtures DIR] [--reference DIR] [--seeds DIR]');
    return 0;
  }
  const { check, sources } = parseArgs(argv);
  const tables = await renderFacts(sources, out, modules);
  const rel = (f: string) => path.relative(process.cwd(), f) || '.';
  if (check) {
    const drifted = [...tables].filter(([file, text]) => !fs.existsSync(file) || fs.readFileSync(file, 'utf8') !== text);
    for (const [file] of drifted) console.error(`facts: ${rel(file)} differs from what ${path.basename(sources.splunk)} gives; run npm run facts -- ${path.relative(process.cwd(), sources.splunk)}`);
    if (drifted.length) return 1;
    console.log(`facts: ${tables.size} tables match ${sources.splunk}`);
    return 0;
  }
  for (const [file, text] of tables) {
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, text);
  }
  const dirs = [...new Set([...tables.keys()].map((f) => `${rel(path.dirname(f))}/`))];
  console.log(`facts: wrote ${tables.size} tables to ${dirs.join(', ')} (${[...tables.values()].reduce((n, t) => n + t.length, 0)} bytes)`);
  return 0;
}

if (require.main === module) {
  main(process.argv.slice(2)).then(
    (code) => (process.exitCode = code),
    (e: unknown) => {
      console.error(`facts: ${(e as Error).message}`);
      process.exitCode = 1;
    },
  );
}
