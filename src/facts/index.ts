/**
 * Splunk facts, derived by `npm run facts -- <splunk folder>` (src/build/facts.ts) from Splunk
 * 10.2.3's own artefacts (specs, shipped default confs, searchbnf, SPL docs, CIM models, SDK
 * fixtures) and committed, so lint, tests and stand-ins need nothing beside the repository.
 *
 * Each table is loaded on first use with a static require, which works the same from tsx, jest and
 * an esbuild bundle. The loaders are marked pure so a bundle inlines only the tables its accessors
 * reach (one that calls searchTimeLimits() carries defaults.json, ~35 KB, not all ~650 KB).
 */

/** Loads a table on first use; the require stays static so esbuild can inline the JSON. */
function once<T>(load: () => unknown): () => T {
  let v: T | undefined;
  return () => (v ??= load() as T);
}

export interface Generated {
  by: string;
  splunk: string;
  from: string;
}

/** A table file: its header and one field of facts. */
type Table<K extends string, V> = { _generated: Generated } & Record<K, V>;

// ---- conf specs ------------------------------------------------------------------------------

export interface ConfSpecFacts {
  /** Setting name patterns before the first header (or in `[default]`). */
  global: string[];
  /** Stanza header patterns in spec order, each with its setting name patterns. */
  stanzas: { header: string; settings: string[] }[];
}

const confSpecs = /* @__PURE__ */ once<Table<'confs', Record<string, ConfSpecFacts>>>(() => require('./conf-specs.json'));

/** The Splunk version the tables were derived from, e.g. `10.2.3`. */
export function splunkVersion(): string {
  return confSpecs()._generated.splunk;
}

/** `inputs.conf` → its spec's names and patterns; undefined when Splunk ships no such spec. */
export function confSpec(conf: string): ConfSpecFacts | undefined {
  return Object.prototype.hasOwnProperty.call(confSpecs().confs, conf) ? confSpecs().confs[conf] : undefined;
}

/** Every file Splunk documents with a .spec: `props.conf`, `default.meta`, `setup.xml`… */
export function specConfs(): string[] {
  return Object.keys(confSpecs().confs);
}

// ---- Splunk's shipped default confs ------------------------------------------------------------

const shippedFacts = /* @__PURE__ */ once<Table<'confs', Record<string, Record<string, string[]>>>>(() => require('./shipped-confs.json'));
/**
 * Keys per stanza of each default conf Splunk ships that has a spec (except searchbnf.conf and
 * sourcetypes.conf): `{ 'limits.conf': { spath: ['extract_all', 'extraction_cutoff'], … } }`.
 */
export function shippedConfKeys(): Record<string, Record<string, string[]>> {
  return shippedFacts().confs;
}

// ---- SPL -------------------------------------------------------------------------------------

export interface SplCommandFacts {
  aliases?: string[];
  /** searchbnf `usage`: public, internal, deprecated… */
  usage?: string;
  category?: string;
}

const searchbnfFacts = /* @__PURE__ */ once<Table<'commands', Record<string, SplCommandFacts>>>(() => require('./searchbnf.json'));
/** searchbnf.conf `[<command>-command]` stanzas, keyed by lower-case command name. */
export function splCommands(): Record<string, SplCommandFacts> {
  return searchbnfFacts().commands;
}

/** Every command name and alias searchbnf declares (lower case). */
export function splCommandNames(): Set<string> {
  const out = new Set<string>();
  for (const [name, c] of Object.entries(splCommands())) {
    out.add(name);
    for (const a of c.aliases ?? []) out.add(a);
  }
  return out;
}

export interface SplFunctionFacts {
  /** The docs' file the function is listed in, e.g. `eval-text`. */
  category: string;
  /** For a short form the syntax column names (`ceil`, `c`, `dc`): the function it stands for. */
  aliasOf?: string;
}

interface SplFunctionsTable {
  _generated: Generated;
  eval: Record<string, SplFunctionFacts & { usableWith: string[] }>;
  stats: Record<string, SplFunctionFacts>;
  timeFormatVariables: string[];
}

const splFunctions = /* @__PURE__ */ once<SplFunctionsTable>(() => require('./spl-functions.json'));

/** Eval functions of the SPL reference, with the docs' category file and the commands that take them. */
export function evalFunctions(): Record<string, SplFunctionFacts & { usableWith: string[] }> {
  return splFunctions().eval;
}

/** Statistical and charting functions (stats, chart, timechart…). */
export function statsFunctions(): Record<string, SplFunctionFacts> {
  return splFunctions().stats;
}

/** strftime-style variables Splunk documents (`%Y`, `%3N`, `%Ez`…). */
export function timeFormatVariables(): string[] {
  return splFunctions().timeFormatVariables;
}

// ---- web.conf [expose:] ----------------------------------------------------------------------

export interface WebExpose {
  /**
   * splunkd path below /services (or /servicesNS/<user>/<app>) that Splunk Web forwards under
   * /splunkd/__raw; web.conf.spec: `*` is one path element, `**` any number, `elem-*` a prefix.
   */
  pattern: string;
  methods: string[];
}

const webExposeFacts = /* @__PURE__ */ once<Table<'expose', Record<string, WebExpose>>>(() => require('./web-expose.json'));
/** Splunk's shipped web.conf `[expose:<name>]` stanzas, keyed by `<name>`. */
export function webExposes(): Record<string, WebExpose> {
  return webExposeFacts().expose;
}

function elementsMatch(pat: string[], path: string[]): boolean {
  if (pat.length === 0) return path.length === 0;
  const [p, ...rest] = pat;
  // `**` takes one element or more (a/**/c: a/1/c, a/1/2/3/c), never none.
  if (p === '**') return path.some((_, i) => elementsMatch(rest, path.slice(i + 1)));
  if (path.length === 0) return false;
  const ok = p.endsWith('*') ? path[0].startsWith(p.slice(0, -1)) : p === path[0];
  return ok && elementsMatch(rest, path.slice(1));
}

/**
 * The `[expose:]` stanzas whose pattern matches a splunkd path (`/services/storage/passwords`,
 * `/servicesNS/nobody/search/configs/conf-props/x`; query string ignored), in name order.
 * An empty list means Splunk Web answers 404 for it.
 */
export function webExposesFor(splunkdPath: string): (WebExpose & { name: string })[] {
  const m = /^\/?(?:services|servicesNS\/[^/]+\/[^/]+)\/([^?#]*)/.exec(splunkdPath);
  if (!m) return [];
  const elements = m[1].split('/').filter((e) => e !== '').map((e) => decodeURIComponent(e));
  return Object.entries(webExposes())
    .filter(([, e]) => elementsMatch(e.pattern.split('/'), elements))
    .map(([name, e]) => ({ name, ...e }));
}

/** Whether Splunk Web forwards `method` on this splunkd path to splunkd. */
export function isWebExposed(splunkdPath: string, method: string): boolean {
  return webExposesFor(splunkdPath).some((e) => e.methods.includes(method.toUpperCase()));
}

// ---- defaults: limits.conf, props.conf, transforms.conf ----------------------------------------

type Scalar = number | boolean | string;

interface DefaultsTable {
  _generated: Generated;
  /** Values of Splunk's shipped default confs (numbers, booleans, short tokens). */
  shipped: Record<'limits.conf' | 'props.conf' | 'transforms.conf', Record<string, Record<string, Scalar>>>;
  /** `* Default: <n>` documented in the specs, per spec stanza header (`default` before any header). */
  spec: Record<'limits.conf' | 'props.conf' | 'transforms.conf', Record<string, Record<string, number | boolean>>>;
}

const defaults = /* @__PURE__ */ once<DefaultsTable>(() => require('./defaults.json'));

/** A shipped default value: `shippedDefault('limits.conf', 'spath', 'extraction_cutoff')` → 5000. */
export function shippedDefault(conf: 'limits.conf' | 'props.conf' | 'transforms.conf', stanza: string, key: string): Scalar | undefined {
  return defaults().shipped[conf][stanza]?.[key];
}

/** A default the spec documents: `specDefault('transforms.conf', '<unique_transform_stanza_name>', 'MATCH_LIMIT')`. */
export function specDefault(conf: 'limits.conf' | 'props.conf' | 'transforms.conf', stanza: string, key: string): number | boolean | undefined {
  return defaults().spec[conf][stanza]?.[key];
}

export interface SearchTimeLimits {
  /** limits.conf [spath] extraction_cutoff: characters of _raw auto-extracted (KV_MODE=json/xml, spath without input). */
  spathExtractionCutoff: number;
  /** limits.conf [kv] maxchars: _raw is truncated to this before automatic key-value extraction. */
  kvMaxChars: number;
  /** limits.conf [kv] maxcols: kv stops creating new fields after this many. */
  kvMaxCols: number;
  /** limits.conf [kv] limit: most fields automatic kv extracts from one event. */
  kvLimit: number;
  /** transforms.conf MATCH_LIMIT / DEPTH_LIMIT: PCRE match and recursion bounds of a REPORT/EXTRACT regex. */
  matchLimit: number;
  depthLimit: number;
  /** props.conf TRUNCATE and MAX_TIMESTAMP_LOOKAHEAD defaults. */
  truncate: number;
  maxTimestampLookahead: number;
}

function num(v: unknown, what: string): number {
  if (typeof v !== 'number') throw new Error(`src/facts/defaults.json has no number for ${what}; regenerate with npm run facts`);
  return v;
}

/** The limits Splunk's search-time extraction applies by default, for the evaluator behind preview. */
export function searchTimeLimits(): SearchTimeLimits {
  const lim = (stanza: string, key: string) => num(shippedDefault('limits.conf', stanza, key), `limits.conf [${stanza}] ${key}`);
  const tr = (key: string) => num(shippedDefault('transforms.conf', 'default', key) ?? specDefault('transforms.conf', '<unique_transform_stanza_name>', key), `transforms.conf ${key}`);
  const pr = (key: string) => num(shippedDefault('props.conf', 'default', key) ?? specDefault('props.conf', '<spec>', key), `props.conf ${key}`);
  return {
    spathExtractionCutoff: lim('spath', 'extraction_cutoff'),
    kvMaxChars: lim('kv', 'maxchars'),
    kvMaxCols: lim('kv', 'maxcols'),
    kvLimit: lim('kv', 'limit'),
    matchLimit: tr('MATCH_LIMIT'),
    depthLimit: tr('DEPTH_LIMIT'),
    truncate: pr('TRUNCATE'),
    maxTimestampLookahead: pr('MAX_TIMESTAMP_LOOKAHEAD'),
  };
}

// ---- authorize.conf ----------------------------------------------------------------------------

export interface RoleFacts {
  /** Capabilities set to `enabled` in the role's own stanza (imported ones not included). */
  capabilities: string[];
  disabledCapabilities?: string[];
  importRoles?: string[];
  srchIndexesAllowed?: string[];
  srchIndexesDefault?: string[];
  srchIndexesDisallowed?: string[];
  deleteIndexesAllowed?: string[];
  grantableRoles?: string[];
  /** Other scalar settings: srchJobsQuota, srchDiskQuota, srchFilter… */
  settings: Record<string, Scalar>;
}

interface AuthorizeTable {
  _generated: Generated;
  roles: Record<string, RoleFacts>;
  capabilities: string[];
  roleDefaults: Record<string, Scalar>;
}

const authorize = /* @__PURE__ */ once<AuthorizeTable>(() => require('./authorize.json'));

/** Roles of Splunk's shipped authorize.conf (`admin`, `power`, `user`, `can_delete`, `splunk-system-role`), without the `role_` prefix. */
export function splunkRoles(): Record<string, RoleFacts> {
  return authorize().roles;
}

/** Every `[capability::<name>]` Splunk declares. */
export function splunkCapabilities(): string[] {
  return authorize().capabilities;
}

/** authorize.conf [default] settings every role inherits unless it sets its own. */
export function roleDefaults(): Record<string, Scalar> {
  return authorize().roleDefaults;
}

/** The role and every role it imports, transitively (unknown names left out). */
export function roleChain(role: string): RoleFacts[] {
  const seen = new Set<string>();
  const out: RoleFacts[] = [];
  const visit = (r: string) => {
    const facts = splunkRoles()[r];
    if (seen.has(r) || !facts) return;
    seen.add(r);
    out.push(facts);
    for (const i of facts.importRoles ?? []) visit(i);
  };
  visit(role);
  return out;
}

/** A role's capabilities including those of the roles it imports, less any one of them disables. */
export function effectiveCapabilities(role: string): Set<string> {
  const chain = roleChain(role);
  const out = new Set(chain.flatMap((r) => r.capabilities));
  for (const c of chain.flatMap((r) => r.disabledCapabilities ?? [])) out.delete(c);
  return out;
}

function indexPatterns(role: string, key: 'srchIndexesAllowed' | 'srchIndexesDisallowed'): string[] {
  return [...new Set(roleChain(role).flatMap((r) => r[key] ?? []))].sort();
}

/** Index patterns a role may search, including imported roles' (`*` does not cover `_internal`; `_*` does). */
export function effectiveSearchIndexes(role: string): string[] {
  return indexPatterns(role, 'srchIndexesAllowed');
}

/** authorize.conf.spec: "*" never matches internal indexes; only a pattern starting with "_" does. */
function indexMatches(pattern: string, index: string): boolean {
  if (index.startsWith('_') && !pattern.startsWith('_')) return false;
  return new RegExp(`^${pattern.replace(/[.+?^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*')}$`).test(index);
}

/** Whether a role may search an index: allowed by itself or an imported role, and disallowed by none. */
export function roleCanSearch(role: string, index: string): boolean {
  if (indexPatterns(role, 'srchIndexesDisallowed').some((p) => indexMatches(p, index))) return false;
  return effectiveSearchIndexes(role).some((p) => indexMatches(p, index));
}

// ---- CIM ---------------------------------------------------------------------------------------

export interface CimFieldFacts {
  name: string;
  /** required, recommended, optional, conditional… as the model file says. */
  type: string;
  multiValue?: true;
  expectedValues?: string[];
  /** For conditional fields: the eval condition under which the field is required. */
  condition?: string;
  validity?: string;
}

export interface CimDatasetFacts {
  name: string;
  /** Tag sets, any of which selects events into the dataset. */
  tags: string[][];
  /** The dataset's search constraint, e.g. `tag=change NOT (object_category=file OR …)`. */
  constraints: string;
  fields: CimFieldFacts[];
  children: CimDatasetFacts[];
}

export interface CimModelFacts {
  version?: string;
  datasets: CimDatasetFacts[];
}

interface CimTable {
  _generated: Generated;
  models: Record<string, CimModelFacts>;
  commonFields: CimFieldFacts[];
}

const cim = /* @__PURE__ */ once<CimTable>(() => require('./cim-models.json'));

/** Every CIM data model by name (`Authentication`, `Change`, `Network_Traffic`…). */
export function cimModels(): Record<string, CimModelFacts> {
  return cim().models;
}

export function cimModel(name: string): CimModelFacts {
  const m = cim().models[name];
  if (!m) throw new Error(`no CIM model ${name} in src/facts/cim-models.json`);
  return m;
}

/** A dataset anywhere in a model, by its name (`All_Changes`, `Account_Management`…). */
export function cimDataset(model: string, dataset: string): CimDatasetFacts | undefined {
  const find = (ds: CimDatasetFacts[]): CimDatasetFacts | undefined => {
    for (const d of ds) {
      if (d.name === dataset) return d;
      const c = find(d.children);
      if (c) return c;
    }
    return undefined;
  };
  return find(cimModel(model).datasets);
}

/** Fields CIM's CommonFields.json defines for every model. */
export function cimCommonFields(): CimFieldFacts[] {
  return cim().commonFields;
}

// ---- Splunk SDK modular input fixtures --------------------------------------------------------

export interface FixtureXmlNode {
  name: string;
  attributes: Record<string, string>;
  /** Character data directly inside the element, whitespace kept. */
  text: string;
  /** Child elements in order; `{ comment: true }` marks where the fixture had a comment. */
  children: (FixtureXmlNode | { comment: true })[];
}

export interface ModinputFixture {
  encoding: 'utf-8' | 'utf-16be' | 'utf-16le';
  bom: boolean;
  /** The `<?xml …?>` declaration as written, if any. */
  declaration?: string;
  root: FixtureXmlNode;
}

const fixturesFacts = /* @__PURE__ */ once<Table<'fixtures', Record<string, ModinputFixture>>>(() => require('./modinput-fixtures.json'));
/** The Splunk SDK's modinput golden files by file name (`scheme_with_defaults.xml`…). */
export function modinputFixtures(): Record<string, ModinputFixture> {
  return fixturesFacts().fixtures;
}

export function modinputFixture(name: string): ModinputFixture {
  const f = modinputFixtures()[name];
  if (!f) throw new Error(`no modinput fixture ${name} in src/facts/modinput-fixtures.json`);
  return f;
}

function escapeXml(s: string, attr: boolean): string {
  const t = s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
  return attr ? t.replace(/"/g, '&quot;') : t;
}

function serialize(n: FixtureXmlNode): string {
  const attrs = Object.entries(n.attributes).map(([k, v]) => ` ${k}="${escapeXml(v, true)}"`).join('');
  if (!n.text && n.children.length === 0) return `<${n.name}${attrs}/>`;
  const kids = n.children.map((c) => ('comment' in c ? '<!-- -->' : serialize(c))).join('');
  // Text of mixed content goes before the children; no fixture mixes text and elements meaningfully.
  return `<${n.name}${attrs}>${escapeXml(n.text, false)}${kids}</${n.name}>`;
}

/** The fixture as an XML document (declaration kept), equal in content to the SDK's file. */
export function modinputFixtureXml(name: string): string {
  const f = modinputFixture(name);
  return `${f.declaration ?? ''}${f.declaration ? '\n' : ''}${serialize(f.root)}`;
}

/** The fixture as bytes in the SDK file's encoding and byte-order mark, as splunkd would send it. */
export function modinputFixtureBytes(name: string): Buffer {
  const f = modinputFixture(name);
  const text = modinputFixtureXml(name);
  if (f.encoding === 'utf-8') return Buffer.concat([f.bom ? Buffer.from([0xef, 0xbb, 0xbf]) : Buffer.alloc(0), Buffer.from(text, 'utf8')]);
  const le = Buffer.from(text, 'utf16le');
  if (f.encoding === 'utf-16le') return Buffer.concat([Buffer.from([0xff, 0xfe]), le]);
  return Buffer.concat([Buffer.from([0xfe, 0xff]), Buffer.from(le).swap16()]);
}
