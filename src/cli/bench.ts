/**
 * `npm run bench [-- <suite>…]`: performance numbers, kept out of the tests (no timed
 * assertions there). Prints a table, then exactly one JSON line `{"bench": {...}}` for tools.
 *
 * A bench module exports `benches: Bench[]` (the contract: src/core/bench.ts); adding one is one
 * line in BENCH_MODULES, and a vendor's benches come from its module (SourceModule.benches).
 * Exit status 1 when a result misses its target, so CI can gate on it; each miss is also printed
 * on a line of its own naming the figure, its value and its target.
 */
import { formatTable, missLines, roundFigure as round, type Bench, type BenchResult } from '../core/bench';
import { jsonParseTargets } from '../core/knowledge/cost';
import { SOURCE_MODULES } from '../sources';

export { atLeast, atMost, formatTable, median, missLines, percentile, type Bench, type BenchResult } from '../core/bench';

/** Suite name → benches; `npm run bench -- <suite>` runs one suite. A vendor's suite is its module name. */
const BENCH_MODULES: Record<string, () => Promise<{ benches: readonly Bench[] }>> = {
  launchers: () => import('./bench-launchers'),
  hec: () => import('./bench-hec'),
  protocol: async () => ({ benches: [...(await import('./bench-cold-start')).benches, ...(await import('../core/protocol/bench')).benches] }),
  knowledge: async () => {
    const targets = jsonParseTargets(await Promise.all(SOURCE_MODULES.map((m) => m.knowledge())));
    const { bench } = await import('../core/knowledge/bench');
    return { benches: [() => bench(targets)] };
  },
  ...Object.fromEntries(SOURCE_MODULES.flatMap((m) => (m.benches ? [[m.name, async () => ({ benches: (await m.benches!()).benches })]] : []))),
};

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
