/**
 * Parse: an app's knowledge files as text structures, before anything is compiled —
 * `default/{props,transforms,eventtypes,tags}.conf` (conf syntax, ../conf/parse) and
 * `lookups/*.csv` (RFC 4180).
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ConfFile, ConfStanza, parseConf } from '../conf/parse';

export interface AppFiles {
  props?: ConfFile;
  transforms?: ConfFile;
  eventtypes?: ConfFile;
  tags?: ConfFile;
  /** CSV file name → text. */
  lookups?: Map<string, string>;
}

/** Reads the knowledge files of an app folder; a missing file is simply absent. */
export function loadAppFiles(appDir: string): AppFiles {
  const read = (f: string): ConfFile | undefined => {
    const p = path.join(appDir, 'default', f);
    return fs.existsSync(p) ? parseConf(fs.readFileSync(p, 'utf8'), p) : undefined;
  };
  const lookups = new Map<string, string>();
  const dir = path.join(appDir, 'lookups');
  if (fs.existsSync(dir)) for (const f of fs.readdirSync(dir)) if (f.endsWith('.csv')) lookups.set(f, fs.readFileSync(path.join(dir, f), 'utf8'));
  return { props: read('props.conf'), transforms: read('transforms.conf'), eventtypes: read('eventtypes.conf'), tags: read('tags.conf'), lookups };
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
