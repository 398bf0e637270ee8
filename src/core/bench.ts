/**
 * The Bench contract: what a bench returns and the helpers every bench uses to state its figures
 * and targets. `npm run bench` (src/cli/bench.ts) runs the benches; the benches themselves live
 * beside what they measure (core, vendor folders, cli), so this module imports nothing.
 */
export interface BenchResult {
  name: string;
  value: number;
  unit: string;
  /** e.g. "<= 150" — shown next to the value. */
  target?: string;
  /** Whether the target was met; absent when there is no target. */
  ok?: boolean;
}

export type Bench = () => Promise<BenchResult[]>;

/** Median of a sample (the mean of the middle two for an even count). */
export function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? s[mid] : (s[mid - 1] + s[mid]) / 2;
}

export function percentile(values: number[], p: number): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))];
}

/** `value <= max` as a result field pair. */
export function atMost(value: number, max: number): Pick<BenchResult, 'target' | 'ok'> {
  return { target: `<= ${max}`, ok: value <= max };
}

export function atLeast(value: number, min: number): Pick<BenchResult, 'target' | 'ok'> {
  return { target: `>= ${min}`, ok: value >= min };
}

/** How a figure is shown: whole numbers from 100 up, two decimals below. */
export function roundFigure(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
}

export function formatTable(results: BenchResult[]): string {
  const rows = [['bench', 'value', 'unit', 'target', 'ok'], ...results.map((r) => [
    r.name, String(roundFigure(r.value)), r.unit, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** One line per missed target: `MISSED <name>: <value> <unit>, target <target>`. */
export function missLines(results: BenchResult[]): string[] {
  return results.filter((r) => r.ok === false).map((r) => `MISSED ${r.name}: ${roundFigure(r.value)} ${r.unit}, target ${r.target}`);
}
