/** Plain-text tables for people (demo summaries, `preview --format table`): columns padded to fit. */
export function textTable(rows: string[][], rightAligned: ReadonlySet<number> = new Set()): string {
  const widths = rows[0].map((_, i) => Math.max(...rows.map((r) => (r[i] ?? '').length)));
  return rows.map((r) => r.map((c, i) => (rightAligned.has(i) ? (c ?? '').padStart(widths[i]) : (c ?? '').padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}
