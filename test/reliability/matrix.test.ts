/**
 * The short reliability profile (npm test): every input against at least 50 injected faults of
 * every kind, each followed by recovery runs; no event lost, none left duplicated after dedup
 * by id, a clear WARN/ERROR for every fault that is one. `npm run soak` runs more seeds.
 */
import { SCHEMES } from '../support/modules';
import { ADAPTERS, INPUTS, NOT_IN_MATRIX } from './inputs';
import { FAULT_KINDS, notApplicableCases, planCases, runCase, type CaseResult } from './matrix';
import { publish } from './report';

const SEED = 1;
const PER_INPUT = 50;

test('every input of every module has a fault adapter or a stated reason why not, and every adapter an input', () => {
  expect({
    withoutAdapter: SCHEMES.filter((s) => !ADAPTERS.has(s) && !NOT_IN_MATRIX.has(s)),
    stale: [...ADAPTERS.keys(), ...NOT_IN_MATRIX.keys()].filter((s) => !SCHEMES.includes(s)),
    both: [...NOT_IN_MATRIX.keys()].filter((s) => ADAPTERS.has(s)),
  }).toEqual({ withoutAdapter: [], stale: [], both: [] });
});

test('every fault kind runs against every input, unless the input states why it cannot happen to it', () => {
  const silent: string[] = [];
  for (const input of INPUTS) {
    const planned = new Set(planCases(input, SEED, PER_INPUT, { short: true }).map((c) => c.kind));
    for (const kind of FAULT_KINDS) {
      // kill -9 is spawned.test.ts's; an API that cannot carry a payload gets API faults instead (README).
      if (kind === 'kill -9' || (input.payloads === false && ['huge event (10 MB)', 'XML-breaking payload', 'invalid UTF-8'].includes(kind))) continue;
      const why = input.notApplicable?.[kind];
      if (planned.has(kind) === (why !== undefined)) silent.push(`${input.scheme}: ${kind} ${planned.has(kind) ? 'is planned and also stated not applicable' : 'is not planned and no reason is stated'}`);
      if (why !== undefined && why.trim().length < 20) silent.push(`${input.scheme}: ${kind}: the reason "${why}" says too little`);
    }
  }
  expect(silent).toEqual([]);
});

describe.each(INPUTS.map((i) => [i.scheme, i] as const))('%s', (scheme, input) => {
  const results: CaseResult[] = [];
  afterAll(() => publish('short', `matrix-${scheme}`, [...results, ...notApplicableCases(input)], [SEED]));

  test(`survives ${PER_INPUT} injected faults with nothing lost or duplicated`, async () => {
    const cases = planCases(input, SEED, PER_INPUT, { short: true });
    expect(cases.length).toBeGreaterThanOrEqual(PER_INPUT);
    let n = 0;
    for (const c of cases) results.push(await runCase(input, c, SEED * 1000 + n++));
    // Disk-full and read-only cases need a tmpfs of their own: a run that could not mount one
    // must fail loudly (CI runs as root), never pass with those faults quietly left out.
    const notRun = results.filter((r) => r.faultedStatus === 'not run').map((r) => `${r.kind}: ${r.detail}`);
    expect({ notRun, fix: notRun.length ? 'run as root where `mount -t tmpfs` works (CI does), e.g. sudo npm test' : '' }).toEqual({ notRun: [], fix: '' });
    const failed = results.filter((r) => !r.passed).map((r) => `${r.kind} (${r.detail}): ${r.problems.join('; ')}`);
    expect(failed).toEqual([]);
    // The matrix must have exercised something: faults fired, events flowed.
    expect(results.filter((r) => r.logged).length).toBeGreaterThan(PER_INPUT / 2);
    expect(results.every((r) => r.expected > 0)).toBe(true);
    expect(results.reduce((a, r) => a + r.lost, 0)).toBe(0);
  }, 600_000);
});
