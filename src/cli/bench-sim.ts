/**
 * A vendor simulator in its own process for the launcher benches (src/cli/bench-launcher.ts), so
 * the input's process is measured alone:
 *   node --import tsx src/cli/bench-sim.ts <module name> <events> <floor file> [<variant>]
 * Starts the module's simulator (SourceModule.simulator), writes the vendor's events as one JSON
 * array to <floor file> (the floor process's input), then prints one JSON line (the input's
 * parameters, without the stanza name). A `fill` line on stdin (answered `filled`) puts drained
 * events back where the vendor's queue is destructive.
 */
import * as fs from 'node:fs';
import * as readline from 'node:readline';
import { SOURCE_MODULES } from '../sources';

async function main(): Promise<void> {
  const [name, countArg, floorFile, variant] = process.argv.slice(2);
  const n = Number(countArg);
  const names = SOURCE_MODULES.map((m) => m.name).join(', ');
  if (!floorFile || !Number.isInteger(n) || n <= 0) throw new Error(`usage: bench-sim.ts <${names}> <events> <floor file>`);
  const mod = SOURCE_MODULES.find((m) => m.name === name);
  if (!mod?.simulator) throw new Error(`bench-sim: no simulator for "${name}" (modules with one: ${SOURCE_MODULES.filter((m) => m.simulator).map((m) => m.name).join(', ')})`);
  const sim = await (await mod.simulator()).start(n, variant);
  fs.writeFileSync(floorFile, await sim.floorEvents());
  process.stdout.write(`${JSON.stringify(sim.params)}\n`);
  readline.createInterface({ input: process.stdin }).on('line', (l) => {
    if (l === 'fill') { sim.refill(); process.stdout.write('filled\n'); }
  }).on('close', () => { void sim.stop().then(() => process.exit(0)); });
}

main().catch((e: unknown) => {
  process.stderr.write(`bench-sim: ${e instanceof Error ? e.message : String(e)}\n`);
  process.exit(1);
});
