/** lookups/*.csv: every module's lookup tables (RFC 4180). */
import type { Generator } from './types';

function csvCell(v: string): string {
  return /[",\n\r]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

export function csv(header: readonly string[], rows: readonly (readonly string[])[]): string {
  return [header, ...rows].map((r) => r.map(csvCell).join(',')).join('\n') + '\n';
}

export const lookupsGenerator: Generator = {
  name: 'lookups',
  generate: (ctx) => Object.fromEntries(ctx.knowledge.flatMap((s) => s.lookups.map((l) => [`lookups/${l.file}`, csv(l.header, l.rows)]))),
};
