/**
 * Drilldowns run as an analyst clicks them: a panel that sets a token is run by the SPL engine on
 * demo and golden data, its first row is "clicked" (the `$row.<field>$`/`$click.value$` template
 * filled from it), and the panels waiting for that token then run with it and must return that
 * row's events only. Links to other dashboards must name a dashboard of this app and pass only
 * tokens it has as form inputs; the target's panels then run with the passed values.
 */
import * as fs from 'node:fs';
import { isEmptyResult, rowsToObjects, SplEngine } from '../../src/core/spl/engine';
import { engine, fieldsBySourcetype, goldenEvents, neverExisting, ROLES, runDemo, toRow, Demo } from './data';
import { allPanels, clickValue, loadView, Panel, tokenSets, viewNames } from './views';

let demo: Demo;
let user: SplEngine;
let universe: Map<string, Set<string>>;

beforeAll(async () => {
  demo = await runDemo();
  const rows = [...demo.events, ...goldenEvents(demo.now)].map(toRow);
  universe = fieldsBySourcetype(rows);
  user = engine(rows, demo.now, ROLES.user);
}, 240_000);

afterAll(() => {
  if (demo) fs.rmSync(demo.dir, { recursive: true, force: true });
});

const run = (p: Panel) => user.run(p.search, { earliest: p.earliest, latest: p.latest });

const setters = allPanels().flatMap((p) => tokenSets(p).map(({ token, template }) => [`${p.view}: ${p.title} sets $${token}$`, p, token, template] as const));

test('the VENs dashboard drills down from a hostname', () => {
  expect(setters.map(([w]) => w)).toContain('ta_zerotrust_illumio_vens: VENs with tampering, clone or offline reports (click a VEN for its events) sets $ven$');
});

test('every panel waiting for a token has a panel that sets it', () => {
  for (const p of allPanels().filter((x) => x.waitsFor.length)) {
    for (const t of p.waitsFor) expect({ panel: `${p.view}: ${p.title}`, setBy: setters.filter(([, s, tok]) => s.view === p.view && tok === t).length > 0 }).toEqual({ panel: `${p.view}: ${p.title}`, setBy: true });
  }
});

describe.each(setters)('%s', (_, panel, token, template) => {
  test('clicking each row runs the waiting panels on that value only', () => {
    const r = run(panel);
    expect(isEmptyResult(r.rows)).toBe(false);
    const waiting = loadView(panel.view).filter((p) => p.waitsFor.includes(token));
    expect(waiting.length).toBeGreaterThan(0);
    for (const row of r.rows) {
      const value = clickValue(template, row);
      expect(value).not.toBe('');
      for (const w of loadView(panel.view, { [token]: value }).filter((p) => waiting.some((x) => x.title === p.title))) {
        expect(w.waitsFor).toEqual([]);
        const detail = run(w);
        expect({ panel: w.title, value, neverExisting: neverExisting(detail, universe) }).toEqual({ panel: w.title, value, neverExisting: [] });
        expect({ panel: w.title, value, empty: isEmptyResult(detail.rows) }).toEqual({ panel: w.title, value, empty: false });
        // The summary's counts are the detail's rows, kind by kind.
        const counts = rowsToObjects([row])[0];
        const kinds = rowsToObjects(detail.rows).map((d) => d.report);
        for (const k of ['tampering', 'clone', 'offline'].filter((x) => x in counts)) {
          expect({ value, [k]: kinds.filter((x) => x === k).length }).toEqual({ value, [k]: Number(counts[k]) });
        }
      }
    }
  });
});

test("a VEN with a tampering report shows its tampering events and nobody else's", () => {
  const [, panel, token, template] = setters.find(([w]) => w.startsWith('ta_zerotrust_illumio_vens'))!;
  const rows = run(panel).rows.filter((r) => Number(r.get('tampering')?.[0]) > 0);
  expect(rows.length).toBeGreaterThan(0);
  const ven = clickValue(template, rows[0]);
  const detail = loadView(panel.view, { [token]: ven }).find((p) => p.title === 'Events of VEN $ven$')!;
  const got = rowsToObjects(run(detail).rows);
  expect(got.some((g) => g.report === 'tampering' && g.event_type === 'agent.tampering')).toBe(true);
  // Every row is this VEN's: the base search's events for another VEN never leak in.
  const others = rowsToObjects(run({ ...detail, search: detail.search.replace(/\| table[\s\S]*$/, '| stats values(ven) AS vens') }).rows);
  expect(others).toEqual([{ vens: ven }]);
});

const links = allPanels().flatMap((p) => p.drilldown.filter((d) => d.startsWith('link:')).map((d) => [`${p.view}: ${p.title}`, p, d.slice(5)] as const));

test('the Overview links each single value to its product dashboard', () => {
  expect(links.filter(([w]) => w.startsWith('ta_zerotrust_overview')).length).toBeGreaterThanOrEqual(5);
});

describe.each(links)('%s', (_, __, target) => {
  test('opens a dashboard of this app with tokens it has, whose panels then return rows', () => {
    const m = /^\/app\/TA-zerotrust-events\/([\w-]+)(?:\?(.*))?$/.exec(target);
    expect(m).not.toBeNull();
    const view = m![1];
    expect(viewNames()).toContain(view);
    const params = new URLSearchParams(m![2] ?? '');
    const overrides: Record<string, string> = {};
    const xml = fs.readFileSync(`${__dirname}/../../default/data/ui/views/${view}.xml`, 'utf8');
    for (const [k, v] of params) {
      expect(k).toMatch(/^form\./);
      const tok = k.slice(5);
      // A form input's token: the time picker's `time` gives `time.earliest`/`time.latest`.
      expect({ param: k, isInput: xml.includes(`token="${tok.replace(/\.(earliest|latest)$/, '')}"`) }).toEqual({ param: k, isInput: true });
      expect(v).not.toMatch(/\$/);
      overrides[tok] = v;
    }
    const panels = loadView(view, overrides).filter((p) => p.viz !== 'input' && !p.waitsFor.length);
    const nonEmpty = panels.filter((p) => !isEmptyResult(run(p).rows));
    expect(nonEmpty.length).toBeGreaterThan(0);
  });
});
