/**
 * Lookups: CSV lookup tables (transforms.conf `filename`) and automatic lookups (props.conf
 * `LOOKUP-<class> = <table> <match> [AS <field>]… OUTPUT|OUTPUTNEW <out> [AS <field>]…`).
 * OUTPUT overwrites and clears a field when nothing matches; OUTPUTNEW only fills fields the
 * event lacks; without an output list every other column is output.
 */
import { parseCsv } from './conf-load';

export type Fields = Map<string, string[]>;

/** The transforms.conf settings a lookup reads (a transform stanza with `filename`). */
export interface LookupDefinition {
  /** The CSV's name in lookups/. */
  lookupFile?: string;
  caseSensitive: boolean;
  maxMatches: number;
}

export class LookupTable {
  /** Rows by one column's (normalised) value, built the first time a lookup matches on that column. */
  private readonly indexes = new Map<string, Map<string, string[][]>>();

  private constructor(
    readonly header: string[],
    readonly rows: string[][],
  ) {}

  /** The table in a CSV file's text; undefined when it has no rows at all. */
  static fromCsv(text: string): LookupTable | undefined {
    const rows = parseCsv(text).filter((r) => r.length > 1 || r[0] !== '');
    return rows.length ? new LookupTable(rows[0], rows.slice(1)) : undefined;
  }

  column(name: string): number {
    return this.header.indexOf(name);
  }

  /** Rows whose `column` equals `value` (case-insensitively unless `caseSensitive`). */
  rowsWith(column: string, value: string, caseSensitive: boolean): string[][] {
    const key = `${column}\u0000${caseSensitive}`;
    let index = this.indexes.get(key);
    if (!index) {
      index = new Map();
      const c = this.column(column);
      for (const r of this.rows) {
        const k = normalise(r[c] ?? '', caseSensitive);
        index.set(k, [...(index.get(k) ?? []), r]);
      }
      this.indexes.set(key, index);
    }
    return index.get(normalise(value, caseSensitive)) ?? [];
  }
}

const normalise = (v: string, caseSensitive: boolean) => (caseSensitive ? v : v.toLowerCase());

interface FieldPair {
  lookupField: string;
  eventField: string;
}

/** One compiled `LOOKUP-` setting. */
export interface Lookup {
  cls: string;
  definition: LookupDefinition;
  /** Undefined when the CSV is missing (reported at load); the lookup then does nothing. */
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
  tables: ReadonlyMap<string, LookupTable>,
  problem: (msg: string) => void,
): Lookup | undefined {
  const toks = value.trim().split(/\s+/);
  const name = toks.shift() ?? '';
  const definition = definitionOf(name);
  if (!definition || !definition.lookupFile) {
    problem(`${cls} refers to ${name}, which is not a lookup stanza with filename in transforms.conf`);
    return undefined;
  }
  const table = tables.get(definition.lookupFile);
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
  const header = table?.header ?? [];
  for (const f of [...lk.match, ...(lk.outputs ?? [])]) if (!header.includes(f.lookupField)) problem(`${cls}: ${definition.lookupFile} has no column ${f.lookupField}`);
  if (!lk.match.length) problem(`${cls} names no field to match on`);
  return lk;
}

/** Applies an automatic lookup to an event's fields. */
export function applyLookup(lk: Lookup, fields: Fields): void {
  const table = lk.table;
  if (!table || !lk.match.length) return;
  const { caseSensitive, maxMatches } = lk.definition;
  const inputs = lk.match.map((m) => fields.get(m.eventField));
  if (inputs.some((v) => !v || v.length === 0)) return;
  const eq = (a: string, b: string) => (caseSensitive ? a === b : a.toLowerCase() === b.toLowerCase());
  // Candidates come from an index on the first match field; the rest are checked row by row.
  const first = lk.match[0].lookupField;
  const rows = [...new Set(inputs[0]!.flatMap((v) => table.rowsWith(first, v, caseSensitive)))];
  const hits = rows.filter((r) => lk.match.every((m, i) => inputs[i]!.some((v) => eq(r[table.column(m.lookupField)] ?? '', v)))).slice(0, maxMatches);
  const outputs = lk.outputs ?? table.header.filter((h) => !lk.match.some((m) => m.lookupField === h)).map((h) => ({ lookupField: h, eventField: h }));
  for (const o of outputs) {
    if (lk.mode === 'OUTPUTNEW' && fields.has(o.eventField)) continue;
    const vals = [...new Set(hits.map((r) => r[table.column(o.lookupField)] ?? '').filter((v) => v !== ''))];
    if (vals.length) fields.set(o.eventField, vals);
    else if (lk.mode === 'OUTPUT') fields.delete(o.eventField);
  }
}
