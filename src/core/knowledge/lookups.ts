/**
 * Lookups: CSV lookup tables (transforms.conf `filename`), KV store lookups (`external_type =
 * kvstore`, `collection`, `fields_list`) and automatic lookups (props.conf `LOOKUP-<class> =
 * <table> <match> [AS <field>]… OUTPUT|OUTPUTNEW <out> [AS <field>]…`). OUTPUT overwrites and
 * clears a field when nothing matches; OUTPUTNEW only fills fields the event lacks; without an
 * output list every other column is output.
 *
 * KV store lookups as transforms.conf.spec describes them: only the fields in `fields_list` are
 * visible; `case_sensitive_match = false` lower-cases the event's value and compares it with the
 * stored value as stored (so it matches only data stored in lower case). A record's array field
 * matches when any element does (KV store is MongoDB: a query on an array field matches its
 * elements) and outputs every element. JSON numbers and booleans become their JSON text.
 */
import { parseCsv } from './conf-load';

export type Fields = Map<string, string[]>;

/** The transforms.conf settings a lookup reads (a transform stanza with `filename` or `external_type = kvstore`). */
export interface LookupDefinition {
  /** The CSV's name in lookups/. */
  lookupFile?: string;
  /** external_type = kvstore: the collection (default: the stanza name) and its fields_list. */
  kvCollection?: string;
  kvFields?: string[];
  caseSensitive: boolean;
  maxMatches: number;
}

export class LookupTable {
  /** Rows by one column's (normalised) value, built the first time a lookup matches on that column. */
  private readonly indexes = new Map<string, Map<string, number[]>>();

  private constructor(
    readonly header: string[],
    /** row → column → values (a CSV cell has one value, or none when empty; a KV array field several). */
    readonly rows: string[][][],
    readonly kind: 'csv' | 'kvstore',
  ) {}

  /** The table in a CSV file's text; undefined when it has no rows at all. */
  static fromCsv(text: string): LookupTable | undefined {
    const rows = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
    return rows.length ? new LookupTable(rows[0], rows.slice(1).map((r) => rows[0].map((_, i) => (r[i] ? [r[i]] : []))), 'csv') : undefined;
  }

  /** A KV store collection's records (as splunkd stores them) seen through a lookup's fields_list. */
  static fromKv(fields: string[], records: readonly Record<string, unknown>[]): LookupTable {
    return new LookupTable(fields, records.map((r) => fields.map((f) => kvValues(r[f]))), 'kvstore');
  }

  column(name: string): number {
    return this.header.indexOf(name);
  }

  /** Values of one row's column (empty when the row has none). */
  values(row: number, column: string): string[] {
    return this.rows[row][this.column(column)] ?? [];
  }

  /**
   * Rows whose `column` holds `value`: CSV case-insensitively unless `caseSensitive`; KV store
   * exactly, the event's value lower-cased first unless `caseSensitive`.
   */
  rowsWith(column: string, value: string, caseSensitive: boolean): number[] {
    const stored = this.kind === 'kvstore' || caseSensitive;
    const key = `${column}\u0000${stored}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new Map();
      const c = this.column(column);
      this.rows.forEach((r, i) => {
        for (const v of new Set((r[c] ?? []).map((x) => (stored ? x : x.toLowerCase())))) index!.set(v, [...(index!.get(v) ?? []), i]);
      });
      this.indexes.set(key, index);
    }
    return index.get(caseSensitive ? value : value.toLowerCase()) ?? [];
  }
}

/** A KV field's value as lookup output: strings as stored, scalars as JSON text, arrays element by element. */
function kvValues(v: unknown): string[] {
  if (v === null || v === undefined) return [];
  if (Array.isArray(v)) return v.flatMap((x) => kvValues(x));
  if (typeof v === 'string') return v === '' ? [] : [v];
  if (typeof v === 'object') return [JSON.stringify(v)];
  return [String(v)];
}

interface FieldPair {
  lookupField: string;
  eventField: string;
}

/** One compiled `LOOKUP-` setting. */
export interface Lookup {
  cls: string;
  definition: LookupDefinition;
  /** Undefined when the CSV or the KV data is missing; the lookup then does nothing. */
  table?: LookupTable;
  match: FieldPair[];
  mode: 'OUTPUT' | 'OUTPUTNEW';
  outputs?: FieldPair[];
}

/** Compiles `LOOKUP-<cls> = <value>`; reports problems and returns undefined when it cannot be used. */
export function compileLookup(
  cls: string,
  value: string,
  definitionOf: (name: string) => LookupDefinition | undefined,
  tableOf: (name: string, definition: LookupDefinition) => LookupTable | undefined,
  problem: (msg: string) => void,
): Lookup | undefined {
  const toks = value.trim().split(/\s+/);
  const name = toks.shift() ?? '';
  const definition = definitionOf(name);
  if (!definition || (!definition.lookupFile && !definition.kvCollection)) {
    problem(`${cls} refers to ${name}, which is not a lookup stanza with filename or external_type = kvstore in transforms.conf`);
    return undefined;
  }
  const table = tableOf(name, definition);
  const lk: Lookup = { cls, definition, table, match: [], mode: 'OUTPUT' };
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
  // A KV lookup's columns are its fields_list whether or not the collection holds data yet.
  const header = definition.kvCollection ? (definition.kvFields ?? []) : (table?.header ?? []);
  const what = definition.kvCollection ? `the fields_list of ${name} (KV store collection ${definition.kvCollection})` : definition.lookupFile;
  for (const f of [...lk.match, ...(lk.outputs ?? [])]) if (!header.includes(f.lookupField)) problem(`${cls}: ${what} has no ${definition.kvCollection ? 'field' : 'column'} ${f.lookupField}`);
  if (!lk.match.length) problem(`${cls} names no field to match on`);
  return lk;
}

/** Applies an automatic lookup to an event's fields, counting the values a KV store lookup queries. */
export function applyLookup(lk: Lookup, fields: Fields, cost?: { kvLookups: number }): void {
  if (!lk.match.length) return;
  const inputs = lk.match.map((m) => fields.get(m.eventField));
  if (inputs.some((v) => !v || v.length === 0)) return;
  if (lk.definition.kvCollection && cost) cost.kvLookups += new Set(inputs[0]).size;
  const table = lk.table;
  if (!table) return;
  const { caseSensitive, maxMatches } = lk.definition;
  // Candidates come from an index on the first match field; the rest are checked the same way.
  // max_matches bounds the matches of each input value (transforms.conf.spec), not of the event.
  const rest = lk.match.slice(1).map((m, i) => new Set(inputs[i + 1]!.flatMap((v) => table.rowsWith(m.lookupField, v, caseSensitive))));
  const matched = new Set<number>();
  for (const v of new Set(inputs[0])) {
    const rows = [...new Set(table.rowsWith(lk.match[0].lookupField, v, caseSensitive))].sort((a, b) => a - b).filter((r) => rest.every((s) => s.has(r)));
    for (const r of rows.slice(0, maxMatches)) matched.add(r);
  }
  const hits = [...matched].sort((a, b) => a - b);
  const outputs = lk.outputs ?? table.header.filter((h) => !lk.match.some((m) => m.lookupField === h)).map((h) => ({ lookupField: h, eventField: h }));
  for (const o of outputs) {
    if (lk.mode === 'OUTPUTNEW' && fields.has(o.eventField)) continue;
    const vals = [...new Set(hits.flatMap((r) => table.values(r, o.lookupField)))];
    if (vals.length) fields.set(o.eventField, vals);
    else if (lk.mode === 'OUTPUT') fields.delete(o.eventField);
  }
}
