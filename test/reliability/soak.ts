/**
 * npm run soak: the long reliability profile. More seeds than npm test, the full storms (no
 * short-profile caps), ten times the events per case, ten kill -9 per input through the
 * launchers. Prints the Markdown table and writes var/reliability/report.{json,md}.
 *   SOAK_SEEDS=5 SOAK_SCALE=10 SOAK_KILLS=10 npm run soak
 * Exit status 1 when any case failed.
 */
import { ensureBundle } from '../support/launcher';
import { INPUTS } from './inputs';
import { notApplicableCases, planCases, runCase, type CaseResult } from './matrix';
import { markdown, writeReport, type Report } from './report';
import * as os from 'node:os';
import { runSpawnedCase } from './spawned';

const num = (name: string, dflt: number) => Number(process.env[name] ?? dflt) || dflt;

async function main(): Promise<number> {
  if (process.argv.includes('--help') || process.argv.includes('-h')) {
    process.stdout.write('usage: [SOAK_SEEDS=5] [SOAK_SCALE=10] [SOAK_KILLS=10] npm run soak\nThe long reliability profile; writes var/reliability/report.{json,md}; exit 1 when a case failed.\n');
    return 0;
  }
  const seeds = Array.from({ length: num('SOAK_SEEDS', 5) }, (_, i) => 101 + i);
  const scale = num('SOAK_SCALE', 10);
  const kills = num('SOAK_KILLS', 10);
  await ensureBundle();
  const cases: CaseResult[] = [];
  for (const seed of seeds) {
    for (const input of INPUTS) {
      if (seed === seeds[0]) cases.push(...notApplicableCases(input));
      const plan = planCases(input, seed, 50);
      let n = 0;
      for (const c of plan) {
        const res = await runCase(input, c, seed * 1000 + n++, { scale });
        cases.push(res);
        if (!res.passed) process.stderr.write(`FAIL ${input.scheme} ${c.kind} (${c.detail}): ${res.problems.join('; ')}\n`);
      }
      const spawned = await runSpawnedCase(input, seed * 31 + input.scheme.length, kills);
      cases.push(...spawned.cases);
      for (const l of spawned.leaks) process.stderr.write(`LEAK ${input.scheme}: ${l.secret} in ${l.where}\n`);
      if (spawned.leaks.length && spawned.cases.length) spawned.cases[0].passed = false;
      process.stderr.write(`seed ${seed} ${input.scheme}: ${plan.length} faults + ${spawned.cases.length} kills, ${cases.filter((c) => !c.passed).length} failed so far\n`);
    }
  }
  const report: Report = {
    profile: 'soak', seeds, generatedAt: new Date().toISOString(),
    host: { node: process.version, cpus: os.cpus().length, platform: `${os.platform()} ${os.release()}` }, cases,
  };
  const out = writeReport(report);
  process.stdout.write(markdown(report));
  process.stdout.write(`\nwritten: ${out.json}, ${out.md}\n`);
  return cases.some((c) => !c.passed) ? 1 : 0;
}

main().then((code) => process.exit(code), (e) => {
  process.stderr.write(`${(e as Error).stack ?? e}\n`);
  process.exit(2);
});
