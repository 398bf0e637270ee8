/**
 * Parse: an app's knowledge files as text structures, before anything is compiled —
 * `default/{props,transforms,eventtypes,tags,collections}.conf` (conf syntax, ../conf/parse),
 * `lookups/*.csv` (RFC 4180) and, standing in for the KV store, a folder with one
 * `<collection>.json` per collection: a JSON array of records, as a writer posts them to
 * storage/collections/data/<collection>/batch_save.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfFile, ConfStanza, parseConf } from '../conf/parse';

export interface AppFiles {
  props?: ConfFile;
  transforms?: ConfFile;
  eventtypes?: ConfFile;
  tags?: ConfFile;
  collections?: ConfFile;
  /** CSV file name → text. */
  lookups?: Map<string, string>;
  /** KV store collection → its records (a collection without data is absent: its lookups output nothing). */
  kv?: Map<string, Record<string, unknown>[]>;
}

/** Reads the stand-in KV data: `<dir>/<collection>.json`, each a JSON array of objects. */
export function loadKvDir(dir: string): Map<string, Record<string, unknown>[]> {
  if (!fs.existsSync(dir) || !fs.statSync(dir).isDirectory()) throw new Error(`KV data folder ${dir} does not exist; it holds one <collection>.json per KV store collection (a JSON array of records)`);
  const out = new Map<string, Record<string, unknown>[]>();
  for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.json')).sort()) {
    const file = path.join(dir, f);
    let data: unknown;
    try {
      data = JSON.parse(fs.readFileSync(file, 'utf8'));
    } catch (e) {
      throw new Error(`KV data ${file} is not JSON (${(e as Error).message}); it must be a JSON array of records`);
    }
    if (!Array.isArray(data) || data.some((r) => !r || typeof r !== 'object' || Array.isArray(r))) throw new Error(`KV data ${file} must be a JSON array of objects (the records of collection ${f.slice(0, -5)})`);
    out.set(f.slice(0, -5), data as Record<string, unknown>[]);
  }
  return out;
}

/** Reads the knowledge files of an app folder (and the KV data in `kvDir`); a missing file is simply absent. */
export function loadAppFiles(appDir: string, opts: { kvDir?: string } = {}): AppFiles {
  const read = (f: string): ConfFile | undefined => {
    const p = path.join(appDir, 'default', f);
    return fs.existsSync(p) ? parseConf(fs.readFileSync(p, 'utf8'), p) : undefined;
  };
  const lookups = new Map<string, string>();
  const dir = path.join(appDir, 'lookups');
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.csv')) lookups.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  return {
    props: read('props.conf'), transforms: read('transforms.conf'), eventtypes: read('eventtypes.conf'), tags: read('tags.conf'), collections: read('collections.conf'), lookups,
    ...(opts.kvDir ? { kv: loadKvDir(opts.kvDir) } : {}),
  };
}

/** A conf stanza's entries as a map (a later key wins). */
export function settingsOf(s: ConfStanza): Map<string, string> {
  return new Map(s.entries.map((e) => [e.key, e.value]));
}

/** A conf boolean (`1`, `true`, `yes`, `on`, …); `dflt` when the setting is absent. */
export function confBool(v: string | undefined, dflt: boolean): boolean {
  if (v === undefined) return dflt;
  return /^(1|true|t|yes|y|on)$/i.test(v.trim());
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
