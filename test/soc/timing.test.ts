/**
 * Scheduled searches as the scheduler runs them, one run after another: a search that alerts or
 * reports on what arrived reads index-time slices that meet end to start, so no event falls
 * between two runs and none is read twice; a search that keeps event time says why.
 */
import { relativeTime } from '../../src/core/knowledge/time';
import { generatorContext } from '../../src/build/generate';
import { savedSearches } from '../../src/build/generators/knowledge-searches';
import type { SavedSearchDefinition } from '../../src/core/knowledge/spec';
import { parseConf } from '../../src/core/conf/parse';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { ROOT } from './data';

const MIN = 60_000;

/** Minutes of the hour or hours of the day a cron field allows: `*`, `*\/N`, `N`, `N,M`. */
function cronField(f: string, size: number): Set<number> {
  const out = new Set<number>();
  for (const part of f.split(',')) {
    const step = /^\*(?:\/(\d+))?$/.exec(part);
    if (step) for (let v = 0; v < size; v += Number(step[1] ?? 1)) out.add(v);
    else if (/^\d+$/.test(part) && Number(part) < size) out.add(Number(part));
    else throw new Error(`cron field "${f}" is outside what this test reads; extend cronField`);
  }
  return out;
}

/** The scheduled times of a five-field cron over [fromMs, fromMs + spanMs), in UTC. */
function cronRuns(cron: string, fromMs: number, spanMs: number): number[] {
  const [min, hour, dom, mon, dow] = cron.trim().split(/\s+/);
  if (dom !== '*' || mon !== '*' || dow !== '*') throw new Error(`cron "${cron}": day fields are outside what this test reads`);
  const mins = cronField(min, 60);
  const hours = cronField(hour, 24);
  const runs: number[] = [];
  for (let t = Math.ceil(fromMs / MIN) * MIN; t < fromMs + spanMs; t += MIN) {
    const d = new Date(t);
    if (mins.has(d.getUTCMinutes()) && hours.has(d.getUTCHours())) runs.push(t);
  }
  return runs;
}

const stanzas = parseConf(fs.readFileSync(path.join(ROOT, 'default', 'savedsearches.conf'), 'utf8'), 'savedsearches.conf').stanzas.map((s) => {
  const get = (k: string) => s.entries.find((e) => e.key === k)?.value;
  return { name: s.name, cron: get('cron_schedule')!, earliest: get('dispatch.earliest_time')!, latest: get('dispatch.latest_time')!, indexEarliest: get('dispatch.index_earliest'), indexLatest: get('dispatch.index_latest') };
});
let definitions = new Map<string, SavedSearchDefinition>();
beforeAll(async () => {
  definitions = new Map(savedSearches((await generatorContext()).knowledge).map((d) => [d.name, d]));
});
const at = (spec: string, nowMs: number) => {
  const t = relativeTime(spec, nowMs);
  if (t === undefined) throw new Error(`"${spec}" is not a time modifier`);
  return t;
};

test('every scheduled search either reads index-time slices or says why it keeps event time, never both', () => {
  expect(stanzas.length).toBe(definitions.size);
  for (const s of stanzas) {
    const because = definitions.get(s.name)?.eventTimeBecause;
    expect({ name: s.name, indexTime: s.indexEarliest !== undefined, eventTimeBecause: because !== undefined }).toEqual({ name: s.name, indexTime: because === undefined, eventTimeBecause: s.indexEarliest === undefined });
  }
});

const sliced = stanzas.filter((s) => s.indexEarliest !== undefined);
test.each(sliced.map((s) => [s.name, s] as const))('%s: consecutive runs\' index-time slices tile, close before the run, and sit inside a wide event-time range', (_, s) => {
  // Two days of runs from an arbitrary instant that is on no boundary.
  const runs = cronRuns(s.cron, Date.UTC(2027, 2, 3, 4, 7, 31), 2 * 86_400_000);
  expect(runs.length).toBeGreaterThan(1);
  const slices = runs.map((run) => ({ run, from: at(s.indexEarliest!, run), to: at(s.indexLatest ?? 'now', run) }));
  for (let i = 0; i < slices.length; i++) {
    const { run, from, to } = slices[i];
    expect(from).toBeLessThan(to);
    // Closed five minutes before it is read: past the inputs' 30 s poll lag and indexing delay.
    expect(run - to).toBeGreaterThanOrEqual(5 * MIN);
    // Late events: the event-time range reaches at least a day behind the slice and past the run.
    expect(at(s.earliest, run)).toBeLessThanOrEqual(from - 86_400_000);
    expect(at(s.latest, run)).toBeGreaterThanOrEqual(run);
    if (i > 0) expect({ run: new Date(run).toISOString(), from: new Date(from).toISOString() }).toEqual({ run: new Date(run).toISOString(), from: new Date(slices[i - 1].to).toISOString() });
  }
});
