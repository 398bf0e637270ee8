import * as fs from 'fs';
import * as path from 'path';
import { analyzeSearch } from '../../src/build/spl';
import { cimCommonFields, cimModels, type CimDatasetFacts } from '../../src/facts';
import { KnowledgeBase, parseCsv } from '../../src/core/knowledge';
import { parseSearch, SearchNode } from '../../src/core/knowledge/search';
import { goldenLines, metaFor, SOURCETYPES } from '../knowledge/support';
import { analystSamples, type GoldenSample } from './samples';
import { allSearches, appMacros } from './searches';
import { conf, readRepo, REPO, value } from './shared';
import { indexMacro, moduleSourcetypes, SOURCE_MODULES } from '../support/modules';

const eventtypes = conf('default/eventtypes.conf');
const transforms = conf('default/transforms.conf');
const eventtypeNames = new Set(eventtypes.stanzas.map((s) => s.name));

const collections = new Set(conf('default/collections.conf').stanzas.map((s) => s.name));

/**
 * Columns of a lookup definition's CSV, or of its KV store collection (fields_list), or undefined
 * when the definition, its file or its collection is missing.
 */
function lookupColumns(name: string): string[] | undefined {
  if (value(transforms, name, 'external_type') === 'kvstore') {
    const c = value(transforms, name, 'collection');
    return c && collections.has(c) ? (value(transforms, name, 'fields_list') ?? '').split(/\s*,\s*/) : undefined;
  }
  const file = value(transforms, name, 'filename');
  if (!file || !fs.existsSync(path.join(REPO, 'lookups', file))) return undefined;
  return parseCsv(readRepo(`lookups/${file}`))[0];
}

/** Fields every event has, or that Splunk makes at search time whatever the app says. */
const INTERNAL = ['_time', '_raw', '_indextime', 'index', 'source', 'sourcetype', 'host', 'eventtype', 'tag', 'splunk_server', 'linecount'];

/** Sourcetypes each index macro scopes a search to: a vendor's macro, its module's sourcetypes. */
const SCOPE: Record<string, string[]> = {
  ta_zerotrust_internal_logs: ['ta_zerotrust_events:log'],
  ta_zerotrust_health: ['ta_zerotrust:health'],
};
/** The analyst samples of every module and the add-on's own. */
let SAMPLES: GoldenSample[] = [];
beforeAll(async () => {
  for (const m of SOURCE_MODULES) SCOPE[indexMacro(m)] = await moduleSourcetypes(m);
  SAMPLES = [...(await analystSamples()).values()].flat();
});

/**
 * Fields our props/transforms/lookups produce per sourcetype, per the knowledge evaluator, on the
 * knowledge engineer's golden corpus (test/golden, KV lookups on its fixture) and the catalog's own samples.
 */
function producedFields(): Map<string, Set<string>> {
  // With the KV fixture: the enrichment fields exist wherever the illumio_pce_objects input runs.
  const kb = KnowledgeBase.loadApp(REPO, { kvDir: path.join(REPO, 'test', 'golden', 'kv') });
  const out = new Map<string, Set<string>>();
  const add = (st: string, raw: string, meta: { sourcetype: string; source?: string; host?: string }) => {
    let set = out.get(st);
    if (!set) out.set(st, (set = new Set()));
    for (const f of kb.evaluate(raw, meta).fields.keys()) set.add(f);
  };
  for (const st of SOURCETYPES) for (const raw of goldenLines(st)) add(st, raw, metaFor(st));
  for (const g of SAMPLES) add(g.sourcetype, g.raw, { sourcetype: g.sourcetype, source: g.source });
  return out;
}

function searchFields(n: SearchNode, out: string[]): string[] {
  if (n.k === 'cmp') out.push(n.field);
  if (n.k === 'and' || n.k === 'or') n.xs.forEach((x) => searchFields(x, out));
  if (n.k === 'not') searchFields(n.x, out);
  return out;
}

describe('references in shipped searches', () => {
  const searches = allSearches();
  const analyses = searches.map((s) => ({ ...s, a: analyzeSearch(s.search.replace(/\$[^$\s]+\$/g, 'x'), appMacros()) }));

  it('name only macros defined in macros.conf (expansion fails otherwise) and use every macro shipped', () => {
    const used = new Set(analyses.flatMap((x) => x.a.macros));
    expect([...appMacros().keys()].filter((m) => !used.has(m))).toEqual([]);
  });

  it('name only eventtypes defined in eventtypes.conf', () => {
    const missing = analyses.flatMap((x) => x.a.eventtypes.filter((e) => !eventtypeNames.has(e)).map((e) => `${x.where}: ${e}`));
    expect(missing).toEqual([]);
  });

  it('name only lookups defined in transforms.conf with a file in lookups/ or a declared KV collection, and only their columns', () => {
    const problems: string[] = [];
    for (const x of analyses) {
      for (const l of x.a.lookups) if (!lookupColumns(l)) problems.push(`${x.where}: lookup ${l}`);
      for (const m of x.a.expanded.matchAll(/\|\s*lookup\s+(\S+)\s+([^|]*)/g)) {
        const cols = lookupColumns(m[1]) ?? [];
        const words = m[2].split(/\s+/).filter(Boolean);
        // Table-side names: the first word, every word after OUTPUT, and never the one after AS.
        words.forEach((w, i) => {
          const tableSide = !/^(as|output|outputnew)$/i.test(w) && !/^as$/i.test(words[i - 1] ?? '');
          if (tableSide && !cols.includes(w.replace(/,$/, ''))) problems.push(`${x.where}: ${m[1]} has no column ${w}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });

  it('read only fields that Splunk makes or our knowledge produces for the sourcetypes they search', () => {
    const produced = producedFields();
    const problems: string[] = [];
    for (const x of analyses) {
      const sourcetypes = x.a.macros.flatMap((m) => SCOPE[m] ?? []);
      // tstats over a data model reads `<root dataset>.<field>`: a field of that model (CIM facts)
      // that some sourcetype of ours produces; the model's constraints, not a macro, scope it.
      const model = /from\s+datamodel=(\w+)/.exec(x.a.expanded)?.[1];
      const modelFields = model ? cimFieldsOf(model) : undefined;
      for (const f of x.a.fields) {
        if (INTERNAL.includes(f)) continue;
        const dot = f.indexOf('.');
        if (modelFields && dot > 0 && cimModels()[model!].datasets.some((d) => d.name === f.slice(0, dot))) {
          const name = f.slice(dot + 1);
          if (!modelFields.has(name)) problems.push(`${x.where}: ${f} is no field of the ${model} data model`);
          else if (![...produced.values()].some((set) => set.has(name))) problems.push(`${x.where}: ${f}: no sourcetype of the add-on produces ${name}`);
          continue;
        }
        if (!sourcetypes.length) problems.push(`${x.where}: reads ${f} but names no index macro`);
        // A field one of the searched sourcetypes has: searches over several vendors read CIM fields.
        if (!sourcetypes.some((st) => produced.get(st)?.has(f))) problems.push(`${x.where}: ${f} (${sourcetypes.join(', ')})`);
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('eventtypes and tags', () => {
  it('eventtype searches are plain searches (no pipe, no subsearch) over fields our knowledge provides', () => {
    const known = new Set([...INTERNAL, ...[...producedFields().values()].flatMap((set) => [...set])]);
    const problems: string[] = [];
    for (const s of eventtypes.stanzas) {
      const search = value(eventtypes, s.name, 'search') ?? '';
      if (/[|[\]]/.test(search.replace(/"(?:[^"\\]|\\.)*"/g, '""'))) problems.push(`${s.name}: pipe or subsearch`);
      for (const f of searchFields(parseSearch(search), [])) if (!known.has(f)) problems.push(`${s.name}: field ${f}`);
    }
    expect(problems).toEqual([]);
  });

  it('tags.conf tags only eventtypes that exist, each tag enabled', () => {
    const problems: string[] = [];
    for (const s of conf('default/tags.conf').stanzas) {
      const m = /^eventtype=(.+)$/.exec(s.name);
      if (!m || !eventtypeNames.has(m[1])) problems.push(s.name);
      for (const e of s.entries) if (e.value !== 'enabled' || !/^[a-z_]+$/.test(e.key)) problems.push(`${s.name}: ${e.key} = ${e.value}`);
    }
    expect(problems).toEqual([]);
  });
});

describe('automatic lookups in props.conf', () => {
  it('read and write only columns our lookup files have', () => {
    const problems: string[] = [];
    for (const st of conf('default/props.conf').stanzas) {
      for (const e of st.entries.filter((x) => /^LOOKUP-/i.test(x.key))) {
        const [table, ...words] = e.value.split(/\s+/);
        const cols = lookupColumns(table);
        if (!cols) continue; // the app lint reports lookups that do not exist
        words.forEach((w, i) => {
          const tableSide = !/^(as|output|outputnew)$/i.test(w) && !/^as$/i.test(words[i - 1] ?? '');
          if (tableSide && !cols.includes(w.replace(/,$/, ''))) problems.push(`[${st.name}] ${e.key}: ${table} has no column ${w}`);
        });
      }
    }
    expect(problems).toEqual([]);
  });
});

describe('saved searches', () => {
  const saved = conf('default/savedsearches.conf');

  it('ship disabled and scheduled, with a time window; alerts trigger on any result and send nothing by themselves', () => {
    const problems: string[] = [];
    for (const s of saved.stanzas) {
      const get = (k: string) => value(saved, s.name, k);
      if (get('disabled') !== '1') problems.push(`${s.name}: not disabled`);
      if (get('enableSched') !== '1' || !/^\S+ \S+ \S+ \S+ \S+$/.test(get('cron_schedule') ?? '')) problems.push(`${s.name}: not scheduled`);
      if (!get('dispatch.earliest_time') || !get('dispatch.latest_time')) problems.push(`${s.name}: no time window`);
      for (const e of s.entries) if (/^action\.[^.]+$/.test(e.key) && e.value !== '0') problems.push(`${s.name}: ${e.key} = ${e.value}`);
      if (get('alert.track') !== undefined && (get('counttype') !== 'number of events' || get('relation') !== 'greater than' || get('quantity') !== '0')) problems.push(`${s.name}: alert condition`);
    }
    expect(problems).toEqual([]);
  });

  it('cover one family report per Illumio family and the curated detections', () => {
    const names = saved.stanzas.map((s) => s.name);
    expect(names.filter((n) => n.endsWith(' - daily activity'))).toHaveLength(conf('default/eventtypes.conf').stanzas.filter((s) => s.name.startsWith('illumio_family_')).length);
    expect(names).toEqual(expect.arrayContaining([
      'Illumio - VEN tampering detected',
      'Illumio - VEN clone detected',
      'Illumio - VEN suspended or deactivated',
      'Illumio - Authentication failure burst by source',
      'Illumio - API keys created or deleted',
      'Illumio - Policy provisioned',
      'Illumio - PCE request errors',
      'Prisma SaaS - High-severity incidents',
      'Prisma SaaS - High-severity policy violations',
      'Lacework Edge - Open critical alerts',
      'Add-on - No data from an input',
    ]));
  });
});

/** Every field a CIM model's datasets (and CIM's common fields) define. */
function cimFieldsOf(model: string): Set<string> {
  const out = new Set(cimCommonFields().map((f) => f.name));
  const walk = (ds: CimDatasetFacts[]) => ds.forEach((d) => { d.fields.forEach((f) => out.add(f.name)); walk(d.children); });
  walk(cimModels()[model]?.datasets ?? []);
  return out;
}
