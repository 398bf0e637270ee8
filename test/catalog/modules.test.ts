/**
 * Every vendor module (src/sources/index.ts) brings what the rest of the add-on loops over: a
 * simulator, a demo part, benches, analyst samples, and golden files for every sourcetype it
 * declares (its inputs' and its knowledge's props stanzas). Forgetting one of them fails here, not silently elsewhere.
 */
import * as fs from 'node:fs';
import type { SourceModule } from '../../src/core/source-module';
import { appKnowledge, goldenFile } from '../knowledge/support';
import { indexMacro, moduleSourcetypes, SOURCE_MODULES } from '../support/modules';
import { conf } from './shared';

jest.setTimeout(60_000);

/** What a module lacks, one line each: hooks, and the golden pair of each declared sourcetype. */
async function missing(m: SourceModule, exists: (file: string) => boolean): Promise<string[]> {
  const out: string[] = [];
  for (const hook of ['simulator', 'demo', 'benches', 'goldenInputs', 'analystSamples'] as const) {
    if (typeof m[hook] !== 'function') out.push(`${m.name}: no ${hook}() hook`);
  }
  for (const st of await moduleSourcetypes(m)) {
    for (const ext of ['.raw', '.expected.jsonl'] as const) {
      const f = goldenFile(st, ext);
      if (!exists(f)) out.push(`${m.name}: sourcetype ${st} has no golden file ${f.slice(f.indexOf('test/'))}`);
    }
  }
  return out;
}

const nonEmpty = (f: string) => fs.existsSync(f) && fs.statSync(f).size > 0;

test('every module has its hooks and a golden pair for every sourcetype it declares', async () => {
  const problems: string[] = [];
  for (const m of SOURCE_MODULES) problems.push(...(await missing(m, nonEmpty)));
  expect(problems).toEqual([]);
});

test('a module without hooks or golden files is named, with each thing it lacks', async () => {
  const [first] = SOURCE_MODULES;
  const fourth: SourceModule = {
    name: 'fourth',
    title: 'Fourth',
    inputs: [{ description: { ...first.inputs[0].description, scheme: 'fourth_events', sourcetype: 'fourth:event' }, load: first.inputs[0].load }],
    knowledge: async () => ({ ...(await first.knowledge()), props: [{ name: 'fourth:syslog', lines: [] }, { name: 'source::...fourth.log', lines: [] }] }),
  };
  expect(await missing(fourth, nonEmpty)).toEqual([
    'fourth: no simulator() hook', 'fourth: no demo() hook', 'fourth: no benches() hook', 'fourth: no goldenInputs() hook', 'fourth: no analystSamples() hook',
    'fourth: sourcetype fourth:event has no golden file test/golden/fourth_event.raw',
    'fourth: sourcetype fourth:event has no golden file test/golden/fourth_event.expected.jsonl',
    'fourth: sourcetype fourth:syslog has no golden file test/golden/fourth_syslog.raw',
    'fourth: sourcetype fourth:syslog has no golden file test/golden/fourth_syslog.expected.jsonl',
  ]);
});

test('the golden inputs a module writes are exactly the sourcetypes it declares', async () => {
  for (const m of SOURCE_MODULES) {
    const written = Object.keys(await m.goldenInputs!()).sort();
    expect([m.name, written]).toEqual([m.name, (await moduleSourcetypes(m)).sort()]);
    for (const [st, lines] of Object.entries(await m.goldenInputs!())) expect([st, lines.length > 0]).toEqual([st, true]);
  }
});

test("every module's sourcetypes are in the app's props.conf and its index macro in macros.conf", async () => {
  const app = new Set(appKnowledge().sourcetypes());
  const macros = new Set(conf('default/macros.conf').stanzas.map((s) => s.name));
  for (const m of SOURCE_MODULES) {
    for (const st of await moduleSourcetypes(m)) expect([m.name, st, app.has(st)]).toEqual([m.name, st, true]);
    expect([m.name, macros.has(indexMacro(m))]).toEqual([m.name, true]);
  }
});

test("a module's demo part starts its simulator with every one of its inputs, and its benches name its own inputs", async () => {
  const names = new Set<string>();
  for (const m of SOURCE_MODULES) {
    const schemes = m.inputs.map((i) => i.description.scheme);
    const running = await (await m.demo!()).start({ profile: 'short', runs: [Date.now()], newCount: () => 0 });
    try {
      expect([m.name, running.inputs.map((i) => i.scheme).sort()]).toEqual([m.name, [...schemes].sort()]);
      expect(running.line).toMatch(/^http:\/\/127\.0\.0\.1:\d+ /);
      for (const i of running.inputs) {
        expect(names.has(i.name)).toBe(false);
        names.add(i.name);
      }
    } finally {
      await running.stop();
    }
    const { launchers } = await m.benches!();
    for (const b of launchers) {
      for (const i of [b.input, ...(b.alsoRun ?? []).map((a) => a.input)]) expect([m.name, schemes.includes(i.scheme)]).toEqual([m.name, true]);
    }
  }
});
