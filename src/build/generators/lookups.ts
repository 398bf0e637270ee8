/** lookups/*.csv: every vendor's lookup tables (RFC 4180). */
import { KNOWLEDGE_SOURCES } from './sources';
import type { Generator } from './types';

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export const lookupsGenerator: Generator = {
  name: 'lookups',
  generate: () => Object.fromEntries(KNOWLEDGE_SOURCES.flatMap((s) => s.lookups.map((l) => [`lookups/${l.file}`, csv(l.header, l.rows)]))),
};
