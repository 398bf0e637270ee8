/**
 * Process faults and secret hygiene, through the real launchers: kill -9 at random points of
 * fetch → emit → checkpoint, then reruns (nothing lost but what a destructive read held in the
 * killed process's memory, repeats only where a checkpoint was prevented); the secret typed in
 * clear on the first run is in storage/passwords afterwards and nowhere else; a refused
 * credential is reported by its id or parameter name, never its value.
 */
import { ensureBundle } from '../support/launcher';
import { INPUTS } from './inputs';
import { authFailure, runSpawnedCase } from './spawned';
import { publish } from './report';
import type { CaseResult } from './matrix';

const SEED = 1;
const KILLS = 4;

beforeAll(ensureBundle, 120_000);

describe.each(INPUTS.map((i) => [i.scheme, i] as const))('%s launcher', (scheme, input) => {
  const results: CaseResult[] = [];
  afterAll(() => publish('short', `spawned-${scheme}`, results, [SEED]));

  test(`${KILLS} kill -9 at random points, then reruns: nothing lost, no secret anywhere`, async () => {
    const out = await runSpawnedCase(input, SEED * 31 + scheme.length, KILLS);
    results.push(...out.cases);
    expect(out.cases.filter((c) => !c.passed).map((c) => `${c.detail}: ${c.problems.join('; ')}`)).toEqual([]);
    expect(out.cases.filter((c) => c.faultedStatus === 'killed').length).toBeGreaterThanOrEqual(1);
    expect(out.stored).toBe(true);
    expect(out.masked).toBe(true);
    expect(out.leaks).toEqual([]);
    // The scan read real material: the stream, the log file, the live process, the checkpoint.
    expect(out.scanned.stdout).toBeGreaterThan(1000);
    expect(out.scanned['log file']).toBeGreaterThan(100);
    expect(out.procSeen).toBe(true);
    // (An input that keeps no checkpoint may leave nothing there.)
    if (input.source.checkpoint) expect(Object.keys(out.scanned).some((k) => k.startsWith('checkpoint dir: '))).toBe(true);
  }, 240_000);

  test('a refused credential is named by its id or parameter, never by its value', async () => {
    const a = await authFailure(input);
    expect(a.code).toBe(1);
    const said = a.stderr + a.log;
    expect(said).toMatch(/ERROR/);
    expect(said).toContain(a.keyId ?? a.param);
    expect(said).not.toContain(a.wrong);
    expect(said).not.toContain(a.secret);
  }, 120_000);
});
