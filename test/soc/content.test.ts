/**
 * Every dashboard panel (form defaults substituted, post-process searches joined to their base)
 * and every saved search, run by the SPL engine as a `user`-role analyst over what `npm start`
 * collects plus the golden samples of every sourcetype. A panel fails when the engine refuses a
 * command or function, when it returns nothing, or when it reads a field that no event reaching
 * that command has. The few panels that may be empty on this data say why below, and are then
 * run over data where they must not be.
 */
import * as fs from 'node:fs';
import { isEmptyResult, Row, SplEngine } from '../../src/core/spl/engine';
import { demoKnowledge, engine, fieldsBySourcetype, goldenEvents, neverExisting, ROLES, rowWith, runDemo, Demo } from './data';
import { failedRuns } from './scenarios';
import { Runnable, savedSearchRunnables } from './saved';
import { allPanels } from './views';

// Panels that wait for a click (a drilldown's token) run in drilldowns.test.ts with the clicked value.
const PANELS: Runnable[] = allPanels().filter((p) => !p.waitsFor.length).map((p) => ({ where: `${p.view}: ${p.title}`, search: p.search, earliest: p.earliest, latest: p.latest, alert: false }));

/**
 * Panels allowed to be empty on the demo and golden data as an analyst sees them, with the
 * reason; each is checked below on data where it must return rows.
 */
const MAY_BE_EMPTY: Record<string, string> = {
  'ta_zerotrust_health: Errors and warnings in the add-on log (admins: needs _internal)': 'reads _internal, which user cannot search; run as admin below',
  'ta_zerotrust_illumio_traffic: Port scan candidates (sources reaching many ports)': 'no source in the golden flows reaches 20 ports; test/soc/illumio.test.ts crafts a scan',
  'ta_zerotrust_lacework_edge: Time to close by severity (hours)': 'whether the demo closes an alert depends on its random changes; test/soc/lacework.test.ts closes one',
};

let demo: Demo;
let rows: Row[];
let user: SplEngine;
let now: number;
let universe: Map<string, Set<string>>;

beforeAll(async () => {
  demo = await runDemo();
  // Two failed runs (no Node.js; a refused API key) happen right after the demo.
  const failed = await failedRuns();
  now = Math.max(demo.now, ...[...failed.noNode, ...failed.refused].map((e) => e.time!)) + 60;
  // Flows and events enriched from the KV store the demo's objects input filled.
  rows = [...demo.events, ...goldenEvents(now), ...failed.noNode, ...failed.refused].map(rowWith(demoKnowledge(demo)));
  universe = fieldsBySourcetype(rows);
  user = engine(rows, now, ROLES.user);
}, 240_000);

afterAll(() => {
  if (demo) fs.rmSync(demo.dir, { recursive: true, force: true });
});

describe('dashboard panels on demo and golden data, as a user-role analyst', () => {
  test.each(PANELS.map((p) => [p.where, p] as const))('%s', (_, p) => {
    if (MAY_BE_EMPTY[p.where] !== undefined) return;
    const r = user.run(p.search, { earliest: p.earliest, latest: p.latest });
    expect({ where: p.where, neverExisting: neverExisting(r, universe) }).toEqual({ where: p.where, neverExisting: [] });
    if (MAY_BE_EMPTY[p.where] === undefined) expect({ where: p.where, empty: isEmptyResult(r.rows) }).toEqual({ where: p.where, empty: false });
  });

  test('the panels allowed to be empty exist, so the list cannot rot', () => {
    for (const w of Object.keys(MAY_BE_EMPTY)) expect(PANELS.map((p) => p.where)).toContain(w);
  });

  test('the add-on log panel returns rows for an admin, and nothing for user or power', () => {
    const p = PANELS.find((x) => x.where.includes('needs _internal'))!;
    const admin = engine(rows, now, ROLES.admin);
    const r = admin.run(p.search, p);
    expect(isEmptyResult(r.rows)).toBe(false);
    expect(neverExisting(r, universe)).toEqual([]);
    expect(user.run(p.search, p).rows).toEqual([]);
    expect(engine(rows, now, ROLES.power).run(p.search, p).rows).toEqual([]);
  });
});

describe('saved searches over all of the demo and golden data', () => {
  // The dispatch window is the scheduler's business (tested with crafted scenarios); here each
  // body must find its rows somewhere in the data and read only fields that exist.
  const reports = savedSearchRunnables();
  const MAY_BE_EMPTY_SAVED: Record<string, string> = {
    'savedsearches.conf [Illumio - Authentication failure burst by source]': 'no client bursts in the demo; test/soc/illumio.test.ts crafts one',
    'savedsearches.conf [Illumio - PCE request errors]': 'fewer errors than the threshold per PCE; test/soc/illumio.test.ts crafts enough',
    'savedsearches.conf [Add-on - No data from an input]': 'every demo input ran a minute ago; test/soc/health.test.ts crafts quiet ones',
    'savedsearches.conf [Add-on - Illumio syslog feed silent]': 'the golden syslog events are an hour old; test/soc/illumio.test.ts crafts a silent PCE',
  };
  test.each(reports.map((s) => [s.where, s] as const))('%s', (_, s) => {
    const r = user.run(s.search, { earliest: '0', latest: 'now' });
    expect({ where: s.where, neverExisting: neverExisting(r, universe) }).toEqual({ where: s.where, neverExisting: [] });
    if (MAY_BE_EMPTY_SAVED[s.where] === undefined) expect({ where: s.where, empty: isEmptyResult(r.rows) }).toEqual({ where: s.where, empty: false });
  });
});

