/**
 * `npm run bench [-- <suite>…]`: performance numbers, kept out of the tests (no timed
 * assertions there). Prints a table, then exactly one JSON line `{"bench": {...}}` for tools.
 *
 * A bench module exports `benches: Bench[]`; adding one is one line in BENCH_MODULES.
 * Exit status 1 when a result misses its target, so CI can gate on it; each miss is also printed
 * on a line of its own naming the figure, its value and its target.
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

/** Suite name → module; `npm run bench -- <suite>` runs one suite. */
const BENCH_MODULES: Record<string, () => Promise<{ benches: Bench[] }>> = {
  launchers: () => import('./bench-launchers'),
  hec: () => import('./bench-hec'),
  protocol: () => import('../core/protocol/bench'),
  prisma: () => import('../sources/prisma/bench'),
  knowledge: () => import('../core/knowledge/bench'),
  lacework: () => import('../sources/lacework/bench'),
};

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

function round(v: number): number {
  return Math.abs(v) >= 100 ? Math.round(v) : Math.round(v * 100) / 100;
}

export function formatTable(results: BenchResult[]): string {
  const rows = [['bench', 'value', 'unit', 'target', 'ok'], ...results.map((r) => [
    r.name, String(round(r.value)), r.unit, r.target ?? '', r.ok === undefined ? '' : r.ok ? 'yes' : 'NO',
  ])];
  const widths = rows[0].map((_, i) => Math.max(...rows.map((row) => row[i].length)));
  return rows.map((row) => row.map((c, i) => (i === 1 ? c.padStart(widths[i]) : c.padEnd(widths[i]))).join('  ').trimEnd()).join('\n');
}

/** One line per missed target: `MISSED <name>: <value> <unit>, target <target>`. */
export function missLines(results: BenchResult[]): string[] {
  return results.filter((r) => r.ok === false).map((r) => `MISSED ${r.name}: ${round(r.value)} ${r.unit}, target ${r.target}`);
}

export async function runBenches(suites?: string[]): Promise<BenchResult[]> {
  const names = suites?.length ? suites : Object.keys(BENCH_MODULES);
  const unknown = names.filter((n) => !BENCH_MODULES[n]);
  if (unknown.length) throw new Error(`unknown bench suite(s) ${unknown.join(', ')}; known: ${Object.keys(BENCH_MODULES).join(', ')}`);
  const results: BenchResult[] = [];
  for (const name of names) {
    const { benches } = await BENCH_MODULES[name]();
    for (const bench of benches) results.push(...(await bench()));
  }
  return results;
}

async function cli(): Promise<void> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write(`usage: npm run bench [-- <suite> …]\nRuns the benches (all, or the suites named: ${Object.keys(BENCH_MODULES).join(', ')}); prints a table and one JSON line ({"bench": …}); exit 1 when a target is missed.\n`);
    return;
  }
  const results = await runBenches(process.argv.slice(2));
  process.stdout.write(`${formatTable(results)}\n`);
  const json = Object.fromEntries(results.map((r) => [r.name, {
    value: round(r.value), unit: r.unit, ...(r.target ? { target: r.target } : {}), ...(r.ok !== undefined ? { ok: r.ok } : {}),
  }]));
  process.stdout.write(`${JSON.stringify({ bench: json })}\n`);
  const misses = missLines(results);
  for (const line of misses) process.stdout.write(`${line}\n`);
  if (misses.length) process.exitCode = 1;
}

if (require.main === module) {
  cli().catch((e: unknown) => {
    process.stderr.write(`${e instanceof Error ? e.stack : String(e)}\n`);
    process.exit(1);
  });
}
