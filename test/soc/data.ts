/**
 * The data the SOC content is run over: what `npm start` collects (the demo, short profile, run
 * through the real launchers into a temporary directory), the launchers' own log files as
 * Splunk's monitor would index them into _internal, and the golden samples of every sourcetype
 * replayed into the last hour. Every event goes through the search-time evaluator, so fields,
 * eventtypes and tags are what Splunk would show.
 */
import { spawn } from 'node:child_process';
import { estateRecords } from '../golden/build-kv';
import { makeEstate } from '../../src/sources/illumio/simulator/traffic';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { macrosFromConf } from '../../src/build/spl';
import { parseConf } from '../../src/core/conf/parse';
import { effectiveSearchIndexes, roleChain } from '../../src/facts';
import { KnowledgeBase, parseCsv } from '../../src/core/knowledge';
import { loadAppFiles } from '../../src/core/knowledge/conf-load';
import { LookupTable, Role, Row, SplEngine } from '../../src/core/spl/engine';
import { parseBody } from '../../src/sources/prisma/parse';

export const ROOT = path.resolve(__dirname, '..', '..');

/** A role of Splunk's shipped authorize.conf (src/facts), with what it imports. */
export function splunkRole(name: string): Role {
  const chain = roleChain(name);
  if (!chain.length) throw new Error(`authorize.conf has no role ${name}`);
  return { name, allowed: effectiveSearchIndexes(name), defaults: [...new Set(chain.flatMap((r) => r.srchIndexesDefault ?? []))] };
}

/** `user` and `power` search `*` (never an internal index) by default `main`; `admin` also `_*`. */
export const ROLES: Record<'user' | 'power' | 'admin', Role> = { user: splunkRole('user'), power: splunkRole('power'), admin: splunkRole('admin') };

let kb: KnowledgeBase | undefined;
let kvRecords: Map<string, Record<string, unknown>[]> | undefined;
export function knowledge(): KnowledgeBase {
  kb ??= KnowledgeBase.loadApp(ROOT).assertValid();
  return kb;
}

export interface RawEvent {
  raw: string;
  sourcetype: string;
  source: string;
  host?: string;
  index: string;
  /** Epoch seconds given by the input (XML `<time>`); else timestamp recognition decides. */
  time?: number;
  indextime?: number;
}

let enriched: KnowledgeBase | undefined;
/**
 * The app's knowledge with the KV store the objects input leaves for the simulated PCE (org 1,
 * the demo's): automatic KV lookups enrich flows and events as they would in Splunk.
 */
export function enrichedKnowledge(): KnowledgeBase {
  enriched ??= new KnowledgeBase({ ...loadAppFiles(ROOT), kv: (kvRecords ??= estateRecords(makeEstate(1), 'soc')) }).assertValid();
  return enriched;
}

/**
 * The app's knowledge with the KV store a demo run left (`<dir>/kv`, written by `npm start` from
 * its splunkd stand-in after the objects input ran): the demo's flows and events enriched as in Splunk.
 */
export function demoKnowledge(demo: Demo): KnowledgeBase {
  const kvDir = path.join(demo.dir, 'kv');
  if (!fs.existsSync(path.join(kvDir, 'illumio_workloads.json'))) throw new Error(`the demo in ${demo.dir} left no KV store (kv/illumio_workloads.json): did the illumio_pce_objects input run?`);
  return KnowledgeBase.loadApp(ROOT, { kvDir }).assertValid();
}

/** One event through the evaluator (the app's knowledge, without KV data), as a search row. */
export function toRow(e: RawEvent): Row {
  return rowWith(knowledge())(e);
}

/** One event through the given knowledge (e.g. enrichedKnowledge()), as a search row. */
export const rowWith = (kb: KnowledgeBase) => (e: RawEvent): Row => {
  const ev = kb.evaluate(e.raw, { sourcetype: e.sourcetype, source: e.source, host: e.host ?? 'demo' });
  const row: Row = new Map(ev.fields);
  const t = e.time ?? (ev.time === undefined ? undefined : ev.time / 1000);
  if (t === undefined) throw new Error(`no timestamp for ${e.sourcetype} event ${e.raw.slice(0, 120)}`);
  row.set('_raw', [e.raw]);
  row.set('_time', [String(t)]);
  row.set('_indextime', [String(Math.floor(e.indextime ?? t))]);
  row.set('index', [e.index]);
  row.set('sourcetype', [ev.sourcetype]);
  row.set('source', [e.source]);
  row.set('host', [e.host ?? 'demo']);
  if (ev.eventtype.length) row.set('eventtype', ev.eventtype);
  if (ev.tag.length) row.set('tag', ev.tag);
  return row;
};

export function lookupTables(): Map<string, LookupTable> {
  const out = new Map<string, LookupTable>();
  const dir = path.join(ROOT, 'lookups');
  const files = new Map<string, LookupTable>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.csv'))) {
    const rows = parseCsv(fs.readFileSync(path.join(dir, f), 'utf8')).filter((r) => r.length > 1 || r[0] !== '');
    files.set(f, { header: rows[0], rows: rows.slice(1) });
    out.set(f, files.get(f)!);
  }
  const transforms = parseConf(fs.readFileSync(path.join(ROOT, 'default', 'transforms.conf'), 'utf8'), 'transforms.conf');
  for (const s of transforms.stanzas) {
    const file = s.entries.find((e) => e.key === 'filename')?.value;
    if (file && files.has(file)) out.set(s.name, files.get(file)!);
    const collection = s.entries.find((e) => e.key === 'external_type')?.value === 'kvstore' ? s.entries.find((e) => e.key === 'collection')?.value : undefined;
    if (collection) out.set(s.name, kvTable(collection, s.entries.find((e) => e.key === 'fields_list')!.value.split(/\s*,\s*/)));
  }
  return out;
}

/**
 * A KV store lookup as the illumio_pce_objects input leaves it for the simulated PCE's estate
 * (objects.ts records; list fields joined by commas, as this engine's lookups are single-valued).
 */
function kvTable(collection: string, fields: string[]): LookupTable {
  const records = (kvRecords ??= estateRecords(makeEstate(1), 'soc')).get(collection);
  if (!records) throw new Error(`transforms.conf names KV collection ${collection}, which the objects input does not fill`);
  const rows = records.map((r) => fields.map((f) => {
    const v = r[f];
    return v === null || v === undefined ? '' : Array.isArray(v) ? v.join(',') : String(v);
  }));
  return { header: fields, rows };
}

export function appMacros() {
  return macrosFromConf(fs.readFileSync(path.join(ROOT, 'default', 'macros.conf'), 'utf8'));
}

export function engine(events: Row[], now: number, role: Role = ROLES.user): SplEngine {
  return new SplEngine({ events, macros: appMacros(), lookups: lookupTables(), role, now });
}

// ---------------------------------------------------------------- demo

export interface Demo {
  dir: string;
  /** Start of the demo run, epoch seconds: the searches' `now` is a minute later. */
  now: number;
  events: RawEvent[];
}

/**
 * Two `npm start` runs into one directory, as an admin who ran it twice: the second run collects
 * only what happened since, including Lacework alert state changes (with previous_*).
 */
export async function runDemo(): Promise<Demo> {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'zt-soc-'));
  await demoRun(dir);
  await new Promise((r) => setTimeout(r, 2000));
  return demoRun(dir);
}

function demoRun(dir: string): Promise<Demo> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', path.join(ROOT, 'src', 'cli', 'demo.ts'), '--dir', dir, '--profile', 'short', '--no-preview'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
    });
    let err = '';
    let said = '';
    // The demo's summary (which input exited how) is on stdout: kept for the failure message.
    child.stdout.setEncoding('utf8').on('data', (c: string) => (said = (said + c).slice(-4000)));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (err += c));
    child.on('error', reject);
    child.on('close', (code) => {
      if (code !== 0) return reject(new Error(`demo exited ${code}: ${err}\n${said}`));
      const state = JSON.parse(fs.readFileSync(path.join(dir, 'state.json'), 'utf8')) as { runs: number[] };
      const ran = state.runs[state.runs.length - 1] / 1000;
      const events: RawEvent[] = [];
      for (const f of fs.readdirSync(path.join(dir, 'out'))) {
        for (const line of fs.readFileSync(path.join(dir, 'out', f), 'utf8').split('\n')) {
          if (!line) continue;
          const o = JSON.parse(line) as { sourcetype: string; time?: string; source?: string; index?: string; host?: string; event: string };
          const scheme = f.split('.')[0];
          events.push({
            raw: o.event, sourcetype: o.sourcetype, source: o.source ?? `${scheme}://demo`, index: o.index ?? 'main', host: o.host,
            time: o.time === undefined ? undefined : Number(o.time), indextime: state.runs[Number(/\.run(\d+)\./.exec(f)![1]) - 1] / 1000 + 30,
          });
        }
      }
      // Splunk's monitor of $SPLUNK_HOME/var/log/splunk indexes the launchers' logs into _internal.
      const logs = path.join(dir, 'splunk', 'var', 'log', 'splunk');
      for (const f of fs.readdirSync(logs)) {
        for (const line of fs.readFileSync(path.join(logs, f), 'utf8').split('\n')) {
          if (line.trim()) events.push({ raw: line, sourcetype: 'ta_zerotrust_events:log', source: `/opt/splunk/var/log/splunk/${f}`, index: '_internal', indextime: ran + 30 });
        }
      }
      resolve({ dir, now: ran + 60, events });
    });
  });
}

// ---------------------------------------------------------------- golden

const GOLDEN: Record<string, { sourcetype: string; source: string; index: string }> = {
  illumio_pce_event: { sourcetype: 'illumio:pce:event', source: 'illumio_pce_events://golden', index: 'main' },
  illumio_pce_syslog: { sourcetype: 'illumio:pce:syslog', source: 'udp:514', index: 'main' },
  illumio_pce_cef: { sourcetype: 'illumio:pce:cef', source: 'udp:514', index: 'main' },
  illumio_pce_leef: { sourcetype: 'illumio:pce:leef', source: 'udp:514', index: 'main' },
  illumio_pce_flow: { sourcetype: 'illumio:pce:flow', source: 'illumio_pce_traffic://golden', index: 'main' },
  illumio_pce_health: { sourcetype: 'illumio:pce:health', source: 'illumio_pce_health://golden', index: 'main' },
  pan_prisma_saas: { sourcetype: 'pan:prisma_saas', source: 'prisma_saas_log_events://golden', index: 'main' },
  lacework_edge_audit: { sourcetype: 'lacework:edge:audit', source: 'lacework_edge_audit://golden', index: 'main' },
  lacework_edge_alert: { sourcetype: 'lacework:edge:alert', source: 'lacework_edge_alerts://golden', index: 'main' },
  ta_zerotrust_health: { sourcetype: 'ta_zerotrust:health', source: 'illumio_pce_events://prod', index: 'main' },
  ta_zerotrust_events_log: { sourcetype: 'ta_zerotrust_events:log', source: '/opt/splunk/var/log/splunk/ta_zerotrust_events_illumio_pce_events.log', index: '_internal' },
};

/**
 * The golden samples, replayed into the hour before `now` one second apart in file order, so a
 * dashboard's default time range sees them (the raw text keeps its own timestamps).
 */
export function goldenEvents(now: number): RawEvent[] {
  const out: RawEvent[] = [];
  for (const [file, meta] of Object.entries(GOLDEN)) {
    const lines = fs.readFileSync(path.join(ROOT, 'test', 'golden', `${file}.raw`), 'utf8').split('\n').filter((l) => l.trim());
    lines.forEach((raw) => {
      // The Prisma collector indexes a body it cannot parse verbatim under `<stanza>:unparsed`.
      const source = meta.sourcetype === 'pan:prisma_saas' && parseBody(raw).events.some((e) => e.unparsed) ? `${meta.source}:unparsed` : meta.source;
      out.push({ raw, ...meta, source, time: now - 3600 + out.length, indextime: now - 3600 + out.length + 5 });
    });
  }
  return out;
}

/** Every field any event of each sourcetype has: what a search over those sourcetypes can read. */
export function fieldsBySourcetype(rows: Row[]): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const r of rows) {
    const st = r.get('sourcetype')?.[0] ?? '';
    let set = out.get(st);
    if (!set) out.set(st, (set = new Set()));
    for (const [k, v] of r) if (v.length) set.add(k);
  }
  return out;
}

/**
 * The fields a run read that exist in no event of the sourcetypes it covered (all sourcetypes
 * when it found none) and that the search does not make itself (eval, AS, lookup OUTPUT).
 */
export function neverExisting(r: { missingFields: { command: string; field: string }[]; sourcetypes: string[]; expanded: string }, universe: Map<string, Set<string>>): string[] {
  const sts = r.sourcetypes.length ? r.sourcetypes : [...universe.keys()];
  const esc = (f: string) => f.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
  return r.missingFields
    .filter((m) => !sts.some((st) => universe.get(st)?.has(m.field)))
    .filter((m) => !new RegExp(`(?:\\bAS\\s+"?${esc(m.field)}\\b|(?:^|[\\s,|(])${esc(m.field)}\\s*=(?!=)|\\bOUTPUT(?:NEW)?\\b[^|]*\\b${esc(m.field)}\\b)`, 'i').test(r.expanded))
    .map((m) => `${m.command}: ${m.field}`);
}
