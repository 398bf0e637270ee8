/**
 * The bench harness itself, at tiny sizes: every vendor's launchers (SourceModule.benches) run as splunkd runs it against its
 * simulator, the floor process runs on the same bytes, every figure is measured and every event
 * arrives (the harness throws otherwise). No timing is asserted: figures are only checked to be
 * measured at all; the targets are `npm run bench`'s business.
 */
import { missLines, type BenchResult } from '../../src/core/bench';
import { launcherBenches, launcherLabel, scaled, sizes } from '../../src/cli/bench-launchers';
import { SOURCE_MODULES } from '../../src/sources';

jest.setTimeout(240_000);

test('launcher benches measure every vendor through bin/<scheme>.sh, with a floor, and name each target', async () => {
  const s = { ...sizes(0.0002), rounds: 1 };
  const results = await launcherBenches(s, { build: false });
  const byName = new Map(results.map((r) => [r.name, r]));
  const targets: string[] = [];
  for (const m of SOURCE_MODULES) {
    const launchers = (await m.benches?.())?.launchers ?? [];
    // Every vendor's collection is measured as it ships.
    expect([m.name, launchers.length > 0]).toEqual([m.name, true]);
    for (const b of launchers) {
      const label = launcherLabel(m, b, s);
      for (const fig of ['wall', 'CPU user+sys', 'floor wall', 'floor CPU', 'module load', 'module load, CPU', 'module load, first run (no code cache yet)', 'module load, first run, CPU', 'peak RSS (VmHWM)', 'floor peak RSS', 'wall / floor wall', 'CPU / floor CPU']) {
        const r = byName.get(`${label}: ${fig}`);
        expect([label, fig, r !== undefined && Number.isFinite(r.value) && r.value > 0]).toEqual([label, fig, true]);
      }
      // GC may not run at all in a run this small, but it is measured.
      expect(Number.isFinite(byName.get(`${label}: GC share of CPU`)!.value)).toBe(true);
      targets.push(`${label}: GC share of CPU`, `${label}: module load`);
      if (b.ratioTargets) targets.push(`${label}: wall / floor wall`, `${label}: CPU / floor CPU`);
      if (b.minRate !== undefined) targets.push(`${label}: throughput target`);
      if (b.rss) targets.push(`${m.name} ${scaled(b.rss.events, s)} ${b.mode}: peak RSS (VmHWM)`);
      for (const also of b.alsoRun ?? []) targets.push(`${m.name} ${also.label}: module load`);
    }
  }
  const targeted = results.filter((r) => r.target !== undefined);
  expect(targeted.map((r) => r.name).sort()).toEqual([...targets].sort());
  for (const r of targeted) expect(typeof r.ok).toBe('boolean');
});

test('a missed target is one line naming it, its value and its target', () => {
  const results: BenchResult[] = [
    { name: 'a: wall / floor wall', value: 1.734, unit: 'x', target: '<= 1.5', ok: false },
    { name: 'b: module load', value: 12, unit: 'ms', target: '<= 50', ok: true },
    { name: 'c: events/s', value: 100, unit: 'events/s' },
  ];
  expect(missLines(results)).toEqual(['MISSED a: wall / floor wall: 1.73 x, target <= 1.5']);
});
