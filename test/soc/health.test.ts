/**
 * Add-on health as an analyst (role user, no _internal) sees it: every run writes a
 * ta_zerotrust:health event into the input's index, the launcher writes one when it cannot start
 * Node.js, and the health alerts judge each input by its own interval.
 */
import { isEmptyResult, rowsToObjects } from '../../src/core/spl/engine';
import { engine, RawEvent, ROLES, toRow } from './data';
import { failedRuns, FailedRuns } from './scenarios';
import { allPanels } from './views';
import { savedSearchRunnables } from './saved';

let runs: FailedRuns;
beforeAll(async () => {
  runs = await failedRuns();
}, 120_000);

const saved = (name: string) => savedSearchRunnables().find((s) => s.where === `savedsearches.conf [${name}]`)!;

test('a launcher without Node.js and a refused API key both reach the index as failed-run health events', () => {
  expect(runs.noNode).toHaveLength(1);
  expect(runs.refused).toHaveLength(1);
  const [launcher] = runs.noNode.map(toRow);
  expect(rowsToObjects([launcher])[0]).toMatchObject({
    sourcetype: 'ta_zerotrust:health', index: 'main', source: 'lacework_edge_audit://tenant', stanza: 'lacework_edge_audit://tenant',
    status: 'failed', error_kind: 'launcher', input: 'lacework_edge_audit',
  });
  expect(launcher.get('last_error')![0]).toMatch(/^no Node\.js >= 18\.17 found \(looked in: .*PATH: no node\)/);
  const [refused] = runs.refused.map(toRow);
  expect(rowsToObjects([refused])[0]).toMatchObject({ status: 'failed', error_kind: 'auth', interval_seconds: '300', events: '0', stanza: 'illumio_pce_events://prod' });
  expect(refused.get('last_error')![0]).toMatch(/refused API key .*HTTP 401/);
  for (const e of [...runs.noNode, ...runs.refused]) expect(e.raw).not.toContain(runs.secret);
});

test('"Add-on - Input runs failing" and the Overview and health panels show both failures to a user-role analyst', () => {
  const events = [...runs.noNode, ...runs.refused];
  const now = Math.max(...events.map((e) => e.time!)) + 10 * 60;
  const en = engine(events.map(toRow), now, ROLES.user);
  const s = saved('Add-on - Input runs failing');
  const alert = rowsToObjects(en.run(s.search, s).rows);
  expect(alert.map((r) => [r.stanza, r.error_kind, r.failed_runs])).toEqual([
    ['illumio_pce_events://prod', 'auth', '1'], ['lacework_edge_audit://tenant', 'launcher', '1'],
  ]);
  const panels = allPanels();
  const overview = panels.find((p) => p.view === 'ta_zerotrust_overview' && p.title === 'Failed input runs')!;
  expect(rowsToObjects(en.run(overview.search, overview).rows)).toEqual([{ count: '2' }]);
  for (const title of ['Failed runs by kind', 'Errors of failed runs', 'Runs by input', 'Input inventory (last 7 days)']) {
    const p = panels.find((x) => x.view === 'ta_zerotrust_health' && x.title === title)!;
    expect({ title, empty: isEmptyResult(en.run(p.search, p).rows) }).toEqual({ title, empty: false });
  }
  const errors = panels.find((x) => x.title === 'Errors of failed runs')!;
  expect(rowsToObjects(en.run(errors.search, errors).rows).map((r) => r.error_kind)).toEqual(['auth', 'launcher']);
});

test('"Add-on - No data from an input" judges each input by its own interval and ignores sources that are not inputs', () => {
  const base = JSON.parse(runs.refused[0].raw) as Record<string, unknown>;
  const now = 1_800_000_000;
  const health = (stanza: string, interval: number | undefined, agoMin: number): RawEvent => ({
    raw: JSON.stringify({ ...base, stanza, status: 'ok', error_kind: undefined, last_error: undefined, errors: 0, events: 0, interval_seconds: interval }),
    sourcetype: 'ta_zerotrust:health', source: stanza, index: 'main', time: now - agoMin * 60,
  });
  const events = [
    health('illumio_pce_events://every5min', 300, 40), // missed 8 runs: reported
    health('lacework_edge_alerts://daily', 86400, 40), // a daily input 40 minutes after its run: fine
    health('prisma_saas_log_events://main', 300, 4), // ran 4 minutes ago: fine
    health('lacework_edge_audit://cron', undefined, 20), // cron schedule: 15-minute floor with a 5-minute default
    health('lacework_edge_audit://cron', undefined, 10),
  ];
  const en = engine(events.map(toRow), now, ROLES.user);
  const s = saved('Add-on - No data from an input');
  const rows = rowsToObjects(en.run(s.search, { earliest: s.earliest, latest: s.latest }).rows);
  expect(rows.map((r) => [r.input, r.threshold_minutes, r.minutes_quiet])).toEqual([['illumio_pce_events://every5min', '15', '40']]);
  // The search reads stanzas from the health events: Prisma's `<stanza>:unparsed` source is not one.
  expect(s.search).not.toMatch(/\bBY\b[^|]*\bsource\b/);
});
